"""Work-arounds for the Qt binding.

PySide6 6.12 (CPython 3.11): `SignalInstance.emit()` returns `True` without taking a reference,
so every emit from Python leaves `True` one reference short; after enough emits the
interpreter aborts ("Fatal Python error: bool_dealloc"), typically while it shuts down.
Every emit in `ui/` goes through `emit()`, which gives the reference back when (and only
when) the probe below finds the binding short.

The same binding gives `None` back one reference short from every call of a method that
returns nothing (`update()`, `setText()`, `QPainter.drawText()`…). Elsewhere the references
`None` gains when the models' `data()` answers `None` for roles they do not show make up for
it; a delegate that paints cells itself makes several such calls per cell and calls `data()`
for none, so it hands the references back with `give_back_none()` (`ui/celltext.py`).

Neither makes up for every call in a long day at a desk: 300,000 `QLabel.setText()` calls abort
a bare process ("Fatal Python error: none_dealloc"). So, once the probes find the binding
short, `None` and `True` are given a reserve of 2⁴⁰ references at import — what CPython 3.12
does by making them immortal; they are never freed in any case.
"""

from __future__ import annotations

import ctypes
import gc
import sys

from PySide6.QtCore import QObject, Signal


class _Probe(QObject):
    ping = Signal(int)


def _emit_leaks() -> bool:
    probe = _Probe()
    probe.ping.connect(lambda _n: None)
    gc.disable()
    try:
        before = sys.getrefcount(True)
        probe.ping.emit(1)
        return sys.getrefcount(True) < before
    finally:
        gc.enable()


_LEAKS = _emit_leaks()
if _LEAKS:  # the probe itself took one reference away: give it back
    ctypes.pythonapi.Py_IncRef(ctypes.py_object(True))


def emit(signal, *args) -> None:
    result = signal.emit(*args)
    if _LEAKS and result is True:
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(True))


def _void_leaks() -> bool:
    probe = QObject()
    gc.disable()  # a collection mid-probe frees objects holding None: the probe would miss
    try:
        for _ in range(5):  # anything else that moves None's count meanwhile: try again
            before = sys.getrefcount(None)
            for _ in range(8):
                probe.setObjectName("")
            lost = before - sys.getrefcount(None)
            if lost == 8:
                return True
            if lost == 0:
                return False
            # give back what this attempt lost (if any) only when it is the binding's
            for _ in range(max(lost, 0)):
                ctypes.pythonapi.Py_IncRef(ctypes.py_object(None))
        return False
    finally:
        gc.enable()


def _refcount_of_none():
    """`None`'s reference count as a writable integer (CPython keeps it first in the object),
    when writing it is seen to count: a paint gives back thousands of references, and one
    addition costs what one `Py_IncRef` call through ctypes does."""
    count = ctypes.c_ssize_t.from_address(id(None))
    gc.disable()  # a collection between the two reads frees objects holding None: the check
    try:  # would fail, and with it the reserve (a CI run's desk aborted so, once)
        for _ in range(5):  # and anything else that drops a reference meanwhile: try again
            before = sys.getrefcount(None)
            count.value += 1
            counted = sys.getrefcount(None) == before + 1
            count.value -= 1
            if counted:
                return count
        return None
    finally:
        gc.enable()


_VOID_LEAKS = _void_leaks()
_NONE = ctypes.py_object(None)
_NONE_COUNT = _refcount_of_none() if _VOID_LEAKS else None
if _VOID_LEAKS:  # the probe took eight
    for _ in range(8):
        ctypes.pythonapi.Py_IncRef(_NONE)


_RESERVE = 1 << 40  # ~10¹² calls: more than a desk makes in its life
if _VOID_LEAKS and _NONE_COUNT is not None:
    _NONE_COUNT.value += _RESERVE
if _LEAKS:
    _true_count = ctypes.c_ssize_t.from_address(id(True))
    gc.disable()
    _before = sys.getrefcount(True)
    _true_count.value += 1
    if sys.getrefcount(True) == _before + 1:  # writing the count counts, as for None
        _true_count.value += _RESERVE - 1
    else:
        _true_count.value -= 1
    gc.enable()


def give_back_none(result: object, times: int = 1) -> None:
    """`give_back_none(painter.drawText(...))`: the reference to `None` the call took; with
    `times`, those of as many such calls."""
    if not _VOID_LEAKS or result is not None:
        return
    if _NONE_COUNT is not None:
        _NONE_COUNT.value += times
    else:
        for _ in range(times):
            ctypes.pythonapi.Py_IncRef(_NONE)

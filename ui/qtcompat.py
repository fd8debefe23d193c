"""Work-arounds for the Qt binding.

PySide6 6.12 (CPython 3.11): `SignalInstance.emit()` returns `True` without taking a reference,
so every emit from Python leaves `True` one reference short; after enough emits the
interpreter aborts ("Fatal Python error: bool_dealloc"), typically while it shuts down.
Every emit in `ui/` goes through `emit()`, which gives the reference back when (and only
when) the probe below finds the binding short.
"""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject, Signal


class _Probe(QObject):
    ping = Signal(int)


def _emit_leaks() -> bool:
    probe = _Probe()
    probe.ping.connect(lambda _n: None)
    before = sys.getrefcount(True)
    probe.ping.emit(1)
    return sys.getrefcount(True) < before


_LEAKS = _emit_leaks()
if _LEAKS:  # the probe itself took one reference away: give it back
    ctypes.pythonapi.Py_IncRef(ctypes.py_object(True))


def emit(signal, *args) -> None:
    result = signal.emit(*args)
    if _LEAKS and result is True:
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(True))

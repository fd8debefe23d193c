"""The task runner (ui/tasks.py): work off the GUI thread, the answer back on it — and,
when the window that asked has closed before the work ends, dropped without an error on the
worker thread (PySide6 raises "Signal source has been deleted" there otherwise)."""

from __future__ import annotations

import threading

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication

from ui.tasks import TaskRunner


def test_an_answer_comes_back_on_the_gui_thread(qtbot, qapp):
    r = TaskRunner()
    got = []
    r.run(lambda: threading.get_ident(), on_done=got.append)
    qtbot.waitUntil(r.idle, timeout=10_000)
    assert got and got[0] != threading.get_ident()
    r.pool.waitForDone(10_000)
    r.deleteLater()


def test_work_that_ends_after_its_runner_is_deleted_is_dropped_quietly(qtbot, qapp):
    """Without the check, the worker's emit raises; pytest-qt reports an exception raised
    inside Qt's call of `QRunnable.run` as this test's failure."""
    r = TaskRunner()
    release = threading.Event()
    pool = r.pool
    pool.setParent(None)  # the pool outlives the runner here, as a running worker does
    r.run(lambda: release.wait(10), on_done=lambda _: None)
    r.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    release.set()
    assert pool.waitForDone(10_000)

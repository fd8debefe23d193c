"""The desk's widgets over a real SQLite database (tests/support.py's Office), offscreen."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from support import Office
from ui import theme
from ui.tasks import TaskRunner


@pytest.fixture
def office(tmp_path) -> Office:
    return Office(f"sqlite:///{tmp_path / 'desk.sqlite'}")


@pytest.fixture
def runner(qapp):
    theme.setup(qapp)
    r = TaskRunner()
    yield r
    r.pool.waitForDone(30_000)
    QApplication.processEvents()
    r.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def settle(qtbot, runner):
    """Wait until every task sent to the runner has come back on the GUI thread."""

    def wait(timeout: int = 20_000) -> None:
        qtbot.waitUntil(runner.idle, timeout=timeout)
        QApplication.processEvents()
        qtbot.waitUntil(runner.idle, timeout=timeout)

    return wait


def type_text(widget, text: str) -> None:
    """Type text as key events with their text (qtbot.keyClicks with Persian crashes Qt)."""
    for ch in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(
                widget, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, ch)
            )

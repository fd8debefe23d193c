"""The desk's widgets, offscreen, in both of the desk's modes: the one desk on its own SQLite
file (in-process services), and a desk of a LAN office working through a real office server
(`main.py serve`'s server, on loopback) over PostgreSQL (tests/support.py's ServedOffice)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from support import Office, ServedOffice
from ui import theme
from ui.tasks import TaskRunner


@pytest.fixture
def one_desk(tmp_path) -> Office:
    """What only the one desk does (with an office server, the server does it)."""
    return Office(f"sqlite:///{tmp_path / 'desk.sqlite'}")


@pytest.fixture(params=["local", "served"])
def office(request, tmp_path):
    if request.param == "local":
        yield Office(f"sqlite:///{tmp_path / 'desk.sqlite'}")
        return
    served = ServedOffice(request.getfixturevalue("pg_url"))
    yield served
    served.close()


class Confirmations:
    """The desk's «…ثبت شود؟» questions (ui.widgets.confirm), answered without a modal box:
    `answer` (yes unless a test says no); `asked` keeps every question's text."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.answer = True

    def __call__(self, _parent, _title: str, text: str, yes: str = "") -> bool:
        self.asked.append(text)
        return self.answer


@pytest.fixture(autouse=True)
def confirmations(monkeypatch) -> Confirmations:
    from ui import widgets

    c = Confirmations()
    monkeypatch.setattr(widgets, "confirm", c)
    return c


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


@pytest.fixture
def shown(qtbot, runner, settle):
    """Makes a desk screen for `ctx`, shown at a desk's size (None: not shown), refreshed
    and its first loads come back."""

    def make(screen_cls, ctx, size: tuple[int, int] | None = (1300, 700)):
        w = screen_cls(ctx, runner)
        qtbot.addWidget(w)
        if size is not None:
            w.resize(*size)
            w.show()
        w.refresh()
        settle()
        return w

    return make


def type_text(widget, text: str) -> None:
    """Type text as key events with their text (qtbot.keyClicks with Persian crashes Qt)."""
    for ch in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(
                widget, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, ch)
            )


@pytest.fixture
def counter(qtbot, office, runner, settle):
    """Makes the clerk's counter screen, shown at a desk's size, its first loads come back
    (called when the test has set the office up)."""
    from ui.screens.counter import CounterScreen

    def make() -> CounterScreen:
        w = CounterScreen(office.clerk, runner)
        qtbot.addWidget(w)
        w.resize(1400, 900)
        w.show()
        qtbot.waitExposed(w)
        settle()
        return w

    return make

"""What every screen shares: the actor's context, the task runner, an inline message line."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QLineEdit, QWidget

from ..tasks import TaskRunner, error_text
from ..widgets import Message


class Screen(QWidget):
    title = ""
    name = ""  # the screenshot's file name

    def __init__(self, ctx, runner: TaskRunner, parent=None):
        super().__init__(parent)
        self.ctx, self.runner = ctx, runner
        self.message = Message(self)

    def run(self, fn, *args, on_done=None, on_error=None, **kw) -> int:
        return self.runner.run(
            fn,
            *args,
            on_done=on_done,
            on_error=on_error or self.show_error,
            owner=self,
            label=self.title,
            **kw,
        )

    def show_error(self, exc: BaseException) -> None:
        self.message.error(error_text(exc))

    def refresh(self) -> None:  # load what the screen shows
        pass


class EnterMovesOn(QObject):
    """Enter in a line edit moves to the next field (keyboard-first counter)."""

    def eventFilter(self, obj, event) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(obj, QLineEdit)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and not event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            obj.focusNextChild()
            return True
        return False


def ltr(edit: QWidget) -> QWidget:
    edit.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
    if isinstance(edit, QLineEdit):
        edit.setAlignment(Qt.AlignmentFlag.AlignLeft)
    return edit

"""The inline message line under a form; light to import (the login window uses it before
the rest of `ui.widgets` and its imports are needed)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel


class Message(QLabel):
    """One line under a form: an error (red), a warning (amber), a success (green) or
    nothing."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWordWrap(True)
        self.clear()

    def error(self, text: str) -> None:
        self.setStyleSheet("color: #b00020;")
        self.setText(text)

    def warn(self, text: str) -> None:
        """Not a refusal: something the person should see before going on."""
        self.setStyleSheet("color: #8a4b00;")
        self.setText(text)

    def ok(self, text: str) -> None:
        self.setStyleSheet("color: #1b5e20;")
        self.setText(text)

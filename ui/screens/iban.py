"""The supervisor's Sheba number (شبا), entered or changed by finance (U1): from the engineer's
file and from the finance desk's payouts and payment list. Checked as typed (IR and 24 digits,
any digit script, spaces and dashes allowed, the ISO 7064 mod 97-10 check digits) with the
domain's words; saved through `engineers.set_iban`, which checks again, refuses in Persian
naming the field, and keeps the old and new numbers masked in the audit trail (U2)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from app.domain.text import iban_problem, normalize_iban
from app.services import engineers
from app.services.permissions import ALLOWED

from .. import fmt
from ..qtcompat import emit
from ..tasks import error_text
from ..widgets import Message
from .base import ltr


def may_change_iban(ctx) -> bool:
    """U1: whether the signed-in user may enter or change a payee's Sheba number."""
    return ctx.actor.role in ALLOWED["engineer.iban"]


def grouped(iban: str | None) -> str:
    """`IR06 2960 0000 …` as a bank card prints it, digits Persian, kept left to right."""
    if not iban:
        return ""
    text = normalize_iban(iban)
    return fmt.code(" ".join(text[i : i + 4] for i in range(0, len(text), 4)))


class IbanDialog(QDialog):
    """One engineer's Sheba number: the current one, the new one checked as typed, «ذخیره»."""

    saved = Signal(object)  # the number as stored

    @classmethod
    def open_for(
        cls,
        screen,
        engineer_id: int,
        name: str,
        membership_no: str,
        current: str | None,
        saved: Callable[[str], None],
    ) -> IbanDialog:
        """The dialog for one supervisor, opened (window-modal); `saved` once it is stored."""
        dlg = cls(
            screen, engineer_id, f"{name or '—'} — شماره عضویت {fmt.code(membership_no)}", current
        )
        dlg.saved.connect(saved)
        dlg.open()
        return dlg

    def __init__(self, screen, engineer_id: int, who: str, current: str | None):
        super().__init__(screen)
        self.owner_screen, self.engineer_id = screen, engineer_id
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle("شماره شبا ناظر")
        self.setMinimumWidth(520)
        # a right-to-left mark first: a name or number in Latin letters must not turn the line
        self.head = QLabel(f"{fmt.RLM}<b>{who}</b>", self)
        note = QLabel(
            "حساب پرداخت مرحله‌ای حق‌الزحمه نظارت (F3)؛ "
            "هر تغییر آن، با شماره‌های پیشین و جدید پوشیده، در ردپای تغییرات ثبت می‌شود (U2).",
            self,
        )
        note.setWordWrap(True)
        self.current = QLabel(grouped(current) or "ثبت نشده", self)
        self.edit = ltr(QLineEdit(self))
        self.edit.setPlaceholderText("IR000000000000000000000000")
        self.edit.setMaxLength(40)  # IR + 24 digits, with spaces or dashes as printed
        self.state = Message(self)
        self.save_button = QPushButton("ذخیره شبا", self)
        self.save_button.setDefault(True)
        self.save_button.setEnabled(False)
        cancel = QPushButton("انصراف", self)
        form = QFormLayout()
        form.addRow("شبا کنونی:", self.current)
        form.addRow("شبا جدید:", self.edit)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(cancel)
        lay = QVBoxLayout(self)
        lay.addWidget(self.head)
        lay.addWidget(note)
        lay.addLayout(form)
        lay.addWidget(self.state)
        lay.addLayout(buttons)
        self.edit.textChanged.connect(self._typed)
        self.edit.returnPressed.connect(self.save)
        self.save_button.clicked.connect(self.save)
        cancel.clicked.connect(self.reject)
        self.edit.setFocus()

    def problem(self) -> str | None:
        """The domain's words for what is wrong with the number typed (None: right)."""
        text = self.edit.text()
        if not text.strip():
            return "شماره شبا را بنویسید (IR و ۲۴ رقم)"
        why = iban_problem(text)
        return f"شماره شبا نادرست است: {why}" if why else None

    def _typed(self, text: str) -> None:
        why = self.problem()
        self.save_button.setEnabled(why is None)
        if not text.strip():
            self.state.clear()
            self.edit.setStyleSheet("")
        elif why:
            self.state.error(why)
            self.edit.setStyleSheet("border: 1px solid #b00020;")
        else:
            self.state.ok(f"✔ رقم کنترل درست است: {grouped(text)}")
            self.edit.setStyleSheet("")

    def save(self) -> None:
        why = self.problem()
        if why:
            self.state.error(why)
            return
        self.save_button.setEnabled(False)

        def done(stored) -> None:
            emit(self.saved, stored)
            self.accept()

        def failed(exc: BaseException) -> None:
            self.state.error(error_text(exc))
            self.save_button.setEnabled(self.problem() is None)

        self.owner_screen.run(
            engineers.set_iban,
            self.owner_screen.ctx,
            self.engineer_id,
            self.edit.text(),
            on_done=done,
            on_error=failed,
        )

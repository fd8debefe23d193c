"""The signing desk (clerk, 08:00–12:00): today's appointments, a signature or a written
withdrawal, no-shows as they happen, and the completion certificate (S3)."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
)

from app.domain.calendar import latin_digits, local_date
from app.services import browse, deadlines, projects

from .. import fmt, widgets
from ..models import Column
from ..print_preview import commitment_job, contract_job, day_batch, open_document
from ..qtcompat import emit
from ..widgets import ListPanel, jalali_date_edit
from .base import Screen, ltr


class SigningScreen(Screen):
    title = "میز امضا"
    name = "signing"
    signed = Signal(int)  # referral id

    def __init__(self, ctx, runner, parent=None):
        super().__init__(ctx, runner, parent)
        now = ctx.now
        self.list = ListPanel(
            "نوبت‌های امضا",
            [
                Column("پرونده", lambda a: a.file_no),
                Column("رشته", lambda a: a.discipline, fmt.discipline),
                Column("شماره عضویت", lambda a: a.membership_no, ltr=True),
                Column("ناظر", lambda a: a.name),
                Column("از", lambda a: a.sign_from),
                Column("تا", lambda a: a.sign_until),
                Column("وضعیت", lambda a: _state(a, now()), str),
            ],
        )
        self.day = jalali_date_edit(self, local_date(ctx.now()))
        self.day.dateChanged.connect(lambda _d: self.refresh())
        self.completable = QCheckBox("با پرونده‌های آماده پایان کار", self)
        self.completable.toggled.connect(lambda _on: self.refresh())
        self.sign_button = QPushButton("ثبت امضای قرارداد (Ctrl+S)", self)
        self.sign_button.setShortcut("Ctrl+S")
        self.letter = ltr(QLineEdit(self))
        self.letter.setPlaceholderText("شماره نامه انصراف")
        self.withdraw_button = QPushButton("ثبت انصراف کتبی", self)
        self.certificate = ltr(QLineEdit(self))
        self.certificate.setPlaceholderText("شماره پایان کار")
        self.complete_button = QPushButton("ثبت پایان کار (S3)", self)
        self.sign_button.clicked.connect(self.sign)
        self.withdraw_button.clicked.connect(self.withdraw)
        self.complete_button.clicked.connect(self.complete)
        self.list.selected.connect(self._enable)
        self.print_dialog = None  # the open print preview
        self.contract_button = QPushButton("چاپ قرارداد یا الحاقیه (Ctrl+P)", self)
        self.contract_button.setShortcut("Ctrl+P")
        self.contract_button.setToolTip(
            "قرارداد پرونده؛ اگر قرارداد پیش‌تر به امضای ناظری رسیده و این ناظر پس از آن "
            "انتخاب شده است، الحاقیه‌ای که با آن به قرارداد می‌پیوندد"
        )
        self.commitment_button = QPushButton("چاپ تعهدنامه ناظر", self)
        self.batch_button = QPushButton("چاپ همه نوبت‌های روز", self)
        self.batch_progress = QProgressBar(self)
        self.batch_progress.setRange(0, 1)
        self.batch_progress.setValue(0)
        self.batch_progress.setFormat("%v از %m سند")
        self.batch_progress.setVisible(False)
        self.contract_button.clicked.connect(self.print_contract)
        self.commitment_button.clicked.connect(self.print_commitment)
        self.batch_button.clicked.connect(self.print_day)

        top = QHBoxLayout()
        top.addWidget(QLabel("روز:", self))
        top.addWidget(self.day)
        top.addWidget(self.completable)
        top.addStretch(1)
        actions = QHBoxLayout()
        actions.addWidget(self.sign_button)
        actions.addSpacing(20)
        actions.addWidget(self.letter)
        actions.addWidget(self.withdraw_button)
        actions.addSpacing(20)
        actions.addWidget(self.certificate)
        actions.addWidget(self.complete_button)
        printing = QHBoxLayout()
        printing.addWidget(self.contract_button)
        printing.addWidget(self.commitment_button)
        printing.addSpacing(20)
        printing.addWidget(self.batch_button)
        printing.addWidget(self.batch_progress, 1)
        printing.addStretch(0)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.list, 1)
        lay.addLayout(actions)
        lay.addLayout(printing)
        lay.addWidget(self.message)
        self._enable(None)
        self.timer = QTimer(self)  # no-shows appear as the window closes
        self.timer.setInterval(60_000)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()

    def refresh(self) -> None:
        day = self.day.date().toPython()
        self.run(
            browse.appointments, self.ctx, day, self.completable.isChecked(), on_done=self._loaded
        )

    def _loaded(self, rows) -> None:
        # the selected referral stays selected (and the list where it was scrolled) across the
        # minute's refresh and after an action: the first row only when none was or it is gone
        if not self.list.set_rows(rows, key=lambda a: a.referral_id):
            self.list.select_first()
        self._enable(self.list.current())

    def confirm(self, text: str) -> bool:
        """Ask before a step that cannot be taken back (tests answer it themselves)."""
        return widgets.confirm(self, "میز امضا", text)

    def _enable(self, a) -> None:
        now = self.ctx.now()
        open_ = a is not None and a.status == "selected"
        in_window = open_ and a.sign_from is not None and a.sign_from <= now < a.sign_until
        self.sign_button.setEnabled(bool(in_window))
        self.withdraw_button.setEnabled(bool(open_))
        self.complete_button.setEnabled(
            a is not None and a.all_signed and a.project_status == "distribution"
        )
        self.contract_button.setEnabled(a is not None)
        self.commitment_button.setEnabled(a is not None and a.engineer_id is not None)
        self.batch_button.setEnabled(
            self.list.model.rowCount() > 0 and not self.batch_progress.isVisible()
        )

    def _after(self, text: str):
        def done(_r) -> None:
            self.message.ok(text)
            self.refresh()

        return done

    def sign(self) -> None:
        a = self.list.current()
        if a is None or not self.sign_button.isEnabled():
            return
        text = (
            f"امضای قرارداد پرونده {fmt.code(a.file_no)} — رشته {fmt.discipline(a.discipline)} "
            f"— ناظر {a.name} ({fmt.code(a.membership_no)}) ثبت شود؟\n\n"
            "ثبت امضا برگشت‌پذیر نیست."
        )
        if not self.confirm(text):
            return
        self.run(
            deadlines.record_signature,
            self.ctx,
            a.referral_id,
            on_done=lambda r: (
                emit(self.signed, a.referral_id),
                self._after(f"امضای {fmt.code(a.membership_no)} برای {fmt.code(a.file_no)} ثبت شد")(
                    r
                ),
            ),
        )

    def withdraw(self) -> None:
        a = self.list.current()
        letter = latin_digits(self.letter.text().strip())
        if a is None:
            return
        if not letter:
            self.message.error("شماره نامه انصراف را بنویسید")
            self.letter.setFocus()
            return
        self.run(
            deadlines.record_withdrawal,
            self.ctx,
            a.referral_id,
            letter,
            on_done=self._after("انصراف کتبی ثبت شد"),
        )

    def complete(self) -> None:
        a = self.list.current()
        if a is None:
            return
        cert = latin_digits(self.certificate.text().strip())
        if not cert:
            self.certificate.setStyleSheet("border: 1px solid #b00020;")
            self.message.error("شماره گواهی پایان کار را بنویسید")
            self.certificate.setFocus()
            return
        self.certificate.setStyleSheet("")
        if not self.confirm(
            f"پایان کار پرونده {fmt.code(a.file_no)} با گواهی شماره {fmt.code(cert)} ثبت شود؟"
            "\n\nپرونده بسته می‌شود و این ثبت برگشت‌پذیر نیست."
        ):
            return
        after = self._after(f"پایان کار پرونده {fmt.code(a.file_no)} ثبت شد")

        def done(r) -> None:
            self.certificate.clear()
            after(r)

        self.run(projects.complete_project, self.ctx, a.project_id, cert, on_done=done)

    # ------------------------------------------------------------ printing
    def print_contract(self) -> None:
        a = self.list.current()
        if a is not None:
            open_document(self, contract_job, self.ctx, a.project_id)

    def print_commitment(self) -> None:
        a = self.list.current()
        if a is not None and a.engineer_id is not None:
            open_document(self, commitment_job, self.ctx, a.referral_id)

    def print_day(self) -> None:
        """Every contract and commitment form of the day's appointments, in one file, built
        off the GUI thread with a progress bar; then the preview."""
        if self.batch_progress.isVisible():
            return
        self.batch_button.setEnabled(False)
        self.batch_progress.setRange(0, 0)  # busy until the first step says how many
        self.batch_progress.setVisible(True)

        def step(done: int, total: int) -> None:
            self.batch_progress.setRange(0, total)
            self.batch_progress.setValue(done)

        def finished(*_a) -> None:
            self.batch_progress.setVisible(False)
            self._enable(self.list.current())

        open_document(
            self,
            day_batch,
            self.ctx,
            self.day.date().toPython(),
            on_progress=step,
            on_done=finished,
            on_error=finished,
        )


def _state(a, now) -> str:
    if a.status == "signed":
        return "امضاشده" + (" — آماده پایان کار" if a.all_signed else "")
    if a.sign_until is not None and now >= a.sign_until:
        return "عدم حضور"
    if a.sign_from is not None and now < a.sign_from:
        return "نوبت آینده"
    return "در انتظار امضا"

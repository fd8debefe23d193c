"""The finance desk (issue 5, item 7) and the clerk's stage reports (F3).

FinanceScreen (the finance officer only, U1): today's totals; the owners' fee payments waiting
for approval with the F1 fee beside them (F2); membership renewals: approve the amount, record
the payment (F5); stage payouts waiting for approval (F3/F4); the payment list of approved
payouts, exported to Excel and marked paid. A rejection needs a reason: refused inline before
any service is called (the services refuse it too). The payee's Sheba number (شبا), which the
bank transfers to, is entered or changed here («شبا ناظر…», ui/screens/iban.py), as in the
engineer's file.

StageReportScreen (clerk, manager): signed referrals with the next stage their supervisor may
report, and the payout that report will ask finance to approve. No approve button here.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.calendar import latin_digits
from app.domain.payout_words import payout_steps
from app.services import engineers, finance, payouts, projects

from .. import fmt, widgets
from ..models import Column
from ..qtcompat import emit
from ..widgets import ListPanel, Message
from .base import Screen, ltr
from .iban import IbanDialog, grouped

# an owner's payment in a discipline the tariff gives no F1 rate for (urban, traffic, a survey
# without an entered rate): finance approves the amount as entered, and is told so
NO_RATE = (
    "برای این رشته در تعرفه نرخ F1 نیست (نرخی وارد نشده است)؛ مبلغ با چیزی سنجیده نمی‌شود "
    "و همان مبلغ واردشده تأیید می‌شود."
)


def rials(n: int | None) -> str:
    """`۲٬۳۷۵٬۰۰۰ ریال`; None (no tariff row): a dash."""
    return "—" if n is None else f"{fmt.fa_int(int(n))} ریال"


def amount(n: int | None) -> str:
    """A table cell: grouped Persian digits without the unit (the header says rials)."""
    return "—" if n is None else fmt.fa_int(int(n))


def parse_rials(text: str) -> int | None:
    """Typed amount (Persian or Latin digits, with or without separators) → rials, or None."""
    t = latin_digits(text).replace(",", "").replace("٬", "").replace(" ", "").strip()
    return int(t) if t.isdigit() else None


FEE_COLUMNS = [
    Column("پرونده", lambda f: f.file_no, fmt.code),
    Column("رشته", lambda f: f.discipline, fmt.discipline),
    Column("مبلغ پرداختی (ریال)", lambda f: f.amount_rials, amount),
    Column("حق‌الزحمه F1 (ریال)", lambda f: f.fee_rials, amount),
    Column(
        "مانده",
        lambda f: None if f.fee_rials is None else f.fee_rials - f.amount_rials,
        lambda v: "—" if v is None else ("کامل" if v <= 0 else fmt.fa_int(v)),
    ),
    Column("بانک", lambda f: f.bank),
    Column("شماره پیگیری", lambda f: f.tracking_no, fmt.code),
    Column("تاریخ پرداخت", lambda f: f.paid_on),
    # the bank receipt's scan the clerk attached (F2); «رسید…» or a double-click shows it
    Column("رسید", lambda f: f.receipt_filename or "ندارد", ltr=True),
]

RENEWAL_COLUMNS = [
    Column("شماره عضویت", lambda r: r.membership_no, fmt.code),
    Column("نام", lambda r: r.name),
    Column("نوع", lambda r: r.kind, lambda k: fmt.KIND_FA.get(k, k)),
    Column("سال عضویت", lambda r: r.year),
    Column("زمان درخواست", lambda r: r.requested_at),
]

TO_PAY_COLUMNS = [
    Column("شماره عضویت", lambda r: r.membership_no, fmt.code),
    Column("نام", lambda r: r.name),
    Column("سال عضویت", lambda r: r.year),
    Column("مبلغ تأییدشده (ریال)", lambda r: r.amount_rials, amount),
    Column("زمان تأیید", lambda r: r.approved_at),
]

PAYOUT_COLUMNS = [
    Column("پرونده", lambda p: p.file_no, fmt.code),
    Column("رشته", lambda p: p.discipline, fmt.discipline),
    Column("ناظر", lambda p: p.engineer_name),
    Column("شماره عضویت", lambda p: p.membership_no, fmt.code),
    Column("شبا", lambda p: p.iban or "—", ltr=True),
    Column("مرحله", lambda p: p.stage_fa),
    Column("درصد", lambda p: p.percent, lambda v: f"{fmt.fa(v)}٪"),
    Column("حق‌الزحمه (ریال)", lambda p: p.fee_rials, amount),
    Column("مبلغ مرحله (ریال)", lambda p: p.amount_rials, amount),
    Column("وضعیت", lambda p: p.status, fmt.status),
    Column("زمان گزارش", lambda p: p.reported_at),
]

STAGE_DUE_COLUMNS = [
    Column("پرونده", lambda r: r.file_no, fmt.code),
    Column("رشته", lambda r: r.discipline, fmt.discipline),
    Column("ناظر", lambda r: r.engineer_name),
    Column("شماره عضویت", lambda r: r.membership_no, fmt.code),
    Column("حق‌الزحمه تأییدشده (ریال)", lambda r: r.fee_rials, amount),
    Column(
        "مرحله‌های گزارش‌شده",
        lambda r: r.reported,
        lambda st: "، ".join(payouts.STAGE_FA.get(s, s) for s in st) or "—",
    ),
    Column("مرحله بعد", lambda r: r.next_stage_fa or "همه مرحله‌ها گزارش شده"),
    Column("مبلغ مرحله بعد (ریال)", lambda r: r.next_amount_rials, amount),
]


class Decision(QWidget):
    """Approve, or reject with a reason (inline: an empty reason is refused before any call)."""

    approve = Signal()
    reject = Signal(str)

    def __init__(self, what: str, parent=None):
        super().__init__(parent)
        self.reason = QLineEdit(self)
        self.reason.setPlaceholderText(f"دلیل رد {what} (برای رد لازم است)")
        self.approve_button = QPushButton("تأیید", self)
        self.reject_button = QPushButton("رد با دلیل", self)
        self.approve_button.setEnabled(False)
        self.reject_button.setEnabled(False)
        self.message = Message(self)
        self.approve_button.clicked.connect(lambda: emit(self.approve))
        self.reject_button.clicked.connect(self._reject)
        self.reason.returnPressed.connect(self._reject)
        self.reason.textChanged.connect(self._typed)
        row = QHBoxLayout()
        row.addWidget(QLabel("دلیل:", self))
        row.addWidget(self.reason, 1)
        row.addWidget(self.approve_button)
        row.addWidget(self.reject_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(row)
        lay.addWidget(self.message)

    def set_enabled(self, on: bool) -> None:
        self.approve_button.setEnabled(on)
        self.reject_button.setEnabled(on)

    def _typed(self, text: str) -> None:
        if text.strip():
            self.reason.setStyleSheet("")
            if self.message.text().startswith("برای رد"):
                self.message.clear()

    def _reject(self) -> None:
        if not self.reject_button.isEnabled():
            return
        reason = self.reason.text().strip()
        if not reason:
            self.reason.setStyleSheet("border: 1px solid #b00020;")
            self.message.error("برای رد، دلیل را بنویسید؛ بدون دلیل رد نمی‌شود.")
            self.reason.setFocus()
            return
        emit(self.reject, reason)

    def done(self, text: str) -> None:
        self.reason.clear()
        self.reason.setStyleSheet("")
        self.message.ok(text)


class Totals(QFrame):
    """Today's money at the desk, in one strip."""

    KEYS = (
        ("fees", "حق‌الزحمه تأییدشده"),
        ("org", "سهم سازمان از حق‌الزحمه‌ها"),
        ("members", "حق عضویت دریافتی"),
        ("payouts", "پرداخت مرحله‌ای تأییدشده"),
        ("paid", "پرداخت‌شده به ناظران"),
    )

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = QLabel("<b>جمع امروز</b>", self)
        grid = QGridLayout(self)
        grid.addWidget(self.title, 0, 0, 2, 1)
        self.values: dict[str, QLabel] = {}
        for i, (key, label) in enumerate(self.KEYS, 1):
            grid.addWidget(QLabel(label, self), 0, i)
            v = QLabel("—", self)
            v.setStyleSheet("font-size: 15px; font-weight: bold; color: #0d47a1;")
            v.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.values[key] = v
            grid.addWidget(v, 1, i)

    def show_totals(self, t: finance.DayTotals) -> None:
        self.title.setText(f"<b>جمع امروز</b><br>{fmt.fa(t.day)}")
        n = fmt.fa_int
        self.values["fees"].setText(f"{rials(t.fees_approved_rials)} ({n(t.fees_approved_count)})")
        self.values["org"].setText(rials(t.organization_share_rials))
        self.values["members"].setText(
            f"{rials(t.memberships_paid_rials)} ({n(t.memberships_paid_count)})"
        )
        self.values["payouts"].setText(rials(t.payouts_approved_rials))
        self.values["paid"].setText(rials(t.payouts_paid_rials))


class FinanceScreen(Screen):
    title = "میز مالی"
    name = "finance"
    decided = Signal(str, int)  # what ("fee", "renewal", "payout", "paid"), id

    def __init__(self, ctx, runner, parent=None):
        super().__init__(ctx, runner, parent)
        self.totals = Totals(self)
        self.tabs = QTabWidget(self)

        # owners' fee payments (F1, F2)
        self.fees = ListPanel("پرداخت‌های مالکان در انتظار تأیید", FEE_COLUMNS)
        self.fee_decision = Decision("پرداخت", self)
        self.fee_detail = QLabel(self)
        self.fee_detail.setWordWrap(True)
        self.fee_receipt_button = QPushButton("رسید…", self)
        self.fee_receipt_button.setToolTip("اسکن رسید بانکی که پیشخوان با پرداخت پیوست کرده")
        self.fee_receipt_button.setEnabled(False)
        self.fee_receipt_button.clicked.connect(lambda: self.show_receipt(self.fees.current()))
        self.fees.view.doubleClicked.connect(lambda _i: self.show_receipt(self.fees.current()))
        self.fee_receipt_dialog: QDialog | None = None  # the scan shown now
        self.fees.selected.connect(self._fee_selected)
        self.fee_decision.approve.connect(lambda: self._decide_fee(True, ""))
        self.fee_decision.reject.connect(lambda r: self._decide_fee(False, r))
        self.tabs.addTab(
            self._page(self.fees, self.fee_detail, self.fee_decision, self.fee_receipt_button),
            "",
        )

        # membership renewals (F5)
        self.renewals = ListPanel("درخواست‌های تمدید عضویت (تأیید مبلغ)", RENEWAL_COLUMNS)
        self.renewal_amount = ltr(QLineEdit(self))
        self.renewal_amount.setPlaceholderText("مبلغ به ریال")
        self.renewal_amount_words = QLabel(self)
        # what the amount is compared with: the policy and tariffs carry no yearly membership
        # fee, so the officer compares with the organization's notice (and confirms)
        self.renewal_expected = QLabel(
            "حق عضویت سالانه در سیاست‌ها و تعرفه‌ها تعریف نشده است؛ مبلغ را با اطلاعیه "
            "سازمان بسنجید.",
            self,
        )
        self.renewal_expected.setWordWrap(True)
        self.approve_renewal_button = QPushButton("تأیید مبلغ", self)
        self.approve_renewal_button.setEnabled(False)
        self.renewal_message = Message(self)
        self.renewal_amount.textChanged.connect(self._amount_typed)
        self.renewal_amount.returnPressed.connect(self._approve_renewal)
        self.approve_renewal_button.clicked.connect(self._approve_renewal)
        self.renewals.selected.connect(
            lambda r: self.approve_renewal_button.setEnabled(r is not None)
        )
        box1 = QGroupBox("تأیید مبلغ تمدید", self)
        f1 = QHBoxLayout(box1)
        f1.addWidget(QLabel("مبلغ:", box1))
        f1.addWidget(self.renewal_amount, 1)
        f1.addWidget(self.renewal_amount_words)
        f1.addWidget(self.approve_renewal_button)
        box1_lay = QVBoxLayout()
        box1_lay.addWidget(self.renewal_expected)
        self.to_pay = ListPanel("تمدیدهای تأییدشده در انتظار پرداخت", TO_PAY_COLUMNS)
        self.payment_ref = ltr(QLineEdit(self))
        self.payment_ref.setPlaceholderText("شماره رسید / فیش")
        self.pay_button = QPushButton("ثبت پرداخت حق عضویت", self)
        self.pay_button.setEnabled(False)
        self.payment_ref.returnPressed.connect(self._record_payment)
        self.pay_button.clicked.connect(self._record_payment)
        self.to_pay.selected.connect(lambda r: self.pay_button.setEnabled(r is not None))
        box2 = QGroupBox("ثبت پرداخت", self)
        f2 = QHBoxLayout(box2)
        f2.addWidget(QLabel("رسید:", box2))
        f2.addWidget(self.payment_ref, 1)
        f2.addWidget(self.pay_button)
        page = QWidget(self)
        pl = QVBoxLayout(page)
        pl.addWidget(self.renewals, 1)
        pl.addWidget(box1)
        pl.addLayout(box1_lay)
        pl.addWidget(self.to_pay, 1)
        pl.addWidget(box2)
        pl.addWidget(self.renewal_message)
        self.tabs.addTab(page, "")

        # stage payouts waiting for approval (F3, F4)
        self.payouts = ListPanel("پرداخت‌های مرحله‌ای در انتظار تأیید", PAYOUT_COLUMNS)
        self.payout_decision = Decision("پرداخت مرحله", self)
        self.payout_detail = QLabel(self)
        self.payout_detail.setWordWrap(True)
        # fee → 5% → supervisor's share → stage %: a grid of labels laid out by the screen's
        # right-to-left direction (each step's label on the right, its calculation on its
        # left; a rich-text table is drawn left to right whatever the direction)
        self.payout_steps = QWidget(self)
        self.payout_steps_grid = QGridLayout(self.payout_steps)
        self.payout_steps_grid.setContentsMargins(0, 0, 0, 0)
        self.payout_steps_grid.setHorizontalSpacing(24)
        self.payout_steps_grid.setColumnStretch(2, 1)
        payout_box = QWidget(self)
        pbl = QVBoxLayout(payout_box)
        pbl.setContentsMargins(0, 0, 0, 0)
        pbl.addWidget(self.payout_detail)
        pbl.addWidget(self.payout_steps)
        self.payout_iban_button = QPushButton("شبا ناظر…", self)
        self.payout_iban_button.setEnabled(False)
        self.payout_iban_button.clicked.connect(lambda: self.change_iban(self.payouts.current()))
        self.payouts.selected.connect(self._payout_selected)
        self.payout_decision.approve.connect(lambda: self._decide_payout(True, ""))
        self.payout_decision.reject.connect(lambda r: self._decide_payout(False, r))
        self.tabs.addTab(
            self._page(self.payouts, payout_box, self.payout_decision, self.payout_iban_button),
            "",
        )

        # the payment list: approved, not yet paid
        self.due = ListPanel("فهرست پرداخت (تأییدشده، پرداخت‌نشده)", PAYOUT_COLUMNS)
        self.due_total = QLabel(self)
        self.due.filter.textChanged.connect(lambda _t: self._show_due_total())
        self.export_button = QPushButton("ذخیره فهرست پرداخت (اکسل)…", self)
        self.export_button.clicked.connect(lambda: self.export_payment_list())
        self.transfer_button = QPushButton("فایل انتقال گروهی بانک (شبا)…", self)
        self.transfer_button.clicked.connect(lambda: self.export_payment_list(transfer=True))
        self.due_iban_button = QPushButton("شبا ناظر…", self)  # the selected row's payee
        self.due_iban_button.setEnabled(False)
        self.due_iban_button.clicked.connect(lambda: self.change_iban(self.due.current()))
        self.due.selected.connect(lambda p: self.due_iban_button.setEnabled(p is not None))
        self.paid_ref = ltr(QLineEdit(self))
        self.paid_ref.setPlaceholderText("شماره سند پرداخت")
        self.mark_paid_button = QPushButton("ثبت پرداخت همه فهرست", self)
        self.mark_paid_button.setToolTip(
            "ردیف‌هایی که اکنون در فهرست دیده می‌شوند (با جست‌وجو، تنها ردیف‌های پیداشده)"
        )
        self.mark_paid_button.clicked.connect(self._mark_paid)
        self.due_message = Message(self)
        page = QWidget(self)
        pl = QVBoxLayout(page)
        pl.addWidget(self.due, 1)
        row = QHBoxLayout()
        row.addWidget(self.due_total, 1)
        row.addWidget(self.export_button)
        row.addWidget(self.transfer_button)
        row.addWidget(self.due_iban_button)
        row.addWidget(QLabel("سند:", page))
        row.addWidget(self.paid_ref)
        row.addWidget(self.mark_paid_button)
        pl.addLayout(row)
        pl.addWidget(self.due_message)
        self.tabs.addTab(page, "")

        lay = QVBoxLayout(self)
        lay.addWidget(self.totals)
        lay.addWidget(self.tabs, 1)
        lay.addWidget(self.message)
        self._titles()

    def _page(
        self, panel: ListPanel, detail: QWidget, decision: Decision, side: QWidget | None = None
    ) -> QWidget:
        page = QWidget(self)
        lay = QVBoxLayout(page)
        lay.addWidget(panel, 1)
        if side is None:
            lay.addWidget(detail)
        else:  # a button beside the detail (the payee's Sheba number)
            row = QHBoxLayout()
            row.addWidget(detail, 1)
            row.addWidget(side)
            lay.addLayout(row)
        lay.addWidget(decision)
        return page

    def _titles(self) -> None:
        n = fmt.fa_int
        self.tabs.setTabText(0, f"پرداخت مالکان ({n(self.fees.model.rowCount())})")
        self.tabs.setTabText(
            1,
            f"تمدید عضویت ({n(self.renewals.model.rowCount())} + "
            f"{n(self.to_pay.model.rowCount())})",
        )
        self.tabs.setTabText(2, f"پرداخت مرحله‌ای ({n(self.payouts.model.rowCount())})")
        self.tabs.setTabText(3, f"فهرست پرداخت ({n(self.due.model.rowCount())})")

    # ------------------------------------------------------------ loading
    def refresh(self) -> None:
        ctx = self.ctx

        def load():
            return (
                finance.pending_approvals(ctx),
                finance.renewals_to_pay(ctx),
                finance.payouts_due(ctx),
                finance.day_totals(ctx),
            )

        self.run(load, on_done=self._loaded)

    def _loaded(self, result) -> None:
        approvals, to_pay, due, totals = result
        loads = (
            (self.fees, approvals.fees, lambda f: f.id),
            (self.renewals, approvals.renewals, lambda r: (r.engineer_id, r.year)),
            (self.to_pay, to_pay, lambda r: (r.engineer_id, r.year)),
            (self.payouts, approvals.payouts, lambda p: p.id),
            (self.due, due, lambda p: p.id),
        )
        for panel, rows, key in loads:
            # the row selected stays selected; a decided row is gone: the one that followed
            # it (the same place in the list), not the first
            before = panel.current()
            place = self._place(panel, before)
            if not panel.set_rows(rows, key=key):
                if before is not None and place is not None:
                    panel.select_row(min(place, panel.proxy.rowCount() - 1))
                if panel.current() is None:
                    panel.select_first()
        self.totals.show_totals(totals)
        self._show_due_total()
        self.export_button.setEnabled(bool(due))
        self.fee_decision.set_enabled(self.fees.current() is not None)
        self.payout_decision.set_enabled(self.payouts.current() is not None)
        self._titles()

    @staticmethod
    def _place(panel: ListPanel, dto) -> int | None:
        """The shown row of `dto` (by identity) — where the next row will be once it is gone."""
        if dto is None:
            return None
        return next((i for i, r in enumerate(panel.shown()) if r is dto), None)

    def _show_due_total(self) -> None:
        """The payment list's total: of the rows shown (the filter's), as «ثبت پرداخت» pays."""
        shown = self.due.shown()
        total = sum(p.amount_rials for p in shown)
        part = (
            ""
            if len(shown) == self.due.model.rowCount()
            else f" (ردیف‌های پیداشده: {fmt.fa_int(len(shown))} از "
            f"{fmt.fa_int(self.due.model.rowCount())})"
        )
        self.due_total.setText(f"جمع فهرست: <b>{rials(total)}</b>{part}")
        self.mark_paid_button.setEnabled(bool(shown))

    def confirm(self, text: str) -> bool:
        """Ask before a money step (tests answer it themselves)."""
        return widgets.confirm(self, "میز مالی", text)

    # ------------------------------------------------------------ fees (F2)
    def _fee_selected(self, f) -> None:
        self.fee_decision.set_enabled(f is not None)
        self.fee_receipt_button.setEnabled(f is not None and bool(f.receipt_filename))
        if f is None:
            self.fee_detail.clear()
            return
        if f.fee_rials is None:
            note = NO_RATE
        elif f.amount_rials >= f.fee_rials:
            note = "این پرداخت حق‌الزحمه F1 را کامل می‌پوشاند."
        else:
            note = f"کمتر از حق‌الزحمه F1 است: {rials(f.fee_rials - f.amount_rials)} کم دارد."
        self.fee_detail.setText(
            f"پرونده {fmt.code(f.file_no)} — رشته {fmt.discipline(f.discipline)}: "
            f"پرداخت {rials(f.amount_rials)}؛ حق‌الزحمه طبق تعرفه (F1): {rials(f.fee_rials)}. "
            f"{note}"
        )

    def _decide_fee(self, approve: bool, reason: str) -> None:
        f = self.fees.current()
        if f is None:
            return
        if approve:
            if f.fee_rials is None:  # urban, traffic, a survey without its rate: nothing to
                short = f"\n{NO_RATE}"  # compare with — said plainly
            elif f.amount_rials >= f.fee_rials:
                short = ""
            else:
                short = (
                    f"\nکمتر از حق‌الزحمه F1 ({rials(f.fee_rials)}) است: "
                    f"{rials(f.fee_rials - f.amount_rials)} کم دارد."
                )
            if not f.receipt_filename:
                short += "\nاسکن رسید بانکی با این پرداخت پیوست نشده است."
            if not self.confirm(
                f"پرداخت {rials(f.amount_rials)} پرونده {fmt.code(f.file_no)} — رشته "
                f"{fmt.discipline(f.discipline)} (پیگیری {fmt.code(f.tracking_no)}) تأیید "
                f"شود؟{short}"
            ):
                return
        self.fee_decision.set_enabled(False)

        def done(_r) -> None:
            word = "تأیید شد" if approve else "رد شد"
            self.fee_decision.done(
                f"پرداخت {rials(f.amount_rials)} پرونده {fmt.code(f.file_no)} {word}."
            )
            emit(self.decided, "fee", f.id)
            self.refresh()

        self.run(
            projects.decide_fee_payment,
            self.ctx,
            f.id,
            approve,
            reason,
            on_done=done,
            on_error=lambda e: self._failed(self.fee_decision, e),
        )

    def show_receipt(self, f) -> None:
        """The receipt's scan kept with an owner's payment, as the clerk attached it."""
        if f is None:
            return
        if not f.receipt_filename:
            self.fee_decision.message.error("برای این پرداخت اسکن رسیدی پیوست نشده است")
            return

        def shown(content) -> None:
            if content is None:
                self.fee_decision.message.error("برای این پرداخت اسکن رسیدی پیوست نشده است")
                return
            from .counter import render_scan

            mime, data = content
            dlg = QDialog(self)
            dlg.setWindowTitle(
                f"رسید پرداخت پرونده {fmt.plain(fmt.code(f.file_no))} — "
                f"{fmt.discipline(f.discipline)}"
            )
            lab = QLabel(dlg)
            lab.setPixmap(QPixmap.fromImage(render_scan(mime, data, QSize(700, 900))))
            QVBoxLayout(dlg).addWidget(lab)
            self.fee_receipt_dialog = dlg
            dlg.open()

        self.run(finance.fee_receipt, self.ctx, f.id, on_done=shown)

    # ------------------------------------------------------------ membership (F5)
    def _amount_typed(self, text: str) -> None:
        n = parse_rials(text)
        if not text.strip():
            self.renewal_amount_words.clear()
            self.renewal_amount.setStyleSheet("")
        elif n is None:
            self.renewal_amount_words.setText("مبلغ باید عدد باشد")
            self.renewal_amount_words.setStyleSheet("color: #b00020;")
            self.renewal_amount.setStyleSheet("border: 1px solid #b00020;")
        else:
            self.renewal_amount_words.setText(rials(n))
            self.renewal_amount_words.setStyleSheet("color: #1b5e20;")
            self.renewal_amount.setStyleSheet("")

    def _approve_renewal(self) -> None:
        r = self.renewals.current()
        if r is None or not self.approve_renewal_button.isEnabled():
            return
        n = parse_rials(self.renewal_amount.text())
        if n is None or n <= 0:
            self.renewal_amount.setStyleSheet("border: 1px solid #b00020;")
            self.renewal_message.error("مبلغ تمدید را به ریال بنویسید (عددی بزرگ‌تر از صفر).")
            self.renewal_amount.setFocus()
            return
        if not self.confirm(
            f"مبلغ {rials(n)} برای تمدید عضویت سال {fmt.fa(r.year)} عضو "
            f"{fmt.code(r.membership_no)} ({r.name}) تأیید شود؟\n"
            "حق عضویت سالانه‌ای در سیاست‌ها و تعرفه‌ها نیست تا با آن سنجیده شود؛ "
            "مبلغ را با اطلاعیه سازمان بسنجید."
        ):
            return
        self.approve_renewal_button.setEnabled(False)

        def done(_r) -> None:
            self.renewal_amount.clear()
            self.renewal_message.ok(
                f"مبلغ {rials(n)} برای تمدید سال {fmt.fa(r.year)} "
                f"عضو {fmt.code(r.membership_no)} تأیید شد؛ اکنون پرداخت را ثبت کنید."
            )
            emit(self.decided, "renewal", r.engineer_id)
            self.refresh()

        self.run(
            engineers.approve_renewal,
            self.ctx,
            r.engineer_id,
            r.year,
            n,
            on_done=done,
            on_error=lambda e: self._failed(self.renewal_message, e),
        )

    def _record_payment(self) -> None:
        r = self.to_pay.current()
        if r is None or not self.pay_button.isEnabled():
            return
        ref = self.payment_ref.text().strip()
        if not ref:
            self.payment_ref.setStyleSheet("border: 1px solid #b00020;")
            self.renewal_message.error("شماره رسید پرداخت را بنویسید.")
            self.payment_ref.setFocus()
            return
        self.payment_ref.setStyleSheet("")
        if not self.confirm(
            f"پرداخت حق عضویت سال {fmt.fa(r.year)} عضو {fmt.code(r.membership_no)} "
            f"({r.name}) به مبلغ {rials(r.amount_rials)} با رسید {fmt.code(ref)} ثبت شود؟"
        ):
            return
        self.pay_button.setEnabled(False)

        def done(_r) -> None:
            self.payment_ref.clear()
            self.renewal_message.ok(
                f"حق عضویت سال {fmt.fa(r.year)} عضو {fmt.code(r.membership_no)} "
                f"({rials(r.amount_rials)}) پرداخت‌شده ثبت شد."
            )
            emit(self.decided, "membership", r.engineer_id)
            self.refresh()

        self.run(
            engineers.record_membership_payment,
            self.ctx,
            r.engineer_id,
            r.year,
            ref,
            on_done=done,
            on_error=lambda e: self._failed(self.renewal_message, e),
        )

    # ------------------------------------------------------------ payouts (F3, F4)
    def _payout_selected(self, p) -> None:
        self.payout_decision.set_enabled(p is not None)
        self.payout_iban_button.setEnabled(p is not None)
        grid = self.payout_steps_grid
        while grid.count():
            item = grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        if p is None:
            self.payout_detail.clear()
            return
        self.payout_detail.setText(
            f"پرونده {fmt.code(p.file_no)} — {fmt.discipline(p.discipline)} — "
            f"مرحله {p.stage_fa} — {p.engineer_name}<br>"
            f"شبا: {grouped(p.iban) if p.iban else '<span style=color:#b00020>ثبت نشده</span>'}"
        )
        steps = payout_steps(
            p.fee_rials, p.org_share, p.percent, p.amount_rials, p.coordinator_rials
        )
        for i, (label, value) in enumerate(steps):
            name = QLabel(label, self.payout_steps)
            calc = QLabel(value, self.payout_steps)
            calc.setTextFormat(Qt.TextFormat.PlainText)
            calc.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            if i == len(steps) - 1:  # the amount
                for w in (name, calc):
                    f = w.font()
                    f.setBold(True)
                    w.setFont(f)
            grid.addWidget(name, i, 0)
            grid.addWidget(calc, i, 1)

    def _decide_payout(self, approve: bool, reason: str) -> None:
        p = self.payouts.current()
        if p is None:
            return
        if approve and not self.confirm(
            f"پرداخت مرحله {p.stage_fa} پرونده {fmt.code(p.file_no)} — "
            f"{fmt.discipline(p.discipline)} — به {p.engineer_name} "
            f"({fmt.code(p.membership_no)}) به مبلغ {rials(p.amount_rials)} تأیید شود؟"
        ):
            return
        self.payout_decision.set_enabled(False)

        def done(_r) -> None:
            word = "تأیید شد و به فهرست پرداخت رفت" if approve else "رد شد"
            self.payout_decision.done(
                f"پرداخت مرحله {p.stage_fa} پرونده {fmt.code(p.file_no)} "
                f"({rials(p.amount_rials)}) {word}."
            )
            emit(self.decided, "payout", p.id)
            self.refresh()

        self.run(
            payouts.decide_payout,
            self.ctx,
            p.id,
            approve,
            reason,
            on_done=done,
            on_error=lambda e: self._failed(self.payout_decision, e),
        )

    def change_iban(self, p) -> IbanDialog | None:
        """Enter or change the Sheba number of a payout's supervisor (finance, U1); the lists
        are read again once it is saved, so the payment list and the transfer follow."""
        if p is None:
            return None

        def saved(_stored) -> None:
            self.due_message.ok(f"شماره شبا {p.engineer_name} ثبت شد.")
            emit(self.decided, "iban", p.engineer_id)
            self.refresh()

        return IbanDialog.open_for(
            self, p.engineer_id, p.engineer_name, p.membership_no, p.iban, saved
        )

    def export_payment_list(
        self, path: str | None = None, on_saved=None, transfer: bool = False
    ) -> None:
        """The service's .xlsx bytes, saved where the user says (a file dialog): the payment
        list, or (`transfer`) the bank's group-transfer sheet by Sheba number."""
        title = "فایل انتقال گروهی" if transfer else "فهرست پرداخت"
        if not path:
            path, _ = QFileDialog.getSaveFileName(
                self, f"ذخیره {title}", f"{title.replace(' ', '-')}.xlsx", "Excel (*.xlsx)"
            )
        if not path:
            return
        target = Path(path)

        def save(data: bytes) -> Path:
            target.write_bytes(data)
            return target

        ctx = self.ctx

        def work():
            if transfer:
                return save(payouts.transfer_sheet_xlsx(ctx))
            return save(payouts.payment_list_xlsx(ctx))

        def done(p: Path) -> None:
            self.due_message.ok(f"{title} ذخیره شد: {p}")
            if on_saved:
                on_saved(p)

        def failed(exc: BaseException) -> None:
            self._failed(self.due_message, exc)
            if getattr(exc, "field", None) == "iban":  # where to enter it, on this desk
                self.due_message.error(
                    self.due_message.text()
                    + " — ناظر را در فهرست انتخاب کنید و «شبا ناظر…» را بزنید."
                )

        self.run(work, on_done=done, on_error=failed)

    def _mark_paid(self) -> None:
        shown = self.due.shown()  # the rows the filter shows: what the officer sees is paid
        ids = [p.id for p in shown]
        ref = self.paid_ref.text().strip()
        if not ids:
            return
        if not ref:
            self.paid_ref.setStyleSheet("border: 1px solid #b00020;")
            self.due_message.error("شماره سند پرداخت را بنویسید.")
            self.paid_ref.setFocus()
            return
        self.paid_ref.setStyleSheet("")
        hidden = self.due.model.rowCount() - len(shown)
        if not self.confirm(
            f"پرداخت {fmt.fa_int(len(ids))} ردیف فهرست به جمع "
            f"{rials(sum(p.amount_rials for p in shown))} با سند {fmt.code(ref)} ثبت شود؟"
            + (
                f"\n{fmt.fa_int(hidden)} ردیف که جست‌وجو پنهان کرده پرداخت‌شده ثبت نمی‌شود."
                if hidden
                else ""
            )
        ):
            return
        self.mark_paid_button.setEnabled(False)

        def done(n: int) -> None:
            self.paid_ref.clear()
            self.due_message.ok(f"{fmt.fa_int(n)} پرداخت با سند {fmt.code(ref)} ثبت شد.")
            emit(self.decided, "paid", n)
            self.refresh()

        self.run(
            payouts.mark_paid,
            self.ctx,
            ids,
            ref,
            on_done=done,
            on_error=lambda e: self._failed(self.due_message, e),
        )

    def _failed(self, where, exc: BaseException) -> None:
        from ..tasks import error_text

        (where.message if isinstance(where, Decision) else where).error(error_text(exc))
        self.refresh()


class StageReportScreen(Screen):
    """F3: the clerk records the supervisor's stage report; finance approves it elsewhere."""

    title = "گزارش مراحل نظارت"
    name = "stages"
    reported = Signal(int)  # the new payout's id

    def __init__(self, ctx, runner, parent=None):
        super().__init__(ctx, runner, parent)
        self.due = ListPanel("ارجاع‌های امضاشده و مرحله بعد", STAGE_DUE_COLUMNS)
        self.detail = QLabel("ارجاعی انتخاب نشده است", self)
        self.detail.setWordWrap(True)
        self.report_no = ltr(QLineEdit(self))
        self.report_no.setPlaceholderText("شماره گزارش ناظر")
        self.report_button = QPushButton("ثبت گزارش مرحله", self)
        self.report_button.setEnabled(False)
        self.report_no.returnPressed.connect(self.report)
        self.report_button.clicked.connect(self.report)
        self.due.selected.connect(self._selected)
        self.history = ListPanel("گزارش‌های ثبت‌شده و وضعیت پرداخت", PAYOUT_COLUMNS)
        box = QGroupBox("ثبت گزارش مرحله (پرداخت پس از تأیید مالی)", self)
        form = QFormLayout(box)
        form.addRow(self.detail)
        row = QHBoxLayout()
        row.addWidget(self.report_no, 1)
        row.addWidget(self.report_button)
        form.addRow("شماره گزارش:", row)
        split = QSplitter(Qt.Orientation.Vertical, self)
        top = QWidget(split)
        tl = QVBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addWidget(self.due, 1)
        tl.addWidget(box)
        split.addWidget(top)
        split.addWidget(self.history)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        lay = QVBoxLayout(self)
        lay.addWidget(split, 1)
        lay.addWidget(self.message)

    def refresh(self) -> None:
        ctx = self.ctx

        def load():
            return finance.stage_reports_due(ctx), payouts.list_payouts(ctx)

        self.run(load, on_done=self._loaded)

    def _loaded(self, result) -> None:
        due, history = result
        current = self.due.current()
        self.due.set_rows(due)
        self.history.set_rows(list(reversed(history)))
        rows = self.due.model.rows
        keep = next(
            (i for i, r in enumerate(rows) if current and r.referral_id == current.referral_id),
            None,
        )
        if keep is not None:
            self.due.select_row(self.due.proxy.mapFromSource(self.due.model.index(keep, 0)).row())
        else:
            self.due.select_first()
        self._selected(self.due.current())

    def _selected(self, r) -> None:
        ok = r is not None and r.next_stage is not None and r.fee_rials > 0
        self.report_button.setEnabled(ok)
        if r is None:
            self.detail.setText("ارجاعی انتخاب نشده است")
        elif r.next_stage is None:
            self.detail.setText("گزارش همه مرحله‌های این ارجاع ثبت شده است.")
        elif r.fee_rials <= 0:
            self.detail.setText("حق‌الزحمه این رشته پرداخت و تأیید مالی نشده است (F3).")
        else:
            self.detail.setText(
                f"پرونده {fmt.code(r.file_no)} — {fmt.discipline(r.discipline)} — "
                f"ناظر {r.engineer_name}: مرحله بعد <b>{r.next_stage_fa}</b> "
                f"({fmt.fa(r.next_percent)}٪) — پرداخت {rials(r.next_amount_rials)} "
                f"پس از تأیید مالی"
            )

    def report(self) -> None:
        r = self.due.current()
        if r is None or r.next_stage is None or not self.report_button.isEnabled():
            return
        no = latin_digits(self.report_no.text().strip())
        if not no:
            self.report_no.setStyleSheet("border: 1px solid #b00020;")
            self.message.error("شماره گزارش ناظر را بنویسید؛ بی‌شماره ثبت نمی‌شود.")
            self.report_no.setFocus()
            return
        self.report_no.setStyleSheet("")
        if not widgets.confirm(
            self,
            "ثبت گزارش مرحله",
            f"گزارش مرحله {r.next_stage_fa} پرونده {fmt.code(r.file_no)} — "
            f"{fmt.discipline(r.discipline)} — ناظر {r.engineer_name} با شماره "
            f"{fmt.code(no)} ثبت شود؟\nپرداخت {rials(r.next_amount_rials)} پس از تأیید "
            "مالی.",
        ):
            return
        self.report_button.setEnabled(False)

        def done(pid: int) -> None:
            self.report_no.clear()
            self.message.ok(
                f"گزارش مرحله {r.next_stage_fa} پرونده {fmt.code(r.file_no)} ثبت شد؛ "
                f"پرداخت {rials(r.next_amount_rials)} در انتظار تأیید مالی است."
            )
            emit(self.reported, pid)
            self.refresh()

        def failed(exc) -> None:
            self.show_error(exc)
            self.refresh()

        self.run(
            payouts.record_stage_report,
            self.ctx,
            r.referral_id,
            r.next_stage,
            no,
            on_done=done,
            on_error=failed,
        )

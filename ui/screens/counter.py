"""The counter (clerk): walk-in registration (P1, P3–P5) with the F1 fee of each discipline
quoted as the clerk types, the document checklist with scans, the owner's payments beside what
each discipline owes by the tariff (F1), and "send to distribution" when P2 holds."""

from __future__ import annotations

import itertools
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, Qt, Signal
from PySide6.QtGui import QImage, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.calendar import local_date, parse_jalali_date
from app.domain.codes import DISCIPLINES
from app.domain.fee_words import amount_check, band_fa, due_formula
from app.domain.payout_words import rials
from app.domain.text import (
    legal_id_ok,
    mobile_problem,
    national_code_ok,
    normalize_code,
    normalize_digits,
    parse_number,
)
from app.domain.uses import MIXED, SPLIT_USES, USES_FA
from app.domain.validation import (
    BANKS_FA,
    CounterForm,
    counter_problems,
    counter_summary,
    legal_owner_problems,
    receipt_problem,
    tracking_problem,
)
from app.services import browse, fees, finance, projects
from app.services.dto import OwnerIn, ProjectIn, ReceiptIn

from .. import fmt
from ..models import Column
from ..print_preview import open_document, receipt_job
from ..qtcompat import emit
from ..widgets import Debounce, ListPanel, Message, jalali_date_edit
from .base import EnterMovesOn, Screen, ltr

BROUGHT_BY = (("owner", "مالک"), ("design_office", "دفتر طراحی"), ("legal_rep", "نماینده قانونی"))
# the form's checks that are the owner's (an owner added already stands for them)
OWNER_PROBLEMS = ("owner_code", "owner_legal_id", "owner_name", "registration_no", "owner_mobile")
OWNER_KINDS = (("person", "حقیقی"), ("legal", "حقوقی (شرکت یا مؤسسه)"))


def _decimal(text: str) -> Decimal | None:
    """A number as typed, `٫` and any digit script included (domain/text.parse_number)."""
    return parse_number(text) if text.strip() else None


class CounterScreen(Screen):
    title = "پیشخوان"
    name = "counter"
    registered = Signal(object)  # ProjectSummary
    sent = Signal(object)  # ProjectSummary after mark_ready
    status_loaded = Signal(object)  # IntakeStatus

    def __init__(self, ctx, runner, parent=None):
        super().__init__(ctx, runner, parent)
        self.project_id: int | None = None
        self.status: browse.IntakeStatus | None = None
        self.preview: browse.IntakePreview | None = None
        self.quote: list[fees.FeeDue] = []  # F1 for the walk-in form, before the file exists
        self._quote_seq = 0  # the latest quote asked: an older answer is dropped
        self.dues: dict[str, fees.FeeDue] = {}  # F1 of the file in hand, per discipline
        self.extra_owners: list[OwnerIn] = []
        self._enter = EnterMovesOn(self)

        # ------------------------------------------------ the walk-in form
        form_box = QWidget(self)
        form = QFormLayout(form_box)
        self.form = form
        # a company owner is a party by its شناسه ملی, name and registration (its contract
        # prints them); a person by his کد ملی, name and father's name
        self.owner_kind = QComboBox(form_box)
        for code, title in OWNER_KINDS:
            self.owner_kind.addItem(title, code)
        self.owner_code = ltr(QLineEdit(form_box))
        self.owner_code.setMaxLength(10)
        self.owner_code.setPlaceholderText("۱۰ رقم")
        self.owner_state = QLabel(form_box)
        self.owner_first = QLineEdit(form_box)
        self.owner_last = QLineEdit(form_box)
        self.owner_father = QLineEdit(form_box)
        self.owner_reg = ltr(QLineEdit(form_box))
        self.owner_reg.setMaxLength(20)
        self.owner_reg_place = QLineEdit(form_box)
        self.owner_reg_place.setPlaceholderText("مثلاً اداره ثبت شرکت‌های اهواز")
        self.owner_mobile = ltr(QLineEdit(form_box))
        self.owner_mobile.setPlaceholderText("09xxxxxxxxx")
        self.owner_add = QPushButton("مالک دیگر", form_box)
        self.owners_label = QLabel(form_box)
        self.brought_role = QComboBox(form_box)
        for code, title in BROUGHT_BY:
            self.brought_role.addItem(title, code)
        self.brought_name = QLineEdit(form_box)
        # the receipt names who brought the file by it: a design office's شناسه ملی (11
        # digits), a representative's کد ملی; checked by the service (P1, issue 14)
        self.brought_id = ltr(QLineEdit(form_box))
        self.brought_id.setPlaceholderText("شناسه ملی دفتر یا کد ملی نماینده")
        self.brought_id.setMaxLength(20)
        # a representative of natural-person owners acts on their power of attorney: its
        # number, date and notary office go on the contract (documents.md, Parties)
        self.poa_no = ltr(QLineEdit(form_box))
        self.poa_no.setMaxLength(40)
        self.poa_date = ltr(QLineEdit(form_box))
        self.poa_date.setPlaceholderText("۱۴۰۵/۰۹/۰۱")
        self.poa_date.setMaxLength(10)
        self.poa_notary = QLineEdit(form_box)
        self.poa_notary.setPlaceholderText("مثلاً دفترخانه اسناد رسمی شماره ۱۴ اهواز")
        self.poa_notary.setMaxLength(120)
        self.plate = ltr(QLineEdit(form_box))
        self.plate.setPlaceholderText("123/4")
        self.plate_state = Message(form_box)
        self.address = QLineEdit(form_box)
        self.area = ltr(QLineEdit(form_box))
        self.area.setPlaceholderText("م²")
        # the building's use; a mixed one's area by use, rows shown only for «مختلط»
        # (documents.md §3: the contract states the total area and the area by use)
        self.use = QComboBox(form_box)
        for code, title in USES_FA.items():
            self.use.addItem(title, code)
        self.use_areas: dict[str, QLineEdit] = {}
        for code in SPLIT_USES:
            edit = ltr(QLineEdit(form_box))
            edit.setPlaceholderText("م² (خالی: ندارد)")
            self.use_areas[code] = edit
        self.floors = QSpinBox(form_box)
        self.floors.setRange(1, 80)
        self.floors.setValue(1)
        self.floors.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self.group_label = QLabel("—", form_box)
        self.group_label.setStyleSheet("font-weight: bold; font-size: 14pt;")
        disc_box = QWidget(form_box)
        grid = QGridLayout(disc_box)
        grid.setContentsMargins(0, 0, 0, 0)
        self.disc_checks: dict[str, QCheckBox] = {}
        for i, d in enumerate(DISCIPLINES):
            cb = QCheckBox(fmt.discipline(d), disc_box)
            self.disc_checks[d] = cb
            grid.addWidget(cb, i // 4, i % 4)
        # F1, live: what each discipline will owe by today's tariff, and the total
        self.quote_label = QLabel(form_box)
        self.quote_label.setWordWrap(True)
        self.quote_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.register_button = QPushButton("ثبت پرونده (Ctrl+Enter)", form_box)
        self.register_button.setEnabled(False)
        self.form_problems = QLabel(form_box)  # why «ثبت پرونده» is disabled, field by field
        self.form_problems.setWordWrap(True)
        self.form_problems.setStyleSheet("color: #8a4b00;")
        # room at the line's end (the left): Qt places a right-to-left wrapped line with its
        # trailing space, so without it the last letters of a full line were cut off
        self.form_problems.setContentsMargins(8, 0, 0, 0)
        self.form_message = Message(form_box)

        self.owner_row = owner_row = QHBoxLayout()
        owner_row.addWidget(self.owner_code, 1)
        owner_row.addWidget(self.owner_state, 1)
        form.addRow("نوع مالک:", self.owner_kind)
        form.addRow("کد ملی مالک:", owner_row)
        form.addRow("نام مالک:", self.owner_first)
        form.addRow("نام خانوادگی مالک:", self.owner_last)
        form.addRow("نام پدر مالک:", self.owner_father)
        form.addRow("شماره ثبت:", self.owner_reg)
        form.addRow("محل ثبت:", self.owner_reg_place)
        form.addRow("همراه مالک:", self.owner_mobile)
        add_row = QHBoxLayout()
        add_row.addWidget(self.owner_add)
        add_row.addWidget(self.owners_label, 1)
        form.addRow("", add_row)
        form.addRow("آورنده پرونده (P1):", self.brought_role)
        form.addRow("نام آورنده:", self.brought_name)
        form.addRow("شناسه آورنده:", self.brought_id)
        form.addRow("شماره وکالت‌نامه:", self.poa_no)
        form.addRow("تاریخ وکالت‌نامه:", self.poa_date)
        form.addRow("دفترخانه:", self.poa_notary)
        form.addRow("پلاک ثبتی:", self.plate)
        form.addRow("", self.plate_state)
        form.addRow("نشانی:", self.address)
        form.addRow("زیربنا (م²):", self.area)
        form.addRow("تعداد طبقات:", self.floors)
        form.addRow("گروه ساختمان (P3):", self.group_label)
        form.addRow("رشته‌ها (P4):", disc_box)
        form.addRow("کاربری:", self.use)
        for code, edit in self.use_areas.items():
            form.addRow(f"زیربنای {USES_FA[code]} (مترمربع):", edit)
        form.addRow("حق‌الزحمه نظارت (F1):", self.quote_label)
        form.addRow(self.register_button)
        form.addRow(self.form_problems)
        form.addRow(self.form_message)
        for w in self._owner_fields():
            w.installEventFilter(self._enter)
        for w in (self.brought_name, self.brought_id, *self._poa_fields(), self.plate):
            w.installEventFilter(self._enter)
        for w in (self.address, self.area):
            w.installEventFilter(self._enter)
        for w in self.use_areas.values():
            w.installEventFilter(self._enter)
        # down the form as it is drawn, top to bottom (a hidden or disabled field is
        # skipped): after «تعداد طبقات» the disciplines to add (a required one is disabled),
        # the use and a mixed building's area by use, then «ثبت پرونده» at the form's foot
        # (Ctrl+Enter registers from any field) — Tab never goes back up the form
        chain = [
            self.owner_kind,
            *self._owner_fields(),
            self.brought_role,
            self.brought_name,
            self.brought_id,
            *self._poa_fields(),
            self.plate,
            self.address,
            self.area,
            self.floors,
            *self.disc_checks.values(),
            self.use,
            *self.use_areas.values(),
            self.register_button,
        ]
        for a, b in itertools.pairwise(chain):
            self.setTabOrder(a, b)

        self.owner_kind.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()
        self.use.currentIndexChanged.connect(self._use_changed)
        self._use_changed()
        for w in self.use_areas.values():
            w.textChanged.connect(self._validate_form)
        self.owner_code.textChanged.connect(self._code_changed)
        for w in (self.owner_last, self.owner_reg, self.brought_name):
            w.textChanged.connect(self._validate_form)
        self.brought_role.currentIndexChanged.connect(self._validate_form)
        self.brought_role.currentIndexChanged.connect(self._poa_shown)
        for w in (self.poa_no, self.poa_date):
            w.textChanged.connect(self._validate_form)
        self._poa_shown()
        self.owner_mobile.textChanged.connect(self._validate_form)
        self.owner_add.clicked.connect(self._add_owner)
        self.preview_debounce = Debounce(150, self._ask_preview, self)
        for sig in (self.plate.textChanged, self.area.textChanged, self.floors.valueChanged):
            sig.connect(self.preview_debounce.poke)
            sig.connect(self._validate_form)
        self.quote_debounce = Debounce(150, self._ask_quote, self)
        for sig in (
            self.area.textChanged,
            self.floors.valueChanged,
            *(cb.toggled for cb in self.disc_checks.values()),
        ):
            sig.connect(self.quote_debounce.poke)
        self.register_button.clicked.connect(self.register)
        for seq in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(seq), form_box, self.register)

        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(form_box)

        self.recent = ListPanel(
            "پرونده‌ها",
            [
                Column("شماره پرونده", lambda p: p.file_no),
                Column("پلاک", lambda p: p.plate, ltr=True),
                Column("زیربنا", lambda p: p.area),
                Column("طبقات", lambda p: p.floors),
                Column("گروه", lambda p: p.group, fmt.group),
                Column("وضعیت", lambda p: p.status, fmt.status),
                Column("ثبت", lambda p: p.created_at),
            ],
        )
        self.recent.view.doubleClicked.connect(
            lambda _i: (
                self.open_project(self.recent.current().id) if self.recent.current() else None
            )
        )
        self.left_tabs = QTabWidget(self)
        self.left_tabs.addTab(scroll, "پذیرش مراجعه‌کننده")
        self.left_tabs.addTab(self.recent, "پرونده‌ها")

        # ------------------------------------------------ the file in hand
        right = QWidget(self)
        rl = QVBoxLayout(right)
        self.project_head = QLabel("پرونده‌ای باز نیست؛ مراجعه‌کننده را ثبت کنید.", right)
        self.project_head.setWordWrap(True)
        self.project_head.setStyleSheet("font-size: 12pt;")
        rl.addWidget(self.project_head)
        self.docs = ListPanel(
            "فهرست مدارک",
            [
                Column("مدرک", lambda d: d.title),
                Column("الزامی", lambda d: d.required),
                Column("دریافت", lambda d: d.received_at, lambda v: fmt.fa(v) if v else "—"),
                Column("پرونده اسکن", lambda d: d.filename, ltr=True),
                Column("حجم (KB)", lambda d: (d.size + 1023) // 1024 if d.size else 0),
            ],
        )
        rl.addWidget(self.docs, 3)
        doc_buttons = QHBoxLayout()
        self.attach_button = QPushButton("پیوست اسکن… (Ctrl+O)", right)
        self.attach_button.setShortcut("Ctrl+O")
        self.received_button = QPushButton("دریافت بدون اسکن", right)
        self.preview_button = QPushButton("پیش‌نمایش", right)
        self.drawings_button = QPushButton("تأیید نقشه‌ها (P2)", right)
        for b in (
            self.attach_button,
            self.received_button,
            self.preview_button,
            self.drawings_button,
        ):
            doc_buttons.addWidget(b)
        rl.addLayout(doc_buttons)
        self.attach_button.clicked.connect(self.attach)
        self.received_button.clicked.connect(lambda: self._record_doc(None, None, None))
        self.preview_button.clicked.connect(self.preview_document)
        self.drawings_button.clicked.connect(self.approve_drawings)

        fee_box = QGroupBox("حق‌الزحمه نظارت", right)
        fl = QVBoxLayout(fee_box)
        self.fees = ListPanel(
            "پرداخت‌ها",
            [
                Column("رشته", lambda f: f.discipline, fmt.discipline),
                Column("مبلغ (ریال)", lambda f: f.amount_rials, fmt.fa_int),
                Column("بانک", lambda f: getattr(f, "bank", "")),
                Column("پیگیری", lambda f: f.tracking_no, ltr=True),
                # the receipt's scan kept with the payment (double-click shows it)
                Column("رسید", lambda f: getattr(f, "receipt_filename", None) or "—", ltr=True),
                Column("وضعیت", lambda f: f.status, fmt.status),
            ],
        )
        self.fees.view.doubleClicked.connect(lambda _i: self.show_fee_receipt())
        fl.addWidget(self.fees)
        self.fee_discipline = QComboBox(fee_box)
        self.fee_amount = ltr(QLineEdit(fee_box))
        self.fee_amount.setPlaceholderText("مبلغ به ریال")
        self.fee_bank = QComboBox(fee_box)
        self.fee_bank.addItem("بانک…", "")
        for bank in BANKS_FA:
            self.fee_bank.addItem(bank, bank)
        self.fee_tracking = ltr(QLineEdit(fee_box))
        self.fee_tracking.setPlaceholderText("شماره پیگیری (رقم)")
        self.fee_tracking.setMaxLength(30)
        self.fee_date = jalali_date_edit(fee_box, local_date(ctx.now()))  # the office's today
        self.fee_receipt_button = QPushButton("اسکن رسید…", fee_box)
        self.fee_receipt_button.clicked.connect(self.attach_receipt)
        self.fee_receipt: ReceiptIn | None = None
        self.fee_button = QPushButton("ثبت پرداخت", fee_box)
        self.fee_button.clicked.connect(self.record_fee)
        fee_grid = QGridLayout()  # two rows: what was paid, then the bank's proof of it
        fee_grid.addWidget(self.fee_discipline, 0, 0)
        fee_grid.addWidget(self.fee_amount, 0, 1)
        fee_grid.addWidget(self.fee_bank, 0, 2)
        fee_grid.addWidget(self.fee_tracking, 1, 0)
        fee_grid.addWidget(self.fee_date, 1, 1)
        fee_grid.addWidget(self.fee_receipt_button, 1, 2)
        fee_grid.addWidget(self.fee_button, 0, 3, 2, 1)
        # F1 beside the amount: the chosen discipline's fee by the tariff, what is recorded
        # for it and what is left; then how the amount typed stands against it
        self.fee_due = QLabel(fee_box)
        self.fee_due.setWordWrap(True)
        self.fee_due.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        fee_grid.addWidget(self.fee_due, 2, 0, 1, 4)
        for col in range(3):
            fee_grid.setColumnStretch(col, 1)
        self.fee_dues = QLabel(fee_box)  # every discipline's F1 fee and the file's total
        self.fee_dues.setWordWrap(True)
        self.fee_dues.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        fl.addWidget(self.fee_dues)
        fl.addLayout(fee_grid)
        self.fee_check = Message(fee_box)  # the amount typed against F1 (said, not refused)
        fl.addWidget(self.fee_check)
        self.fee_state = Message(fee_box)  # the fee row's own inline check
        fl.addWidget(self.fee_state)
        for sig in (
            self.fee_amount.textChanged,
            self.fee_tracking.textChanged,
            self.fee_bank.currentIndexChanged,
        ):
            sig.connect(self._validate_fee)
        self.fee_amount.textChanged.connect(self._show_due)
        self.fee_discipline.currentIndexChanged.connect(self._show_due)
        rl.addWidget(fee_box, 2)
        self.gaps = QLabel(right)
        self.gaps.setWordWrap(True)
        self.gaps.setAlignment(Qt.AlignmentFlag.AlignTop)
        gaps_scroll = QScrollArea(right)  # a long P2 list scrolls; the checklist keeps its room
        gaps_scroll.setWidgetResizable(True)
        gaps_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        gaps_scroll.setWidget(self.gaps)
        gaps_scroll.setMaximumHeight(140)
        rl.addWidget(gaps_scroll, 1)
        self.send_button = QPushButton("ارسال به توزیع (Ctrl+D)", right)
        self.send_button.setShortcut("Ctrl+D")
        self.send_button.setEnabled(False)
        self.send_button.clicked.connect(self.send_to_distribution)
        self.receipt_button = QPushButton("چاپ رسید پیشخوان", right)
        self.receipt_button.setEnabled(False)
        self.receipt_button.clicked.connect(self.print_receipt)
        self.print_dialog = None  # the open print preview
        # issue 14: the city, municipal district, structure type and permit the papers print
        self.permit_button = QPushButton("پروانه و مشخصات ملک…", right)
        self.permit_button.setEnabled(False)
        self.permit_button.clicked.connect(self.edit_permit)
        send_row = QHBoxLayout()
        send_row.addWidget(self.send_button, 1)
        send_row.addWidget(self.permit_button)
        send_row.addWidget(self.receipt_button)
        rl.addLayout(send_row)
        rl.addWidget(self.message)
        self._project_widgets = (
            self.attach_button,
            self.received_button,
            self.preview_button,
            self.drawings_button,
            self.fee_button,
            self.fee_receipt_button,
        )
        for w in self._project_widgets:
            w.setEnabled(False)
        self._validate_form()
        self._show_quote(self._quote_seq, [])

        split = QSplitter(self)
        split.addWidget(self.left_tabs)
        split.addWidget(right)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        lay = QVBoxLayout(self)
        lay.addWidget(split)

    # ------------------------------------------------------------ live validation
    def refresh(self) -> None:
        self.run(browse.recent_projects, self.ctx, on_done=self.recent.set_rows)
        if self.project_id is not None:
            self.open_project(self.project_id)

    def _owner_fields(self) -> tuple[QLineEdit, ...]:
        return (
            self.owner_code,
            self.owner_first,
            self.owner_last,
            self.owner_father,
            self.owner_reg,
            self.owner_reg_place,
            self.owner_mobile,
        )

    def _legal(self) -> bool:
        return self.owner_kind.currentData() == "legal"

    def _kind_changed(self, *_a) -> None:
        """The owner's rows as the kind asks: a company by شناسه ملی, name and registration;
        a person by کد ملی, first and last name and father's name."""
        legal = self._legal()
        self.owner_code.setMaxLength(11 if legal else 10)
        self.owner_code.setPlaceholderText("۱۱ رقم" if legal else "۱۰ رقم")
        for field, text in (
            (self.owner_row, "شناسه ملی مالک:" if legal else "کد ملی مالک:"),
            (self.owner_last, "نام شرکت یا مؤسسه:" if legal else "نام خانوادگی مالک:"),
            (self.owner_mobile, "همراه مدیرعامل:" if legal else "همراه مالک:"),
        ):
            self.form.labelForField(field).setText(text)
        for w in (self.owner_first, self.owner_father):
            self.form.setRowVisible(w, not legal)
        for w in (self.owner_reg, self.owner_reg_place):
            self.form.setRowVisible(w, legal)
        self._code_changed(self.owner_code.text())
        self._poa_shown()

    def _poa_fields(self) -> tuple[QLineEdit, ...]:
        return (self.poa_no, self.poa_date, self.poa_notary)

    def _attorney(self) -> bool:
        """A representative brings natural-person owners' file: on their power of attorney."""
        return self.brought_role.currentData() == "legal_rep" and not self._legal()

    def _poa_shown(self, *_a) -> None:
        if hasattr(self, "poa_no"):  # (the owner's kind is set before these are made)
            for w in self._poa_fields():
                self.form.setRowVisible(w, self._attorney())

    def _mixed(self) -> bool:
        return self.use.currentData() == MIXED

    def _use_changed(self, *_a) -> None:
        """A mixed building's rows of area by use, shown only for «مختلط» (kept as typed while
        hidden, not sent: a building of one use has no split)."""
        for w in self.use_areas.values():
            self.form.setRowVisible(w, self._mixed())
        self._validate_form()

    def _use_areas_in(self) -> tuple[tuple[str, Decimal], ...]:
        """The rows typed for a mixed building, as (code, area); () for one use."""
        if not self._mixed():
            return ()
        typed = ((code, _decimal(w.text())) for code, w in self.use_areas.items())
        return tuple((code, d) for code, d in typed if d is not None)

    def _code_changed(self, text: str) -> None:
        code = normalize_code(text)
        legal = self._legal()
        need, word = (11, "شناسه ملی") if legal else (10, "کد ملی")
        if not code:
            self.owner_state.setText("")
        elif len(code) < need:
            self.owner_state.setStyleSheet("color: #6d6d6d;")
            self.owner_state.setText(f"{fmt.fa(len(code))} از {fmt.fa(need)} رقم")
        elif not (legal_id_ok(code) if legal else national_code_ok(code)):
            self.owner_state.setStyleSheet("color: #b00020;")
            self.owner_state.setText(f"✘ {word} نامعتبر است")
        else:
            self.owner_state.setStyleSheet("color: #1b5e20;")
            self.owner_state.setText(f"✔ {word} معتبر است")
            self.run(browse.owner_by_code, self.ctx, code, on_done=self._owner_found)
        self._validate_form()

    def _owner_found(self, found) -> None:
        """A known owner's particulars fill the empty fields (never overwrite what is typed)."""
        if found is None:
            self.owner_state.setText(self.owner_state.text() + "؛ مالک جدید")
            return
        name = f"{found.first_name} {found.last_name}".strip()
        self.owner_state.setText(f"✔ مالک شناخته‌شده: {name}")
        for w, value in (
            (self.owner_first, found.first_name),
            (self.owner_last, found.last_name),
            (self.owner_father, found.father_name),
            (self.owner_reg, found.registration_no),
            (self.owner_reg_place, found.registration_place),
            (self.owner_mobile, found.mobile or ""),
        ):
            if value and not w.text():
                w.setText(value)

    def _owner_in(self) -> OwnerIn | None:
        code = normalize_code(self.owner_code.text())
        mobile = self.owner_mobile.text().strip() or None
        if self._legal():
            if legal_owner_problems(code, self.owner_last.text(), self.owner_reg.text()):
                return None
            return OwnerIn(
                code,
                last_name=self.owner_last.text().strip(),
                mobile=mobile,
                kind="legal",
                registration_no=normalize_code(self.owner_reg.text()),
                registration_place=self.owner_reg_place.text().strip() or None,
            )
        if not national_code_ok(code):
            return None
        return OwnerIn(
            code,
            self.owner_first.text().strip(),
            self.owner_last.text().strip(),
            father_name=self.owner_father.text().strip(),
            mobile=mobile,
        )

    def _add_owner(self) -> None:
        o = self._owner_in()
        if o is None:
            problems = self.form_problems_now()
            owner = {k: v for k, v in problems.items() if k in OWNER_PROBLEMS}
            self.form_message.error(self._summary(owner) or "مالک را درست وارد کنید")
            return
        self.extra_owners.append(o)
        self.owners_label.setText(
            "مالکان: " + "، ".join(fmt.code(x.national_id) for x in self.extra_owners)
        )
        for w in self._owner_fields():
            w.clear()
        self.owner_code.setFocus()

    def _ask_preview(self) -> None:
        area = _decimal(self.area.text())
        self.run(
            browse.intake_preview,
            self.ctx,
            self.plate.text(),
            area,
            self.floors.value(),
            on_done=self._show_preview,
        )

    def _show_preview(self, pv: browse.IntakePreview) -> None:
        self.preview = pv
        self.group_label.setText(f"گروه {fmt.group(pv.group)}" if pv.group else "—")
        for d, cb in self.disc_checks.items():
            req = d in pv.required
            if req:
                cb.setChecked(True)
            cb.setEnabled(not req)  # P4: a clerk may add, never remove a required one
        if pv.plate_open:
            self.plate_state.error("برای این پلاک پرونده باز دیگری هست (P5)")
        else:
            self.plate_state.clear()
        self._validate_form()

    # ------------------------------------------------------------ F1 while typing
    def _ask_quote(self) -> None:
        """F1 by today's tariff for the area, floors and disciplines on the form, through the
        service (`fees.fee_quote`: in process, or the office server's answer)."""
        self._quote_seq += 1
        seq = self._quote_seq
        area = _decimal(self.area.text())
        if area is None or area <= 0:
            self._show_quote(seq, [])
            return
        chosen = tuple(d for d, cb in self.disc_checks.items() if cb.isChecked())
        self.run(
            fees.fee_quote,
            self.ctx,
            area,
            self.floors.value(),
            chosen,
            on_done=lambda q: self._show_quote(seq, q),
            on_error=lambda exc: self._quote_failed(seq, exc),
        )

    def _quote_failed(self, seq: int, exc: BaseException) -> None:
        if seq == self._quote_seq:
            self.quote = []
            self.quote_label.setStyleSheet("color: #b00020;")
            self.quote_label.setText(getattr(exc, "message", str(exc)))

    def _show_quote(self, seq: int, quote) -> None:
        if seq != self._quote_seq:
            return  # the form has changed since it was asked
        self.quote = list(quote)
        self.quote_label.setStyleSheet("")
        if not self.quote:
            self.quote_label.setStyleSheet("color: #6d6d6d;")
            self.quote_label.setText("با زیربنا و تعداد طبقات، حق‌الزحمه هر رشته اینجا می‌آید.")
            self.quote_label.setToolTip("")
            return
        self.quote_label.setText(quote_text(self.quote))
        self.quote_label.setToolTip(
            "\n".join(
                f"{fmt.discipline(q.discipline)}: "
                + due_formula(
                    q.billable_m2,
                    q.rials_per_m2,
                    q.fee_rials,
                    q.coordinator_per_m2,
                    q.coordinator_rials,
                )
                for q in self.quote
            )
        )

    def form_problems_now(self) -> dict[str, str]:
        """The form's checks (`domain/validation.counter_problems`, as the web's form) with
        what only the desk knows: owners added before, an open file on the plate (P5)."""
        problems = counter_problems(
            CounterForm(
                owner_code=self.owner_code.text(),
                owner_mobile=self.owner_mobile.text(),
                plate=self.plate.text(),
                area=self.area.text(),
                floors=self.floors.value(),
                owner_kind=self.owner_kind.currentData(),
                owner_name=self.owner_last.text(),
                registration_no=self.owner_reg.text(),
                brought_role=self.brought_role.currentData(),
                brought_name=self.brought_name.text(),
                poa_no=self.poa_no.text(),
                poa_date=self.poa_date.text(),
                use=self.use.currentData(),
                use_areas=tuple((code, w.text()) for code, w in self.use_areas.items()),
            )
        )
        if self.extra_owners and not normalize_code(self.owner_code.text()):
            for k in OWNER_PROBLEMS[:-1]:  # the owners are the ones added already
                problems.pop(k, None)
        if self.preview and self.preview.plate_open:
            problems["plate"] = "برای این پلاک پرونده باز دیگری هست (P5)"
        return problems

    def _problem_lines(self, problems: dict[str, str]) -> list[str]:
        """`counter_summary`'s lines, one problem a line (the domain names each field as the
        form labels it)."""
        return [counter_summary({key: why}) for key, why in problems.items()]

    def _summary(self, problems: dict[str, str]) -> str:
        return "؛ ".join(self._problem_lines(problems))

    def _validate_form(self, *_a) -> None:
        problems = self.form_problems_now()
        ok = not problems
        self.register_button.setEnabled(ok)
        lines = self._problem_lines(problems)
        self.register_button.setToolTip("" if ok else f"برای ثبت پرونده: {'؛ '.join(lines)}")
        # one field a line, each named as its label (wrapped whole, never clipped)
        self.form_problems.setText(
            "" if ok else "برای ثبت پرونده:\n" + "\n".join(f"• {line}" for line in lines)
        )
        mobile = self.owner_mobile.text().strip()
        bad_mobile = mobile_problem(mobile) if mobile else None
        if bad_mobile:
            self.form_message.error(f"شماره همراه: {bad_mobile}")
        elif self.form_message.text().startswith("شماره همراه"):
            self.form_message.clear()

    # ------------------------------------------------------------ actions
    def register(self) -> None:
        if not self.register_button.isEnabled():
            return
        owners = list(self.extra_owners)
        o = self._owner_in()
        if o is not None:
            owners.append(o)
        p = ProjectIn(
            plate=self.plate.text(),
            area=_decimal(self.area.text()) or Decimal(0),
            floors=self.floors.value(),
            owners=tuple(owners),
            disciplines=tuple(d for d, cb in self.disc_checks.items() if cb.isChecked()),
            address=self.address.text(),
            use=self.use.currentData(),
            use_areas=self._use_areas_in(),
            brought_by_role=self.brought_role.currentData(),
            brought_by_name=self.brought_name.text(),
            brought_by_national_id=self.brought_id.text().strip() or None,
            **self._poa_in(),
        )
        self.register_button.setEnabled(False)

        def done(summary) -> None:
            self.form_message.ok(
                f"پرونده {fmt.code(summary.file_no)} ثبت شد — گروه {fmt.group(summary.group)}،"
                f" رشته‌ها: {fmt.disciplines(summary.disciplines)}"
            )
            self.clear_form()  # the next walk-in starts from an empty form
            emit(self.registered, summary)
            self.open_project(summary.id)
            self.run(browse.recent_projects, self.ctx, on_done=self.recent.set_rows)

        def failed(exc) -> None:
            self._validate_form()
            msg = getattr(exc, "message", str(exc))
            if "P5" in getattr(exc, "rules", ()):
                self.plate_state.error(msg)
            self.form_message.error(msg)

        self.run(projects.register_project, self.ctx, p, on_done=done, on_error=failed)

    def _poa_in(self) -> dict[str, Any]:
        """The power of attorney as ProjectIn takes it (none unless an attorney brings it;
        the date checked by the form before «ثبت پرونده» is enabled)."""
        if not self._attorney():
            return {}
        return {
            "poa_no": self.poa_no.text().strip() or None,
            "poa_date": parse_jalali_date(
                normalize_digits(self.poa_date.text()).strip().replace("/", "-")
            ),
            "poa_notary": self.poa_notary.text(),
        }

    def clear_form(self) -> None:
        """Every field of the walk-in form back to empty (the last owner's mobile and plate
        never pass to the next one); the success message stays."""
        self.extra_owners.clear()
        self.owners_label.clear()
        self.owner_kind.setCurrentIndex(0)
        for w in (
            *self._owner_fields(),
            self.brought_name,
            self.brought_id,
            *self._poa_fields(),
            self.plate,
            self.address,
            self.area,
            *self.use_areas.values(),
        ):
            w.clear()
        self.use.setCurrentIndex(0)  # residential, no split
        self.brought_role.setCurrentIndex(0)
        self.floors.setValue(1)
        self.preview = None
        for cb in self.disc_checks.values():
            cb.setChecked(False)
            cb.setEnabled(True)
        self.group_label.setText("—")
        self._quote_seq += 1
        self._show_quote(self._quote_seq, [])
        self.owner_state.clear()
        self.plate_state.clear()
        self._validate_form()
        self.owner_code.setFocus()

    def open_project(self, project_id: int) -> None:
        self.project_id = project_id
        self.run(browse.intake_status, self.ctx, project_id, on_done=self._show_status)

    def _show_status(self, st: browse.IntakeStatus) -> None:
        self.status = st
        self.project_head.setText(
            f"پرونده <b>{fmt.code(st.file_no)}</b> — پلاک {fmt.code(st.plate)}"
            f" — گروه {fmt.group(st.group)} — {fmt.status(st.status)}"
            f" — نقشه‌ها: {'تأییدشده' if st.drawings_approved else 'تأییدنشده'}"
        )
        cur = self.docs.view.currentIndex().row()
        if getattr(self, "_advance_doc", False):
            cur, self._advance_doc = cur + 1, False
        self.docs.set_rows(st.documents)
        if 0 <= cur < len(st.documents):
            self.docs.select_row(cur)
        else:
            self.docs.select_first()
        self.fees.set_rows(st.fees)  # then with the bank and the receipt's scan
        self.run(finance.project_fee_payments, self.ctx, st.project_id, on_done=self._show_fees)
        self.dues = {d.discipline: d for d in st.dues}
        self.fee_dues.setText(dues_text(st.dues))
        kept = self.fee_discipline.currentData()
        self.fee_discipline.blockSignals(True)
        self.fee_discipline.clear()
        for d in st.disciplines:
            self.fee_discipline.addItem(fmt.discipline(d), d)
        if kept in st.disciplines:
            self.fee_discipline.setCurrentIndex(st.disciplines.index(kept))
        self.fee_discipline.blockSignals(False)
        self._show_due()
        intake = st.status == "intake"
        for w in self._project_widgets:
            w.setEnabled(intake)
        self.preview_button.setEnabled(True)
        self.receipt_button.setEnabled(True)
        self.permit_button.setEnabled(True)
        self.drawings_button.setEnabled(intake and not st.drawings_approved)
        self.send_button.setEnabled(intake and not st.gaps)
        if not intake:
            self.gaps.setText(f"این پرونده {fmt.status(st.status)} است.")
            self.gaps.setStyleSheet("color: #1b5e20;")
        elif st.gaps:
            self.gaps.setStyleSheet("color: #b00020;")
            gaps = [_fa_codes(g) for g in st.gaps]
            self.gaps.setText("هنوز آماده توزیع نیست (P2):<br>• " + "<br>• ".join(gaps))
        else:
            self.gaps.setStyleSheet("color: #1b5e20;")
            self.gaps.setText("همه شرایط P2 برقرار است؛ پرونده را به توزیع بفرستید.")
        emit(self.status_loaded, st)

    def attach(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "پیوست اسکن", "", "اسکن (*.pdf *.jpg *.jpeg *.png)"
        )
        if not path:
            return
        p = Path(path)
        mime = {".pdf": "application/pdf", ".png": "image/png"}.get(p.suffix.lower(), "image/jpeg")
        self._record_doc(p.name, mime, p.read_bytes())

    def _record_doc(self, filename, mime, content) -> None:
        doc = self.docs.current()
        if doc is None or self.project_id is None:
            self.message.error("یک مدرک از فهرست انتخاب کنید")
            return
        pid = self.project_id

        def done(_r) -> None:
            self.message.ok(f"«{doc.title}» ثبت شد")
            self._advance_doc = True
            self.open_project(pid)

        self.run(
            projects.record_document, self.ctx, pid, doc.kind, filename, mime, content, on_done=done
        )

    def approve_drawings(self) -> None:
        if self.project_id is None:
            return
        pid = self.project_id
        self.run(
            projects.approve_drawings, self.ctx, pid, on_done=lambda _r: self.open_project(pid)
        )

    def fee_problem(self) -> str | None:
        """The fee row's first wrong field, in the service's own words."""
        amount = _decimal(self.fee_amount.text())
        if amount is None or amount <= 0 or amount != amount.to_integral():
            return "مبلغ را به ریال و بدون اعشار وارد کنید"
        if not self.fee_bank.currentData():
            return "بانک را از فهرست انتخاب کنید"
        return tracking_problem(self.fee_tracking.text())

    def _validate_fee(self, *_a) -> None:
        typed = self.fee_amount.text() or self.fee_tracking.text()
        why = self.fee_problem() if typed else None
        if why:
            self.fee_state.error(why)
        else:
            self.fee_state.clear()

    def _show_due(self, *_a) -> None:
        """F1 of the chosen discipline beside the amount, and the amount typed against what
        is still owed (said plainly; a part payment is not refused)."""
        due = self.dues.get(self.fee_discipline.currentData())
        if due is None:
            self.fee_due.clear()
            self.fee_check.clear()
            self.fee_amount.setPlaceholderText("مبلغ به ریال")
            return
        recorded = due.approved_rials + due.pending_rials
        line = f"حق‌الزحمه {fmt.discipline(due.discipline)} طبق تعرفه (F1): " + due_formula(
            due.billable_m2,
            due.rials_per_m2,
            due.fee_rials,
            due.coordinator_per_m2,
            due.coordinator_rials,
        )
        if due.due_rials is not None:
            left = max(0, due.due_rials - recorded)
            if recorded:
                line += f"؛ ثبت‌شده {rials(recorded)}، مانده {rials(left)}"
            self.fee_amount.setPlaceholderText(f"مبلغ به ریال — مانده {rials(left)}")
        else:
            self.fee_amount.setPlaceholderText("مبلغ به ریال")
        self.fee_due.setText(line)
        amount = _decimal(self.fee_amount.text())
        whole = amount is not None and amount > 0 and amount == amount.to_integral()
        ok, words = amount_check(int(amount) if whole else None, due.due_rials, recorded)
        if not words:
            self.fee_check.clear()
        elif ok:
            self.fee_check.ok(words)
        else:
            self.fee_check.warn(words)

    def attach_receipt(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "اسکن رسید بانک", "", "اسکن (*.pdf *.jpg *.jpeg *.png)"
        )
        if path:
            self.set_receipt(Path(path))

    def set_receipt(self, p: Path) -> None:
        mime = {".pdf": "application/pdf", ".png": "image/png"}.get(p.suffix.lower(), "image/jpeg")
        receipt = ReceiptIn(p.name, mime, p.read_bytes())
        why = receipt_problem(receipt.filename, receipt.mime, receipt.content)
        if why:
            self.fee_state.error(why)
            return
        self.fee_receipt = receipt
        self.fee_receipt_button.setText(f"رسید: {p.name}")
        self.fee_state.clear()

    def record_fee(self) -> None:
        if self.project_id is None:
            return
        why = self.fee_problem()
        if why:
            self.fee_state.error(why)
            return
        amount = _decimal(self.fee_amount.text())
        pid = self.project_id
        paid_on = self.fee_date.date().toPython()

        def done(_r) -> None:
            self.message.ok("پرداخت ثبت شد؛ در انتظار تأیید مالی (F2)")
            for w in (self.fee_amount, self.fee_tracking):
                w.clear()
            self.fee_bank.setCurrentIndex(0)
            self.fee_receipt = None
            self.fee_receipt_button.setText("اسکن رسید…")
            self.fee_state.clear()
            self.open_project(pid)

        def failed(exc) -> None:
            self.fee_state.error(getattr(exc, "message", str(exc)))

        self.run(
            projects.record_fee_payment,
            self.ctx,
            pid,
            self.fee_discipline.currentData(),
            int(amount),
            self.fee_tracking.text(),
            paid_on,
            self.fee_bank.currentData(),
            self.fee_receipt,
            on_done=done,
            on_error=failed,
        )

    def send_to_distribution(self) -> None:
        if self.project_id is None or not self.send_button.isEnabled():
            return
        pid = self.project_id
        self.send_button.setEnabled(False)

        def done(summary) -> None:
            self.message.ok(f"پرونده {fmt.code(summary.file_no)} به توزیع رفت")
            emit(self.sent, summary)
            self.open_project(pid)

        self.run(projects.mark_ready, self.ctx, pid, on_done=done)

    def preview_document(self) -> None:
        doc = self.docs.current()
        if doc is None or self.project_id is None:
            return
        self.run(
            browse.document_content,
            self.ctx,
            self.project_id,
            doc.kind,
            on_done=lambda c: self._show_document(doc.title, c),
        )

    def _show_fees(self, rows) -> None:
        if self.status is not None and rows and self.project_id == self.status.project_id:
            self.fees.set_rows(rows)

    def show_fee_receipt(self) -> None:
        """The selected payment's receipt scan, as the clerk attached it."""
        f = self.fees.current()
        if f is None or not getattr(f, "id", None):
            return
        if not getattr(f, "receipt_filename", None):
            self.message.error("برای این پرداخت اسکن رسیدی پیوست نشده است")
            return
        self.run(
            finance.fee_receipt,
            self.ctx,
            f.id,
            on_done=lambda c: self._show_document(f"رسید {f.tracking_no}", c),
        )

    def _show_document(self, title: str, content) -> None:
        if content is None:
            self.message.error("برای این مدرک اسکنی پیوست نشده است")
            return
        mime, data = content
        img = render_scan(mime, data, QSize(700, 900))
        dlg = QDialog(self)
        dlg.setWindowTitle(title)
        lab = QLabel(dlg)
        lab.setPixmap(QPixmap.fromImage(img))
        QVBoxLayout(dlg).addWidget(lab)
        dlg.open()

    def edit_permit(self) -> None:
        from .permit import PermitDialog

        if self.project_id is not None:
            PermitDialog(self, self.project_id).open()

    def print_receipt(self) -> None:
        """The counter receipt of the file in hand, for the owner (preview, then print)."""
        if self.project_id is not None:
            open_document(self, receipt_job, self.ctx, self.project_id)


def quote_text(quote) -> str:
    """The walk-in form's F1 lines: each discipline's fee (the coordinator's with the
    coordinating discipline's), the total, and the table and tariff row they come from."""
    lines, total, unknown = [], 0, []
    for q in quote:
        name = fmt.discipline(q.discipline)
        if q.due_rials is None:
            unknown.append(name)
            lines.append(f"{name}: نرخ در جدول تعرفه نیست")
            continue
        total += q.due_rials
        coord = " (با حق‌الزحمه هماهنگ‌کننده)" if q.coordinator_rials else ""
        lines.append(f"{name}: {rials(q.due_rials)}{coord}")
    note = " (بدون رشته‌های بی‌نرخ)" if unknown else ""
    lines.append(f"<b>جمع: {rials(total)}{note}</b>")
    first = quote[0]
    where = f"گروه {fmt.group(first.group)}، ردیف {band_fa(first.band)}"
    if first.billable_m2:
        where += f"، زیربنای مشمول {fmt.fa(first.billable_m2)} م²"
    table = f"جدول تعرفه {fmt.fa(first.table_year)}" if first.table_year else "جدول تعرفه‌ای نیست"
    lines.append(f"<span style='color:#6d6d6d'>{table} — {where}</span>")
    return "<br>".join(lines)


def dues_text(dues) -> str:
    """The file's F1 fees, every discipline and the total (what the owner pays in all)."""
    if not dues:
        return ""
    parts, total = [], 0
    for d in dues:
        fee = "بی‌نرخ" if d.due_rials is None else rials(d.due_rials)
        parts.append(f"{fmt.discipline(d.discipline)} {fee}")
        total += d.due_rials or 0
    return f"حق‌الزحمه پرونده طبق تعرفه (F1): {'، '.join(parts)} — <b>جمع {rials(total)}</b>"


def _fa_codes(text: str) -> str:
    """`… رشته civil …` from the service, with the discipline's Persian name."""
    for code in DISCIPLINES:
        text = text.replace(f"رشته {code} ", f"رشته {fmt.discipline(code)} ")
    return text


def render_scan(mime: str, data: bytes, size: QSize) -> QImage:
    """The first page of a PDF, or the image itself, scaled into `size`."""
    if mime == "application/pdf":
        from PySide6.QtPdf import QPdfDocument

        doc = QPdfDocument()
        buf = QBuffer()
        buf.setData(QByteArray(data))
        buf.open(QIODevice.OpenModeFlag.ReadOnly)
        doc.load(buf)
        if doc.pageCount() > 0:
            page = doc.pagePointSize(0).toSize()
            return doc.render(0, page.scaled(size, Qt.AspectRatioMode.KeepAspectRatio))
        return QImage()
    img = QImage.fromData(data)
    return img.scaled(
        size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
    )

"""«ثبت شخص حقوقی»: the office enters a supervising firm (a legal person) from the engineers
screen — its name, membership number, national ID (شناسه ملی), registration number and place,
licence, competences, its member engineers picked by membership number and the managing
director among them, who signs for it (صاحب امضای مجاز) on the papers. Saved by one call of
`firms.register_firm(..., director_id=)`: the firm, its members and its signatory in one
transaction, or nothing, refused in Persian naming the field or rule (F6, the legal ID's check
digit, a membership number already taken)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
)

from app.domain.calendar import local_date
from app.domain.codes import DISCIPLINES, GRADES
from app.domain.errors import InputError
from app.domain.text import normalize_code
from app.services import browse, firms
from app.services.dto import CompetenceIn, EngineerIn
from app.services.permissions import ALLOWED

from .. import fmt
from ..qtcompat import emit
from ..tasks import error_text
from ..widgets import Message, jalali_date_edit
from .base import ltr

ID = Qt.ItemDataRole.UserRole


def may_register_firm(ctx) -> bool:
    """U1: registering a firm is managing firms and registering a supervisor at once."""
    role = ctx.actor.role
    return role in ALLOWED["firm.manage"] and role in ALLOWED["engineer.register"]


@dataclass(frozen=True)
class Member:
    id: int
    membership_no: str
    name: str

    def label(self) -> str:
        # a right-to-left mark first: a Latin membership number must not turn the line
        return f"{fmt.RLM}{self.name or '—'} — شماره عضویت {fmt.code(self.membership_no)}"


def find_member(ctx, membership_no: str) -> Member:
    """The registered person with exactly this membership number, or InputError in Persian
    (the list's search would also match numbers, mobiles and codes that only contain it)."""
    no = normalize_code(membership_no)
    if not no:
        raise InputError("members", "شماره عضویت مهندس را بنویسید")
    eid = browse.engineer_id_by_no(ctx, no)
    if eid is None:
        raise InputError("members", f"مهندسی با شماره عضویت {fmt.code(no)} ثبت نشده است")
    f = browse.engineer_file(ctx, eid)
    if f.kind != "person":
        raise InputError("members", "عضو شخص حقوقی باید مهندس حقیقی باشد، نه شخص حقوقی دیگر")
    return Member(f.id, f.membership_no, f.name)


class FirmDialog(QDialog):
    """The firm's particulars, its competences and members; «ثبت» sends them in one call."""

    registered = Signal(int, str)  # the firm's id and membership number

    def __init__(self, screen):
        super().__init__(screen)
        self.owner_screen = screen
        ctx = screen.ctx
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle("ثبت شخص حقوقی")
        self.setMinimumWidth(640)
        today = local_date(ctx.now())

        self.name = QLineEdit(self)
        self.name.setPlaceholderText("مثلاً شرکت مهندسین مشاور کارون‌سازه")
        self.membership_no = ltr(QLineEdit(self))
        self.national_id = ltr(QLineEdit(self))
        self.national_id.setPlaceholderText("۱۱ رقم")
        self.national_id.setMaxLength(20)  # any digit script, with stray marks: checked by service
        self.registration_no = ltr(QLineEdit(self))
        self.registration_place = QLineEdit(self)
        self.registration_place.setPlaceholderText("مثلاً اداره ثبت شرکت‌ها و مؤسسات غیرتجاری اهواز")
        self.licence_no = ltr(QLineEdit(self))
        # a year ahead, not today (expired by tomorrow): the clerk types it from the licence
        self.licence_expires = jalali_date_edit(self, today + timedelta(days=365))
        self.licence_expires.setEnabled(False)  # a date only for a licence number typed
        self.licence_no.textChanged.connect(
            lambda t: self.licence_expires.setEnabled(bool(t.strip()))
        )
        form = QFormLayout()
        form.addRow("نام شخص حقوقی:", self.name)
        form.addRow("شماره عضویت:", self.membership_no)
        form.addRow("شناسه ملی:", self.national_id)
        form.addRow("شماره ثبت:", self.registration_no)
        form.addRow("محل ثبت:", self.registration_place)
        licence = QHBoxLayout()
        licence.addWidget(self.licence_no, 1)
        licence.addWidget(QLabel("اعتبار تا:", self))
        licence.addWidget(self.licence_expires)
        form.addRow("شماره پروانه:", licence)
        # the firm's own membership (G3 reads it beside its members'): never typed here, it is
        # paid through the renewal finance approves and records (F5, seed 000)
        paid = QLabel("پس از ثبت، با درخواست تمدید و تأیید و پرداخت امور مالی (F5)", self)
        paid.setWordWrap(True)
        form.addRow("حق عضویت:", paid)

        comp_box = QGroupBox("صلاحیت‌ها (رشته و پایه؛ دست‌کم یکی)", self)
        self.discipline = QComboBox(comp_box)
        for d in DISCIPLINES:
            self.discipline.addItem(fmt.discipline(d), d)
        self.grade = QComboBox(comp_box)
        for g in reversed(GRADES):  # the highest grade first
            self.grade.addItem(fmt.grade(g), g)
        self.add_comp_button = QPushButton("افزودن صلاحیت", comp_box)
        self.competences = QListWidget(comp_box)
        self.competences.setMaximumHeight(90)
        self.remove_comp_button = QPushButton("حذف", comp_box)
        cl = QGridLayout(comp_box)
        cl.addWidget(QLabel("رشته:", comp_box), 0, 0)
        cl.addWidget(self.discipline, 0, 1)
        cl.addWidget(QLabel("پایه:", comp_box), 0, 2)
        cl.addWidget(self.grade, 0, 3)
        cl.addWidget(self.add_comp_button, 0, 4)
        cl.addWidget(self.competences, 1, 0, 1, 4)
        cl.addWidget(self.remove_comp_button, 1, 4, Qt.AlignmentFlag.AlignTop)

        mem_box = QGroupBox("اعضا (مهندسان حقیقی؛ دست‌کم یکی) و مدیرعامل", self)
        self.member_no = ltr(QLineEdit(mem_box))
        self.member_no.setPlaceholderText("شماره عضویت مهندس")
        self.add_member_button = QPushButton("افزودن عضو", mem_box)
        self.members = QListWidget(mem_box)
        self.members.setMaximumHeight(90)
        self.remove_member_button = QPushButton("حذف", mem_box)
        self.director = QComboBox(mem_box)
        self.director.setPlaceholderText("— از میان اعضا —")
        ml = QGridLayout(mem_box)
        ml.addWidget(QLabel("شماره عضویت:", mem_box), 0, 0)
        ml.addWidget(self.member_no, 0, 1, 1, 2)
        ml.addWidget(self.add_member_button, 0, 3)
        ml.addWidget(self.members, 1, 0, 1, 3)
        ml.addWidget(self.remove_member_button, 1, 3, Qt.AlignmentFlag.AlignTop)
        ml.addWidget(QLabel("مدیرعامل (صاحب امضای مجاز):", mem_box), 2, 0, 1, 2)
        ml.addWidget(self.director, 2, 2, 1, 2)

        self.state = Message(self)
        self.save_button = QPushButton("ثبت شخص حقوقی", self)
        self.save_button.setDefault(True)
        cancel = QPushButton("انصراف", self)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(cancel)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(comp_box)
        lay.addWidget(mem_box)
        lay.addWidget(self.state)
        lay.addLayout(buttons)

        self.add_comp_button.clicked.connect(self.add_competence)
        self.remove_comp_button.clicked.connect(
            lambda: self._remove(self.competences, director=False)
        )
        self.add_member_button.clicked.connect(self.add_member)
        self.member_no.returnPressed.connect(self.add_member)
        self.remove_member_button.clicked.connect(lambda: self._remove(self.members, director=True))
        self.save_button.clicked.connect(self.save)
        cancel.clicked.connect(self.reject)
        self.name.setFocus()

    # -- competences and members ------------------------------------------------------------

    def competence_values(self) -> tuple[CompetenceIn, ...]:
        return tuple(self.competences.item(i).data(ID) for i in range(self.competences.count()))

    def add_competence(self) -> None:
        d, g = self.discipline.currentData(), self.grade.currentData()
        if any(c.discipline == d for c in self.competence_values()):
            # one supervision competence per discipline (its highest grade), as the service
            self.state.error(f"برای رشته {fmt.discipline(d)} صلاحیتی افزوده شده است")
            return
        item = QListWidgetItem(f"{fmt.discipline(d)} — {fmt.grade(g)}")
        item.setData(ID, CompetenceIn(d, g))
        self.competences.addItem(item)
        self.state.clear()

    def member_values(self) -> list[Member]:
        return [self.members.item(i).data(ID) for i in range(self.members.count())]

    def add_member(self) -> None:
        typed = self.member_no.text()
        no = normalize_code(typed)
        if any(m.membership_no == no for m in self.member_values()):
            self.state.error(f"مهندس {fmt.code(no)} از قبل در فهرست اعضاست")
            return
        self.add_member_button.setEnabled(False)

        def found(m: Member) -> None:
            self.add_member_button.setEnabled(True)
            if any(x.id == m.id for x in self.member_values()):
                return
            item = QListWidgetItem(m.label())
            item.setData(ID, m)
            self.members.addItem(item)
            self.director.addItem(m.label(), m.id)
            self.member_no.clear()
            self.state.clear()

        def failed(exc: BaseException) -> None:
            self.add_member_button.setEnabled(True)
            self.state.error(error_text(exc))

        self._run(find_member, typed, on_done=found, on_error=failed)

    def _remove(self, widget: QListWidget, director: bool) -> None:
        row = widget.currentRow()
        if row < 0:
            return
        item = widget.takeItem(row)
        if director:
            self.director.removeItem(self.director.findData(item.data(ID).id))

    def _run(self, fn, *args, **kw) -> None:
        """Through the desk's runner, owned by this dialog: an answer coming back after it
        was closed is dropped, not shown on a deleted widget."""
        screen = self.owner_screen
        screen.runner.run(fn, screen.ctx, *args, owner=self, label=screen.title, **kw)

    # -- saving ----------------------------------------------------------------------------

    def problem(self) -> str | None:
        """What the form still lacks (Persian), before anything is sent; the rest — the
        national ID's check digit, a number already taken, F6 — is the service's word."""
        if not self.name.text().strip():
            return "نام شخص حقوقی را بنویسید"
        if not normalize_code(self.membership_no.text()):
            return "شماره عضویت شخص حقوقی را بنویسید"
        if not normalize_code(self.national_id.text()):
            return "شناسه ملی شخص حقوقی را بنویسید (۱۱ رقم)"
        if not self.competence_values():
            return "دست‌کم یک صلاحیت (رشته و پایه) بیفزایید"
        if not self.member_values():
            return "دست‌کم یک مهندس عضو بیفزایید"
        if self.director.currentIndex() < 0:
            return "مدیرعامل (صاحب امضای مجاز) را از میان اعضا برگزینید"
        return None

    def value(self) -> EngineerIn:
        licence = self.licence_no.text().strip() or None
        return EngineerIn(
            membership_no=self.membership_no.text(),
            kind="firm",
            competences=self.competence_values(),
            base_score=Decimal(0),
            first_name="",
            last_name=self.name.text(),  # a firm's whole name, as the demo registers it
            national_id=self.national_id.text(),
            licence_no=licence,
            licence_expires=self.licence_expires.date().toPython() if licence else None,
            registration_no=self.registration_no.text() or None,
            registration_place=self.registration_place.text() or None,
        )

    def save(self) -> None:
        why = self.problem()
        if why:
            self.state.error(why)
            return
        self.save_button.setEnabled(False)
        firm = self.value()

        def done(fid: int) -> None:
            emit(self.registered, fid, normalize_code(firm.membership_no))
            self.accept()

        def failed(exc: BaseException) -> None:
            self.state.error(error_text(exc))
            self.save_button.setEnabled(True)

        self._run(
            firms.register_firm,
            firm,
            [m.id for m in self.member_values()],
            director_id=self.director.currentData(),
            on_done=done,
            on_error=failed,
        )

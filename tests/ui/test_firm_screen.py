"""«ثبت شخص حقوقی» at the desk, through the real widgets and the service (in process on SQLite,
and through the office server): the clerk enters a supervising firm from the engineers screen —
its particulars, a competence, its members picked by membership number and the managing
director among them — and the list then shows it with its file (شناسه ملی, شماره ثبت, صاحب
امضای مجاز). A national ID that is not a legal ID is refused in Persian naming it and nothing
is written; who may not manage firms has no button, and the service refuses him anyway (U1)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from conftest import type_text
from PySide6.QtCore import QDate, Qt

from app.domain.errors import RuleViolation
from app.services import browse, engineers, firms
from app.services.dto import CompetenceIn, EngineerIn
from ui import fmt
from ui.screens.engineers import EngineersScreen
from ui.screens.firm import FirmDialog

LEGAL_ID_FA = "۱۰۸۶۱۲۳۴۵۶۵"  # a legal ID with its right check digit, typed in Persian digits
WRONG_ID = "10861234567"  # the same with its last digit off
FIRM = EngineerIn(
    membership_no="7-2-901",
    kind="firm",
    competences=(CompetenceIn("civil", "1"),),
    base_score=Decimal(0),
    last_name="شرکت نمونه",
    national_id="10861234565",
)


def _show(qtbot, w, settle):
    qtbot.addWidget(w)
    w.resize(1300, 800)
    w.show()
    qtbot.waitExposed(w)
    w.refresh()
    settle()
    return w


def _open(w) -> list[FirmDialog]:
    return [d for d in w.findChildren(FirmDialog) if d.isVisible()]


def _dialog(qtbot, w) -> FirmDialog:
    qtbot.mouseClick(w.firm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(_open(w)) == 1, timeout=5_000)
    (dlg,) = _open(w)
    qtbot.waitExposed(dlg)
    return dlg


def _add_member(qtbot, dlg, no: str) -> None:
    before = dlg.members.count()
    dlg.member_no.setText(no)
    qtbot.mouseClick(dlg.add_member_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dlg.members.count() == before + 1, timeout=10_000)


def _fill(qtbot, dlg, national_id: str) -> None:
    type_text(dlg.name, "شرکت مهندسین مشاور کارون‌سازه")
    dlg.membership_no.setText("7-2-900")
    type_text(dlg.national_id, national_id)
    type_text(dlg.registration_no, "۴۷۲۱۸")
    type_text(dlg.registration_place, "اداره ثبت شرکت‌ها اهواز")
    dlg.licence_no.setText("2-17-3199")
    dlg.licence_expires.setDate(QDate(2028, 3, 20))
    dlg.discipline.setCurrentIndex(dlg.discipline.findData("civil"))
    dlg.grade.setCurrentIndex(dlg.grade.findData("1"))
    qtbot.mouseClick(dlg.add_comp_button, Qt.MouseButton.LeftButton)
    _add_member(qtbot, dlg, "E1")
    _add_member(qtbot, dlg, "E۲")  # typed with a Persian digit: the member E2
    dlg.director.setCurrentIndex(1)  # E2, the second member, signs for the firm


def _firms(office) -> int:
    return sum(1 for r in browse.engineer_page(office.clerk, "", 0, 200) if r.kind == "firm")


def test_the_clerk_registers_a_firm_and_the_list_shows_it_with_its_signatory(
    qtbot, office, runner, settle, tmp_path
):
    office.engineer("E1")
    b = office.engineer("E2")
    engineers.update_engineer(office.admin, b, {"first_name": "حمید", "last_name": "ساکی"})
    w = _show(qtbot, EngineersScreen(office.clerk, runner), settle)
    assert w.firm_button.isVisibleTo(w)
    dlg = _dialog(qtbot, w)
    assert dlg.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert dlg.national_id.layoutDirection() == Qt.LayoutDirection.LeftToRight

    # what the form lacks is said before anything is sent
    qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    assert dlg.state.text() == "نام شخص حقوقی را بنویسید"
    # a membership number nobody has, and a member twice, are refused in the dialog
    dlg.member_no.setText("E9")
    qtbot.mouseClick(dlg.add_member_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "E۹" in fmt.plain(dlg.state.text()), timeout=10_000)
    assert "ثبت نشده است" in dlg.state.text() and dlg.members.count() == 0
    _fill(qtbot, dlg, LEGAL_ID_FA)
    dlg.member_no.setText("E1")
    qtbot.mouseClick(dlg.add_member_button, Qt.MouseButton.LeftButton)
    assert "از قبل" in dlg.state.text() and dlg.members.count() == 2
    assert dlg.director.currentData() == b
    dlg.resize(680, 640)
    dlg.grab().save(str(tmp_path / "firm-register.png"))

    with qtbot.waitSignal(dlg.registered, timeout=10_000) as sig:
        qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    settle()
    fid, no = sig.args
    assert no == "7-2-900" and _open(w) == []
    assert "ثبت شد" in w.message.text()
    # the list shows the new firm and its file follows
    qtbot.waitUntil(lambda: w.detail.file is not None and w.detail.file.id == fid, timeout=10_000)
    assert [r.id for r in w.model.rows] == [fid]
    head = fmt.plain(w.detail.head.text())
    assert "کارون‌سازه" in head and "شناسه ملی ۱۰۸۶۱۲۳۴۵۶۵" in head
    assert "شماره ثبت ۴۷۲۱۸ (اداره ثبت شرکت‌ها اهواز)" in head
    assert "صاحب امضای مجاز: حمید ساکی" in head
    f = w.detail.file
    assert f.licence_no == "2-17-3199" and f.licence_expires == date(2028, 3, 20)
    assert [c[:3] for c in f.competences] == [("civil", "1", "supervision")]
    assert firms.firm_status(office.clerk, fid) == []  # F6: both members may proceed


def test_a_wrong_national_id_is_refused_naming_it_and_nothing_is_written(
    qtbot, office, runner, settle
):
    office.engineer("E1")
    office.engineer("E2")
    w = _show(qtbot, EngineersScreen(office.clerk, runner), settle)
    dlg = _dialog(qtbot, w)
    _fill(qtbot, dlg, WRONG_ID)
    before = office.row_counts()
    qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "شناسه ملی" in dlg.state.text(), timeout=10_000)
    settle()
    assert "نامعتبر" in dlg.state.text()
    assert dlg.isVisible() and dlg.save_button.isEnabled()  # still open, to correct
    assert office.row_counts() == before and _firms(office) == 0
    # corrected in place, the same dialog registers it
    dlg.national_id.clear()
    type_text(dlg.national_id, LEGAL_ID_FA)
    with qtbot.waitSignal(dlg.registered, timeout=10_000):
        qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    settle()
    assert _firms(office) == 1


@pytest.mark.parametrize("role", ["finance", "manager"])
def test_U1_who_may_not_manage_firms_has_no_button(qtbot, office, runner, settle, role):
    office.engineer("E1")
    ctx = getattr(office, role)
    w = _show(qtbot, EngineersScreen(ctx, runner), settle)
    assert not w.firm_button.isVisibleTo(w) and w.register_firm() is None
    assert _open(w) == []
    (e1,) = (r.id for r in browse.engineer_page(office.clerk, "", 0, 200))
    with pytest.raises(RuleViolation) as err:  # and the service refuses anyway
        firms.register_firm(ctx, FIRM, [e1], director_id=e1)
    assert err.value.rules == ("U1",)

"""The counter takes an owner as the contract names him (issue 14): a person by کد ملی, name
and father's name; a company by its شناسه ملی, name and registration number and office. The
form's rows follow the kind, says which field is wrong, and a known owner's particulars fill
the empty fields — through the real widgets, in process and through the office server."""

from __future__ import annotations

from conftest import type_text
from PySide6.QtCore import Qt

from app.db.models import Owner, Project
from app.services.documents import _owners

COMPANY_ID = "10861234565"  # a valid شناسه ملی (the published check digit)


def _register(qtbot, w, settle, plate: str) -> None:
    qtbot.keyClicks(w.plate, plate)
    qtbot.keyClicks(w.area, "300")
    qtbot.waitUntil(w.register_button.isEnabled, timeout=10_000)
    with qtbot.waitSignal(w.registered, timeout=10_000):
        qtbot.mouseClick(w.register_button, Qt.MouseButton.LeftButton)
    settle()


def test_a_company_owner_is_taken_by_its_legal_id_name_and_registration(
    qtbot, office, counter, settle, tmp_path
):
    w = counter()
    assert w.owner_father.isVisible() and not w.owner_reg.isVisible()
    w.owner_kind.setCurrentIndex(w.owner_kind.findData("legal"))
    settle()
    # the rows a company has, under its words
    assert not w.owner_father.isVisible() and not w.owner_first.isVisible()
    assert w.owner_reg.isVisible() and w.owner_reg_place.isVisible()
    assert w.form.labelForField(w.owner_row).text() == "شناسه ملی مالک:"
    assert w.form.labelForField(w.owner_last).text() == "نام شرکت یا مؤسسه:"
    assert w.owner_code.maxLength() == 11
    qtbot.keyClicks(w.owner_code, "10861234566")  # one digit off
    assert "نامعتبر" in w.owner_state.text()
    problems = w.form_problems.text()
    assert "شناسه ملی مالک حقوقی" in problems and "نام مالک حقوقی" in problems
    assert "شماره ثبت مالک حقوقی" in problems
    w.owner_code.clear()
    qtbot.keyClicks(w.owner_code, COMPANY_ID)
    assert "✔ شناسه ملی معتبر" in w.owner_state.text()
    type_text(w.owner_last, "شرکت ساختمانی کارون")
    type_text(w.owner_reg, "۴۷۲۱۸")
    type_text(w.owner_reg_place, "اداره ثبت شرکت‌های اهواز")
    qtbot.keyClicks(w.owner_mobile, "09161234567")
    assert "شناسه ملی مالک" not in w.form_problems.text()
    assert "نام مالک" not in w.form_problems.text()
    # P1: a company does not walk in: its managing director (or a design office) brings it
    assert "آورنده پرونده" in w.form_problems.text()
    w.brought_role.setCurrentIndex(w.brought_role.findData("legal_rep"))
    assert "نام آورنده" in w.form_problems.text()
    type_text(w.brought_name, "حمید ساکی")
    assert "آورنده" not in w.form_problems.text()
    _register(qtbot, w, settle, "31/9")
    # the next walk-in is a person again, on an empty form
    assert w.owner_kind.currentData() == "person" and w.owner_reg.text() == ""
    assert w.owner_father.isVisible()
    with office.base.read() as s:
        project = s.query(Project).one()
        (party,) = _owners(s, project)
    assert (party.kind, party.name, party.national_id) == (
        "legal",
        "شرکت ساختمانی کارون",
        COMPANY_ID,
    )
    assert (party.registration_no, party.registration_place) == ("47218", "اداره ثبت شرکت‌های اهواز")
    # known: the company's particulars come back by its ID
    w.owner_kind.setCurrentIndex(w.owner_kind.findData("legal"))
    qtbot.keyClicks(w.owner_code, COMPANY_ID)
    qtbot.waitUntil(lambda: w.owner_reg.text() == "47218", timeout=10_000)
    assert "مالک شناخته‌شده" in w.owner_state.text()
    assert w.owner_last.text() == "شرکت ساختمانی کارون"
    w.grab().save(str(tmp_path / "counter-company.png"))


def test_a_person_owner_is_taken_with_his_fathers_name_and_it_comes_back(
    qtbot, office, counter, settle
):
    w = counter()
    qtbot.keyClicks(w.owner_code, "0499370899")
    type_text(w.owner_first, "مریم")
    type_text(w.owner_last, "کاظمی")
    type_text(w.owner_father, "حسن")
    _register(qtbot, w, settle, "44/2")
    with office.base.read() as s:
        (party,) = _owners(s, s.query(Project).one())
        assert s.query(Owner).one().kind == "person"
    assert (party.kind, party.name, party.father_name) == ("person", "مریم کاظمی", "حسن")
    qtbot.keyClicks(w.owner_code, "0499370899")
    qtbot.waitUntil(lambda: w.owner_father.text() == "حسن", timeout=10_000)
    assert w.owner_first.text() == "مریم"


def test_an_attorney_of_persons_gives_his_power_of_attorney(qtbot, office, counter, settle):
    """The power of attorney's rows appear for a representative of natural-person owners
    only; the form names each one it still needs, and the file keeps what was typed."""
    w = counter()
    assert not w.poa_no.isVisible()
    qtbot.keyClicks(w.owner_code, "0499370899")
    type_text(w.owner_last, "صادقی")
    w.brought_role.setCurrentIndex(w.brought_role.findData("legal_rep"))
    settle()
    assert w.poa_no.isVisible() and w.poa_date.isVisible() and w.poa_notary.isVisible()
    type_text(w.brought_name, "محسن کاظمی")
    problems = w.form_problems.text()
    assert "شماره وکالت‌نامه" in problems and "تاریخ وکالت‌نامه" in problems
    type_text(w.poa_no, "۱۲۸۴۵")
    type_text(w.poa_date, "۱۴۰۵/۱۳/۰۱")
    assert "تاریخ وکالت‌نامه درست نیست" in w.form_problems.text()
    w.poa_date.clear()
    type_text(w.poa_date, "۱۴۰۵/۰۲/۲۲")
    type_text(w.poa_notary, "دفترخانه ۱۴ اهواز")
    assert "وکالت‌نامه" not in w.form_problems.text()
    _register(qtbot, w, settle, "31/12")
    assert not w.poa_no.isVisible() and w.poa_no.text() == ""  # the next walk-in: the owner
    with office.base.read() as s:
        p = s.query(Project).one()
        assert (p.poa_no, p.poa_notary) == ("12845", "دفترخانه ۱۴ اهواز")
        assert p.poa_date.isoformat() == "2026-05-12"
    # a company's managing director signs as its signatory: no power of attorney asked
    w.owner_kind.setCurrentIndex(w.owner_kind.findData("legal"))
    w.brought_role.setCurrentIndex(w.brought_role.findData("legal_rep"))
    settle()
    assert not w.poa_no.isVisible()

"""Issue 14: the organization's settings through their real widgets — the administrator sees
what keeps the papers from printing as he types (a wrong IBAN check digit among them), saves
the settings, and the papers print; the clerk has no such section."""

from __future__ import annotations

from conftest import type_text
from PySide6.QtCore import Qt

from app.demo.office import DEMO_ORGANIZATION
from app.domain.organization import normalize
from app.services import documents, organization
from ui.mainwindow import MainWindow
from ui.screens.organization import OrganizationScreen


def _screen(qtbot, ctx, runner, settle) -> OrganizationScreen:
    w = OrganizationScreen(ctx, runner)
    qtbot.addWidget(w)
    w.resize(1100, 900)
    w.show()
    qtbot.waitExposed(w)
    w.refresh()
    settle()
    return w


def test_admin_enters_the_settings_sees_problems_inline_and_saves(
    qtbot, qtmodeltester, office, runner, settle
):
    w = _screen(qtbot, office.admin, runner, settle)
    assert not w.save.isEnabled() and "چاپ نمی‌شوند" in w.problems.text()
    assert "شبا" in w.problems.text()
    w.show_value(DEMO_ORGANIZATION)
    qtmodeltester.check(w.municipalities)
    assert w.save.isEnabled() and "کامل است" in w.problems.text()
    iban = w.edits["iban"]
    iban.clear()
    type_text(iban, "IR550170000000103456789004")  # a check digit off
    assert not w.save.isEnabled() and "شبا" in w.problems.text()
    assert iban.toolTip()
    iban.setText("IR54 0170 0000 0010 3456 7890 04")
    phone = w.edits["phone"]
    phone.setText("۰۶۱-۳۳۳۸ ۱۲۴۰")  # Persian digits and a dash: normalised on save
    assert w.save.isEnabled()
    qtbot.mouseClick(w.save, Qt.MouseButton.LeftButton)
    settle()
    assert "ثبت شد" in w.message.text()
    saved = organization.organization_settings(office.admin)
    assert saved.printable and saved.settings == normalize(DEMO_ORGANIZATION)
    assert w.edits["phone"].text() == "06133381240"
    p = office.project(ready=False)
    assert documents.receipt_dto(office.clerk, p.id).organization.name.endswith("خوزستان")


def test_a_city_is_added_and_removed_in_the_municipalities_table(qtbot, office, runner, settle):
    w = _screen(qtbot, office.admin, runner, settle)
    w.show_value(DEMO_ORGANIZATION)
    n = w.municipalities.rowCount()
    w.municipalities.add()
    assert w.municipalities.rowCount() == n + 1
    assert w.save.isEnabled()  # an empty row is not a city
    m = w.municipalities
    m.setData(m.index(n, 0), "هندیجان")
    assert not w.save.isEnabled() and "شهرداری" in w.problems.text()
    m.setData(m.index(n, 1), "شهرداری هندیجان")
    m.setData(m.index(n, 2), "معاونت شهرسازی شهرداری هندیجان")
    assert w.save.isEnabled()
    m.remove(n)
    assert m.rowCount() == n


def test_only_the_administrator_has_the_section(qtbot, office, runner, settle):
    admin, clerk = MainWindow(office.admin, runner), MainWindow(office.clerk, runner)
    for win in (admin, clerk):
        qtbot.addWidget(win)
    settle()
    assert "organization" in admin.screens and "organization" not in clerk.screens


def test_the_counter_records_the_files_city_district_structure_and_permit(
    qtbot, office, runner, settle
):
    from datetime import date

    from app.services import permits
    from ui.screens.counter import CounterScreen

    organization.save_organization_settings(office.admin, DEMO_ORGANIZATION)
    p = office.project(ready=False)
    w = CounterScreen(office.clerk, runner)
    qtbot.addWidget(w)
    w.open_project(p.id)
    settle()
    assert w.permit_button.isEnabled()
    from ui.screens.permit import PermitDialog

    dlg = PermitDialog(w, p.id)
    qtbot.addWidget(dlg)
    settle()
    assert dlg.city.count() == len(DEMO_ORGANIZATION.municipalities)
    assert not dlg.permit_no.isEnabled()
    dlg.city.setCurrentText("دزفول")
    dlg.district.setText("۳")
    dlg.structure.setCurrentIndex(dlg.structure.findData("steel"))
    dlg.save()
    settle()
    got = permits.project_permit(office.clerk, p.id)
    assert (got.city, got.municipal_district, got.structure_type) == ("دزفول", "3", "steel")
    assert got.permit_no == "" and got.permit_date is None
    dlg = PermitDialog(w, p.id)
    qtbot.addWidget(dlg)
    settle()
    assert dlg.city.currentText() == "دزفول"
    dlg.issued.setChecked(True)
    dlg.permit_no.setText("1405/7781")
    dlg.save()
    settle()
    got = permits.project_permit(office.clerk, p.id)
    assert got.permit_no == "1405/7781" and got.permit_date == date(2026, 11, 14)

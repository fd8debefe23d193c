"""The supervisor's Sheba number (شبا) entered at the desk, through the real widgets and the
service (in process on SQLite, and through the office server): finance enters it from the
payment list when the bank's transfer is refused for want of it, or from the engineer's file;
it is checked as typed (IR + 24 digits, any digit script, mod 97-10), refused in Persian naming
the field, and the audit trail keeps the old and new numbers masked (U2). The clerk sees it
masked and has no button; the service refuses him anyway (U1)."""

from __future__ import annotations

from conftest import type_text
from PySide6.QtCore import Qt
from sqlalchemy import select

from app.db.models import AuditEntry, Engineer
from app.services import candidacy, deadlines, payouts
from ui.screens import finance as finance_mod
from ui.screens.engineers import EngineersScreen
from ui.screens.finance import FinanceScreen
from ui.screens.iban import IbanDialog

GOOD = "IR062960000000100324200001"
GOOD_FA = "IR۰۶ ۲۹۶۰ ۰۰۰۰ ۰۰۱۰ ۰۳۲۴ ۲۰۰۰ ۰۱"  # as printed on a card, Persian digits
MASKED = "IR06******************0001"


def _show(qtbot, w, settle, size=(1300, 800)):
    qtbot.addWidget(w)
    w.resize(*size)
    w.show()
    qtbot.waitExposed(w)
    w.refresh()
    settle()
    return w


def _signed_referral(office):
    e = office.engineer("E1")
    p = office.project(area=450)
    rid = p.referral_ids["civil"]
    office.at("1405-08-23 10:00")
    candidacy.stand(office.as_engineer[e], e, rid)
    office.run("1405-08-23 20:00")
    office.at("1405-08-24 09:00")
    deadlines.record_signature(office.clerk, rid)
    return e, rid


def _open(w) -> list[IbanDialog]:
    return [d for d in w.findChildren(IbanDialog) if d.isVisible()]


def _dialog(qtbot, w) -> IbanDialog:
    qtbot.waitUntil(lambda: len(_open(w)) == 1, timeout=5_000)
    (dlg,) = _open(w)
    qtbot.waitExposed(dlg)
    return dlg


def _audit(office, engineer_id):
    with office.base.tx() as s:
        return [
            (a.before, a.after)
            for a in s.scalars(
                select(AuditEntry)
                .where(AuditEntry.action == "engineer.iban")
                .where(AuditEntry.entity_id == str(engineer_id))
                .order_by(AuditEntry.id)
            )
        ]


def test_F3_U2_finance_enters_the_payees_sheba_from_the_payment_list_and_the_bank_file_follows(
    qtbot, office, runner, settle, tmp_path, monkeypatch
):
    e, rid = _signed_referral(office)
    pid = payouts.record_stage_report(office.clerk, rid, "permit", "GZ-1")
    payouts.decide_payout(office.finance, pid, approve=True)
    w = _show(qtbot, FinanceScreen(office.finance, runner), settle)
    w.tabs.setCurrentIndex(3)
    target = tmp_path / "transfer.xlsx"
    monkeypatch.setattr(
        finance_mod.QFileDialog,
        "getSaveFileName",
        staticmethod(lambda *a, **k: (str(target), "")),
    )
    # the bank's group transfer is refused while the supervisor has no Sheba number, and the
    # desk says where to enter it
    qtbot.mouseClick(w.transfer_button, Qt.MouseButton.LeftButton)
    settle()
    assert "E1" in w.due_message.text() and "«شبا ناظر…»" in w.due_message.text()
    assert not target.exists()

    assert w.due.current().engineer_id == e and w.due_iban_button.isEnabled()
    qtbot.mouseClick(w.due_iban_button, Qt.MouseButton.LeftButton)
    dlg = _dialog(qtbot, w)
    assert dlg.current.text() == "ثبت نشده" and not dlg.save_button.isEnabled()
    assert dlg.edit.layoutDirection() == Qt.LayoutDirection.LeftToRight
    qtbot.keyClicks(dlg.edit, "IR062960000000100324200002")  # one digit off
    assert dlg.state.text() == "شماره شبا نادرست است: رقم کنترل شبا درست نیست"
    assert not dlg.save_button.isEnabled()
    qtbot.keyClick(dlg.edit, Qt.Key.Key_Return)  # refused inline, nothing sent
    settle()
    assert dlg.isVisible() and _audit(office, e) == []
    dlg.edit.clear()
    qtbot.keyClicks(dlg.edit, "IR0629600000001003242")  # too short, as typed
    assert "۲۴ رقم" in dlg.state.text()
    dlg.edit.clear()
    type_text(dlg.edit, GOOD_FA)  # Persian digits and spaces, as the card prints it
    assert dlg.save_button.isEnabled() and "رقم کنترل درست است" in dlg.state.text()
    dlg.resize(560, 220)
    dlg.grab().save(str(tmp_path / "iban-dialog.png"))
    with qtbot.waitSignal(dlg.saved, timeout=10_000) as saved:
        qtbot.keyClick(dlg.edit, Qt.Key.Key_Return)
    settle()
    assert saved.args == [GOOD]
    assert _open(w) == []  # closed
    assert [p.iban for p in w.due.model.rows] == [GOOD]
    assert "ثبت شد" in w.due_message.text()
    with office.base.tx() as s:
        assert s.get(Engineer, e).iban == GOOD
    assert _audit(office, e) == [({"iban": None}, {"iban": MASKED})]

    # now the bank's file is made, paying by Sheba
    qtbot.mouseClick(w.transfer_button, Qt.MouseButton.LeftButton)
    settle()
    assert target.exists() and "ذخیره شد" in w.due_message.text()

    # from the payouts tab too: the next stage's payee, to another account
    pid2 = payouts.record_stage_report(office.clerk, rid, "foundation", "GZ-2")
    w.refresh()
    settle()
    w.tabs.setCurrentIndex(2)
    w.payouts.select_row(0)
    assert w.payouts.current().id == pid2
    assert "۲۹۶۰" in w.payout_detail.text()  # the Sheba number, grouped, in the detail
    qtbot.mouseClick(w.payout_iban_button, Qt.MouseButton.LeftButton)
    dlg = _dialog(qtbot, w)
    assert "۲۹۶۰" in dlg.current.text()
    type_text(dlg.edit, "IR٨٢-٠٥٤٠-١٠٢٦-٨٠٠٢-٠٨١٧-٩٠٩٠-٠٢")  # Arabic-Indic digits, dashes
    with qtbot.waitSignal(dlg.saved, timeout=10_000):
        qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    settle()
    assert _audit(office, e)[-1] == (
        {"iban": MASKED},
        {"iban": "IR82******************9002"},
    )
    w.tabs.setCurrentIndex(3)
    w.grab().save(str(tmp_path / "finance-iban.png"))


def test_U1_the_engineers_file_shows_the_sheba_and_only_finance_changes_it(
    qtbot, office, runner, settle, tmp_path
):
    e = office.engineer("E1")
    fin = _show(qtbot, EngineersScreen(office.finance, runner), settle)
    qtbot.waitUntil(lambda: fin.detail.file is not None, timeout=10_000)
    assert fin.detail.file.id == e
    assert fin.detail.iban.text() == "ثبت نشده"
    assert fin.detail.iban_button.isVisibleTo(fin) and fin.detail.iban_button.isEnabled()
    qtbot.mouseClick(fin.detail.iban_button, Qt.MouseButton.LeftButton)
    dlg = _dialog(qtbot, fin)
    assert "شماره عضویت" in dlg.head.text() and "E1" in dlg.head.text()
    qtbot.keyClicks(dlg.edit, "ir06 2960 0000 0010 0324 2000 01")
    with qtbot.waitSignal(dlg.saved, timeout=10_000):
        qtbot.keyClick(dlg.edit, Qt.Key.Key_Return)
    settle()
    qtbot.waitUntil(lambda: fin.detail.file.iban == GOOD, timeout=10_000)
    assert fin.detail.iban.text().count("۲۹۶۰") == 1 and "IR۰۶" in fin.detail.iban.text()
    fin.grab().save(str(tmp_path / "engineers-iban.png"))

    # the clerk: masked, no button — and the service refuses him anyway (U1)
    clerk = _show(qtbot, EngineersScreen(office.clerk, runner), settle)
    qtbot.waitUntil(lambda: clerk.detail.file is not None, timeout=10_000)
    assert clerk.detail.file.iban == MASKED
    assert not clerk.detail.iban_button.isVisibleTo(clerk)
    dlg = IbanDialog(clerk, e, "E1", clerk.detail.file.iban)
    qtbot.addWidget(dlg)
    qtbot.keyClicks(dlg.edit, "IR820540102680020817909002")
    dlg.save()
    settle()
    assert "U1" in dlg.state.text(), dlg.state.text()
    with office.base.tx() as s:
        assert s.get(Engineer, e).iban == GOOD

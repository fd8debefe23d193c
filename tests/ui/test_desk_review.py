"""The desk as a clerk, a finance officer and an engineer found it (issue 15's review): the
signing desk keeps its row and asks before a signature or a completion; finance pays only the
rows shown, asks before every approval and keeps its place; the stage report needs its number;
the cartable after a cancel and after the deadline; the ledger explains the score; Latin codes
in words; exports typed; the board's idle bar hidden."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from PySide6.QtCore import Qt
from sqlalchemy import select
from test_finance import _desk, _signed_referral

from app.db.models import Referral, StagePayout
from app.services import candidacy, deadlines, engineers, payouts
from ui import fmt
from ui.models import Column
from ui.screens.audit import AuditScreen
from ui.screens.board import BoardScreen
from ui.screens.cartable import CartableScreen
from ui.screens.engineers import EngineerDetail
from ui.screens.finance import PAYOUT_COLUMNS, StageReportScreen
from ui.screens.signing import SigningScreen
from ui.screens.users import UsersScreen
from ui.widgets import ListPanel, cell_value

IBAN = "IR062960000000100324200001"


def _two_selected(office):
    """Two referrals of two files, each selected for its own supervisor, signing at 09:00."""
    e1, e2 = office.engineer("E1"), office.engineer("E2")
    r1 = office.project(area=300).referral_ids["civil"]
    r2 = office.project(area=320).referral_ids["civil"]
    office.at("1405-08-23 10:00")
    candidacy.stand(office.as_engineer[e1], e1, r1)
    candidacy.stand(office.as_engineer[e2], e2, r2)
    office.run("1405-08-23 20:00")
    office.at("1405-08-24 09:00")
    return (e1, r1), (e2, r2)


def _status(office, rid):
    with office.base.tx() as s:
        return s.get(Referral, rid).status


def test_1_signing_keeps_the_selected_referral_across_refreshes_and_confirms_a_signature(
    shown, qtbot, office, runner, settle, confirmations
):
    (_e1, r1), (_e2, r2) = _two_selected(office)
    desk = shown(SigningScreen, office.clerk)
    assert {a.referral_id for a in desk.list.model.rows} == {r1, r2}
    assert desk.list.select_where(lambda a: a.referral_id == r2)
    desk.refresh()  # the minute's refresh
    settle()
    assert desk.list.current().referral_id == r2  # not row 1 again
    a = desk.list.current()
    confirmations.answer = False
    qtbot.mouseClick(desk.sign_button, Qt.MouseButton.LeftButton)
    settle()
    asked = confirmations.asked[-1]
    assert fmt.code(a.file_no) in asked and a.name in asked
    assert fmt.discipline(a.discipline) in asked
    assert _status(office, r2) == "selected"  # he said no: nothing recorded
    confirmations.answer = True
    with qtbot.waitSignal(desk.signed, timeout=10_000):
        qtbot.mouseClick(desk.sign_button, Qt.MouseButton.LeftButton)
    settle()
    assert _status(office, r2) == "signed" and _status(office, r1) == "selected"
    assert desk.list.current().referral_id == r2  # still on the row just signed


def test_2_completion_needs_a_certificate_number_and_is_confirmed(
    shown, qtbot, office, runner, settle, confirmations
):
    (_e1, r1), _ = _two_selected(office)
    deadlines.record_signature(office.clerk, r1)
    desk = shown(SigningScreen, office.clerk)
    desk.completable.setChecked(True)
    settle()
    assert desk.list.select_where(lambda a: a.referral_id == r1)
    a = desk.list.current()
    desk.certificate.setText("  ")
    desk.complete()
    settle()
    assert "پایان کار" in desk.message.text() and not confirmations.asked
    assert "b00020" in desk.certificate.styleSheet()
    desk.certificate.setText("PK-1405-77")
    confirmations.answer = False
    desk.complete()
    settle()
    assert fmt.code(a.file_no) in confirmations.asked[-1]
    assert desk.certificate.text() == "PK-1405-77"  # not recorded: kept for a second try


def test_3_the_payment_list_pays_only_the_rows_shown_and_totals_them(
    qtbot, office, runner, settle, confirmations
):
    (e1, r1), (e2, r2) = _two_selected(office)
    for e, r in ((e1, r1), (e2, r2)):
        deadlines.record_signature(office.clerk, r)
        engineers.set_iban(office.finance, e, IBAN)
    ids = []
    for r in (r1, r2):
        pid = payouts.record_stage_report(office.clerk, r, "permit", f"GZ-{r}")
        payouts.decide_payout(office.finance, pid, approve=True)
        ids.append(pid)
    w = _desk(qtbot, office.finance, runner, settle)
    assert w.due.model.rowCount() == 2
    w.due.filter.setText("E2")
    shown = w.due.shown()
    assert [p.membership_no for p in shown] == ["E2"]
    assert fmt.fa_int(shown[0].amount_rials) in w.due_total.text()
    total_all = sum(p.amount_rials for p in w.due.model.rows)
    assert fmt.fa_int(total_all) not in w.due_total.text()
    w.paid_ref.setText("S-9")
    confirmations.answer = False
    qtbot.mouseClick(w.mark_paid_button, Qt.MouseButton.LeftButton)
    settle()
    asked = confirmations.asked[-1]
    assert "۱ ردیف" in asked and fmt.fa_int(shown[0].amount_rials) in asked
    confirmations.answer = True
    with qtbot.waitSignal(w.decided, timeout=10_000):
        qtbot.mouseClick(w.mark_paid_button, Qt.MouseButton.LeftButton)
    settle()
    with office.base.tx() as s:
        status = {p: s.get(StagePayout, p).status for p in ids}
    paid = shown[0].id
    assert status[paid] == "paid" and [status[p] for p in ids if p != paid] == ["approved"]


def test_4_9_approvals_are_confirmed_and_the_desk_keeps_its_place(
    qtbot, office, runner, settle, confirmations
):
    (e1, r1), (e2, r2) = _two_selected(office)
    for r in (r1, r2):
        deadlines.record_signature(office.clerk, r)
    pids = [payouts.record_stage_report(office.clerk, r1, "permit", "GZ-1")]
    pids.append(payouts.record_stage_report(office.clerk, r2, "permit", "GZ-2"))
    pids.append(payouts.record_stage_report(office.clerk, r2, "foundation", "GZ-3"))
    w = _desk(qtbot, office.finance, runner, settle)
    w.tabs.setCurrentIndex(2)
    order = [p.id for p in w.payouts.shown()]
    w.payouts.select_row(1)
    p = w.payouts.current()
    confirmations.answer = False
    qtbot.mouseClick(w.payout_decision.approve_button, Qt.MouseButton.LeftButton)
    settle()
    assert fmt.code(p.file_no) in confirmations.asked[-1]
    assert fmt.fa_int(p.amount_rials) in confirmations.asked[-1]
    with office.base.tx() as s:
        assert s.get(StagePayout, p.id).status == "pending"
    confirmations.answer = True
    with qtbot.waitSignal(w.decided, timeout=10_000):
        qtbot.mouseClick(w.payout_decision.approve_button, Qt.MouseButton.LeftButton)
    settle()
    assert w.payouts.current().id == order[2]  # the next row, not row 1

    # a renewal's amount: confirmed, naming who, which year and how much
    engineers.request_renewal(office.as_engineer[e1], e1, 1406)
    w.refresh()
    settle()
    w.tabs.setCurrentIndex(1)
    w.renewals.select_row(0)
    w.renewal_amount.setText("1")
    n = len(confirmations.asked)
    confirmations.answer = False
    qtbot.mouseClick(w.approve_renewal_button, Qt.MouseButton.LeftButton)
    settle()
    assert len(confirmations.asked) == n + 1
    assert "۱ ریال" in confirmations.asked[-1] and "E1" in fmt.plain(confirmations.asked[-1])
    assert "حق عضویت سالانه" in w.renewal_expected.text()
    assert w.renewals.model.rowCount() == 1  # not approved
    del e2


def test_8_15_stage_report_needs_its_number_confirms_and_masks_the_sheba_for_the_clerk(
    qtbot, office, runner, settle, confirmations
):
    e, rid = _signed_referral(office)
    engineers.set_iban(office.finance, e, IBAN)
    payouts.record_stage_report(office.clerk, rid, "permit", "GZ-1")
    clerk = _desk(qtbot, office.clerk, runner, settle, StageReportScreen)
    assert clerk.history.model.rows[0].iban != IBAN  # masked for a role that does not pay
    assert clerk.history.model.rows[0].iban.endswith("0001")
    fin = payouts.list_payouts(office.finance)
    assert fin[0].iban == IBAN  # whole for finance
    assert clerk.due.select_where(lambda r: r.referral_id == rid)
    clerk.report()
    settle()
    assert "شماره گزارش" in clerk.message.text() and not confirmations.asked
    clerk.report_no.setText("GZ-2")
    confirmations.answer = False
    clerk.report()
    settle()
    assert "GZ-۲" in fmt.plain(confirmations.asked[-1])
    with office.base.tx() as s:
        assert len(s.scalars(select(StagePayout)).all()) == 1


def test_10_11_12_cartable_cancel_used_deadline_passed_and_the_ledger_explains_the_score(
    shown, qtbot, office, runner, settle
):
    ok = office.engineer("E1")
    rid = office.project(area=450).referral_ids["civil"]
    office.at("1405-08-23 10:00")
    cart = shown(CartableScreen, office.as_engineer[ok], None)
    cart.items.select_row(0)
    settle()
    qtbot.mouseClick(cart.stand_button, Qt.MouseButton.LeftButton)
    settle()
    cart.confirm = lambda text: True
    qtbot.mouseClick(cart.cancel_button, Qt.MouseButton.LeftButton)
    settle()
    qtbot.mouseClick(cart.stand_button, Qt.MouseButton.LeftButton)  # stands again
    settle()
    assert cart.items.current().standing
    assert not cart.cancel_button.isEnabled()  # the one cancel (C4) is used
    assert "C4" in cart.cancel_button.toolTip()
    # the desk opened anew: the row says
    again = shown(CartableScreen, office.as_engineer[ok], None)
    again.items.select_row(0)
    settle()
    assert again.items.current().cancel_used and not again.cancel_button.isEnabled()

    cart.message.error("کاندیداتوری رد شد (C3)")  # an old refusal
    office.at("1405-08-23 20:30")  # past the deadline, the run not yet made
    cart.refresh()
    settle()
    assert cart.items.model.rowCount() == 0
    text = cart.blocks.text()
    assert "مهلت" in text and "گذشته" in text and "صلاحیت" not in text
    assert fmt.plain(cart.message.text()) == ""

    # the run picks him; a written withdrawal: a penalty that recovers day by day (W2)
    office.run("1405-08-23 20:30")
    office.at("1405-08-24 09:00")
    deadlines.record_withdrawal(office.clerk, rid, "N-1")
    office.at("1405-08-30 09:00")
    cart.refresh()
    settle()
    rows = cart.ledger.model.rows  # newest first
    assert rows and all(r.note for r in rows)
    from app.services import queries

    score = queries.engineer_standings(office.clerk, [ok])[ok].score
    assert rows[0].balance == score
    assert any(r.kind == "recovery" for r in rows)


def test_13_a_new_user_is_an_engineer_by_default_with_persian_digits(qtbot, office, runner, settle):
    office.engineer("E1234")
    w = UsersScreen(office.admin, runner)
    qtbot.addWidget(w)
    w.resize(1300, 700)
    w.show()
    w.refresh()
    settle()
    assert w.role.currentData() == "engineer"
    assert w.role.itemData(0) != "admin"
    col = next(i for i, c in enumerate(w.list.model.columns) if c.title == "شماره عضویت")
    texts = [w.list.model.index(r, col).data() for r in range(w.list.model.rowCount())]
    assert "E۱۲۳۴" in texts
    header = w.list.view.horizontalHeader()
    last = header.count() - 1
    assert header.sectionSize(last) >= header.sectionSizeHint(last)  # «ساخته‌شده» whole
    right = header.sectionViewportPosition(last) + header.sectionSize(last)
    left = header.sectionViewportPosition(last)
    assert left >= 0 and right <= w.list.view.viewport().width()  # on screen, not scrolled off


def test_14_codes_in_words_audit_and_engineer_file(qtbot, office, runner, settle):
    from app.services import browse

    e = office.engineer("E1")
    d = EngineerDetail()
    qtbot.addWidget(d)
    d.show_file(browse.engineer_file(office.finance, e))
    facts = d.fields["g_facts"].text()
    assert "(G1)" in facts and "اقامت" in facts
    w = AuditScreen(office.admin, runner)
    qtbot.addWidget(w)
    w.refresh()
    settle()
    cols = w.list.model.columns
    action = next(i for i, c in enumerate(cols) if c.title == "کار")
    texts = [w.list.model.index(r, action).data() for r in range(w.list.model.rowCount())]
    assert "ثبت مهندس" in texts and "engineer.register" not in texts
    tips = [
        w.list.model.index(r, action).data(Qt.ItemDataRole.ToolTipRole)
        for r in range(w.list.model.rowCount())
    ]
    assert "engineer.register" in tips


def test_14_policy_history_author_system_in_persian():
    from ui.screens.policy import author

    assert author("system") == "سامانه" and "admin" in author("admin")


def test_16_the_board_hides_its_idle_progress_bar(qtbot, office, runner, settle):
    board = BoardScreen(office.manager, runner)
    qtbot.addWidget(board)
    board.show()
    board.refresh()
    settle()
    assert board.progress.isHidden()
    board.run_deadlines()
    assert not board.progress.isHidden()
    settle()
    assert board.progress.isHidden()


def test_6_export_writes_numbers_as_numbers_codes_in_latin_digits_and_guards_formulas(
    qtbot, tmp_path
):
    from dataclasses import dataclass
    from datetime import date

    @dataclass(frozen=True)
    class Row:
        name: str
        iban: str
        membership_no: str
        amount: int
        score: float
        on: date

    cols = [
        Column("نام", lambda r: r.name),
        Column("شبا", lambda r: r.iban, ltr=True),
        Column("شماره عضویت", lambda r: r.membership_no, fmt.code),
        Column("مبلغ", lambda r: r.amount, fmt.fa_int),
        Column("امتیاز", lambda r: r.score, lambda v: fmt.fa(round(v, 2))),
        Column("روز", lambda r: r.on),
    ]
    panel = ListPanel("آزمون", cols)
    qtbot.addWidget(panel)
    panel.set_rows(
        [
            Row("=HYPERLINK(1)", IBAN, "1405-0150", 2_375_000, -12.5, date(2026, 11, 14)),
            Row("علی ۲", IBAN, "E2", 10, 3.0, date(2026, 11, 15)),
        ]
    )
    ws = load_workbook(panel.export(str(tmp_path / "x.xlsx"))).active
    assert [c.value for c in ws[2]][:5] == [
        "=HYPERLINK(1)",
        IBAN,
        "1405-0150",
        2_375_000,
        -12.5,
    ]
    assert ws.cell(2, 1).data_type == "s"  # a formula-like text stays text
    assert ws.cell(2, 4).number_format == "#,##0"
    assert ws.cell(2, 6).value == fmt.plain(fmt.fa(date(2026, 11, 14)))  # Jalali text
    assert ws.cell(3, 1).value == "علی ۲"  # Persian text untouched
    panel.filter.setText("E2")
    ws = load_workbook(panel.export(str(tmp_path / "y.xlsx"))).active
    assert ws.max_row == 2  # the rows shown


def test_6_finance_columns_export_typed():
    from decimal import Decimal

    from app.services.payouts import PayoutOut

    p = PayoutOut(
        1, 1, "1405-0001", "civil", 1, "E1", "E1", "permit", "پروانه", 5_000_000, 50,
        2_375_000, "approved", None, None, None, "", Decimal("0.05"), None, IBAN,
    )  # fmt: skip
    values = [cell_value(c, p) for c in PAYOUT_COLUMNS]
    assert values[4] == IBAN and values[7] == 5_000_000 and values[8] == 2_375_000
    assert values[0] == "1405-0001"


def test_7_transfer_sheet_has_no_total_row_among_the_transfers(office):
    e, rid = _signed_referral(office)
    engineers.set_iban(office.finance, e, IBAN)
    pid = payouts.record_stage_report(office.clerk, rid, "permit", "GZ-1")
    payouts.decide_payout(office.finance, pid, approve=True)
    wb = load_workbook(io.BytesIO(payouts.transfer_sheet_xlsx(office.finance)))
    ws = wb.worksheets[0]
    assert ws.max_row == 2  # the header and the one transfer
    assert all(c.value != "جمع" for row in ws.iter_rows() for c in row)
    assert ws.cell(2, 3).value == 2_375_000 and ws.cell(2, 3).number_format == "#,##0"
    assert "جمع" in ws.cell(1, 1).comment.text
    summary = wb["جمع"]
    assert summary.cell(3, 2).value == 2_375_000 and summary.cell(2, 2).value == 1

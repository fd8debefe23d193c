"""The finance desk through its real widgets over a real SQLite database (issue 5, item 7):
F2 an owner's payment approved (P2 gap gone) and one rejected only with a reason; F5 a
membership renewal approved and paid (G3 then holds); F3/F4 a stage report by the clerk,
approved by finance, in the exported payment list; U1 the clerk has no approve buttons and the
services refuse anyway; A8 the outbox timer."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from conftest import type_text
from openpyxl import load_workbook
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QPushButton
from sqlalchemy import select

from app.db.models import FeePayment, MembershipYear, Notification, StagePayout
from app.db.policy_store import policy_at
from app.domain.calendar import local_date
from app.domain.errors import RuleViolation
from app.domain.money import split_fee, stages_of
from app.services import browse, candidacy, deadlines, engineers, fees, payouts, projects
from app.services.dto import OwnerIn, ProjectIn
from support import OWNER, next_plate
from ui import fmt
from ui.app import SmsOutbox, sms_outbox
from ui.mainwindow import MainWindow
from ui.screens import finance as finance_mod
from ui.screens.finance import Decision, FinanceScreen, StageReportScreen
from ui.settings import Settings

CIVIL, ARCH = f"رشته {fmt.discipline('civil')} ", f"رشته {fmt.discipline('arch')} "


def _desk(qtbot, ctx, runner, settle, cls=FinanceScreen):
    w = cls(ctx, runner)
    qtbot.addWidget(w)
    w.resize(1300, 800)
    w.show()
    qtbot.waitExposed(w)
    w.refresh()
    settle()
    return w


def _check_models(qtmodeltester, *panels) -> None:
    for panel in panels:
        qtmodeltester.check(panel.model)
        qtmodeltester.check(panel.proxy)


def _intake(office, disciplines):
    """A walk-in at the counter: documents and drawings done, fees not yet paid."""
    p = projects.register_project(
        office.system,
        ProjectIn(
            plate=f"{next_plate()}/7",
            area=Decimal(180),
            floors=2,  # group A: the shipped tariffs have its fees (F1)
            owners=(OwnerIn(OWNER, mobile="09161234567"),),
            disciplines=tuple(disciplines),
            enforce_p4=False,
        ),
    )
    for kind in projects.required_documents():
        projects.record_document(office.clerk, p.id, kind)
    projects.approve_drawings(office.clerk, p.id)
    return p


def _signed_referral(office, **kw):
    e = office.engineer("E1", **kw)
    p = office.project(area=450)  # Office pays 5,000,000 rials per discipline, approved
    rid = p.referral_ids["civil"]
    office.at("1405-08-23 10:00")
    candidacy.stand(office.as_engineer[e], e, rid)
    office.run("1405-08-23 20:00")
    office.at("1405-08-24 09:00")
    deadlines.record_signature(office.clerk, rid)
    return e, rid


def _status(office, model, row_id):
    with office.base.tx() as s:
        row = s.get(model, row_id)
        return None if row is None else (row.status, row.reason)


def test_F2_owner_payment_approved_at_the_finance_desk_closes_the_P2_gap_reject_needs_reason(
    qtbot, qtmodeltester, office, runner, settle
):
    fees.seed_tariffs(office.admin)  # the shipped 1405 tariffs (group A published)
    p = _intake(office, ("civil", "arch"))
    due = fees.fee_for(office.clerk, p.id, "civil").due_rials  # F1: area × tariff
    assert due == 180 * (1_289_000 + 141_000) == 257_400_000  # civil and the coordinator
    paid = due
    today = local_date(office.clock.now)
    good = projects.record_fee_payment(office.clerk, p.id, "civil", paid, "100100", today, "ملت")
    bad = projects.record_fee_payment(office.clerk, p.id, "arch", 1_000, "100101", today, "ملی")
    gaps = browse.intake_status(office.clerk, p.id).gaps
    assert any(CIVIL in g for g in gaps) and any(ARCH in g for g in gaps)

    w = _desk(qtbot, office.finance, runner, settle)
    assert [f.id for f in w.fees.model.rows] == [good, bad]
    assert w.tabs.tabText(0) == "پرداخت مالکان (۲)"
    _check_models(qtmodeltester, w.fees)
    # the paid amount and the F1 fee side by side, grouped Persian digits
    assert w.fees.model.index(0, 2).data() == fmt.fa_int(paid)
    assert w.fees.model.index(0, 3).data() == "۲۵۷٬۴۰۰٬۰۰۰"  # the F1 fee beside it
    assert w.fees.model.index(0, 4).data() == "کامل"
    assert w.fees.model.index(1, 4).data() != "کامل"  # 1,000 rials do not cover arch

    w.fees.select_row(0)
    assert w.fees.current().id == good and w.fee_decision.approve_button.isEnabled()
    assert fmt.fa_int(paid) in w.fee_detail.text()
    with qtbot.waitSignal(w.decided, timeout=10_000):
        qtbot.mouseClick(w.fee_decision.approve_button, Qt.MouseButton.LeftButton)
    settle()
    assert _status(office, FeePayment, good) == ("approved", "")
    gaps = browse.intake_status(office.clerk, p.id).gaps
    assert not any(CIVIL in g for g in gaps) and any(ARCH in g for g in gaps)  # P2
    assert [f.id for f in w.fees.model.rows] == [bad]
    assert "تأیید شد" in w.fee_decision.message.text()
    assert w.totals.values["fees"].text().startswith(fmt.fa_int(paid))

    # a rejection without a reason is refused inline; the service is never asked
    w.fees.select_row(0)
    qtbot.mouseClick(w.fee_decision.reject_button, Qt.MouseButton.LeftButton)
    settle()
    assert "دلیل" in w.fee_decision.message.text()
    assert "b00020" in w.fee_decision.message.styleSheet()
    assert w.focusWidget() is w.fee_decision.reason
    assert _status(office, FeePayment, bad)[0] == "pending"
    type_text(w.fee_decision.reason, "مبلغ فیش با حساب بانک نمی‌خواند")
    with qtbot.waitSignal(w.decided, timeout=10_000):
        qtbot.keyClick(w.fee_decision.reason, Qt.Key.Key_Return)  # Enter in the reason rejects
    settle()
    assert _status(office, FeePayment, bad) == ("rejected", "مبلغ فیش با حساب بانک نمی‌خواند")
    assert w.fees.model.rowCount() == 0 and w.tabs.tabText(0) == "پرداخت مالکان (۰)"
    assert any(ARCH in g for g in browse.intake_status(office.clerk, p.id).gaps)


def test_F5_membership_renewal_amount_approved_then_paid_and_G3_holds(
    qtbot, qtmodeltester, office, runner, settle
):
    e = office.engineer("E1", paid_through=1404, member_since=1400)
    rid = office.project().referral_ids["civil"]
    office.at("1405-08-23 10:00")
    assert "G3" in {x.rule for x in candidacy.why_not(office.clerk, e, rid)}
    engineers.request_renewal(office.as_engineer[e], e, 1405)

    w = _desk(qtbot, office.finance, runner, settle)
    assert [(r.membership_no, r.year) for r in w.renewals.model.rows] == [("E1", 1405)]
    _check_models(qtmodeltester, w.renewals)
    w.tabs.setCurrentIndex(1)
    w.renewals.select_row(0)
    assert w.approve_renewal_button.isEnabled() and not w.pay_button.isEnabled()
    qtbot.keyClicks(w.renewal_amount, "38x")  # inline, as typed
    assert w.renewal_amount_words.text() == "مبلغ باید عدد باشد"
    w.renewal_amount.clear()
    qtbot.keyClick(w.renewal_amount, Qt.Key.Key_Return)  # empty: refused inline
    assert "مبلغ" in w.renewal_message.text() and not w.to_pay.model.rows
    qtbot.keyClicks(w.renewal_amount, "3850000")
    assert w.renewal_amount_words.text() == "۳٬۸۵۰٬۰۰۰ ریال"
    with qtbot.waitSignal(w.decided, timeout=10_000):
        qtbot.keyClick(w.renewal_amount, Qt.Key.Key_Return)
    settle()
    assert w.renewals.model.rowCount() == 0
    assert [(r.year, r.amount_rials) for r in w.to_pay.model.rows] == [(1405, 3_850_000)]
    _check_models(qtmodeltester, w.to_pay)
    assert "G3" in {x.rule for x in candidacy.why_not(office.clerk, e, rid)}  # not paid yet

    w.to_pay.select_row(0)
    qtbot.mouseClick(w.pay_button, Qt.MouseButton.LeftButton)  # no receipt number: refused
    assert "رسید" in w.renewal_message.text()
    qtbot.keyClicks(w.payment_ref, "IMS-7")
    with qtbot.waitSignal(w.decided, timeout=10_000):
        qtbot.keyClick(w.payment_ref, Qt.Key.Key_Return)
    settle()
    with office.base.tx() as s:
        m = s.scalar(
            select(MembershipYear).where(
                MembershipYear.engineer_id == e, MembershipYear.year == 1405
            )
        )
        assert (m.status, m.amount_rials, m.payment_ref) == ("paid", 3_850_000, "IMS-7")
    assert w.to_pay.model.rowCount() == 0
    assert w.totals.values["members"].text() == "۳٬۸۵۰٬۰۰۰ ریال (۱)"
    assert "G3" not in {x.rule for x in candidacy.why_not(office.clerk, e, rid)}
    candidacy.stand(office.as_engineer[e], e, rid)  # G3 now holds


def test_F3_F4_stage_report_by_clerk_approved_by_finance_in_the_exported_payment_list(
    qtbot, qtmodeltester, office, runner, settle, tmp_path, monkeypatch
):
    e, rid = _signed_referral(office)
    with office.base.tx() as s:
        policy = policy_at(s, office.clock.now)
    assert policy.organization_share == Decimal("0.05")
    assert dict(policy.payout_stages)["permit"] == 50
    split = split_fee(5_000_000, policy.organization_share, stages_of(policy.payout_stages))
    expected = split.stage("permit")
    assert expected == 2_375_000  # (5,000,000 − 5%) × 50%

    # the clerk records the permit stage report
    clerk = _desk(qtbot, office.clerk, runner, settle, StageReportScreen)
    _check_models(qtmodeltester, clerk.due, clerk.history)
    row = next(i for i, r in enumerate(clerk.due.model.rows) if r.referral_id == rid)
    r = clerk.due.model.rows[row]
    assert (r.next_stage, r.fee_rials, r.next_amount_rials) == ("permit", 5_000_000, expected)
    clerk.due.select_row(row)
    assert "۲٬۳۷۵٬۰۰۰ ریال" in clerk.detail.text()
    qtbot.keyClicks(clerk.report_no, "GZ-1")
    with qtbot.waitSignal(clerk.reported, timeout=10_000) as rep:
        qtbot.keyClick(clerk.report_no, Qt.Key.Key_Return)
    settle()
    pid = rep.args[0]
    assert "در انتظار تأیید مالی" in clerk.message.text()
    assert [h.id for h in clerk.history.model.rows] == [pid]
    assert clerk.due.current().next_stage == "foundation"
    assert not [b for b in clerk.findChildren(QPushButton) if b.text() == "تأیید"]

    # finance approves it
    w = _desk(qtbot, office.finance, runner, settle)
    assert [p.id for p in w.payouts.model.rows] == [pid]
    _check_models(qtmodeltester, w.payouts)
    assert w.payouts.model.index(0, 8).data() == "۲٬۳۷۵٬۰۰۰"  # after the Sheba column
    w.tabs.setCurrentIndex(2)
    w.payouts.select_row(0)
    with qtbot.waitSignal(w.decided, timeout=10_000):
        qtbot.mouseClick(w.payout_decision.approve_button, Qt.MouseButton.LeftButton)
    settle()
    with office.base.tx() as s:
        sp = s.get(StagePayout, pid)
        assert (sp.status, sp.amount_rials, sp.fee_rials, sp.percent) == (
            "approved",
            expected,
            5_000_000,
            50,
        )
    assert w.payouts.model.rowCount() == 0
    assert [p.id for p in w.due.model.rows] == [pid]
    _check_models(qtmodeltester, w.due)
    assert "۲٬۳۷۵٬۰۰۰ ریال" in w.due_total.text()
    assert w.totals.values["payouts"].text() == "۲٬۳۷۵٬۰۰۰ ریال"

    # the payment list: the service's bytes, saved where the file dialog says
    target = tmp_path / "payment-list.xlsx"
    monkeypatch.setattr(
        finance_mod.QFileDialog,
        "getSaveFileName",
        staticmethod(lambda *a, **k: (str(target), "")),
    )
    w.tabs.setCurrentIndex(3)
    qtbot.mouseClick(w.export_button, Qt.MouseButton.LeftButton)
    settle()
    assert "ذخیره شد" in w.due_message.text()
    ws = load_workbook(io.BytesIO(target.read_bytes())).active
    assert ws.sheet_view.rightToLeft
    assert ws.cell(2, 11).value == "مبلغ (ریال)"  # after the national code and Sheba
    assert (ws.cell(3, 4).value, ws.cell(3, 8).value, ws.cell(3, 11).value) == (
        "E1",
        "پروانه",
        expected,
    )
    assert ws.cell(4, 11).value == expected  # the total

    # paid with a voucher number (refused inline without one)
    qtbot.mouseClick(w.mark_paid_button, Qt.MouseButton.LeftButton)
    assert "سند" in w.due_message.text()
    qtbot.keyClicks(w.paid_ref, "S-1405-9")
    with qtbot.waitSignal(w.decided, timeout=10_000):
        qtbot.mouseClick(w.mark_paid_button, Qt.MouseButton.LeftButton)
    settle()
    assert w.due.model.rowCount() == 0
    assert w.totals.values["paid"].text() == "۲٬۳۷۵٬۰۰۰ ریال"
    del e


def test_F3_payout_rejection_needs_a_reason_and_the_stage_may_be_reported_again(
    qtbot, office, runner, settle
):
    _e, rid = _signed_referral(office)
    pid = payouts.record_stage_report(office.clerk, rid, "permit", "GZ-1")
    w = _desk(qtbot, office.finance, runner, settle)
    w.payouts.select_row(0)
    qtbot.mouseClick(w.payout_decision.reject_button, Qt.MouseButton.LeftButton)
    settle()
    assert "دلیل" in w.payout_decision.message.text()
    assert _status(office, StagePayout, pid) == ("pending", "")
    type_text(w.payout_decision.reason, "گزارش ناقص")
    with qtbot.waitSignal(w.decided, timeout=10_000):
        qtbot.mouseClick(w.payout_decision.reject_button, Qt.MouseButton.LeftButton)
    settle()
    assert _status(office, StagePayout, pid) is None  # removed: may be reported again
    payouts.record_stage_report(office.clerk, rid, "permit", "GZ-2")


def test_U1_the_clerk_has_no_approve_buttons_and_the_services_refuse_anyway(
    qtbot, office, runner, settle
):
    e, rid = _signed_referral(office)
    pid = payouts.record_stage_report(office.clerk, rid, "permit", "GZ-1")
    p = _intake(office, ("civil",))
    fee = projects.record_fee_payment(
        office.clerk, p.id, "civil", 5_000_000, "10009", local_date(office.clock.now), "ملی"
    )
    e2 = office.engineer("E2", paid_through=1404)
    engineers.request_renewal(office.clerk, e2, 1405)

    win = MainWindow(office.clerk, runner)
    qtbot.addWidget(win)
    settle()
    assert "finance" not in win.screens and "stages" in win.screens
    assert not win.findChildren(Decision) and not win.findChildren(FinanceScreen)
    money = {"تأیید", "رد با دلیل", "تأیید مبلغ", "ثبت پرداخت همه فهرست"}
    assert not [b.text() for b in win.findChildren(QPushButton) if b.text() in money]

    for call in (
        lambda: projects.decide_fee_payment(office.clerk, fee, approve=True),
        lambda: engineers.approve_renewal(office.clerk, e2, 1405, 3_850_000),
        lambda: payouts.decide_payout(office.clerk, pid, approve=True),
        lambda: payouts.mark_paid(office.clerk, [pid], "S-1"),
    ):
        with pytest.raises(RuleViolation) as exc:
            call()
        assert set(exc.value.rules) == {"U1"}
    assert _status(office, FeePayment, fee)[0] == "pending"

    fin = MainWindow(office.finance, runner)
    qtbot.addWidget(fin)
    settle()
    assert next(iter(fin.screens)) == "finance" and "stages" not in fin.screens
    assert fin.tabs.tabText(0) == "میز مالی"
    with pytest.raises(RuleViolation) as exc:
        payouts.record_stage_report(office.finance, rid, "foundation")
    assert set(exc.value.rules) == {"U1"}
    del e


def test_A8_the_outbox_timer_sends_through_the_runner_and_can_be_turned_off(
    qtbot, one_desk, runner, settle, tmp_path
):
    """The one desk sends its own outbox (with an office server, the server's clockwork does:
    tests/web/test_clockwork.py)."""
    office = one_desk
    _signed_referral(office, mobile="09161112233")  # the decision wrote messages to the outbox
    with office.base.tx() as s:
        waiting = len(s.scalars(select(Notification.id)).all())
    assert waiting
    box = SmsOutbox(office.clerk, runner, tmp_path / "data" / "sms.jsonl")  # runs as the system
    qtbot.addWidget(win := MainWindow(office.clerk, runner))
    box.setParent(win)
    assert box.timer.interval() == 60_000
    box.tick()
    settle()
    assert box.last.sent == waiting, box.last
    assert len((tmp_path / "data" / "sms.jsonl").read_text(encoding="utf-8").splitlines()) == (
        waiting
    )
    box.tick()
    settle()
    assert box.last.sent == 0  # never twice
    settings = Settings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    settings.set("sms/timer", "0")
    assert sms_outbox(office.clerk, runner, settings) is None
    settings.set("sms/timer", "1")
    settings.set("sms/file", str(tmp_path / "other.jsonl"))
    on = sms_outbox(office.clerk, runner, settings, win)
    assert on is not None and on.timer.isActive() and str(on.path).endswith("other.jsonl")
    on.timer.stop()


def test_a_payment_decided_meanwhile_on_another_desk_is_said_inline_in_persian(
    qtbot, office, runner, settle
):
    p = _intake(office, ("civil",))
    fee = projects.record_fee_payment(
        office.clerk, p.id, "civil", 5_000_000, "10001", local_date(office.clock.now), "ملی"
    )
    w = _desk(qtbot, office.finance, runner, settle)
    w.fees.select_row(0)
    projects.decide_fee_payment(office.finance, fee, approve=True)  # another finance desk
    qtbot.mouseClick(w.fee_decision.approve_button, Qt.MouseButton.LeftButton)
    settle()
    text = w.fee_decision.message.text()
    assert "پیدا نشد" in text and "b00020" in w.fee_decision.message.styleSheet()
    assert w.fees.model.rowCount() == 0  # reloaded

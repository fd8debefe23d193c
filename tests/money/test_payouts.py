"""F3/F4 staged payouts through the services: clerk reports, finance approves, payment list."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.db.models import StagePayout
from app.domain.errors import InputError
from app.services import candidacy, deadlines, finance, payouts


def _signed_referral(office):
    e = office.engineer("E1")
    p = office.project(area=450)  # Office pays 5,000,000 rials per discipline, approved
    rid = p.referral_ids["civil"]
    office.at("1405-08-23 10:00")
    candidacy.stand(office.as_engineer[e], e, rid)
    office.run("1405-08-23 20:00")
    office.at("1405-08-24 09:00")
    deadlines.record_signature(office.clerk, rid)
    return e, rid


def test_F3_stage_payout_reported_by_clerk_approved_by_finance_and_listed(office, refuse):
    _e, rid = _signed_referral(office)
    pid = payouts.record_stage_report(office.clerk, rid, "permit", "GZ-1")
    row = payouts.list_payouts(office.finance, referral_id=rid)[0]
    assert (row.stage, row.fee_rials, row.percent, row.amount_rials, row.status) == (
        "permit",
        5_000_000,
        50,
        2_375_000,
        "pending",
    )
    assert [p.id for p in finance.pending_approvals(office.finance).payouts] == [pid]
    refuse(payouts.decide_payout, office.clerk, pid, True, rules={"U1"})  # U1: clerk
    refuse(payouts.decide_payout, office.manager, pid, True, rules={"U1"})
    refuse(payouts.mark_paid, office.finance, [pid], "S-1", rules={"F3"})  # not approved yet
    payouts.decide_payout(office.finance, pid, approve=True)
    assert [p.id for p in finance.payouts_due(office.finance)] == [pid]
    data = payouts.payment_list_xlsx(office.finance)
    ws = load_workbook(io.BytesIO(data)).active
    assert ws.cell(3, 2).value and ws.cell(3, 11).value == 2_375_000
    assert payouts.mark_paid(office.finance, [pid], "S-1") == 1
    assert finance.payouts_due(office.finance) == []
    assert finance.day_totals(office.finance).payouts_paid_rials == 2_375_000


def test_F3_stages_in_order_once_each_and_only_for_a_signed_referral(office, refuse):
    e = office.engineer("E1")
    rid = office.project().referral_ids["civil"]
    refuse(payouts.record_stage_report, office.clerk, rid, "permit", rules={"F3"})  # not signed
    _, rid = _signed_referral_again(office)
    refuse(payouts.record_stage_report, office.clerk, rid, "frame", rules={"F3"})
    before = office.row_counts()
    for junk in ("", "  ", "—", "x" * 41):  # the payout is traced by the report's number
        with pytest.raises(InputError) as err:
            payouts.record_stage_report(office.clerk, rid, "permit", junk)
        assert err.value.field == "report_no"
    assert office.row_counts() == before
    payouts.record_stage_report(office.clerk, rid, "permit", "GZ-2")
    refuse(payouts.record_stage_report, office.clerk, rid, "permit", rules={"F3"})
    refuse(payouts.record_stage_report, office.finance, rid, "foundation", rules={"U1"})
    del e


def _signed_referral_again(office):
    e = office.engineer("E2")
    p = office.project(area=450)
    rid = p.referral_ids["civil"]
    office.at("1405-08-23 10:00")
    candidacy.stand(office.as_engineer[e], e, rid)
    office.run("1405-08-23 20:00")
    office.at("1405-08-24 09:00")
    deadlines.record_signature(office.clerk, rid)
    return e, rid


def test_F4_all_six_stages_and_the_organization_add_up_to_the_fee(office):
    _, rid = _signed_referral(office)
    ids = [
        payouts.record_stage_report(office.clerk, rid, st, f"GZ-{st}")
        for st in ("permit", "foundation", "frame", "rough", "finishing", "completion")
    ]
    with office.base.tx() as s:
        rows = s.scalars(select(StagePayout).where(StagePayout.id.in_(ids))).all()
        total = sum(r.amount_rials for r in rows)
        assert all(isinstance(r.amount_rials, int) for r in rows)
    assert total == 4_750_000 and 5_000_000 - total == 250_000  # 5% to the organization
    rejected = ids[-1]
    payouts.decide_payout(office.finance, rejected, approve=False, reason="گزارش ناقص")
    payouts.record_stage_report(office.clerk, rid, "completion", "GZ-9")  # again, fixed


def test_F1_F3_F4_the_coordinators_fee_is_paid_out_to_the_coordinating_supervisor(office):
    """The owner pays the coordinator's fee with the civil fee; the civil supervisor (the
    coordinator) is paid it in the same stages; organization + discipline + coordinator ==
    what was paid, exactly, and the split is frozen by the first report."""
    from decimal import Decimal

    from app.services import fees, projects
    from app.services.dto import OwnerIn, ProjectIn
    from support import OWNER, next_plate

    fees.seed_tariffs(office.admin, ("fars-1405",))
    e = office.engineer("E1")
    p = projects.register_project(
        office.system,
        ProjectIn(
            plate=f"{next_plate()}/1",
            area=Decimal(180),
            floors=2,
            owners=(OwnerIn(OWNER, mobile="09161234567"),),
            disciplines=("civil",),
            enforce_p4=False,
        ),
    )
    due = fees.fee_for(office.clerk, p.id, "civil")
    assert due.coordinator_rials == 180 * 141_000
    office.intake_paid(p.id, {"civil": due.due_rials})
    projects.mark_ready(office.clerk, p.id)
    rid = p.referral_ids["civil"]
    office.at("1405-08-23 10:00")
    candidacy.stand(office.as_engineer[e], e, rid)
    office.run("1405-08-23 20:00")
    office.at("1405-08-24 09:00")
    deadlines.record_signature(office.clerk, rid)
    for stage in ("permit", "foundation", "frame", "rough", "finishing", "completion"):
        payouts.record_stage_report(office.clerk, rid, stage, f"GZ-{stage}")
    with office.base.tx() as s:
        rows = list(s.scalars(select(StagePayout).where(StagePayout.referral_id == rid)))
    paid = due.due_rials
    assert {r.fee_rials for r in rows} == {paid}
    assert {r.coordinator_rials for r in rows} == {180 * 141_000}
    from app.domain.money import Stage, split_fee

    split = split_fee(
        paid,
        "0.05",
        [Stage(r.stage, r.percent) for r in sorted(rows, key=lambda r: r.seq)],
        180 * 141_000,
    )
    assert sum(r.amount_rials for r in rows) == split.supervisor_total
    assert split.organization + split.discipline_total + split.coordinator == paid
    assert split.coordinator == 180 * 141_000 * 95 // 100


def test_F3_F4_payout_detail_adds_up_as_written():
    """fee → the organization's 5% → the supervisor's share → the stage's percent → rounded
    down to a rial; each line an exact expression (checked by `_check_lines`)."""
    from app.domain.payout_words import payout_sentence, payout_steps

    steps = payout_steps(1_045_466_000, "0.05", 50, 496_596_350)
    assert [label for label, _ in steps][1].startswith("سهم سازمان از حق‌الزحمه (۵٪)")
    assert steps[0][1] == "۱٬۰۴۵٬۴۶۶٬۰۰۰ ریال"
    assert steps[2][1] == "\u200f\u2066۱٬۰۴۵٬۴۶۶٬۰۰۰ − ۵۲٬۲۷۳٬۳۰۰\u2069 = ۹۹۳٬۱۹۲٬۷۰۰ ریال"
    assert steps[-1][1] == "۴۹۶٬۵۹۶٬۳۵۰ ریال"
    assert "۹۹۳٬۱۹۲٬۷۰۰" in payout_sentence(1_045_466_000, "0.05", 50, 496_596_350)
    _check_lines(steps)


def _check_lines(steps) -> None:
    """Every `a op b = c` in the lines holds exactly; the operation `a op b` is inside a
    left-to-right isolate (the minus sign before its number in a right-to-left line) and its
    result follows it with the unit after the result (`= c ریال`: read from the right, «ریال»
    qualifies the result, never drawn beside the first operand); no unexplained «…»."""
    import re
    from decimal import Decimal

    from app.domain.calendar import latin_digits

    def num(t: str) -> Decimal:
        return Decimal(latin_digits(t).replace("٬", "").replace("٫", ".").strip())

    for _label, value in steps:
        assert "…" not in value
        if "=" not in value:
            continue
        assert "\u2066" in value and "\u2069" in value  # isolated
        inner = value[value.index("\u2066") + 1 : value.index("\u2069")]
        m = re.fullmatch(r"(.+?) ([−×+]) (.+?)", inner)
        assert m, inner
        a, op, b = m.groups()
        after = re.fullmatch(r" = ([۰-۹٬٫]+) ریال", value[value.index("\u2069") + 1 :])
        assert after, value
        c = after.group(1)
        if op == "×":
            got = num(a) * num(b.rstrip("٪")) / 100
        elif op == "−":
            got = num(a) - num(b)
        else:
            got = num(a) + num(b)
        assert got == num(c), inner


def test_F4_payout_detail_every_line_adds_up_on_generated_cases():
    """The review's cases (a rounding remainder, a coordinator's fee) and generated ones: every
    line's arithmetic holds, the rounding is a line of its own, the last line is the amount."""
    import random

    from app.domain.money import Stage, split_fee
    from app.domain.payout_words import payout_steps, rials

    stages = (Stage("permit", 50), Stage("foundation", 10), Stage("frame", 40))
    cases = [(300_552_956, 0), (1_139_589_908 * 2 // 1 + 1, 0), (1_200_000_001, 150_000_007)]
    rnd = random.Random(15)
    cases += [(rnd.randrange(1, 10**10), 0) for _ in range(60)]
    cases += [(f, rnd.randrange(0, f)) for f in (rnd.randrange(1, 10**10) for _ in range(60))]
    for fee, coord in cases:
        for share in ("0.05", "0.075", "0.1"):
            split = split_fee(fee, share, stages, coord)
            for st in stages:
                steps = payout_steps(fee, share, st.percent, split.stage(st.name), coord)
                _check_lines(steps)
                assert steps[-1][1].endswith(rials(split.stage(st.name))) or steps[-1][1].endswith(
                    f"{rials(split.stage(st.name))}".replace(" ریال", "") + "\u2069 ریال"
                )
                assert not any(label == "مبلغ ثبت‌شده" for label, _ in steps)
    # the review's: 300,552,956 at 5%: the organization's share is not a whole rial; said
    steps = payout_steps(300_552_956, "0.05", 50, 142_762_654)
    assert any("گرد به پایین" in label for label, _ in steps)


def test_F3_bank_group_transfer_by_sheba(office):
    """The payment list names each supervisor's Sheba number and national code; the bank's
    group-transfer sheet is refused while one is missing, then pays by Sheba."""
    import pytest

    from app.domain.errors import InputError
    from app.services import engineers

    e, rid = _signed_referral(office)
    pid = payouts.record_stage_report(office.clerk, rid, "permit", "GZ-1")
    payouts.decide_payout(office.finance, pid, approve=True)
    with pytest.raises(InputError) as exc:
        payouts.transfer_sheet_xlsx(office.finance)
    assert exc.value.field == "iban" and "E1" in exc.value.message
    with pytest.raises(InputError):  # a wrong check digit is refused at the desk
        engineers.set_iban(office.finance, e, "IR062960000000100324200002")
    engineers.set_iban(office.finance, e, "ir06 2960 0000 0010 0324 2000 01")
    (t,) = payouts.transfers_due(office.finance)
    assert (t.iban, t.amount_rials, t.membership_no) == (
        "IR062960000000100324200001",
        2_375_000,
        "E1",
    )
    ws = load_workbook(io.BytesIO(payouts.transfer_sheet_xlsx(office.finance))).active
    assert [c.value for c in ws[1]][:3] == ["ردیف", "شماره شبا", "مبلغ (ریال)"]
    assert (ws.cell(2, 2).value, ws.cell(2, 3).value) == ("IR062960000000100324200001", 2_375_000)
    listed = load_workbook(io.BytesIO(payouts.payment_list_xlsx(office.finance))).active
    assert listed.cell(3, 7).value == "IR062960000000100324200001"


def test_U1_U2_only_finance_changes_a_payees_sheba_any_digits_and_the_trail_keeps_it_masked(
    office, refuse
):
    """A payee's bank account is finance's (U1): not the clerk's, not through the general edit
    of the file. `IR` + 24 digits in any digit script with the mod 97-10 check, refused in
    Persian naming the field; the audit trail keeps the old and the new number masked (U2)."""
    import pytest

    from app.db.models import AuditEntry, Engineer
    from app.domain.errors import InputError
    from app.services import browse, engineers

    e = office.engineer("E1")
    good = "IR062960000000100324200001"
    refuse(engineers.set_iban, office.clerk, e, good, rules={"U1"})
    refuse(engineers.set_iban, office.admin, e, good, rules={"U1"})
    refuse(engineers.update_engineer, office.clerk, e, {"iban": good}, rules={"U1"})
    for bad, why in (
        ("IR062960000000100324200002", "رقم کنترل"),  # one digit off
        ("IR06296000000010032420000", "۲۴ رقم"),  # 23 digits
        ("DE89370400440532013000", "IR"),  # another country
        ("IR06-2960-0000-0010-0324-2000-0X", "۲۴ رقم"),
    ):
        with pytest.raises(InputError) as exc:
            engineers.set_iban(office.finance, e, bad)
        assert exc.value.field == "iban"
        assert exc.value.message.startswith("شماره شبا نادرست است") and why in exc.value.message
    with office.base.tx() as s:
        assert s.get(Engineer, e).iban is None  # a refusal changes nothing (U3)
        assert not s.scalars(select(AuditEntry).where(AuditEntry.action == "engineer.iban")).all()
    # Persian digits, spaces, lower case: one number
    assert engineers.set_iban(office.finance, e, "ir۰۶ ۲۹۶۰ ۰۰۰۰ ۰۰۱۰ ۰۳۲۴ ۲۰۰۰ ۰۱") == good
    # Arabic-Indic digits and dashes: the next account
    other = "IR820540102680020817909002"
    assert engineers.set_iban(office.finance, e, "IR٨٢-٠٥٤٠-١٠٢٦-٨٠٠٢-٠٨١٧-٩٠٩٠-٠٢") == other
    assert engineers.set_iban(office.finance, e, other) == other  # unchanged: no new line
    with office.base.tx() as s:
        assert s.get(Engineer, e).iban == other
        lines = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "engineer.iban").order_by(AuditEntry.id)
        ).all()
        assert [(a.actor, a.before, a.after) for a in lines] == [
            ("fin", {"iban": None}, {"iban": "IR06******************0001"}),
            ("fin", {"iban": "IR06******************0001"}, {"iban": "IR82******************9002"}),
        ]
        every = s.scalars(select(AuditEntry)).all()
        assert not [a for a in every if good in str(a.after) or other in str(a.before)]
    # finance reads it whole; the rest of the office masked
    assert browse.engineer_file(office.finance, e).iban == other
    assert browse.engineer_file(office.clerk, e).iban == "IR82******************9002"
    # registered with one (the member's own data): the trail keeps it masked too
    e2 = office.engineer("E2", iban=good)
    with office.base.tx() as s:
        reg = s.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "engineer.register", AuditEntry.entity_id == str(e2)
            )
        ).one()
        assert reg.after["iban"] == "IR06******************0001"
    # empty removes it (audited too)
    assert engineers.set_iban(office.finance, e, " ") is None
    with office.base.tx() as s:
        assert s.get(Engineer, e).iban is None


def test_exported_sheets_write_days_as_the_office_does(office):
    """A day in a sheet's title or text cell is ۱۴۰۵/۰۸/۲۴ (Persian digits, slashes), never
    «1405-08-24»; amounts stay numbers."""
    from datetime import date

    from app.services import engineers, projects

    e, rid = _signed_referral(office)
    pid = payouts.record_stage_report(office.clerk, rid, "permit", "GZ-1")
    payouts.decide_payout(office.finance, pid, approve=True)
    engineers.set_iban(office.finance, e, "IR062960000000100324200001")
    listed = load_workbook(io.BytesIO(payouts.payment_list_xlsx(office.finance))).active
    assert listed.cell(1, 1).value == "فهرست پرداخت حق‌الزحمه نظارت — ۱۴۰۵/۰۸/۲۴"
    assert isinstance(listed.cell(3, 11).value, int)
    wb = load_workbook(io.BytesIO(payouts.transfer_sheet_xlsx(office.finance)))
    assert [c.value for c in wb["جمع"][1]] == ["روز", "۱۴۰۵/۰۸/۲۴"]
    p = office.project()
    projects.record_fee_payment(
        office.clerk, p.id, "civil", 1_000, "10005", date(2026, 11, 1), "ملت"
    )
    ws = load_workbook(io.BytesIO(finance.approvals_xlsx(office.finance))).active
    days = [row[6].value for row in ws.iter_rows(min_row=2)]
    assert "۱۴۰۵/۰۸/۱۰" in days and not any("-" in str(d) for d in days)

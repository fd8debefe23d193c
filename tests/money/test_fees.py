"""F1 tariffs (versioned, administrator only), F2 owner payments decided by finance only, and
P2 waiting for approved payments that cover area × tariff."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from app.domain.calendar import local_date, parse_jalali_date
from app.services import fees, finance, projects
from app.services.dto import OwnerIn, ProjectIn
from support import OWNER, next_plate


def _project(office, area=450, disciplines=("civil",)):
    return projects.register_project(
        office.clerk,
        ProjectIn(
            plate=f"{next_plate()}/1",
            area=Decimal(area),
            floors=2,
            owners=(OwnerIn(OWNER, mobile="09161234567"),),
            disciplines=disciplines,
            enforce_p4=False,
        ),
    )


def _counter(office, pid, disciplines=("civil",)):
    for kind in projects.required_documents():
        projects.record_document(office.clerk, pid, kind)
    projects.approve_drawings(office.clerk, pid)


def test_F1_U1_only_an_administrator_sets_tariffs_and_versions_are_kept(office, refuse):
    eff = parse_jalali_date("1405-01-01")
    refuse(fees.set_tariff, office.clerk, 1405, "A", "civil", 1, eff, rules={"U1"})
    refuse(fees.set_tariff, office.finance, 1405, "A", "civil", 1, eff, rules={"U1"})
    assert fees.seed_tariffs(office.admin) == 5
    assert fees.seed_tariffs(office.admin) == 0
    later = parse_jalali_date("1405-09-01")
    fees.set_tariff(office.admin, 1405, "A", "civil", 1_400_000, later, source="مصوبه")
    table = {(r.group, r.discipline): r for r in fees.tariff_table(office.base)}
    assert table[("A", "civil")].rials_per_m2 == 1_289_000  # 1405-08-23: the new one not yet
    assert table[("B", "civil")].status == "to_fill"
    on_later = {(r.group, r.discipline): r for r in fees.tariff_table(office.base, later)}
    assert on_later[("A", "civil")].rials_per_m2 == 1_400_000


def test_F1_fee_of_a_discipline_is_area_times_the_tariff(office):
    fees.seed_tariffs(office.admin)
    p = _project(office, area=450, disciplines=("civil", "arch"))
    assert fees.fee_for(office.clerk, p.id, "civil").fee_rials == 450 * 1_289_000
    assert fees.fee_for(office.clerk, p.id, "arch").fee_rials == 450 * 1_120_000


def test_F2_U1_clerk_records_only_finance_decides_with_a_reason(office, refuse):
    p = _project(office)
    fid = projects.record_fee_payment(
        office.clerk, p.id, "civil", 1000, "1009", date(2026, 11, 1), "ملی"
    )
    refuse(
        projects.record_fee_payment,
        office.finance,
        p.id,
        "civil",
        1,
        "T",
        date.today(),
        rules={"U1"},
    )
    refuse(projects.decide_fee_payment, office.clerk, fid, True, rules={"U1"})
    refuse(projects.decide_fee_payment, office.manager, fid, True, rules={"U1"})
    refuse(projects.decide_fee_payment, office.admin, fid, True, rules={"U1"})
    pend = finance.pending_approvals(office.finance)
    assert [f.id for f in pend.fees] == [fid]
    projects.decide_fee_payment(office.finance, fid, approve=False, reason="رسید ناخوانا")
    assert finance.pending_approvals(office.finance).fees == []
    assert finance.day_totals(office.finance).fees_rejected_count == 1


def test_F1_P2_waits_until_approved_payments_cover_the_fee(office, refuse):
    fees.seed_tariffs(office.admin)
    p = _project(office, area=100)
    _counter(office, p.id)
    fee = 100 * 1_289_000
    today = local_date(office.clock.now)
    part = projects.record_fee_payment(office.clerk, p.id, "civil", fee - 1, "10001", today, "ملی")
    projects.decide_fee_payment(office.finance, part, approve=True)
    refuse(projects.mark_ready, office.clerk, p.id, rules={"P2"})
    with office.base.tx() as s:
        from app.db.models import Project

        gaps = projects.p2_gaps(s, s.get(Project, p.id))
    assert len(gaps) == 1 and "F1" in gaps[0]
    rest = projects.record_fee_payment(office.clerk, p.id, "civil", 1, "10002", today, "ملی")
    refuse(projects.mark_ready, office.clerk, p.id, rules={"P2"})  # pending is not enough
    projects.decide_fee_payment(office.finance, rest, approve=True)
    assert projects.mark_ready(office.clerk, p.id).status == "distribution"
    totals = finance.day_totals(office.finance)
    assert totals.fees_approved_rials == fee and totals.fees_approved_count == 2


def test_F1_without_a_tariff_row_any_approved_payment_satisfies_P2(office):
    p = _project(office)  # no tariffs loaded in this database: the rule as before
    _counter(office, p.id)
    fid = projects.record_fee_payment(
        office.clerk, p.id, "civil", 5, "10003", date(2026, 11, 1), "ملی"
    )
    projects.decide_fee_payment(office.finance, fid, approve=True)
    assert projects.mark_ready(office.clerk, p.id).status == "distribution"


def test_F2_finance_desk_lists_pending_payments_with_the_F1_fee_and_exports_them(office):
    import io

    from openpyxl import load_workbook

    fees.seed_tariffs(office.admin)
    p = _project(office, area=200)
    fid = projects.record_fee_payment(
        office.clerk, p.id, "civil", 257_800_000, "10005", date(2026, 11, 1), bank="ملت"
    )
    (row,) = finance.pending_approvals(office.finance).fees
    assert (row.id, row.amount_rials, row.fee_rials, row.bank) == (
        fid,
        257_800_000,
        257_800_000,
        "ملت",
    )
    ws = load_workbook(io.BytesIO(finance.approvals_xlsx(office.finance))).active
    assert ws.cell(2, 3).value == 257_800_000 and ws.cell(2, 4).value == 257_800_000
    projects.decide_fee_payment(office.finance, fid, approve=True)
    totals = finance.day_totals(office.finance)
    assert totals.fees_approved_rials == 257_800_000
    assert totals.organization_share_rials == 12_890_000  # F3: 5%


def test_F1_a_migrated_desk_database_ships_the_published_1405_group_A_row(db_url):
    from app.db.migrate import open_database
    from app.services.context import ServiceContext

    ctx = ServiceContext(open_database(db_url))
    table = {(r.group, r.discipline): r for r in fees.tariff_table(ctx, date(2026, 11, 14))}
    assert table[("A", "civil")].rials_per_m2 == 1_289_000
    assert table[("A", "coord")].rials_per_m2 == 141_000
    assert table[("A", "civil")].status == "published"
    assert table[("A", "survey")].status == "to_fill"
    assert table[("C", "arch")].rials_per_m2 is None

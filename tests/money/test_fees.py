"""F1 tariffs (tables by year with their source and activation date, rows by group and floor
band, administrator only), F2 owner payments decided by finance only, and P2 waiting for
approved payments that cover billable area × tariff and the coordinator's fee."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from app.domain.calendar import local_date, parse_jalali_date
from app.services import fees, finance, projects
from app.services.dto import OwnerIn, ProjectIn
from support import OWNER, next_plate


def _project(office, area=450, disciplines=("civil",)):
    return projects.register_project(
        office.system,
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


def test_F1_U1_only_an_administrator_sets_tariffs_and_tables_are_kept(office, refuse):
    eff = parse_jalali_date("1405-01-01")
    refuse(fees.set_tariff, office.clerk, 1405, "A", "civil", 1, eff, rules={"U1"})
    refuse(fees.set_tariff, office.finance, 1405, "A", "civil", 1, eff, rules={"U1"})
    assert fees.seed_tariffs(office.admin) == 5 + 35  # Fars 1405 group A, Tehran 1403 whole
    assert fees.seed_tariffs(office.admin) == 0
    later = parse_jalali_date("1405-09-01")
    fees.set_tariff(office.admin, 1405, "A", "civil", 1_400_000, later, source="مصوبه", band="1-2")
    table = {(r.group, r.band, r.discipline): r for r in fees.tariff_table(office.base)}
    assert table[("A", "1-2", "civil")].rials_per_m2 == 1_289_000  # 1405-08-23: not yet
    assert table[("B", "3-5", "civil")].status == "to_fill"  # the 1405 table has no row B
    on_later = {(r.group, r.band, r.discipline): r for r in fees.tariff_table(office.base, later)}
    assert on_later[("A", "1-2", "civil")].rials_per_m2 == 1_400_000
    # the table in force applies whole: a cell the new table lacks is not the old table's
    assert on_later[("A", "1-2", "arch")].status == "to_fill"
    in_1404 = {
        (r.group, r.band, r.discipline): r
        for r in fees.tariff_table(office.base, parse_jalali_date("1404-06-01"))
    }
    assert in_1404[("C", "8-10", "civil")].rials_per_m2 == 846_000  # Tehran 1403
    assert in_1404[("C", "8-10", "survey")].status == "to_fill"  # no published amount
    tables = fees.tariff_tables(office.base)
    assert [(t.year, t.status) for t in tables] == [
        (1403, "published"),
        (1405, "published"),
        (1405, "published"),
    ]
    assert tables[0].missing == 21  # the columns the office enters: survey, urban, traffic


def test_F1_urban_planning_and_traffic_are_priced_by_a_rate_the_office_enters(office):
    """A published table has no urban or traffic column: the office enters one (as for
    surveying), and the fee is then the area × that rate, marked entered on the papers;
    before, the fee is unknown (finance's approval decides it)."""
    from app.demo.office import DEMO_ORGANIZATION
    from app.services import documents, organization

    organization.save_organization_settings(office.admin, DEMO_ORGANIZATION)
    fees.seed_tariffs(office.admin, ("tehran-1403",))
    p = _project(office, area=450, disciplines=("civil", "urban", "traffic"))
    assert fees.fee_for(office.clerk, p.id, "urban").fee_rials is None
    on = parse_jalali_date("1403-01-01")
    fees.set_tariff(office.admin, 1403, "A", "urban", 250_000, on, band="1-2")
    fees.set_tariff(office.admin, 1403, "A", "traffic", 240_000, on, band="1-2")
    urban = fees.fee_for(office.clerk, p.id, "urban")
    assert urban.fee_rials == 450 * 250_000 and urban.rials_per_m2 == 250_000
    assert fees.fee_for(office.clerk, p.id, "traffic").fee_rials == 450 * 240_000
    lines = {f.discipline: f for f in documents.receipt_dto(office.clerk, p.id).fees}
    assert lines["urban"].rate_entered and lines["traffic"].rate_entered
    assert not lines["civil"].rate_entered


def test_F1_fee_of_a_discipline_is_billable_area_times_the_tariff(office):
    fees.seed_tariffs(office.admin)
    p = _project(office, area=450, disciplines=("civil", "arch"))
    civil = fees.fee_for(office.clerk, p.id, "civil")
    assert civil.fee_rials == 450 * 1_289_000 and (civil.group, civil.band) == ("A", "1-2")
    assert civil.coordinator_rials == 450 * 141_000  # the coordinator's fee rides civil
    assert civil.due_rials == 450 * (1_289_000 + 141_000)
    arch = fees.fee_for(office.clerk, p.id, "arch")
    assert arch.fee_rials == 450 * 1_120_000 and arch.coordinator_rials == 0
    small = _project(office, area=60, disciplines=("arch",))
    arch_only = fees.fee_for(office.clerk, small.id, "arch")
    assert arch_only.billable_m2 == 100  # at least 100 m² (policy)
    assert arch_only.due_rials == 100 * (1_120_000 + 141_000)  # no civil: the architect


def test_F1_the_table_in_force_when_the_file_was_registered_applies_for_its_life(office):
    fees.seed_tariffs(office.admin, ("fars-1405",))
    p = _project(office, area=200)
    before = fees.fee_for(office.clerk, p.id, "civil").fee_rials
    office.at("1405-09-10 09:00")
    fees.set_tariff(
        office.admin, 1405, "A", "civil", 2_000_000, parse_jalali_date("1405-09-05"), "مصوبه"
    )
    assert fees.fee_for(office.clerk, p.id, "civil").fee_rials == before == 200 * 1_289_000
    later = _project(office, area=200)
    assert fees.fee_for(office.clerk, later.id, "civil").fee_rials == 200 * 2_000_000


def test_F1_a_file_whose_group_came_from_its_area_takes_its_groups_first_band(office):
    fees.seed_tariffs(office.admin, ("tehran-1403",))
    office.at("1404-03-01 09:00")
    # 2 floors but 700 m²: group B by area → B's row (3–5 floors)
    p = projects.register_project(
        office.system,
        ProjectIn(
            plate=f"{next_plate()}/1",
            area=Decimal(700),
            floors=2,
            owners=(OwnerIn(OWNER, mobile="09161234567"),),
            disciplines=("arch",),
            enforce_p4=False,
        ),
    )
    due = fees.fee_for(office.clerk, p.id, "arch")
    assert (due.group, due.band, due.rials_per_m2) == ("B", "3-5", 564_912)


def test_F1_fee_quote_before_the_file_is_registered(office):
    fees.seed_tariffs(office.admin, ("tehran-1403",))
    office.at("1404-03-01 09:00")
    quote = fees.fee_quote(office.base, Decimal(1500), 7)  # anyone may ask (public tariff)
    assert [q.discipline for q in quote] == ["arch", "civil", "mech", "elec", "survey"]
    civil = next(q for q in quote if q.discipline == "civil")
    assert (civil.group, civil.band) == ("C", "6-7")
    assert civil.fee_rials == 1500 * 744_480 and civil.coordinator_rials == 1500 * 132_000
    assert next(q for q in quote if q.discipline == "survey").fee_rials is None
    mine = fees.fee_quote(office.base, Decimal(90), 1, ("arch",))
    assert mine[0].billable_m2 == 100 and mine[0].due_rials == 100 * (475_200 + 60_000)


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
    fee = 100 * (1_289_000 + 141_000)  # civil, and the coordinator's fee with it
    today = local_date(office.clock.now)
    part = projects.record_fee_payment(office.clerk, p.id, "civil", fee - 1, "10001", today, "ملی")
    projects.decide_fee_payment(office.finance, part, approve=True)
    refuse(projects.mark_ready, office.clerk, p.id, rules={"P2"})
    with office.base.tx() as s:
        from app.db.models import Project

        gaps = projects.p2_gaps(s, s.get(Project, p.id))
    assert len(gaps) == 1 and "F1" in gaps[0]
    # amounts as a Persian reader writes them: Persian digits, the Persian thousands separator
    assert "تعرفه ۱۴۳٬۰۰۰٬۰۰۰ ریال با حق‌الزحمه ناظر هماهنگ‌کننده ۱۴٬۱۰۰٬۰۰۰ ریال" in gaps[0]
    assert "تأییدشده ۱۴۲٬۹۹۹٬۹۹۹ ریال (F1)" in gaps[0]
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
    due = 200 * (1_289_000 + 141_000)  # F1: civil and the coordinator's fee
    assert (row.id, row.amount_rials, row.fee_rials, row.bank) == (fid, 257_800_000, due, "ملت")
    ws = load_workbook(io.BytesIO(finance.approvals_xlsx(office.finance))).active
    assert ws.cell(2, 3).value == 257_800_000 and ws.cell(2, 4).value == due
    projects.decide_fee_payment(office.finance, fid, approve=True)
    totals = finance.day_totals(office.finance)
    assert totals.fees_approved_rials == 257_800_000
    assert totals.organization_share_rials == 12_890_000  # F3: 5%


def test_F1_a_migrated_desk_database_ships_the_published_1405_group_A_row(db_url):
    from app.db.migrate import open_database
    from app.services.context import ServiceContext

    ctx = ServiceContext(open_database(db_url))
    table = {(r.group, r.band, r.discipline): r for r in fees.tariff_table(ctx, date(2026, 11, 14))}
    assert table[("A", "1-2", "civil")].rials_per_m2 == 1_289_000
    assert table[("A", "1-2", "coord")].rials_per_m2 == 141_000
    assert table[("A", "1-2", "civil")].status == "published"
    assert table[("A", "1-2", "survey")].status == "to_fill"
    assert table[("C", "8-10", "arch")].rials_per_m2 is None
    (t,) = fees.tariff_tables(ctx)
    assert (t.year, t.effective_from, t.status) == (1405, date(2026, 3, 21), "published")

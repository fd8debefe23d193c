"""Members import from an IMS export (.xlsx or .csv): a validation report in Persian, and a bad
row never half-imports."""

from __future__ import annotations

import io

from openpyxl import Workbook
from sqlalchemy import func, select

from app.db.models import Competence, Engineer, Licence
from app.services import members_import

HEADER = [
    "شماره عضویت",
    "کد ملی",
    "نام",
    "نام خانوادگی",
    "تلفن همراه",
    "رشته",
    "پایه",
    "شماره پروانه",
    "اعتبار پروانه",
    "عضویت تا سال",
]
GOOD = [
    "12-100",
    "0013542419",
    "علی",
    "رضایی",
    "09121234567",
    "عمران",
    "1",
    "P-1",
    "1407/01/31",
    "1405",
]


def _csv(rows):
    return "\n".join(",".join(r) for r in rows).encode("utf-8")


def _xlsx(rows):
    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _counts(office):
    with office.base.tx() as s:
        return tuple(
            s.scalar(select(func.count()).select_from(t)) for t in (Engineer, Competence, Licence)
        )


def test_import_members_from_csv_with_a_row_field_reason_report(office, refuse):
    bad_code = ["12-101", "0013542418", "مریم", "احمدی", "", "arch", "2", "", "", "1405"]
    bad_grade = ["12-102", "0084575948", "رضا", "کریمی", "", "mech", "7", "", "", ""]
    bad_date = ["12-103", "1111111111", "", "کاظمی", "", "elec", "3", "", "1407/13/40", ""]
    before = _counts(office)
    rep = members_import.import_members(
        office.clerk, _csv([HEADER, GOOD, bad_code, bad_grade, bad_date, GOOD]), "ims.csv"
    )
    assert rep.added == ["12-100"] and rep.rows == 5
    probs = {(p.row, p.field) for p in rep.problems}
    assert (3, "کد ملی") in probs
    assert (4, "پایه") in probs
    assert {(5, "نام"), (5, "اعتبار پروانه")} <= probs
    assert (6, "شماره عضویت") in probs  # the same member twice in one file
    assert all(any("\u0600" <= c <= "\u06ff" for c in p.reason) for p in rep.problems)
    # only the good row's engineer, competence and licence were written: nothing half-imported
    assert _counts(office) == (before[0] + 1, before[1] + 1, before[2] + 1)
    again = members_import.import_members(office.admin, _csv([HEADER, GOOD]), "ims.csv")
    assert again.skipped == ["12-100"] and again.added == []
    refuse(members_import.import_members, office.finance, b"", "x.csv", rules={"U1"})


def test_a_row_is_reported_with_every_field_the_counter_refuses(office):
    """A bad national code and a bad mobile in one row: both named, so the clerk mends the
    row once (the counter's checks stop at the first; the import asks again past it)."""
    row = ["12-300", "0013542418", "علی", "رضایی", "0916abc4567", "عمران", "1", "", "", ""]
    rep = members_import.import_members(office.clerk, _csv([HEADER, row]), "ims.csv")
    assert rep.added == []
    assert sorted(p.field for p in rep.problems) == sorted(["کد ملی", "تلفن همراه"])


def test_import_members_from_xlsx(office):
    other = ["12-200", "0084575948", "سارا", "نوری", "", "arch", "ارشد", "", "", "1405"]
    rep = members_import.import_members(office.admin, _xlsx([HEADER, GOOD, other]), "ims.xlsx")
    assert rep.added == ["12-100", "12-200"] and rep.problems == []
    with office.base.tx() as s:
        e = s.scalar(select(Engineer).where(Engineer.membership_no == "12-100"))
        # «عضویت تا سال» is not read: membership is paid only through the F5 flow (seed 000)
        assert (e.first_name, e.membership_paid_through, e.mobile) == ("علی", None, "09121234567")
        assert e.base_score == 0
    assert "F5" in rep.notes[0] and rep.finished


def test_G3_F5_an_import_never_makes_a_member_G3_valid(office):
    """Paid-through and score columns are ignored: G3 holds only after renewal → finance's
    approval → payment (seed 000)."""
    from app.services import candidacy

    header = [*HEADER, "امتیاز"]
    rep = members_import.import_members(office.admin, _csv([header, [*GOOD, "900"]]), "ims.csv")
    with office.base.tx() as s:
        e = s.scalar(select(Engineer).where(Engineer.membership_no == "12-100"))
        assert e.membership_paid_through is None and e.base_score == 0
    assert "G3" in {w.rule for w in candidacy.cartable_blocks(office.base, e.id)}
    assert rep.added == ["12-100"]


def test_import_is_set_based_reports_progress_and_reports_when_stopped(office):
    rows = [HEADER] + [
        [
            f"9-{i}",
            _code(f"{100000000 + i * 7919:09d}"[:9]),
            "علي",
            "كريمي",
            "",
            "civil",
            "2",
            "",
            "",
            "",
        ]
        for i in range(5)
    ]
    seen = []
    members_import.BATCH, old = 2, members_import.BATCH
    report = members_import.ImportReport()

    def progress(done, total):
        seen.append((done, total))
        if done == 2:
            raise KeyboardInterrupt

    try:
        members_import.import_members(office.admin, _csv(rows), "x.csv", progress, report)
    except KeyboardInterrupt:
        pass
    finally:
        members_import.BATCH = old
    assert seen == [(0, 5), (2, 5)] and report.added == ["9-0", "9-1"] and not report.finished
    assert "نیمه‌کاره" in report.as_text()
    with office.base.tx() as s:  # the committed batch stays; names stored as one Persian text
        names = s.execute(
            select(Engineer.first_name, Engineer.last_name).where(
                Engineer.membership_no.in_(["9-0", "9-1", "9-2"])
            )
        ).all()
    assert names == [("علی", "کریمی"), ("علی", "کریمی")]
    from app.services.audit_trail import verify_chain

    assert verify_chain(office.admin).first_broken is None  # U2: the batch's lines chain


def _code(nine: str) -> str:
    r = sum(int(d) * (10 - i) for i, d in enumerate(nine)) % 11
    return nine + str(r if r < 2 else 11 - r)


def test_a_name_of_invisible_characters_is_empty_and_a_clerk_cannot_erase_one(office):
    """A variation selector or a Hangul filler shows nothing: an imported name of them alone
    is refused as empty, and a clerk's change to one is too (nothing written)."""
    import pytest

    from app.domain.errors import InputError
    from app.services import engineers

    ghost = ["12-110", "0013542419", "\ufe0f", "\u3164", "", "عمران", "1", "", "", ""]
    rep = members_import.import_members(office.clerk, _csv([HEADER, ghost]), "ims.csv")
    assert rep.added == [] and {(2, "نام"), (2, "نام خانوادگی")} <= {
        (p.row, p.field) for p in rep.problems
    }
    rep = members_import.import_members(office.clerk, _csv([HEADER, GOOD]), "ims.csv")
    with office.base.tx() as s:
        eid = s.scalar(select(Engineer.id).where(Engineer.membership_no == "12-100"))
    for field in ("first_name", "last_name"):
        with pytest.raises(InputError) as err:
            engineers.update_engineer(office.clerk, eid, {field: "\u200f\ufe0f"})
        assert err.value.field == field
    with office.base.tx() as s:
        assert s.get(Engineer, eid).first_name == "علی"

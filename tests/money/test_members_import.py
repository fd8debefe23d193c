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


def test_import_members_from_xlsx(office):
    other = ["12-200", "0084575948", "سارا", "نوری", "", "arch", "ارشد", "", "", "1405"]
    rep = members_import.import_members(office.admin, _xlsx([HEADER, GOOD, other]), "ims.xlsx")
    assert rep.added == ["12-100", "12-200"] and rep.problems == []
    with office.base.tx() as s:
        e = s.scalar(select(Engineer).where(Engineer.membership_no == "12-100"))
        assert (e.first_name, e.membership_paid_through, e.mobile) == ("علی", 1405, "09121234567")

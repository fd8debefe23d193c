"""Members import: engineers from an Excel (.xlsx) or CSV export of the national member system
(IMS), with a validation report (row, field, reason in Persian).

Each row is checked in full first and then registered in its own transaction (through
`engineers.register_engineer`), so a bad row never half-imports and never stops the good ones.
A row whose membership number is already registered is reported and left alone.

Columns (header row, Persian or English names, any order; * required):
  شماره عضویت / membership_no*, کد ملی / national_id*, نام / first_name*,
  نام خانوادگی / last_name*, نام پدر / father_name, تلفن همراه / mobile,
  رشته / discipline* (code or Persian name), پایه / grade* (3, 2, 1, ارشد/senior),
  شماره پروانه / licence_no, اعتبار پروانه / licence_expires (Jalali 1405/01/31),
  سال عضویت / member_since, عضویت تا سال / paid_through, امتیاز / score.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select

from ..db.models import Engineer
from ..domain.calendar import parse_jalali_date
from ..domain.codes import DISCIPLINE_FA, DISCIPLINES, GRADES
from ..domain.errors import InputError, RuleViolation
from ..domain.text import field_fa, normalize_digits, normalize_text
from .context import ServiceContext
from .dto import CompetenceIn, EngineerIn
from .permissions import require
from .registry import use_case

COLUMNS: dict[str, str] = {
    "شماره عضویت": "membership_no",
    "کد ملی": "national_id",
    "نام": "first_name",
    "نام خانوادگی": "last_name",
    "نام پدر": "father_name",
    "تلفن همراه": "mobile",
    "موبایل": "mobile",
    "رشته": "discipline",
    "پایه": "grade",
    "شماره پروانه": "licence_no",
    "اعتبار پروانه": "licence_expires",
    "سال عضویت": "member_since",
    "عضویت تا سال": "paid_through",
    "امتیاز": "score",
}
FIELDS = set(COLUMNS.values())
REQUIRED = ("membership_no", "national_id", "first_name", "last_name", "discipline", "grade")
FIELD_FA = {v: k for k, v in reversed(list(COLUMNS.items()))}
# The engineer's fields (and stored columns) a registration refusal may name → import columns.
_FIELD_COLUMN = {
    "base_score": "score",
    "membership_paid_through": "paid_through",
    "number": "licence_no",
    "competences": "discipline",
    "national_code": "national_id",
}
DISCIPLINE_BY_FA = {fa: code for code, fa in DISCIPLINE_FA.items()}
GRADE_BY_FA = {
    "سه": "3",
    "دو": "2",
    "یک": "1",
    "ارشد": "senior",
    "پایه سه": "3",
    "پایه دو": "2",
    "پایه یک": "1",
}


@dataclass(frozen=True)
class RowProblem:
    row: int  # 1-based row number in the file, the header being row 1
    field: str  # the column (Persian name)
    reason: str  # Persian


@dataclass
class ImportReport:
    rows: int = 0
    added: list[str] = field(default_factory=list)  # membership numbers
    skipped: list[str] = field(default_factory=list)  # already registered
    problems: list[RowProblem] = field(default_factory=list)

    def as_text(self) -> str:
        lines = [
            f"ردیف‌ها: {self.rows}، افزوده: {len(self.added)}، "
            f"تکراری: {len(self.skipped)}، نادرست: {len({p.row for p in self.problems})}"
        ]
        lines += [f"ردیف {p.row} — {p.field}: {p.reason}" for p in self.problems]
        return "\n".join(lines)


def read_rows(data: bytes, filename: str) -> list[dict[str, str]]:
    """The file's data rows as {field: text}; unknown columns are ignored."""
    if filename.lower().endswith((".xlsx", ".xlsm")):
        from openpyxl import load_workbook

        try:
            ws = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
            table = [
                ["" if c is None else str(c) for c in r] for r in ws.iter_rows(values_only=True)
            ]
        except Exception as exc:  # not a workbook, a damaged one: whatever openpyxl raises
            raise InputError("file", "فایل اکسل (xlsx) خوانده نشد؛ هیچ ردیفی وارد نشد") from exc
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError(
                "file",
                "فایل CSV باید با کدگذاری UTF-8 ذخیره شده باشد؛ هیچ ردیفی وارد نشد",
            ) from exc
        try:
            table = list(csv.reader(io.StringIO(text, newline="")))
        except csv.Error as exc:
            raise InputError("file", "فایل CSV خوانده نشد؛ هیچ ردیفی وارد نشد") from exc
    if not table:
        return []
    header = [COLUMNS.get(normalize_text(h).strip(), h.strip().lower()) for h in table[0]]
    out = []
    for r in table[1:]:
        if not any(str(c).strip() for c in r):
            out.append({})
            continue
        out.append({h: str(v).strip() for h, v in zip(header, r, strict=False) if h in FIELDS})
    return out


def _int(v: str) -> int:
    v = normalize_digits(v)
    if v.endswith(".0"):
        v = v[:-2]
    return int(v)


def parse_row(raw: dict[str, str], rowno: int) -> tuple[EngineerIn | None, list[RowProblem]]:
    probs: list[RowProblem] = []

    def bad(f: str, why: str) -> None:
        probs.append(RowProblem(rowno, FIELD_FA.get(f, f), why))

    for f in REQUIRED:
        if not raw.get(f):
            bad(f, "خالی است")
    disc = raw.get("discipline", "")
    disc = disc if disc in DISCIPLINES else DISCIPLINE_BY_FA.get(normalize_text(disc), "")
    if raw.get("discipline") and not disc:
        bad("discipline", f"رشته ناشناخته: {raw['discipline']}")
    grade = normalize_digits(raw.get("grade", "")).removesuffix(".0")
    grade = grade if grade in GRADES else GRADE_BY_FA.get(normalize_text(grade), "")
    if raw.get("grade") and not grade:
        bad("grade", f"پایه ناشناخته: {raw['grade']}")
    expires = None
    if raw.get("licence_expires"):
        try:
            expires = parse_jalali_date(normalize_digits(raw["licence_expires"]).replace("/", "-"))
        except (ValueError, InputError):
            bad("licence_expires", "تاریخ نامعتبر است (نمونه: ۱۴۰۵/۰۱/۳۱)")
    nums: dict[str, int | None] = {}
    for f in ("member_since", "paid_through"):
        nums[f] = None
        if raw.get(f):
            try:
                nums[f] = _int(raw[f])
                if not 1300 <= nums[f] <= 1500:
                    raise ValueError
            except ValueError:
                bad(f, "سال نامعتبر است")
    score = Decimal(0)
    if raw.get("score"):
        try:
            score = Decimal(normalize_digits(raw["score"]))
        except InvalidOperation:
            bad("score", "عدد نیست")
    if probs:
        return None, probs
    return (
        EngineerIn(
            membership_no=normalize_digits(raw["membership_no"]),
            national_id=normalize_digits(raw["national_id"]),
            first_name=raw["first_name"],
            last_name=raw["last_name"],
            father_name=raw.get("father_name", ""),
            mobile=normalize_digits(raw["mobile"]) if raw.get("mobile") else None,
            competences=(CompetenceIn(disc, grade),),
            base_score=score,
            licence_no=raw.get("licence_no") or None,
            licence_expires=expires,
            member_since=nums["member_since"],
            membership_paid_through=nums["paid_through"],
        ),
        [],
    )


@use_case(writes=True, atomic=False)
def import_members(ctx: ServiceContext, data: bytes, filename: str) -> ImportReport:
    from .engineers import register_engineer

    require(ctx, "members.import")
    report = ImportReport()
    rows = read_rows(data, filename)
    seen: dict[str, int] = {}
    with ctx.tx() as s:
        known = set(s.scalars(select(Engineer.membership_no)))
    for i, raw in enumerate(rows, start=2):
        if not raw:
            continue
        report.rows += 1
        e, probs = parse_row(raw, i)
        if e is not None and e.membership_no in seen:
            probs = [
                RowProblem(
                    i,
                    FIELD_FA["membership_no"],
                    f"تکراری در همین فایل (ردیف {seen[e.membership_no]})",
                )
            ]
        if probs:
            report.problems += probs
            continue
        assert e is not None
        seen[e.membership_no] = i
        if e.membership_no in known:
            report.skipped.append(e.membership_no)
            continue
        try:
            register_engineer(ctx, e)  # one transaction per row: all of it or nothing
        except InputError as exc:
            report.problems.append(RowProblem(i, _column_fa(exc.field), exc.message))
            continue
        except RuleViolation as exc:
            report.problems.append(RowProblem(i, "—", exc.message))
            continue
        report.added.append(e.membership_no)
    return report


def _column_fa(field: str) -> str:
    column = _FIELD_COLUMN.get(field, field)
    return FIELD_FA.get(column) or field_fa(column)


def report_rows(report: ImportReport) -> list[dict[str, Any]]:
    return [{"row": p.row, "field": p.field, "reason": p.reason} for p in report.problems]

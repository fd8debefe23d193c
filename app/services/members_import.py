"""Members import: engineers from an Excel (.xlsx) or CSV export of the national member system
(IMS), with a validation report (row, field, reason in Persian).

Every row is checked in full in Python first (the same checks and normalisation as the
counter's `engineers._validate`), then the good rows go in set-based, a few thousand rows per
transaction (one multi-row INSERT per table): a bad row never half-imports and never stops
the good ones. A row whose membership number or national code is already registered is
reported and left alone. `progress(done, total)` is called after each batch; the report is
filled as the import goes, so a stop half-way (Ctrl+C, a lost server) still reports the
committed part.

Columns (header row, Persian or English names, any order; * required):
  شماره عضویت / membership_no*, کد ملی / national_id*, نام / first_name*,
  نام خانوادگی / last_name*, نام پدر / father_name, تلفن همراه / mobile,
  رشته / discipline* (code, Persian name or short name: تاسیسات برقی، برق، مکانیک…),
  پایه / grade* (3, 2, 1, ارشد/senior),
  شماره پروانه / licence_no, اعتبار پروانه / licence_expires (Jalali 1405/01/31),
  سال عضویت / member_since, شماره شبا / iban (IR + 24 digits, mod 97-10).

«عضویت تا سال» (paid through) and «امتیاز» (score) are not read: membership is paid only
through the renewal flow (request → finance's approval → payment, seed 000, F5) and the base
score comes only from its rules; the report says when a file carries them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ..db.models import AuditEntry, Competence, Engineer, Licence
from ..domain.calendar import jalali_year, parse_jalali_date
from ..domain.codes import DISCIPLINE_FA, DISCIPLINES, GRADES
from ..domain.errors import InputError
from ..domain.text import ZWNJ, field_fa, mask_iban, normalize_digits, normalize_text
from .context import ServiceContext, audit_row, audit_rows_written
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
    "شماره شبا": "iban",
    "شبا": "iban",
}
# Columns an IMS export may carry that the import never reads (F5, seed 000).
IGNORED = {"عضویت تا سال": "paid_through", "امتیاز": "score"}
FIELDS = set(COLUMNS.values())
REQUIRED = ("membership_no", "national_id", "first_name", "last_name", "discipline", "grade")
FIELD_FA = {v: k for k, v in reversed(list(COLUMNS.items()))}
# The engineer's fields (and stored columns) a registration refusal may name → import columns.
_FIELD_COLUMN = {
    "number": "licence_no",
    "competences": "discipline",
    "iban": "iban",
    "national_code": "national_id",
}
# Hamza above (تأسیسات/تاسیسات), spaces and ZWNJs (نقشه‌برداری/نقشه برداری) and letter case are
# written either way in exports: a discipline is looked up without them.
_HAMZA = str.maketrans({"أ": "ا", "إ": "ا", "ٱ": "ا", "\u0654": None})


def _discipline_key(text: str) -> str:
    text = normalize_text(text).translate(_HAMZA).lower()
    return "".join(text.replace(ZWNJ, " ").split())


# Short names an export may give besides each discipline's code and Persian name.
_DISCIPLINE_ALIASES = {"mech": ("مکانیک",), "elec": ("برق",)}
DISCIPLINE_BY_FA = {
    _discipline_key(name): code
    for code in DISCIPLINES
    for name in (code, DISCIPLINE_FA[code], *_DISCIPLINE_ALIASES.get(code, ()))
}
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
    notes: list[str] = field(default_factory=list)  # about the file as a whole (Persian)
    finished: bool = False  # False: stopped before the last row (the added rows stay)

    def as_text(self) -> str:
        lines = [
            f"ردیف‌ها: {self.rows}، افزوده: {len(self.added)}، "
            f"تکراری: {len(self.skipped)}، نادرست: {len({p.row for p in self.problems})}"
        ]
        if not self.finished:
            lines.append(
                "ورود کامل نشد و نیمه‌کاره متوقف شد؛ ردیف‌های افزوده‌شده ثبت شده‌اند و "
                "اجرای دوباره همان پرونده بقیه را وارد می‌کند"
            )
        lines += self.notes
        lines += [f"ردیف {p.row} — {p.field}: {p.reason}" for p in self.problems]
        return "\n".join(lines)


def read_rows(data: bytes, filename: str) -> list[dict[str, str]]:
    """The file's data rows as {field: text}; unknown columns are ignored."""
    return _read(data, filename)[0]


def _read(data: bytes, filename: str) -> tuple[list[dict[str, str]], list[str]]:
    """The data rows, and the columns present that the import never reads (IGNORED)."""
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
        return [], []
    header = [COLUMNS.get(normalize_text(h).strip(), h.strip().lower()) for h in table[0]]
    header = [IGNORED.get(normalize_text(h).strip(), h) for h in header]
    out = []
    for r in table[1:]:
        if not any(str(c).strip() for c in r):
            out.append({})
            continue
        row = dict.fromkeys(REQUIRED, "")  # a row with anything in it is a row (reported)
        row.update({h: str(v).strip() for h, v in zip(header, r, strict=False) if h in FIELDS})
        out.append(row)
    return out, [fa for fa, f in IGNORED.items() if f in header]


def _int(v: str) -> int:
    v = normalize_digits(v)
    if v.endswith(".0"):
        v = v[:-2]
    return int(v)


def parse_row(raw: dict[str, str], rowno: int) -> tuple[EngineerIn | None, list[RowProblem]]:
    probs: list[RowProblem] = []

    def bad(f: str, why: str) -> None:
        probs.append(RowProblem(rowno, FIELD_FA.get(f, f), why))

    for f in REQUIRED:  # invisible characters alone (an RLM, a variation selector) are empty
        if not normalize_text(raw.get(f) or ""):
            bad(f, "خالی است")
    disc = DISCIPLINE_BY_FA.get(_discipline_key(raw.get("discipline", "")), "")
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
    since = None
    if raw.get("member_since"):
        try:
            since = _int(raw["member_since"])
            if not 1300 <= since <= 1500:
                raise ValueError
        except ValueError:
            bad("member_since", "سال نامعتبر است")
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
            base_score=Decimal(0),  # from its rules, never from a file
            licence_no=raw.get("licence_no") or None,
            licence_expires=expires,
            member_since=since,
            iban=raw.get("iban") or None,
        ),
        [],
    )


# what a field the counter's checks refused is taken as while the rest of its row is checked
_NEUTRAL: dict[str, Any] = {
    "membership_no": "0-0",
    "national_id": None,
    "first_name": "نام",
    "last_name": "نام",
    "father_name": "",
    "mobile": None,
    "licence_no": None,
    "iban": None,
}


def _checked(e: EngineerIn, rowno: int) -> tuple[EngineerIn | None, list[RowProblem]]:
    """`e` through the counter's checks (`engineers._validate`), or every field of the row
    they refuse — not only the first, so that a clerk mends the row once."""
    from .engineers import _validate

    probs: list[RowProblem] = []
    for _ in range(len(_NEUTRAL) + 1):
        try:
            clean = _validate(e)
        except InputError as exc:
            probs.append(RowProblem(rowno, _column_fa(exc.field), exc.message))
            if exc.field not in _NEUTRAL:
                break
            e = replace(e, **{exc.field: _NEUTRAL[exc.field]})
            continue
        return (None, probs) if probs else (clean, [])
    return None, probs


BATCH = 2_000  # rows per transaction: one multi-row INSERT per table


@use_case(writes=True, atomic=False, server=("progress", "report"))
def import_members(
    ctx: ServiceContext,
    data: bytes,
    filename: str,
    progress: Callable[[int, int], None] | None = None,
    report: ImportReport | None = None,
) -> ImportReport:
    """Engineers from an IMS export: every row checked, the good ones added set-based in
    batches (`BATCH` rows a transaction), `progress(done, total)` after each; `report` (given
    by a caller that must report even when stopped) is filled as the import goes."""
    require(ctx, "members.import")
    report = report if report is not None else ImportReport()
    rows, ignored = _read(data, filename)
    if ignored:
        report.notes.append(
            f"ستون‌های {'، '.join(f'«{c}»' for c in ignored)} خوانده نشد: حق عضویت فقط با "
            "درخواست تمدید، تأیید امور مالی و پرداخت ثبت می‌شود (F5) و امتیاز پایه از قواعد آن"
        )
    with ctx.read() as s:
        known = set(s.scalars(select(Engineer.membership_no)))
        codes = set(
            s.scalars(select(Engineer.national_id).where(Engineer.national_id.is_not(None)))
        )
    seen: dict[str, int] = {}
    seen_codes: dict[str, int] = {}
    good: list[tuple[int, EngineerIn]] = []
    for i, raw in enumerate(rows, start=2):
        if not raw:
            continue
        report.rows += 1
        e, probs = parse_row(raw, i)
        if e is not None:
            e, probs = _checked(e, i)  # the counter's checks and normalisation, in Python
        if e is not None and not probs:
            if e.membership_no in seen:
                probs = [
                    RowProblem(
                        i,
                        FIELD_FA["membership_no"],
                        f"تکراری در همین فایل (ردیف {seen[e.membership_no]})",
                    )
                ]
            elif e.membership_no in known:
                report.skipped.append(e.membership_no)
                continue
            elif e.national_id in codes or e.national_id in seen_codes:
                where = seen_codes.get(e.national_id or "")
                probs = [
                    RowProblem(
                        i,
                        FIELD_FA["national_id"],
                        "این کد ملی قبلاً ثبت شده است"
                        + (f" (ردیف {where} همین فایل)" if where else ""),
                    )
                ]
        if probs:
            report.problems += probs
            continue
        assert e is not None
        seen[e.membership_no] = i
        if e.national_id:
            seen_codes[e.national_id] = i
        good.append((i, e))
    total = len(good)
    if progress is not None:
        progress(0, total)
    for start in range(0, total, BATCH):
        chunk = good[start : start + BATCH]
        _insert(ctx, [e for _, e in chunk])
        report.added.extend(e.membership_no for _, e in chunk)
        if progress is not None:
            progress(min(start + BATCH, total), total)
    report.finished = True
    return report


def _insert(ctx: ServiceContext, batch: list[EngineerIn]) -> None:
    """One transaction: the engineers, their competence and licence rows and their audit
    lines (U2), each table in one multi-row INSERT."""
    now = ctx.now()
    year = jalali_year(now)
    with ctx.tx() as s:
        rows = [
            {
                "kind": "person",
                "membership_no": e.membership_no,
                "national_id": e.national_id,
                "first_name": e.first_name,
                "last_name": e.last_name,
                "father_name": e.father_name,
                "mobile": e.mobile,
                "resident_in_province": True,
                "legal_incapacity": False,
                "active_execution_project": False,
                "design_build_qualified": False,
                "employed_by_permit_authority": False,
                "data_complete": True,
                "member_since": e.member_since or year,
                "membership_paid_through": None,
                "base_score": Decimal(0),
                "iban": e.iban,
                "created_at": now,
                "updated_at": now,
            }
            for e in batch
        ]
        conn = s.connection()  # Core executemany: no RETURNING, no ORM objects
        conn.execute(insert(Engineer), rows)
        ids = dict(
            conn.execute(
                select(Engineer.membership_no, Engineer.id).where(
                    Engineer.membership_no.in_([e.membership_no for e in batch])
                )
            ).all()
        )
        conn.execute(
            insert(Competence),
            [
                {
                    "engineer_id": ids[e.membership_no],
                    "discipline": c.discipline,
                    "grade": c.grade,
                    "kind": c.kind,
                    "expires_on": c.expires,
                }
                for e in batch
                for c in e.competences
            ],
        )
        licences = [
            {
                "engineer_id": ids[e.membership_no],
                "number": e.licence_no or f"L-{e.membership_no}",
                "expires_on": e.licence_expires,
                "is_current": True,
            }
            for e in batch
            if e.licence_no or e.licence_expires
        ]
        if licences:
            conn.execute(insert(Licence), licences)
        _audit_lines(s, ctx, now, [(ids[e.membership_no], e) for e in batch])


def _audit_lines(
    s: Session, ctx: ServiceContext, at: datetime, added: list[tuple[int, EngineerIn]]
) -> None:
    """U2: one "engineer.register" line per engineer, chained by `context.audit_row` (the one
    place lines are chained), written in one executemany in chain order."""
    rows = []
    for eid, e in added:
        after = {k: v for k, v in e.__dict__.items() if v not in (None, (), "")}
        after.pop("validate_ids", None)
        if "iban" in after:  # the trail keeps a Sheba number masked
            after["iban"] = mask_iban(after["iban"])
        rows.append(audit_row(s, ctx, "engineer.register", "engineer", eid, None, after, at))
    s.connection().execute(insert(AuditEntry), rows)
    audit_rows_written(s)


def _column_fa(field: str) -> str:
    column = _FIELD_COLUMN.get(field, field)
    return FIELD_FA.get(column) or field_fa(column)


def report_rows(report: ImportReport) -> list[dict[str, Any]]:
    return [{"row": p.row, "field": p.field, "reason": p.reason} for p in report.problems]

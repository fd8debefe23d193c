"""Read models for the desk's screens: paged engineer list (100,000 rows), an engineer's file,
the counter's view of a project (P2), the signing desk's appointments and the audit trail.

Set-based, a few queries per call, DTOs out. Nothing here writes.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Integer, String, bindparam, cast, func, or_, select, tuple_

from ..db.models import (
    AuditEntry,
    Competence,
    Conviction,
    DeclarationRow,
    Engineer,
    FeePayment,
    Licence,
    MembershipYear,
    Owner,
    Project,
    ProjectDocument,
    Referral,
    ScoreEntry,
)
from ..db.policy_store import policy_at
from ..domain.calendar import TEHRAN, local_date
from ..domain.codes import DISCIPLINE_ORDER
from ..domain.digits import persian_digits
from ..domain.errors import InputError, NotFound
from ..domain.projects import building_group, normalize_plate, required_disciplines
from ..domain.text import (
    ZWNJ,
    amount_problem,
    day_ok,
    mask_iban,
    normalize_code,
    normalize_digits,
    normalize_text,
    numbers_joined,
    search_pattern,
    text_problem,
    whole_ok,
    without_control,
)
from ..resources import reference
from . import firms
from .context import ServiceContext
from .fees import FeeDue, project_fees
from .permissions import require
from .projects import OPEN_PROJECT, document_titles, p2_gaps
from .queries import engineer_standings
from .registry import use_case

# ---------------------------------------------------------------- engineers list


@dataclass(frozen=True)
class EngineerRow:
    id: int
    membership_no: str
    name: str
    national_id: str | None
    mobile: str | None
    kind: str
    member_since: int
    disciplines: tuple[str, ...]


SORT_KEYS = {
    "membership_no": (Engineer.membership_no,),
    "name": (Engineer.last_name, Engineer.first_name),
    "national_id": (Engineer.national_id,),
    "mobile": (Engineer.mobile,),
    "kind": (Engineer.kind,),
    "member_since": (Engineer.member_since,),
}


KEYSET_SORTS = frozenset({"membership_no", "name", "kind"})  # columns that are never NULL


def _search_words(text: str) -> tuple[dict[str, str], tuple[bool, ...]]:
    """The bound values of a search text, word by word (`c0`, `m0`, `l0`, `c1`…), and for each
    word whether its name pattern needs the escape character (a `\\`, `%` or `_` typed).

    One Persian text (text.py): ي/ی, ك/ک, digits of any script, bidi marks; a ZWNJ or a space
    in a word matches either, as the name was typed."""
    text = normalize_text(normalize_digits(without_control(text or "")))
    text = numbers_joined(text).replace(ZWNJ, " ")
    values: dict[str, str] = {}
    escapes: list[bool] = []
    for i, word in enumerate(text.split()):
        code = normalize_code(word).replace("\\", "").replace("%", "").replace("_", "")
        pattern = search_pattern(word)
        values[f"c{i}"] = f"{code}%"
        values[f"m{i}"] = f"%{code}%"
        values[f"l{i}"] = f"%{pattern}%"
        escapes.append("\\" in pattern)
    return values, tuple(escapes)


def _filtered(escapes: tuple[bool, ...]):
    """The ids matching every word, as bound parameters (see `_search_words`): a code or
    number from its start (membership number, national code), a mobile or a name anywhere.
    The escape clause only where the word needs it: SQLite's LIKE is slower with one."""
    q = select(Engineer.id)
    for i, escaped in enumerate(escapes):
        code, like = bindparam(f"c{i}", type_=String), bindparam(f"l{i}", type_=String)
        kw = {"escape": "\\"} if escaped else {}
        q = q.where(
            or_(
                Engineer.membership_no.like(code),
                Engineer.national_id.like(code),
                Engineer.mobile.like(bindparam(f"m{i}", type_=String)),
                Engineer.first_name.like(like, **kw),
                Engineer.last_name.like(like, **kw),
            )
        )
    return q


# A list query is built once for its shape (the words' escapes, the sort, the direction,
# paging by key or not) and then only executed with new values: building and hashing a
# statement cost the desk more than SQLite took to run it (1.7 ms against 0.3 ms for a
# first page), on every keystroke.
@functools.lru_cache(maxsize=256)
def _count_statement(escapes: tuple[bool, ...]):
    return select(func.count()).select_from(_filtered(escapes).subquery())


@functools.lru_cache(maxsize=256)
def _page_statement(escapes: tuple[bool, ...], sort: str, descending: bool, keyset: bool):
    keys = SORT_KEYS[sort]
    order = [k.desc() if descending else k.asc() for k in keys]
    order.append(Engineer.id.desc() if descending else Engineer.id.asc())
    q = _filtered(escapes)
    if keyset:  # after the last row's sort keys (`k0`…) and id (`kid`)
        mark = tuple_(*keys, Engineer.id)
        here = tuple_(
            *(bindparam(f"k{i}", type_=k.type) for i, k in enumerate(keys)),
            bindparam("kid", type_=Integer),
        )
        q = q.where(mark < here if descending else mark > here)
    ids = (
        q.order_by(*order)
        .offset(bindparam("offset", type_=Integer))
        .limit(bindparam("limit", type_=Integer))
        .subquery()
    )
    disciplines = (  # one statement for the page: the list waits on no second round trip
        select(func.aggregate_strings(Competence.discipline, ","))
        .where(Competence.engineer_id == Engineer.id)
        .scalar_subquery()
    )
    return (
        select(
            Engineer.id,
            Engineer.membership_no,
            Engineer.first_name,
            Engineer.last_name,
            Engineer.national_id,
            Engineer.mobile,
            Engineer.kind,
            Engineer.member_since,
            disciplines,
        )
        .join(ids, ids.c.id == Engineer.id)
        .order_by(*order)
    )


@functools.lru_cache(maxsize=8)
def _mark_statement(sort: str):
    after = bindparam("after_id", type_=Integer)
    return select(*SORT_KEYS[sort], Engineer.id).where(Engineer.id == after)


@use_case(writes=False)
def count_engineers(ctx: ServiceContext, text: str = "") -> int:
    require(ctx, "people.read")
    values, escapes = _search_words(_filter_text(text))
    with ctx.read() as s:
        return s.scalar(_count_statement(escapes), values) or 0


@use_case(writes=False)
def engineer_page(
    ctx: ServiceContext,
    text: str = "",
    offset: int = 0,
    limit: int = 200,
    sort: str = "membership_no",
    descending: bool = False,
    after_id: int | None = None,
) -> list[EngineerRow]:
    """One page of the filtered list, ordered by `sort` then id (stable under ties).

    `after_id` (the last row of the page before) pages by key, not by position, where the
    sort's columns are never empty (membership number, name, kind): the 1,000th page costs
    what the first does. Other sorts, and a first page, go by `offset`."""
    require(ctx, "people.read")
    if sort not in SORT_KEYS:
        raise InputError("sort", "ترتیب فهرست شناخته نشد")
    descending = bool(descending)
    _page(offset=offset, limit=limit, **({} if after_id is None else {"after_id": after_id}))
    words, escapes = _search_words(_filter_text(text))
    values: dict[str, Any] = {**words, "offset": offset, "limit": limit}
    with ctx.read() as s:
        keyset = False
        if after_id is not None and sort in KEYSET_SORTS:
            last = s.execute(_mark_statement(sort), {"after_id": after_id}).first()
            if last is not None:
                *marks, values["kid"] = last
                values.update((f"k{i}", m) for i, m in enumerate(marks))
                keyset, values["offset"] = True, 0
        rows = s.execute(_page_statement(escapes, sort, descending, keyset), values).all()
    return [
        EngineerRow(
            i,
            no,
            f"{first_name} {last_name}".strip(),
            nid,
            mobile,
            kind,
            since,
            tuple(sorted(set((disc or "").split(",")) - {""}, key=_discipline_order)),
        )
        for i, no, first_name, last_name, nid, mobile, kind, since, disc in rows
    ]


def _discipline_order(d: str) -> int:
    return DISCIPLINE_ORDER.get(d, 99)


@dataclass(frozen=True)
class LedgerRow:
    at: datetime
    kind: str
    points: Decimal
    note: str
    balance: Decimal


@dataclass(frozen=True)
class EngineerFile:
    id: int
    membership_no: str
    name: str
    kind: str
    national_id: str | None
    mobile: str | None
    licence_no: str | None
    licence_expires: date | None
    member_since: int
    paid_through: int | None
    competences: tuple[tuple[str, str, str, date | None], ...]  # discipline, grade, kind, expiry
    membership_years: tuple[tuple[int, str], ...]  # year, status
    declarations: tuple[tuple[int, bool, str, Decimal], ...]  # year, ready, groups, percent
    convictions: tuple[tuple[int, date, date | None], ...]
    g_facts: dict[str, bool]
    score: Decimal
    base_score: Decimal
    capacity_m2: Decimal
    used_m2: Decimal
    active_jobs: int
    grade: str | None
    ledger: tuple[LedgerRow, ...]
    # شبا, where his stage payouts go (F3): whole for finance, who changes it, and for the
    # engineer himself; masked for the rest of the office
    iban: str | None = None
    # a firm's registration number and place, and the member who signs for it
    registration_no: str | None = None
    registration_place: str | None = None
    signatory: str = ""


LEDGER_NOTE = {
    "charge": "امتیاز پروژه {what} کسر شد (A4)",
    "refund": "امتیاز پروژه {what} بازگشت",
    "penalty": "جریمه انصراف یا عدم حضور {what} (W2)",
    "base": "امتیاز پایه",
}


def score_ledger(
    base: Decimal, entries, now: datetime, score_period: str, score: Decimal
) -> list[LedgerRow]:
    """S8's ledger that explains the score: each entry with what it was for (the file and
    discipline, the penalty's reason), then the lines the score reaches by time alone — a
    penalty's daily recovery (W2) and the charges of an earlier score period no longer
    counted — so that the last balance is the score shown. `entries`: (at, kind, points,
    note, period_year, per_day, file_no, discipline) in time order."""
    from ..domain.calendar import jalali_year
    from ..domain.codes import DISCIPLINE_FA

    rows, bal = [], base
    recover: list[LedgerRow] = []
    expired = Decimal(0)
    expired_years: set[int] = set()
    year = jalali_year(now)
    for at, kind, pts, note, period_year, per_day, file_no, discipline in entries:
        what = (
            f"پرونده {persian_digits(file_no)} — {DISCIPLINE_FA.get(discipline, discipline)}"
            if file_no
            else ""
        )
        text = note or LEDGER_NOTE.get(kind, "").format(what=what).replace("  ", " ")
        if note and what and what not in note:
            text = f"{note} — {what}"
        # S8: charges and penalties lower the score; a refund (W2, a surveyor's withdrawal) is
        # kept as a negative charge (`deadlines.record_withdrawal`) and gives it back
        signed = -Decimal(pts)
        bal += signed
        rows.append(LedgerRow(at, kind, signed, text.strip(), bal))
        if kind == "penalty" and per_day and now > at:
            days = (now - at) // timedelta(days=1)
            back = min(Decimal(pts), days * Decimal(per_day))
            if back > 0:
                recover.append(
                    LedgerRow(
                        now,
                        "recovery",
                        back,
                        f"بازگشت جریمه {what} با گذشت {persian_digits(days)} روز، روزی "
                        f"{persian_digits(f'{Decimal(per_day).normalize():f}')} امتیاز (W2)",
                        Decimal(0),
                    )
                )
        if score_period == "year" and kind in ("charge", "refund") and period_year != year:
            expired += -signed
            expired_years.add(period_year)
    for r in recover:
        bal += r.points
        rows.append(LedgerRow(r.at, r.kind, r.points, r.note, bal))
    if expired:
        bal += expired
        years = "، ".join(persian_digits(y) for y in sorted(expired_years))
        rows.append(
            LedgerRow(
                now,
                "period",
                expired,
                f"پایان دوره امتیاز سال {years}: کسرهای آن سال دیگر شمرده نمی‌شود (S8)",
                bal,
            )
        )
    if bal != score:  # e.g. a firm's base is its members' scores: say so, not a silent gap
        rows.append(
            LedgerRow(
                now,
                "base",
                score - bal,
                "امتیاز کنونی از امتیاز پایه (برای شرکت: امتیاز اعضا) به دست می‌آید",
                score,
            )
        )
    return rows


@use_case(writes=False)
def engineer_file(ctx: ServiceContext, engineer_id: int) -> EngineerFile:
    require(ctx, "engineer.file", engineer_id)
    standing = engineer_standings(ctx, [engineer_id]).get(engineer_id)
    if standing is None:
        raise NotFound("engineer", "مهندس پیدا نشد")
    with ctx.read() as s:
        e = s.get(Engineer, engineer_id)
        lic = s.scalar(
            select(Licence).where(Licence.engineer_id == engineer_id, Licence.is_current)
        )
        comps = s.execute(
            select(Competence.discipline, Competence.grade, Competence.kind, Competence.expires_on)
            .where(Competence.engineer_id == engineer_id)
            .order_by(Competence.kind, Competence.discipline)
        ).all()
        years = s.execute(
            select(MembershipYear.year, MembershipYear.status)
            .where(MembershipYear.engineer_id == engineer_id)
            .order_by(MembershipYear.year)
        ).all()
        decl = s.execute(
            select(
                DeclarationRow.year,
                DeclarationRow.ready,
                DeclarationRow.groups,
                DeclarationRow.supervision_percent,
            )
            .where(DeclarationRow.engineer_id == engineer_id)
            .order_by(DeclarationRow.year)
        ).all()
        conv = s.execute(
            select(Conviction.degree, Conviction.starts_on, Conviction.ends_on).where(
                Conviction.engineer_id == engineer_id
            )
        ).all()
        entries = s.execute(
            select(
                ScoreEntry.at,
                ScoreEntry.kind,
                ScoreEntry.points,
                ScoreEntry.note,
                ScoreEntry.period_year,
                ScoreEntry.per_day,
                Project.file_no,
                Referral.discipline,
            )
            .outerjoin(Referral, Referral.id == ScoreEntry.referral_id)
            .outerjoin(Project, Project.id == Referral.project_id)
            .where(ScoreEntry.engineer_id == engineer_id)
            .order_by(ScoreEntry.at, ScoreEntry.id)
        ).all()
        base = Decimal(e.base_score)
        ledger = score_ledger(
            base, entries, ctx.now(), policy_at(s, ctx.now()).score_period, standing.score
        )
        return EngineerFile(
            id=e.id,
            membership_no=e.membership_no,
            name=f"{e.first_name} {e.last_name}".strip(),
            kind=e.kind,
            national_id=e.national_id,
            mobile=e.mobile,
            licence_no=lic.number if lic else None,
            licence_expires=lic.expires_on if lic else None,
            member_since=e.member_since,
            paid_through=e.membership_paid_through,
            competences=tuple(tuple(c) for c in comps),
            membership_years=tuple(tuple(y) for y in years),
            declarations=tuple((y, r, g, Decimal(p)) for y, r, g, p in decl),
            convictions=tuple(tuple(c) for c in conv),
            g_facts={
                "G1": e.resident_in_province,
                "G4": not e.legal_incapacity,
                "G5": not e.active_execution_project,
                "S6": not e.employed_by_permit_authority,
                "F5": e.data_complete,
            },
            score=standing.score,
            base_score=base,
            capacity_m2=standing.capacity_m2,
            used_m2=standing.used_m2,
            active_jobs=standing.active_jobs,
            grade=standing.grade,
            ledger=tuple(ledger),
            iban=e.iban if ctx.actor.role in ("finance", "engineer") else mask_iban(e.iban),
            registration_no=e.registration_no,
            registration_place=e.registration_place,
            signatory=firms.signatories(s, [e.id]).get(e.id, "") if e.kind == "firm" else "",
        )


# ---------------------------------------------------------------- the counter


@dataclass(frozen=True)
class IntakePreview:
    """What the form shows live as the clerk types (P3, P4, P5)."""

    group: str | None
    required: tuple[str, ...]
    plate_open: bool


@use_case(writes=False)
def intake_preview(
    ctx: ServiceContext, plate: str, area: Decimal | None, floors: int | None
) -> IntakePreview:
    require(ctx, "people.read")
    with ctx.read() as s:
        policy = policy_at(s, ctx.now())
        key = normalize_plate(without_control(plate or ""))
        plate_open = bool(key) and bool(
            s.scalar(
                select(Project.id).where(Project.plate_key == key, Project.status.in_(OPEN_PROJECT))
            )
        )
    ok = (
        area is not None
        and amount_problem(area, positive=True) is None
        and whole_ok(floors, 10_000)
        and floors > 0
    )
    return IntakePreview(
        building_group(floors, area, policy) if ok else None,
        required_disciplines(floors, area, policy) if ok else (),
        plate_open,
    )


@dataclass(frozen=True)
class KnownOwner:
    kind: str  # person | legal
    first_name: str
    last_name: str  # a company's name
    father_name: str
    mobile: str | None
    registration_no: str
    registration_place: str


@use_case(writes=False)
def owner_by_code(ctx: ServiceContext, national_id: str) -> KnownOwner | None:
    """What the office already holds of an owner by his کد ملی or a company's شناسه ملی."""
    require(ctx, "people.read")
    if not isinstance(national_id, str) or text_problem(national_id, 11):
        return None  # nothing stored could match it
    with ctx.read() as s:
        o = s.scalar(select(Owner).where(Owner.national_id == normalize_code(national_id)))
        if o is None:
            return None
        return KnownOwner(
            kind=o.kind,
            first_name=o.first_name,
            last_name=o.last_name,
            father_name=o.father_name,
            mobile=o.mobile,
            registration_no=o.registration_no or "",
            registration_place=o.registration_place or "",
        )


@dataclass(frozen=True)
class DocumentRow:
    kind: str
    title: str
    required: bool
    received_at: datetime | None
    filename: str | None
    size: int


@dataclass(frozen=True)
class FeeRow:
    discipline: str
    amount_rials: int
    tracking_no: str
    status: str


@dataclass(frozen=True)
class IntakeStatus:
    project_id: int
    file_no: str
    plate: str
    group: str
    status: str
    drawings_approved: bool
    documents: tuple[DocumentRow, ...]
    fees: tuple[FeeRow, ...]
    disciplines: tuple[str, ...]
    gaps: tuple[str, ...]  # P2: empty when it may go to distribution
    # F1: what each discipline owes by the table in force when the file was registered, with
    # what is recorded for it (approved, waiting) — shown beside the amount the clerk types
    dues: tuple[FeeDue, ...] = ()


@use_case(writes=False)
def intake_status(ctx: ServiceContext, project_id: int) -> IntakeStatus:
    require(ctx, "people.read")
    with ctx.read() as s:
        p = s.get(Project, project_id)
        if p is None:
            raise NotFound("project", "پرونده پیدا نشد")
        docs = {
            d.kind: d
            for d in s.execute(
                select(
                    ProjectDocument.kind,
                    ProjectDocument.received_at,
                    ProjectDocument.filename,
                    func.length(ProjectDocument.content).label("size"),
                ).where(ProjectDocument.project_id == project_id)
            )
        }
        fees = s.execute(
            select(
                FeePayment.discipline,
                FeePayment.amount_rials,
                FeePayment.tracking_no,
                FeePayment.status,
            )
            .where(FeePayment.project_id == project_id)
            .order_by(FeePayment.id)
        ).all()
        discs = tuple(
            sorted(
                s.scalars(select(Referral.discipline).where(Referral.project_id == project_id)),
                key=lambda d: DISCIPLINE_ORDER.get(d, 99),
            )
        )
        gaps = tuple(p2_gaps(s, p)) if p.status == "intake" else ()
        dues = project_fees(s, p)
        titles = document_titles(s, project_id)
        return IntakeStatus(
            p.id,
            p.file_no,
            p.plate,
            p.group,
            p.status,
            p.drawings_approved,
            tuple(
                DocumentRow(
                    d["kind"],
                    titles[d["kind"]],
                    d["required"],
                    docs[d["kind"]].received_at if d["kind"] in docs else None,
                    docs[d["kind"]].filename if d["kind"] in docs else None,
                    (docs[d["kind"]].size or 0) if d["kind"] in docs else 0,
                )
                for d in reference("document_checklist")["documents"]
            ),
            tuple(FeeRow(*f) for f in fees),
            discs,
            gaps,
            tuple(dues[d] for d in discs if d in dues),
        )


@use_case(writes=False)
def document_content(ctx: ServiceContext, project_id: int, kind: str) -> tuple[str, bytes] | None:
    require(ctx, "people.read")
    if not isinstance(kind, str) or text_problem(kind, 40):
        return None  # nothing stored could match it
    with ctx.read() as s:
        row = s.execute(
            select(ProjectDocument.mime, ProjectDocument.content).where(
                ProjectDocument.project_id == project_id, ProjectDocument.kind == kind
            )
        ).first()
    return None if row is None or row.content is None else (row.mime or "", row.content)


@dataclass(frozen=True)
class ProjectRow:
    id: int
    file_no: str
    plate: str
    area: Decimal
    floors: int
    group: str
    status: str
    created_at: datetime


@use_case(writes=False)
def recent_projects(ctx: ServiceContext, limit: int = 500) -> list[ProjectRow]:
    require(ctx, "people.read")
    _page(limit=limit)
    with ctx.read() as s:
        rows = s.execute(
            select(
                Project.id,
                Project.file_no,
                Project.plate,
                Project.area,
                Project.floors,
                Project.group,
                Project.status,
                Project.created_at,
            )
            .order_by(Project.id.desc())
            .limit(limit)
        ).all()
    return [ProjectRow(*r) for r in rows]


# ---------------------------------------------------------------- the signing desk


@dataclass(frozen=True)
class Appointment:
    referral_id: int
    project_id: int
    file_no: str
    discipline: str
    engineer_id: int | None
    membership_no: str | None
    name: str
    status: str
    sign_from: datetime | None
    sign_until: datetime | None
    project_status: str
    all_signed: bool


@use_case(writes=False)
def appointments(
    ctx: ServiceContext, day: date | None = None, completable: bool = False
) -> list[Appointment]:
    """Referrals selected with a signing window open on `day` (Iran date) and those signed that
    day; with `completable`, also every signed referral of a project still in distribution
    (a project whose referrals are all signed may be given its completion certificate)."""
    require(ctx, "people.read")
    now = ctx.now()
    if day is not None and not day_ok(day):
        raise InputError("day", "روز بیرون از بازه تقویم دفتر است (۱۳۵۸ تا ۱۵۰۰)")
    day = day or local_date(now)
    start = datetime.combine(day, datetime.min.time(), TEHRAN)
    end = start + timedelta(days=1)
    with ctx.read() as s:
        rows = s.execute(
            select(
                Referral.id,
                Referral.project_id,
                Project.file_no,
                Referral.discipline,
                Referral.engineer_id,
                Engineer.membership_no,
                Engineer.first_name,
                Engineer.last_name,
                Referral.status,
                Referral.sign_from,
                Referral.sign_until,
                Project.status,
            )
            .join(Project, Project.id == Referral.project_id)
            .outerjoin(Engineer, Engineer.id == Referral.engineer_id)
            .where(
                or_(
                    (Referral.status == "selected")
                    & (Referral.sign_from < end)
                    & (Referral.sign_until >= start),
                    (Referral.status == "signed")
                    & (Project.status == "distribution")
                    & (
                        (Referral.signed_at >= start) & (Referral.signed_at < end)
                        if not completable
                        else (Referral.id == Referral.id)
                    ),
                )
            )
            .order_by(Referral.sign_from, Project.file_no)
        ).all()
        pids = {r[1] for r in rows}
        unsigned = set(
            s.scalars(
                select(Referral.project_id).where(
                    Referral.project_id.in_(pids), Referral.status != "signed"
                )
            )
        )
    return [
        Appointment(
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            r[5],
            f"{r[6] or ''} {r[7] or ''}".strip(),
            r[8],
            r[9],
            r[10],
            r[11],
            r[1] not in unsigned,
        )
        for r in rows
    ]


# ---------------------------------------------------------------- the audit trail


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str | None
    before: dict | None
    after: dict | None


@use_case(writes=False)
def audit_page(
    ctx: ServiceContext, text: str = "", limit: int = 2000, before_id: int | None = None
) -> list[AuditRow]:
    """U2, for the administrator: newest first, keyset-paged by id."""
    require(ctx, "audit.read")
    _page(limit=limit)
    if before_id is not None and not whole_ok(before_id):
        raise InputError("before_id", "شناسه سطر ردپا نامعتبر است")
    q = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if before_id is not None:
        q = q.where(AuditEntry.id < before_id)
    for word in normalize_digits(without_control(_filter_text(text))).split():
        like = f"%{word}%"
        q = q.where(
            or_(
                AuditEntry.actor.like(like),
                AuditEntry.action.like(like),
                AuditEntry.entity.like(like),
                AuditEntry.entity_id.like(like),
                cast(AuditEntry.after, String).like(like),
            )
        )
    with ctx.read() as s:
        return [
            AuditRow(a.id, a.at, a.actor, a.action, a.entity, a.entity_id, a.before, a.after)
            for a in s.scalars(q)
        ]


@use_case(writes=False)
def engineer_id_by_no(ctx: ServiceContext, membership_no: str) -> int | None:
    require(ctx, "people.read")
    if not isinstance(membership_no, str) or text_problem(membership_no, 32):
        return None  # nothing stored could match it
    with ctx.read() as s:
        return s.scalar(
            select(Engineer.id).where(Engineer.membership_no == normalize_code(membership_no))
        )


MAX_PAGE = 2_000  # rows in one answer: the whole roster is never one request
MAX_FILTER = 200  # characters of a list's search text (names, codes, a mobile)


def _page(**numbers: int) -> None:
    """A list's offset and page size: whole numbers the database can take; a page of at most
    MAX_PAGE rows."""
    for name, value in numbers.items():
        if not whole_ok(value):
            raise InputError(name, "اندازه یا آغاز صفحه باید عدد صحیح نامنفی باشد")
    if numbers.get("limit", 0) > MAX_PAGE:
        raise InputError("limit", f"هر صفحه حداکثر {persian_digits(MAX_PAGE)} سطر است")


def _filter_text(text: str) -> str:
    """A list's search text: a string of at most MAX_FILTER characters."""
    if not isinstance(text, str) or len(text) > MAX_FILTER:
        raise InputError("text", f"متن جست‌وجو باید حداکثر {persian_digits(MAX_FILTER)} نویسه باشد")
    return text

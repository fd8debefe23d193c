"""Papers as records (issue 14): issuing a contract, commitment form, counter receipt,
introduction letter or daily report stores what was issued, and anyone can check a paper.

* Issuing (staff only, U1; one transaction; the audit trail) builds the paper's DTO
  (app/services/documents.py) and compares it with the last paper issued for the same subject:
  the same content is a **reprint** — the same paper, number and code, with its own print time:
  a copy marked «رونوشت» once no supervisor it names is still to sign it (every receipt, letter
  and daily report), else one more original for the supervisor still to sign; a changed
  content is a **new paper** with the next number of the office's
  outgoing register for the Jalali year, naming the paper it replaces.
* A paper that parties sign **stands once one of them has signed** (a contract or an addendum
  whose supervisor signed, A9): it is only ever reprinted as it was issued, whatever changes
  after; a supervisor chosen later joins it by an addendum (app/services/addenda.py).
* Every paper carries a **verification code**: an HMAC (the installation's secret key, purpose
  "paper") over the whole issued record — number, kind, subject, issue time, issuer, the paper
  it replaces and the digest of its content — printed as 12 characters in groups of four
  (`K7QM-2XWD-9RPA`) and as a QR of `<public URL>/verify/<code>`. The code is not derivable from
  the paper's text; it is stored only to find the row: `verify_paper` recomputes it from the
  stored record with the key, so a row changed behind the service, or a code made under another
  installation's key, is "unknown".
* `verify_paper` is readable by everyone (the public check page, `main.py verify-paper`).
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db.locks import lock_named
from ..db.models import Counter, IssuedPaper, Project, ProjectPermit, Referral, User
from ..domain.calendar import format_jalali_date, jalali_year, local_date
from ..domain.codes import DISCIPLINE_FA
from ..domain.digest import canonical_json, digest
from ..domain.errors import InputError
from ..domain.rules_fa import join_fa
from ..domain.text import normalize_digits, text_problem
from . import documents
from .context import ServiceContext, audit
from .document_dto import (
    CONTENT_ADDED_LATER,
    CONTENT_ADDED_SINCE,
    CONTENT_DROPPED,
    RECEIPT_FA,
    AddendumChange,
    AddendumNote,
    CommitmentDTO,
    ContractDTO,
    DailyReportDTO,
    DocumentRefused,
    LetterDTO,
    PaperStamp,
    PermitNote,
    ReceiptDTO,
    receipt_title,
)
from .paper_records import last_paper, signature_due, signers, standing
from .permissions import require
from .registry import use_case

KIND_FA = {
    "contract": "قرارداد نظارت بر اجرای ساختمان",
    "commitment": "تعهدنامه ناظر",
    "receipt": RECEIPT_FA,
    "letter": "معرفی‌نامه ناظران",
    "daily": "گزارش نتایج ارجاع نظارت",
    "addendum": "الحاقیه قرارداد نظارت",
}
# Crockford's base 32: no I, L, O, U (read aloud and typed back without confusion)
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_CHARS = 12  # 60 bits of the HMAC
_TYPED = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})


@dataclass(frozen=True)
class IssuedContract:
    stamp: PaperStamp
    paper: ContractDTO


@dataclass(frozen=True)
class IssuedCommitment:
    stamp: PaperStamp
    paper: CommitmentDTO


@dataclass(frozen=True)
class IssuedReceipt:
    stamp: PaperStamp
    paper: ReceiptDTO


@dataclass(frozen=True)
class IssuedLetter:
    stamp: PaperStamp
    paper: LetterDTO


@dataclass(frozen=True)
class IssuedDaily:
    stamp: PaperStamp
    paper: DailyReportDTO


@dataclass(frozen=True)
class PaperCheck:
    """What a verification code stands for: the paper as issued."""

    code: str
    kind: str
    kind_fa: str
    number: str
    issued_at: datetime
    issued_by: str
    file_no: str
    parties: tuple[str, ...]  # owners, supervisors (names)
    summary: str  # Persian: what the paper is about
    replaces: str  # the number of the paper this one replaced ("" none)
    replaced_by: str  # the number of the paper that replaced this one ("" none: in force)
    prints: int
    content_digest: str
    # a contract: the addenda (numbers) by which supervisors chosen after it joined it
    addenda: tuple[str, ...] = ()
    # in_force | replaced: a replaced paper is void (`state_fa` says so first, naming the
    # paper that replaced it and its date); the web check and `verify-paper` (exit 3) say it
    state: str = "in_force"
    state_fa: str = ""
    replaced_by_issued_at: datetime | None = None
    # a contract: what each addendum did («الحاقیه ۱ (شماره …): ناظر عمران X جای Y»), and the
    # supervisors it named who were replaced by one (no longer parties: not in `parties`)
    addenda_notes: tuple[str, ...] = ()
    departed: tuple[str, ...] = ()


# ---------------------------------------------------------------- the code


def format_code(raw: str) -> str:
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def normalize_code(text: str) -> str:
    """What a person types or a QR reader gives back → the 12 characters (or "")."""
    t = normalize_digits(text or "").strip().upper()
    if "/VERIFY/" in t:
        t = t.rsplit("/VERIFY/", 1)[1]
    t = "".join(c for c in t if c.isalnum()).translate(_TYPED)
    return t if len(t) == CODE_CHARS and all(c in ALPHABET for c in t) else ""


def _signed_body(row: IssuedPaper, replaces_number: str) -> bytes:
    """The record the code is the HMAC of (everything issued, the content by its digest)."""
    return canonical_json(
        {
            "number": row.number,
            "kind": row.kind,
            "subject": row.subject,
            "file_no": row.file_no,
            "issued_at": row.issued_at,
            "issued_by": row.issued_by,
            "replaces": replaces_number,
            "content_digest": row.content_digest,
        }
    ).encode()


def _code(ctx: ServiceContext, row: IssuedPaper, replaces_number: str) -> str:
    mac = ctx.server_key().mac("paper", _signed_body(row, replaces_number))
    n = int.from_bytes(mac[:8], "big") >> (64 - 5 * CODE_CHARS)
    raw = "".join(ALPHABET[(n >> (5 * (CODE_CHARS - 1 - i))) & 31] for i in range(CODE_CHARS))
    return format_code(raw)


def check_url(public_url: str, code: str) -> str:
    return f"{public_url.rstrip('/')}/verify/{code}"


# ---------------------------------------------------------------- issuing


def _content(dto: Any, kind: str = "") -> dict[str, Any]:
    return _without_dropped(kind, _without_empty_added(json.loads(canonical_json(dto))))


def _without_dropped(kind: str, content: dict[str, Any]) -> dict[str, Any]:
    """The content without the fields its kind no longer holds (CONTENT_DROPPED)."""
    dropped = CONTENT_DROPPED.get(kind, ())
    if not dropped:
        return content
    out = dict(content)
    for parent, key in dropped:
        if isinstance(out.get(parent), dict) and key in out[parent]:
            out[parent] = {k: v for k, v in out[parent].items() if k != key}
    return out


def _same_content(
    kind: str, stored: dict[str, Any], stored_digest: str, new: dict[str, Any] | None,
    new_digest: str,
) -> bool:  # fmt: skip
    """Whether an issued paper's stored content is the new one: as stored, or without the
    fields its kind has dropped since (a receipt issued with the permit it never printed), the
    new one without the fields its kind has gained since the paper was issued
    (CONTENT_ADDED_SINCE: a receipt issued before it told the owner to come and sign)."""
    if stored_digest == new_digest:
        return True
    added = [k for k in CONTENT_ADDED_SINCE.get(kind, ()) if k not in stored]
    if not (CONTENT_DROPPED.get(kind) or added) or new is None:
        return False
    if added:
        new_digest = digest({k: v for k, v in new.items() if k not in added})
    return digest(_without_dropped(kind, stored)) == new_digest


def _without_empty_added(o: Any) -> Any:
    """The content without the fields added later while they are empty (CONTENT_ADDED_LATER)."""
    if isinstance(o, dict):
        return {
            k: _without_empty_added(v)
            for k, v in o.items()
            if not (k in CONTENT_ADDED_LATER and v in ("", None, [], False))
        }
    if isinstance(o, list):
        return [_without_empty_added(v) for v in o]
    return o


def _next_number(s: Session, year: int) -> tuple[int, str]:
    """The outgoing register's next number for the Jalali year (one writer at a time)."""
    name = f"outgoing-{year}"
    lock_named(s, name)
    c = s.get(Counter, name)
    if c is None:
        c = Counter(name=name, value=0)
        s.add(c)
    c.value += 1
    s.flush()
    return c.value, f"{year}-{c.value:05d}"


def _issuer_name(s: Session, ctx: ServiceContext) -> str:
    if ctx.actor.user_id is not None:
        u = s.get(User, ctx.actor.user_id)
        if u is not None and u.full_name:
            return u.full_name
    return ctx.actor.username


def _stamp(row: IssuedPaper, replaces: IssuedPaper | None, public_url: str, now: datetime,
           reprint: bool) -> PaperStamp:  # fmt: skip
    return PaperStamp(
        number=row.number,
        kind=row.kind,
        issued_at=row.issued_at,
        issued_by=row.issued_by,
        code=row.code,
        check_url=check_url(public_url, row.code),
        replaces_number=replaces.number if replaces else "",
        replaces_issued_at=replaces.issued_at if replaces else None,
        reprint=reprint,
        printed_at=now,
        print_no=row.prints,
    )


def _issue(
    ctx: ServiceContext,
    kind: str,
    subject: str,
    file_no: str | None,
    dto: Any,
    signed_stands: bool = False,
    final: bool = False,
) -> tuple[PaperStamp, dict[str, Any] | None]:
    """The paper issued, or reprinted when unchanged; with `signed_stands`, a paper a party
    has signed is reprinted as it was issued (then its content is returned, else None); with
    `final`, the last paper is, whoever signed it (its subject is closed). A dto of None asks
    only for such a paper."""
    content = _content(dto, kind) if dto is not None else None
    content_digest = digest(content) if content is not None else ""
    now = ctx.now()
    with ctx.tx() as s:
        lock_named(s, f"paper-{kind}-{subject}")
        # every print, a paper kept as issued too, waits for the organization's particulars
        documents.organization_info(s, KIND_FA[kind])
        last = last_paper(s, kind, subject)
        stands = last is not None and (final or (signed_stands and bool(signers(s, last.content))))
        if dto is None and not stands:
            raise DocumentRefused(KIND_FA[kind], ("برگه امضاشده‌ای برای چاپ دوباره نیست",))
        same = last is not None and _same_content(
            kind, last.content, last.content_digest, content, content_digest
        )
        if last is not None and (stands or same):  # a reprint
            last.prints += 1
            last.last_printed_at = now
            replaced = s.get(IssuedPaper, last.replaces_id) if last.replaces_id else None
            public_url = last.content["organization"]["public_url"]
            s.flush()
            audit(
                s,
                ctx,
                "paper.reprint",
                "paper",
                last.number,
                after={"kind": kind, "subject": subject, "print": last.prints},
            )
            copy = not signature_due(s, last.content)
            stamp = replace(_stamp(last, replaced, public_url, now, reprint=True), copy=copy)
            return stamp, (dict(last.content) if stands else None)
        seq, number = _next_number(s, jalali_year(now))
        row = IssuedPaper(
            number=number,
            year=jalali_year(now),
            seq=seq,
            kind=kind,
            subject=subject,
            file_no=file_no,
            issued_at=now,
            issued_by=_issuer_name(s, ctx),
            user_id=ctx.actor.user_id,
            content=content,
            content_digest=content_digest,
            code="",
            key_id=ctx.server_key().key_id,
            replaces_id=last.id if last else None,
            prints=1,
            last_printed_at=now,
        )
        row.code = _code(ctx, row, last.number if last else "")
        s.add(row)
        s.flush()
        audit(
            s,
            ctx,
            "paper.issue",
            "paper",
            number,
            after={
                "kind": kind,
                "subject": subject,
                "file_no": file_no,
                "content_digest": content_digest,
                "replaces": last.number if last else None,
            },
        )
        return _stamp(row, last, dto.organization.public_url, now, reprint=False), None


def _issue_or_keep(
    ctx: ServiceContext,
    kind: str,
    subject: str,
    build: Callable[[], Any] | None,
    dto_type: Any,
    **how: bool,
) -> tuple[PaperStamp, Any]:
    """The paper `build` makes now, issued (or reprinted when unchanged); `build` None: the
    paper kept as issued is reprinted (`how`: `_issue`'s signed_stands or final)."""
    dto = build() if build is not None else None
    file_no = dto.property.file_no if dto is not None else None
    stamp, kept = _issue(ctx, kind, subject, file_no, dto, **how)
    if kept is not None:
        dto = TypeAdapter(dto_type).validate_python(kept)
    assert dto is not None
    return stamp, dto


@use_case(writes=True)
def issue_contract(ctx: ServiceContext, project_id: int) -> IssuedContract:
    """The project's supervision contract as an issued paper: a reprint when unchanged, and
    once a supervisor has signed it, always the contract as signed (a supervisor chosen later
    joins it by an addendum, `addenda.issue_addendum`)."""
    require(ctx, "paper.issue")
    subject = f"project:{project_id}"
    with ctx.read() as s:
        signed = standing(s, "contract", subject) is not None
    stamp, dto = _issue_or_keep(
        ctx,
        "contract",
        subject,
        None if signed else lambda: documents.contract_dto(ctx, project_id),
        ContractDTO,
        signed_stands=True,
    )
    with ctx.read() as s:
        row = s.scalar(
            select(IssuedPaper).where(
                IssuedPaper.kind == "contract", IssuedPaper.number == stamp.number
            )
        )
        notes = _addendum_notes(s, row) if row is not None else ()
        permit = None
        if not dto.property.permit_no:  # signed before the permit: clause 2-1's notice
            got = s.get(ProjectPermit, project_id)
            if got is not None and got.permit_no and got.permit_date is not None:
                permit = PermitNote(got.permit_no, got.permit_date, got.updated_at)
    if notes:  # the print says the parties changed since (the signed text stays as it was)
        stamp = replace(stamp, addenda=notes)
    if permit is not None:
        stamp = replace(stamp, permit=permit)
    return IssuedContract(stamp, dto)


def _addendum_notes(s: Session, row: IssuedPaper) -> tuple[AddendumNote, ...]:
    """A contract's addenda in force, as its print notes them: number, date, whether signed,
    and per discipline who joined, whom he replaced and why (from each addendum's content)."""
    out = []
    for a in _addendum_rows(s, row):
        gone = {r.get("discipline"): r for r in a.content.get("replaced") or ()}
        changes = []
        for x in a.content.get("supervisors") or ():
            r = gone.get(x.get("discipline"), {})
            on = r.get("on")
            changes.append(
                AddendumChange(
                    discipline=x.get("discipline", ""),
                    name=x.get("name", ""),
                    replaced=r.get("name", ""),
                    reason=r.get("reason", ""),
                    on=date.fromisoformat(on) if isinstance(on, str) and on else None,
                )
            )
        out.append(
            AddendumNote(
                seq=int(a.content.get("seq") or 0),
                number=a.number,
                issued_at=a.issued_at,
                signed=bool(signers(s, a.content)),
                changes=tuple(changes),
            )
        )
    return tuple(out)


@use_case(writes=True)
def issue_commitment(ctx: ServiceContext, referral_id: int) -> IssuedCommitment:
    """The supervisor's commitment form; once he has signed it (A9), always as signed (the
    capacity it states is the capacity at his signature, not at a later print)."""
    require(ctx, "paper.issue")
    with ctx.read() as s:
        eid = s.scalar(select(Referral.engineer_id).where(Referral.id == referral_id))
        signed = eid is not None and standing(s, "commitment", f"referral:{referral_id}:{eid}")
    dto = None if signed else documents.commitment_dto(ctx, referral_id)
    subject = f"referral:{referral_id}:{eid if dto is None else dto.supervisor.engineer_id}"
    file_no = dto.property.file_no if dto is not None else None
    stamp, kept = _issue(ctx, "commitment", subject, file_no, dto, signed_stands=True)
    if kept is not None:
        dto = TypeAdapter(CommitmentDTO).validate_python(kept)
    assert dto is not None
    return IssuedCommitment(stamp, dto)


@use_case(writes=True)
def issue_receipt(ctx: ServiceContext, project_id: int) -> IssuedReceipt:
    require(ctx, "paper.issue")
    dto = documents.receipt_dto(ctx, project_id)
    stamp, _ = _issue(ctx, "receipt", f"project:{project_id}", dto.file_no, dto)
    return IssuedReceipt(stamp, dto)


@use_case(writes=True)
def issue_letter(ctx: ServiceContext, project_id: int) -> IssuedLetter:
    """Refused (DocumentRefused, Persian reasons) while the letter must not be issued."""
    require(ctx, "paper.issue")
    subject = f"project:{project_id}"
    with ctx.read() as s:
        p = s.get(Project, project_id)
        closed = p is not None and p.status == "completed"
        issued = closed and last_paper(s, "letter", subject) is not None
    # once the building is finished no new letter: the one issued before is reprinted as is
    build = None if issued else lambda: documents.letter_dto(ctx, project_id)
    stamp, dto = _issue_or_keep(ctx, "letter", subject, build, LetterDTO, final=issued)
    return IssuedLetter(stamp, dto)


@use_case(writes=True)
def issue_daily(ctx: ServiceContext, run_id: int | None = None) -> IssuedDaily:
    require(ctx, "paper.issue")
    dto = documents.daily_report_dto(ctx, run_id)
    stamp, _ = _issue(ctx, "daily", f"run:{dto.run_id}", None, dto)
    return IssuedDaily(stamp, dto)


# ---------------------------------------------------------------- checking


def _parties(kind: str, content: dict[str, Any]) -> tuple[str, ...]:
    names: list[str] = []
    owners = content.get("owners") or []
    names += [o.get("name", "") for o in owners]
    names += list(content.get("owner_names") or ())
    sups = content.get("supervisors") or ()
    names += [x.get("name", "") for x in sups]
    if content.get("supervisor"):
        names.append(content["supervisor"].get("name", ""))
    return tuple(dict.fromkeys(n for n in names if n))


def _title(row: IssuedPaper) -> str:
    """The paper's title as printed: a receipt of a file still missing a required document is
    titled as a receipt of documents, not of acceptance (`ReceiptDTO.title`)."""
    if row.kind == "receipt":
        docs = row.content.get("documents") or ()
        return receipt_title((bool(d.get("required")), bool(d.get("received"))) for d in docs)
    return KIND_FA.get(row.kind, row.kind)


def _summary(row: IssuedPaper) -> str:
    what = _title(row)
    if row.kind == "daily":
        return f"{what}، اجرای شماره {row.subject.split(':')[1]}"
    if row.kind == "addendum":
        return (
            f"{what} شماره {row.content.get('seq', '')} به قرارداد "
            f"{row.content.get('contract_number', '')}، پرونده {row.file_no}"
        )
    if row.kind == "commitment":
        sup = row.content.get("supervisor") or {}
        return f"{what}، پرونده {row.file_no}، {sup.get('name', '')}"
    return f"{what}، پرونده {row.file_no}"


def _addendum_rows(s: Session, row: IssuedPaper) -> list[IssuedPaper]:
    """A contract's addenda in force (issued for it and not replaced), oldest first."""
    if row.kind != "contract":
        return []
    rows = s.scalars(
        select(IssuedPaper)
        .where(
            IssuedPaper.kind == "addendum", IssuedPaper.subject.like(f"{row.subject}:addendum:%")
        )
        .order_by(IssuedPaper.id)
    ).all()
    replaced = {r.replaces_id for r in rows if r.replaces_id}
    return [
        r for r in rows if r.id not in replaced and r.content.get("contract_number") == row.number
    ]


def addendum_note(addendum: dict[str, Any], number: str) -> str:
    """What an addendum did to its contract, from its content: «الحاقیه ۱ (شماره 1405-00123):
    ناظر عمران X جای Y» — each joining supervisor, and whom he replaced (ReplacedSupervisor)."""
    gone = {r.get("discipline"): r.get("name", "") for r in addendum.get("replaced") or ()}
    parts = []
    for x in addendum.get("supervisors") or ():
        d = x.get("discipline", "")
        role = f"ناظر {DISCIPLINE_FA.get(d, d)} {x.get('name', '')}"
        parts.append(f"{role} جای {gone[d]}" if gone.get(d) else f"{role} به قرارداد پیوست")
    return f"الحاقیه {addendum.get('seq', '')} (شماره {number}): " + join_fa(parts)


def _departed(addenda: list[IssuedPaper]) -> list[tuple[str, str]]:
    """(name, Persian note) of the supervisors an addendum replaced."""
    out = []
    for a in addenda:
        new = {x.get("discipline"): x.get("name", "") for x in a.content.get("supervisors") or ()}
        for r in a.content.get("replaced") or ():
            d = r.get("discipline", "")
            out.append(
                (
                    r.get("name", ""),
                    f"{r.get('name', '')} (ناظر {DISCIPLINE_FA.get(d, d)}؛ جای او "
                    f"{new.get(d, '')} با الحاقیه {a.content.get('seq', '')} به شماره {a.number})",
                )
            )
    return out


@use_case(writes=False, remote=False)
def foreign_key_of(ctx: ServiceContext, code: str) -> str | None:
    """The key id a paper with this code was issued under, when it is not this process's key
    (`verify-paper` run without the office server's key file says so instead of "unknown")."""
    require(ctx, "paper.verify")
    if not isinstance(code, str) or len(code) > 200:
        return None
    raw = normalize_code(code)
    formatted = format_code(raw) if raw else ""
    with ctx.read() as s:
        theirs = s.scalar(select(IssuedPaper.key_id).where(IssuedPaper.code == formatted))
    return theirs if theirs and theirs != ctx.server_key().key_id else None


@use_case(writes=False)
def verify_paper(ctx: ServiceContext, code: str) -> PaperCheck | None:
    """What the code was issued for, or None: unknown (malformed, never issued here, or a row
    whose record no longer gives the code under this installation's key)."""
    require(ctx, "paper.verify")
    if not isinstance(code, str) or len(code) > 200:
        raise InputError("code", "کد رهگیری باید متن کوتاهی باشد")
    raw = normalize_code(code)
    if not raw:
        return None
    formatted = format_code(raw)
    with ctx.read() as s:
        row = s.scalar(select(IssuedPaper).where(IssuedPaper.code == formatted))
        if row is None:
            return None
        replaces = s.get(IssuedPaper, row.replaces_id) if row.replaces_id else None
        expected = _code(ctx, row, replaces.number if replaces else "")
        if not hmac.compare_digest(expected, formatted):
            return None
        if digest(row.content) != row.content_digest:
            return None
        newer = s.scalar(
            select(IssuedPaper).where(IssuedPaper.replaces_id == row.id).order_by(IssuedPaper.id)
            .limit(1)
        )  # fmt: skip
        addenda = _addendum_rows(s, row)
        departed = _departed(addenda)
        parties = _parties(row.kind, row.content)
        if row.kind == "contract" and addenda:  # the parties now: who left, who joined
            gone = {name for name, _ in departed}
            joined = [
                x.get("name", "") for a in addenda for x in a.content.get("supervisors") or ()
            ]
            parties = tuple(dict.fromkeys([*(n for n in parties if n not in gone), *joined]))
        notes = tuple(addendum_note(a.content, a.number) for a in addenda)
        summary = _summary(row)
        if notes:
            summary += "؛ " + "؛ ".join(notes)
        if newer is not None:
            when = format_jalali_date(local_date(newer.issued_at))
            state, state_fa = (
                "replaced",
                (
                    f"باطل: این برگه با برگه شماره {newer.number} مورخ {when} جایگزین شده و "
                    "از تاریخ صدور آن اعتبار ندارد"
                ),
            )
        else:
            state = "in_force"
            state_fa = "معتبر: این برگه جایگزین نشده است" + (
                f" و با {'الحاقیه' if len(addenda) == 1 else 'الحاقیه‌های'} "
                f"{join_fa([a.number for a in addenda])} تکمیل شده است"
                if addenda
                else ""
            )
        return PaperCheck(
            code=formatted,
            kind=row.kind,
            kind_fa=_title(row),
            number=row.number,
            issued_at=row.issued_at,
            issued_by=row.issued_by,
            file_no=row.file_no or "",
            parties=parties,
            summary=summary,
            replaces=replaces.number if replaces else "",
            replaced_by=newer.number if newer is not None else "",
            prints=row.prints,
            content_digest=row.content_digest,
            addenda=tuple(a.number for a in addenda),
            state=state,
            state_fa=state_fa,
            replaced_by_issued_at=newer.issued_at if newer is not None else None,
            addenda_notes=notes,
            departed=tuple(note for _, note in departed),
        )


@use_case(writes=False)
def papers_issued(ctx: ServiceContext, file_no: str) -> list[PaperCheck]:
    """Every paper issued for a file, oldest first (the desk's register view)."""
    require(ctx, "people.read")
    if not isinstance(file_no, str) or text_problem(file_no, 40):
        return []  # no file number stored could match it
    with ctx.read() as s:
        codes = list(
            s.scalars(
                select(IssuedPaper.code)
                .where(IssuedPaper.file_no == file_no)
                .order_by(IssuedPaper.id)
            )
        )
    out = [verify_paper(ctx, c) for c in codes]
    return [c for c in out if c is not None]

"""Addenda (الحاقیه): a supervisor chosen after the project's contract was signed.

A project has one contract (documents.md). Once a supervisor named in it has signed (A9) it is
kept as signed (papers.issue_contract reprints it, never redraws it): the owners and that
supervisor hold originals with its number and date. A supervisor chosen afterwards — a
discipline decided on a later day, or the new referral after a named supervisor withdrew or
did not come (W1, A9) — joins that contract by an addendum: numbered from the outgoing
register, naming the contract, the supervisor it replaces (if any) and the fee line of the
discipline, signed by the owners, the joining supervisor and the organization.

An addendum is a paper like the others (papers._issue): unchanged it is a reprint; changed
before anyone signed it (its supervisor did not come and the referral went round again) it is a
new paper that replaces it; signed, it stands, and the next supervisor gets addendum n + 1.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db.models import IssuedPaper, Withdrawal
from ..domain.calendar import local_date
from ..domain.codes import DISCIPLINE_FA
from ..domain.errors import InputError
from . import documents
from .context import ServiceContext
from .document_dto import (
    AddendumDTO,
    Article,
    DocumentRefused,
    PaperStamp,
    ReplacedSupervisor,
    SupervisorRow,
)
from .paper_records import addendum_subject as _subject
from .paper_records import standing
from .papers import _issue
from .permissions import require
from .registry import use_case

TITLE_FA = "الحاقیه قرارداد نظارت"


@dataclass(frozen=True)
class IssuedAddendum:
    stamp: PaperStamp
    paper: AddendumDTO


@dataclass(frozen=True)
class _Chain:
    contract: IssuedPaper | None  # the signed contract (None: nothing stands yet)
    covered: dict[tuple[int, int], dict[str, Any]]  # (referral, engineer) → its row as issued
    seq: int  # the number the next addendum takes


def _chain(s: Session, project_id: int) -> _Chain:
    """The signed contract and the addenda signed after it: who they already bind."""
    contract = standing(s, "contract", f"project:{project_id}")
    if contract is None:
        return _Chain(None, {}, 1)
    covered = {
        (x["referral_id"], x["engineer_id"]): {**x, "_seq": 0, "_number": contract.number}
        for x in contract.content["supervisors"]
    }
    seq = 1
    while (paper := standing(s, "addendum", _subject(project_id, seq))) is not None:
        covered.update(
            {
                (x["referral_id"], x["engineer_id"]): {**x, "_seq": seq, "_number": paper.number}
                for x in paper.content["supervisors"]
            }
        )
        seq += 1
    return _Chain(contract, covered, seq)


def _joining(s: Session, project_id: int, chain: _Chain) -> list[SupervisorRow]:
    refs = documents._referrals(s, project_id)
    rows = documents._supervisors(s, refs)
    return [r for r in rows if (r.referral_id, r.engineer_id) not in chain.covered]


@use_case(writes=False)
def addendum_due(ctx: ServiceContext, project_id: int) -> bool:
    """Whether the project's supervisors to sign now sign an addendum (the contract is signed
    and a supervisor chosen since is in neither it nor a signed addendum)."""
    require(ctx, "documents.print")
    with ctx.read() as s:
        chain = _chain(s, project_id)
        return chain.contract is not None and bool(_joining(s, project_id, chain))


def _replaced(
    s: Session, chain: _Chain, joining: list[SupervisorRow]
) -> tuple[ReplacedSupervisor, ...]:
    """The supervisors the contract (or a signed addendum) named for the joining referrals who
    never signed: why they left (W1 in writing, A9 no-show) and when."""
    refs = {j.referral_id for j in joining}
    gone = [
        (rid, eid, row)
        for (rid, eid), row in chain.covered.items()
        if rid in refs and (rid, eid) not in {(j.referral_id, j.engineer_id) for j in joining}
    ]
    if not gone:
        return ()
    why = {
        (w.referral_id, w.engineer_id): w
        for w in s.scalars(select(Withdrawal).where(Withdrawal.referral_id.in_(refs)))
    }
    out = []
    for rid, eid, row in sorted(gone, key=lambda g: g[0]):
        w = why.get((rid, eid))
        out.append(
            ReplacedSupervisor(
                discipline=row["discipline"],
                name=row["name"],
                membership_no=row["membership_no"],
                reason=w.kind if w else "",
                on=local_date(w.at) if w else None,
                named_in_seq=row["_seq"],
                named_in_number=row["_number"],
            )
        )
    return tuple(out)


def _addendum_dto(ctx: ServiceContext, project_id: int) -> tuple[int, AddendumDTO]:
    """(its number n, the addendum) for the supervisors chosen since the contract was signed;
    refused (Persian) while the contract is not signed or nobody has joined since."""
    t = documents.template("addendum_fa")
    with ctx.read() as s:
        chain = _chain(s, project_id)
        if chain.contract is None:
            raise DocumentRefused(TITLE_FA, (t["refusals"]["no_contract"],))
        joining = _joining(s, project_id, chain)
        if not joining:
            raise DocumentRefused(TITLE_FA, (t["refusals"]["no_joiner"],))
        organization = documents.organization_info(s, TITLE_FA)
        p = documents._project(s, project_id)
        prop, owners = documents._property(s, p), documents._owners(s, p)
        attorney = documents._attorney(p, owners)
        fees = documents._fees(s, p, [j.discipline for j in joining])
        tariff = documents._tariff_ref(s, p, TITLE_FA)
        replaced = _replaced(s, chain, joining)
        contract = chain.contract
        seq = chain.seq
    sups = tuple(replace(j, status="", signed_on=None) for j in joining)
    total = sum((f.due_rials if f.due_rials is not None else f.approved_rials) for f in fees)
    holders = [f"صاحب‌کار: {o.name}" for o in owners]
    if attorney is not None:
        holders = [f"صاحب‌کار (به وکالت {attorney.name})"]
    holders += [f"ناظر {DISCIPLINE_FA[x.discipline]}: {x.name}" for x in sups]
    holders.append(f"سازمان ({organization.unit})")
    return seq, AddendumDTO(
        organization=organization,
        seq=seq,
        contract_number=contract.number,
        contract_issued_at=contract.issued_at,
        owners=owners,
        attorney=attorney,
        supervisors=sups,
        replaced=replaced,
        property=prop,
        fees=fees,
        tariff=tariff,
        total_fee_rials=total,
        articles=tuple(Article(a["title"], tuple(a["paragraphs"])) for a in t["articles"]),
        copy_holders=tuple(holders),
        values={"title": t["title"]},
    )


@use_case(writes=True)
def issue_addendum(ctx: ServiceContext, project_id: int, seq: int | None = None) -> IssuedAddendum:
    """The addendum the supervisors chosen since the contract was signed sign (a reprint when
    unchanged, a replacement when its supervisor changed before signing it); with `seq`, a
    reprint of the project's signed addendum n as it was issued."""
    require(ctx, "paper.issue")
    if seq is not None:
        if not isinstance(seq, int) or isinstance(seq, bool) or not 1 <= seq <= 10_000:
            raise InputError("seq", "شماره الحاقیه باید عدد صحیح مثبت باشد")
        stamp, kept = _issue(
            ctx, "addendum", _subject(project_id, seq), None, None, signed_stands=True
        )
    else:
        n, dto = _addendum_dto(ctx, project_id)
        stamp, kept = _issue(
            ctx, "addendum", _subject(project_id, n), dto.property.file_no, dto, signed_stands=True
        )
    if kept is not None:  # signed: as it was issued (the next one is n + 1)
        dto = TypeAdapter(AddendumDTO).validate_python(kept)
    return IssuedAddendum(stamp, dto)

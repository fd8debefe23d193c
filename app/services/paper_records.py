"""Issued papers as the parties left them: which supervisors named in a paper have signed it
(A9), and so which contract and addenda of a project stand — kept as issued, only reprinted
(app/services/papers.py, addenda.py). Below both, and below the documents they are drawn from."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db.models import IssuedPaper, Referral
from ..domain.codes import SELECTED

SIGNED = ("signed", "completed")  # a referral whose supervisor signed (A9)


def addendum_subject(project_id: int, seq: int) -> str:
    return f"project:{project_id}:addendum:{seq}"


def _pairs(content: dict[str, Any]) -> set[tuple[int, int]]:
    """(referral, engineer) of the supervisors a paper names (contract, addendum, form)."""
    rows = [
        *(content.get("supervisors") or ()),
        *([content["supervisor"]] if "supervisor" in content else []),
    ]
    return {(x["referral_id"], x["engineer_id"]) for x in rows}


def signers(s: Session, content: dict[str, Any]) -> set[tuple[int, int]]:
    """(referral, engineer) of a paper's supervisors who have signed it (A9): a signature is
    never undone (W1 is for a supervisor who has not signed), so a paper that has one stands."""
    pairs = _pairs(content)
    if not pairs:
        return set()
    rows = s.execute(
        select(Referral.id, Referral.engineer_id).where(
            Referral.id.in_({r for r, _ in pairs}), Referral.status.in_(SIGNED)
        )
    ).all()
    return {(r, e) for r, e in rows if (r, e) in pairs}


def signature_due(s: Session, content: dict[str, Any]) -> bool:
    """Whether a supervisor the paper names is still to sign it: chosen for his referral and
    not yet signed (A9). One who signed, withdrew or did not come (W1–W3) signs it no more."""
    pairs = _pairs(content)
    if not pairs:
        return False
    rows = s.execute(
        select(Referral.id, Referral.engineer_id).where(
            Referral.id.in_({r for r, _ in pairs}), Referral.status == SELECTED
        )
    ).all()
    return any((r, e) in pairs for r, e in rows)


def last_paper(s: Session, kind: str, subject: str) -> IssuedPaper | None:
    return s.scalar(
        select(IssuedPaper)
        .where(IssuedPaper.kind == kind, IssuedPaper.subject == subject)
        .order_by(IssuedPaper.id.desc())
        .limit(1)
    )


def standing(s: Session, kind: str, subject: str) -> IssuedPaper | None:
    """The subject's paper when a party has signed it (it is kept as issued), else None."""
    last = last_paper(s, kind, subject)
    return last if last is not None and signers(s, last.content) else None


def signed_papers(s: Session, project_id: int) -> tuple[IssuedPaper | None, list[IssuedPaper]]:
    """The project's signed contract and its signed addenda, in order (the letter's
    attachments, the paper check of a contract)."""
    contract = standing(s, "contract", f"project:{project_id}")
    out: list[IssuedPaper] = []
    while contract is not None and (
        paper := standing(s, "addendum", addendum_subject(project_id, len(out) + 1))
    ):
        out.append(paper)
    return contract, out

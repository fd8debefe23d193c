"""The cartable: standing and cancelling (C1–C5), the public candidate list (C6), "why not"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_FLOOR, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db.locks import lock_deadline
from ..db.models import Candidacy, Engineer, Project, Referral, Round
from ..db.policy_store import policy_at
from ..db.snapshot import candidacy_snapshot, load_supervisors
from ..domain.calendar import local_date
from ..domain.candidacy import CandidacySnapshot, Refusal, out_of_everything, refusals
from ..domain.codes import DISCIPLINE_FA, DISCIPLINE_ORDER
from ..domain.eligibility import ReferralFacts
from ..domain.errors import InputError, RuleViolation
from ..domain.policy import Policy
from ..domain.rules_fa import join_fa
from ..domain.scoring import remaining_m2, score_at
from ..domain.state import SupervisorState
from ..domain.text import normalize_code, normalize_digits, text_problem
from .context import ServiceContext, audit
from .dto import CandidateOut, CartableItem, WhyNot
from .permissions import require
from .queries import cartable_items
from .registry import use_case


def _snapshot(s: Session, engineer_id: int, referral_id: int, now: datetime) -> CandidacySnapshot:
    """The one snapshot every candidacy decision reads, taken after waiting out a deadline run
    that is deciding the referral's round (its lock, shared)."""
    deadline = s.scalar(
        select(Round.deadline)
        .join(Referral, (Referral.id == Round.referral_id) & (Referral.round_no == Round.no))
        .where(Referral.id == referral_id)
    )
    if deadline is not None:
        lock_deadline(s, "deadline", deadline, shared=True)  # wait out a running decision
    snap = candidacy_snapshot(s, engineer_id, referral_id, now)
    if snap is None:
        raise InputError("engineer", "مهندس پیدا نشد")
    return snap


def _refuse(refusal: Refusal) -> None:
    if refusal:
        raise RuleViolation(refusal.rules, refusal.message)


@use_case(writes=True)
def stand(ctx: ServiceContext, engineer_id: int, referral_id: int) -> None:
    """C1–C4, W4: stand as candidate while the round runs, if the referral is in one's
    cartable; refused with every rule that refuses it (`domain.candidacy.refusals`)."""
    require(ctx, "candidacy.stand", engineer_id)
    now = ctx.now()
    with ctx.tx() as s:
        snap = _snapshot(s, engineer_id, referral_id, now)
        _refuse(refusals(snap, "stand", policy_at(s, now)))
        s.add(Candidacy(referral_id=referral_id, engineer_id=engineer_id, stood_at=now))
        s.flush()
        audit(
            s, ctx, "candidacy.stand", "referral", referral_id, after={"engineer_id": engineer_id}
        )


@use_case(writes=True)
def cancel(ctx: ServiceContext, engineer_id: int, referral_id: int) -> None:
    """C3–C5: cancel while the round runs; once per referral, a few times a day."""
    require(ctx, "candidacy.cancel", engineer_id)
    now = ctx.now()
    with ctx.tx() as s:
        snap = _snapshot(s, engineer_id, referral_id, now)
        _refuse(refusals(snap, "cancel", policy_at(s, now)))
        c = _active(s, engineer_id, referral_id)
        assert c is not None  # C4 refused otherwise
        c.status, c.cancelled_at = "cancelled", now
        audit(
            s, ctx, "candidacy.cancel", "referral", referral_id, after={"engineer_id": engineer_id}
        )


def _active(s: Session, engineer_id: int, referral_id: int) -> Candidacy | None:
    return s.scalar(
        select(Candidacy).where(
            Candidacy.engineer_id == engineer_id,
            Candidacy.referral_id == referral_id,
            Candidacy.status == "active",
        )
    )


@use_case(writes=False)
def candidates(ctx: ServiceContext, referral_id: int) -> list[CandidateOut]:
    """C6: every candidate of a referral with their current score, for everyone to see."""
    require(ctx, "candidates.read")
    now = ctx.now()
    with ctx.read() as s:
        rows = s.execute(
            select(
                Candidacy.engineer_id,
                Candidacy.stood_at,
                Engineer.membership_no,
                Engineer.first_name,
                Engineer.last_name,
            )
            .join(Engineer, Engineer.id == Candidacy.engineer_id)
            .where(Candidacy.referral_id == referral_id, Candidacy.status == "active")
        ).all()
        policy = policy_at(s, now)
        states = load_supervisors(s, [r.engineer_id for r in rows], now)
    out = [
        CandidateOut(
            r.engineer_id,
            r.membership_no,
            f"{r.first_name} {r.last_name}".strip(),
            score_at(states[r.engineer_id], now, policy),
            r.stood_at,
        )
        for r in rows
    ]
    return sorted(out, key=lambda c: (-c.score, c.stood_at))


@use_case(writes=False)
def cartable(ctx: ServiceContext, engineer_id: int) -> list[CartableItem]:
    """C1, C2: the open referrals this engineer may stand for now, and those they stand for.

    Set-based: the rules are decided once per (discipline, group) and the capacity once per
    discipline (`_offers`); one indexed query then returns exactly the rows to show.
    """
    require(ctx, "cartable.read", engineer_id)
    now = ctx.now()
    with ctx.read() as s:
        policy = policy_at(s, now)
        states = load_supervisors(s, [engineer_id], now)
        if engineer_id not in states:
            raise InputError("engineer", "مهندس پیدا نشد")
        return cartable_in(s, states[engineer_id], now, policy)


def cartable_in(
    s: Session, state: SupervisorState, now: datetime, policy: Policy
) -> list[CartableItem]:
    """`cartable`'s rows in a transaction that has already loaded the engineer's state (the
    web's cartable page reads his candidacies at risk in the same one)."""
    offers, blocked = _offers(state, now, policy)
    items = cartable_items(s, state.id, now, offers, blocked)
    return sorted(items, key=lambda i: (i.deadline, i.file_no, i.discipline))


def _offers(
    state: SupervisorState, now: datetime, policy: Policy
) -> tuple[dict[str, tuple[frozenset[str], Decimal | None]], frozenset[str]]:
    """The referrals `distribution_failures(state, referral, now, policy)` lets through, as
    {discipline: (project groups, largest area or None: any)} and the owner codes that keep a
    referral out (S4, S5).

    Those rules read a referral only through its discipline and group (C2, S1; the engineer's
    own C1, G1–G7, S6 and S7's job count do not read it), its owners (S4, S5) and its area
    (S7). The domain decides each (discipline, group) on a probe referral with no owner and
    no area; S7's area is then at most the discipline's remaining capacity.
    tests/test_bench.py checks the cartable against `distribution_failures` on every
    referral of the bench data.
    """
    on = local_date(now)
    groups = sorted(set().union(*policy.grade_groups.values()))  # S1: no grade, no group
    offers: dict[str, tuple[frozenset[str], Decimal | None]] = {}
    for d in sorted(  # S1 fails outside the disciplines of a valid supervision competence
        {c.discipline for c in state.competences if c.kind == "supervision" and c.valid_on(on)}
    ):
        ok = frozenset(
            g
            for g in groups
            if not refusals(  # the one decision of stand and "why not?", on a probe referral
                CandidacySnapshot(now, state, ReferralFacts(0, 0, d, g, Decimal(0)), True),
                "why_not",
                policy,
            )
        )
        if not ok:
            continue
        # S7 fails when remaining_m2 < area; areas are in hundredths
        room = remaining_m2(state, policy, on, d)
        room = (room * 100).to_integral_value(rounding=ROUND_FLOOR).scaleb(-2)
        offers[d] = (ok, room)
    codes = {state.national_id} | {m.national_id for m in state.members}
    ties = state.financial_ties.union(*(m.financial_ties for m in state.members))
    return offers, frozenset((codes - {None}) | ties)


@use_case(writes=False)
def why_not(ctx: ServiceContext, engineer_id: int, referral_id: int) -> list[WhyNot]:
    """Every rule that keeps this engineer from standing for / being chosen for this referral
    (the same decision as `stand`'s, with A5, without "already standing")."""
    require(ctx, "cartable.read", engineer_id)
    now = ctx.now()
    with ctx.read() as s:
        snap = candidacy_snapshot(s, engineer_id, referral_id, now)
        if snap is None:
            raise InputError("engineer", "مهندس پیدا نشد")
        if snap.referral is None:
            raise InputError("referral", "ارجاع پیدا نشد")
        refusal = refusals(snap, "why_not", policy_at(s, now))
    return [WhyNot(rule, text) for rule, text in refusal.reasons]


@use_case(writes=False)
def cartable_blocks(ctx: ServiceContext, engineer_id: int) -> list[WhyNot]:
    """What keeps this engineer out of every referral (empty cartable), and what to do about
    each (`domain.candidacy.out_of_everything`)."""
    require(ctx, "cartable.read", engineer_id)
    now = ctx.now()
    with ctx.read() as s:
        policy = policy_at(s, now)
        state = load_supervisors(s, [engineer_id], now).get(engineer_id)
        if state is None:
            raise InputError("engineer", "مهندس پیدا نشد")
        return cartable_blocks_in(s, state, now, policy)


def cartable_blocks_in(
    s: Session, state: SupervisorState, now: datetime, policy: Policy
) -> list[WhyNot]:
    """`cartable_blocks` in a transaction that has already loaded the engineer's state."""
    # past a round's deadline (C3), before the run decides it: his candidacies wait
    waiting = s.execute(
        select(Project.file_no, Referral.discipline)
        .select_from(Candidacy)
        .join(Referral, Referral.id == Candidacy.referral_id)
        .join(Round, (Round.referral_id == Referral.id) & (Round.no == Referral.round_no))
        .join(Project, Project.id == Referral.project_id)
        .where(
            Candidacy.engineer_id == state.id,
            Candidacy.cancelled_at.is_(None),
            Candidacy.status == "active",
            Referral.status == "open",
            Round.outcome.is_(None),
            Round.deadline <= now,
        )
        .order_by(Project.file_no, Referral.discipline)
    ).all()
    found = [WhyNot(rule, text) for rule, text in out_of_everything(state, now, policy).reasons]
    if waiting:
        files = join_fa([f"{f} ({DISCIPLINE_FA.get(d, d)})" for f, d in waiting])
        found.insert(
            0,
            WhyNot(
                "C3",
                "مهلت کاندیداتوری گذشته است و اجرای مهلت ارجاع‌ها را تصمیم می‌گیرد؛ "
                f"کاندیداتوری شما برای {files} در انتظار همین تصمیم است",
            ),
        )
    return found


def project_of(s: Session, referral_id: int) -> Project | None:
    ref = s.get(Referral, referral_id)
    return None if ref is None else s.get(Project, ref.project_id)


@dataclass(frozen=True)
class FileWhyNot:
    """For one referral of a file: every rule that keeps this engineer from it (empty: none,
    it is in his cartable or he stands for it)."""

    referral_id: int
    discipline: str
    status: str
    reasons: tuple[WhyNot, ...]


@use_case(writes=False)
def why_not_file(ctx: ServiceContext, engineer_id: int, file_no: str) -> list[FileWhyNot]:
    """ "Why is this not in my cartable?" for a file number: for each of its referrals, the
    rules that keep this engineer out (the same decision as `why_not`), for himself only."""
    require(ctx, "cartable.read", engineer_id)
    if not isinstance(file_no, str) or text_problem(file_no, 40) or not file_no.strip():
        raise InputError("file_no", "شماره پرونده را درست وارد کنید (مثلاً ۱۴۰۵-۰۰۱۲)")
    wanted = normalize_code(normalize_digits(file_no))
    now = ctx.now()
    with ctx.read() as s:
        refs = s.execute(
            select(Referral.id, Referral.discipline, Referral.status)
            .join(Project, Project.id == Referral.project_id)
            .where(Project.file_no == wanted)
        ).all()
        if not refs:
            raise InputError("file_no", f"پرونده‌ای با شماره «{file_no.strip()}» پیدا نشد")
        policy = policy_at(s, now)
        out = []
        for rid, discipline, status in sorted(refs, key=lambda r: DISCIPLINE_ORDER[r[1]]):
            snap = candidacy_snapshot(s, engineer_id, rid, now)
            if snap is None:
                raise InputError("engineer", "مهندس پیدا نشد")
            refusal = refusals(snap, "why_not", policy)
            out.append(
                FileWhyNot(rid, discipline, status, tuple(WhyNot(r, t) for r, t in refusal.reasons))
            )
    return out

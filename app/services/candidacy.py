"""The cartable: standing and cancelling (C1–C5), the public candidate list (C6), "why not"."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_FLOOR, Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..db.locks import lock_deadline
from ..db.models import Candidacy, Engineer, Project, Referral, Round
from ..db.policy_store import policy_at
from ..db.snapshot import chosen_by_project, load_supervisors, referral_facts
from ..domain.calendar import at_local, jalali_year, local_date
from ..domain.eligibility import ReferralFacts, distribution_failures, standing_refusal
from ..domain.errors import InputError, RuleViolation
from ..domain.policy import Policy
from ..domain.rules_fa import RULE_TEXT_FA
from ..domain.scoring import remaining_m2, score_at
from ..domain.state import SupervisorState
from .context import ServiceContext, audit
from .dto import CandidateOut, CartableItem, WhyNot
from .firms import standing_conflict
from .permissions import require
from .queries import cartable_items
from .registry import use_case


def _running_round(s: Session, referral_id: int, now: datetime) -> tuple[Referral, Round]:
    """C3: the referral's candidacy round that runs at `now`, locked against its deadline run."""
    ref = s.get(Referral, referral_id)
    if ref is None:
        raise RuleViolation({"C2"}, "این ارجاع وجود ندارد (C2)")
    rnd = s.scalar(select(Round).where(Round.referral_id == ref.id, Round.no == ref.round_no))
    if rnd is not None:
        lock_deadline(s, "deadline", rnd.deadline, shared=True)  # wait out a running decision
        s.refresh(rnd)
        s.refresh(ref)
    if (
        ref.status != "open"
        or rnd is None
        or rnd.kind != "candidacy"
        or rnd.outcome is not None
        or now >= rnd.deadline
    ):
        raise RuleViolation({"C3"})
    return ref, rnd


def _engineer(s: Session, engineer_id: int) -> Engineer:
    e = s.get(Engineer, engineer_id)
    if e is None:
        raise InputError("engineer", "مهندس پیدا نشد")
    return e


@use_case(writes=True)
def stand(ctx: ServiceContext, engineer_id: int, referral_id: int) -> None:
    """C1–C4: stand as candidate while the round runs, if the referral is in one's cartable."""
    require(ctx, "candidacy.stand", engineer_id)
    now = ctx.now()
    with ctx.tx() as s:
        _engineer(s, engineer_id)
        ref, _ = _running_round(s, referral_id, now)
        facts, _row = referral_facts(s, [ref.id])[ref.id]
        if engineer_id in facts.withdrawn:
            raise RuleViolation({"W4"})
        if _active(s, engineer_id, ref.id) is not None:
            raise RuleViolation({"C4"}, "کاندیداتوری شما برای این ارجاع از قبل برقرار است (C4)")
        policy = policy_at(s, now)
        state = load_supervisors(s, [engineer_id], now)[engineer_id]
        refused = standing_refusal(state, facts, now, policy)
        if refused:
            raise RuleViolation(refused)
        standing_conflict(s, engineer_id, ref.id, now)  # a firm and its member: not both
        c = Candidacy(referral_id=ref.id, engineer_id=engineer_id, stood_at=now)
        s.add(c)
        s.flush()
        audit(s, ctx, "candidacy.stand", "referral", ref.id, after={"engineer_id": engineer_id})


@use_case(writes=True)
def cancel(ctx: ServiceContext, engineer_id: int, referral_id: int) -> None:
    """C3–C5: cancel while the round runs; once per referral, a few times a day."""
    require(ctx, "candidacy.cancel", engineer_id)
    now = ctx.now()
    with ctx.tx() as s:
        _engineer(s, engineer_id)
        ref, _ = _running_round(s, referral_id, now)
        c = _active(s, engineer_id, ref.id)
        if c is None:
            raise RuleViolation({"C4"}, "کاندیداتوری فعالی برای لغو وجود ندارد (C4)")
        earlier = s.scalar(
            select(func.count()).where(
                Candidacy.engineer_id == engineer_id,
                Candidacy.referral_id == ref.id,
                Candidacy.status == "cancelled",
            )
        )
        if earlier:
            raise RuleViolation({"C4"}, "لغو کاندیداتوری برای هر ارجاع تنها یک بار مجاز است (C4)")
        day = local_date(now)
        start = at_local(day, datetime.min.time())
        today = s.scalar(
            select(func.count()).where(
                Candidacy.engineer_id == engineer_id,
                Candidacy.status == "cancelled",
                Candidacy.cancelled_at >= start,
                Candidacy.cancelled_at < start + timedelta(days=1),
            )
        )
        if today >= policy_at(s, now).max_cancellations_per_day:
            raise RuleViolation({"C5"})
        c.status, c.cancelled_at = "cancelled", now
        audit(s, ctx, "candidacy.cancel", "referral", ref.id, after={"engineer_id": engineer_id})


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
        state = states[engineer_id]
        offers, blocked = _offers(state, now, policy)
        items = cartable_items(s, engineer_id, now, offers, blocked)
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
    no area; S7's area is then at most the discipline's remaining capacity when a declaration
    for the year exists. tests/test_bench.py checks the cartable against
    `distribution_failures` on every referral of the bench data.
    """
    on = local_date(now)
    groups = sorted(set().union(*policy.grade_groups.values()))  # S1: no grade, no group
    capacity_checked = state.declaration_for(jalali_year(on)) is not None
    offers: dict[str, tuple[frozenset[str], Decimal | None]] = {}
    for d in sorted(  # S1 fails outside the disciplines of a valid supervision competence
        {c.discipline for c in state.competences if c.kind == "supervision" and c.valid_on(on)}
    ):
        ok = frozenset(
            g
            for g in groups
            if not distribution_failures(state, ReferralFacts(0, 0, d, g, Decimal(0)), now, policy)
        )
        if not ok:
            continue
        room = None
        if capacity_checked:  # S7 fails when remaining_m2 < area; areas are in hundredths
            room = remaining_m2(state, policy, on, d)
            room = (room * 100).to_integral_value(rounding=ROUND_FLOOR).scaleb(-2)
        offers[d] = (ok, room)
    codes = {state.national_id} | {m.national_id for m in state.members}
    ties = state.financial_ties.union(*(m.financial_ties for m in state.members))
    return offers, frozenset((codes - {None}) | ties)


@use_case(writes=False)
def why_not(ctx: ServiceContext, engineer_id: int, referral_id: int) -> list[WhyNot]:
    """Every rule that keeps this engineer from standing for / being chosen for this referral."""
    require(ctx, "cartable.read", engineer_id)
    now = ctx.now()
    with ctx.read() as s:
        ref = s.get(Referral, referral_id)
        if ref is None:
            raise InputError("referral", "ارجاع پیدا نشد")
        policy = policy_at(s, now)
        states = load_supervisors(s, [engineer_id], now)
        if engineer_id not in states:
            raise InputError("engineer", "مهندس پیدا نشد")
        facts, _ = referral_facts(s, [ref.id])[ref.id]
        rnd = s.scalar(select(Round).where(Round.referral_id == ref.id, Round.no == ref.round_no))
        chosen = chosen_by_project(s, [ref.project_id]).get(ref.project_id, frozenset())
        failed = distribution_failures(states[engineer_id], facts, now, policy)
        if engineer_id in facts.withdrawn:
            failed.add("W4")
        if engineer_id in chosen and ref.engineer_id != engineer_id:
            failed.add("A5")
        if ref.status != "open" or rnd is None or rnd.kind != "candidacy" or now >= rnd.deadline:
            failed.add("C3")
    return [WhyNot(r, RULE_TEXT_FA.get(r, r)) for r in sorted(failed)]


def project_of(s: Session, referral_id: int) -> Project | None:
    ref = s.get(Referral, referral_id)
    return None if ref is None else s.get(Project, ref.project_id)

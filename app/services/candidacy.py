"""The cartable: standing and cancelling (C1–C5), the public candidate list (C6), "why not"."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..db.locks import lock_deadline
from ..db.models import Candidacy, Engineer, Project, Referral, Round
from ..db.policy_store import policy_at
from ..db.snapshot import chosen_by_project, load_supervisors, referral_facts
from ..domain.calendar import at_local, local_date
from ..domain.eligibility import distribution_failures, standing_refusal
from ..domain.errors import InputError, RuleViolation
from ..domain.rules_fa import RULE_TEXT_FA
from ..domain.scoring import score_at
from .context import ServiceContext, audit
from .dto import CandidateOut, CartableItem, WhyNot
from .firms import standing_conflict
from .permissions import require


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


def candidates(ctx: ServiceContext, referral_id: int) -> list[CandidateOut]:
    """C6: every candidate of a referral with their current score, for everyone to see."""
    now = ctx.now()
    with ctx.tx() as s:
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


def cartable(ctx: ServiceContext, engineer_id: int) -> list[CartableItem]:
    """C1, C2: the open referrals this engineer may stand for now, and those they stand for."""
    now = ctx.now()
    with ctx.tx() as s:
        policy = policy_at(s, now)
        states = load_supervisors(s, [engineer_id], now)
        if engineer_id not in states:
            raise InputError("engineer", "مهندس پیدا نشد")
        state = states[engineer_id]
        running = (
            select(Referral.id)
            .join(Round, (Round.referral_id == Referral.id) & (Round.no == Referral.round_no))
            .where(
                Referral.status == "open",
                Round.kind == "candidacy",
                Round.outcome.is_(None),
                Round.deadline > now,
            )
        )
        facts = referral_facts(s, running)
        rounds = {
            r.referral_id: r
            for r in s.execute(
                select(Round.referral_id, Round.no, Round.kind, Round.deadline)
                .join(
                    Referral, (Round.referral_id == Referral.id) & (Round.no == Referral.round_no)
                )
                .where(Referral.id.in_(running))
            )
        }
        counts = dict(
            s.execute(
                select(Candidacy.referral_id, func.count())
                .where(Candidacy.status == "active", Candidacy.referral_id.in_(running))
                .group_by(Candidacy.referral_id)
            ).all()
        )
        mine = set(
            s.scalars(
                select(Candidacy.referral_id).where(
                    Candidacy.engineer_id == engineer_id, Candidacy.status == "active"
                )
            )
        )
    items = []
    for rid, (f, row) in facts.items():
        standing = rid in mine
        if not standing and (
            engineer_id in f.withdrawn or distribution_failures(state, f, now, policy)
        ):
            continue
        rnd = rounds[rid]
        items.append(
            CartableItem(
                rid,
                row.file_no,
                f.discipline,
                f.group,
                f.area_m2,
                rnd.no,
                rnd.kind,
                rnd.deadline,
                standing,
                counts.get(rid, 0),
            )
        )
    return sorted(items, key=lambda i: (i.deadline, i.file_no, i.discipline))


def why_not(ctx: ServiceContext, engineer_id: int, referral_id: int) -> list[WhyNot]:
    """Every rule that keeps this engineer from standing for / being chosen for this referral."""
    now = ctx.now()
    with ctx.tx() as s:
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

"""20:00 and 12:00: deciding due referrals (A1–A8, A10) and ending signing windows (A9, W1–W4).

Each deadline is decided in one transaction that first takes the deadline's lock and checks
its unique run record, so several desks running `tick` at once decide it exactly once; a
crash half-way rolls the whole deadline back, so nothing is decided twice or half.
"""

from __future__ import annotations

import hashlib
import json
import time
import zlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from operator import attrgetter

from sqlalchemy import func, insert, select, union, update
from sqlalchemy.orm import Session

from ..db.locks import lock_deadline
from ..db.models import (
    Candidacy,
    CapacityHold,
    Competence,
    DeadlineRun,
    Notification,
    Project,
    Referral,
    Round,
    ScoreEntry,
    Withdrawal,
)
from ..db.policy_store import calendar_at, check_covered, policy_at
from ..db.snapshot import chosen_by_project, load_supervisors, referral_facts
from ..domain.allocation import Candidate, DeadlineSnapshot, Decision, DueReferral, decide_deadline
from ..domain.calendar import WorkCalendar, jalali_year
from ..domain.codes import CANDIDACY, DISCIPLINE_ORDER, FORCED
from ..domain.digest import canonical_bytes, digest
from ..domain.errors import InputError, RuleViolation
from ..domain.plain import from_plain
from ..domain.policy import Policy
from ..domain.scoring import withdrawal_effects
from ..domain.state import Charge, SupervisorState
from .context import ServiceContext, audit
from .dto import RunSummary
from .notify import message_fields, notification_row, queue
from .permissions import require
from .projects import open_deadline
from .registry import use_case


class DeadlineConflict(RuntimeError):
    """Items due at an instant whose run is already recorded: never decided twice."""


@use_case(writes=True, server=("until", "progress"), atomic=False)
def run_due(
    ctx: ServiceContext,
    until: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RunSummary:
    """Process every deadline and signing-window end due at or before `until`, in time order.
    `progress(done, total)` is called after each instant (the desk's progress bar)."""
    require(ctx, "deadline.run")
    now = ctx.now()
    if until is not None and until > now:  # A6/A9: nothing is decided before its time
        raise InputError("until", "مهلت‌ها و پایان پنجره‌های امضا پیش از رسیدن زمانشان اجرا نمی‌شوند")
    until = until or now
    counts: dict[str, int] = defaultdict(int)
    total = _due_instants(ctx, until) if progress else 0
    step = 0
    while True:
        with ctx.tx() as s:
            t_sign = s.scalar(
                select(func.min(Referral.sign_until)).where(
                    Referral.status == "selected", Referral.sign_until <= until
                )
            )
            t_dead = s.scalar(
                select(func.min(Round.deadline)).where(
                    Round.outcome.is_(None), Round.deadline <= until
                )
            )
        if t_sign is None and t_dead is None:
            break
        if t_sign is not None and (t_dead is None or t_sign <= t_dead):
            done = end_signing_window(ctx, t_sign, counts)
            kind, at = "signing_end", t_sign
        else:
            done = decide_due(ctx, t_dead, counts)
            kind, at = "deadline", t_dead
        if not done:
            counts["skipped"] += 1
            with ctx.tx() as s:  # another desk ran it; it must have left nothing at that instant
                left = (
                    s.scalar(
                        select(func.count()).where(
                            Referral.status == "selected", Referral.sign_until == at
                        )
                    )
                    if kind == "signing_end"
                    else s.scalar(
                        select(func.count()).where(Round.outcome.is_(None), Round.deadline == at)
                    )
                )
            if left:
                raise DeadlineConflict(f"{kind} {at.isoformat()}: {left} item(s) after its run")
        step += 1
        if progress:
            progress(step, max(total, step))
    return RunSummary(**counts)


def _due_instants(ctx: ServiceContext, until: datetime) -> int:
    """How many distinct instants are due (new rounds may add a few while running)."""
    with ctx.tx() as s:
        signs = s.scalar(
            select(func.count(func.distinct(Referral.sign_until))).where(
                Referral.status == "selected", Referral.sign_until <= until
            )
        )
        deadlines = s.scalar(
            select(func.count(func.distinct(Round.deadline))).where(
                Round.outcome.is_(None), Round.deadline <= until
            )
        )
    return (signs or 0) + (deadlines or 0)


def _claim(s: Session, kind: str, at: datetime) -> bool:
    """Take the deadline's lock; False when its run is already recorded (another desk did it)."""
    lock_deadline(s, kind, at)
    return not s.scalar(
        select(DeadlineRun.id).where(DeadlineRun.kind == kind, DeadlineRun.deadline == at)
    )


def _record_run(
    s: Session,
    ctx: ServiceContext,
    kind: str,
    at: datetime,
    started: datetime,
    inputs: object,
    outputs: object,
    decided: int,
) -> int:
    text = canonical_bytes(inputs)  # once: stored and hashed (large forced pools)
    run = DeadlineRun(
        kind=kind,
        deadline=at,
        started_at=started,
        finished_at=ctx.now(),
        decided=decided,
        input_digest=hashlib.sha256(text).hexdigest(),
        output_digest=digest(outputs),
        snapshot=zlib.compress(text, 1),  # JSON's repetition: level 1 keeps most of the gain
        actor=ctx.actor.username,
    )
    s.add(run)
    s.flush()
    return run.id


_stood_order = attrgetter("stood_at", "engineer_id")


def build_snapshot(s: Session, at: datetime, policy: Policy) -> tuple[DeadlineSnapshot, dict]:
    """The decision's inputs, in a fixed number of set-based queries."""
    due_rows = s.execute(
        select(Round.id, Round.referral_id, Round.no, Round.kind).where(
            Round.outcome.is_(None), Round.deadline == at
        )
    ).all()
    due_ids = select(Round.referral_id).where(Round.outcome.is_(None), Round.deadline == at)
    facts = referral_facts(s, due_ids)
    cands: dict[int, list[Candidate]] = defaultdict(list)
    for rid, eid, stood in (
        s.connection()
        .execute(  # rows as tuples: 10⁵–10⁶ of them
            select(Candidacy.referral_id, Candidacy.engineer_id, Candidacy.stood_at).where(
                Candidacy.status == "active", Candidacy.referral_id.in_(due_ids)
            )
        )
        .all()
    ):
        cands[rid].append(Candidate(eid, stood))
    # A6: who may be forced — everyone with a supervision competence in the discipline.
    forced_disc = {
        facts[r.referral_id][0].discipline
        for r in due_rows
        if r.kind == FORCED or r.no > policy.max_extensions
    }
    pools: dict[str, list[int]] = defaultdict(list)
    wanted = select(Candidacy.engineer_id).where(
        Candidacy.status == "active", Candidacy.referral_id.in_(due_ids)
    )
    if forced_disc:
        in_pool = select(Competence.engineer_id, Competence.discipline).where(
            Competence.kind == "supervision", Competence.discipline.in_(forced_disc)
        )
        for eid, disc in s.execute(in_pool.order_by(Competence.engineer_id)):
            pools[disc].append(eid)
        wanted = union(wanted, select(in_pool.subquery().c.engineer_id))
    people = load_supervisors(s, wanted, at)
    projects = {f.project_id for f, _ in facts.values()}
    snap = DeadlineSnapshot(
        at=at,
        referrals=tuple(
            DueReferral(
                facts[r.referral_id][0],
                facts[r.referral_id][1].file_no,
                facts[r.referral_id][1].ready_at,
                r.no,
                r.kind,
                tuple(sorted(cands.get(r.referral_id, ()), key=_stood_order)),
            )
            for r in sorted(due_rows, key=lambda r: r.referral_id)
        ),
        supervisors=people,
        pools={d: tuple(p) for d, p in sorted(pools.items())},
        chosen=chosen_by_project(s, projects) if projects else {},
    )
    return snap, {r.referral_id: r.id for r in due_rows}


@use_case(writes=True, remote=False, server=("at", "counts", "phases"))
def decide_due(
    ctx: ServiceContext,
    at: datetime,
    counts: dict[str, int] | None = None,
    phases: dict[str, float] | None = None,
) -> bool:
    """Decide every referral whose round ends at `at`, once. False: already decided elsewhere.
    `phases` (the bench's) receives the seconds of each phase: snapshot, decision, run record,
    write-back, commit."""
    require(ctx, "deadline.run")
    counts = counts if counts is not None else defaultdict(int)
    started = ctx.now()
    lap = _laps(phases)
    with ctx.tx() as s:
        if not _claim(s, "deadline", at):
            return False
        policy = policy_at(s, at)
        cal = calendar_at(s, policy)
        snap, round_ids = build_snapshot(s, at, policy)
        lap("snapshot")
        decisions = decide_deadline(snap, policy, cal)
        lap("decision")
        run_id = _record_run(
            s,
            ctx,
            "deadline",
            at,
            started,
            {"snapshot": snap, "policy": policy, "calendar": cal},
            decisions,
            len(decisions),
        )
        lap("run record")
        _write_decisions(s, ctx, snap, decisions, round_ids, run_id, policy, cal)
        s.flush()
        lap("write-back")
        counts["deadlines"] += 1
        counts["decided"] += len(decisions)
        for d in decisions:
            counts[
                {
                    "selected": "selected",
                    "forced": "forced",
                    "extended": "extended",
                    "unassigned": "unassigned",
                }[d.outcome]
            ] += 1
    lap("commit")
    return True


def _laps(phases: dict[str, float] | None) -> Callable[[str], None]:
    """lap(name): the seconds since the previous lap, added to `phases[name]` (if given)."""
    last = [time.perf_counter()]

    def lap(name: str) -> None:
        if phases is not None:
            now = time.perf_counter()
            phases[name] = phases.get(name, 0.0) + now - last[0]
            last[0] = now

    return lap


def _ranking_json(d: Decision, people: dict[int, SupervisorState]) -> list[dict]:
    return [
        {
            "engineer_id": r.engineer_id,
            "membership_no": people[r.engineer_id].membership_no,
            "score": str(r.score),
            "remaining_m2": str(r.remaining_m2),
            "active_jobs": r.active_jobs,
        }
        for r in d.ranking
    ]


def _write_decisions(
    s: Session,
    ctx: ServiceContext,
    snap: DeadlineSnapshot,
    decisions: tuple[Decision, ...],
    round_ids: dict[int, int],
    run_id: int,
    policy: Policy,
    cal: WorkCalendar,
) -> None:
    """Every decision's effects, written with one bulk statement per table (A4, A6–A9)."""
    at = snap.at
    year = jalali_year(at)
    people = snap.supervisors
    winners = [d for d in decisions if d.engineer_id is not None]
    fields, phones = message_fields(
        s, [d.referral_id for d in winners], [d.engineer_id for d in winners]
    )
    sign_from, sign_until = cal.signing_window(at, *policy.signing_window)
    check_covered(  # a window or a next round on a day the holiday table does not cover
        s,
        sign_from if winners else None,
        *(d.next_deadline for d in decisions if d.outcome == "extended"),
    )
    rounds, selected, extended, unassigned = [], [], [], []
    holds, charges, messages, new_rounds = [], [], [], []
    for d in decisions:
        rounds.append(
            {
                "id": round_ids[d.referral_id],
                "outcome": d.outcome,
                "decided_at": at,
                "run_id": run_id,
                "engineer_id": d.engineer_id,
                "ranking": _ranking_json(d, people),
                "set_aside": [
                    {"engineer_id": e, "membership_no": people[e].membership_no, "rules": [*r]}
                    for e, r in d.set_aside
                ],
                "exclusions": dict(d.exclusions) if d.outcome == "unassigned" else None,
            }
        )
        if d.engineer_id is not None:  # A4, A8, A9
            selected.append(
                {
                    "id": d.referral_id,
                    "status": "selected",
                    "engineer_id": d.engineer_id,
                    "method": d.method,
                    "selected_round": d.round_no,
                    "decided_at": at,
                    "sign_from": sign_from,
                    "sign_until": sign_until,
                }
            )
            holds.append(
                {
                    "engineer_id": d.engineer_id,
                    "referral_id": d.referral_id,
                    "kind": "referral",
                    "area": d.area_m2,
                    "held_from": at,
                }
            )
            charges.append(
                {
                    "engineer_id": d.engineer_id,
                    "at": at,
                    "kind": "charge",
                    "points": d.points,
                    "period_year": year,
                    "referral_id": d.referral_id,
                }
            )
            messages.append(
                notification_row(
                    "selected",
                    d.referral_id,
                    d.engineer_id,
                    at,
                    fields[d.referral_id],
                    phones.get(d.engineer_id),
                    sign_from,
                    sign_until,
                )
            )
        elif d.outcome == "extended":  # A6
            extended.append({"id": d.referral_id, "round_no": d.round_no + 1})
            new_rounds.append(
                {
                    "referral_id": d.referral_id,
                    "no": d.round_no + 1,
                    "kind": CANDIDACY,
                    "opened_at": at,
                    "deadline": d.next_deadline,
                }
            )
        else:  # A7
            unassigned.append({"id": d.referral_id, "status": "unassigned"})
        audit(
            s,
            ctx,
            f"deadline.{d.outcome}",
            "referral",
            d.referral_id,
            at=at,
            after={
                "round": d.round_no,
                "engineer_id": d.engineer_id,
                "method": d.method,
                "run_id": run_id,
            },
            flush=False,
        )
    s.flush()  # the audit lines, in their chain's order
    for model, rows in (
        (Round, rounds),
        (Referral, selected),
        (Referral, extended),
        (Referral, unassigned),
    ):
        if rows:  # ORM bulk UPDATE by primary key: one executemany per table and shape
            s.execute(update(model), rows)
    for model, rows in (
        (CapacityHold, holds),
        (ScoreEntry, charges),
        (Notification, messages),
        (Round, new_rounds),
    ):
        if rows:
            s.execute(insert(model), rows)
    if winners:  # the winners' candidacies have done their work: one statement for all
        s.execute(
            update(Candidacy)
            .where(
                Candidacy.status == "active",
                Candidacy.referral_id.in_([d.referral_id for d in winners]),
                Candidacy.engineer_id
                == select(Referral.engineer_id)
                .where(Referral.id == Candidacy.referral_id)
                .scalar_subquery(),
            )
            .values(status="chosen")
        )


# ---------------------------------------------------------------- signing (A9) and withdrawal (W)


@use_case(writes=True, remote=False, server=("at", "counts"))
def end_signing_window(
    ctx: ServiceContext, at: datetime, counts: dict[str, int] | None = None
) -> bool:
    """A9: at 12:00 every unsigned selection of that window becomes a no-show (= withdrawal)."""
    require(ctx, "deadline.run")
    counts = counts if counts is not None else defaultdict(int)
    started = ctx.now()
    with ctx.tx() as s:
        if not _claim(s, "signing_end", at):
            return False
        # A3's order (entered distribution, file number, discipline), as for the decisions of
        # a deadline: the no-shows of one moment are handled, and messaged, in that order.
        rows = s.execute(
            select(Referral, Project.ready_at, Project.file_no)
            .join(Project, Project.id == Referral.project_id)
            .where(Referral.status == "selected", Referral.sign_until == at)
        ).all()
        refs = [
            r
            for r, _ready, _file in sorted(
                rows, key=lambda x: (x[1], x[2], DISCIPLINE_ORDER[x[0].discipline], x[0].id)
            )
        ]
        policy = policy_at(s, at)
        cal = calendar_at(s, policy)
        people = load_supervisors(s, {r.engineer_id for r in refs}, at)
        inputs = {"at": at, "referrals": [(r.id, r.engineer_id) for r in refs]}
        _record_run(s, ctx, "signing_end", at, started, inputs, inputs["referrals"], len(refs))
        fields, phones = message_fields(s, [r.id for r in refs], [r.engineer_id for r in refs])
        for ref in refs:
            people[ref.engineer_id] = _withdraw(
                s,
                ctx,
                ref,
                people[ref.engineer_id],
                at,
                "no_show",
                None,
                policy,
                cal,
                fields,
                phones,
            )
        counts["signing_ends"] += 1
        counts["no_shows"] += len(refs)
    return True


def _awaiting_signature(s: Session, referral_id: int) -> Referral | None:
    """The referral, read after any running 12:00 run of its window (it may have lapsed)."""
    ref = s.get(Referral, referral_id)
    if ref is not None and ref.sign_until is not None:
        lock_deadline(s, "signing_end", ref.sign_until, shared=True)
        s.refresh(ref)
    return ref


@use_case(writes=True)
def record_signature(ctx: ServiceContext, referral_id: int) -> None:
    """A9: the selected supervisor signs at the office inside the window."""
    require(ctx, "referral.sign")
    now = ctx.now()
    with ctx.tx() as s:
        ref = _awaiting_signature(s, referral_id)
        if (
            ref is None
            or ref.status != "selected"
            or ref.sign_from is None
            or not ref.sign_from <= now < ref.sign_until
        ):
            raise RuleViolation({"A9"})
        ref.status, ref.signed_at = "signed", now
        s.execute(  # the other candidacies have nothing left to stand for
            update(Candidacy)
            .where(Candidacy.referral_id == ref.id, Candidacy.status == "active")
            .values(status="closed")
        )
        audit(
            s,
            ctx,
            "referral.sign",
            "referral",
            ref.id,
            before={"status": "selected"},
            after={"status": "signed", "engineer_id": ref.engineer_id},
        )


@use_case(writes=True)
def record_withdrawal(ctx: ServiceContext, referral_id: int, letter_no: str = "") -> None:
    """W1: a selected, unsigned supervisor withdraws in writing (before the window closes)."""
    require(ctx, "referral.withdraw")
    now = ctx.now()
    with ctx.tx() as s:
        ref = _awaiting_signature(s, referral_id)
        if (
            ref is None
            or ref.status != "selected"
            or (ref.sign_until is not None and now >= ref.sign_until)
        ):
            raise RuleViolation({"W1"})
        policy = policy_at(s, now)
        cal = calendar_at(s, policy)
        state = load_supervisors(s, [ref.engineer_id], now)[ref.engineer_id]
        fields, phones = message_fields(s, [ref.id], [ref.engineer_id])
        _withdraw(s, ctx, ref, state, now, "written", letter_no, policy, cal, fields, phones)


def _withdraw(
    s: Session,
    ctx: ServiceContext,
    ref: Referral,
    state: SupervisorState,
    at: datetime,
    kind: str,
    letter_no: str | None,
    policy: Policy,
    cal: WorkCalendar,
    fields: dict,
    phones: dict,
) -> SupervisorState:
    """W2 score, W3 capacity back, W4 a new round; returns the engineer's state afterwards."""
    eid, selected_round, method = ref.engineer_id, ref.selected_round, ref.method
    charge_row = s.scalar(
        select(ScoreEntry)
        .where(
            ScoreEntry.referral_id == ref.id,
            ScoreEntry.engineer_id == eid,
            ScoreEntry.kind == "charge",
        )
        .order_by(ScoreEntry.id.desc())
        .limit(1)
    )
    charged = Charge(charge_row.at, charge_row.period_year, charge_row.points)
    refund, penalty = withdrawal_effects(state, ref.discipline, ref.area, charged, at, policy)
    for kind_, entry, per_day in (("refund", refund, None), ("penalty", penalty, True)):
        if entry is None:
            continue
        s.add(
            ScoreEntry(
                engineer_id=eid,
                at=at,
                kind=kind_,
                points=entry.points if kind_ == "refund" else entry.base,
                per_day=entry.per_day if per_day else None,
                period_year=entry.year if kind_ == "refund" else jalali_year(at),
                referral_id=ref.id,
            )
        )
    s.execute(
        update(CapacityHold)
        .where(
            CapacityHold.referral_id == ref.id,
            CapacityHold.engineer_id == eid,
            CapacityHold.released_at.is_(None),
        )
        .values(released_at=at, release_reason=kind)
    )  # W3
    s.add(
        Withdrawal(
            referral_id=ref.id,
            engineer_id=eid,
            at=at,
            kind=kind,
            letter_no=letter_no,
            round_no=selected_round,
        )
    )
    old = s.scalar(select(Round).where(Round.referral_id == ref.id, Round.no == selected_round))
    old.outcome = "withdrawn" if kind == "written" else "no_show"
    # W4: a new round, forced when the lost selection came from round 2 or later or was forced.
    new_kind = FORCED if (selected_round >= 2 or method == "forced") else CANDIDACY
    deadline = open_deadline(s, cal, policy, at)
    check_covered(s, deadline)
    s.add(
        Round(
            referral_id=ref.id,
            no=selected_round + 1,
            kind=new_kind,
            opened_at=at,
            deadline=deadline,
        )
    )
    queue(
        s,
        "withdrawn" if kind == "written" else "no_show",
        ref.id,
        eid,
        at,
        fields[ref.id],
        phones.get(eid),
        ref.sign_from,
        ref.sign_until,
    )
    ref.status, ref.round_no, ref.engineer_id, ref.method = "open", selected_round + 1, None, None
    ref.selected_round = ref.decided_at = ref.sign_from = ref.sign_until = None
    audit(
        s,
        ctx,
        f"referral.{kind}",
        "referral",
        ref.id,
        at=at,
        before={"engineer_id": eid, "round": selected_round},
        after={"round": selected_round + 1, "kind": new_kind, "letter_no": letter_no},
    )
    return replace(
        state,
        used_m2=state.used_m2 - ref.area,
        active_jobs=state.active_jobs - 1,
        charges=state.charges + ((refund,) if refund else ()),
        penalties=state.penalties + ((penalty,) if penalty else ()),
    )


# ---------------------------------------------------------------- re-checking a run (A10)


@use_case(writes=False)
def recheck_run(ctx: ServiceContext, run_id: int) -> tuple[bool, str]:
    """Decide a recorded deadline again from its stored inputs and compare with what was
    recorded and published (digests and every round's ranked list). Returns (same?, why)."""
    require(ctx, "deadline.verify")
    with ctx.tx() as s:
        run = s.get(DeadlineRun, run_id)
        if run is None or run.kind != "deadline" or run.snapshot is None:
            raise RuleViolation({"A10"}, "اجرای مهلت با این شماره ثبت نشده است (A10)")
        plain = json.loads(zlib.decompress(run.snapshot))
        recorded_in, recorded_out = run.input_digest, run.output_digest
        published = {
            r.referral_id: r.ranking for r in s.scalars(select(Round).where(Round.run_id == run_id))
        }
    snap = from_plain(DeadlineSnapshot, plain["snapshot"])
    policy = from_plain(Policy, plain["policy"])
    cal = from_plain(WorkCalendar, plain["calendar"])
    if digest({"snapshot": snap, "policy": policy, "calendar": cal}) != recorded_in:
        return False, "ورودی ذخیره‌شده با چکیده ورودی اجرا نمی‌خواند"
    decisions = decide_deadline(snap, policy, cal)
    if digest(decisions) != recorded_out:
        return False, "تصمیم دوباره با چکیده خروجی ثبت‌شده یکی نیست"

    def key(rows):
        return [
            (r["engineer_id"], Decimal(r["score"]), Decimal(r["remaining_m2"]), r["active_jobs"])
            for r in rows or ()
        ]

    people = dict(snap.supervisors)
    for d in decisions:
        if key(published.get(d.referral_id)) != key(_ranking_json(d, people)):
            return False, f"فهرست رتبه‌بندی منتشرشده ارجاع {d.referral_id} تغییر کرده است"
    return True, f"{len(decisions)} تصمیم دوباره گرفته شد و با نتیجه منتشرشده یکی است"

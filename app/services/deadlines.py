"""20:00 and 12:00: deciding due referrals (A1–A8, A10) and ending signing windows (A9, W1–W4).

Each deadline is decided in one transaction that first takes the deadline's lock and checks
its unique run record, so several desks running `tick` at once decide it exactly once; a
crash half-way rolls the whole deadline back, so nothing is decided twice or half.
"""

from __future__ import annotations

import gc
import hashlib
import json
import threading
import time
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from ..db.locks import lock_deadline
from ..db.models import (
    Candidacy,
    CapacityHold,
    DeadlineRun,
    Project,
    Referral,
    Round,
    ScoreEntry,
    Withdrawal,
)
from ..db.policy_store import calendar_at, check_covered, policy_at
from ..db.record_blob import pack, unpack
from ..db.snapshot import load_supervisors
from ..db.writeback import effects_meanwhile, write_effects
from ..domain.allocation import DeadlineSnapshot, Decision, decide_deadline, to_decisions
from ..domain.calendar import WorkCalendar, jalali_year
from ..domain.codes import CANDIDACY, DISCIPLINE_ORDER, FORCED
from ..domain.deadline_run import RunOutcome, decide_run, output_bytes
from ..domain.digest import canonical_bytes, digest
from ..domain.effects import run_effects
from ..domain.errors import InputError, RuleViolation
from ..domain.plain import from_plain
from ..domain.policy import Policy
from ..domain.published import ranking_lines, set_aside_lines
from ..domain.run_inputs import FORMAT, FORMATS, RunInputs, decode_record, encode_record
from ..domain.scoring import withdrawal_effects
from ..domain.state import Charge, SupervisorState
from .context import ServiceContext, audit, audit_row, audit_rows_written, hold_audit_chain
from .dto import RunSummary
from .notify import message_fields, notification_row, queue
from .permissions import require
from .projects import open_deadline
from .registry import use_case
from .run_overlap import fetch_and_decide


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
        snapshot=pack(text),
        actor=ctx.actor.username,
    )
    s.add(run)
    s.flush()
    return run.id


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off for a run: its 10⁵–10⁶ rows, arrays and lines hold no
    reference cycle, and a collection walks every live object (it used to take a quarter of
    a run). Reference counting still frees everything; the collector is on again after —
    once the run's objects are freed (the body returns them from its own frame), or the
    first allocation would set it walking the millions of objects made while it was off."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@use_case(writes=True, remote=False, server=("at", "counts", "phases"))
def decide_due(
    ctx: ServiceContext,
    at: datetime,
    counts: dict[str, int] | None = None,
    phases: dict[str, float] | None = None,
) -> bool:
    """Decide every referral whose round ends at `at`, once. False: already decided elsewhere.
    `phases` (the bench's) receives the seconds of each phase: fetch, decision, record,
    write-back, commit."""
    require(ctx, "deadline.run")
    counts = counts if counts is not None else defaultdict(int)
    with collector_paused():  # the run's objects are gone when the collector is back
        return _decide_due(ctx, at, counts, _laps(phases))


def _decide_due(
    ctx: ServiceContext, at: datetime, counts: dict[str, int], lap: Callable[[str], None]
) -> bool:
    started = ctx.now()
    with ctx.tx() as s:
        if not _claim(s, "deadline", at):
            return False
        policy = policy_at(s, at)
        cal = calendar_at(s, policy)
        inputs, outcome = fetch_and_decide(s.connection(), at, policy, cal, lap)
        record = _Record(inputs, outcome)
        run_id = _insert_run(s, ctx, at, started, outcome)
        _write_outcome(s, ctx, outcome, at, run_id, policy, cal)
        lap("write-back")
        _store_record(s, run_id, record)
        lap("record")
        counts["deadlines"] += 1
        counts["decided"] += len(outcome.decisions)
        for d in outcome.decisions:
            counts[d.outcome] += 1
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


class _Record:
    """A10: the run's record — the rows it read, dumped once — as the digest of those bytes
    and their packing, made on another thread from the moment the decision is made, while
    the run writes its decisions (hashing and packing let go of the interpreter's lock): a
    national record is tens of MB."""

    def __init__(self, inputs: RunInputs, outcome: RunOutcome) -> None:
        self._args: tuple[RunInputs, RunOutcome] | None = (inputs, outcome)
        self._out: tuple[str, bytes] | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="run-record", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            assert self._args is not None
            inputs, outcome = self._args
            raw = encode_record(inputs, outcome.tables)
            self._out = hashlib.sha256(raw).hexdigest(), pack(raw)
        except BaseException as exc:  # handed to the run in result()
            self._error = exc
        finally:
            self._args = None

    def result(self) -> tuple[str, bytes]:
        """(the input digest, the packed record)."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._out is not None
        return self._out


def _insert_run(
    s: Session, ctx: ServiceContext, at: datetime, started: datetime, outcome: RunOutcome
) -> int:
    """The run's row, which its rounds name; its record comes with `_store_record`."""
    return s.execute(
        insert(DeadlineRun)
        .values(
            kind="deadline",
            deadline=at,
            started_at=started,
            finished_at=ctx.now(),
            decided=len(outcome.decisions),
            input_digest="",  # `_store_record`, in the same transaction
            output_digest=outcome.output_digest,
            snapshot=None,
            snapshot_format=FORMAT,
            actor=ctx.actor.username,
        )
        .returning(DeadlineRun.id)
    ).scalar_one()


def _store_record(s: Session, run_id: int, record: _Record) -> None:
    input_digest, packed = record.result()
    s.execute(
        update(DeadlineRun)
        .where(DeadlineRun.id == run_id)
        .values(input_digest=input_digest, snapshot=packed)
    )


def _write_outcome(
    s: Session,
    ctx: ServiceContext,
    outcome: RunOutcome,
    at: datetime,
    run_id: int,
    policy: Policy,
    cal: WorkCalendar,
) -> None:
    """Every decision's effects, written with one bulk statement per table (A4, A6–A9), and
    one audit line per decision, chained by `context.audit_row` (U2). The database is read
    first; then, while the effects are written (`effects_meanwhile`), the messages and the
    audit lines are made without it (the record is made on its own thread: `_Record`)."""
    decisions = outcome.decisions
    winners = [d for d in decisions if d.engineer_id is not None]
    sign_from, sign_until = cal.signing_window(at, *policy.signing_window)
    check_covered(  # a window or a next round on a day the holiday table does not cover
        s,
        sign_from if winners else None,
        *(d.next_deadline for d in decisions if d.outcome == "extended"),
    )
    fields, phones = (
        message_fields(s, [d.referral_id for d in winners], [d.engineer_id for d in winners])
        if winners
        else ({}, {})
    )
    keyed = replace(ctx, key=ctx.server_key())  # the key read once, not once per line
    hold_audit_chain(s, keyed.key)
    effects = run_effects(outcome, at, run_id, sign_from, sign_until)
    conn = s.connection()
    with effects_meanwhile(conn, effects) as effects_written:
        messages = [  # A8: the chosen supervisors' messages
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
            for d in winners
        ]
        lines = [
            audit_row(
                s,
                keyed,
                f"deadline.{d.outcome}",
                "referral",
                d.referral_id,
                None,
                {
                    "round": d.round_no,
                    "engineer_id": d.engineer_id,
                    "method": d.method,
                    "run_id": run_id,
                },
                at,
            )
            for d in decisions
        ]
    write_effects(conn, effects, messages, lines, effects_written)
    if lines:
        audit_rows_written(s)


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


@dataclass(frozen=True)
class Replayed:
    """A recorded deadline run decided again from its stored inputs."""

    decisions: tuple[Decision, ...]  # in the order it made them (A3)
    stood: dict[tuple[int, int], datetime]  # (referral, engineer) → when the candidacy stood
    inputs_match: bool  # the stored inputs give the recorded input digest
    outputs_match: bool  # deciding them again gives the recorded output digest
    published: dict[int, tuple[bytes, bytes]]  # referral → its ranked and set-aside JSON (format 2)
    document: Callable[[], bytes]  # the output document whose SHA-256 is the output digest


def replay(run: DeadlineRun) -> Replayed | None:
    """Decide a recorded run again from its stored inputs (None: it has none — or, format 2,
    their bytes are not the ones its input digest names: an edited record may not even be
    a run's inputs any more, so it is not decided). Format 1: the canonical JSON of a
    `DeadlineSnapshot`; formats 2 and 3: the rows the run read (3's output document names
    no set-aside rules)."""
    if run.snapshot is None:
        return None
    try:
        raw = unpack(run.snapshot)
    except Exception:  # not a packed record at all (zlib.error, zstandard.ZstdError)
        return None
    if run.snapshot_format in FORMATS:
        if hashlib.sha256(raw).hexdigest() != run.input_digest:
            return None
        inputs = decode_record(raw)
        outcome = decide_run(inputs)
        cand = inputs.tables["candidacies"]
        stood = {
            (r, e): datetime.fromisoformat(t).replace(tzinfo=UTC)
            for r, e, t in zip(
                cand["referral_id"], cand["engineer_id"], cand["stood_at"], strict=True
            )
        }
        return Replayed(
            to_decisions(outcome),
            stood,
            True,  # checked above
            outcome.output_digest == run.output_digest,
            {d.referral_id: (d.ranking_json, d.set_aside_json) for d in outcome.decisions},
            lambda: output_bytes(outcome.decisions),
        )
    plain = json.loads(raw)
    snap = from_plain(DeadlineSnapshot, plain["snapshot"])
    policy = from_plain(Policy, plain["policy"])
    cal = from_plain(WorkCalendar, plain["calendar"])
    decisions = decide_deadline(snap, policy, cal)
    return Replayed(
        decisions,
        {
            (d.facts.referral_id, c.engineer_id): c.stood_at
            for d in snap.referrals
            for c in d.candidates
        },
        digest({"snapshot": snap, "policy": policy, "calendar": cal}) == run.input_digest,
        digest(decisions) == run.output_digest,
        {},
        lambda: canonical_bytes(decisions),
    )


_SHOWN: OrderedDict[tuple, Replayed | None] = OrderedDict()
_SHOWN_LOCK = threading.Lock()
SHOWN_KEPT = 2  # the runs people look at are the last ones; a national run's lists are large


def replay_shown(run: DeadlineRun) -> Replayed | None:
    """`replay` for the pages that show a run (its public sheet, its decisions file, its
    daily paper): decided once per recorded run and kept, not decided again on every view —
    at national scale a replay takes seconds, and anyone may open the public page. Keyed by
    the record's bytes and digests, so an altered record is decided afresh; `recheck_run`
    (verify-run, the desk's check) always decides again."""
    if run.snapshot is None:
        return None
    key = (
        run.snapshot_format,
        run.input_digest,
        run.output_digest,
        hashlib.sha256(run.snapshot).digest(),
    )
    with _SHOWN_LOCK:
        if key in _SHOWN:
            _SHOWN.move_to_end(key)
            return _SHOWN[key]
    again = replay(run)
    with _SHOWN_LOCK:
        _SHOWN[key] = again
        while len(_SHOWN) > SHOWN_KEPT:
            _SHOWN.popitem(last=False)
    return again


@use_case(writes=False)
def recheck_run(ctx: ServiceContext, run_id: int) -> tuple[bool, str]:
    """Decide a recorded deadline again from its stored inputs and compare with what was
    recorded and published (digests and every round's ranked list). Returns (same?, why)."""
    require(ctx, "deadline.verify")
    with ctx.tx() as s:
        run = s.get(DeadlineRun, run_id)
        if run is None or run.kind != "deadline" or run.snapshot is None:
            raise RuleViolation({"A10"}, "اجرای مهلت با این شماره ثبت نشده است (A10)")
        published = {
            r.referral_id: (r.ranking, r.set_aside)
            for r in s.scalars(select(Round).where(Round.run_id == run_id))
        }
        again = replay(run)
    if again is None or not again.inputs_match:
        return False, "ورودی ذخیره‌شده با چکیده ورودی اجرا نمی‌خواند"
    if not again.outputs_match:
        return False, "تصمیم دوباره با چکیده خروجی ثبت‌شده یکی نیست"

    def key(lines):
        return [(x.engineer_id, x.score, x.remaining_m2, x.active_jobs) for x in lines]

    for d in again.decisions:
        ranking, set_aside = published.get(d.referral_id, (None, None))
        try:
            same = key(ranking_lines(ranking)) == [tuple(r) for r in d.ranking] and [
                (x.engineer_id, x.rules) for x in set_aside_lines(set_aside)
            ] == list(d.set_aside)
        except (KeyError, TypeError, ValueError, ArithmeticError):  # not lines at all
            same = False
        if not same:
            return False, f"فهرست رتبه‌بندی منتشرشده ارجاع {d.referral_id} تغییر کرده است"
    return True, f"{len(again.decisions)} تصمیم دوباره گرفته شد و با نتیجه منتشرشده یکی است"

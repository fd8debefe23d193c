"""The deadline decision (A1–A7): a pure function of a snapshot and the policy.

The service builds the snapshot with a few set-based queries, calls `decide_deadline`,
and writes the decisions back in one transaction. Same input, same output (A10).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import NamedTuple

from .calendar import WorkCalendar, jalali_year
from .codes import CANDIDACY, DISCIPLINE_ORDER
from .deadline_run import RunOutcome, decide_run, rules_of
from .eligibility import ReferralFacts
from .policy import Policy
from .run_inputs import TABLES, RunInputs
from .state import SupervisorState


class Candidate(NamedTuple):
    """One candidacy of a due referral (a tuple: a national run holds 10⁶ of them)."""

    engineer_id: int
    stood_at: datetime


@dataclass(frozen=True)
class DueReferral:
    facts: ReferralFacts
    file_no: str
    entered_at: datetime  # when the project entered distribution (A3)
    round_no: int
    round_kind: str  # candidacy | forced
    candidates: tuple[Candidate, ...] = ()

    def order_key(self) -> tuple:
        return (self.entered_at, self.file_no, DISCIPLINE_ORDER[self.facts.discipline])


@dataclass(frozen=True)
class DeadlineSnapshot:
    at: datetime
    referrals: tuple[DueReferral, ...]
    supervisors: Mapping[int, SupervisorState]
    # Everyone with a supervision competence in a discipline: the population of a forced choice.
    pools: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    # A5: engineers currently chosen (selected or signed) on each project.
    chosen: Mapping[int, frozenset[int]] = field(default_factory=dict)


class Ranked(NamedTuple):
    """One line of a published ranking (a tuple: a run builds 10⁵ of them)."""

    engineer_id: int
    score: Decimal
    remaining_m2: Decimal
    active_jobs: int


@dataclass(frozen=True)
class Decision:
    referral_id: int
    round_no: int
    round_kind: str
    outcome: str  # selected | extended | forced | unassigned
    engineer_id: int | None = None
    method: str | None = None  # competitive | forced
    ranking: tuple[Ranked, ...] = ()
    set_aside: tuple[tuple[int, tuple[str, ...]], ...] = ()
    exclusions: tuple[tuple[str, int], ...] = ()  # A7: engineers excluded per rule
    area_m2: Decimal = Decimal(0)
    points: Decimal = Decimal(0)
    next_deadline: datetime | None = None  # for an extension (A6)


def decide_deadline(
    snap: DeadlineSnapshot, policy: Policy, calendar: WorkCalendar
) -> tuple[Decision, ...]:
    """Decide every referral due at `snap.at`, one after another (A3), effects at once (A4):
    the snapshot's objects as the run's tables (`snapshot_inputs`), decided by `decide_run`."""
    return to_decisions(decide_run(snapshot_inputs(snap, policy, calendar)))


def to_decisions(outcome: RunOutcome) -> tuple[Decision, ...]:
    """A run's decisions as `Decision` objects (amounts as Decimals)."""
    ids = outcome.engineer_ids
    scale = outcome.capacity_scale
    out = []
    for d in outcome.decisions:
        ranking: tuple[Ranked, ...] = ()
        if d.ranked is not None:
            rows, score, rem, jobs = d.ranked
            ranking = tuple(
                Ranked(e, Decimal(s).scaleb(-2), Decimal(r).scaleb(-scale), j)
                for e, s, r, j in zip(
                    ids[rows].tolist(), score.tolist(), rem.tolist(), jobs.tolist(), strict=True
                )
            )
        rows, masks = d.set_aside
        out.append(
            Decision(
                d.referral_id,
                d.round_no,
                d.round_kind,
                d.outcome,
                d.engineer_id,
                d.method,
                ranking,
                tuple(
                    (e, rules_of(m))
                    for e, m in zip(ids[rows].tolist(), masks.tolist(), strict=True)
                ),
                d.exclusions,
                area_m2=Decimal(d.area).scaleb(-2) if d.engineer_id is not None else Decimal(0),
                points=Decimal(d.points).scaleb(-2) if d.engineer_id is not None else Decimal(0),
                next_deadline=d.next_deadline,
            )
        )
    return tuple(out)


# ---------------------------------------------------------------- objects → the run's tables


def _h(v: Decimal | int, what: str) -> int:
    """An amount as its count of hundredths (the stored form)."""
    scaled = Decimal(v) * 100
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{what}: more than two decimals: {v}")
    return int(scaled)


def _instant(at: datetime) -> str:
    """The stored UTC text of an instant (SQLite's form)."""
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def snapshot_inputs(snap: DeadlineSnapshot, policy: Policy, calendar: WorkCalendar) -> RunInputs:
    """A snapshot of objects as the rows of the run's tables (`run_inputs.TABLES`). A firm's
    member that is not also a supervisor of the snapshot (or is, in another state) gets a row
    of its own under a fresh id."""
    year = jalali_year(snap.at)
    people = dict(snap.supervisors)
    rows: dict[int, SupervisorState] = dict(people)
    links: list[tuple[int, int]] = []
    fresh = max(rows, default=0)
    for s in people.values():
        if s.kind != "firm":
            continue
        for m in s.members:
            mid = m.id
            if rows.get(mid, m) != m:
                fresh += 1
                mid = fresh
            rows[mid] = m if mid == m.id else replace(m, id=mid)
            links.append((s.id, mid))
    tables: dict[str, list[tuple]] = {name: [] for name in TABLES}
    for eid, s in sorted(rows.items()):
        tables["engineers"].append(
            (
                eid,
                s.membership_no,
                s.kind,
                s.national_id,
                s.resident_in_province,
                s.legal_incapacity,
                s.active_execution_project,
                s.design_build_qualified,
                s.employed_by_permit_authority,
                s.membership_paid_through,
                _h(s.base_score, "base score"),
            )
        )
        if s.licence_expires is not None:
            tables["licences"].append((eid, s.licence_expires.isoformat()))
        for c in s.competences:
            if c.kind == "supervision":
                exp = c.expires.isoformat() if c.expires else None
                tables["competences"].append((eid, c.discipline, c.grade, exp))
        for v in s.convictions:
            end = v.end.isoformat() if v.end else None
            tables["convictions"].append((eid, v.degree, v.start.isoformat(), end))
        d = s.declaration_for(year)
        if d is not None:
            groups = "".join(sorted(d.groups))
            percent = _h(d.supervision_percent, "percent")
            tables["declarations"].append((eid, d.ready, d.rules_accepted, groups, percent))
        tables["ties"] += [(eid, code) for code in sorted(s.financial_ties)]
        if s.used_m2 or s.active_jobs:
            tables["holds"].append((eid, _h(s.used_m2, "used area"), s.active_jobs))
        for c in s.charges:
            tables["scores"].append(
                (eid, "charge", _instant(c.at), c.year, _h(c.points, "points"), None)
            )
        for p in s.penalties:
            per_day = _h(p.per_day, "per day")
            tables["scores"].append(
                (eid, "penalty", _instant(p.at), year, _h(p.base, "penalty"), per_day)
            )
    tables["firm_members"] = links
    owners: dict[int, frozenset[str]] = {}
    for due in snap.referrals:
        r = due.facts
        if owners.setdefault(r.project_id, r.owner_codes) != r.owner_codes:
            raise ValueError(f"project {r.project_id}: referrals with other owners")
        tables["due"].append(
            (
                r.referral_id,
                due.round_no,
                due.round_kind,
                r.project_id,
                r.discipline,
                _h(r.area_m2, "area"),
                r.group,
                due.file_no,
                _instant(due.entered_at),
            )
        )
        tables["withdrawals"] += [(r.referral_id, e) for e in sorted(r.withdrawn)]
        if due.round_kind == CANDIDACY:
            tables["candidacies"] += [
                (r.referral_id, c.engineer_id, _instant(c.stood_at)) for c in due.candidates
            ]
    tables["owners"] = [(p, code) for p, codes in owners.items() for code in sorted(codes)]
    tables["chosen"] = [(p, e) for p, es in snap.chosen.items() for e in sorted(es)]
    tables["pools"] = [(e, d) for d, es in snap.pools.items() for e in es]
    return RunInputs(snap.at, policy, calendar, tables)

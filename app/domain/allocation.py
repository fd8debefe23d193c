"""The deadline decision (A1–A7): a pure function of a snapshot and the policy.

The service builds the snapshot with a few set-based queries, calls `decide_deadline`,
and writes the decisions back in one transaction. Same input, same output (A10).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from operator import attrgetter
from typing import NamedTuple

from .calendar import WorkCalendar
from .codes import CANDIDACY, DISCIPLINE_ORDER
from .eligibility import ReferralFacts, RunEligibility
from .policy import Policy
from .scoring import charge_selection, project_score
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


_STOOD = attrgetter("stood_at")
_SCORE, _REMAINING, _JOBS = (
    attrgetter("score"),
    attrgetter("remaining_m2"),
    attrgetter("active_jobs"),
)


def _standing_order(
    candidates: tuple[Candidate, ...], people: Mapping[int, SupervisorState]
) -> list[Candidate]:
    """By time of standing, then membership number (A2's last keys)."""
    by_time = sorted(candidates, key=_STOOD)
    if len({c.stood_at for c in by_time}) < len(by_time):  # a tie: membership no decides
        by_time.sort(key=lambda c: (c.stood_at, people[c.engineer_id].membership_no))
    return by_time


def _rank_competitive(ranking: list[Ranked]) -> None:
    """A2: highest score, then more remaining capacity, then fewer jobs, then earlier, then
    membership no. `ranking` arrives in standing order (the last two keys); each stable sort
    (reverse=True keeps equal items in order) puts one more key in front."""
    ranking.sort(key=_JOBS)
    ranking.sort(key=_REMAINING, reverse=True)
    ranking.sort(key=_SCORE, reverse=True)


def decide_deadline(
    snap: DeadlineSnapshot, policy: Policy, calendar: WorkCalendar
) -> tuple[Decision, ...]:
    """Decide every referral due at `snap.at`, one after another (A3), effects at once (A4)."""
    at = snap.at
    run = RunEligibility(at, policy)
    people = dict(snap.supervisors)
    chosen = {p: set(e) for p, e in snap.chosen.items()}
    decisions: list[Decision] = []
    for due in sorted(snap.referrals, key=DueReferral.order_key):
        r = due.facts
        on_project = frozenset(chosen.get(r.project_id, ()))
        ranking: list[Ranked] = []
        set_aside: list[tuple[int, tuple[str, ...]]] = []
        if due.round_kind == CANDIDACY:
            for c in _standing_order(due.candidates, people):
                s = people[c.engineer_id]
                failed, score, remaining = run.assess(s, r, on_project)  # A1, A5, W4
                if failed:
                    set_aside.append((s.id, tuple(sorted(failed))))
                else:
                    ranking.append(Ranked(s.id, score, remaining, s.active_jobs))
            _rank_competitive(ranking)
            if ranking:
                decisions.append(
                    _select(
                        due,
                        ranking,
                        set_aside,
                        "selected",
                        "competitive",
                        people,
                        chosen,
                        run,
                    )
                )
                continue
            if due.round_no <= policy.max_extensions:  # A6: extend to the next deadline
                decisions.append(
                    Decision(
                        r.referral_id,
                        due.round_no,
                        due.round_kind,
                        "extended",
                        set_aside=tuple(set_aside),
                        next_deadline=calendar.next_deadline(at, policy.deadline_time),
                    )
                )
                continue
        # A6: forced choice among everyone ready who passes G, S, A5 — lowest score first.
        excluded: Counter[str] = Counter()
        pool: list[Ranked] = []
        for eid in snap.pools.get(r.discipline, ()):
            s = people[eid]
            failed, score, remaining = run.assess(s, r, on_project)
            if failed:
                excluded.update(failed)
            else:
                pool.append(Ranked(eid, score, remaining, s.active_jobs))
        pool.sort(
            key=lambda x: (
                x.score,
                -x.remaining_m2,
                x.active_jobs,
                people[x.engineer_id].membership_no,
            )
        )
        if pool:
            decisions.append(_select(due, pool, set_aside, "forced", "forced", people, chosen, run))
        else:  # A7
            decisions.append(
                Decision(
                    r.referral_id,
                    due.round_no,
                    due.round_kind,
                    "unassigned",
                    set_aside=tuple(set_aside),
                    exclusions=tuple(sorted(excluded.items())),
                )
            )
    return tuple(decisions)


def _select(
    due: DueReferral,
    ranking: list[Ranked],
    set_aside: list,
    outcome: str,
    method: str,
    people: dict[int, SupervisorState],
    chosen: dict[int, set[int]],
    run: RunEligibility,
) -> Decision:
    r = due.facts
    winner = ranking[0].engineer_id
    people[winner] = charge_selection(people[winner], r.area_m2, run.at, run.policy)  # A4, at once
    run.charged(winner)
    chosen.setdefault(r.project_id, set()).add(winner)  # A5 for the next disciplines
    return Decision(
        r.referral_id,
        due.round_no,
        due.round_kind,
        outcome,
        winner,
        method,
        tuple(ranking),
        tuple(set_aside),
        area_m2=r.area_m2,
        points=project_score(r.area_m2, run.policy),
    )

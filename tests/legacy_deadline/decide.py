"""The deadline decision (A1–A7) as `app/domain/allocation.py` made it at commit 22e6c81."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Set
from datetime import datetime
from decimal import Decimal
from operator import attrgetter

from app.domain.allocation import Candidate, DeadlineSnapshot, Decision, DueReferral, Ranked
from app.domain.calendar import WorkCalendar, jalali_year, local_date
from app.domain.codes import CANDIDACY
from app.domain.eligibility import (
    ReferralFacts,
    _identity,
    competence_ok,
    general_failures,
    group_failures,
    readiness_failures,
)
from app.domain.policy import Policy
from app.domain.scoring import capacity_m2, charge_selection, project_score, score_at
from app.domain.state import SupervisorState

_NONE: frozenset[str] = frozenset()


class RunEligibility:
    """The per-run memo of commit 22e6c81 (app/domain/eligibility.py)."""

    def __init__(self, at: datetime, policy: Policy) -> None:
        self.at, self.policy = at, policy
        self.on = local_date(at)
        self.year = jalali_year(self.on)
        self._own: dict[int, tuple[frozenset[str], frozenset[str], frozenset[str], bool]] = {}
        self._facts: dict[tuple[int, str, str], tuple] = {}
        self._capacity: dict[tuple[int, str], Decimal] = {}
        self._score: dict[int, Decimal] = {}

    def _own_facts(self, s: SupervisorState) -> tuple:
        fixed = readiness_failures(s, self.year) | general_failures(s, self.on, self.policy)
        if s.employed_by_permit_authority:
            fixed.add("S6")
        codes, ties = _identity(s)
        own = (frozenset(fixed), codes, ties, s.declaration_for(self.year) is not None)
        self._own[s.id] = own
        return own

    def _static(self, s: SupervisorState, discipline: str, group: str) -> tuple:
        fixed, codes, ties, declared = self._own.get(s.id) or self._own_facts(s)
        kind = group_failures(s, group, self.year)
        if not competence_ok(s, discipline, group, self.on, self.policy):
            kind.add("S1")
        facts = (fixed | kind, codes, ties, declared, self._capacity_of(s, discipline))
        self._facts[s.id, discipline, group] = facts
        return facts

    def _capacity_of(self, s: SupervisorState, discipline: str) -> Decimal:
        cap = self._capacity.get((s.id, discipline))
        if cap is None:
            cap = capacity_m2(s, self.policy, self.on, discipline)
            self._capacity[s.id, discipline] = cap
        return cap

    def assess(
        self, s: SupervisorState, r: ReferralFacts, chosen: Set[int] = frozenset()
    ) -> tuple[frozenset[str], Decimal | None, Decimal]:
        facts = self._facts.get((s.id, r.discipline, r.group))
        if facts is None:
            facts = self._static(s, r.discipline, r.group)
        static, codes, ties, _declared, capacity = facts
        remaining = capacity - s.used_m2
        owners = r.owner_codes
        s4 = bool(owners and codes and not owners.isdisjoint(codes))
        s5 = bool(owners and ties and not owners.isdisjoint(ties))
        s7 = remaining < r.area_m2 or s.active_jobs >= self.policy.max_active_jobs
        a5, w4 = s.id in chosen, s.id in r.withdrawn
        if static or s4 or s5 or s7 or a5 or w4:
            flags = (("S4", s4), ("S5", s5), ("S7", s7), ("A5", a5), ("W4", w4))
            return static | {rule for rule, failed in flags if failed}, None, remaining
        score = self._score.get(s.id)
        if score is None:
            score = self._score[s.id] = score_at(s, self.at, self.policy)
        return _NONE, score, remaining

    def charged(self, engineer_id: int) -> None:
        self._score.pop(engineer_id, None)


_STOOD = attrgetter("stood_at")
_SCORE, _REMAINING, _JOBS = (
    attrgetter("score"),
    attrgetter("remaining_m2"),
    attrgetter("active_jobs"),
)


def _standing_order(
    candidates: tuple[Candidate, ...], people: Mapping[int, SupervisorState]
) -> list[Candidate]:
    by_time = sorted(candidates, key=_STOOD)
    if len({c.stood_at for c in by_time}) < len(by_time):
        by_time.sort(key=lambda c: (c.stood_at, people[c.engineer_id].membership_no))
    return by_time


def _rank_competitive(ranking: list[Ranked]) -> None:
    ranking.sort(key=_JOBS)
    ranking.sort(key=_REMAINING, reverse=True)
    ranking.sort(key=_SCORE, reverse=True)


def decide_deadline_old(
    snap: DeadlineSnapshot, policy: Policy, calendar: WorkCalendar
) -> tuple[Decision, ...]:
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
                failed, score, remaining = run.assess(s, r, on_project)
                if failed:
                    set_aside.append((s.id, tuple(sorted(failed))))
                else:
                    ranking.append(Ranked(s.id, score, remaining, s.active_jobs))
            _rank_competitive(ranking)
            if ranking:
                decisions.append(
                    _select(due, ranking, set_aside, "selected", "competitive", people, chosen, run)
                )
                continue
            if due.round_no <= policy.max_extensions:
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
        else:
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


def _select(due, ranking, set_aside, outcome, method, people, chosen, run) -> Decision:
    r = due.facts
    winner = ranking[0].engineer_id
    people[winner] = charge_selection(people[winner], r.area_m2, run.at, run.policy)
    run.charged(winner)
    chosen.setdefault(r.project_id, set()).add(winner)
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

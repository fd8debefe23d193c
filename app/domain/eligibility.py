"""Who may stand for and be chosen for a referral: G1–G7, S1, S4–S7, C1, C2, A5, W4.

Each function returns the set of rule IDs that fail (empty: passes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from .calendar import jalali_year, local_date
from .policy import Policy
from .scoring import remaining_m2
from .state import SupervisorState


@dataclass(frozen=True)
class ReferralFacts:
    """What the rules need to know about one referral."""

    referral_id: int
    project_id: int
    discipline: str
    group: str
    area_m2: Decimal  # project area × discipline factor (S7, A4)
    owner_codes: frozenset[str] = frozenset()
    withdrawn: frozenset[int] = frozenset()  # W4: engineers who withdrew from it


def _general_one(s: SupervisorState, on: date, year: int, policy: Policy) -> set[str]:
    failed: set[str] = set()
    if not s.resident_in_province:
        failed.add("G1")  # §2.1
    if s.licence_expires is not None and s.licence_expires < on:
        failed.add("G2")  # §2.2
    if s.membership_paid_through is None or s.membership_paid_through < year:
        failed.add("G3")  # §2.3, F5
    if s.legal_incapacity:
        failed.add("G4")
    if s.active_execution_project:
        failed.add("G5")
    if s.design_build_qualified:
        failed.add("G6")
    if any(c.degree >= policy.conviction_bar_degree and c.in_force(on) for c in s.convictions):
        failed.add("G7")
    return failed


def general_failures(s: SupervisorState, on: date, policy: Policy) -> set[str]:
    """G1–G7. A firm also fails G2/G3 when any member's licence or membership fails."""
    year = jalali_year(on)
    failed = _general_one(s, on, year, policy)
    for m in s.members:
        failed |= _general_one(m, on, year, policy) & {"G2", "G3"}
    return failed


def readiness_failures(s: SupervisorState, year: int) -> set[str]:
    """C1: a declaration for the year, marked ready, with the rules accepted."""
    d = s.declaration_for(year)
    return set() if d is not None and d.ready and d.rules_accepted else {"C1"}


def competence_ok(
    s: SupervisorState, discipline: str, group: str, on: date, policy: Policy
) -> bool:
    """S1: a valid supervision competence in the discipline at a grade allowed for the group."""
    return any(
        c.kind == "supervision"
        and c.discipline == discipline
        and c.valid_on(on)
        and group in policy.grade_groups.get(c.grade, frozenset())
        for c in s.competences
    )


def _conflicts(r: ReferralFacts, codes: frozenset[str], ties: frozenset[str]) -> set[str]:
    """S4 (an owner is the supervisor or a firm's member) and S5 (a financial tie with one)."""
    failed: set[str] = set()
    if r.owner_codes & codes:
        failed.add("S4")
    if r.owner_codes & ties:
        failed.add("S5")
    return failed


def _identity(s: SupervisorState) -> tuple[frozenset[str], frozenset[str]]:
    """The national codes a supervisor stands for (a firm: its members too) and their ties."""
    ids = (s.national_id, *(m.national_id for m in s.members))
    codes = frozenset(c for c in ids if c is not None)
    return codes, s.financial_ties.union(*(m.financial_ties for m in s.members))


def _over_capacity(
    s: SupervisorState, r: ReferralFacts, remaining: Decimal, policy: Policy
) -> bool:
    """S7. Without this year's declaration the declared supervision share is nothing, so the
    capacity is zero (S2) and S7 fails beside C1."""
    return remaining < r.area_m2 or s.active_jobs >= policy.max_active_jobs


def referral_failures(
    s: SupervisorState, r: ReferralFacts, at: datetime, policy: Policy
) -> set[str]:
    """S1, S4–S7 for one referral at `at`."""
    on = local_date(at)
    failed = _conflicts(r, *_identity(s))
    if not competence_ok(s, r.discipline, r.group, on, policy):
        failed.add("S1")
    if s.employed_by_permit_authority:
        failed.add("S6")
    if _over_capacity(s, r, remaining_m2(s, policy, on, r.discipline), policy):
        failed.add("S7")
    return failed


def group_failures(s: SupervisorState, group: str, year: int) -> set[str]:
    """C2: the declaration lists the project's building group (checked when one exists)."""
    d = s.declaration_for(year)
    return set() if d is None or group in d.groups else {"C2"}


def distribution_failures(
    s: SupervisorState, r: ReferralFacts, at: datetime, policy: Policy
) -> set[str]:
    """Everything that keeps a referral out of an engineer's cartable (C1, C2's conditions).

    Used for standing (C2), for the re-check at the deadline (A1) and for the forced pool (A6).
    """
    on = local_date(at)
    year = jalali_year(on)
    return (
        readiness_failures(s, year)
        | group_failures(s, r.group, year)
        | general_failures(s, on, policy)
        | referral_failures(s, r, at, policy)
    )


def standing_refusal(
    s: SupervisorState, r: ReferralFacts, at: datetime, policy: Policy
) -> set[str]:
    """C2: the rule IDs refusing a candidacy on eligibility grounds (empty: may stand)."""
    failed = distribution_failures(s, r, at, policy)
    return failed | {"C2"} if failed else failed

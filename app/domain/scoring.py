"""Scores (A4, W2, S8) and supervision capacity (S2, S3, S7)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from .calendar import jalali_year
from .codes import GRADE_ORDER
from .money import firm_capacity, firm_score
from .policy import Policy
from .state import Charge, Penalty, SupervisorState

CENT = Decimal("0.01")
DAY = timedelta(days=1)


def round2(x: Decimal) -> Decimal:
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


def penalty_value(p: Penalty, at: datetime) -> Decimal:
    """W2: max(0,s) − min(max(0,s), ⌊(t − w)/24h⌋ × recovery) — 0 before it starts."""
    if at < p.at:
        return Decimal(0)
    days = (at - p.at) // DAY
    return p.base - min(p.base, days * p.per_day)


def score_at(s: SupervisorState, at: datetime, policy: Policy) -> Decimal:
    """score(t) = base − project scores charged in the current period − active penalties (S8).

    A firm with members takes as base the firm score policy over its members' scores (default:
    their mean) instead of its own base score; its own charges and penalties still count."""
    year = jalali_year(at)
    base = s.base_score
    if s.kind == "firm" and s.members:
        base = firm_score(score_at(m, at, policy) for m in s.members)
    charged = sum(
        (
            c.points
            for c in s.charges
            if c.at <= at and (policy.score_period != "year" or c.year == year)
        ),
        Decimal(0),
    )
    penalised = sum((penalty_value(p, at) for p in s.penalties), Decimal(0))
    return base - charged - penalised


def supervision_grade(s: SupervisorState, on: date) -> str | None:
    """S2: the engineer's highest valid supervision grade, in any discipline."""
    grades = [c.grade for c in s.competences if c.kind == "supervision" and c.valid_on(on)]
    return max(grades, key=GRADE_ORDER.__getitem__) if grades else None


def capacity_m2(
    s: SupervisorState, policy: Policy, on: date, discipline: str | None = None
) -> Decimal:
    """S2: total capacity of the highest grade × this year's declared supervision percent.

    A firm with members: the firm capacity policy over the capacities of the members holding a
    valid supervision competence in `discipline` (default: their sum; all members when None)."""
    if s.kind == "firm" and s.members:
        return firm_capacity(
            capacity_m2(m, policy, on)
            for m in s.members
            if discipline is None
            or any(
                c.kind == "supervision" and c.discipline == discipline and c.valid_on(on)
                for c in m.competences
            )
        )
    decl = s.declaration_for(jalali_year(on))
    grade = supervision_grade(s, on)
    if decl is None or grade is None:
        return Decimal(0)
    total = policy.capacity_total_m2.get(grade, Decimal(0))
    return total * decl.supervision_percent / 100


def remaining_m2(
    s: SupervisorState, policy: Policy, on: date, discipline: str | None = None
) -> Decimal:
    return capacity_m2(s, policy, on, discipline) - s.used_m2


def project_score(area_m2: Decimal, policy: Policy) -> Decimal:
    """A4: the points a selection costs, rounded to 2 decimals."""
    return round2(area_m2 * policy.project_score_per_m2)


def charge_selection(
    s: SupervisorState, area_m2: Decimal, at: datetime, policy: Policy
) -> SupervisorState:
    """A4: capacity charged the referral's area, one more job, score down by the project score."""
    charge = Charge(at, jalali_year(at), project_score(area_m2, policy))
    return replace(
        s, used_m2=s.used_m2 + area_m2, active_jobs=s.active_jobs + 1, charges=(*s.charges, charge)
    )


def withdrawal_effects(
    s: SupervisorState,
    discipline: str,
    area_m2: Decimal,
    charged: Charge,
    at: datetime,
    policy: Policy,
) -> tuple[Charge | None, Penalty | None]:
    """W2: a penalty (score to 0, back 1/day to where it stood) or, for surveyors, the charge back.

    Returns (charge given back, penalty); the caller also returns the area and job (W3).
    """
    if discipline in policy.penalty_exempt_disciplines:
        return Charge(at, charged.year, -charged.points), None
    before = max(Decimal(0), score_at(s, at, policy))
    if before == 0:
        return None, None  # a score at or below zero stays where it is
    return None, Penalty(at, before, policy.withdrawal_recovery_per_day)

"""Intake rules at the counter: P3 (building group), P4 (required disciplines),
P5 (one open file per plate)."""

from __future__ import annotations

from decimal import Decimal

from .codes import DISCIPLINE_ORDER, GROUP_ORDER
from .policy import Policy
from .text import canonical_plate


def _group_of(value: Decimal, thresholds: tuple[tuple[Decimal, str], ...]) -> str:
    for limit, group in thresholds:
        if value <= limit:
            return group
    return "D"


def building_group(floors: int, area_m2: Decimal, policy: Policy) -> str:
    """P3: the higher of the group by floors and the group by area — derived, never typed."""
    by_floors = _group_of(Decimal(floors), policy.group_by_floors)
    by_area = _group_of(Decimal(area_m2), policy.group_by_area)
    return max(by_floors, by_area, key=GROUP_ORDER.__getitem__)


def required_disciplines(floors: int, area_m2: Decimal, policy: Policy) -> tuple[str, ...]:
    """P4: arch, civil, mech, elec; survey too above the policy's floors or area."""
    req = ["arch", "civil", "mech", "elec"]
    w = policy.survey_required_when
    if floors > w["floors_over"] or area_m2 > w["area_over"]:
        req.append("survey")
    return tuple(req)


def disciplines_failures(
    chosen: tuple[str, ...] | list[str], floors: int, area_m2: Decimal, policy: Policy
) -> set[str]:
    """P4: a clerk may add disciplines, never remove a required one."""
    unknown = [d for d in chosen if d not in DISCIPLINE_ORDER]
    missing = set(required_disciplines(floors, area_m2, policy)) - set(chosen)
    return {"P4"} if unknown or missing else set()


def plate_failures(plate: str, open_plates: set[str]) -> set[str]:
    """P5: a registration plate has at most one open file."""
    return {"P5"} if normalize_plate(plate) in open_plates else set()


def normalize_plate(plate: str) -> str:
    """P5's key: the plate's one canonical form (`text.canonical_plate`)."""
    return canonical_plate(plate)

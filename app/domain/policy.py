"""The policy tables ([policy] in rules.md) as one typed, immutable value.

Values come from `resources/policy/*.json` through the database's versioned
policy table, never from literals in the rule code.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import time
from decimal import Decimal
from typing import Any

from .calendar import WEEKDAYS, parse_hhmm
from .codes import DISCIPLINES, GRADES, GROUPS


class PolicyError(ValueError):
    pass


# Every figure of the policy is a count, an area, a score or a factor: none is negative, and
# none near 10^12 (a NaN, an infinity or 1e300 would only fail later, in a deadline run)
LIMIT = 10**12
PLACES = 4  # decimal places a figure may have (a share of 0.05, an area of 9600.50)


def _dec(v: Any, key: str) -> Decimal:
    if isinstance(v, bool) or not isinstance(v, int | float | str | Decimal):
        raise PolicyError(f"policy {key}: a number is expected")
    try:
        d = Decimal(str(v))
    except ArithmeticError as exc:
        raise PolicyError(f"policy {key}: a number is expected") from exc
    if not d.is_finite() or not 0 <= d < LIMIT:
        raise PolicyError(f"policy {key}: a number ≥ 0 and below 10^12 is expected")
    if d.as_tuple().exponent < -PLACES:  # the run's capacities are whole units of 10⁻ˢ m²
        raise PolicyError(f"policy {key}: at most {PLACES} decimal places are expected")
    return d


def _int(v: Any, key: str, minimum: int = 0) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or not minimum <= v < LIMIT:
        raise PolicyError(f"policy {key}: a whole number ≥ {minimum} and below 10^12 is expected")
    return v


def _nonneg(v: Decimal, key: str) -> Decimal:
    if not v.is_finite() or v < 0:
        raise PolicyError(f"policy {key}: a number ≥ 0 is expected")
    return v


def _time(v: Any, key: str) -> time:
    try:
        return parse_hhmm(v)
    except (AttributeError, ValueError) as exc:
        raise PolicyError(f"policy {key}: a time HH:MM is expected") from exc


def _thresholds(v: Any, key: str) -> tuple[tuple[Decimal, str], ...]:
    try:
        out = tuple((_dec(limit, key), str(g)) for limit, g in v)
    except (TypeError, ValueError) as exc:
        raise PolicyError(f"policy {key}: a list of [limit, group] pairs is expected") from exc
    if any(g not in GROUPS for _, g in out) or list(out) != sorted(out):
        raise PolicyError(f"policy {key}: groups A–D in rising limits are expected")
    return out


@dataclass(frozen=True)
class Policy:
    deadline_time: time
    max_extensions: int
    signing_window: tuple[time, time]
    weekend: frozenset[str]
    project_score_per_m2: Decimal
    withdrawal_recovery_per_day: Decimal
    penalty_exempt_disciplines: frozenset[str]
    max_cancellations_per_day: int
    conviction_bar_degree: int
    max_active_jobs: int
    capacity_total_m2: dict[str, Decimal]
    grade_groups: dict[str, frozenset[str]]
    group_by_floors: tuple[tuple[Decimal, str], ...]
    group_by_area: tuple[tuple[Decimal, str], ...]
    discipline_area_factor: dict[str, Decimal]
    score_period: str
    survey_required_when: dict[str, Decimal]
    organization_share: Decimal
    payout_stages: tuple[tuple[str, int], ...]
    minimum_billable_area_m2: Decimal  # F1: the least area a supervision fee is charged for

    @classmethod
    def from_mapping(cls, raw: dict[str, Any]) -> Policy:
        """Build from plain JSON values; an unknown or missing key is an error."""
        unknown = set(raw) - set(POLICY_KEYS)
        if unknown:
            raise PolicyError(f"unknown policy key(s): {', '.join(sorted(unknown))}")
        missing = set(POLICY_KEYS) - set(raw)
        if missing:
            raise PolicyError(f"missing policy key(s): {', '.join(sorted(missing))}")
        r = raw
        window = r["signing_window"]
        if not isinstance(window, list | tuple) or len(window) != 2:
            raise PolicyError("policy signing_window: [start, end] is expected")
        weekend = frozenset(str(w).lower() for w in r["weekend"])
        if not weekend <= set(WEEKDAYS):
            raise PolicyError("policy weekend: English weekday names are expected")
        cap = {
            str(g): _dec(v, "capacity_total_m2") for g, v in dict(r["capacity_total_m2"]).items()
        }
        gg = {str(g): frozenset(v) for g, v in dict(r["grade_groups"]).items()}
        if not set(cap) <= set(GRADES) or not set(gg) <= set(GRADES):
            raise PolicyError("policy capacity_total_m2/grade_groups: grades 3, 2, 1, senior")
        if not all(groups and groups <= set(GROUPS) for groups in gg.values()):
            raise PolicyError("policy grade_groups: each grade's groups among A–D are expected")
        exempt = frozenset(r["penalty_exempt_disciplines"])
        if not exempt <= set(DISCIPLINES):
            raise PolicyError("policy penalty_exempt_disciplines: unknown discipline")
        share = _dec(r["organization_share"], "organization_share")
        if not (share.is_finite() and 0 <= share < 1):
            raise PolicyError("policy organization_share: a fraction from 0 up to 1 is expected")
        factors = {
            str(d): _dec(v, "discipline_area_factor")
            for d, v in dict(r["discipline_area_factor"]).items()
        }
        if not set(factors) <= set(DISCIPLINES):
            raise PolicyError("policy discipline_area_factor: unknown discipline")
        stages = tuple((str(name), _int(pct, "payout_stages")) for name, pct in r["payout_stages"])
        if sum(p for _, p in stages) != 100:
            raise PolicyError("policy payout_stages: percents must add up to 100")
        if r["score_period"] not in ("year", "none"):
            raise PolicyError("policy score_period: 'year' or 'none'")
        survey = {
            k: _dec(v, "survey_required_when") for k, v in dict(r["survey_required_when"]).items()
        }
        if set(survey) != {"floors_over", "area_over"}:
            raise PolicyError("policy survey_required_when: floors_over and area_over")
        opens, closes = _time(window[0], "signing_window"), _time(window[1], "signing_window")
        if not opens < closes:
            raise PolicyError("policy signing_window: the window must open before it closes")
        return cls(
            deadline_time=_time(r["deadline_time"], "deadline_time"),
            max_extensions=_int(r["max_extensions"], "max_extensions"),
            signing_window=(opens, closes),
            weekend=weekend,
            project_score_per_m2=_dec(r["project_score_per_m2"], "project_score_per_m2"),
            withdrawal_recovery_per_day=_dec(
                r["withdrawal_recovery_per_day"], "withdrawal_recovery_per_day"
            ),
            penalty_exempt_disciplines=exempt,
            max_cancellations_per_day=_int(
                r["max_cancellations_per_day"], "max_cancellations_per_day"
            ),
            conviction_bar_degree=_int(r["conviction_bar_degree"], "conviction_bar_degree", 1),
            max_active_jobs=_int(r["max_active_jobs"], "max_active_jobs"),
            capacity_total_m2=cap,
            grade_groups=gg,
            group_by_floors=_thresholds(r["group_by_floors"], "group_by_floors"),
            group_by_area=_thresholds(r["group_by_area"], "group_by_area"),
            discipline_area_factor=factors,
            score_period=r["score_period"],
            survey_required_when=survey,
            organization_share=share,
            payout_stages=stages,
            minimum_billable_area_m2=_nonneg(
                _dec(r["minimum_billable_area_m2"], "minimum_billable_area_m2"),
                "minimum_billable_area_m2",
            ),
        )

    def area_factor(self, discipline: str) -> Decimal:
        return self.discipline_area_factor.get(discipline, Decimal(1))


POLICY_KEYS: tuple[str, ...] = tuple(f.name for f in fields(Policy))

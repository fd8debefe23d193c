"""Money rules, pure: F1 (fee = area × tariff), F3/F4 (the organization's share and the staged
payouts, integer rials, adding up exactly), and the legal-entity (firm) capacity/score policy.

Nothing here reads a database, a clock or the UI.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

CENT = Decimal("0.01")


def fee_rials(area_m2: Decimal, rials_per_m2: int) -> int:
    """F1: the supervision fee of one discipline, in integer rials (half a rial rounds up)."""
    if area_m2 < 0 or rials_per_m2 < 0:
        raise ValueError("area and tariff must not be negative")
    return int((Decimal(area_m2) * rials_per_m2).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Stage:
    name: str
    percent: int


@dataclass(frozen=True)
class FeeSplit:
    """F3/F4: a fee split into the organization's share and the supervisor's staged payouts."""

    fee: int
    organization: int
    stages: tuple[tuple[str, int], ...]  # (stage, rials) in payout order

    @property
    def supervisor_total(self) -> int:
        return sum(a for _, a in self.stages)

    def stage(self, name: str) -> int:
        return dict(self.stages)[name]


def stages_of(raw: Iterable[Sequence[object]]) -> tuple[Stage, ...]:
    """The payout_stages policy value ([[name, percent], ...]) as Stage objects, checked."""
    out = tuple(Stage(str(n), int(p)) for n, p in raw)  # type: ignore[call-overload]
    if sum(s.percent for s in out) != 100 or any(s.percent < 0 for s in out):
        raise ValueError("payout stages must be non-negative percents adding up to 100")
    if len({s.name for s in out}) != len(out):
        raise ValueError("payout stage names must be distinct")
    return out


def split_fee(
    fee: int, organization_share: Decimal | float | str, stages: Sequence[Stage]
) -> FeeSplit:
    """F3/F4: each stage gets ⌊fee × (1 − share) × percent / 100⌋ rials; whatever the rounding
    leaves goes to the organization, so organization + Σ stages == fee exactly."""
    if not isinstance(fee, int) or fee < 0:
        raise ValueError("a fee is a non-negative integer number of rials")
    share = Fraction(Decimal(str(organization_share)))
    if not 0 <= share <= 1:
        raise ValueError("organization share must be between 0 and 1")
    if sum(s.percent for s in stages) != 100:
        raise ValueError("payout stages must add up to 100 percent")
    rest = Fraction(fee) * (1 - share)
    paid = tuple((s.name, int(rest * s.percent / 100)) for s in stages)  # int() floors: ≥ 0
    return FeeSplit(fee, fee - sum(a for _, a in paid), paid)


# ---------------------------------------------------------------- legal entities (G2, G3, F6)

FIRM_CAPACITY_POLICY = "sum"  # capacity of a firm = Σ members' supervision capacity (discipline)
FIRM_SCORE_POLICY = "mean"  # score of a firm = mean of its members' scores


def firm_capacity(
    member_capacities: Iterable[Decimal], policy: str = FIRM_CAPACITY_POLICY
) -> Decimal:
    caps = list(member_capacities)
    if policy == "sum":
        return sum(caps, Decimal(0))
    if policy == "max":
        return max(caps, default=Decimal(0))
    raise ValueError(f"unknown firm capacity policy {policy!r}")


def firm_score(member_scores: Iterable[Decimal], policy: str = FIRM_SCORE_POLICY) -> Decimal:
    scores = list(member_scores)
    if not scores:
        return Decimal(0)
    if policy == "mean":
        return (sum(scores, Decimal(0)) / len(scores)).quantize(CENT, rounding=ROUND_HALF_UP)
    if policy == "min":
        return min(scores)
    raise ValueError(f"unknown firm score policy {policy!r}")

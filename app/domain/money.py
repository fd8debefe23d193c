"""Money rules, pure: F1 (fee = billable area × the tariff row of the group and floor band, the
coordinator's fee), F3/F4 (the organization's share and the staged payouts, integer rials, the
three shares adding up exactly), and the legal-entity (firm) capacity/score policy.

Nothing here reads a database, a clock or the UI.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

CENT = Decimal("0.01")


def fee_rials(area_m2: Decimal, rials_per_m2: int) -> int:
    """F1: the supervision fee of one discipline, in integer rials (half a rial rounds up)."""
    if area_m2 < 0 or rials_per_m2 < 0:
        raise ValueError("area and tariff must not be negative")
    return int((Decimal(area_m2) * rials_per_m2).quantize(Decimal(1), rounding=ROUND_HALF_UP))


# ---------------------------------------------------------------- F1: the tariff's rows

# The rows of a published supervision tariff (reference-data.md): each building group split
# into floor bands. (first floor, last floor or None: and above)
FLOOR_BANDS: dict[str, tuple[tuple[int, int | None], ...]] = {
    "A": ((1, 2),),
    "B": ((3, 5),),
    "C": ((6, 7), (8, 10)),
    "D": ((11, 12), (13, 15), (16, None)),
}
# The columns: rials per m² for each discipline the table prices, and the coordinator's
# (ناظر هماهنگ‌کننده). Surveying has a column but no published amount; urban planning and
# traffic have no column in a published table: the office enters all three (docs/rules-readings).
TARIFF_COLUMNS = ("arch", "civil", "mech", "elec", "survey", "urban", "traffic", "coord")
COORDINATOR = "coord"


def band_key(first: int, last: int | None) -> str:
    """A band's key: "3-5", "16+"."""
    return f"{first}+" if last is None else f"{first}-{last}"


def bands_of(group: str) -> tuple[str, ...]:
    return tuple(band_key(a, b) for a, b in FLOOR_BANDS[group])


TARIFF_ROWS: tuple[tuple[str, str], ...] = tuple((g, b) for g in FLOOR_BANDS for b in bands_of(g))


def tariff_band(group: str, floors: int) -> str:
    """F1: the row of a file in its group's table: the band its floors fall in; a file whose
    group came from its area (its floors would not have put it there) takes the group's first
    band."""
    if group not in FLOOR_BANDS:
        raise ValueError(f"unknown building group {group!r}")
    for first, last in FLOOR_BANDS[group]:
        if first <= floors and (last is None or floors <= last):
            return band_key(first, last)
    return bands_of(group)[0]


def billable_area(area_m2: Decimal, minimum_m2: Decimal) -> Decimal:
    """F1 [policy]: the area charged is the project's area, at least the minimum (100 m²)."""
    if area_m2 < 0 or minimum_m2 < 0:
        raise ValueError("areas must not be negative")
    return max(Decimal(area_m2), Decimal(minimum_m2))


def coordinating_discipline(disciplines: Iterable[str], order: Sequence[str]) -> str | None:
    """F1/[policy]: the coordinating supervisor's discipline — the first of `order` (civil,
    then architecture) the file has."""
    present = set(disciplines)
    return next((d for d in order if d in present), None)


@dataclass(frozen=True)
class DisciplineFee:
    """F1 for one discipline of a file: its own fee and, for the coordinating discipline, the
    coordinator's fee that its supervisor is paid on top (None: no tariff for it)."""

    discipline: str
    rials_per_m2: int | None
    fee_rials: int | None
    coordinator_per_m2: int | None = None
    coordinator_rials: int = 0

    @property
    def due_rials(self) -> int | None:
        """What the owner pays for this discipline (its fee and the coordinator's)."""
        return None if self.fee_rials is None else self.fee_rials + self.coordinator_rials


def supervision_fees(
    billable_m2: Decimal,
    row: Mapping[str, int | None],
    disciplines: Sequence[str],
    coordinating: str | None,
) -> dict[str, DisciplineFee]:
    """F1: each discipline's fee = billable area × its column of the row; the coordinator's
    fee (billable area × the coordinator column) belongs to the coordinating discipline."""
    out = {}
    coord_rate = row.get(COORDINATOR)
    for d in disciplines:
        rate = row.get(d)
        fee = fee_rials(billable_m2, rate) if rate is not None else None
        coord = d == coordinating and fee is not None and coord_rate is not None
        out[d] = DisciplineFee(
            d,
            rate,
            fee,
            coord_rate if coord else None,
            fee_rials(billable_m2, coord_rate) if coord and coord_rate is not None else 0,
        )
    return out


@dataclass(frozen=True)
class Stage:
    name: str
    percent: int


@dataclass(frozen=True)
class FeeSplit:
    """F3/F4: a fee split into the organization's share and the supervisor's staged payouts;
    `coordinator`: how much of the payouts is the coordinator's fee (F1), so that
    organization + discipline share + coordinator's share == fee."""

    fee: int
    organization: int
    stages: tuple[tuple[str, int], ...]  # (stage, rials) in payout order
    coordinator: int = 0

    @property
    def supervisor_total(self) -> int:
        return sum(a for _, a in self.stages)

    @property
    def discipline_total(self) -> int:
        """The supervisor's share for the discipline itself (without the coordinator's)."""
        return self.supervisor_total - self.coordinator

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
    fee: int,
    organization_share: Decimal | float | str,
    stages: Sequence[Stage],
    coordinator: int = 0,
) -> FeeSplit:
    """F3/F4: each stage gets ⌊fee × (1 − share) × percent / 100⌋ rials; whatever the rounding
    leaves goes to the organization, so organization + Σ stages == fee exactly.

    `coordinator` (F1): the part of `fee` that is the coordinator's fee, paid to the same
    supervisor (the coordinating one) in the same stages: each stage is then the floor of the
    discipline's part plus the floor of the coordinator's part, so the three shares —
    organization, discipline, coordinator — add up exactly to the fee."""
    if not isinstance(fee, int) or fee < 0:
        raise ValueError("a fee is a non-negative integer number of rials")
    if not isinstance(coordinator, int) or not 0 <= coordinator <= fee:
        raise ValueError("the coordinator's part is a whole number of rials within the fee")
    share = Fraction(Decimal(str(organization_share)))
    if not 0 <= share <= 1:
        raise ValueError("organization share must be between 0 and 1")
    if sum(s.percent for s in stages) != 100:
        raise ValueError("payout stages must add up to 100 percent")
    rest_d = Fraction(fee - coordinator) * (1 - share)
    rest_c = Fraction(coordinator) * (1 - share)
    coord = [int(rest_c * s.percent / 100) for s in stages]  # int() floors: ≥ 0
    paid = tuple(
        (s.name, int(rest_d * s.percent / 100) + c) for s, c in zip(stages, coord, strict=True)
    )
    return FeeSplit(fee, fee - sum(a for _, a in paid), paid, sum(coord))


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

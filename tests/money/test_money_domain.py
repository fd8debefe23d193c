"""F1, F3, F4 and the firm capacity/score policy as pure functions."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.money import (
    Stage,
    fee_rials,
    firm_capacity,
    firm_score,
    split_fee,
    stages_of,
)

STAGES = stages_of(
    [
        ["permit", 50],
        ["foundation", 10],
        ["frame", 10],
        ["rough", 10],
        ["finishing", 10],
        ["completion", 10],
    ]
)


def test_F1_fee_is_area_times_tariff_in_integer_rials():
    assert fee_rials(Decimal("450"), 1_289_000) == 580_050_000
    assert fee_rials(Decimal("120.50"), 475_000) == 57_237_500
    assert fee_rials(Decimal("0.01"), 50) == 1  # half a rial rounds up
    assert fee_rials(Decimal("0.01"), 49) == 0
    assert isinstance(fee_rials(Decimal("1.5"), 3), int)
    with pytest.raises(ValueError):
        fee_rials(Decimal("-1"), 10)


def test_F3_organization_keeps_five_percent_and_stages_follow_the_percents():
    split = split_fee(100_000_000, "0.05", STAGES)
    assert split.organization == 5_000_000
    assert split.stage("permit") == 47_500_000
    assert [a for _, a in split.stages[1:]] == [9_500_000] * 5
    assert split.supervisor_total == 95_000_000


def test_F4_rounding_remainder_goes_to_the_organization():
    split = split_fee(1_001, Decimal("0.05"), STAGES)  # 950.95 for the supervisor
    assert split.stage("permit") == 475 and split.stage("foundation") == 95
    assert split.organization == 1_001 - 475 - 5 * 95 == 51
    assert split.organization + split.supervisor_total == 1_001


@settings(max_examples=500)
@given(
    fee=st.integers(min_value=0, max_value=10**15),
    share=st.decimals(min_value=0, max_value=1, places=4),
    cuts=st.lists(st.integers(min_value=0, max_value=100), min_size=0, max_size=6),
)
def test_F4_shares_of_a_fee_add_up_exactly_for_any_amount(fee, share, cuts):
    points = sorted(cuts)
    percents = [b - a for a, b in zip([0, *points], [*points, 100], strict=True)]
    stages = [Stage(f"s{i}", p) for i, p in enumerate(percents)]
    split = split_fee(fee, share, stages)
    assert all(isinstance(a, int) and a >= 0 for _, a in split.stages)
    assert split.organization + sum(a for _, a in split.stages) == fee
    # the organization gets its share and at most one rial per stage of rounding on top
    floor_share = int(fee * share)
    assert floor_share <= split.organization <= fee * share + len(stages)


def test_F4_refuses_non_integer_fees_and_bad_stage_tables():
    with pytest.raises(ValueError):
        split_fee(10.5, "0.05", STAGES)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        stages_of([["a", 60], ["b", 30]])
    with pytest.raises(ValueError):
        split_fee(100, "1.5", STAGES)


def test_G3_firm_policy_capacity_is_the_sum_and_score_the_mean():
    assert firm_capacity([Decimal(100), Decimal("250.5")]) == Decimal("350.5")
    assert firm_capacity([]) == 0
    assert firm_score([Decimal(100), Decimal(51)]) == Decimal("75.50")
    assert firm_score([Decimal(1), Decimal(1), Decimal(2)]) == Decimal("1.33")
    assert firm_score([]) == 0


# ------------------------------------------------ F1: group, floor band, coordinator

from app.domain.money import (  # noqa: E402
    TARIFF_ROWS,
    bands_of,
    billable_area,
    coordinating_discipline,
    supervision_fees,
    tariff_band,
)


def test_F1_the_tariff_rows_are_the_published_group_and_floor_bands():
    assert TARIFF_ROWS == (
        ("A", "1-2"),
        ("B", "3-5"),
        ("C", "6-7"),
        ("C", "8-10"),
        ("D", "11-12"),
        ("D", "13-15"),
        ("D", "16+"),
    )
    assert bands_of("C") == ("6-7", "8-10")


@pytest.mark.parametrize(
    ("group", "floors", "band"),
    [
        ("A", 1, "1-2"),
        ("A", 2, "1-2"),
        ("B", 3, "3-5"),
        ("B", 5, "3-5"),
        ("C", 6, "6-7"),
        ("C", 7, "6-7"),
        ("C", 8, "8-10"),
        ("C", 10, "8-10"),
        ("D", 11, "11-12"),
        ("D", 13, "13-15"),
        ("D", 16, "16+"),
        ("D", 40, "16+"),
        # the group came from the area: more floors would not have put the file there
        ("B", 2, "3-5"),
        ("C", 4, "6-7"),
        ("D", 8, "11-12"),
        ("D", 3, "11-12"),
    ],
)
def test_F1_a_file_takes_its_floor_band_or_its_groups_first_band(group, floors, band):
    assert tariff_band(group, floors) == band


def test_F1_billable_area_is_at_least_the_minimum():
    assert billable_area(Decimal(80), Decimal(100)) == Decimal(100)
    assert billable_area(Decimal("100.01"), Decimal(100)) == Decimal("100.01")
    assert billable_area(Decimal(450), Decimal(0)) == Decimal(450)
    with pytest.raises(ValueError):
        billable_area(Decimal(-1), Decimal(100))


def test_F1_the_coordinator_is_the_civil_supervisor_else_the_architect():
    order = ("civil", "arch")
    assert coordinating_discipline(("arch", "civil", "mech"), order) == "civil"
    assert coordinating_discipline(("arch", "mech"), order) == "arch"
    assert coordinating_discipline(("mech", "elec"), order) is None


TEHRAN_1403_B = {
    "arch": 564_912,
    "civil": 653_180,
    "mech": 282_456,
    "elec": 264_803,
    "survey": None,
    "coord": 92_913,
}


def test_F1_each_discipline_is_billable_area_times_its_column_and_the_coordinator_rides_civil():
    fees = supervision_fees(
        Decimal(450), TEHRAN_1403_B, ("arch", "civil", "mech", "elec", "survey"), "civil"
    )
    assert fees["arch"].fee_rials == 450 * 564_912 and fees["arch"].coordinator_rials == 0
    assert fees["civil"].fee_rials == 450 * 653_180
    assert fees["civil"].coordinator_rials == 450 * 92_913
    assert fees["civil"].due_rials == 450 * (653_180 + 92_913)
    assert fees["survey"].fee_rials is None and fees["survey"].due_rials is None
    total = sum(f.due_rials for d, f in fees.items() if d != "survey")
    assert total == 450 * 1_858_264  # the published row's total


def test_F1_the_shipped_tehran_1403_rows_add_up_to_the_published_totals():
    import json

    from app.resources import ROOT

    table = json.loads((ROOT / "tariffs" / "tehran-1403.json").read_text(encoding="utf-8"))
    totals = table["totals_check"]
    for row in table["rows"]:
        cells = row["rials_per_m2"]
        # as published: the 16+ row's columns add up to one rial more than its total
        assert (
            abs(sum(v for v in cells.values() if v) - totals[f"{row['group']} {row['band']}"]) <= 1
        )


@settings(max_examples=300)
@given(
    paid=st.integers(min_value=0, max_value=10**14),
    part=st.floats(min_value=0, max_value=1),
    share=st.decimals(min_value=0, max_value=1, places=4),
)
def test_F3_F4_the_three_shares_organization_discipline_coordinator_add_up(paid, part, share):
    coordinator = int(paid * part)
    split = split_fee(paid, share, STAGES, coordinator)
    assert split.organization + split.discipline_total + split.coordinator == paid
    assert split.organization + split.supervisor_total == paid
    assert 0 <= split.coordinator <= coordinator and split.discipline_total >= 0
    assert split.organization >= 0
    plain = split_fee(paid, share, STAGES)
    assert plain.coordinator == 0  # without a coordinator's part: as before


def test_F3_the_coordinators_fee_is_paid_in_the_same_stages():
    split = split_fee(100_000_000, "0.05", STAGES, coordinator=10_000_000)
    assert split.coordinator == 9_500_000  # 95% of it, over the six stages
    assert split.stage("permit") == 47_500_000
    assert split.organization == 5_000_000
    with pytest.raises(ValueError):
        split_fee(100, "0.05", STAGES, coordinator=101)

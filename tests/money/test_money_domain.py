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

"""The shipped policy defaults equal reference-data.md, and a Policy is built only from them."""

from __future__ import annotations

from datetime import time
from decimal import Decimal

import pytest

from app.domain.policy import POLICY_KEYS, Policy, PolicyError


def test_A6_policy_files_cover_exactly_the_policy_keys(policy_values):
    assert set(policy_values) == set(POLICY_KEYS)


def test_A6_default_deadline_2000_and_two_extensions(policy):
    assert policy.deadline_time == time(20, 0)
    assert policy.max_extensions == 2
    assert policy.weekend == frozenset({"friday"})


def test_A9_default_signing_window_0800_1200(policy):
    assert policy.signing_window == (time(8, 0), time(12, 0))


def test_A4_default_project_score_is_0_1_per_m2(policy):
    assert policy.project_score_per_m2 == Decimal("0.1")


def test_W2_default_recovery_one_point_per_day_and_surveyors_exempt(policy):
    assert policy.withdrawal_recovery_per_day == Decimal(1)
    assert policy.penalty_exempt_disciplines == frozenset({"survey"})


def test_G7_default_conviction_bar_is_degree_3(policy):
    assert policy.conviction_bar_degree == 3


def test_S7_default_max_active_jobs_is_8_and_area_factor_1(policy):
    assert policy.max_active_jobs == 8
    for d in ("arch", "civil", "mech", "elec", "survey", "urban", "traffic"):
        assert policy.area_factor(d) == Decimal(1)


def test_S2_default_capacity_per_grade(policy):
    assert policy.capacity_total_m2 == {
        "3": Decimal(9600),
        "2": Decimal(14400),
        "1": Decimal(19200),
        "senior": Decimal(24000),
    }


def test_S1_default_grade_groups(policy):
    assert policy.grade_groups == {
        "3": frozenset("AB"),
        "2": frozenset("ABC"),
        "1": frozenset("ABCD"),
        "senior": frozenset("ABCD"),
    }


def test_C5_default_max_cancellations_per_day_is_3(policy):
    assert policy.max_cancellations_per_day == 3


def test_P3_P4_default_group_and_survey_thresholds(policy):
    assert policy.group_by_floors == ((Decimal(2), "A"), (Decimal(5), "B"), (Decimal(10), "C"))
    assert policy.group_by_area == ((Decimal(600), "A"), (Decimal(2000), "B"), (Decimal(5000), "C"))
    assert policy.survey_required_when == {"floors_over": Decimal(5), "area_over": Decimal(1200)}


def test_F3_default_organization_share_and_payout_stages(policy):
    assert policy.organization_share == Decimal("0.05")
    assert policy.payout_stages == (
        ("permit", 50),
        ("foundation", 10),
        ("frame", 10),
        ("rough", 10),
        ("finishing", 10),
        ("completion", 10),
    )


def test_A10_score_period_default_is_year(policy):
    assert policy.score_period == "year"


def test_A10_policy_rejects_unknown_and_missing_keys(policy_values):
    with pytest.raises(PolicyError):
        Policy.from_mapping({**policy_values, "max_extension": 2})
    raw = dict(policy_values)
    del raw["max_active_jobs"]
    with pytest.raises(PolicyError):
        Policy.from_mapping(raw)


def test_F3_payout_stages_must_add_up_to_100(make_policy):
    with pytest.raises(PolicyError):
        make_policy(payout_stages=[["permit", 50], ["completion", 10]])

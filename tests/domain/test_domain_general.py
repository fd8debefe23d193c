"""G1–G7, general conditions (rules.md §G), each alone, with their boundaries."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.domain.calendar import parse_jalali_date as D
from app.domain.eligibility import general_failures
from app.domain.state import Conviction

TODAY = D("1405-08-26")
YESTERDAY = TODAY - timedelta(days=1)
TOMORROW = TODAY + timedelta(days=1)


def test_G_baseline_engineer_passes_everything(engineer, policy):
    assert general_failures(engineer(1), TODAY, policy) == set()


@pytest.mark.parametrize(
    ("field", "rule"),
    [
        ("resident_in_province", "G1"),
        ("legal_incapacity", "G4"),
        ("active_execution_project", "G5"),
        ("design_build_qualified", "G6"),
    ],
)
def test_G1_G4_G5_G6_each_flag_alone_fails_only_its_rule(engineer, policy, field, rule):
    value = field != "resident_in_province"  # residence must be True; the others must be False
    assert general_failures(engineer(1, **{field: value}), TODAY, policy) == {rule}


def test_G1_resident_in_province_required(engineer, policy):
    assert general_failures(engineer(1, resident_in_province=False), TODAY, policy) == {"G1"}
    assert general_failures(engineer(1, resident_in_province=True), TODAY, policy) == set()


def test_G2_licence_expiring_today_is_still_valid(engineer, policy):
    assert general_failures(engineer(1, licence_expires=TODAY), TODAY, policy) == set()


def test_G2_licence_expired_yesterday_fails(engineer, policy):
    assert general_failures(engineer(1, licence_expires=YESTERDAY), TODAY, policy) == {"G2"}


def test_G2_licence_without_expiry_is_valid(engineer, policy):
    assert general_failures(engineer(1, licence_expires=None), TODAY, policy) == set()


def test_G3_membership_of_current_year_required(engineer, policy):
    assert general_failures(engineer(1, membership_paid_through=1404), TODAY, policy) == {"G3"}
    assert general_failures(engineer(1, membership_paid_through=None), TODAY, policy) == {"G3"}
    assert general_failures(engineer(1, membership_paid_through=1405), TODAY, policy) == set()


def test_G3_current_year_follows_the_jalali_year_of_the_check(engineer, policy):
    e = engineer(1, membership_paid_through=1404)
    assert general_failures(e, D("1404-12-29"), policy) == set()
    assert general_failures(e, D("1405-01-01"), policy) == {"G3"}


def test_G4_legal_incapacity_fails(engineer, policy):
    assert general_failures(engineer(1, legal_incapacity=True), TODAY, policy) == {"G4"}


def test_G5_active_execution_project_fails(engineer, policy):
    assert general_failures(engineer(1, active_execution_project=True), TODAY, policy) == {"G5"}


def test_G6_design_build_qualified_fails(engineer, policy):
    assert general_failures(engineer(1, design_build_qualified=True), TODAY, policy) == {"G6"}


# --- G7: conviction of degree ≥ bar, in force on the day ------------------------------------


@pytest.mark.parametrize(("degree", "fails"), [(1, False), (2, False), (3, True), (4, True)])
def test_G7_conviction_degree_against_default_bar_3(engineer, policy, degree, fails):
    e = engineer(1, convictions=(Conviction(degree, D("1405-01-10")),))
    assert general_failures(e, TODAY, policy) == ({"G7"} if fails else set())


def test_G7_bar_degree_comes_from_policy(engineer, make_policy):
    e = engineer(1, convictions=(Conviction(2, D("1405-01-10")),))
    assert general_failures(e, TODAY, make_policy(conviction_bar_degree=2)) == {"G7"}
    e4 = engineer(1, convictions=(Conviction(3, D("1405-01-10")),))
    assert general_failures(e4, TODAY, make_policy(conviction_bar_degree=4)) == set()


def test_G7_conviction_ending_yesterday_no_longer_bars(engineer, policy):
    e = engineer(1, convictions=(Conviction(3, D("1405-01-10"), YESTERDAY),))
    assert general_failures(e, TODAY, policy) == set()


def test_G7_conviction_ending_today_still_bars(engineer, policy):
    e = engineer(1, convictions=(Conviction(3, D("1405-01-10"), TODAY),))
    assert general_failures(e, TODAY, policy) == {"G7"}


def test_G7_conviction_starting_tomorrow_not_yet_in_force(engineer, policy):
    e = engineer(1, convictions=(Conviction(5, TOMORROW),))
    assert general_failures(e, TODAY, policy) == set()


def test_G7_any_one_of_several_convictions_in_force_bars(engineer, policy):
    e = engineer(
        1,
        convictions=(
            Conviction(4, D("1404-01-01"), D("1404-06-01")),  # over
            Conviction(2, D("1405-01-01")),  # below the bar
            Conviction(3, D("1405-08-01"), D("1405-09-01")),  # in force
        ),
    )
    assert general_failures(e, TODAY, policy) == {"G7"}


def test_G_all_failures_are_reported_together(engineer, policy):
    e = engineer(
        1,
        resident_in_province=False,
        licence_expires=YESTERDAY,
        membership_paid_through=1404,
        legal_incapacity=True,
        active_execution_project=True,
        design_build_qualified=True,
        convictions=(Conviction(3, D("1405-01-01")),),
    )
    assert general_failures(e, TODAY, policy) == {"G1", "G2", "G3", "G4", "G5", "G6", "G7"}


# --- Legal entities (firms): G2/G3 also for every member engineer ---------------------------


def _firm(engineer, *members, **kw):
    return engineer(100, kind="firm", members=tuple(members), **kw)


def test_G2_firm_fails_when_any_member_licence_expired(engineer, policy):
    good = engineer(2)
    bad = engineer(3, licence_expires=YESTERDAY)
    assert general_failures(_firm(engineer, good), TODAY, policy) == set()
    assert general_failures(_firm(engineer, good, bad), TODAY, policy) == {"G2"}


def test_G2_firm_member_licence_expiring_today_is_valid(engineer, policy):
    assert (
        general_failures(_firm(engineer, engineer(2, licence_expires=TODAY)), TODAY, policy)
        == set()
    )


def test_G2_firm_own_licence_expired_fails(engineer, policy):
    assert general_failures(
        _firm(engineer, engineer(2), licence_expires=YESTERDAY), TODAY, policy
    ) == {"G2"}


def test_G3_firm_fails_when_any_member_membership_unpaid(engineer, policy):
    firm = _firm(engineer, engineer(2), engineer(3, membership_paid_through=1404))
    assert general_failures(firm, TODAY, policy) == {"G3"}


def test_G3_firm_own_membership_unpaid_fails(engineer, policy):
    firm = _firm(engineer, engineer(2), membership_paid_through=1404)
    assert general_failures(firm, TODAY, policy) == {"G3"}

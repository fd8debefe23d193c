"""S1, S2, S4–S7 (specific conditions) and C1, C2 (cartable), rules.md §S and §C."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from app.domain.calendar import parse_jalali_date as D
from app.domain.calendar import parse_jalali_datetime as T
from app.domain.eligibility import (
    distribution_failures,
    group_failures,
    readiness_failures,
    referral_failures,
    standing_refusal,
)
from app.domain.scoring import capacity_m2, remaining_m2
from app.domain.state import Competence, Declaration

AT = T("1405-08-26 10:00")
TODAY = D("1405-08-26")
YESTERDAY = TODAY - timedelta(days=1)
OWNER = "5260181591"


def test_S_baseline_passes(engineer, referral, policy):
    assert referral_failures(engineer(1), referral(), AT, policy) == set()
    assert distribution_failures(engineer(1), referral(), AT, policy) == set()


# --- S1: supervision competence in the discipline at a grade allowed for the group ------------


@pytest.mark.parametrize(
    ("grade", "group", "ok"),
    [
        ("3", "A", True),
        ("3", "B", True),
        ("3", "C", False),
        ("3", "D", False),
        ("2", "C", True),
        ("2", "D", False),
        ("1", "D", True),
        ("senior", "D", True),
    ],
)
def test_S1_grade_must_be_allowed_for_the_building_group(
    engineer, referral, policy, grade, group, ok
):
    e = engineer(1, competences=(Competence("civil", grade),))
    failed = referral_failures(e, referral(discipline="civil", group=group), AT, policy)
    assert ("S1" in failed) is not ok


def test_S1_competence_in_another_discipline_fails(engineer, referral, policy):
    e = engineer(1, competences=(Competence("arch", "1"),))
    assert "S1" in referral_failures(e, referral(discipline="civil"), AT, policy)


def test_S1_expired_competence_fails_but_expiring_today_passes(engineer, referral, policy):
    expired = engineer(1, competences=(Competence("civil", "1", expires=YESTERDAY),))
    today = engineer(2, competences=(Competence("civil", "1", expires=TODAY),))
    assert "S1" in referral_failures(expired, referral(), AT, policy)
    assert "S1" not in referral_failures(today, referral(), AT, policy)


def test_S1_design_only_competence_fails(engineer, referral, policy):
    e = engineer(1, competences=(Competence("civil", "1", kind="design"),))
    assert "S1" in referral_failures(e, referral(), AT, policy)


def test_S1_only_valid_grades_count_for_the_group(engineer, referral, policy):
    e = engineer(
        1, competences=(Competence("civil", "1", expires=YESTERDAY), Competence("civil", "3"))
    )
    assert "S1" in referral_failures(e, referral(group="C"), AT, policy)
    assert "S1" not in referral_failures(e, referral(group="B"), AT, policy)


def test_S1_grade_groups_come_from_policy(engineer, referral, make_policy):
    p = make_policy(
        grade_groups={
            "3": ["A", "B", "C"],
            "2": ["A", "B", "C"],
            "1": ["A", "B", "C", "D"],
            "senior": ["A", "B", "C", "D"],
        }
    )
    e = engineer(1, competences=(Competence("civil", "3"),))
    assert "S1" not in referral_failures(e, referral(group="C"), AT, p)


# --- S2: capacity = total of the highest valid supervision grade × declared percent -----------


def test_S2_capacity_is_grade_total_times_declared_percent(engineer, policy):
    e = engineer(1, competences=(Competence("civil", "1"),), percent=60)
    assert capacity_m2(e, policy, TODAY) == Decimal(11520)


@pytest.mark.parametrize(
    ("grade", "total"), [("3", 9600), ("2", 14400), ("1", 19200), ("senior", 24000)]
)
def test_S2_capacity_per_grade_at_100_percent(engineer, policy, grade, total):
    e = engineer(1, competences=(Competence("civil", grade),))
    assert capacity_m2(e, policy, TODAY) == Decimal(total)


def test_S2_capacity_uses_highest_supervision_grade(engineer, policy):
    e = engineer(
        1,
        competences=(Competence("civil", "3"), Competence("arch", "1"), Competence("mech", "2")),
        percent=50,
    )
    assert capacity_m2(e, policy, TODAY) == Decimal(9600)


def test_S2_expired_or_design_grades_do_not_count(engineer, policy):
    e = engineer(
        1,
        competences=(
            Competence("civil", "2"),
            Competence("arch", "1", expires=YESTERDAY),
            Competence("mech", "senior", kind="design"),
        ),
    )
    assert capacity_m2(e, policy, TODAY) == Decimal(14400)


def test_S2_no_declaration_for_this_year_gives_no_capacity(engineer, policy):
    e = engineer(1, declaration=Declaration(1404, True, True, frozenset("ABCD"), Decimal(100)))
    assert capacity_m2(e, policy, TODAY) == 0


def test_S2_remaining_is_capacity_minus_used(engineer, policy):
    e = engineer(1, percent=60, used_m2=300)
    assert remaining_m2(e, policy, TODAY) == Decimal(11220)


# --- S4, S5, S6 ------------------------------------------------------------------------------


def test_S4_owner_national_code_match_fails(engineer, referral, policy):
    e = engineer(1, national_id=OWNER)
    assert referral_failures(e, referral(owners={"0012345679", OWNER}), AT, policy) == {"S4"}


def test_S4_non_owner_passes(engineer, referral, policy):
    e = engineer(1, national_id="0012345679")
    assert referral_failures(e, referral(owners={OWNER}), AT, policy) == set()


def test_S4_engineer_without_national_code_is_not_an_owner(engineer, referral, policy):
    assert (
        referral_failures(engineer(1, national_id=None), referral(owners={OWNER}), AT, policy)
        == set()
    )


def test_S5_financial_tie_with_an_owner_fails(engineer, referral, policy):
    e = engineer(1, financial_ties=frozenset({OWNER}))
    assert referral_failures(e, referral(owners={OWNER}), AT, policy) == {"S5"}


def test_S5_tie_with_someone_else_passes(engineer, referral, policy):
    e = engineer(1, financial_ties=frozenset({"0012345679"}))
    assert referral_failures(e, referral(owners={OWNER}), AT, policy) == set()


def test_S6_permit_authority_employee_fails(engineer, referral, policy):
    assert referral_failures(
        engineer(1, employed_by_permit_authority=True), referral(), AT, policy
    ) == {"S6"}


# --- S7: remaining capacity ≥ area and active jobs < max, at the moment of decision -----------


def test_S7_remaining_exactly_equal_to_area_passes(engineer, referral, policy):
    e = engineer(1, used_m2=Decimal(19200 - 300))  # remaining exactly 300
    assert remaining_m2(e, policy, TODAY) == Decimal(300)
    assert referral_failures(e, referral(area=300), AT, policy) == set()


def test_S7_remaining_one_hundredth_less_than_area_fails(engineer, referral, policy):
    e = engineer(1, used_m2=Decimal("18900.01"))  # remaining 299.99
    assert referral_failures(e, referral(area=300), AT, policy) == {"S7"}


def test_S7_seven_active_jobs_pass_eight_fail(engineer, referral, policy):
    assert referral_failures(engineer(1, active_jobs=7), referral(), AT, policy) == set()
    assert referral_failures(engineer(1, active_jobs=8), referral(), AT, policy) == {"S7"}


def test_S7_max_jobs_comes_from_policy(engineer, referral, make_policy):
    assert (
        referral_failures(
            engineer(1, active_jobs=8), referral(), AT, make_policy(max_active_jobs=9)
        )
        == set()
    )


def test_S7_capacity_uses_declared_percent(engineer, referral, policy):
    e = engineer(1, percent=10)  # 1920 m²
    assert referral_failures(e, referral(area=1920), AT, policy) == set()
    assert referral_failures(e, referral(area="1920.01"), AT, policy) == {"S7"}


# --- C1: a ready declaration for the current year with the rules accepted ---------------------


@pytest.mark.parametrize(
    "decl",
    [
        None,
        Declaration(1405, False, True, frozenset("ABCD"), Decimal(100)),  # not ready
        Declaration(1405, True, False, frozenset("ABCD"), Decimal(100)),  # rules not accepted
        Declaration(1404, True, True, frozenset("ABCD"), Decimal(100)),  # last year's
    ],
    ids=["no_declaration", "not_ready", "rules_not_accepted", "wrong_year"],
)
def test_C1_declaration_ready_accepted_and_of_current_year(engineer, referral, policy, decl):
    e = engineer(1, declaration=decl)
    assert readiness_failures(e, 1405) == {"C1"}
    assert "C1" in distribution_failures(e, referral(), AT, policy)
    assert "C1" in standing_refusal(e, referral(), AT, policy)


def test_C1_good_declaration_passes(engineer):
    assert readiness_failures(engineer(1), 1405) == set()


def test_C1_declaration_year_is_the_jalali_year_of_the_check(engineer, referral, policy):
    e = engineer(1, membership_paid_through=1406)
    assert "C1" not in distribution_failures(e, referral(), T("1405-12-29 20:00"), policy)
    assert "C1" in distribution_failures(e, referral(), T("1406-01-01 10:00"), policy)


# --- C2: the declaration lists the project's group; standing refusal cites C2 + the IDs --------


def test_C2_group_not_listed_in_declaration(engineer, referral, policy):
    e = engineer(1, groups="AB")
    assert group_failures(e, "C", 1405) == {"C2"}
    assert group_failures(e, "B", 1405) == set()
    assert distribution_failures(e, referral(group="C"), AT, policy) == {"C2"}
    assert standing_refusal(e, referral(group="C"), AT, policy) == {"C2"}


def test_C2_standing_refusal_adds_C2_to_the_failing_ids(engineer, referral, policy):
    e = engineer(1, membership_paid_through=1404, employed_by_permit_authority=True)
    assert standing_refusal(e, referral(), AT, policy) == {"C2", "G3", "S6"}


def test_C2_eligible_engineer_may_stand(engineer, referral, policy):
    assert standing_refusal(engineer(1), referral(), AT, policy) == set()


def test_C2_distribution_includes_general_conditions(engineer, referral, policy):
    e = engineer(1, licence_expires=YESTERDAY, active_jobs=8)
    assert distribution_failures(e, referral(), AT, policy) == {"G2", "S7"}

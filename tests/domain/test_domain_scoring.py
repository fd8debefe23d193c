"""Scores: A4 (charge at selection), S8 (latest data), score_period, W2 (withdrawal penalty).

Arithmetic from reference-data.md:
    score(t) = base − Σ project scores charged in the current score period − Σ penalties(t)
    penalty(t) = max(0, s) − min(max(0, s), ⌊(t − w) / 24 h⌋ × recovery_per_day)
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest

from app.domain.calendar import parse_jalali_datetime as T
from app.domain.scoring import (
    charge_selection,
    penalty_value,
    project_score,
    score_at,
    withdrawal_effects,
)
from app.domain.state import Charge, Penalty

SELECTED = T("1405-08-26 20:00")
WITHDRAWN = T("1405-08-27 10:00")
H = timedelta(hours=1)
DAY = timedelta(days=1)


def _withdraw(s, discipline, area, at, policy):
    """Apply withdrawal_effects the way the service does: add the give-back / the penalty."""
    charge = s.charges[-1]
    back, penalty = withdrawal_effects(s, discipline, Decimal(area), charge, at, policy)
    s2 = s
    if back is not None:
        s2 = replace(s2, charges=(*s2.charges, back))
    if penalty is not None:
        s2 = replace(s2, penalties=(*s2.penalties, penalty))
    return s2, back, penalty


# --- A4 ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("area", "points"),
    [
        ("450", "45.00"),
        ("300", "30.00"),
        ("333.33", "33.33"),
        ("1234.56", "123.46"),
        ("0.04", "0.00"),
    ],
)
def test_A4_project_score_is_area_times_0_1_rounded_to_2_decimals(policy, area, points):
    got = project_score(Decimal(area), policy)
    assert got == Decimal(points)
    assert got.as_tuple().exponent == -2


def test_A4_project_score_rate_comes_from_policy(make_policy):
    assert project_score(Decimal(450), make_policy(project_score_per_m2=0.2)) == Decimal(90)


def test_A4_selection_charges_area_job_and_score_at_once(engineer, policy):
    e = engineer(1, base_score=150, used_m2=300, active_jobs=1)
    after = charge_selection(e, Decimal(450), SELECTED, policy)
    assert after.used_m2 == Decimal(750)
    assert after.active_jobs == 2
    assert score_at(after, SELECTED, policy) == Decimal(105)  # at once, at the decision instant
    assert score_at(e, SELECTED, policy) == Decimal(150)  # input not mutated


def test_A4_charges_accumulate(engineer, policy):
    e = engineer(1, base_score=100)
    e = charge_selection(e, Decimal(200), SELECTED, policy)
    e = charge_selection(e, Decimal("155.55"), SELECTED, policy)
    assert score_at(e, SELECTED, policy) == Decimal("100") - Decimal(20) - Decimal("15.56")


# --- S8: latest data ----------------------------------------------------------------------------


def test_S8_score_reflects_base_change_and_only_past_charges(engineer, policy):
    e = charge_selection(engineer(1, base_score=100), Decimal(100), SELECTED, policy)
    assert score_at(e, SELECTED - timedelta(minutes=1), policy) == Decimal(100)
    assert score_at(e, SELECTED, policy) == Decimal(90)
    assert score_at(replace(e, base_score=Decimal(120)), SELECTED, policy) == Decimal(110)


# --- score_period: charges count within the Jalali year of the selection ------------------------


def test_A4_score_period_charges_of_last_year_lapse_at_nowruz(engineer, policy):
    e = charge_selection(engineer(1, base_score=100), Decimal(300), T("1404-12-20 20:00"), policy)
    assert score_at(e, T("1404-12-29 23:59"), policy) == Decimal(70)
    assert score_at(e, T("1405-01-01 00:00"), policy) == Decimal(100)
    assert score_at(e, T("1405-06-01 10:00"), policy) == Decimal(100)


def test_A4_score_period_none_keeps_charges(engineer, make_policy):
    p = make_policy(score_period="none")
    e = charge_selection(engineer(1, base_score=100), Decimal(300), T("1404-12-20 20:00"), p)
    assert score_at(e, T("1405-01-01 00:00"), p) == Decimal(70)


def test_W2_penalty_keeps_recovering_across_years_while_charge_lapses(engineer, policy):
    e = charge_selection(engineer(1, base_score=100), Decimal(300), T("1404-12-25 20:00"), policy)
    e, _, pen = _withdraw(e, "civil", 300, T("1404-12-26 10:00"), policy)
    assert pen is not None and pen.base == Decimal(70)
    t = T("1404-12-26 10:00") + 10 * DAY  # 1405-01-07: 10 full days, new period
    assert penalty_value(pen, t) == Decimal(60)
    assert score_at(e, t, policy) == Decimal(100) - Decimal(60)


# --- W2: withdrawal penalty ---------------------------------------------------------------------


@pytest.fixture
def selected(engineer, policy):
    """Base 100, selected for 300 m² (30 points): score 70 just before the withdrawal."""
    return charge_selection(engineer(1, base_score=100), Decimal(300), SELECTED, policy)


def test_W2_penalty_base_is_score_just_before_including_the_charge(selected, policy):
    assert score_at(selected, WITHDRAWN, policy) == Decimal(70)
    _, back, pen = _withdraw(selected, "civil", 300, WITHDRAWN, policy)
    assert back is None
    assert pen == Penalty(WITHDRAWN, Decimal(70), Decimal(1))


@pytest.mark.parametrize(
    ("after", "score"),
    [
        (timedelta(0), 0),
        (23 * H + timedelta(minutes=59), 0),  # not yet a FULL day
        (DAY, 1),
        (DAY + 23 * H, 1),
        (2 * DAY, 2),
        (69 * DAY, 69),
        (70 * DAY, 70),
        (71 * DAY, 70),  # never above the score before the withdrawal
        (400 * DAY, 70),
    ],
)
def test_W2_score_zero_then_one_point_per_full_day_up_to_before(selected, policy, after, score):
    w, _, _ = _withdraw(selected, "civil", 300, WITHDRAWN, policy)
    # Stay within the same Jalali year for the charge (it is 1405-08; 1405 ends after ~145 days).
    t = WITHDRAWN + after
    if t < T("1406-01-01 00:00"):
        assert score_at(w, t, policy) == Decimal(score)
    else:
        # A new score period: the 30-point charge lapses, the penalty has fully recovered.
        assert score_at(w, t, policy) == Decimal(100)


def test_W2_charge_stays_deducted_score_not_back_to_base(selected, policy):
    w, _, _ = _withdraw(selected, "civil", 300, WITHDRAWN, policy)
    assert score_at(w, WITHDRAWN + 100 * DAY, policy) == Decimal(70)


def test_W2_fractional_score_recovers_to_exact_previous_value(engineer, policy):
    s = charge_selection(engineer(1, base_score=100), Decimal("333.33"), SELECTED, policy)
    assert score_at(s, WITHDRAWN, policy) == Decimal("66.67")
    w, _, _ = _withdraw(s, "civil", "333.33", WITHDRAWN, policy)
    assert score_at(w, WITHDRAWN + 66 * DAY, policy) == Decimal(66)
    assert score_at(w, WITHDRAWN + 67 * DAY, policy) == Decimal("66.67")


def test_W2_recovery_per_day_comes_from_policy(engineer, make_policy):
    p = make_policy(withdrawal_recovery_per_day=2)
    s = charge_selection(engineer(1, base_score=100), Decimal(300), SELECTED, p)
    w, _, _ = _withdraw(s, "civil", 300, WITHDRAWN, p)
    assert score_at(w, WITHDRAWN + 3 * DAY, p) == Decimal(6)
    assert score_at(w, WITHDRAWN + 40 * DAY, p) == Decimal(70)


@pytest.mark.parametrize("base", [20, 30])  # after a 30-point charge: −10 and exactly 0
def test_W2_score_at_or_below_zero_stays_where_it_is(engineer, policy, base):
    s = charge_selection(engineer(1, base_score=base), Decimal(300), SELECTED, policy)
    before = score_at(s, WITHDRAWN, policy)
    assert before <= 0
    w, back, pen = _withdraw(s, "civil", 300, WITHDRAWN, policy)
    assert (back, pen) == (None, None)
    for after in (timedelta(0), DAY, 10 * DAY):
        assert score_at(w, WITHDRAWN + after, policy) == before


def test_W2_surveyor_gets_the_charge_back_and_no_penalty(engineer, policy):
    s = charge_selection(engineer(1, base_score=100), Decimal(300), SELECTED, policy)
    w, back, pen = _withdraw(s, "survey", 300, WITHDRAWN, policy)
    assert pen is None
    assert back is not None and back.points == Decimal(-30)
    assert score_at(w, WITHDRAWN, policy) == Decimal(100)
    assert score_at(w, WITHDRAWN + 5 * DAY, policy) == Decimal(100)


def test_W2_surveyor_exemption_comes_from_policy(engineer, make_policy):
    p = make_policy(penalty_exempt_disciplines=[])
    s = charge_selection(engineer(1, base_score=100), Decimal(300), SELECTED, p)
    _, back, pen = _withdraw(s, "survey", 300, WITHDRAWN, p)
    assert back is None and pen is not None


def test_W2_second_withdrawal_penalty_starts_from_current_score(engineer, policy):
    s = charge_selection(engineer(1, base_score=100), Decimal(300), SELECTED, policy)
    s, _, _ = _withdraw(s, "civil", 300, WITHDRAWN, policy)
    later = WITHDRAWN + 10 * DAY  # score 10
    s = charge_selection(s, Decimal(50), later, policy)  # −5 → 5
    assert score_at(s, later, policy) == Decimal(5)
    s, _, pen2 = _withdraw(s, "civil", 50, later + H, policy)
    assert pen2 is not None and pen2.base == Decimal(5)
    assert score_at(s, later + H, policy) == Decimal(0)
    # reference-data.md sums independent penalties: one day on, the first (base 70, 11 full days:
    # 59) and the second (base 5, 1 full day: 4) together leave 100 − 35 − 59 − 4 = 2.
    assert score_at(s, later + H + DAY, policy) == Decimal(2)
    assert score_at(s, WITHDRAWN + 70 * DAY, policy) == Decimal(65)  # both fully recovered


def test_W2_penalty_value_formula(policy):
    p = Penalty(WITHDRAWN, Decimal("12.5"), Decimal(1))
    assert penalty_value(p, WITHDRAWN - H) == 0  # not started
    assert penalty_value(p, WITHDRAWN) == Decimal("12.5")
    assert penalty_value(p, WITHDRAWN + DAY - timedelta(seconds=1)) == Decimal("12.5")
    assert penalty_value(p, WITHDRAWN + 12 * DAY) == Decimal("0.5")
    assert penalty_value(p, WITHDRAWN + 13 * DAY) == 0
    assert penalty_value(p, WITHDRAWN + 99 * DAY) == 0


def test_W2_surveyor_give_back_belongs_to_the_charge_period(engineer, policy):
    charge = Charge(T("1404-12-25 20:00"), 1404, Decimal(30))
    s = replace(engineer(1, base_score=100), charges=(charge,))
    back, pen = withdrawal_effects(s, "survey", Decimal(300), charge, T("1404-12-26 10:00"), policy)
    assert pen is None and back == Charge(T("1404-12-26 10:00"), 1404, Decimal(-30))

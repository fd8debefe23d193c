"""Intake at the counter (P3, P4, P5), membership renewal (F5) and identifiers (S4 input)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.domain.membership import paid_through, renewal_failures
from app.domain.projects import (
    building_group,
    disciplines_failures,
    normalize_plate,
    plate_failures,
    required_disciplines,
)
from app.domain.text import legal_id_ok, national_code_ok, normalize_text

# --- P3: building group = the higher of the group by floors and by area ----------------------


@pytest.mark.parametrize(
    ("floors", "group"),
    [(1, "A"), (2, "A"), (3, "B"), (5, "B"), (6, "C"), (10, "C"), (11, "D"), (30, "D")],
)
def test_P3_group_by_floors_boundaries(policy, floors, group):
    assert building_group(floors, Decimal(100), policy) == group


@pytest.mark.parametrize(
    ("area", "group"),
    [
        ("1", "A"),
        ("600", "A"),
        ("600.01", "B"),
        ("601", "B"),
        ("2000", "B"),
        ("2001", "C"),
        ("5000", "C"),
        ("5001", "D"),
    ],
)
def test_P3_group_by_area_boundaries(policy, area, group):
    assert building_group(1, Decimal(area), policy) == group


@pytest.mark.parametrize(
    ("floors", "area", "group"),
    [
        (2, "601", "B"),  # area wins
        (3, "600", "B"),  # floors win
        (11, "100", "D"),
        (2, "5001", "D"),
        (6, "2001", "C"),
        (3, "450", "B"),  # the scenario example: 3 floors, 450 m²
    ],
)
def test_P3_group_is_the_higher_of_floors_and_area(policy, floors, area, group):
    assert building_group(floors, Decimal(area), policy) == group


def test_P3_thresholds_come_from_policy(make_policy):
    p = make_policy(group_by_area=[[300, "A"], [2000, "B"], [5000, "C"]])
    assert building_group(1, Decimal(450), p) == "B"


# --- P4: required disciplines ------------------------------------------------------------------

BASE4 = ("arch", "civil", "mech", "elec")


@pytest.mark.parametrize(
    ("floors", "area", "survey"),
    [
        (5, "1200", False),
        (6, "1200", True),
        (5, "1200.01", True),
        (5, "1201", True),
        (1, "100", False),
        (12, "5000", True),
    ],
)
def test_P4_survey_required_when_floors_over_5_or_area_over_1200(policy, floors, area, survey):
    expected = (*BASE4, "survey") if survey else BASE4
    assert required_disciplines(floors, Decimal(area), policy) == expected


def test_P4_clerk_may_add_but_not_remove_a_required_discipline(policy):
    assert disciplines_failures([*BASE4], 3, Decimal(450), policy) == set()
    assert disciplines_failures([*BASE4, "urban", "traffic"], 3, Decimal(450), policy) == set()
    assert disciplines_failures([*BASE4, "survey"], 3, Decimal(450), policy) == set()
    assert disciplines_failures(["arch", "civil", "mech"], 3, Decimal(450), policy) == {"P4"}
    assert disciplines_failures([*BASE4], 6, Decimal(450), policy) == {"P4"}  # survey missing
    assert disciplines_failures([*BASE4, "survey"], 6, Decimal(450), policy) == set()


def test_P4_unknown_discipline_refused(policy):
    assert disciplines_failures([*BASE4, "plumbing"], 3, Decimal(450), policy) == {"P4"}


# --- P5: one open file per plate ---------------------------------------------------------------


def test_P5_second_open_file_on_same_plate_refused():
    assert plate_failures("123/45", {"123/45"}) == {"P5"}
    assert plate_failures("123/46", {"123/45"}) == set()
    assert plate_failures("123/45", set()) == set()


def test_P5_plate_compared_after_normalising_digits_and_spaces():
    assert normalize_plate("۱۲۳ / ۴۵") == "123/45"
    assert plate_failures("۱۲۳/۴۵", {"123/45"}) == {"P5"}
    assert plate_failures(" 123 / 45 ", {"123/45"}) == {"P5"}


# --- F5: renewal oldest year first -------------------------------------------------------------


def test_F5_paid_through_is_last_year_of_an_unbroken_run():
    assert paid_through(1402, set()) is None
    assert paid_through(1402, {1402, 1403}) == 1403
    assert paid_through(1402, {1402, 1404, 1405}) == 1402  # 1403 owed: a gap stops it
    assert paid_through(1402, {1403, 1404}) is None


def test_F5_oldest_owed_year_must_be_paid_first():
    assert renewal_failures(1405, 1403, {1403}, True) == {"F5"}  # 1404 still owed
    assert renewal_failures(1404, 1403, {1403}, True) == set()


def test_F5_year_already_paid_refused():
    assert renewal_failures(1404, 1403, {1403, 1404}, True) == {"F5"}


def test_F5_member_data_must_be_complete_first():
    assert renewal_failures(1403, 1403, set(), False) == {"F5"}
    assert renewal_failures(1403, 1403, set(), True) == set()


# --- S4 inputs: national codes ----------------------------------------------------------------


def test_S4_national_code_checksum_and_persian_digits():
    assert national_code_ok("0012345679")
    assert national_code_ok("۰۰۱۲۳۴۵۶۷۹")
    assert national_code_ok("5260181591")
    assert not national_code_ok("0012345678")  # wrong check digit
    assert not national_code_ok("12345679")  # too short
    assert not national_code_ok("00123456a9")


def test_a_legal_persons_national_id_check_digit_as_persian_tools_has_it():
    """شناسه ملی: eleven digits, the last the check digit; `persian_tools.legal_id` (the demo's
    check) agrees on every code here."""
    from persian_tools import legal_id

    good = ("10861234565", "10320345612", "14003963240")
    for code in good:
        assert legal_id.validate(code) and legal_id_ok(code)
    assert legal_id_ok("۱۰۸۶۱۲۳۴۵۶۵") and legal_id_ok("1086 1234 565")  # any script, spaces
    for code in ("10861234567", "1086123456", "108612345651", "1086123456a", "", "00000000000"):
        assert not legal_id_ok(code), code
    for n in range(0, 10**11, 7_919_999_999):  # a sweep: the same verdict as the library
        code = f"{n:011d}"
        assert legal_id_ok(code) == (legal_id.validate(code) and len(set(code)) > 1), code


def test_S4_text_normalisation_arabic_letters():
    assert normalize_text("  علي   كريمي ") == "علی کریمی"

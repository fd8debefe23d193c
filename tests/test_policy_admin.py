"""U1 + issue 5: the administrator edits the versioned policy and tariff tables (both dialects)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.db.models import AuditEntry, PolicyVersion, Round
from app.db.policy_store import policy_at
from app.domain.calendar import parse_jalali_date, parse_jalali_datetime
from app.domain.errors import InputError, RuleViolation
from app.services import fees, policy_admin
from support import Office


@pytest.fixture
def office(db_url) -> Office:
    return Office(db_url)


def _outcomes(office: Office, referral_id: int) -> list[str]:
    with office.base.tx() as s:
        return list(
            s.scalars(
                select(Round.outcome)
                .where(Round.referral_id == referral_id, Round.outcome.is_not(None))
                .order_by(Round.no)
            )
        )


def test_current_policy_lists_every_key_with_status_and_source(office: Office):
    rows = policy_admin.current_policy(office.admin)
    by_key = {r.key: r for r in rows}
    assert by_key["max_extensions"].value == 2
    assert by_key["max_extensions"].status == "published" and by_key["max_extensions"].source
    assert by_key["max_cancellations_per_day"].status == "default"
    assert all(r.label != r.key for r in rows)


def test_admin_lowers_max_extensions_and_a_later_deadline_follows_it(office: Office):
    office.engineer("E1", discipline="arch")  # does not stand: only a forced referral
    p = office.project(disciplines=("arch",))  # nobody stands: rounds are extended
    rid = p.referral_ids["arch"]
    office.run("1405-08-23 20:00")
    assert _outcomes(office, rid) == ["extended"]
    row = policy_admin.update_policy(
        office.admin, "max_extensions", 1, parse_jalali_date("1405-08-24"), "بخشنامه ۱۴۰۵/۸"
    )
    assert row.status == "published" and row.value == 1
    with office.base.tx() as s:
        assert policy_at(s, parse_jalali_datetime("1405-08-23 12:00")).max_extensions == 2
        assert policy_at(s, parse_jalali_datetime("1405-08-24 12:00")).max_extensions == 1
    office.run("1405-08-24 20:00")
    outcomes = _outcomes(office, rid)
    assert outcomes[0] == "extended" and outcomes[1] == "forced"  # round 2: no extension
    hist = policy_admin.policy_history(office.admin, "max_extensions")
    assert [h.value for h in hist] == [1, 2]
    with office.base.tx() as s:
        assert s.scalar(select(func.count()).where(AuditEntry.action == "policy.set")) == 1


def test_same_day_edit_replaces_the_version(office: Office):
    day = date(2026, 11, 20)
    policy_admin.update_policy(office.admin, "deadline_time", "19:00", day)
    row = policy_admin.update_policy(office.admin, "deadline_time", "18:30", day, "ابلاغیه")
    assert row.value == "18:30" and row.status == "published"
    assert len(policy_admin.policy_history(office.admin, "deadline_time")) == 2


def test_a_bad_value_is_refused_in_persian_and_writes_nothing(office: Office):
    before = office.row_counts()
    with pytest.raises(InputError) as err:
        policy_admin.update_policy(office.admin, "max_extensions", "abc", date(2026, 11, 22))
    assert "حداکثر دفعات تمدید" in err.value.message and "max_extensions" in err.value.message
    assert "عدد صحیح" in err.value.message
    with pytest.raises(InputError):
        policy_admin.update_policy(office.admin, "no_such_key", 1, date(2026, 11, 22))
    assert office.row_counts() == before
    with office.base.tx() as s:
        assert (
            s.scalar(select(func.count()).select_from(PolicyVersion)) == before["policy_versions"]
        )


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("signing_window", ["12:00", "08:00"], "پیش از پایان"),
        ("grade_groups", {"1": ["Z"], "2": ["A"], "3": ["A"], "senior": ["D"]}, "الف تا د"),
        ("penalty_exempt_disciplines", ["magic"], "رشته"),
        ("organization_share", 2, "کمتر از یک"),
    ],
)
def test_a_table_the_rules_cannot_follow_is_refused_naming_it(office: Office, key, value, words):
    before = office.row_counts()
    with pytest.raises(InputError) as err:
        policy_admin.update_policy(office.admin, key, value, date(2026, 11, 22))
    assert err.value.field == key and words in err.value.message
    assert office.row_counts() == before


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("project_score_per_m2", float("nan")),
        ("project_score_per_m2", float("inf")),
        ("project_score_per_m2", 1e300),
        ("project_score_per_m2", -1),  # a winner would gain score (A4)
        ("withdrawal_recovery_per_day", "NaN"),
        ("withdrawal_recovery_per_day", -0.5),
        ("minimum_billable_area_m2", 1e300),
        ("max_active_jobs", 10**30),
        ("max_cancellations_per_day", 10**30),
        ("capacity_total_m2", {"1": "Infinity", "2": 1, "3": 1, "senior": 1}),
        # more decimals than the run's whole units of capacity hold (S7 wrongly, or overflow)
        ("capacity_total_m2", {"1": "19200.00000000001", "2": 1, "3": 1, "senior": 1}),
        ("project_score_per_m2", "0.000000000000000000001"),
    ],
)
def test_a_figure_no_rule_can_use_is_refused_and_the_deadlines_keep_running(
    office: Office, key, value
):
    """NaN, an infinity, 1e300 or a negative figure would pass the editor and stop every
    later deadline run (or turn A4 around): refused with the key named, nothing written."""
    before = office.row_counts()
    with pytest.raises(InputError) as err:
        policy_admin.update_policy(office.admin, key, value, date(2026, 11, 22))
    assert err.value.field == key and key in err.value.message
    assert (
        "بزرگ‌تر یا مساوی ۰ و کمتر از ۱۰۰۰ میلیارد لازم است" in err.value.message
        or "دست‌بالا ۴ رقم اعشار" in err.value.message
    )
    assert office.row_counts() == before
    with office.base.tx() as s:
        policy_at(s, office.clock.now)  # the policy in force still reads


def test_a_clerk_is_refused_with_U1(office: Office):
    before = office.row_counts()
    with pytest.raises(RuleViolation) as err:
        policy_admin.update_policy(office.clerk, "max_extensions", 1, date(2026, 11, 22))
    assert err.value.rules == ("U1",)
    with pytest.raises(RuleViolation):
        policy_admin.current_policy(office.clerk)
    with pytest.raises(RuleViolation):
        fees.set_tariff(office.clerk, 1405, "B", "civil", 1, date(2026, 3, 21))
    assert office.row_counts() == before


def test_admin_sets_a_group_B_civil_tariff_and_the_fee_follows(office: Office):
    fees.set_tariff(office.admin, 1405, "B", "civil", 1_500_000, date(2026, 3, 21), "جدول استان")
    cell = next(
        r for r in fees.tariff_table(office.admin) if (r.group, r.discipline) == ("B", "civil")
    )
    assert cell.rials_per_m2 == 1_500_000 and cell.status == "published"
    p = office.project(area=900, floors=3, ready=False)  # group B by area
    due = fees.fee_for(office.admin, p.id, "civil")
    assert due.rials_per_m2 == 1_500_000
    assert due.fee_rials == int(Decimal(900) * 1_500_000)


def test_a_version_takes_effect_from_now_on_never_back_in_time(office: Office):
    """History is not rewritten: a version from an earlier instant is refused (the runs decided
    under the old one stand, A10), one from today starts now, and a version already in effect
    is never replaced by another on its instant."""
    office.at("1405-08-25 10:00")
    before = office.row_counts()
    with pytest.raises(InputError) as err:
        policy_admin.update_policy(office.admin, "max_active_jobs", 0, date(2026, 11, 1))
    assert err.value.field == "effective_from"
    assert office.row_counts() == before
    today = policy_admin.update_policy(
        office.admin, "max_active_jobs", 7, parse_jalali_date("1405-08-25")
    )
    assert today.effective_from == office.clock.now
    office.at("1405-08-25 10:05")
    with pytest.raises(InputError):  # the same instant, now in the past: not replaced
        policy_admin.update_policy(office.admin, "max_active_jobs", 9, today.effective_from)
    with office.base.tx() as s:
        assert policy_at(s, office.clock.now).max_active_jobs == 7


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("max_extensions", -1, "بزرگ‌تر یا مساوی ۰"),
        ("deadline_time", "25:99", "مثلاً ۰۸:۰۰"),
        ("signing_window", "8 to 12", "مثلاً ۰۸:۰۰ تا ۱۲:۰۰"),
    ],
)
def test_a_refusal_has_persian_digits_and_a_persian_example(office: Office, key, value, words):
    with pytest.raises(InputError) as err:
        policy_admin.update_policy(office.admin, key, value, date(2026, 11, 22))
    message = err.value.message
    assert words in message, message
    assert "HH:MM" not in message
    assert not any(ch.isascii() and ch.isdigit() for ch in message), message

"""Every refusal of a candidacy in one function (`app/domain/candidacy.py`): C1–C5, C2 with
its failing conditions, W4, A5 — all the rules that refuse, never only the first found."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from app.domain.calendar import parse_jalali_datetime as T
from app.domain.candidacy import CandidacySnapshot, out_of_everything, refusals
from app.domain.digits import persian_digits

AT = T("1405-08-26 10:00")


def snap(engineer, referral, **kw) -> CandidacySnapshot:
    kw.setdefault("round_running", True)
    return CandidacySnapshot(AT, engineer, referral, **kw)


def test_C3_W4_C2_stand_names_every_rule(engineer, referral, policy):
    e = engineer(1, membership_paid_through=1404)  # G3
    r = referral(withdrawn=[1])
    got = refusals(snap(e, r, round_running=False), "stand", policy)
    assert got.rules == {"C2", "C3", "G3", "W4"}
    assert all(f"({rule})" in got.message for rule in got.rules)


def test_C3_C4_C5_cancel_names_every_rule(engineer, referral, policy):
    e = engineer(1)
    got = refusals(
        snap(e, referral(), round_running=False, standing=False, cancelled_today=3),
        "cancel",
        policy,
    )
    assert got.rules == {"C3", "C4", "C5"}


def test_C4_cancel_once_and_stand_twice(engineer, referral, policy):
    e = engineer(1)
    assert refusals(snap(e, referral(), standing=True, cancelled_before=True), "cancel", policy)
    assert refusals(snap(e, referral(), standing=True), "cancel", policy).rules == frozenset()
    assert refusals(snap(e, referral(), standing=True), "stand", policy).rules == {"C4"}


def test_C1_S7_an_engineer_without_a_declaration_has_no_capacity(engineer, referral, policy):
    got = refusals(snap(engineer(1, declaration=None), referral()), "stand", policy)
    assert got.rules == {"C1", "C2", "S7"}


def test_C2_firm_member_conflict_is_C2(engineer, referral, policy):
    got = refusals(snap(engineer(1), referral(), related_standing=True), "stand", policy)
    assert got.rules == {"C2"} and "حقوقی" in got.message


def test_A5_why_not_adds_A5_and_not_already_standing(engineer, referral, policy):
    got = refusals(
        snap(engineer(1), referral(), chosen_on_project=True, standing=True), "why_not", policy
    )
    assert got.rules == {"A5"}


def test_C2_C4_no_such_referral(engineer, policy):
    assert refusals(CandidacySnapshot(AT, engineer(1), None), "stand", policy).rules == {"C2"}
    assert refusals(CandidacySnapshot(AT, engineer(1), None), "cancel", policy).rules == {"C4"}


def test_G3_out_of_everything_says_what_to_do(engineer, policy):
    got = out_of_everything(engineer(1, membership_paid_through=1404), AT, policy)
    assert got.rules == {"G3"}
    assert "تمدید" in got.message
    assert not out_of_everything(engineer(2), AT, policy)
    assert out_of_everything(engineer(3, declaration=None), AT, policy).rules == {"C1", "S7"}


@given(
    running=st.booleans(),
    withdrawn=st.booleans(),
    standing=st.booleans(),
    g3=st.booleans(),
    declared=st.booleans(),
    related=st.booleans(),
)
def test_C2_C3_C4_W4_each_flag_adds_its_rule(
    engineer, referral, policy, running, withdrawn, standing, g3, declared, related
):
    """Property: the refusal is the union of what each fact refuses on its own."""
    e = engineer(1, membership_paid_through=1404 if g3 else 1405)
    if not declared:
        e = replace(e, declaration=None)
    r = referral(withdrawn=[1] if withdrawn else [])
    got = refusals(
        snap(e, r, round_running=running, standing=standing, related_standing=related),
        "stand",
        policy,
    ).rules
    expect = set()
    expect |= set() if running else {"C3"}
    expect |= {"W4"} if withdrawn else set()
    expect |= {"C4"} if standing else set()
    expect |= {"G3", "C2"} if g3 else set()
    expect |= set() if declared else {"C1", "C2", "S7"}
    expect |= {"C2"} if related else set()
    assert got == expect


def test_S7_out_of_everything_names_the_limit_reached_in_his_own_figures(engineer, policy):
    """An engineer kept out of every referral by S7 is told which limit he reached: the jobs
    he holds (8 of 8), a capacity of zero (no supervision share), or a full capacity (what he
    holds of how much)."""
    most = policy.max_active_jobs
    jobs = dict(out_of_everything(engineer(1, active_jobs=most), AT, policy).reasons)["S7"]
    assert f"{persian_digits(most)} کار از {persian_digits(most)} کار" in jobs
    zero = dict(out_of_everything(engineer(2, percent=0), AT, policy).reasons)["S7"]
    assert "صفر" in zero and "درصد نظارت" in zero
    full = dict(out_of_everything(engineer(3, used_m2="19200"), AT, policy).reasons)["S7"]
    assert "پر است" in full and "۱۹٬۲۰۰ از ۱۹٬۲۰۰ مترمربع" in full
    assert "S7" not in out_of_everything(engineer(4, used_m2="100.5"), AT, policy).rules

"""The deadline decision A1–A7 and W4's exclusion, over hand-built snapshots.

Unless said otherwise every engineer passes every rule (see conftest.make_engineer): grade 1 in
every discipline, 19,200 m² capacity, base score 100, no jobs. The deadline is Tuesday
1405-08-26 20:00; referrals are group B, 300 m² (30 points).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.domain.allocation import decide_deadline
from app.domain.calendar import format_jalali_datetime
from app.domain.codes import DISCIPLINES
from app.domain.state import Declaration

MORNING = "1405-08-26 09:00"


def decide(snap, policy, cal):
    return decide_deadline(snap, policy, cal)


def winners(decisions):
    return {d.referral_id: d.engineer_id for d in decisions}


def one(decisions):
    assert len(decisions) == 1
    return decisions[0]


def stand(*ids, at=MORNING):
    return [(i, at) for i in ids]


# --- A1: every candidate is checked again at the deadline -------------------------------------


def test_A1_failing_candidates_set_aside_with_their_ids(
    engineer, referral, due, snapshot, policy, cal
):
    e1 = engineer(1, base_score=200, membership_paid_through=1404)  # best score, but G3
    e2 = engineer(2, base_score=200, employed_by_permit_authority=True, active_jobs=8)
    e3 = engineer(3, base_score=50)
    d = one(decide(snapshot([due(referral(), stand(1, 2, 3))], [e1, e2, e3]), policy, cal))
    assert d.outcome == "selected" and d.engineer_id == 3 and d.method == "competitive"
    assert dict(d.set_aside) == {1: ("G3",), 2: ("S6", "S7")}
    assert [r.engineer_id for r in d.ranking] == [3]


@pytest.mark.parametrize(
    ("decl", "rule"),
    [
        (Declaration(1405, False, True, frozenset("ABCD"), Decimal(100)), "C1"),  # no longer ready
        (Declaration(1405, True, True, frozenset("A"), Decimal(100)), "C2"),  # group not listed
    ],
)
def test_A1_declaration_must_still_be_ready_and_list_the_group(
    engineer, referral, due, snapshot, policy, cal, decl, rule
):
    e1 = engineer(1, base_score=200, declaration=decl)
    d = one(
        decide(snapshot([due(referral(group="B"), stand(1, 2))], [e1, engineer(2)]), policy, cal)
    )
    assert d.engineer_id == 2
    assert dict(d.set_aside) == {1: (rule,)}


def test_A1_capacity_checked_at_the_deadline(engineer, referral, due, snapshot, policy, cal):
    full = engineer(1, base_score=200, used_m2="18900.01")  # 299.99 m² left for 300 m²
    just = engineer(2, base_score=150, used_m2=18900)  # exactly 300 m² left
    d = one(decide(snapshot([due(referral(area=300), stand(1, 2))], [full, just]), policy, cal))
    assert d.engineer_id == 2
    assert dict(d.set_aside) == {1: ("S7",)}


# --- A2: highest score, then capacity, jobs, candidacy time, membership number ----------------


def test_A2_highest_score_wins_and_ranking_is_kept(engineer, referral, due, snapshot, policy, cal):
    people = [
        engineer(1, base_score=90),
        engineer(2, base_score="100.5"),
        engineer(3, base_score=95),
    ]
    d = one(decide(snapshot([due(referral(), stand(1, 2, 3))], people), policy, cal))
    assert d.engineer_id == 2
    assert [(r.engineer_id, r.score) for r in d.ranking] == [
        (2, Decimal("100.5")),
        (3, Decimal(95)),
        (1, Decimal(90)),
    ]
    assert d.points == Decimal(30) and d.area_m2 == Decimal(300)


def test_A2_score_beats_every_later_tie_break(engineer, referral, due, snapshot, policy, cal):
    hi = engineer(1, base_score="100.01", used_m2=5000, active_jobs=5, membership_no="Z")
    lo = engineer(2, base_score=100, membership_no="A")
    d = one(
        decide(
            snapshot([due(referral(), [(1, "1405-08-26 19:59"), (2, MORNING)])], [hi, lo]),
            policy,
            cal,
        )
    )
    assert d.engineer_id == 1


def test_A2_tie_on_score_larger_remaining_capacity_wins(
    engineer, referral, due, snapshot, policy, cal
):
    a = engineer(1, used_m2="0.01", membership_no="A")
    b = engineer(2, used_m2=0, active_jobs=3, membership_no="B")
    d = one(
        decide(
            snapshot([due(referral(), [(1, "1405-08-26 08:00"), (2, MORNING)])], [a, b]),
            policy,
            cal,
        )
    )
    assert d.engineer_id == 2
    assert [r.remaining_m2 for r in d.ranking] == [Decimal(19200), Decimal("19199.99")]


def test_A2_tie_on_score_and_capacity_fewer_active_jobs_wins(
    engineer, referral, due, snapshot, policy, cal
):
    a = engineer(1, active_jobs=2, membership_no="A")
    b = engineer(2, active_jobs=1, membership_no="B")
    d = one(
        decide(
            snapshot([due(referral(), [(1, "1405-08-26 08:00"), (2, MORNING)])], [a, b]),
            policy,
            cal,
        )
    )
    assert d.engineer_id == 2


def test_A2_then_earlier_candidacy_wins(engineer, referral, due, snapshot, policy, cal):
    a = engineer(1, membership_no="A")
    b = engineer(2, membership_no="B")
    d = one(
        decide(
            snapshot([due(referral(), [(1, "1405-08-26 10:01"), (2, "1405-08-26 10:00")])], [a, b]),
            policy,
            cal,
        )
    )
    assert d.engineer_id == 2


def test_A2_then_smaller_membership_number_wins(engineer, referral, due, snapshot, policy, cal):
    a = engineer(1, membership_no="E2")
    b = engineer(2, membership_no="E10")  # compared as strings: "E10" < "E2"
    d = one(decide(snapshot([due(referral(), stand(1, 2))], [a, b]), policy, cal))
    assert d.engineer_id == 2
    a2 = engineer(1, membership_no="E1")
    d = one(decide(snapshot([due(referral(), stand(1, 2))], [a2, b]), policy, cal))
    assert d.engineer_id == 1


def test_A2_score_includes_charges_and_penalties(engineer, referral, due, snapshot, policy, cal):
    from app.domain.calendar import parse_jalali_datetime as T
    from app.domain.state import Charge, Penalty

    charged = engineer(
        1, base_score=120, charges=(Charge(T("1405-08-01 20:00"), 1405, Decimal(30)),)
    )  # 90
    penal = engineer(
        2, base_score=200, penalties=(Penalty(T("1405-08-20 10:00"), Decimal(150), Decimal(1)),)
    )  # 56
    plain = engineer(3, base_score=85)
    d = one(
        decide(snapshot([due(referral(), stand(1, 2, 3))], [charged, penal, plain]), policy, cal)
    )
    assert [(r.engineer_id, r.score) for r in d.ranking] == [
        (1, Decimal(90)),
        (3, Decimal(85)),
        (2, Decimal(56)),
    ]


# --- A3 + A4: decided one after another, effects at once --------------------------------------


def test_A3_order_by_entered_at_before_file_no(engineer, referral, due, snapshot, policy, cal):
    e1 = engineer(1, used_m2=18900)  # room for exactly one 300 m² referral
    late = due(referral(1, 1), stand(1), file_no="1405-0001", entered_at="1405-08-25 10:00")
    early = due(referral(2, 2), stand(1), file_no="1405-0009", entered_at="1405-08-25 09:00")
    ds = decide(snapshot([late, early], [e1]), policy, cal)
    assert [d.referral_id for d in ds] == [2, 1]
    assert winners(ds) == {2: 1, 1: None}
    assert ds[1].outcome == "extended" and dict(ds[1].set_aside) == {1: ("S7",)}


def test_A3_same_entry_time_ordered_by_file_no(engineer, referral, due, snapshot, policy, cal):
    e1 = engineer(1, used_m2=18900)
    b = due(referral(1, 1), stand(1), file_no="1405-0002")
    a = due(referral(2, 2), stand(1), file_no="1405-0001")
    ds = decide(snapshot([b, a], [e1]), policy, cal)
    assert [d.referral_id for d in ds] == [2, 1]
    assert winners(ds) == {2: 1, 1: None}


def test_A3_disciplines_decided_arch_civil_mech_elec_survey_urban_traffic(
    engineer, referral, due, snapshot, policy, cal
):
    # Everybody stands for all seven; engineer k has the k-th best score. With A5 applied after
    # each decision, the k-th discipline in rulebook order goes to engineer k.
    people = [engineer(k, base_score=200 - k) for k in range(1, 8)]
    shuffled = ["survey", "traffic", "civil", "elec", "arch", "urban", "mech"]
    dues = [due(referral(10 + DISCIPLINES.index(d), 1, d), stand(*range(1, 8))) for d in shuffled]
    ds = decide(snapshot(dues, people), policy, cal)
    assert [d.referral_id for d in ds] == [10 + i for i in range(7)]
    assert [d.engineer_id for d in ds] == list(range(1, 8))
    # The later ones record the earlier winners as set aside by A5.
    assert dict(ds[3].set_aside) == {1: ("A5",), 2: ("A5",), 3: ("A5",)}


def test_A4_winner_loses_capacity_before_the_next_referral(
    engineer, referral, due, snapshot, policy, cal
):
    e1 = engineer(1, base_score=200, used_m2=18700)  # 500 m² left: one 300 m² referral only
    e2 = engineer(2, base_score=10)
    r1 = due(referral(1, 1), stand(1, 2), file_no="1405-0001")
    r2 = due(referral(2, 2), stand(1, 2), file_no="1405-0002")
    ds = decide(snapshot([r1, r2], [e1, e2]), policy, cal)
    assert winners(ds) == {1: 1, 2: 2}
    assert dict(ds[1].set_aside) == {1: ("S7",)}


def test_A4_winner_score_falls_before_the_next_referral(
    engineer, referral, due, snapshot, policy, cal
):
    e1 = engineer(1, base_score=100)  # wins the first, 300 m² costs 30: 70 for the second
    e2 = engineer(2, base_score=80)
    r1 = due(referral(1, 1), stand(1, 2), file_no="1405-0001")
    r2 = due(referral(2, 2), stand(1, 2), file_no="1405-0002")
    ds = decide(snapshot([r1, r2], [e1, e2]), policy, cal)
    assert winners(ds) == {1: 1, 2: 2}
    assert [(r.engineer_id, r.score) for r in ds[1].ranking] == [(2, Decimal(80)), (1, Decimal(70))]
    assert ds[1].set_aside == ()


def test_A4_winner_job_count_rises_before_the_next_referral(
    engineer, referral, due, snapshot, policy, cal
):
    e1 = engineer(1, base_score=200, active_jobs=7)  # 8th job on the first: S7 for the second
    e2 = engineer(2, base_score=10)
    r1 = due(referral(1, 1), stand(1, 2), file_no="1405-0001")
    r2 = due(referral(2, 2), stand(1, 2), file_no="1405-0002")
    ds = decide(snapshot([r1, r2], [e1, e2]), policy, cal)
    assert winners(ds) == {1: 1, 2: 2}
    assert dict(ds[1].set_aside) == {1: ("S7",)}


def test_A4_tie_break_capacity_sees_the_previous_charge(
    engineer, referral, due, snapshot, policy, cal
):
    # Same score after the first charge (e1: 130 − 30 = 100 = e2), then e1 has less room.
    e1 = engineer(1, base_score=130, membership_no="A")
    e2 = engineer(2, base_score=100, membership_no="B")
    r1 = due(referral(1, 1), stand(1), file_no="1405-0001")
    r2 = due(referral(2, 2), stand(1, 2), file_no="1405-0002")
    ds = decide(snapshot([r1, r2], [e1, e2]), policy, cal)
    assert winners(ds) == {1: 1, 2: 2}
    assert [r.remaining_m2 for r in ds[1].ranking] == [Decimal(19200), Decimal(18900)]


def test_A4_decision_records_charged_area_and_points(
    engineer, referral, due, snapshot, policy, cal
):
    d = one(decide(snapshot([due(referral(area="225.5"), stand(1))], [engineer(1)]), policy, cal))
    assert (d.area_m2, d.points) == (Decimal("225.5"), Decimal("22.55"))


# --- A5: one discipline per project per engineer ----------------------------------------------


def test_A5_same_engineer_set_aside_on_another_discipline_of_same_project(
    engineer, referral, due, snapshot, policy, cal
):
    e1, e2 = engineer(1, base_score=200), engineer(2, base_score=10)
    arch = due(referral(1, 7, "arch"), stand(1, 2))
    civil = due(referral(2, 7, "civil"), stand(1, 2))
    ds = decide(snapshot([civil, arch], [e1, e2]), policy, cal)
    assert winners(ds) == {1: 1, 2: 2}
    assert dict(ds[1].set_aside) == {1: ("A5",)}


def test_A5_already_chosen_on_the_project_before_this_deadline(
    engineer, referral, due, snapshot, policy, cal
):
    e1, e2 = engineer(1, base_score=200), engineer(2, base_score=10)
    snap = snapshot(
        [
            due(referral(1, 7, "elec"), stand(1, 2)),
            due(referral(2, 8, "elec"), stand(1, 2), file_no="1405-0002"),
        ],
        [e1, e2],
        chosen={7: frozenset({1})},
    )
    ds = decide(snap, policy, cal)
    assert winners(ds) == {1: 2, 2: 1}  # e1 may still win on another project
    assert dict(ds[0].set_aside) == {1: ("A5",)}


def test_A5_applies_to_the_forced_pool(engineer, referral, due, snapshot, policy, cal):
    low = engineer(1, base_score=10)  # lowest score, but already on project 7
    other = engineer(2, base_score=50)
    snap = snapshot(
        [due(referral(1, 7, "mech"), round_no=3)], [low, other], chosen={7: frozenset({1})}
    )
    d = one(decide(snap, policy, cal))
    assert (d.outcome, d.engineer_id) == ("forced", 2)


# --- A6: extensions, then a forced choice of the LOWEST score ---------------------------------


@pytest.mark.parametrize(
    ("round_no", "deadline", "next_deadline"),
    [
        (1, "1405-08-26 20:00", "1405-08-27 20:00"),
        (2, "1405-08-27 20:00", "1405-08-28 20:00"),
        (1, "1405-08-28 20:00", "1405-08-30 20:00"),  # Thursday → Saturday (Friday skipped)
    ],
)
def test_A6_no_candidate_left_extends_to_next_working_days_2000(
    engineer, referral, due, snapshot, policy, cal, round_no, deadline, next_deadline
):
    snap = snapshot(
        [due(referral(), stand(1), round_no=round_no)],
        [engineer(1, membership_paid_through=1404), engineer(2)],
        at=deadline,
    )
    d = one(decide(snap, policy, cal))
    assert d.outcome == "extended" and d.engineer_id is None
    assert format_jalali_datetime(d.next_deadline) == next_deadline
    assert dict(d.set_aside) == {1: ("G3",)}


def test_A6_extension_skips_policy_holiday(
    engineer, referral, due, snapshot, policy, cal_with_holidays
):
    c = cal_with_holidays("1405-08-27")
    d = one(decide(snapshot([due(referral())], [engineer(1)]), policy, c))
    assert format_jalali_datetime(d.next_deadline) == "1405-08-28 20:00"


def test_A6_round_3_without_candidate_is_forced_lowest_score(
    engineer, referral, due, snapshot, policy, cal
):
    people = [
        engineer(1, base_score=100),
        engineer(2, base_score=40),
        engineer(3, base_score=70),
        engineer(4, base_score=-5, membership_paid_through=1404),
    ]  # lowest, but G3
    d = one(decide(snapshot([due(referral(), round_no=3)], people), policy, cal))
    assert (d.outcome, d.method, d.engineer_id) == ("forced", "forced", 2)
    assert [r.engineer_id for r in d.ranking] == [2, 3, 1]  # the pool, lowest score first
    assert d.points == Decimal(30)


def test_A6_round_3_all_candidates_set_aside_then_forced(
    engineer, referral, due, snapshot, policy, cal
):
    cand = engineer(1, base_score=0, design_build_qualified=True)
    people = [cand, engineer(2, base_score=60), engineer(3, base_score=50)]
    d = one(decide(snapshot([due(referral(), stand(1), round_no=3)], people), policy, cal))
    assert (d.outcome, d.engineer_id) == ("forced", 3)
    assert dict(d.set_aside) == {1: ("G6",)}


def test_A6_round_3_with_eligible_candidate_is_competitive(
    engineer, referral, due, snapshot, policy, cal
):
    people = [engineer(1, base_score=100), engineer(2, base_score=10)]
    d = one(decide(snapshot([due(referral(), stand(1), round_no=3)], people), policy, cal))
    assert (d.outcome, d.method, d.engineer_id) == ("selected", "competitive", 1)


def test_A6_max_extensions_comes_from_policy(engineer, referral, due, snapshot, make_policy, cal):
    people = [engineer(1, base_score=100), engineer(2, base_score=10)]
    p0 = make_policy(max_extensions=0)
    assert one(decide(snapshot([due(referral(), round_no=1)], people), p0, cal)).outcome == "forced"
    p3 = make_policy(max_extensions=3)
    assert one(decide(snapshot([due(referral(), round_no=3)], people), p3, cal)).outcome == (
        "extended"
    )
    assert one(decide(snapshot([due(referral(), round_no=4)], people), p3, cal)).outcome == "forced"


def test_A6_forced_pool_excludes_not_ready_other_group_and_failing(
    engineer, referral, due, snapshot, policy, cal
):
    not_ready = engineer(
        1, base_score=1, declaration=Declaration(1405, False, True, frozenset("ABCD"), Decimal(100))
    )
    other_group = engineer(2, base_score=2, groups="A")
    no_decl = engineer(3, base_score=3, declaration=None)
    wrong_grade = engineer(4, base_score=4, grade="3")  # grade 3: groups A, B only
    full = engineer(5, base_score=5, active_jobs=8)
    owner = engineer(6, base_score=6, national_id="5260181591")
    ok = engineer(7, base_score=99)
    people = [not_ready, other_group, no_decl, wrong_grade, full, owner, ok]
    r = referral(group="C", owners={"5260181591"})
    d = one(decide(snapshot([due(r, round_no=3)], people), policy, cal))
    assert (d.outcome, d.engineer_id) == ("forced", 7)
    assert [x.engineer_id for x in d.ranking] == [7]


def test_A6_forced_pool_is_the_disciplines_pool(engineer, referral, due, snapshot, policy, cal):
    people = [engineer(1, base_score=1), engineer(2, base_score=50)]
    snap = snapshot(
        [due(referral(discipline="elec"), round_no=3)],
        people,
        pools={"elec": (2,), "civil": (1, 2)},
    )
    assert one(decide(snap, policy, cal)).engineer_id == 2


def test_A6_forced_tie_larger_remaining_capacity(engineer, referral, due, snapshot, policy, cal):
    a = engineer(1, used_m2=100, membership_no="A")
    b = engineer(2, used_m2=0, active_jobs=5, membership_no="B")
    d = one(decide(snapshot([due(referral(), round_no=3)], [a, b]), policy, cal))
    assert d.engineer_id == 2


def test_A6_forced_tie_fewer_active_jobs(engineer, referral, due, snapshot, policy, cal):
    a = engineer(1, active_jobs=3, membership_no="A")
    b = engineer(2, active_jobs=2, membership_no="B")
    d = one(decide(snapshot([due(referral(), round_no=3)], [a, b]), policy, cal))
    assert d.engineer_id == 2


def test_A6_forced_tie_smaller_membership_number(engineer, referral, due, snapshot, policy, cal):
    a = engineer(1, membership_no="M2")
    b = engineer(2, membership_no="M1")
    d = one(decide(snapshot([due(referral(), round_no=3)], [a, b]), policy, cal))
    assert d.engineer_id == 2


def test_A6_forced_lowest_score_beats_tie_breaks(engineer, referral, due, snapshot, policy, cal):
    a = engineer(1, base_score="10.01", membership_no="A")
    b = engineer(2, base_score=10, used_m2=9000, active_jobs=6, membership_no="B")
    d = one(decide(snapshot([due(referral(), round_no=3)], [a, b]), policy, cal))
    assert d.engineer_id == 2


def test_A6_forced_choice_applies_A4_before_next_referral(
    engineer, referral, due, snapshot, policy, cal
):
    # Lowest score is forced onto the first; its 30-point charge makes it lowest again, but it is
    # out of room for the second (S7), so the other engineer is forced onto that one.
    a = engineer(1, base_score=10, used_m2=18700)
    b = engineer(2, base_score=20)
    r1 = due(referral(1, 1), round_no=3, file_no="1405-0001")
    r2 = due(referral(2, 2), round_no=3, file_no="1405-0002")
    ds = decide(snapshot([r1, r2], [a, b]), policy, cal)
    assert winners(ds) == {1: 1, 2: 2}


def test_W4_forced_round_decides_at_once_without_candidacy(
    engineer, referral, due, snapshot, policy, cal
):
    # A withdrawal of a round-2 selection makes round 3 forced; even a forced round 2 (after a
    # withdrawal of a forced selection) is decided by A6's forced choice, never extended.
    people = [engineer(1, base_score=100), engineer(2, base_score=10)]
    d = one(
        decide(snapshot([due(referral(), round_no=2, round_kind="forced")], people), policy, cal)
    )
    assert (d.outcome, d.engineer_id, d.round_kind) == ("forced", 2, "forced")


def test_W4_withdrawn_engineer_neither_stands_nor_is_forced(
    engineer, referral, due, snapshot, policy, cal
):
    gone = engineer(1, base_score=1)
    other = engineer(2, base_score=50)
    r = referral(withdrawn={1})
    d = one(decide(snapshot([due(r, stand(1, 2))], [gone, other]), policy, cal))
    assert d.engineer_id == 2 and dict(d.set_aside) == {1: ("W4",)}
    d = one(decide(snapshot([due(r, round_no=2, round_kind="forced")], [gone, other]), policy, cal))
    assert d.engineer_id == 2


# --- A7: even the forced pool empty ----------------------------------------------------------


def test_A7_unassigned_with_per_rule_exclusion_counts(
    engineer, referral, due, snapshot, policy, cal
):
    people = [
        engineer(1, membership_paid_through=1404),  # G3
        engineer(2, membership_paid_through=1404, employed_by_permit_authority=True),  # G3 S6
        engineer(3, declaration=None),  # C1
        engineer(4, groups="A"),  # C2
        engineer(5, active_jobs=8),  # S7
    ]
    snap = snapshot([due(referral(group="B"), stand(5), round_no=3)], people, chosen={})
    d = one(decide(snap, policy, cal))
    assert d.outcome == "unassigned" and d.engineer_id is None
    # engineer 3 has no declaration: no declared supervision share, capacity zero (S7)
    assert dict(d.exclusions) == {"G3": 2, "S6": 1, "C1": 1, "C2": 1, "S7": 2}
    assert dict(d.set_aside) == {5: ("S7",)}


def test_A7_empty_pool_gives_unassigned_with_no_counts(referral, due, snapshot, policy, cal):
    d = one(decide(snapshot([due(referral(), round_no=3)], []), policy, cal))
    assert (d.outcome, d.exclusions) == ("unassigned", ())


def test_A7_counts_A5_and_W4_exclusions(engineer, referral, due, snapshot, policy, cal):
    snap = snapshot(
        [due(referral(1, 7, withdrawn={2}), round_no=3)],
        [engineer(1), engineer(2)],
        chosen={7: frozenset({1})},
    )
    d = one(decide(snap, policy, cal))
    assert d.outcome == "unassigned"
    assert dict(d.exclusions) == {"A5": 1, "W4": 1}

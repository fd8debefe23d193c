"""Property tests of the deadline decision over random small snapshots (A1–A7, S4, S7, W4, A10).

Each generated snapshot is decided, then replayed decision by decision in A3 order with the A4
effects applied, checking every selection against the eligibility rules at that moment.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from app.domain.allocation import Candidate, DeadlineSnapshot, decide_deadline
from app.domain.calendar import local_date
from app.domain.codes import CANDIDACY, DISCIPLINES, GRADES
from app.domain.digest import digest
from app.domain.eligibility import distribution_failures
from app.domain.scoring import charge_selection, remaining_m2, score_at
from app.domain.state import Competence, Declaration

CODES = ("5260181591", "0012345679", "1111111111")
STOOD = ("1405-08-24 09:00", "1405-08-25 10:00", "1405-08-26 10:00", "1405-08-26 19:59")

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


DEFECTS = (
    {"resident_in_province": False},  # G1
    {"licence_expires": date(2026, 1, 1)},  # G2 (expired before 1405-08-26)
    {"membership_paid_through": 1404},  # G3
    {"legal_incapacity": True},  # G4
    {"design_build_qualified": True},  # G6
    {"employed_by_permit_authority": True},  # S6
    {"declaration": None},  # C1
    {"declaration": Declaration(1405, False, True, frozenset("ABCD"), Decimal(100))},  # C1
    {"declaration": Declaration(1404, True, True, frozenset("ABCD"), Decimal(100))},  # C1
    {"groups": "A"},  # C2 for B–D
    {"financial_ties": frozenset(CODES[:1])},  # S5 when that code owns
)


@st.composite
def engineers(draw, make_engineer, eid: int, membership_no: str):
    """Mostly eligible engineers (so that choices happen), some with one defect."""
    if draw(st.integers(0, 3)):
        disciplines = DISCIPLINES
    else:
        disciplines = draw(
            st.lists(st.sampled_from(DISCIPLINES), min_size=1, max_size=3, unique=True)
        )
    grade = draw(st.sampled_from(GRADES))
    comps = [Competence(d, grade) for d in disciplines]
    if not draw(st.integers(0, 4)):
        comps.append(
            Competence(
                draw(st.sampled_from(DISCIPLINES)), draw(st.sampled_from(GRADES)), kind="design"
            )
        )
    defect = draw(st.sampled_from([{}] * len(DEFECTS) + list(DEFECTS)))
    return make_engineer(
        eid,
        membership_no=membership_no,
        competences=tuple(comps),
        percent=draw(st.sampled_from([10, 60, 100, 100, 100, 100])),
        base_score=draw(st.sampled_from(["0", "10", "50", "50", "100", "-5", "12.34"])),
        used_m2=draw(st.sampled_from(["0", "0", "0", "900", "5300", "11000", "18700", "18900"])),
        active_jobs=draw(st.sampled_from([0, 0, 0, 1, 3, 6, 7, 8])),
        national_id=draw(st.sampled_from([None, None, None, None, *CODES])),
        **defect,
    )


@st.composite
def snapshots(draw, f) -> DeadlineSnapshot:
    """`f`: the conftest factories (engineer, referral, due, snapshot)."""
    n = draw(st.integers(1, 6))
    numbers = draw(st.permutations([f"M{k}" for k in range(1, n + 1)]))
    people = [draw(engineers(f.engineer, k, numbers[k - 1])) for k in range(1, n + 1)]
    ids = list(range(1, n + 1))
    dues = []
    rid = 0
    chosen = {}
    for pid in range(1, draw(st.integers(1, 3)) + 1):
        group = draw(st.sampled_from("AABBCD"))
        area = draw(st.sampled_from(["100", "300", "300.00", "500", "1200.5"]))
        owners = frozenset(draw(st.lists(st.sampled_from([*CODES, "0499370899"]), max_size=2)))
        entered = draw(st.sampled_from(["1405-08-20 09:00", "1405-08-25 09:00"]))
        file_no = f"1405-{draw(st.integers(1, 9)):04d}-{pid}"
        if draw(st.booleans()):
            chosen[pid] = frozenset(draw(st.lists(st.sampled_from(ids), max_size=1)))
        for disc in draw(
            st.lists(st.sampled_from(DISCIPLINES), min_size=1, max_size=4, unique=True)
        ):
            rid += 1
            cands = draw(st.lists(st.sampled_from(ids), unique=True, min_size=1, max_size=n))
            stood = [(e, draw(st.sampled_from(STOOD))) for e in cands]
            withdrawn = frozenset(
                draw(st.lists(st.sampled_from(ids), max_size=1))
                if not draw(st.integers(0, 3))
                else ()
            )
            kind = draw(st.sampled_from([CANDIDACY, CANDIDACY, CANDIDACY, "forced"]))
            dues.append(
                f.due(
                    f.referral(
                        rid, pid, disc, group=group, area=area, owners=owners, withdrawn=withdrawn
                    ),
                    stood if kind == CANDIDACY else [],
                    file_no=file_no,
                    entered_at=entered,
                    round_no=draw(st.integers(1, 3)),
                    round_kind=kind,
                )
            )
    pools = {
        d: tuple(
            s.id
            for s in people
            if any(c.discipline == d and c.kind == "supervision" for c in s.competences)
        )
        for d in DISCIPLINES
    }
    return f.snapshot(dues, people, pools=pools, chosen=chosen)


def _eligible(s, r, chosen_on_project, at, policy) -> bool:
    return (
        not distribution_failures(s, r, at, policy)
        and s.id not in chosen_on_project
        and s.id not in r.withdrawn
    )


def _replay(snap: DeadlineSnapshot, decisions, policy):
    """Walk the decisions in order with A4 applied, checking each against the rules."""
    at = snap.at
    on = local_date(at)
    state = dict(snap.supervisors)
    chosen = {p: set(e) for p, e in snap.chosen.items()}
    by_id = {d.facts.referral_id: d for d in snap.referrals}
    order = sorted(snap.referrals, key=lambda d: d.order_key())
    assert [d.referral_id for d in decisions] == [d.facts.referral_id for d in order]  # A3
    for dec in decisions:
        due = by_id[dec.referral_id]
        r = due.facts
        on_project = chosen.get(r.project_id, set())
        cands = [
            c for c in due.candidates if _eligible(state[c.engineer_id], r, on_project, at, policy)
        ]
        pool = [
            state[e]
            for e in snap.pools.get(r.discipline, ())
            if _eligible(state[e], r, on_project, at, policy)
        ]
        w = dec.engineer_id
        if w is not None:
            s = state[w]
            assert distribution_failures(s, r, at, policy) == set()  # A1, G, S, C1, C2
            assert remaining_m2(s, policy, on) >= r.area_m2  # S7
            assert s.active_jobs < policy.max_active_jobs  # S7
            assert s.national_id is None or s.national_id not in r.owner_codes  # S4
            assert w not in on_project  # A5
            assert w not in r.withdrawn  # W4
            if dec.method == "competitive":
                assert due.round_kind == CANDIDACY and cands
                stood = {c.engineer_id: c.stood_at for c in due.candidates}

                def a2(x, stood=stood):
                    return (
                        -score_at(x, at, policy),
                        -remaining_m2(x, policy, on),
                        x.active_jobs,
                        stood[x.id],
                        x.membership_no,
                    )

                assert a2(s) == min(a2(state[c.engineer_id]) for c in cands)  # A2
            else:
                assert dec.method == "forced" and not cands
                assert due.round_kind != CANDIDACY or due.round_no > policy.max_extensions

                def a6(x):
                    return (
                        score_at(x, at, policy),
                        -remaining_m2(x, policy, on),
                        x.active_jobs,
                        x.membership_no,
                    )

                assert a6(s) == min(a6(x) for x in pool)  # A6: lowest score
            state[w] = charge_selection(s, r.area_m2, at, policy)  # A4
            chosen.setdefault(r.project_id, set()).add(w)
        elif dec.outcome == "extended":
            assert not cands and due.round_kind == CANDIDACY  # A6
            assert due.round_no <= policy.max_extensions
        else:
            assert dec.outcome == "unassigned" and not cands and not pool  # A7


@SETTINGS
@given(data=st.data())
def test_A1_A2_A5_A6_S4_S7_W4_every_selection_is_eligible_at_that_moment(
    data, factories, policy, cal
):
    snap = data.draw(snapshots(factories))
    decisions = decide_deadline(snap, policy, cal)
    for d in decisions:
        event(f"outcome={d.outcome}")
    event(f"selections={sum(d.engineer_id is not None for d in decisions)}")
    _replay(snap, decisions, policy)


@SETTINGS
@given(data=st.data())
def test_A5_never_the_same_engineer_for_two_disciplines_of_one_project(
    data, factories, policy, cal
):
    snap = data.draw(snapshots(factories))
    seen: dict[int, set[int]] = {p: set(e) for p, e in snap.chosen.items()}
    project_of = {d.facts.referral_id: d.facts.project_id for d in snap.referrals}
    for d in decide_deadline(snap, policy, cal):
        if d.engineer_id is not None:
            p = project_of[d.referral_id]
            assert d.engineer_id not in seen.get(p, set())
            seen.setdefault(p, set()).add(d.engineer_id)


@SETTINGS
@given(data=st.data())
def test_S7_never_over_capacity_or_jobs_after_all_decisions(data, factories, policy, cal):
    snap = data.draw(snapshots(factories))
    area: dict[int, Decimal] = {}
    jobs: dict[int, int] = {}
    facts = {d.facts.referral_id: d.facts for d in snap.referrals}
    for d in decide_deadline(snap, policy, cal):
        if d.engineer_id is not None:
            area[d.engineer_id] = area.get(d.engineer_id, Decimal(0)) + facts[d.referral_id].area_m2
            jobs[d.engineer_id] = jobs.get(d.engineer_id, 0) + 1
    on = local_date(snap.at)
    for eid, a in area.items():
        s = snap.supervisors[eid]
        assert remaining_m2(s, policy, on) - a >= 0
        assert s.active_jobs + jobs[eid] <= policy.max_active_jobs


@SETTINGS
@given(data=st.data(), seed=st.integers(0, 2**16))
def test_A10_deterministic_and_independent_of_input_order(data, seed, factories, policy, cal):
    snap = data.draw(snapshots(factories))
    first = decide_deadline(snap, policy, cal)
    again = decide_deadline(snap, policy, cal)
    assert first == again
    assert digest(first) == digest(again)
    assert digest(snap) == digest(snap)
    rng = random.Random(seed)
    refs = []
    for d in snap.referrals:  # shuffle the referrals and each referral's candidates
        cands = list(d.candidates)
        rng.shuffle(cands)
        refs.append(replace(d, candidates=tuple(cands)))
    rng.shuffle(refs)
    people = list(snap.supervisors.items())
    rng.shuffle(people)
    shuffled = replace(snap, referrals=tuple(refs), supervisors=dict(people))
    assert decide_deadline(shuffled, policy, cal) == first


@SETTINGS
@given(data=st.data())
def test_A6_extensions_point_to_the_next_working_days_deadline(data, factories, policy, cal):
    snap = data.draw(snapshots(factories))
    for d in decide_deadline(snap, policy, cal):
        if d.outcome == "extended":
            assert d.next_deadline == snap.at + timedelta(days=1)  # Tuesday 20:00 → Wednesday
        else:
            assert d.next_deadline is None


@SETTINGS
@given(data=st.data())
def test_A1_S7_the_columns_answer_as_the_rules_do_for_every_pair(data, factories, policy, cal):
    """The run decides the static rules over columns (deadline_run): with every supervisor
    standing for every candidacy referral, each one's set-aside rules are exactly
    `distribution_failures` (with A5 and W4) at the moment of its referral's decision, after
    the earlier decisions' charges (A4), and those who pass are exactly the ranked ones, with
    `score_at` and `remaining_m2`."""
    snap = data.draw(snapshots(factories))
    at = snap.at
    on = local_date(at)
    everyone = tuple(sorted(snap.supervisors))
    dues = [
        replace(d, candidates=tuple(Candidate(e, at) for e in everyone))
        if d.round_kind == CANDIDACY
        else d
        for d in snap.referrals
    ]
    snap = replace(snap, referrals=tuple(dues))
    state = dict(snap.supervisors)
    chosen = {p: set(e) for p, e in snap.chosen.items()}
    by_id = {d.facts.referral_id: d for d in snap.referrals}
    for dec in decide_deadline(snap, policy, cal):
        due = by_id[dec.referral_id]
        r = due.facts
        if due.round_kind == CANDIDACY:
            on_project = chosen.get(r.project_id, set())
            expected = {}
            for e in everyone:
                failed = distribution_failures(state[e], r, at, policy)
                failed |= {"A5"} if e in on_project else set()
                failed |= {"W4"} if e in r.withdrawn else set()
                expected[e] = tuple(sorted(failed))
            assert dict(dec.set_aside) == {e: f for e, f in expected.items() if f}
            if dec.method == "competitive":
                assert {x.engineer_id for x in dec.ranking} == {
                    e for e, f in expected.items() if not f
                }
                for x in dec.ranking:
                    s = state[x.engineer_id]
                    assert x.score == score_at(s, at, policy)
                    assert x.remaining_m2 == remaining_m2(s, policy, on, r.discipline)
                    assert x.active_jobs == s.active_jobs
        if dec.engineer_id is not None:
            w = dec.engineer_id
            state[w] = charge_selection(state[w], r.area_m2, at, policy)
            chosen.setdefault(r.project_id, set()).add(w)


@SETTINGS
@given(data=st.data())
def test_A2_every_published_ranking_is_in_the_full_order(data, factories, policy, cal):
    """A2's whole order, not only its head: score, remaining capacity, jobs, time of standing,
    membership no (the ranking is published and re-checked, A10)."""
    snap = data.draw(snapshots(factories))
    numbers = {e: s.membership_no for e, s in snap.supervisors.items()}
    by_id = {d.facts.referral_id: d for d in snap.referrals}
    for dec in decide_deadline(snap, policy, cal):
        if dec.method != "competitive":
            continue
        stood = {c.engineer_id: c.stood_at for c in by_id[dec.referral_id].candidates}
        full = sorted(
            dec.ranking,
            key=lambda x: (
                -x.score,
                -x.remaining_m2,
                x.active_jobs,
                stood[x.engineer_id],
                numbers[x.engineer_id],
            ),
        )
        assert list(dec.ranking) == full

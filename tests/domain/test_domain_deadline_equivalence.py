"""Issue 17: the columnar deadline decision gives exactly the decisions of the decision path
it replaced (tests/legacy_deadline, frozen at commit 22e6c81) on random snapshots: the same
winners, the same ranked lists in the same order with the same scores, capacities and jobs,
the same set-aside lists with the same rule IDs (A1), the same exclusions (A7), extensions and
forced choices (A6), the same digest of the decisions (A10).

NZ_EQUIVALENCE_EXAMPLES sets the count (default 300; the issue's run used 5,000)."""

from __future__ import annotations

import os
import random
from dataclasses import replace
from decimal import Decimal

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from test_domain_allocation_properties import snapshots

from app.domain.allocation import decide_deadline
from app.domain.calendar import parse_jalali_date
from app.domain.calendar import parse_jalali_datetime as T
from app.domain.digest import digest
from app.domain.state import Charge, Conviction, Penalty
from legacy_deadline import decide_deadline_old

EXAMPLES = int(os.environ.get("NZ_EQUIVALENCE_EXAMPLES", "300"))
INSTANTS = ("1405-08-01 10:00", "1405-08-25 09:30", "1405-08-26 19:59", "1404-12-20 08:00")
DAYS = ("1405-08-20", "1405-08-26", "1405-08-27", "1406-01-01")


@st.composite
def richer(draw, f):
    """`snapshots` with what they lack: charges of this period and the last (S8), withdrawal
    penalties recovering day by day (W2), convictions in and out of force (G7), competences
    that expired (S1, S2), and firms (G2, G3, S2, S4, S5 and S8 through their members) —
    members that are supervisors of the snapshot too, or only members."""
    snap = draw(snapshots(f))
    people = dict(snap.supervisors)
    ids = sorted(people)
    for eid in ids:
        s = people[eid]
        kw = {}
        if draw(st.integers(0, 2)) == 0:
            kw["charges"] = tuple(
                Charge(T(draw(st.sampled_from(INSTANTS))), year, Decimal(points))
                for year, points in draw(
                    st.lists(
                        st.tuples(
                            st.sampled_from([1405, 1404]), st.sampled_from(["12.30", "5", "-2.50"])
                        ),
                        max_size=3,
                    )
                )
            )
        if draw(st.integers(0, 3)) == 0:
            kw["penalties"] = (
                Penalty(
                    T(draw(st.sampled_from(INSTANTS))),
                    Decimal(draw(st.sampled_from(["40.00", "3", "0.50"]))),
                    Decimal(draw(st.sampled_from(["1", "0.25"]))),
                ),
            )
        if draw(st.integers(0, 4)) == 0:
            start, end = sorted(draw(st.lists(st.sampled_from(DAYS), min_size=2, max_size=2)))
            kw["convictions"] = (
                Conviction(
                    draw(st.integers(1, 4)),
                    parse_jalali_date(start),
                    draw(st.sampled_from([None, parse_jalali_date(end)])),
                ),
            )
        if draw(st.integers(0, 4)) == 0 and s.competences:
            c = s.competences[0]
            kw["competences"] = (
                replace(c, expires=parse_jalali_date(draw(st.sampled_from(DAYS)))),
                *s.competences[1:],
            )
        if kw:
            people[eid] = replace(s, **kw)
    for _ in range(draw(st.integers(0, 2))):  # firms
        eid = draw(st.sampled_from(ids))
        others = [people[e] for e in ids if e != eid and people[e].kind == "person"]
        members = (
            draw(st.lists(st.sampled_from(others), max_size=3, unique_by=lambda s: s.id))
            if others
            else []
        )
        if draw(st.booleans()):  # a member that stands for nothing (not in the snapshot)
            members.append(
                f.engineer(
                    900 + eid,
                    membership_no=f"F{eid}",
                    national_id=draw(st.sampled_from([None, "0499370899"])),
                    financial_ties=frozenset(
                        draw(st.lists(st.sampled_from(["5260181591", "0012345679"]), max_size=1))
                    ),
                    licence_expires=draw(st.sampled_from([None, parse_jalali_date("1405-01-01")])),
                )
            )
        if members:
            people[eid] = replace(people[eid], kind="firm", members=tuple(members))
    return replace(snap, supervisors=people)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data(), seed=st.integers(0, 2**16))
def test_A1_A2_A6_A10_the_columnar_run_decides_as_the_old_one(
    data, seed, factories, policy, cal, make_policy
):
    snap = data.draw(richer(factories))
    rng = random.Random(seed)
    if rng.random() < 0.3:  # other policies: one extension, a lower job limit, bar degree 1
        policy = make_policy(
            max_extensions=rng.choice([0, 1, 2]),
            max_active_jobs=rng.choice([1, 4, 8]),
            conviction_bar_degree=rng.choice([1, 3]),
        )
    old = decide_deadline_old(snap, policy, cal)
    new = decide_deadline(snap, policy, cal)
    for d in old:
        event(f"outcome={d.outcome}")
    firms = [s for s in snap.supervisors.values() if s.members]
    event(f"firms={len(firms)}")
    event(f"penalties={sum(bool(s.penalties) for s in snap.supervisors.values())}")
    assert new == old
    assert digest(new) == digest(old)
    refs = list(snap.referrals)
    rng.shuffle(refs)
    people = list(snap.supervisors.items())
    rng.shuffle(people)
    shuffled = replace(snap, referrals=tuple(refs), supervisors=dict(people))
    assert decide_deadline(shuffled, policy, cal) == old

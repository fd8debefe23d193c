"""A10: same data and policy → same decisions, recorded with a stable digest."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from app.domain.allocation import decide_deadline
from app.domain.digest import canonical_json, digest


def _run(engineer, referral, due, snapshot, area, base_scores=(100, 90, 80)):
    people = [engineer(i, base_score=b) for i, b in enumerate(base_scores, start=1)]
    dues = [
        due(referral(1, 1, "arch", area=area), [(1, "1405-08-26 09:00"), (2, "1405-08-26 09:05")]),
        due(referral(2, 1, "civil", area=area), [(1, "1405-08-26 09:00"), (2, "1405-08-26 09:05")]),
        due(referral(3, 2, "mech", area=area), round_no=3, file_no="1405-0002"),
    ]
    return snapshot(dues, people)


def test_A10_decide_twice_gives_equal_results_and_digests(
    engineer, referral, due, snapshot, policy, cal
):
    snap = _run(engineer, referral, due, snapshot, Decimal(120))
    first = decide_deadline(snap, policy, cal)
    second = decide_deadline(snap, policy, cal)
    assert first == second
    assert digest(first) == digest(second)
    assert digest(snap) == digest(snap)
    assert [d.outcome for d in first] == ["selected", "selected", "forced"]


def test_A10_digest_insensitive_to_decimal_exponent(engineer, referral, due, snapshot, policy, cal):
    a = _run(engineer, referral, due, snapshot, Decimal("120"))
    b = _run(engineer, referral, due, snapshot, Decimal("120.00"))
    assert digest(a) == digest(b)
    assert digest(decide_deadline(a, policy, cal)) == digest(decide_deadline(b, policy, cal))
    assert digest(Decimal("120")) == digest(Decimal("120.0")) == digest(Decimal("120.00"))
    assert digest(Decimal("1.2E+2")) == digest(Decimal(120))


def test_A10_digest_changes_when_an_input_changes(engineer, referral, due, snapshot, policy, cal):
    a = _run(engineer, referral, due, snapshot, Decimal(120))
    b = _run(engineer, referral, due, snapshot, Decimal(120), base_scores=(100, 90, 81))
    c = _run(engineer, referral, due, snapshot, Decimal("120.01"))
    assert len({digest(a), digest(b), digest(c)}) == 3
    assert digest(decide_deadline(a, policy, cal)) != digest(decide_deadline(c, policy, cal))


def test_A10_digest_independent_of_mapping_and_set_order(engineer, referral, due, snapshot):
    snap = _run(engineer, referral, due, snapshot, Decimal(120))
    reordered = replace(
        snap,
        supervisors=dict(reversed(list(snap.supervisors.items()))),
        pools={k: v for k, v in reversed(list(snap.pools.items()))},
    )
    assert digest(reordered) == digest(snap)
    assert canonical_json({"b": frozenset({"x", "y", "z"}), "a": 1}) == canonical_json(
        {"a": 1, "b": frozenset({"z", "y", "x"})}
    )

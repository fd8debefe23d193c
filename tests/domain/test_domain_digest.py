"""A10: same data and policy → same decisions, recorded with a stable digest."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, timedelta, timezone
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from app.domain.allocation import decide_deadline
from app.domain.digest import _reference, canonical_bytes, canonical_json, digest
from app.domain.state import Charge


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


_MONEY = st.decimals(min_value=-(10**9), max_value=10**9, places=2)
_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.text(max_size=8)
    | _MONEY
    | st.dates()
    | st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=3, minutes=30))]))
    | st.frozensets(st.text(max_size=4), max_size=3)
    | st.builds(Charge, st.datetimes(timezones=st.just(UTC)), st.integers(1400, 1410), _MONEY)
)
_VALUES = st.recursive(
    _LEAVES,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=5) | st.integers(0, 10**6), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(_VALUES)
def test_A10_canonical_form_is_the_reference_json_form(value):
    """orjson writes exactly what the standard library's reference encoder writes."""
    assert canonical_bytes(value) == _reference(value)


def test_A10_integers_beyond_64_bits_fall_back_to_the_reference_form():
    assert canonical_bytes({"n": 2**70}) == _reference({"n": 2**70}) == b'{"n":%d}' % 2**70


def test_A10_named_tuples_take_the_fast_path_as_a_list_of_their_values(monkeypatch):
    import app.domain.digest as d
    from app.domain.allocation import Ranked

    row = Ranked(7, Decimal("12.50"), Decimal(300), 2)
    monkeypatch.setattr(d, "_reference", None)  # the fallback would fail: not taken
    assert canonical_bytes([row]) == b'[[7,"12.5","300",2]]'

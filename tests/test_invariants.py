"""Hypothesis: random scenarios through the whole replay keep the rulebook's invariants —
no winner over capacity or failing a rule, never an owner (S4), A5, A10 determinism, and the
same output on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
import json
import os
from decimal import Decimal

from hypothesis import HealthCheck, given, settings

from app.domain.codes import GRADE_ORDER
from app.scenario.replay import simulate
from app.scenario.schema import parse
from scenario_gen import scenarios

CAPACITY = {"3": 9600, "2": 14400, "1": 19200, "senior": 24000}
GRADE_GROUPS = {"3": "AB", "2": "ABC", "1": "ABCD", "senior": "ABCD"}
_dbs = itertools.count()
# CI runs a modest number; NZ_PROPERTY_EXAMPLES=10000 runs the full count of issue 6, of which
# 200 (one in fifty, or NZ_PROPERTY_PG_EXAMPLES) also run on PostgreSQL.
EXAMPLES = int(os.environ.get("NZ_PROPERTY_EXAMPLES", "15"))
PG_EXAMPLES = int(os.environ.get("NZ_PROPERTY_PG_EXAMPLES", max(4, min(200, EXAMPLES // 50))))
SLOW = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _group(area: float, floors: int) -> str:
    by_floors = "A" if floors <= 2 else "B" if floors <= 5 else "C" if floors <= 10 else "D"
    by_area = "A" if area <= 600 else "B" if area <= 2000 else "C" if area <= 5000 else "D"
    return max(by_floors, by_area)


def _run(doc: dict, url: str | None = None) -> dict:
    return simulate(parse(json.dumps(doc)), url)


def check_invariants(doc: dict, out: dict) -> None:
    eng = {e["id"]: e for e in doc["engineers"]}
    proj = {p["id"]: p for p in doc["projects"]}
    for r in out["referrals"]:
        p = proj[r["project"]]
        group = _group(p["area"], p["floors"])
        owners = {o["national_code"] for o in p["owners"]}
        for rnd in r["rounds"]:
            if rnd["engineer"] is None:
                continue
            winner = eng[rnd["engineer"]]
            assert rnd["ranking"][0]["engineer"] == rnd["engineer"]
            scores = [x["score"] for x in rnd["ranking"]]
            forced = (
                rnd["outcome"] == "forced"
                or rnd["kind"] == "forced"
                or (
                    rnd["outcome"] in ("withdrawn", "no_show")
                    and scores != sorted(scores, reverse=True)
                )
            )
            assert scores == (sorted(scores) if forced else sorted(scores, reverse=True))
            assert winner.get("national_code") not in owners  # S4
            assert not owners & set(winner.get("financial_ties", []))  # S5
            assert winner["membership_paid_through"] >= 1405  # G3
            d = winner["declaration"]
            assert d["ready"] and group in d["groups"]  # C1, C2
            assert any(
                c["discipline"] == r["discipline"] and group in GRADE_GROUPS[c["grade"]]
                for c in winner["competencies"]
            )  # S1
    for p in proj.values():  # A5: one engineer, one discipline of a project, at any time
        held = [
            r["engineer"]
            for r in out["referrals"]
            if r["project"] == p["id"] and r["status"] in ("selected", "signed")
        ]
        assert len(held) == len(set(held))
    for eid, st in out["engineers"].items():
        e = eng[eid]
        grade = max((c["grade"] for c in e["competencies"]), key=GRADE_ORDER.__getitem__)
        cap = Decimal(CAPACITY[grade]) * e["declaration"]["supervision_percent"] / 100
        assert Decimal(str(st["capacity_m2"])) == cap  # S2
        earlier = sum(j["area"] for j in e.get("jobs", []))
        if earlier <= cap:
            assert st["used_m2"] <= cap  # S7: never charged over capacity
        assert st["active_jobs"] <= max(8, len(e.get("jobs", [])))


@SLOW
@given(scenarios())
def test_invariants_hold_and_replay_is_deterministic(doc):
    """S1 S2 S4 S5 S7 G3 C1 C2 A2 A5 A6 A10 on random scenarios."""
    first = _run(doc)
    check_invariants(doc, first)
    assert _run(doc) == first  # A10: same input, same output


@settings(max_examples=PG_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(doc=scenarios(max_engineers=5, max_projects=2, max_events=10))
def test_sqlite_and_postgresql_give_the_same_result(doc, pg_server):
    """A10 across dialects: the same scenario decides the same way on both databases."""
    url = pg_server.create_database(f"h_{os.getpid()}_{next(_dbs)}")
    assert _run(doc, url) == _run(doc)

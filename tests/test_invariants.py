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
# 200 (one in fifty, or NZ_PROPERTY_PG_EXAMPLES) also run on PostgreSQL, drawn the same way.
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


def _facts_at(doc: dict, out: dict, eid: str, before: str) -> dict:
    """The engineer's fields as the deadline at `before` saw them: the scenario's, changed by
    the accepted `update_engineer` and `pay_membership` events before it (an event at the
    deadline's own minute comes after it)."""
    e = dict(next(x for x in doc["engineers"] if x["id"] == eid))
    order = sorted(range(len(doc["events"])), key=lambda i: doc["events"][i]["at"])  # stable
    for i in order:
        ev = doc["events"][i]
        if ev["at"] >= before:
            break
        if not out["events"][i]["ok"] or ev.get("engineer") != eid:
            continue
        if ev["type"] == "update_engineer":
            e.update(ev["set"])
        elif ev["type"] == "pay_membership":
            e["membership_paid_through"] = max(e.get("membership_paid_through", 1405), ev["year"])
    return e


def general_failures(e: dict, day: str) -> set[str]:
    """G1–G7, S6 and C1 for scenario fields on a Jalali `day`, read from the rulebook (not from
    app/domain): a winner must pass them all."""
    failed = set()
    if not e.get("resident_in_province", True):
        failed.add("G1")
    if "license_expires" in e and e["license_expires"] < day:
        failed.add("G2")
    if e.get("membership_paid_through", 1405) < int(day[:4]):
        failed.add("G3")
    for field, rule in (
        ("legal_incapacity", "G4"),
        ("active_execution_project", "G5"),
        ("design_build_qualified", "G6"),
        ("employed_by_permit_authority", "S6"),
    ):
        if e.get(field, False):
            failed.add(rule)
    for c in e.get("convictions", []):
        if c["degree"] >= 3 and c["from"] <= day and day <= c.get("until", "9999-99-99"):
            failed.add("G7")
    d = e.get("declaration")
    if not (d and d["year"] == int(day[:4]) and d["ready"] and d["rules_accepted"]):
        failed.add("C1")
    return failed


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
            winner = _facts_at(doc, out, rnd["engineer"], rnd["deadline"])
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
            assert general_failures(winner, rnd["deadline"][:10]) == set()  # G1–G7, S6, C1
            assert group in winner["declaration"]["groups"]  # C2
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
    _check_refusals_complete(doc, out)
    _check_message_order(doc, out)
    for eid, st in out["engineers"].items():
        e = eng[eid]
        grade = max((c["grade"] for c in e["competencies"]), key=GRADE_ORDER.__getitem__)
        percent = e["declaration"]["supervision_percent"] if "declaration" in e else 0
        cap = Decimal(CAPACITY[grade]) * percent / 100
        assert Decimal(str(st["capacity_m2"])) == cap  # S2
        earlier = sum(j["area"] for j in e.get("jobs", []))
        if earlier <= cap:
            assert st["used_m2"] <= cap  # S7: never charged over capacity
        assert st["active_jobs"] <= max(8, len(e.get("jobs", [])))


DISCIPLINE_ORDER = {d: i for i, d in enumerate(("arch", "civil", "mech", "elec", "survey"))}


def _check_refusals_complete(doc: dict, out: dict) -> None:
    """A refused event names every rule that refuses it (scenario.md), read from the result:
    a stand by an engineer with no declaration names C1, C2 and S7 (no declared share, no
    capacity); a stand after one's withdrawal or no-show names W4; a stand or a cancel while
    the referral's round has ended (the referral decided at or before it) names C3."""
    first: dict[tuple[str, str], str] = {}  # the referral's first decision
    last: dict[tuple[str, str], str] = {}  # its last ended round
    status = {(r["project"], r["discipline"]): r["status"] for r in out["referrals"]}
    for r in out["referrals"]:
        key = (r["project"], r["discipline"])
        for rnd in r["rounds"]:
            last[key] = max(last.get(key, ""), rnd["deadline"])
            if rnd["outcome"] in ("selected", "withdrawn", "no_show", "forced"):
                first[key] = min(first.get(key, "9999"), rnd["deadline"])
    lost = {  # (engineer, project, discipline) → when the selection was lost
        (n["engineer"], n["project"], n["discipline"]): n["at"]
        for n in out["notifications"]
        if n["kind"] in ("withdrawn", "no_show")
    }
    eng = {e["id"]: e for e in doc["engineers"]}
    for i, ev in enumerate(doc["events"]):
        got = out["events"][i]
        if ev["type"] not in ("nominate", "cancel") or got["ok"]:
            continue
        rules = set(got["rules"])
        key = (ev["engineer"], ev["project"], ev["discipline"])
        if ev["type"] == "nominate":
            if "declaration" not in eng[ev["engineer"]]:
                assert {"C1", "C2", "S7"} <= rules, (i, rules)
            if key in lost and lost[key] <= ev["at"]:
                assert "W4" in rules, (i, rules)
        ref = key[1:]
        if (  # decided at or before the event, and no round of it ended after the event
            first.get(ref, "9999") <= ev["at"]
            and last.get(ref, "") <= ev["at"]
            and status[ref] != "open"
        ):
            assert "C3" in rules, (i, rules)


def _check_message_order(doc: dict, out: dict) -> None:
    """Messages of one moment in A3's order: entered distribution, file number, discipline."""
    proj = {p["id"]: p for p in doc["projects"]}
    file_no = {pid: p.get("file_no") for pid, p in proj.items()}

    def key(n):
        p = proj[n["project"]]
        return (p["ready_at"], file_no[n["project"]] or "", DISCIPLINE_ORDER[n["discipline"]])

    notes = out["notifications"]
    for at in {n["at"] for n in notes}:
        same = [n for n in notes if n["at"] == at and n["kind"] in ("selected", "no_show")]
        assert same == sorted(same, key=key), at


@SLOW
@given(scenarios())
def test_invariants_hold_and_replay_is_deterministic(doc):
    """G1–G7 S1 S2 S4–S7 C1 C2 A2 A5 A6 A10 on random scenarios."""
    first = _run(doc)
    check_invariants(doc, first)
    assert _run(doc) == first  # A10: same input, same output


@settings(max_examples=PG_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(doc=scenarios())
def test_sqlite_and_postgresql_give_the_same_result(doc, pg_server):
    """A10 across dialects: the same scenario decides the same way on both databases."""
    url = pg_server.create_database(f"h_{os.getpid()}_{next(_dbs)}")
    assert _run(doc, url) == _run(doc)

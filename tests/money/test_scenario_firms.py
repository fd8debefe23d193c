"""`main.py simulate` with the optional `firms` list (docs/scenario-firms.md): G2/G3/F6 for a
firm, its score and capacity from its members, C2 for a member and their firm."""

from __future__ import annotations

import json

import pytest

from app.scenario.replay import simulate
from app.scenario.schema import ScenarioError, parse

DECL = {
    "year": 1405,
    "ready": True,
    "rules_accepted": True,
    "groups": ["A", "B", "C", "D"],
    "supervision_percent": 50,
}


def _eng(i, score, **kw):
    return {
        "id": i,
        "competencies": [{"discipline": "civil", "grade": "1"}],
        "base_score": score,
        "declaration": DECL,
        **kw,
    }


def _scenario(**over):
    sc = {
        "format": "referral-scenario/1",
        "start": "1405-08-24 08:00",
        "until": "1405-08-24 21:00",
        "engineers": [_eng("M1", 100), _eng("M2", 60), _eng("X", 79)],
        "firms": [
            {
                "id": "F",
                "members": ["M1", "M2"],
                "declaration": DECL,
                "license_expires": "1410-01-01",
            }
        ],
        "projects": [
            {
                "id": "P1",
                "area": 300,
                "floors": 2,
                "disciplines": ["civil"],
                "ready_at": "1405-08-24 09:00",
            }
        ],
        "events": [
            {
                "at": "1405-08-24 10:00",
                "type": "nominate",
                "engineer": "M1",
                "project": "P1",
                "discipline": "civil",
            },
            {
                "at": "1405-08-24 10:05",
                "type": "nominate",
                "engineer": "F",
                "project": "P1",
                "discipline": "civil",
            },
            {
                "at": "1405-08-24 10:10",
                "type": "cancel",
                "engineer": "M1",
                "project": "P1",
                "discipline": "civil",
            },
            {
                "at": "1405-08-24 10:15",
                "type": "nominate",
                "engineer": "F",
                "project": "P1",
                "discipline": "civil",
            },
            {
                "at": "1405-08-24 10:20",
                "type": "nominate",
                "engineer": "X",
                "project": "P1",
                "discipline": "civil",
            },
        ],
    }
    sc.update(over)
    return parse(json.dumps(sc))


def test_G3_C2_firm_in_a_scenario_stands_with_its_members_mean_score_and_wins():
    out = simulate(_scenario())
    assert [e["ok"] for e in out["events"]] == [True, False, True, True, True]
    assert out["events"][1]["rules"] == ["C2"]
    assert out["engineers"]["F"]["capacity_m2"] == 19200  # 2 × 9600 (sum of members)
    ref = out["referrals"][0]
    assert ref["engineer"] == "F"  # mean 80 beats X's 79
    assert [r["score"] for r in ref["rounds"][0]["ranking"]] == [80, 79]


def test_F6_G3_a_member_behind_with_membership_blocks_the_firm_in_a_scenario():
    sc = _scenario(
        engineers=[_eng("M1", 100), _eng("M2", 60, membership_paid_through=1404), _eng("X", 79)]
    )
    out = simulate(sc)
    assert out["events"][3]["ok"] is False and "G3" in out["events"][3]["rules"]
    assert out["referrals"][0]["engineer"] == "X"


def test_F6_pay_membership_of_a_firm_waits_for_its_members():
    events = [
        {"at": "1405-08-24 10:00", "type": "pay_membership", "engineer": "F", "year": 1406},
        {"at": "1405-08-24 10:05", "type": "pay_membership", "engineer": "M2", "year": 1405},
        {"at": "1405-08-24 10:10", "type": "pay_membership", "engineer": "F", "year": 1406},
        {
            "at": "1405-08-24 10:15",
            "type": "update_engineer",
            "engineer": "F",
            "set": {"base_score": 5},
        },
    ]
    sc = _scenario(
        engineers=[_eng("M1", 100), _eng("M2", 60, membership_paid_through=1404), _eng("X", 79)],
        events=events,
    )
    out = simulate(sc)
    assert [(e["ok"], e.get("rules")) for e in out["events"]] == [
        (False, ["F6"]),
        (True, None),
        (True, None),
        (True, None),
    ]


@pytest.mark.parametrize(
    "firms, why",
    [
        ([{"id": "M1", "members": ["M2"]}], "firms\\[0\\].id: شناسه مهندس یا شرکت تکراری"),
        ([{"id": "F", "members": ["nobody"]}], "members\\[0\\]: شناسه مهندس ناشناخته"),
        ([{"id": "F", "members": []}], "firms\\[0\\].members: "),
        ([{"id": "F", "members": ["M1"], "colour": 1}], "کلید ناشناخته 'colour'"),
    ],
)
def test_firms_list_is_parsed_strictly(firms, why):
    with pytest.raises(ScenarioError, match=why):
        _scenario(firms=firms)


# ---------------------------------------------------------------- every rule that refuses


def _events(scenario: str) -> list[dict]:
    return simulate(parse(scenario))["events"]


def test_F5_F6_a_firms_payment_names_both_the_year_paid_and_the_member_who_owes():
    """A firm pays a year already paid while a member still owes it: F5 and F6 both refuse
    (before: F6 alone); once the member pays, F5 alone."""
    events = _events(
        json.dumps(
            {
                "format": "referral-scenario/1",
                "start": "1405-08-26 08:00",
                "until": "1405-08-26 12:00",
                "engineers": [
                    _eng("M1", 100),
                    _eng("M2", 60, membership_paid_through=1404),
                ],
                "firms": [{"id": "F", "members": ["M1", "M2"]}],
                "projects": [],
                "events": [
                    {"at": f"1405-08-26 10:{m:02d}", "type": "pay_membership",
                     "engineer": who, "year": 1405}
                    for m, who in ((0, "F"), (5, "M2"), (10, "F"))
                ],
            }
        )
    )  # fmt: skip
    assert [(e["ok"], e.get("rules")) for e in events] == [
        (False, ["F5", "F6"]),
        (True, None),
        (False, ["F5"]),
    ]
    assert "(F5)" in events[0]["message"] and "(F6)" in events[0]["message"]


def test_S1_a_firm_takes_no_competence_a_member_holds_expired():
    """A firm's default competences are its members' valid ones at the start, with their
    expiry: a member's civil competence expired before — the firm fails S1 as he does."""
    m1 = _eng("M1", 100)
    m1["competencies"] = [{"discipline": "civil", "grade": "1", "expires": "1405-08-01"}]
    m2 = _eng("M2", 100)
    m2["competencies"] = [{"discipline": "arch", "grade": "1"}]
    events = _events(
        json.dumps(
            {
                "format": "referral-scenario/1",
                "start": "1405-08-26 08:00",
                "until": "1405-08-26 12:00",
                "engineers": [m1, m2],
                "firms": [{"id": "F", "members": ["M1", "M2"], "declaration": DECL}],
                "projects": [{"id": "P1", "area": 300, "floors": 2, "disciplines": ["civil"],
                              "ready_at": "1405-08-26 09:00"}],
                "events": [
                    {"at": "1405-08-26 10:00", "type": "nominate", "engineer": who,
                     "project": "P1", "discipline": "civil"}
                    for who in ("F", "M1")
                ],
            }
        )
    )  # fmt: skip
    assert "S1" in events[0]["rules"] and events[0]["rules"] == events[1]["rules"]


def test_C2_a_stand_for_a_discipline_the_project_lacks_names_what_keeps_him_out_anywhere():
    e1 = _eng("E1", 100, membership_paid_through=1404)
    del e1["declaration"]
    events = _events(
        json.dumps(
            {
                "format": "referral-scenario/1",
                "start": "1405-08-26 08:00",
                "until": "1405-08-26 12:00",
                "engineers": [e1],
                "projects": [{"id": "P1", "area": 300, "floors": 2, "disciplines": ["civil"],
                              "ready_at": "1405-08-26 09:00"}],
                "events": [
                    {"at": "1405-08-26 10:00", "type": "nominate", "engineer": "E1",
                     "project": "P1", "discipline": d}
                    for d in ("arch", "civil")
                ],
            }
        )
    )  # fmt: skip
    assert events[0]["rules"] == ["C1", "C2", "G3", "S7"]  # (no arch referral; no declaration)
    assert set(events[1]["rules"]) >= {"C1", "C2", "G3"}

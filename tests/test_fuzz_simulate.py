"""`main.py simulate` on hostile files: exit 0 or 2 with one line on stderr, never a traceback.

Valid scenarios from `scenario_gen` are broken on purpose — a value replaced by a huge
integer, 1e300, Infinity/NaN, a deep nest, a control character, a long string, a wrong
type, a second competence in one discipline — and raw bytes that are not UTF-8 or not JSON.
Issue 15: well-formed values the office cannot hold — dates before 1358 or after 1500 (the
calendar's range), holiday lists with such or impossible days, policy numbers that are huge,
negative, NaN or of the wrong form, a weekend of seven days, malformed owner national codes
and mobiles. `--db` on a database that is not empty is refused before anything is written
to it. Issue 16: a lone surrogate (`"\\ud800"` escaped in the JSON) anywhere, a value of the
wrong type — falsy ones (0, false, {}, [], "") above all, which once meant "none" — and an
owner listed twice: exit 2 naming the field, before anything reaches the database."""

from __future__ import annotations

import argparse
import contextlib
import copy
import io
import json
import os
import re
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.cli.commands import cmd_simulate
from scenario_gen import scenarios

EXAMPLES = int(os.environ.get("NZ_FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

HOSTILE = [
    10**30,
    -(10**30),
    2**63,
    1e300,
    -1e300,
    1e-300,
    0.001,
    "\x00",
    "ی" * 5000,
    "1405-13-01",
    "١٤٠٥-٠٨-٢٣ ٠٩:٠٠",
    [],
    {},
    [[[[[]]]]],
    None,
    True,
    "",
    " ",
    "‏۹۹۹۹/۰۱۲",
    0,
    False,
    "123\ud800/45",  # half of a UTF-16 pair: no character
    "\udfff",
]
# Where null means "none" (scenario.md's optional fields): any other path refuses it.
NULLABLE = {"national_code", "license_expires", "until", "mobile", "ready_at"}
_SURROGATE = re.compile("[\ud800-\udfff]")

PERSIAN = re.compile("[\u0600-\u06ff]")


def run(tmp_path: Path, data: bytes, db: str | None = None) -> tuple[int, str]:
    f = tmp_path / "s.json"
    f.write_bytes(data)
    err = io.StringIO()
    out = io.StringIO()
    args = argparse.Namespace(scenario=str(f), db=db, out=None)
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        code = cmd_simulate(args)  # any exception here is the traceback the user would see
    return code, err.getvalue()


def _paths(doc, prefix=()):
    """Every (path) to a value inside the document."""
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield (*prefix, k)
            yield from _paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield (*prefix, i)
            yield from _paths(v, (*prefix, i))


def _set(doc, path, value):
    for k in path[:-1]:
        doc = doc[k]
    doc[path[-1]] = value


def _json(doc) -> bytes:
    text = json.dumps(doc, ensure_ascii=False, allow_nan=True)
    # a lone surrogate cannot be UTF-8: written as JSON writes it, escaped
    return _SURROGATE.sub(lambda m: f"\\u{ord(m[0]):04x}", text).encode()


def _kind(v) -> str:
    """A value's JSON type (int and float are one: a number)."""
    if v is None or isinstance(v, bool | str | list | dict):
        return type(v).__name__
    return "number"


def _field(path: tuple) -> str:
    """A path as the refusals name it: `projects[0].owners[1].mobile`."""
    return "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in path).lstrip(".")


def _names(err: str, path: tuple) -> bool:
    """The one-line refusal names the field at `path`, one inside it or the one holding it."""
    named = err.removeprefix("simulate: سناریو نامعتبر است: ").partition(": ")[0]
    field = _field(path)
    return any(
        a == b or a.startswith((b + ".", b + "[")) for a, b in [(field, named), (named, field)]
    )


def _must_refuse(before, after, path=()) -> bool:
    """`after` holds a lone surrogate or, where `before` held a value, one of another type
    (null only where it means "none"): no valid scenario."""
    if isinstance(after, str):
        return bool(_SURROGATE.search(after))
    if _kind(before) != _kind(after):
        return not (after is None and len(path) > 1 and path[-1] in NULLABLE)
    if isinstance(after, dict):
        return any(_must_refuse(before[k], after[k], (*path, k)) for k in after if k in before)
    if isinstance(after, list):
        pairs = zip(before, after, strict=False)
        return any(_must_refuse(b, a, (*path, i)) for i, (b, a) in enumerate(pairs))
    return False


@FUZZ
@given(doc=scenarios(max_events=6), data=st.data())
def test_simulate_on_broken_values_exits_0_or_2(tmp_path_factory, doc, data):
    original = copy.deepcopy(doc)
    paths = list(_paths(doc))
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(paths))
        value = data.draw(st.sampled_from(HOSTILE) | st.floats(allow_nan=True, allow_infinity=True))
        with contextlib.suppress(TypeError, KeyError, IndexError):
            _set(doc, path, value)
        paths = list(_paths(doc))
    code, err = run(tmp_path_factory.mktemp("f"), _json(doc))
    assert code in (0, 2)
    if code == 2:
        assert err.count("\n") == 1 and err.startswith("simulate: "), err
        assert PERSIAN.search(err), err  # said in Persian, the field named as in the file
    if _must_refuse(original, doc):  # a wrong type is never taken for "none" (issue 16)
        assert code == 2, "a wrong type or a lone surrogate was accepted"


# one value of each JSON type: each one is the wrong type wherever another type goes
WRONG = {
    "number": [0, 1, 2.5],
    "bool": [False, True],
    "str": ["", "x"],
    "list": [[]],
    "dict": [{}],
    "NoneType": [None],
}


@FUZZ
@given(doc=scenarios(max_events=6), data=st.data())
def test_simulate_on_one_wrong_type_or_lone_surrogate_exits_2_naming_it(
    tmp_path_factory, doc, data
):
    """Issue 16: one value replaced by one of another JSON type (null where it does not mean
    "none"), or a text given a lone surrogate: exit 2, and the line names that field."""
    path = data.draw(st.sampled_from(list(_paths(doc))))
    value = _get(doc, path)
    if isinstance(value, str) and data.draw(st.booleans()):
        at = data.draw(st.integers(0, len(value)))
        new = value[:at] + data.draw(st.sampled_from(["\ud800", "\udbff", "\udc00"])) + value[at:]
    else:
        kinds = [k for k in WRONG if k != _kind(value)]
        if path[-1] in NULLABLE and len(path) > 1:
            kinds.remove("NoneType")
        new = data.draw(st.sampled_from([v for k in kinds for v in WRONG[k]]))
    _set(doc, path, new)
    code, err = run(tmp_path_factory.mktemp("f"), _json(doc))
    assert code == 2, f"{_field(path)} = {new!r} was accepted"
    assert err.count("\n") == 1 and _names(err, path), (path, new, err)
    assert PERSIAN.search(err), err


# ---------------------------------------------------------------- issue 15: values in form

YEARS = st.integers(0, 1357) | st.integers(1501, 9999) | st.sampled_from([1357, 1358, 1500, 1501])
DAYS = st.builds(
    lambda y, m, d: f"{y:04d}-{m:02d}-{d:02d}",
    YEARS | st.integers(1358, 1500),
    st.integers(1, 12),
    st.integers(1, 31),
)
TIMES = st.builds(lambda d, h, m: f"{d} {h:02d}:{m:02d}", DAYS, st.integers(0, 23), st.just(0))
_DAY_OR_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}( \d{2}:\d{2})?$")

NUMBERS = (
    st.sampled_from([1e300, -1e300, -1, -0.01, 10**17, 10**12, 10**12 - 1, 1e-300, 0, 0.5])
    | st.sampled_from(["NaN", "sNaN", "Infinity", "-Infinity", "1e300", "-5", "abc", None, [], {}])
    | st.floats(allow_nan=True, allow_infinity=True)
)
# each policy key with one number (or one form) of its value replaced
POLICY = {
    **dict.fromkeys(
        [
            "max_extensions",
            "max_cancellations_per_day",
            "conviction_bar_degree",
            "max_active_jobs",
            "project_score_per_m2",
            "withdrawal_recovery_per_day",
            "organization_share",
            "minimum_billable_area_m2",
        ],
        lambda v: v,
    ),
    "capacity_total_m2": lambda v: {"3": 9600, "1": v},
    "discipline_area_factor": lambda v: {"civil": v},
    "survey_required_when": lambda v: {"floors_over": 5, "area_over": v},
    "group_by_area": lambda v: [[600, "A"], [v, "B"]],
    "group_by_floors": lambda v: [[v, "A"], [10, "C"]],
    "payout_stages": lambda v: [["permit", v], ["completion", 100]],
}
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
NATIONAL_CODES = st.sampled_from(
    ["xyz", "123", "12345678901", "۰۰۱۲۳۴۵۶۷۹", "0012345679\u200f", "00123 45679", "1234567891"]
) | st.text(max_size=12)
MOBILES = st.sampled_from(
    ["0916abc4567", "۰۹۱۶۱۲۳۴۵۶۷", "+989161234567", "0916-123-4567", "0216123456", "091612345678"]
) | st.text(max_size=14)


def _break(doc: dict, data: st.DataObject) -> None:
    """One well-formed but unacceptable value of issue 15's classes."""
    kind = data.draw(st.sampled_from(["date", "holidays", "policy", "weekend", "owner"]))
    if kind == "date":
        dated = [p for p in _paths(doc) if _DAY_OR_TIME.match(str(_get(doc, p)))]
        path = data.draw(st.sampled_from(dated))
        _set(doc, path, data.draw(TIMES if " " in _get(doc, path) else DAYS))
    elif kind == "holidays":
        doc["holidays"] = data.draw(st.lists(DAYS | NUMBERS, max_size=4))
    elif kind == "policy":
        key = data.draw(st.sampled_from(sorted(POLICY)))
        doc["policy"] = {key: POLICY[key](data.draw(NUMBERS))}
    elif kind == "weekend":
        doc["policy"] = {"weekend": data.draw(st.lists(st.sampled_from(WEEKDAYS), unique=True))}
    else:
        owner = data.draw(st.sampled_from(doc["projects"]))["owners"][0]
        field = data.draw(st.sampled_from(["national_code", "mobile"]))
        owner[field] = data.draw(NATIONAL_CODES if field == "national_code" else MOBILES)


def _get(doc, path):
    for k in path:
        doc = doc[k]
    return doc


@FUZZ
@given(doc=scenarios(max_events=4), data=st.data())
def test_simulate_on_values_out_of_the_office_range_exits_0_or_2(tmp_path_factory, doc, data):
    for _ in range(data.draw(st.integers(1, 2))):
        _break(doc, data)
    code, err = run(tmp_path_factory.mktemp("f"), _json(doc))
    assert code in (0, 2)
    if code == 2:
        assert err.count("\n") == 1 and err.startswith("simulate: "), err


def _scenario() -> dict:
    """A small valid scenario with a project, its owner and an event."""
    doc = _doc()
    doc["engineers"][0]["competencies"].pop()
    doc["projects"] = [
        {
            "id": "P1",
            "owners": [{"national_code": "1234567891", "mobile": "09161234567"}],
            "area": 450,
            "floors": 3,
            "disciplines": ["civil"],
            "ready_at": "1405-08-23 09:30",
        }
    ]
    doc["events"] = [
        {
            "at": "1405-08-23 10:00",
            "type": "nominate",
            "engineer": "E1",
            "project": "P1",
            "discipline": "civil",
        }
    ]
    return doc


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        # 1. a valid Jalali day before the office's calendar (1358-01-01) or after it (1500)
        (("start",), "1300-01-01 08:00", "start"),
        (("projects", 0, "ready_at"), "1357-12-29 08:00", "projects[0].ready_at"),
        (("until",), "1501-01-01 08:00", "until"),
        (("engineers", 0, "license_expires"), "1300-01-01", "engineers[0].license_expires"),
        # 2. a holiday outside it
        (("holidays",), ["1300-01-01"], "holidays[0]"),
        (("holidays",), ["1405-09-01", "1600-01-01"], "holidays[1]"),
        # 3. policy numbers that are huge, negative, NaN; a weekend with no working day
        (
            ("policy",),
            {"discipline_area_factor": {"civil": 1e300}},
            "policy.discipline_area_factor",
        ),
        (("policy",), {"discipline_area_factor": {"civil": -1}}, "policy.discipline_area_factor"),
        (
            ("policy",),
            {"discipline_area_factor": {"civil": "NaN"}},
            "policy.discipline_area_factor",
        ),
        (("policy",), {"group_by_area": [["NaN", "A"]]}, "policy.group_by_area"),
        (("policy",), {"capacity_total_m2": {"1": 10**15}}, "policy.capacity_total_m2"),
        (("policy",), {"organization_share": 1e300}, "policy.organization_share"),
        # found by an attacker's read: tables the run would obey without a word
        (("policy",), {"organization_share": 2}, "policy.organization_share"),
        (("policy",), {"signing_window": ["12:00", "08:00"]}, "policy.signing_window"),
        (("policy",), {"signing_window": ["08:00", "08:00"]}, "policy.signing_window"),
        (("policy",), {"grade_groups": {"1": ["Z"]}}, "policy.grade_groups"),
        (("policy",), {"grade_groups": {"1": []}}, "policy.grade_groups"),
        (
            ("policy",),
            {"penalty_exempt_disciplines": ["magic"]},
            "policy.penalty_exempt_disciplines",
        ),
        (("policy",), {"project_score_per_m2": -0.1}, "policy.project_score_per_m2"),
        (("policy",), {"max_extensions": -1}, "policy.max_extensions"),
        (("policy",), {"weekend": WEEKDAYS}, "policy.weekend"),
        # 4. an owner's national code and mobile as the counter checks them
        (("projects", 0, "owners", 0, "national_code"), "xyz", "owners[0].national_code"),
        (("projects", 0, "owners", 0, "mobile"), "0916abc4567", "owners[0].mobile"),
    ],
)
def test_values_the_office_cannot_hold_exit_2_naming_the_field(tmp_path, path, value, field):
    doc = _scenario()
    _set(doc, path, value)
    code, err = run(tmp_path, json.dumps(doc).encode())
    assert code == 2 and err.count("\n") == 1 and field in err, err


_CONVICTION = {"degree": 3, "from": "1405-01-10", "until": "1405-07-10"}


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        # issue 16: a lone surrogate is no text (once a UnicodeEncodeError, exit 1)
        (("projects", 0, "plate"), "123\ud800/45", "projects[0].plate"),
        (("projects", 0, "file_no"), "1405-\udc00", "projects[0].file_no"),
        (("engineers", 0, "national_code"), "001234567\ud800", "engineers[0].national_code"),
        (("projects", 0, "owners", 0, "national_code"), "\ud800", "owners[0].national_code"),
        (("engineers", 0, "id"), "E\udfff", "engineers[0].id"),
        # falsy values of the wrong type once meant "none": a conviction for ever, a project
        # waiting for ever, an owner without a mobile
        (("engineers", 0, "convictions"), [{**_CONVICTION, "until": {}}], "convictions[0].until"),
        (("engineers", 0, "convictions"), [{**_CONVICTION, "until": False}], "[0].until"),
        (("engineers", 0, "convictions"), [{**_CONVICTION, "until": ""}], "[0].until"),
        (("projects", 0, "ready_at"), 0, "projects[0].ready_at"),
        (("projects", 0, "ready_at"), [], "projects[0].ready_at"),
        (("projects", 0, "ready_at"), {}, "projects[0].ready_at"),
        (("projects", 0, "owners", 0, "mobile"), {}, "owners[0].mobile"),
        (("projects", 0, "owners", 0, "mobile"), 0, "owners[0].mobile"),
        (("projects", 0, "owners", 0, "mobile"), "", "owners[0].mobile"),
        (("engineers", 0, "competencies", 0, "grade"), 1, "competencies[0].grade"),
        (("events", 0, "at"), None, "events[0].at"),
        # one owner twice (the same code in Persian digits): named before the database
        (
            ("projects", 0, "owners"),
            [{"national_code": "1234567891"}, {"national_code": "۱۲۳۴۵۶۷۸۹۱"}],
            "projects[0].owners[1]",
        ),
    ],
)
def test_wrong_types_surrogates_and_a_second_owner_exit_2_naming_the_field(
    tmp_path, path, value, field
):
    doc = _scenario()
    _set(doc, path, value)
    code, err = run(tmp_path, _json(doc))
    assert code == 2 and err.count("\n") == 1 and field in err, err
    assert "database" not in err and "unexpected type" not in err, err


def test_null_means_none_where_the_format_has_a_none(tmp_path):
    """A conviction without end, a project not yet ready, an owner without a mobile, an
    engineer without national code or licence expiry: as if the key were absent."""
    doc = _scenario()
    doc["engineers"][0].update(
        national_code=None, license_expires=None, convictions=[{**_CONVICTION, "until": None}]
    )
    doc["projects"][0]["owners"][0]["mobile"] = None
    doc["projects"][0]["ready_at"] = None
    assert run(tmp_path, _json(doc)) == (0, "")


@pytest.mark.parametrize(
    ("event", "field"),
    [
        ({"type": "withdraw", "letter_no": {}}, "events[1].letter_no"),
        ({"type": "withdraw", "letter_no": "9" * 65}, "events[1].letter_no"),
        ({"type": "withdraw", "letter_no": "12\x0034"}, "events[1].letter_no"),
        ({"type": "complete", "certificate_no": 5}, "events[1].certificate_no"),
    ],
)
def test_an_events_letter_or_certificate_number_is_text(tmp_path, event, field):
    doc = _scenario()
    event = {"at": "1405-08-23 11:00", "project": "P1", **event}
    if event["type"] == "withdraw":
        event["discipline"] = "civil"
    doc["events"].append(event)
    code, err = run(tmp_path, _json(doc))
    assert code == 2 and err.count("\n") == 1 and field in err, err


def test_a_national_code_already_anothers_is_named_not_left_to_the_database(tmp_path):
    """Two engineers with one national code, from the start or by update_engineer (the
    database's unique index once refused it with its own words)."""
    doc = _scenario()
    doc["engineers"].append({**doc["engineers"][0], "id": "E2"})
    doc["engineers"][0]["national_code"] = "0012345679"
    doc["engineers"][1]["national_code"] = "۰۰۱۲۳۴۵۶۷۹"
    code, err = run(tmp_path, _json(doc))
    assert code == 2 and "engineers[1].national_code" in err, err
    del doc["engineers"][1]["national_code"]
    update = {"at": "1405-08-23 12:00", "type": "update_engineer", "engineer": "E2"}
    doc["events"] += [{**update, "set": {"national_code": "0012345679"}}]
    code, err = run(tmp_path, _json(doc))
    assert code == 2 and "events[1].set.national_code" in err, err
    # E1 gives the code up first (an earlier time, though later in the file): E2 may take it
    doc["events"].append(
        {**update, "engineer": "E1", "at": "1405-08-23 11:00", "set": {"national_code": None}}
    )
    assert run(tmp_path, _json(doc)) == (0, "")


def test_the_calendar_edges_and_owner_codes_in_persian_digits_are_accepted(tmp_path):
    doc = _scenario()
    doc["start"], doc["until"] = "1358-01-01 00:00", "1358-01-05 23:00"
    doc["projects"][0]["ready_at"], doc["events"][0]["at"] = "1358-01-01 00:00", "1358-01-01 09:00"
    doc["projects"][0]["owners"] = [{"national_code": "۱۲۳۴۵۶۷۸۹۱", "mobile": "۰۹۱۶۱۲۳۴۵۶۷"}]
    assert run(tmp_path, json.dumps(doc).encode()) == (0, "")
    doc = _scenario()
    doc["start"], doc["until"] = "1500-12-28 08:00", "1500-12-29 23:59"
    doc["projects"][0]["ready_at"], doc["events"][0]["at"] = "1500-12-29 21:00", "1500-12-29 21:30"
    assert run(tmp_path, json.dumps(doc).encode()) == (0, "")


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xfe{",
        b'{"format": "referral-scenario/1", "start": "\xc3\x28"}',
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a":' * 5000 + b"1" + b"}" * 5000,
        b"1" * 10_000,
        b'{"format": "referral-scenario/1", "start": Infinity}',
        b'{"format": NaN}',
        b"",
        b"null",
        b"[]",
        b'"text"',
    ],
    ids=lambda d: repr(d[:24]),
)
def test_simulate_on_bytes_that_are_not_a_scenario_exits_2(tmp_path, data):
    code, err = run(tmp_path, data)
    assert code == 2 and err.count("\n") == 1, err


def _doc() -> dict:
    return {
        "format": "referral-scenario/1",
        "start": "1405-08-23 08:00",
        "until": "1405-08-24 23:00",
        "engineers": [
            {
                "id": "E1",
                "competencies": [
                    {"discipline": "civil", "grade": "1"},
                    {"discipline": "civil", "grade": "2"},
                ],
                "base_score": 10,
            }
        ],
    }


def test_two_competencies_in_one_discipline_exit_2_naming_the_field(tmp_path):
    code, err = run(tmp_path, json.dumps(_doc()).encode())
    assert code == 2 and "engineers[0].competencies[1]" in err


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("engineers", 0, "base_score"), 10**30),
        (("engineers", 0, "base_score"), 1e300),
        (("engineers", 0, "membership_paid_through"), 10**20),
        (("until",), "99999-01-01 00:00"),
    ],
)
def test_huge_values_exit_2(tmp_path, path, value):
    doc = _doc()
    doc["engineers"][0]["competencies"].pop()
    _set(doc, path, value)
    code, err = run(tmp_path, json.dumps(doc).encode())
    assert code == 2 and err.count("\n") == 1, err


def test_db_not_empty_is_refused_before_anything_is_written(tmp_path):
    """The skipped migration must still run later: nothing stamped, nothing made."""
    db = tmp_path / "old.sqlite"
    with sqlite3.connect(db) as c:
        c.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        c.execute("INSERT INTO alembic_version VALUES ('0002')")
    doc = _doc()
    doc["engineers"][0]["competencies"].pop()
    code, err = run(tmp_path, json.dumps(doc).encode(), db=f"sqlite:///{db}")
    assert code == 2 and "خالی نیست" in err
    with sqlite3.connect(db) as c:
        assert c.execute("SELECT version_num FROM alembic_version").fetchall() == [("0002",)]
        assert [r[0] for r in c.execute("SELECT name FROM sqlite_master")] == ["alembic_version"]


def test_db_new_file_is_made_and_bad_url_refused(tmp_path):
    doc = _doc()
    doc["engineers"][0]["competencies"].pop()
    code, _ = run(tmp_path, json.dumps(doc).encode(), db=f"sqlite:///{tmp_path / 'new.sqlite'}")
    assert code == 0
    code, err = run(tmp_path, json.dumps(doc).encode(), db="nonsense://x")
    assert code == 2 and err.count("\n") == 1


def test_a_refused_engineer_is_named_by_its_place_in_the_file_and_its_id_cut_short():
    """A service's refusal of a scenario's engineer names `engineers[i].<key>` (the file's
    own key) and the id, never a hostile id of thousands of characters whole."""
    import json as _json

    from app.scenario.replay import simulate
    from app.scenario.schema import ScenarioError, parse_bytes

    eng = {
        "competencies": [{"discipline": "civil", "grade": "1"}],
        "base_score": 100,
    }
    long_id = "E" * 5000
    doc = {
        "format": "referral-scenario/1",
        "start": "1405-08-23 08:00",
        "until": "1405-08-23 21:00",
        "engineers": [{"id": "12-1", **eng}, {"id": "12‌-1", **eng}, {"id": long_id, **eng}],
        "projects": [],
        "events": [],
    }
    with pytest.raises(ScenarioError) as exc:
        simulate(parse_bytes(_json.dumps(doc).encode()))
    said = str(exc.value)
    assert said.startswith("engineers[1].id (12‌-1):") and "شماره عضویت" in said
    doc["engineers"] = [{"id": long_id, **eng, "national_code": "0013542419"},
                        {"id": "E2", **eng, "national_code": "0013542419"}]  # fmt: skip
    with pytest.raises(ScenarioError) as exc:
        simulate(parse_bytes(_json.dumps(doc).encode()))
    assert str(exc.value).startswith("engineers[1].national_code")
    assert len(str(exc.value)) < 300

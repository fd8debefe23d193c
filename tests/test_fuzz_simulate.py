"""`main.py simulate` on hostile files: exit 0 or 2 with one line on stderr, never a traceback.

Valid scenarios from `scenario_gen` are broken on purpose — a value replaced by a huge
integer, 1e300, Infinity/NaN, a deep nest, a control character, a long string, a wrong
type, a second competence in one discipline — and raw bytes that are not UTF-8 or not JSON.
Issue 15: well-formed values the office cannot hold — dates before 1358 or after 1500 (the
calendar's range), holiday lists with such or impossible days, policy numbers that are huge,
negative, NaN or of the wrong form, a weekend of seven days, malformed owner national codes
and mobiles. `--db` on a database that is not empty is refused before anything is written
to it."""

from __future__ import annotations

import argparse
import contextlib
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
]


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
    return text.encode()


@FUZZ
@given(doc=scenarios(max_events=6), data=st.data())
def test_simulate_on_broken_values_exits_0_or_2(tmp_path_factory, doc, data):
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
    assert code == 2 and "not empty" in err
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

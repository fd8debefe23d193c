"""`main.py simulate` on hostile files: exit 0 or 2 with one line on stderr, never a traceback.

Valid scenarios from `scenario_gen` are broken on purpose — a value replaced by a huge
integer, 1e300, Infinity/NaN, a deep nest, a control character, a long string, a wrong
type, a second competence in one discipline — and raw bytes that are not UTF-8 or not JSON.
`--db` on a database that is not empty is refused before anything is written to it."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
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

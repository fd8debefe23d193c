"""A backup restores only whole, unedited and signed by this installation (issue 15): a file
without its end line, with a table missing, truncated, not gzip, empty, of the wrong shape,
with a value that does not fit its column (`floors = 'lots'`), edited, unsigned or signed
by another installation's key is refused in Persian (exit 2 from `main.py restore`) and
nothing is written."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_backup import _busy

from app.db.backup import BackupError, backup, restore, verify
from app.db.engine import make_engine
from app.keys import ServerKey

ROOT = Path(__file__).resolve().parent.parent
OTHER = ServerKey(b"\x01" * 32)


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("hostile")
    office = _busy(f"sqlite:///{tmp / 'desk.sqlite'}")
    path = tmp / "good.jsonl.gz"
    backup(office.engine, path)
    return path


def _lines(path: Path) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return f.read().splitlines(keepends=True)


def _write(path: Path, lines: list[str]) -> Path:
    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.writelines(lines)
    return path


def _refused(path: Path, tmp_path: Path, **kw) -> str:
    target = tmp_path / "target.sqlite"
    with pytest.raises(BackupError) as exc:
        restore(make_engine(f"sqlite:///{target}"), path, **kw)
    assert not target.exists()  # nothing written, not even an empty schema
    assert any("\u0600" <= ch <= "\u06ff" for ch in str(exc.value))
    return str(exc.value)


def _edit(lines: list[str], table: str, column: str, value) -> list[str]:
    out, cols, current = list(lines), None, None
    for i, line in enumerate(out):
        item = json.loads(line)
        if isinstance(item, dict) and "table" in item:
            current, cols = item["table"], item["columns"]
        elif isinstance(item, list) and current == table:
            item[cols.index(column)] = value
            out[i] = json.dumps(item, ensure_ascii=False) + "\n"
            return out
    raise AssertionError(f"no row of {table}")


def test_the_good_backup_restores(good, tmp_path):
    assert restore(make_engine(f"sqlite:///{tmp_path / 'ok.sqlite'}"), good)


def test_without_its_end_line(good, tmp_path):
    assert "پایان" in _refused(_write(tmp_path / "b.gz", _lines(good)[:-1]), tmp_path)


def test_cut_before_the_last_tables(good, tmp_path):
    lines = _lines(good)
    cut = next(i for i, x in enumerate(lines) if '"table": "notifications"' in x)
    assert "پایان" in _refused(_write(tmp_path / "b.gz", lines[:cut]), tmp_path)


def test_a_table_missing_even_with_an_end_line(good, tmp_path):
    lines = _lines(good)
    start = next(i for i, x in enumerate(lines) if '"table": "holidays"' in x)
    stop = next(i for i in range(start + 1, len(lines)) if '"table"' in lines[i])
    _refused(_write(tmp_path / "b.gz", lines[:start] + lines[stop:]), tmp_path)


@pytest.mark.parametrize(
    ("table", "column", "value"),
    [
        ("projects", "floors", "lots"),
        ("projects", "area", {"$dec": "Infinity"}),
        ("projects", "area", 12),
        ("engineers", "membership_no", "x" * 33),
        ("engineers", "first_name", "a\x00b"),
        ("engineers", "legal_incapacity", "no"),
        ("engineers", "created_at", {"$dt": "2026-01-01T00:00:00"}),
        ("engineers", "membership_no", None),
        ("referrals", "id", 10**30),
    ],
)
def test_a_value_that_does_not_fit_its_column(good, tmp_path, table, column, value):
    lines = _edit(_lines(good), table, column, value)
    said = _refused(_write(tmp_path / "b.gz", lines), tmp_path, accept_unsigned=True)
    assert f"{table}.{column}" in said


def test_an_edited_backup_is_refused_by_its_signature(good, tmp_path):
    lines = _edit(_lines(good), "engineers", "base_score", {"$dec": "999.00"})
    assert "امضا" in _refused(_write(tmp_path / "b.gz", lines), tmp_path)


def test_unsigned_needs_accept_unsigned_and_another_key_is_refused(good, tmp_path):
    lines = _lines(good)
    end = json.loads(lines[-1])
    unsigned = _write(tmp_path / "u.gz", [*lines[:-1], json.dumps({"end": end["end"]}) + "\n"])
    assert "امضا" in _refused(unsigned, tmp_path)
    assert verify(unsigned, accept_unsigned=True)
    assert "کلید" in _refused(good, tmp_path, key=OTHER)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not gzip at all",
        gzip.compress(b"", mtime=0),
        gzip.compress(b"[1,2]\n", mtime=0),
        b"\x1f\x8b\x08",
    ],
    ids=["empty", "not-gzip", "empty-gzip", "not-a-backup", "cut-header"],
)
def test_files_that_are_not_backups(tmp_path, data):
    path = tmp_path / "x.gz"
    path.write_bytes(data)
    _refused(path, tmp_path)


def test_a_truncated_gzip_file(good, tmp_path):
    path = tmp_path / "t.gz"
    path.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    _refused(path, tmp_path)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_fuzz_one_line_changed_is_refused_never_a_traceback(good, tmp_path_factory, data):
    lines = _lines(good)
    i = data.draw(st.integers(0, len(lines) - 1))
    junk = data.draw(
        st.sampled_from(["", "{}\n", "[]\n", "null\n", "[1]\n", '{"table": "x"}\n', "\x00\n"])
        | st.text(max_size=30).map(lambda s: s + "\n")
    )
    if junk == lines[i]:
        return
    tmp = tmp_path_factory.mktemp("fz")
    _refused(_write(tmp / "b.gz", [*lines[:i], junk, *lines[i + 1 :]]), tmp)


def test_main_py_restore_exits_2_in_persian(good, tmp_path):
    bad = _write(tmp_path / "b.gz", _lines(good)[:-1])
    run = subprocess.run(
        [sys.executable, "main.py", "restore", str(bad), "--db", f"sqlite:///{tmp_path / 'r.db'}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 2 and "Traceback" not in run.stderr and "پایان" in run.stderr

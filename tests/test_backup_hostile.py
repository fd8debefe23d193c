"""A backup restores only whole, unedited and signed by this installation (issue 15): a file
without its end line, with a table missing, truncated, not gzip, empty, of the wrong shape,
with a value that does not fit its column (`floors = 'lots'`), edited, unsigned or signed
by another installation's key is refused in Persian (exit 2 from `main.py restore`) and
nothing is written. There is no way to take an unsigned file: every backup of a schema restore
accepts was signed when made, so a missing signature is one taken off an edited file. Values
only the database can judge (a duplicate key, a broken reference, an unknown role, a negative
area), in a file signed with the key, are refused as well: nothing written, no file left, no
row nor password hash printed."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect
from test_backup import _busy

from app.db.backup import BackupError, _seal, _value_problem, backup, restore, verify
from app.db.engine import make_engine
from app.db.models import Base
from app.domain.errors import RuleViolation
from app.keys import ServerKey, installation_key
from app.services import sessions

ROOT = Path(__file__).resolve().parent.parent
OTHER = ServerKey(b"\x01" * 32)


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("hostile")
    office = _busy(f"sqlite:///{tmp / 'desk.sqlite'}")
    with pytest.raises(RuleViolation):  # a wrong password: the throttle's rows are backed up too
        sessions.check_credentials(office.base, "admin", "not-the-password", "10.0.0.7")
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


def _signed(path: Path, body: list[str]) -> Path:
    """A hand-made backup (`body`: every line but the end line) signed with this
    installation's key as `backup` signs: what only someone holding the key file can make."""
    sha, counts, table = hashlib.sha256(), {}, None
    for line in body:
        sha.update(line.encode("utf-8"))
        item = json.loads(line)
        if isinstance(item, dict) and "table" in item:
            table = item["table"]
            counts[table] = 0
        elif isinstance(item, list):
            counts[table] += 1
    end = _seal(installation_key(), sha.digest(), counts)
    return _write(path, [*body, json.dumps(end) + "\n"])


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
    counts = restore(make_engine(f"sqlite:///{tmp_path / 'ok.sqlite'}"), good)
    assert counts["login_throttle"] == 2  # the account's and the address's counters


def test_every_column_type_is_known_to_the_restore():
    """A column type the value check does not know would refuse every backup holding a row of
    it (the throttle's Double columns once did): each type of the schema is checked."""
    for table in Base.metadata.sorted_tables:
        for col in table.columns:
            assert "شناخته نشد" not in (_value_problem(col, object()) or ""), (table, col)


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
        ("engineers", "created_at", {"$dt": "0001-01-01T00:00:00+00:00"}),  # before Jalali 1
        ("engineers", "created_at", {"$dt": "0001-01-01T00:00:00+03:30"}),  # no UTC for it
        ("licences", "expires_on", {"$date": "0001-01-01"}),
        # outside the rulebook's vocabulary: restored, they would break every screen after
        ("referrals", "discipline", "plumbing"),
        ("referrals", "status", "hacked"),
        ("projects", "group", "Z"),
        ("candidacies", "status", "zzz"),
        ("fee_payments", "status", "zzz"),
        ("users", "role", "superuser"),  # a role no rule of U1 covers
    ],
)
def test_a_value_that_does_not_fit_its_column(good, tmp_path, table, column, value):
    lines = _edit(_lines(good), table, column, value)
    said = _refused(_signed(tmp_path / "b.gz", lines[:-1]), tmp_path)
    assert f"{table}.{column}" in said


def test_an_edited_backup_is_refused_by_its_signature(good, tmp_path):
    lines = _edit(_lines(good), "engineers", "base_score", {"$dec": "999.00"})
    assert "امضا" in _refused(_write(tmp_path / "b.gz", lines), tmp_path)


def test_an_edited_backup_with_its_signature_taken_off_is_refused(good, tmp_path):
    """The forger's way round the signature: edit a value, drop `mac` and `key_id` from the
    end line. Refused, and no option of `main.py restore` takes it."""
    lines = _edit(_lines(good), "engineers", "base_score", {"$dec": "999.00"})
    end = json.loads(lines[-1])
    forged = _write(tmp_path / "u.gz", [*lines[:-1], json.dumps({"end": end["end"]}) + "\n"])
    assert "امضا ندارد" in _refused(forged, tmp_path)
    with pytest.raises(BackupError, match="امضا ندارد"):
        verify(forged)
    target = f"sqlite:///{tmp_path / 'r.sqlite'}"
    for extra, said in (([], "امضا ندارد"), (["--accept-unsigned"], "--accept-unsigned")):
        run = subprocess.run(
            [sys.executable, "main.py", "restore", str(forged), "--db", target, *extra],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        assert run.returncode == 2 and said in run.stderr, run.stderr  # (argparse: no option)
        assert "Traceback" not in run.stderr and not (tmp_path / "r.sqlite").exists()


def test_another_installations_key_is_refused(good, tmp_path):
    assert "کلید" in _refused(good, tmp_path, key=OTHER)


SECRET = "$argon2id$v=19$m=65536,t=3,p=4$c2VjcmV0LXNhbHQ$c2VjcmV0LWhhc2gtbmV2ZXItcHJpbnRlZA"


def _with(lines: list[str], table: str, column: str | None, value) -> list[str]:
    """The backup's lines (no end line) with the first users row holding a password hash, and
    then `table.column` set to `value` (column None: that first row twice)."""
    lines = _edit(lines, "users", "password_hash", SECRET)[:-1]
    if column is None:
        i = next(i for i, x in enumerate(lines) if x.startswith(f'{{"table": "{table}"')) + 1
        return [*lines[: i + 1], lines[i], *lines[i + 1 :]]
    return _edit(lines, table, column, value)


BAD_ROWS = [
    ("users", None, None, "users"),  # a duplicate primary key
    ("users", "engineer_id", 99_999, "users"),  # a reference to nobody
    ("users", "role", "god", "users"),
    ("projects", "area", {"$dec": "-5.00"}, "projects"),
]
BAD_IDS = ["duplicate-key", "broken-reference", "role-god", "negative-area"]


@pytest.mark.parametrize(("table", "column", "value", "named"), BAD_ROWS, ids=BAD_IDS)
def test_a_signed_backup_the_database_refuses_writes_nothing(
    good, tmp_path, table, column, value, named
):
    said = _refused(_signed(tmp_path / "b.gz", _with(_lines(good), table, column, value)), tmp_path)
    assert named in said and SECRET not in said and "c2VjcmV0" not in said
    assert "مدیر سامانه" not in said  # no value of the row


@pytest.mark.parametrize(("table", "column", "value", "named"), BAD_ROWS, ids=BAD_IDS)
def test_a_signed_backup_the_database_refuses_leaves_postgresql_blank(
    good, tmp_path, pg_url, table, column, value, named
):
    bad = _signed(tmp_path / "b.gz", _with(_lines(good), table, column, value))
    engine = make_engine(pg_url)
    with pytest.raises(BackupError) as exc:
        restore(engine, bad)
    said = str(exc.value)
    assert named in said and SECRET not in said and "DETAIL" not in said
    engine.dispose()
    assert inspect(engine).get_table_names() == []  # the schema went back with the rows
    assert restore(engine, good)  # and the same database takes a good backup after


def test_main_py_restore_of_rows_the_database_refuses(good, tmp_path, db_url):
    bad = _signed(tmp_path / "b.gz", _with(_lines(good), "users", None, None))
    target = f"sqlite:///{tmp_path / 'new' / 'r.sqlite'}" if "sqlite" in db_url else db_url
    run = subprocess.run(
        [sys.executable, "main.py", "restore", str(bad), "--db", target],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr
    assert run.stderr.count("\n") == 1 and "users" in run.stderr and "نپذیرفت" in run.stderr
    assert SECRET not in run.stderr + run.stdout and "c2VjcmV0" not in run.stderr
    if "sqlite" in db_url:
        assert not list((tmp_path / "new").glob("r.sqlite*"))  # no file, no -wal, no -shm
    else:
        assert inspect(make_engine(db_url)).get_table_names() == []


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


def _feed_twice(fifo: Path, first: bytes, second: bytes) -> threading.Thread:
    """A writer giving `first` to the pipe's first reader and `second` to a second one, if
    one comes within a few seconds (a restore reading the file again)."""

    def feed() -> None:
        with open(fifo, "wb") as f:
            f.write(first)
        time.sleep(0.5)  # the first reader has read to the end and closed
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:  # no reader yet: ENXIO, try again
                fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:
                time.sleep(0.02)
                continue
            os.set_blocking(fd, True)
            with os.fdopen(fd, "wb") as f:
                f.write(second)
            return

    t = threading.Thread(target=feed, daemon=True)
    t.start()
    return t


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_the_file_checked_is_the_file_restored_even_from_a_pipe(good, tmp_path):
    """Issue 15 audit: `restore` verified one read of the file and loaded a second read: a
    pipe (or a file swapped between the reads) gave the check the signed backup and the load
    an edited, unsigned one (`membership_paid_through = 'lots'` stored). The file is read
    once; the check and the load read the same bytes."""
    edited = _write(
        tmp_path / "edited.gz", _edit(_lines(good), "engineers", "membership_paid_through", "lots")
    )
    fifo = tmp_path / "backup.gz"
    os.mkfifo(fifo)
    feeder = _feed_twice(fifo, good.read_bytes(), edited.read_bytes())
    target = tmp_path / "r.sqlite"
    restore(make_engine(f"sqlite:///{target}"), fifo)  # the signed backup, read once
    feeder.join()
    with sqlite3.connect(target) as c:
        kinds = {t for (t,) in c.execute("SELECT typeof(membership_paid_through) FROM engineers")}
    assert kinds <= {"integer", "null"}, kinds
    # the other way round: the edited file first is refused, whatever comes after it
    os.unlink(fifo)
    os.mkfifo(fifo)
    feeder = _feed_twice(fifo, edited.read_bytes(), good.read_bytes())
    _refused(fifo, tmp_path / "second")
    feeder.join()


def test_unreadable_backups_are_named_in_persian_without_the_librarys_english(good, tmp_path):
    """The refusal named what gzip said ("Compressed file ended before the end-of-stream
    marker was reached", "[Errno 21] Is a directory"): now what is wrong, in Persian."""
    cut = tmp_path / "cut.gz"
    cut.write_bytes(good.read_bytes()[:1000])
    text = tmp_path / "text.gz"
    text.write_text("hello\n")
    damaged = tmp_path / "damaged.gz"
    data = bytearray(good.read_bytes())
    data[40:60] = b"\xff" * 20
    damaged.write_bytes(bytes(data))
    for path, words in (
        (cut, "بریده شده"),
        (text, "gzip نیست"),
        (damaged, "آسیب دیده"),
        (tmp_path, "پوشه است"),
        (tmp_path / "none.gz", "پیدا نشد"),
    ):
        said = _refused(path, tmp_path / path.name.replace(".", "-"))
        english = re.search(
            r"Errno|[Ee]rror|[Ff]ile|[Cc]ompress|directory|marker|gzipped",
            said.replace(str(path), ""),
        )
        assert words in said and not english, said

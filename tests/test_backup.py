"""`main.py backup` / `restore`: a round trip gives back every row of every table, on both
dialects and across them (a desk's SQLite file onto the LAN PostgreSQL server)."""

from __future__ import annotations

import os
from decimal import Decimal

import pytest

from app.db import backup as backup_module
from app.db.backup import BackupError, backup, restore, snapshot, table_rows
from app.db.engine import make_engine
from app.db.models import Base
from app.services import candidacy, deadlines, engineers
from app.services.dto import CompetenceIn, EngineerIn
from support import Office


def _busy(url: str) -> Office:
    office = Office(url)
    e1, e2 = office.engineer("E1", score=120), office.engineer("E2", score=100.5)
    p = office.project(disciplines=("arch", "civil"))
    office.at("1405-08-23 10:00")
    for e in (e1, e2):
        candidacy.stand(office.as_engineer[e], e, p.referral_ids["civil"])
    office.run("1405-08-24 09:00")
    deadlines.record_signature(office.clerk, p.referral_ids["civil"])
    return office


def _all_rows(engine) -> dict[str, list]:
    with snapshot(engine) as conn:
        return {t.name: list(table_rows(conn, t)) for t in Base.metadata.sorted_tables}


def test_backup_and_restore_round_trip_on_each_dialect(db_url, tmp_path, pg_server):
    office = _busy(db_url)
    before = _all_rows(office.engine)
    assert before["deadline_runs"] and before["audit_log"] and before["project_documents"]
    counts = backup(office.engine, tmp_path / "b.jsonl.gz")
    assert counts == {k: len(v) for k, v in before.items()}
    for target in (
        f"sqlite:///{tmp_path / 'copy.sqlite'}",
        pg_server.create_database(f"restore_{abs(hash(db_url)) % 10**8}"),
    ):
        engine = make_engine(target)
        restore(engine, tmp_path / "b.jsonl.gz")
        assert _all_rows(engine) == before, target
    with pytest.raises(BackupError):  # a second restore into a filled database is refused
        restore(engine, tmp_path / "b.jsonl.gz")


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    import gzip

    bad = tmp_path / "x.jsonl.gz"
    with gzip.open(bad, "wt") as f:
        f.write('{"format": "something-else"}\n')
    with pytest.raises(BackupError):
        restore(make_engine(f"sqlite:///{tmp_path / 'y.sqlite'}"), bad)


def test_backup_is_one_moment_while_a_desk_writes(db_url, tmp_path, monkeypatch):
    """A desk registers an engineer (engineers, competences, audit_log) after the backup has
    read its first table: the backup holds none of it, so it restores with every foreign key
    whole — not the first tables before the write and the later ones after it."""
    office = _busy(db_url)
    before = {k: len(v) for k, v in _all_rows(office.engine).items()}
    read, real = [], backup_module.table_rows

    def rows_then_a_desk_writes(conn, table):
        yield from real(conn, table)
        read.append(table.name)
        if len(read) == 1:
            engineers.register_engineer(
                office.admin,
                EngineerIn(
                    membership_no="E9",
                    competences=(CompetenceIn("civil", "1"),),
                    base_score=Decimal(1),
                    first_name="E9",
                ),
            )

    monkeypatch.setattr(backup_module, "table_rows", rows_then_a_desk_writes)
    assert backup(office.engine, tmp_path / "b.jsonl.gz") == before
    after = {k: len(v) for k, v in _all_rows(office.engine).items()}
    assert after["engineers"] == before["engineers"] + 1  # the write did land, after
    assert after["audit_log"] > before["audit_log"]


def test_main_py_backup_and_restore_end_to_end(tmp_path):
    """The commands as an office runs them: `main.py backup FILE --db` then
    `main.py restore FILE --db` into an empty file; a second restore is refused (exit 2)."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    source = f"sqlite:///{tmp_path / 'desk.sqlite'}"
    office = _busy(source)
    before = _all_rows(office.engine)
    target = f"sqlite:///{tmp_path / 'copy.sqlite'}"

    def main(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "main.py", *args], cwd=root, capture_output=True, text=True
        )

    made = main("backup", str(tmp_path / "b.jsonl.gz"), "--db", source)
    assert made.returncode == 0 and "row(s)" in made.stdout, made.stderr
    back = main("restore", str(tmp_path / "b.jsonl.gz"), "--db", target)
    assert back.returncode == 0, back.stderr
    assert _all_rows(make_engine(target)) == before
    again = main("restore", str(tmp_path / "b.jsonl.gz"), "--db", target)
    assert again.returncode == 2 and "خالی نیست" in again.stderr


def test_restore_refuses_a_database_init_and_create_admin_made(
    db_url, tmp_path, monkeypatch, capsys
):
    """The set-up steps write rows (policy, holidays, the trail's first lines, the admin): a
    restore into such a database is refused before it writes, naming the tables and the way
    (a new database, before `init`), never a FOREIGN KEY traceback half-way through."""
    from main import main

    office = _busy(f"sqlite:///{tmp_path / 'desk.sqlite'}")
    backup(office.engine, tmp_path / "b.jsonl.gz")
    monkeypatch.setenv("NEZARAT_PASSWORD", "first-admin-1405")
    assert main(["init", "--db", db_url]) == 0
    assert main(["create-admin", "--db", db_url]) == 0
    capsys.readouterr()
    engine = make_engine(db_url)
    before = _all_rows(engine)
    code = main(["restore", str(tmp_path / "b.jsonl.gz"), "--db", db_url])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err, err
    assert "خالی نیست" in err and "users" in err and "audit_log" in err and "init" in err
    assert _all_rows(engine) == before


def test_restore_refuses_any_row_in_any_table(tmp_path):
    """Not only engineers: a row in any table at all (here one the product does not know)."""
    from sqlalchemy import text

    office = _busy(f"sqlite:///{tmp_path / 'desk.sqlite'}")
    backup(office.engine, tmp_path / "b.jsonl.gz")
    target = make_engine(f"sqlite:///{tmp_path / 'target.sqlite'}")
    with target.begin() as c:
        c.execute(text("CREATE TABLE leftover (x int)"))
        c.execute(text("INSERT INTO leftover VALUES (1)"))
    with pytest.raises(BackupError, match="leftover"):
        restore(target, tmp_path / "b.jsonl.gz")
    with target.connect() as c:
        assert c.execute(text("SELECT count(*) FROM sqlite_master")).scalar() == 1


def test_main_py_backup_into_a_missing_folder_is_one_persian_line(tmp_path, capsys):
    from main import main

    url = f"sqlite:///{tmp_path / 'desk.sqlite'}"
    _busy(url).engine.dispose()
    code = main(["backup", str(tmp_path / "nowhere" / "b.jsonl.gz"), "--db", url])
    err = capsys.readouterr().err
    assert code == 2 and "نوشته نشد" in err and err.count("\n") == 1, err


def test_a_backup_that_fails_halfway_keeps_the_last_one(tmp_path, monkeypatch):
    """The file is written beside its name and renamed when whole: a failure in the middle
    (a disk full, a lost connection) leaves yesterday's backup readable and no partial file."""
    office = _busy(f"sqlite:///{tmp_path / 'desk.sqlite'}")
    target = tmp_path / "b.jsonl.gz"
    counts = backup(office.engine, target)
    before = target.read_bytes()
    if os.name == "posix":  # the password hashes inside are the owner's alone, whatever the umask
        assert target.stat().st_mode & 0o777 == 0o600

    def failing(conn, table):
        if table.name == "engineers":
            raise OSError("no space left on device")
        return table_rows(conn, table)

    monkeypatch.setattr(backup_module, "table_rows", failing)
    with pytest.raises(OSError):
        backup(office.engine, target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if "partial" in p.name] == []
    monkeypatch.undo()
    fresh = tmp_path / "restored.sqlite"
    assert restore(make_engine(f"sqlite:///{fresh}"), target) == counts

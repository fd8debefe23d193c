"""`main.py backup` / `restore`: a round trip gives back every row of every table, on both
dialects and across them (a desk's SQLite file onto the LAN PostgreSQL server)."""

from __future__ import annotations

import pytest

from app.db.backup import BackupError, backup, restore, table_rows
from app.db.engine import make_engine
from app.db.models import Base
from app.services import candidacy, deadlines
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
    return {t.name: list(table_rows(engine, t)) for t in Base.metadata.sorted_tables}


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

"""U1/U2 hardening: login lockout and rehash, an append-only, hash-chained audit trail."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import create_engine, select, text, update
from sqlalchemy.exc import DBAPIError

from app.db.models import AuditEntry, LoginThrottle, User
from app.domain.errors import RuleViolation
from app.services import sessions, users
from app.services.audit_trail import verify_chain
from app.services.context import note_head
from support import Office


@pytest.fixture
def office(db_url) -> Office:
    return Office(db_url)


def test_U1_lockout_after_repeated_failures_and_rehash_on_login(office: Office):
    users.create_user(office.admin, "sara", "سارا", "clerk", password="right-pass")
    for _ in range(sessions.ACCOUNT_FAILURES):
        with pytest.raises(RuleViolation, match="نادرست"):
            users.authenticate(office.base, "sara", "wrong")
    with pytest.raises(sessions.Throttled):  # even the right password, for now
        users.authenticate(office.base, "sara", "right-pass")
    # the lock is judged by the database's clock: a desk clock a day ahead does not lift it
    office.clock.now += timedelta(days=1)
    with pytest.raises(sessions.Throttled):
        users.authenticate(office.base, "sara", "right-pass")
    with office.base.tx() as s:  # fifteen minutes of the database's time go by
        s.execute(update(LoginThrottle).values(locked_until=LoginThrottle.locked_until - 901))
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("right-pass")
    with office.base.tx() as s:
        s.execute(update(User).where(User.username == "sara").values(password_hash=weak))
    assert users.authenticate(office.base, "sara", "right-pass").role == "clerk"
    with office.base.tx() as s:
        stored = s.scalar(select(User.password_hash).where(User.username == "sara"))
    assert stored != weak and stored.startswith("$argon2id$")  # rehashed with today's params


def test_U2_audit_trail_is_append_only_for_the_application(office: Office):
    office.engineer("E1")
    for sql in ("UPDATE audit_log SET actor = 'someone else'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), office.base.tx() as s:
            s.execute(text(sql))
    assert verify_chain(office.admin).first_broken is None


def _audit_verify(url: str, *more: str) -> tuple[int, str]:
    """`main.py audit verify --db url`, as an auditor runs it."""
    import subprocess
    import sys

    run = subprocess.run(
        [sys.executable, "main.py", "audit", "verify", "--db", url, *more],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    return run.returncode, run.stdout + run.stderr


def test_U2_audit_verify_reports_the_first_broken_link(office: Office, tmp_path):
    office.engineer("E1")
    office.engineer("E2")
    report = verify_chain(office.admin)
    assert report.first_broken is None and report.checked >= 6
    url = office.engine.url.render_as_string(hide_password=False)
    rc, said = _audit_verify(url)  # no note of the newest line here: never called intact
    assert rc == 3 and "END WAS NOT CHECKED" in said and "intact" not in said, said
    data = tmp_path / "srv"  # the server's folder (serve --data): its key and its note
    data.mkdir()
    (data / "server.key").write_bytes(Path(os.environ["NEZARAT_DATA"], "server.key").read_bytes())
    with office.base.read() as s:
        last = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    note_head(data / "audit-head.json", last, office.base.server_key())
    rc, said = _audit_verify(url, "--data", str(data))
    assert rc == 0 and f"{report.checked} line(s), chain intact" in said, said
    with office.base.tx() as s:  # someone with the database owner's rights rewrites a line
        victim = s.scalars(select(AuditEntry.id).order_by(AuditEntry.id)).all()[3]
        if s.get_bind().dialect.name == "postgresql":
            s.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change"))
        else:
            s.execute(text("DROP TRIGGER audit_log_no_update"))
        s.execute(text("UPDATE audit_log SET actor = 'x' WHERE id = :i"), {"i": victim})
    report = verify_chain(office.admin)
    assert report.first_broken == victim and report.checked == 3
    rc, said = _audit_verify(url)
    assert rc == 1 and f"first broken link at line {victim}" in said, said


def test_U2_audit_verify_catches_a_line_given_to_another_user(office: Office):
    office.engineer("E1")
    before = verify_chain(office.admin)
    assert before.first_broken is None and before.head
    with office.base.tx() as s:  # the owner re-attributes a line to the clerk's user id
        line = s.scalars(select(AuditEntry).where(AuditEntry.actor == "admin")).first()
        if s.get_bind().dialect.name == "postgresql":
            s.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change"))
        else:
            s.execute(text("DROP TRIGGER audit_log_no_update"))
        s.execute(
            text("UPDATE audit_log SET user_id = :u WHERE id = :i"),
            {"u": office.clerk.actor.user_id, "i": line.id},
        )
    assert verify_chain(office.admin).first_broken == line.id
    with pytest.raises(RuleViolation):  # only an administrator reads the trail
        verify_chain(office.clerk)


def test_U2_audit_verify_only_reads(tmp_path):
    """An empty or older database is reported, not migrated or seeded by the check."""
    path = tmp_path / "empty.sqlite"
    rc, said = _audit_verify(f"sqlite:///{path}")
    assert rc == 2 and "پیدا نشد" in said and not path.exists(), said
    import sqlite3

    sqlite3.connect(path).close()  # an empty file: reported as not yet at the schema
    rc, said = _audit_verify(f"sqlite:///{path}")
    assert rc == 2 and "نسخه" in said, said

    with sqlite3.connect(path) as c:
        assert c.execute("SELECT count(*) FROM sqlite_master").fetchone() == (0,)


def test_U2_the_server_logs_in_with_a_role_that_cannot_rewrite_the_trail(pg_server):
    """`main.py db-roles --apply`: the office server's role works the office but may not
    UPDATE, DELETE or TRUNCATE the audit trail (refused by privilege, before the trigger), nor
    disable its trigger; the reports role only reads."""
    import subprocess
    import sys

    from app.db.migrate import open_database
    from app.db.roles import roles_sql

    owner_url = pg_server.create_database("roles_db")
    office = Office(owner_url)  # schema made by its owner
    run = subprocess.run(
        [sys.executable, "main.py", "db-roles", "--db", owner_url, "--apply"],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert run.returncode == 0, run.stderr
    assert len(roles_sql("roles_db")) >= 10
    with office.engine.begin() as c:
        c.execute(text("CREATE ROLE srv1 LOGIN IN ROLE nezarat_server"))
        c.execute(text("CREATE ROLE auditor1 LOGIN IN ROLE nezarat_reports"))
    desk_url = owner_url.replace("//nezarat@", "//srv1@")
    open_database(desk_url).dispose()  # the server starts as it does every morning (no upgrade)
    desk = office.on(desk_url)
    desk.engineer("E1")  # the server's role registers, audits, …
    desk.project()
    for sql in (
        "UPDATE audit_log SET actor = 'x'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
        "UPDATE alembic_version SET version_num = 'x'",  # the schema's revision is the owner's
        "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change",
        "DROP TRIGGER audit_log_no_change ON audit_log",
    ):
        refused = pytest.raises(DBAPIError, match=r"permission denied|must be owner")
        with refused, desk.base.tx() as s:
            s.execute(text(sql))
    reports = create_engine(owner_url.replace("//nezarat@", "//auditor1@"))
    with reports.connect() as c:  # the reports role reads everything and writes nothing
        assert c.execute(text("SELECT count(*) FROM audit_log")).scalar() > 0
        assert c.execute(text("SELECT count(*) FROM engineers")).scalar() > 0
        assert c.execute(text("SELECT username, role FROM users")).all()
    for secret in (  # but never a secret: hashes to crack offline, a session to take over
        "SELECT password_hash FROM users",
        "SELECT * FROM users",
        "SELECT token_hash FROM auth_sessions",
        "SELECT count(*) FROM one_time_codes",
        "INSERT INTO login_throttle VALUES ('x', 1, 0, NULL)",
    ):
        with reports.connect() as c, pytest.raises(DBAPIError, match="permission denied"):
            c.execute(text(secret))
    reports.dispose()


def test_U2_verify_chain_reads_the_servers_own_note_and_a_cut_end_shows(office: Office, tmp_path):
    """Through the office server a desk sends no note: the service reads the server's own
    (`audit_head`), so lines cut off the end show there too; a check of no lines is refused."""
    from dataclasses import replace

    from app.domain.errors import InputError

    office.engineer("E1")
    admin = replace(office.admin, audit_head=tmp_path / "audit-head.json")
    unchecked = verify_chain(admin)
    assert unchecked.tail == "unchecked" and "بررسی نشد" in unchecked.reason
    with office.base.read() as s:
        last = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    note_head(admin.audit_head, last, office.base.server_key())
    assert verify_chain(admin).tail == "ok"
    with office.base.tx() as s:  # the owner cuts the newest line off
        if s.get_bind().dialect.name == "postgresql":
            s.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change"))
        else:
            s.execute(text("DROP TRIGGER audit_log_no_delete"))
        s.execute(text("DELETE FROM audit_log WHERE id = :i"), {"i": last.id})
    assert verify_chain(admin).tail == "cut"
    for batch in (0, -5, True, 10**9):
        with pytest.raises(InputError):
            verify_chain(admin, batch=batch)


def test_U2_audit_verify_refuses_a_hostile_note_in_one_line(tmp_path):
    """A note of the trail's head that is no note of ours — an id of 1e999 (∞, which int()
    cannot take), brackets nested 10⁵ deep — is refused as unreadable or not signed, not with
    a traceback."""
    from dataclasses import replace

    office = Office(f"sqlite:///{tmp_path / 'office.sqlite'}")
    office.engineer("E1")
    url = office.engine.url.render_as_string(hide_password=False)
    hostile = {
        "infinite-id.json": ('{"id": 1e999, "hash": 5}', 1, "امضا نشده"),
        "nan-id.json": ('{"id": NaN, "hash": "x"}', 1, "امضا نشده"),
        "deep.json": ("[" * 100_000, 2, "خوانده نشد"),
    }
    for name, (text_, code, words) in hostile.items():
        note = tmp_path / name
        note.write_text(text_, encoding="utf-8")
        rc, said = _audit_verify(url, "--head", str(note))
        assert rc == code and words in said and str(note) in said, said
        assert "Traceback" not in said and said.count("\n") == 1, said
    # the service reads the server's own note the same way (a desk through the server)
    (tmp_path / "audit-head.json").write_text("[" * 100_000, encoding="utf-8")
    admin = replace(office.admin, audit_head=tmp_path / "audit-head.json")
    assert verify_chain(admin).tail == "unchecked"
    assert verify_chain(office.admin, head_note={"id": 1e999, "hash": 5}).tail == "forged"

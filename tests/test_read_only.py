"""Read-only transactions (`ServiceContext.read`): the lists and look-ups of the desk.

On SQLite a read does not queue behind a writer: WAL lets it read its snapshot while another
connection holds the write lock (an import, a deadline run). On PostgreSQL it is READ ONLY, so
a write slipped into a list fails, and the pooled connection is writable again afterwards."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError

from app.db.engine import make_engine
from app.services import browse, engineers
from app.services.context import DatabaseBusy, ServiceContext
from support import Office


def test_sqlite_list_reads_beside_a_writer_holding_the_lock(tmp_path):
    path = tmp_path / "desk.sqlite"
    office = Office(f"sqlite:///{path}")
    office.engineer("E1")
    engine = make_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def _no_wait(dbapi_conn, _record):  # after make_engine's: a blocked statement fails now
        dbapi_conn.execute("PRAGMA busy_timeout=0")

    desk = ServiceContext(engine, clock=office.clock)
    clerk, admin = desk.as_actor(office.clerk.actor), desk.as_actor(office.admin.actor)
    writer = sqlite3.connect(path, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # the write lock, held as a long import would
        writer.execute("UPDATE engineers SET first_name = 'نیمه‌کاره' WHERE membership_no = 'E1'")
        rows = browse.engineer_page(clerk, "E")  # a read: not refused, not waiting
        assert [(r.membership_no, r.name) for r in rows] == [("E1", "E1")]  # its snapshot
        assert browse.count_engineers(clerk, "E") == 1
        with pytest.raises(DatabaseBusy, match="تکرار کنید"):  # a write queues (here: refused)
            engineers.update_engineer(admin, rows[0].id, {"first_name": "دیگر"})
    finally:
        writer.execute("ROLLBACK")
        writer.close()
        engine.dispose()


@pytest.mark.postgres
def test_postgresql_read_is_read_only_and_the_pool_stays_writable(pg_url):
    office = Office(pg_url)
    office.engineer("E1")
    engine = make_engine(pg_url, pool_size=1, max_overflow=0)  # one connection, reused
    ctx = ServiceContext(engine, clock=office.clock).as_actor(office.admin.actor)
    try:
        with ctx.read() as s:  # and no JIT: it compiled for 0.46 s of a 0.59 s cartable
            assert s.connection().exec_driver_sql("SHOW jit").scalar() == "off"
        with pytest.raises(DBAPIError, match="read-only transaction"), ctx.read() as s:
            s.execute(text("UPDATE engineers SET first_name = 'x'"))
        assert [r.membership_no for r in browse.engineer_page(ctx)] == ["E1"]
        eid = browse.engineer_id_by_no(ctx, "E1")
        engineers.update_engineer(ctx, eid, {"first_name": "نو"})  # same connection, writable
        assert browse.engineer_page(ctx)[0].name.startswith("نو")
    finally:
        engine.dispose()

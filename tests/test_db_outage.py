"""The database going away in the middle of a desk's action: a clear Persian message, no
partial write, and the desk works again, on the same connection pool, once it returns."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.services import engineers
from app.services.context import DatabaseBusy, DatabaseUnavailable
from app.services.dto import CompetenceIn, EngineerIn
from support import Office
from ui.tasks import error_text


def _new(no: str) -> EngineerIn:
    return EngineerIn(
        membership_no=no,
        competences=(CompetenceIn("civil", "1"),),
        base_score=Decimal(100),
        first_name=no,
    )


def test_database_lost_mid_action_writes_nothing_and_the_desk_recovers(own_pg_server, monkeypatch):
    office = Office(own_pg_server.url)
    office.engineer("E1")
    before = office.row_counts()

    real_apply = engineers._apply

    def lose_the_server(*args, **kwargs):  # the rows are flushed, the commit never comes
        real_apply(*args, **kwargs)
        own_pg_server.pause()

    monkeypatch.setattr(engineers, "_apply", lose_the_server)
    with pytest.raises(DatabaseUnavailable) as exc:
        engineers.register_engineer(office.admin, _new("E2"))
    assert "پایگاه داده" in error_text(exc.value)  # what the desk shows
    monkeypatch.setattr(engineers, "_apply", real_apply)

    with pytest.raises(DatabaseUnavailable):  # still away: refused the same way
        engineers.register_engineer(office.admin, _new("E2"))
    own_pg_server.resume()
    assert office.row_counts() == before  # nothing of the lost action was written
    engineers.register_engineer(office.admin, _new("E2"))  # the same pool reconnects
    assert office.row_counts()["engineers"] == before["engineers"] + 1


def test_a_lock_another_desk_holds_is_busy_not_a_lost_connection(own_pg_server):
    """A row another desk keeps locked past the lock timeout: "try again" in Persian, nothing
    written, the same pool then works — not the lost-connection message."""
    from sqlalchemy import event

    from app.db.engine import make_engine
    from app.services import browse
    from app.services.context import ServiceContext

    office = Office(own_pg_server.url)
    eid = office.engineer("E1")
    engine = make_engine(own_pg_server.url)

    @event.listens_for(engine, "connect")
    def _short_wait(dbapi_conn, _record):
        with dbapi_conn.cursor() as cur:
            cur.execute("SET lock_timeout = '200ms'")
        dbapi_conn.commit()

    admin = ServiceContext(engine, clock=office.clock).as_actor(office.admin.actor)
    other = office.engine.connect()
    try:
        tx = other.begin()
        other.exec_driver_sql("UPDATE engineers SET first_name = 'x' WHERE id = %s", (eid,))
        with pytest.raises(DatabaseBusy) as exc:
            engineers.update_engineer(admin, eid, {"first_name": "نو"})
        assert "تکرار کنید" in error_text(exc.value) and "ارتباط" not in error_text(exc.value)
        tx.rollback()
    finally:
        other.close()
    engineers.update_engineer(admin, eid, {"first_name": "نو"})
    assert browse.engineer_page(admin)[0].name.startswith("نو")
    engine.dispose()

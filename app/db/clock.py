"""The database's own clock, for what must be judged by it (sign-in throttling) and for the
office server's check of its clock against the database's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Double, literal_column, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

_EPOCH_SQL = {
    # clock_timestamp(), not now(): now() stands still for the whole transaction
    "postgresql": "CAST(extract(epoch FROM clock_timestamp()) AS double precision)",
    "sqlite": "((julianday('now') - 2440587.5) * 86400.0)",
}


def db_epoch(dialect: str) -> ColumnElement[float]:
    """The database's current time in epoch seconds, as an SQL expression."""
    return literal_column(_EPOCH_SQL[dialect], Double)


def db_now(session: Session) -> datetime:
    seconds = session.scalar(select(db_epoch(session.get_bind().dialect.name)))
    return datetime.fromtimestamp(float(seconds), UTC)


def clock_skew(engine, clock) -> timedelta:
    """The database's time minus `clock()`'s, at the middle of the round trip."""
    from .engine import session_factory, transaction

    before = clock()
    with transaction(session_factory(engine, read_only=True)) as s:
        theirs = db_now(s)
    after = clock()
    return theirs - (before + (after - before) / 2)

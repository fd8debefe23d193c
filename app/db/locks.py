"""Exactly once (A10): serialising deadline runs with the writers that race them.

PostgreSQL: transaction-level advisory locks keyed by the deadline — exclusive for the run,
shared for a candidacy or a new round aimed at that deadline. SQLite: every write transaction
is `BEGIN IMMEDIATE`, which already serialises writers, so these are no-ops there.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session


def lock_key(kind: str, at: datetime) -> int:
    h = hashlib.sha256(f"nezarat:{kind}:{at.isoformat()}".encode()).digest()
    return int.from_bytes(h[:8], "big", signed=True)


def lock_deadline(session: Session, kind: str, at: datetime, shared: bool = False) -> None:
    if session.get_bind().dialect.name != "postgresql":
        return
    fn = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    session.execute(text(f"SELECT {fn}(:k)"), {"k": lock_key(kind, at)})


def lock_named(session: Session, name: str) -> None:
    """A transaction-level exclusive lock on a name (PostgreSQL; SQLite already serialises)."""
    if session.get_bind().dialect.name == "postgresql":
        h = hashlib.sha256(f"nezarat:{name}".encode()).digest()
        session.execute(
            text("SELECT pg_advisory_xact_lock(:k)"),
            {"k": int.from_bytes(h[:8], "big", signed=True)},
        )

"""Opening a database: schema, shipped policy defaults."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from .engine import create_schema, make_engine, session_factory, transaction
from .policy_store import seed_policy


def open_fresh(
    url: str, now: datetime | None = None, policy_overrides: dict[str, Any] | None = None
) -> Engine:
    """A new database with the schema from the models and the policy defaults (+ overrides)."""
    engine = make_engine(url)
    create_schema(engine)
    if url not in ("sqlite://", "sqlite:///:memory:"):
        from .migrate import stamp_head  # a kept database must be recognised by migrations

        stamp_head(engine)
    with transaction(session_factory(engine)) as s:
        seed_policy(s, now or datetime.now(UTC), policy_overrides or {})
    return engine

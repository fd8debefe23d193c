"""Schema migrations (Alembic) run by the application itself: a backup copy first, then
upgrade to the newest revision. `alembic.ini` is not needed; the config is built here."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine

from .engine import make_engine, session_factory, transaction
from .policy_store import seed_policy

SCRIPTS = Path(__file__).resolve().parent / "migrations"


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPTS))
    return cfg


def head() -> str:
    return ScriptDirectory.from_config(_config()).get_current_head()


def known(revision: str) -> bool:
    """A revision this version's migrations hold (an older schema, or the head)."""
    try:
        return ScriptDirectory.from_config(_config()).get_revision(revision) is not None
    except CommandError:
        return False


def current(engine: Engine) -> str | None:
    with engine.connect() as c:
        return MigrationContext.configure(c).get_current_revision()


def backup_sqlite(engine: Engine) -> Path | None:
    """A copy of the SQLite file before a migration touches it (PostgreSQL: `main.py backup`)."""
    db = engine.url.database
    if engine.dialect.name != "sqlite" or not db or db == ":memory:" or not Path(db).exists():
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    target = Path(db).with_name(f"{Path(db).stem}.before-{stamp}.sqlite")
    raw = engine.raw_connection()  # outside SQLAlchemy's BEGIN: VACUUM refuses a transaction
    try:  # VACUUM INTO gives a consistent copy even under WAL
        raw.driver_connection.execute("VACUUM INTO ?", (str(target),))
    finally:
        raw.close()
    return target


def upgrade(engine: Engine) -> Path | None:
    """Bring the schema to the newest revision; returns the backup made, if any."""
    if current(engine) == head():
        return None
    backup = backup_sqlite(engine) if current(engine) is not None else None
    with engine.begin() as connection:
        upgrade_in(connection)
    return backup


def upgrade_in(connection: Connection) -> None:
    """Upgrade inside the caller's transaction (a restore: the schema and its rows land
    together or not at all)."""
    cfg = _config()
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, "head")


def stamp_head(engine: Engine) -> None:
    """Mark a schema made from the models as being at the newest revision."""
    cfg = _config()
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.stamp(cfg, "head")


def open_database(url: str, now: datetime | None = None) -> Engine:
    """The desk's database: migrated to the newest schema, policy defaults seeded."""
    engine = make_engine(url)
    upgrade(engine)
    with transaction(session_factory(engine)) as s:
        seed_policy(s, now or datetime.now(UTC))
    return engine

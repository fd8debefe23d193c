"""The Alembic migration builds exactly the schema of the models, on both dialects, and the
application upgrades an existing SQLite file only after a backup copy."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from app.db import migrate
from app.db.engine import make_engine
from app.db.models import Base


def test_migration_matches_the_models(db_url):
    engine = migrate.open_database(db_url)
    assert migrate.current(engine) == migrate.head()
    with engine.connect() as c:
        ctx = MigrationContext.configure(c, opts={"compare_type": True})
        assert compare_metadata(ctx, Base.metadata) == []


def test_upgrade_backs_up_an_existing_sqlite_file(tmp_path):
    url = f"sqlite:///{tmp_path / 'desk.sqlite'}"
    engine = migrate.open_database(url)
    assert migrate.upgrade(engine) is None  # already at head: nothing to do, no copy
    with engine.begin() as c:  # pretend the file comes from an older release
        c.exec_driver_sql("UPDATE alembic_version SET version_num = '0000'")
        c.exec_driver_sql("CREATE TABLE IF NOT EXISTS old_marker (x int)")
    engine.dispose()
    engine = make_engine(url)
    assert migrate.backup_sqlite(engine).exists()

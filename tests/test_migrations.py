"""The Alembic migration builds exactly the schema of the models, on both dialects, and the
application upgrades an existing SQLite file only after a backup copy."""

from __future__ import annotations

import pytest
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


def test_P5_migration_0006_recomputes_every_plate_key_in_the_canonical_form(tmp_path):
    """Files registered before issue 15 keep their P5 key in the old form (`9999/012`, an RLM
    inside): 0006 rewrites them so a new `9999-12` meets the open file; two open files that
    turn out to be one plate both stay, the later one's key marked."""
    from alembic import command
    from sqlalchemy import text

    from app.domain.text import canonical_plate

    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    cfg = migrate._config()
    with engine.begin() as c:
        cfg.attributes["connection"] = c
        command.upgrade(cfg, "0003")
    cols = (
        'file_no, plate, plate_key, address, municipal_file_no, area, floors, "group", use, '
        "status, brought_by_role, brought_by_name, created_at, drawings_approved"
    )
    with engine.begin() as c:
        for i, (plate, status) in enumerate(
            [("9999/012", "distribution"), ("9999-12", "intake"), ("\u200f77/5", "completed")]
        ):
            c.execute(
                text(
                    f"INSERT INTO projects ({cols}) VALUES (:f, :p, :p, '', '', 100, 1, 'A', "
                    "'residential', :s, 'owner', '', '2026-01-01', 0)"
                ),
                {"f": f"1405-{i}", "p": plate, "s": status},
            )
    migrate.upgrade(engine)
    with engine.connect() as c:
        keys = [r[0] for r in c.execute(text("SELECT plate_key FROM projects ORDER BY id"))]
    assert keys == ["9999/12", "9999/12#2", "77/5"]
    assert canonical_plate("\u200f77/5") == "77/5"


FIRM_0008 = (
    "INSERT INTO engineers (kind, membership_no, national_id, first_name, last_name,"
    " father_name, resident_in_province, legal_incapacity, active_execution_project,"
    " design_build_qualified, employed_by_permit_authority, data_complete, member_since,"
    " base_score, created_at, updated_at) VALUES ('firm', 'F-1', '10861234567', 'شرکت',"
    " 'کارون‌سازه', '', true, false, false, false, false, true, 1400, 0, :t, :t)"
)
COMPANY_0009 = (
    "INSERT INTO owners (kind, national_id, first_name, last_name, father_name, address)"
    " VALUES ('legal', '10861234565', '', 'شرکت کارون', '', '')"
)


@pytest.mark.parametrize(
    ("revision", "table", "row", "key", "value"),
    [  # 0009: a firm supervisor's registration; 0010: a company owner's
        ("0009", "engineers", FIRM_0008, "membership_no", "F-1"),
        ("0010", "owners", COMPANY_0009, "national_id", "10861234565"),
    ],
)
def test_a_registration_is_added_as_plain_columns_and_taken_away_again(
    db_url, revision, table, row, key, value
):
    """The revision adds `registration_no` and `registration_place` as plain nullable
    columns (rows already there keep theirs empty); downgrading to the one before drops them
    again, and upgrading brings them back."""
    from alembic import command
    from sqlalchemy import inspect, text

    engine = migrate.open_database(db_url)
    with engine.begin() as c:
        c.execute(text(row), {"t": "2026-11-01 08:00:00+00:00"})

    def columns() -> set[str]:
        engine.dispose()
        return {c["name"] for c in inspect(engine).get_columns(table)}

    added = {"registration_no", "registration_place"}
    assert added <= columns()
    before = f"{int(revision) - 1:04d}"
    cfg = migrate._config()
    with engine.begin() as c:
        cfg.attributes["connection"] = c
        command.downgrade(cfg, before)
    assert migrate.current(engine) == before
    assert not added & columns()
    migrate.upgrade(engine)  # (SQLite: after its backup copy)
    assert migrate.current(engine) == migrate.head()
    with engine.connect() as c:
        got = c.execute(text(f"SELECT {key}, registration_no FROM {table}")).one()
    assert tuple(got) == (value, None)

"""issue 17: a deadline run records the rows it read (format 2) and publishes its lists as
columns; PostgreSQL stores the published lists as text (the bytes hashed) with lz4 and the
compressed record as it is

Revision ID: 0008
Revises: 0007
Create Date: 1405-09-20

Runs recorded before keep their record as it was (format 1, the canonical JSON of the
decision's objects) and their published lists as lists of objects: `verify-run` and the
screens read both forms, so nothing recorded or published is rewritten.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_LZ4 = (
    "DO $$ BEGIN "
    "ALTER TABLE rounds ALTER COLUMN ranking SET COMPRESSION lz4, "
    "ALTER COLUMN set_aside SET COMPRESSION lz4; "
    "EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN "
    "ALTER TABLE rounds ALTER COLUMN ranking SET STORAGE EXTERNAL, "
    "ALTER COLUMN set_aside SET STORAGE EXTERNAL; END $$"
)


def upgrade() -> None:
    # a plain ADD COLUMN on both dialects: a batch copy of the table would have to drop the
    # old one, which the rounds of recorded runs refer to
    op.add_column(
        "deadline_runs",
        sa.Column("snapshot_format", sa.Integer(), nullable=False, server_default=sa.text("1")),
    )
    if op.get_bind().dialect.name == "postgresql":
        # the published lists as text: the bytes the run hashed, without `json`'s input check
        op.execute(
            "ALTER TABLE rounds ALTER COLUMN ranking TYPE text USING ranking::text, "
            "ALTER COLUMN set_aside TYPE text USING set_aside::text"
        )
        op.execute(_LZ4)
        op.execute("ALTER TABLE deadline_runs ALTER COLUMN snapshot SET STORAGE EXTERNAL")
    else:  # SQLite stores JSON as text already; only the declared type changes (no table
        # refers to rounds, so a batch copy may drop it)
        with op.batch_alter_table("rounds") as batch:
            for name in ("ranking", "set_aside"):
                batch.alter_column(name, type_=sa.Text(), existing_type=sa.JSON())


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE rounds ALTER COLUMN ranking TYPE json USING ranking::json, "
            "ALTER COLUMN set_aside TYPE json USING set_aside::json"
        )
    else:
        with op.batch_alter_table("rounds") as batch:
            for name in ("ranking", "set_aside"):
                batch.alter_column(name, type_=sa.JSON(), existing_type=sa.Text())
    op.drop_column("deadline_runs", "snapshot_format")

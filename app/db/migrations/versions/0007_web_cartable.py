"""issue 13: the engineers' web cartable — one-time SMS codes (the second sign-in step and the
forgotten password), hashed under the server's key, expiring and attempt-limited; and the
office's switch for the second step

Revision ID: 0007
Revises: 0006
Create Date: 1405-09-20
"""

import sqlalchemy as sa
import app.db.types
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("organization_settings") as t:
        t.add_column(
            sa.Column("web_sms_code", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "one_time_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=12), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("salt", sa.String(length=32), nullable=False),
        sa.Column("code_mac", sa.String(length=64), nullable=False),
        sa.Column("mobile_hint", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("created_at", app.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", app.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("used_at", app.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("gateway_ref", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_one_time_codes_user_id_users", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["auth_sessions.id"],
            name="fk_one_time_codes_session_id_auth_sessions",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_one_time_codes"),
    )
    op.create_index(
        "ix_one_time_codes_user_id_purpose", "one_time_codes", ["user_id", "purpose"]
    )
    op.create_index("ix_one_time_codes_session_id", "one_time_codes", ["session_id"])


def downgrade() -> None:
    op.drop_index("ix_one_time_codes_session_id", table_name="one_time_codes")
    op.drop_index("ix_one_time_codes_user_id_purpose", table_name="one_time_codes")
    op.drop_table("one_time_codes")
    with op.batch_alter_table("organization_settings") as t:
        t.drop_column("web_sms_code")

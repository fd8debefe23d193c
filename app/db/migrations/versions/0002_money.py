"""money: tariffs (F1), staged payouts (F3/F4), SMS delivery attempts (A8)

Revision ID: 0002
Revises: 0001
Create Date: 1405-08-30
"""

from datetime import date, datetime, UTC

import sqlalchemy as sa
from alembic import op

import app.db.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# The published 1405 group-A row (reference-data.md); 1405-01-01 is 2026-03-21.
SHIPPED_1405_A = {
    "arch": 1_120_000,
    "civil": 1_289_000,
    "mech": 509_000,
    "elec": 475_000,
    "coord": 141_000,
}


def upgrade() -> None:
    tariffs = op.create_table(
        "tariffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("group", sa.String(length=1), nullable=False),
        sa.Column("discipline", sa.String(length=8), nullable=False),
        sa.Column("rials_per_m2", sa.BigInteger(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("created_at", app.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.CheckConstraint("rials_per_m2 >= 0", name=op.f("ck_tariffs_rials_nonnegative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tariffs")),
        sa.UniqueConstraint(
            "group",
            "discipline",
            "effective_from",
            name=op.f("uq_tariffs_group_discipline_effective_from"),
        ),
    )
    op.create_table(
        "stage_payouts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("engineer_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("fee_rials", sa.BigInteger(), nullable=False),
        sa.Column("percent", sa.Integer(), nullable=False),
        sa.Column("amount_rials", sa.BigInteger(), nullable=False),
        sa.Column("report_no", sa.String(length=64), nullable=False),
        sa.Column("reported_at", app.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reported_by", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", app.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("paid_at", app.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("paid_ref", sa.String(length=64), nullable=True),
        sa.CheckConstraint("amount_rials >= 0", name=op.f("ck_stage_payouts_amount_nonnegative")),
        sa.ForeignKeyConstraint(
            ["decided_by"],
            ["users.id"],
            name=op.f("fk_stage_payouts_decided_by_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["engineer_id"],
            ["engineers.id"],
            name=op.f("fk_stage_payouts_engineer_id_engineers"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referrals.id"],
            name=op.f("fk_stage_payouts_referral_id_referrals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reported_by"],
            ["users.id"],
            name=op.f("fk_stage_payouts_reported_by_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stage_payouts")),
        sa.UniqueConstraint(
            "referral_id", "stage", name=op.f("uq_stage_payouts_referral_id_stage")
        ),
    )
    with op.batch_alter_table("stage_payouts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_stage_payouts_engineer_id"), ["engineer_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_stage_payouts_status"), ["status"], unique=False)
    op.create_table(
        "sms_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notification_id", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("at", app.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("gateway", sa.String(length=40), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["notifications.id"],
            name=op.f("fk_sms_attempts_notification_id_notifications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_attempts")),
    )
    with op.batch_alter_table("sms_attempts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sms_attempts_notification_id"), ["notification_id"], unique=False
        )
    # The shipped tariff row (a migrated desk database starts with it; see app/services/fees.py).
    now = datetime.now(UTC)
    op.bulk_insert(
        tariffs,
        [
            {
                "year": 1405,
                "group": "A",
                "discipline": d,
                "rials_per_m2": r,
                "effective_from": date(2026, 3, 21),
                "status": "published",
                "source": "reference-data.md: تعرفه نظارت ۱۴۰۵ گروه الف (عرف منتشرشده فارس)",
                "created_at": now,
                "created_by": "system",
            }
            for d, r in SHIPPED_1405_A.items()
        ],
    )


def downgrade() -> None:
    with op.batch_alter_table("sms_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sms_attempts_notification_id"))
    op.drop_table("sms_attempts")
    with op.batch_alter_table("stage_payouts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stage_payouts_status"))
        batch_op.drop_index(batch_op.f("ix_stage_payouts_engineer_id"))
    op.drop_table("stage_payouts")
    op.drop_table("tariffs")

"""issue 14: a firm's registration number (شماره ثبت) and where it was registered, printed on
its papers beside its national ID

Revision ID: 0009
Revises: 0008
Create Date: 1405-09-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain ADD COLUMN on both dialects (nullable, no default: nothing rewritten): a batch
    # copy of `engineers` would have to drop the table that candidacies, referrals, holds and
    # the recorded runs refer to
    op.add_column("engineers", sa.Column("registration_no", sa.String(20), nullable=True))
    op.add_column("engineers", sa.Column("registration_place", sa.String(100), nullable=True))


def downgrade() -> None:
    op.drop_column("engineers", "registration_place")
    op.drop_column("engineers", "registration_no")

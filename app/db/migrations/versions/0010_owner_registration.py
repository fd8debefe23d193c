"""issue 14: a company owner's registration number (شماره ثبت) and where it was registered,
printed on its contract beside its national ID (as a firm supervisor's, 0009)

Revision ID: 0010
Revises: 0009
Create Date: 1405-09-15
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ADD COLUMNs (nullable, no default): `owners` is referred to by project_owners
    op.add_column("owners", sa.Column("registration_no", sa.String(20), nullable=True))
    op.add_column("owners", sa.Column("registration_place", sa.String(100), nullable=True))


def downgrade() -> None:
    op.drop_column("owners", "registration_place")
    op.drop_column("owners", "registration_no")

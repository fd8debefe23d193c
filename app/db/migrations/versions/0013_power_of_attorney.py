"""the owners' attorney's power of attorney (وکالت‌نامه): its number, date and notary office,
which the contract states beside the attorney (documents.md §2, Parties)

Revision ID: 0013
Revises: 0012
Create Date: 1405-09-16
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ADD COLUMNs (nullable: a file registered before names no power of attorney)
    op.add_column("projects", sa.Column("poa_no", sa.String(40), nullable=True))
    op.add_column("projects", sa.Column("poa_date", sa.Date(), nullable=True))
    op.add_column("projects", sa.Column("poa_notary", sa.String(120), nullable=True))


def downgrade() -> None:
    for name in ("poa_notary", "poa_date", "poa_no"):
        op.drop_column("projects", name)

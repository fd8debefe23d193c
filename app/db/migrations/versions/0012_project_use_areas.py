"""a mixed-use building's area by use (زیربنا به تفکیک کاربری), which its contract states in
the property section beside the total area: code → the area as a decimal string

Revision ID: 0012
Revises: 0011
Create Date: 1405-09-17
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain ADD COLUMN (nullable: a file registered before it is of one use, or says none)
    op.add_column("projects", sa.Column("use_areas", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("projects", "use_areas")

"""issue 12: an idempotency key remembers the request it answered (the use case's body's
SHA-256): the same key sent with another body is refused, not answered with the first reply

Revision ID: 0011
Revises: 0010
Create Date: 1405-09-16
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain ADD COLUMN (nullable: keys kept before it answer only their own use case)
    op.add_column("request_keys", sa.Column("body_digest", sa.String(64), nullable=True))


def downgrade() -> None:
    op.drop_column("request_keys", "body_digest")

"""issue 15: the engineer's Sheba number (IBAN), the bank receipt's scan with an owner's fee
payment, and every plate's P5 key recomputed in the one canonical form (text.canonical_plate)

Revision ID: 0006
Revises: 0005
Create Date: 1405-09-14
"""

import re

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# A frozen copy of app.domain.text.canonical_plate as of this revision (a migration never
# changes meaning when the code moves on).
_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
_LETTERS = str.maketrans({"ي": "ی", "ك": "ک", "ى": "ی", "ة": "ه", "ۍ": "ی", "ێ": "ی"})
_INVISIBLE = dict.fromkeys(
    map(
        ord,
        "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
        "\u200b\u200d\u2060\ufeff\u00ad\u0640",
    )
)
_SPACES = dict.fromkeys(
    map(ord, "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
        "\u200a\u202f\u205f\u3000\t\r\n\v\f"),
    " ",
)
_SEPARATORS = re.compile(r"[\s/\\\-–—_.,،|]+")


def canonical_plate(plate: str) -> str:
    text = plate.translate(_LETTERS).translate(_DIGITS).translate(_INVISIBLE).translate(_SPACES)
    parts = [p for p in _SEPARATORS.split(text.replace("\u200c", "")) if p]
    return "/".join((p.lstrip("0") or "0") if p.isascii() and p.isdigit() else p for p in parts)


def upgrade() -> None:
    with op.batch_alter_table("engineers") as t:
        t.add_column(sa.Column("iban", sa.String(26), nullable=True))
    with op.batch_alter_table("fee_payments") as t:
        t.add_column(sa.Column("receipt_filename", sa.String(200), nullable=True))
        t.add_column(sa.Column("receipt_mime", sa.String(60), nullable=True))
        t.add_column(sa.Column("receipt_content", sa.LargeBinary(), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(
        sa.text("SELECT id, plate, plate_key, status FROM projects ORDER BY id")
    ).all()
    taken: set[str] = set()
    changed: dict[int, str] = {}
    for pid, plate, key, status in rows:
        new = canonical_plate(plate) or key
        if status in ("intake", "distribution"):
            if new in taken:  # two open files that were one plate all along: keep both
                new = f"{new}#{pid}"  # visible, and the P5 index still holds
            taken.add(new)
        if new != key:
            changed[pid] = new
    update = sa.text("UPDATE projects SET plate_key = :k WHERE id = :i")
    for pid in changed:  # out of the way first: a new key may be another row's old one
        bind.execute(update, {"k": f"~{pid}", "i": pid})
    for pid, new in changed.items():
        bind.execute(update, {"k": new, "i": pid})


def downgrade() -> None:
    with op.batch_alter_table("fee_payments") as t:
        t.drop_column("receipt_content")
        t.drop_column("receipt_mime")
        t.drop_column("receipt_filename")
    with op.batch_alter_table("engineers") as t:
        t.drop_column("iban")

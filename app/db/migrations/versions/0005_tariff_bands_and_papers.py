"""tariff tables by group and floor band (F1 changed), the coordinator's share of payouts;
papers as records: organization settings, a file's permit particulars, issued papers (issue 14)

Revision ID: 0005
Revises: 0004
Create Date: 1405-09-14

F1 now prices a file by its group's floor band (الف 1–2; ب 3–5; ج 6–7, 8–10; د 11–12, 13–15,
16+) from one table per year with its source and activation date. Each existing cell (one
price for a whole group) becomes the same price for every band of its group, and the cells
that took effect on the same day become one table: what a file was charged does not change.
"""

from collections import defaultdict
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import app.db.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# Frozen copy of app.domain.money.FLOOR_BANDS (a migration never changes meaning).
BANDS = {"A": ("1-2",), "B": ("3-5",), "C": ("6-7", "8-10"), "D": ("11-12", "13-15", "16+")}


def _jalali_year(d) -> int:
    import jdatetime

    return jdatetime.date.fromgregorian(date=d).year


def _new_tariffs_table():
    return op.create_table(
        "tariffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("table_id", sa.Integer(), nullable=False),
        sa.Column("group", sa.String(length=1), nullable=False),
        sa.Column("band", sa.String(length=5), nullable=False),
        sa.Column("discipline", sa.String(length=8), nullable=False),
        sa.Column("rials_per_m2", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("created_at", app.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.CheckConstraint("rials_per_m2 >= 0", name=op.f("ck_tariffs_rials_nonnegative")),
        sa.ForeignKeyConstraint(
            ["table_id"],
            ["tariff_tables.id"],
            name=op.f("fk_tariffs_table_id_tariff_tables"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tariffs")),
        sa.UniqueConstraint(
            "table_id",
            "group",
            "band",
            "discipline",
            name=op.f("uq_tariffs_table_id_group_band_discipline"),
        ),
    )


def upgrade() -> None:
    bind = op.get_bind()
    t = sa.table(
        "tariffs",
        sa.column("id", sa.Integer()),
        sa.column("year", sa.Integer()),
        sa.column("group", sa.String()),
        sa.column("discipline", sa.String()),
        sa.column("rials_per_m2", sa.BigInteger()),
        sa.column("effective_from", sa.Date()),
        sa.column("status", sa.String()),
        sa.column("source", sa.Text()),
        sa.column("created_at", app.db.types.UTCDateTime(timezone=True)),
        sa.column("created_by", sa.String()),
    )
    old = bind.execute(
        sa.select(
            t.c.year,
            t.c.group,
            t.c.discipline,
            t.c.rials_per_m2,
            t.c.effective_from,
            t.c.status,
            t.c.source,
            t.c.created_at,
            t.c.created_by,
        ).order_by(t.c.effective_from, t.c.id)
    ).all()
    tables = op.create_table(
        "tariff_tables",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", app.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tariff_tables")),
        sa.UniqueConstraint("effective_from", name=op.f("uq_tariff_tables_effective_from")),
    )
    op.drop_table("tariffs")
    cells = _new_tariffs_table()
    by_day = defaultdict(list)
    for row in old:
        by_day[row.effective_from].append(row)
    now = datetime.now(UTC)
    header_rows, cell_rows = [], []
    for n, (day, rows) in enumerate(sorted(by_day.items()), 1):
        published = all(r.status == "published" for r in rows)
        source = next((r.source for r in rows if r.source), "")
        header_rows.append(
            {
                "id": n,
                "year": min(r.year for r in rows) if rows else _jalali_year(day),
                "effective_from": day,
                "title": "",
                "source": source,
                "status": "published" if published else "entered",
                "created_at": now,
                "created_by": "migration 0005",
            }
        )
        for r in rows:
            for band in BANDS.get(r.group, ()):
                cell_rows.append(
                    {
                        "table_id": n,
                        "group": r.group,
                        "band": band,
                        "discipline": r.discipline,
                        "rials_per_m2": r.rials_per_m2,
                        "status": "published" if r.status == "published" else "entered",
                        "source": r.source or "",
                        "created_at": r.created_at or now,
                        "created_by": r.created_by or "system",
                    }
                )
    if header_rows:
        op.bulk_insert(tables, header_rows)
    if cell_rows:
        op.bulk_insert(cells, cell_rows)
    if bind.dialect.name == "postgresql" and header_rows:
        bind.execute(
            sa.text(
                "SELECT setval(pg_get_serial_sequence('tariff_tables', 'id'), "
                "(SELECT max(id) FROM tariff_tables))"
            )
        )

    with op.batch_alter_table("stage_payouts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("coordinator_rials", sa.BigInteger(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("stage_payouts", schema=None) as batch_op:
        batch_op.alter_column("coordinator_rials", server_default=None)

    op.create_table(
        "organization_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("province", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=200), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("postal_code", sa.String(length=10), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("website", sa.String(length=120), nullable=False),
        sa.Column("public_url", sa.String(length=200), nullable=False),
        sa.Column("bank", sa.String(length=80), nullable=False),
        sa.Column("account_no", sa.String(length=40), nullable=False),
        sa.Column("iban", sa.String(length=26), nullable=False),
        sa.Column("signers", sa.JSON(), nullable=False),
        sa.Column("municipalities", sa.JSON(), nullable=False),
        sa.Column("demo", sa.Boolean(), nullable=False),
        sa.Column("updated_at", app.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organization_settings")),
    )
    op.create_table(
        "project_permits",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("city", sa.String(length=60), nullable=False),
        sa.Column("municipal_district", sa.String(length=20), nullable=False),
        sa.Column("structure_type", sa.String(length=20), nullable=False),
        sa.Column("permit_no", sa.String(length=40), nullable=False),
        sa.Column("permit_date", sa.Date(), nullable=True),
        sa.Column("updated_at", app.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_project_permits_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("project_id", name=op.f("pk_project_permits")),
    )
    op.create_table(
        "issued_papers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("subject", sa.String(length=40), nullable=False),
        sa.Column("file_no", sa.String(length=20), nullable=True),
        sa.Column("issued_at", app.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("issued_by", sa.String(length=120), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("content_digest", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("replaces_id", sa.Integer(), nullable=True),
        sa.Column("prints", sa.Integer(), nullable=False),
        sa.Column("last_printed_at", app.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["replaces_id"],
            ["issued_papers.id"],
            name=op.f("fk_issued_papers_replaces_id_issued_papers"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_issued_papers_user_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issued_papers")),
        sa.UniqueConstraint("code", name=op.f("uq_issued_papers_code")),
        sa.UniqueConstraint("number", name=op.f("uq_issued_papers_number")),
        sa.UniqueConstraint("year", "seq", name=op.f("uq_issued_papers_year_seq")),
    )
    with op.batch_alter_table("issued_papers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_issued_papers_kind_subject"), ["kind", "subject"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("issued_papers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_issued_papers_kind_subject"))
    op.drop_table("issued_papers")
    op.drop_table("project_permits")
    op.drop_table("organization_settings")
    with op.batch_alter_table("stage_payouts", schema=None) as batch_op:
        batch_op.drop_column("coordinator_rials")
    bind = op.get_bind()
    tt = sa.table(
        "tariff_tables",
        sa.column("id", sa.Integer()),
        sa.column("year", sa.Integer()),
        sa.column("effective_from", sa.Date()),
    )
    c = sa.table(
        "tariffs",
        sa.column("table_id", sa.Integer()),
        sa.column("group", sa.String()),
        sa.column("band", sa.String()),
        sa.column("discipline", sa.String()),
        sa.column("rials_per_m2", sa.BigInteger()),
        sa.column("status", sa.String()),
        sa.column("source", sa.Text()),
        sa.column("created_at", app.db.types.UTCDateTime(timezone=True)),
        sa.column("created_by", sa.String()),
    )
    rows = bind.execute(
        sa.select(
            tt.c.year,
            tt.c.effective_from,
            c.c.group,
            c.c.band,
            c.c.discipline,
            c.c.rials_per_m2,
            c.c.status,
            c.c.source,
            c.c.created_at,
            c.c.created_by,
        ).join(tt, tt.c.id == c.c.table_id)
    ).all()
    op.drop_table("tariffs")
    op.drop_table("tariff_tables")
    old = op.create_table(
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
    # one price per group again: the group's first band
    keep = [r for r in rows if r.band == BANDS.get(r.group, ("",))[0]]
    if keep:
        op.bulk_insert(
            old,
            [
                {
                    "year": r.year,
                    "group": r.group,
                    "discipline": r.discipline,
                    "rials_per_m2": r.rials_per_m2,
                    "effective_from": r.effective_from,
                    "status": "published" if r.status == "published" else "default",
                    "source": r.source,
                    "created_at": r.created_at,
                    "created_by": r.created_by,
                }
                for r in keep
            ],
        )

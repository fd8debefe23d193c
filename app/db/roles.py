"""Least-privilege PostgreSQL roles (U2). Three people hold the database, each with less:

- the schema's owner (migrations; the triggers that keep the trail append-only are its own),
- the office server's role (`nezarat_server`): works the office — reads and writes every
  table — but may only read and append the audit trail, never change, delete or truncate it,
  nor touch the schema's revision;
- a read-only role for reports and auditors (`nezarat_reports`).

No desk holds any of them: desks reach the database only through the office server."""

from __future__ import annotations

from .models import Base

APPEND_ONLY = ("audit_log",)


def roles_sql(
    database: str, app_role: str = "nezarat_server", readonly_role: str = "nezarat_reports"
) -> list[str]:
    """Statements for a superuser (or the database owner) to run once, and after an upgrade
    that adds tables. The roles are NOLOGIN groups: grant them to login users."""
    tables = [t.name for t in Base.metadata.sorted_tables]
    dml = [t for t in tables if t not in APPEND_ONLY]
    out = [
        f"DO $$ BEGIN CREATE ROLE {app_role} NOLOGIN; EXCEPTION WHEN duplicate_object THEN "
        f"NULL; END $$",
        f"DO $$ BEGIN CREATE ROLE {readonly_role} NOLOGIN; EXCEPTION WHEN duplicate_object "
        f"THEN NULL; END $$",
        f'REVOKE ALL ON DATABASE "{database}" FROM PUBLIC',
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        f'GRANT CONNECT ON DATABASE "{database}" TO {app_role}, {readonly_role}',
        f"GRANT USAGE ON SCHEMA public TO {app_role}, {readonly_role}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {app_role}, {readonly_role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON {', '.join(dml)} TO {app_role}",
        # the trail: read and append only — no UPDATE, DELETE or TRUNCATE (and a trigger too)
        f"GRANT SELECT, INSERT ON {', '.join(APPEND_ONLY)} TO {app_role}",
        # the server reads the schema's revision; upgrades are the owner's (`open_database`)
        f"GRANT SELECT ON alembic_version TO {app_role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app_role}",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {readonly_role}",
    ]
    return out

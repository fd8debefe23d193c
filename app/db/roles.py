"""Least-privilege PostgreSQL roles (U2). Three people hold the database, each with less:

- the schema's owner (migrations; the triggers that keep the trail append-only are its own),
- the office server's role (`nezarat_server`): works the office — reads and writes every
  table — but may only read and append the audit trail, never change, delete or truncate it,
  nor touch the schema's revision;
- a read-only role for reports and auditors (`nezarat_reports`): every table but the
  secrets (password, session and one-time-code hashes).

No desk holds any of them: desks reach the database only through the office server."""

from __future__ import annotations

from .models import Base

APPEND_ONLY = ("audit_log",)
# what only the server may read: session and one-time-code hashes, and the users' password
# hashes (the reports role reads every other column of users)
SECRET_TABLES = ("auth_sessions", "one_time_codes")
SECRET_COLUMNS = {"users": ("password_hash",)}


def roles_sql(
    database: str, app_role: str = "nezarat_server", readonly_role: str = "nezarat_reports"
) -> list[str]:
    """Statements for a superuser (or the database owner) to run once, and after an upgrade
    that adds tables. The roles are NOLOGIN groups: grant them to login users."""
    tables = [t.name for t in Base.metadata.sorted_tables]
    dml = [t for t in tables if t not in APPEND_ONLY]
    hidden = set(SECRET_TABLES) | set(SECRET_COLUMNS)
    readable = [t for t in tables if t not in hidden] + ["alembic_version"]
    partly = {
        name: [c.name for c in Base.metadata.tables[name].columns if c.name not in cols]
        for name, cols in SECRET_COLUMNS.items()
    }
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
        # reports and auditors read everything but the secrets (offline cracking, a session)
        f"GRANT SELECT ON {', '.join(readable)} TO {readonly_role}",
        *(
            f"GRANT SELECT ({', '.join(cols)}) ON {table} TO {readonly_role}"
            for table, cols in partly.items()
        ),
    ]
    return out

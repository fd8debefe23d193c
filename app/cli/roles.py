"""`main.py db-roles`: the least-privilege roles of the office's PostgreSQL database."""

from __future__ import annotations

import argparse


def cmd_roles(args: argparse.Namespace) -> int:
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from ..db.roles import roles_sql
    from .errors import check_url, reach

    check_url(args.db)  # a bad URL is one Persian line, even when only printing
    url = make_url(args.db)
    if not url.drivername.startswith("postgresql"):
        print("db-roles: only for PostgreSQL (SQLite is one desk's file)")
        return 2
    sql = roles_sql(url.database, args.app_role, args.readonly_role)
    if not args.apply:
        print(";\n".join(sql) + ";")
        print(
            f"-- then, for the office server: CREATE ROLE nezarat_srv LOGIN PASSWORD '…' "
            f"IN ROLE {args.app_role};\n"
            f"-- and for reports or an auditor: CREATE ROLE auditor LOGIN PASSWORD '…' "
            f"IN ROLE {args.readonly_role};"
        )
        return 0
    with reach(args.db).begin() as c:  # a server that does not answer: one Persian line
        for statement in sql:
            c.execute(text(statement))
    print(f"db-roles: {len(sql)} statement(s) applied to {url.database}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    r = sub.add_parser(
        "db-roles", help="least-privilege PostgreSQL roles: the office server's and a read-only one"
    )
    r.add_argument("--db", required=True, help="the PostgreSQL database, as its owner")
    r.add_argument("--app-role", default="nezarat_server", help="the office server's role")
    r.add_argument("--readonly-role", default="nezarat_reports", help="reports and auditors")
    r.add_argument("--apply", action="store_true", help="run the statements (else print)")
    r.set_defaults(func=cmd_roles)

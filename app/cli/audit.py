"""`main.py audit verify`: the first broken link of the audit trail's hash chain (U2)."""

from __future__ import annotations

import argparse

from ..db.engine import default_url


def cmd_audit(args: argparse.Namespace) -> int:
    from ..db.migrate import open_database
    from ..services.audit_trail import verify_chain
    from ..services.context import Actor, ServiceContext

    ctx = ServiceContext(open_database(args.db), actor=Actor("audit-verify", "admin"))
    report = verify_chain(ctx)
    if report.first_broken is None:
        print(f"audit verify: {report.checked} line(s), chain intact")
        return 0
    print(
        f"audit verify: first broken link at line {report.first_broken} "
        f"({report.reason}); {report.checked} line(s) before it are intact"
    )
    return 1


def register(sub: argparse._SubParsersAction) -> None:
    a = sub.add_parser("audit", help="audit trail tools: `audit verify` checks the hash chain")
    a.add_argument("action", choices=("verify",))
    a.add_argument("--db", default=default_url())
    a.set_defaults(func=cmd_audit)

"""`main.py audit verify`: the first broken link of the audit trail's hash chain (U2)."""

from __future__ import annotations

import argparse

from ..db.engine import default_url


def cmd_audit(args: argparse.Namespace) -> int:
    """Only reads: no migration, no seeding (an auditor may hold a read-only role)."""
    from ..db.migrate import current, head
    from ..services.audit_trail import verify_chain
    from ..services.context import Actor, ServiceContext
    from .errors import reach

    engine = reach(args.db)
    schema, program = current(engine), head()
    if schema != program:
        print(
            f"audit verify: پایگاه داده در نسخه {schema or 'خالی'} است و برنامه در نسخه "
            f"{program}؛ یک بار میز را باز کنید تا پایگاه ارتقا یابد، سپس دوباره بررسی کنید"
        )
        return 2
    ctx = ServiceContext(engine, actor=Actor("audit-verify", "admin"))
    report = verify_chain(ctx)
    if report.first_broken is None:
        print(f"audit verify: {report.checked} line(s), chain intact; head {report.head}")
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

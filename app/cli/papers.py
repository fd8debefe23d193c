"""`main.py verify-paper CODE [--db URL]`: what an issued paper's verification code stands for.

Exit 0 with what was issued (kind, number, date, file, parties, what replaced it); exit 1
"unknown" for any other code — a typo, a code never issued here, a code issued under another
installation's key, or a paper whose record was changed behind the service. Only reads.
"""

from __future__ import annotations

import argparse
import sys

from ..db.engine import default_url


def cmd_verify_paper(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from ..domain.calendar import format_jalali_datetime
    from ..domain.errors import InputError
    from ..keys import ForeignKeyError
    from ..services.context import Actor, DatabaseUnavailable, ServiceContext
    from ..services.papers import foreign_key_of, verify_paper
    from .errors import reach

    ctx = ServiceContext(reach(args.db), actor=Actor("verify-paper", "system"))
    try:
        check = verify_paper(ctx, args.code)
    except DatabaseUnavailable as exc:
        print(f"verify-paper: {exc}")
        return 2
    except InputError as exc:  # not a code at all (too long, not text)
        print(f"verify-paper: {exc.message}", file=sys.stderr)
        return 2
    except SQLAlchemyError:  # a database that holds no issued papers (an older schema)
        check = None
    if check is None:
        theirs = foreign_key_of(ctx, args.code)
        if theirs is not None:
            print(f"verify-paper: {ForeignKeyError(theirs, ctx.server_key().key_id)}")
            return 2
        print(f"verify-paper: unknown — کد {args.code} در این دفتر صادر نشده است")
        return 1
    replaced = check.state == "replaced"
    lines = [
        f"verify-paper: VOID — {check.state_fa}"
        if replaced
        else f"verify-paper: OK — {check.kind_fa} شماره {check.number}",
        *([f"  paper     {check.kind_fa} شماره {check.number}"] if replaced else []),
        f"  code      {check.code}",
        f"  kind      {check.kind}",
        f"  issued    {format_jalali_datetime(check.issued_at)} by {check.issued_by}",
        f"  file      {check.file_no or '-'}",
        f"  summary   {check.summary}",
        f"  parties   {'، '.join(check.parties) or '-'}",
        f"  prints    {check.prints}",
        f"  digest    {check.content_digest}",
    ]
    if check.replaces:
        lines.append(f"  replaces  {check.replaces}")
    if check.addenda:
        lines.append(f"  addenda   {'، '.join(check.addenda)}")
    lines += [f"  addendum  {note}" for note in check.addenda_notes]
    lines += [f"  left      {who}" for who in check.departed]
    if replaced:
        when = format_jalali_datetime(check.replaced_by_issued_at)
        lines.append(f"  status    VOID — replaced by {check.replaced_by} of {when}")
    elif check.addenda:
        lines.append(f"  status    in force (not replaced), amended by {'، '.join(check.addenda)}")
    else:
        lines.append("  status    in force (not replaced)")
    print("\n".join(lines))
    return 3 if replaced else 0


def register(sub: argparse._SubParsersAction) -> None:
    v = sub.add_parser(
        "verify-paper",
        help="check a printed paper's verification code",
        description="Exit 0: issued and in force; 1: unknown; 2: unreadable database or "
        "another installation's key; 3: issued but replaced (void).",
    )
    v.add_argument("code")
    v.add_argument("--db", default=default_url())
    v.set_defaults(func=cmd_verify_paper)

"""`main.py send-sms` (A8 outbox sender) and `main.py import-members FILE` (IMS import)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..db.engine import default_url


def cmd_send_sms(args: argparse.Namespace) -> int:
    from ..db.migrate import open_database
    from ..services import sms
    from ..services.context import ServiceContext

    if args.gateway == "kavenegar":
        key = os.environ.get("KAVENEGAR_API_KEY")
        if not key:
            print("send-sms: set KAVENEGAR_API_KEY for the Kavenegar gateway", file=sys.stderr)
            return 2
        try:
            gateway: sms.Gateway = sms.KavenegarGateway(key, os.environ.get("KAVENEGAR_SENDER"))
        except ImportError:
            print("send-sms: install the 'kavenegar' package first", file=sys.stderr)
            return 2
    else:
        gateway = sms.FileGateway(args.file) if args.file else sms.FileGateway()
    summary = sms.send_pending(ServiceContext(open_database(args.db)), gateway, limit=args.limit)
    print(f"send-sms: {summary}")
    return 0


def cmd_import_members(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from ..db.migrate import open_database
    from ..db.models import User
    from ..domain.errors import InputError
    from ..services.context import Actor, ServiceContext
    from ..services.members_import import import_members

    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        print(f"import-members: cannot read {path}: {exc.strerror}", file=sys.stderr)
        return 2
    ctx = ServiceContext(open_database(args.db))
    with ctx.tx() as s:  # U1/U2: the import runs as (and is audited under) a named user
        u = s.scalar(select(User).where(User.username == args.user, User.active))
        actor = Actor(u.username, u.role, u.id, u.engineer_id) if u else None
    if actor is None:
        print(f"import-members: no active user {args.user!r}", file=sys.stderr)
        return 2
    try:
        report = import_members(ctx.as_actor(actor), data, path.name)
    except InputError as exc:  # a file that cannot be read at all: nothing was imported
        print(f"import-members: {exc.message}", file=sys.stderr)
        return 2
    print(report.as_text())
    return 1 if report.problems else 0


def register(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser("send-sms", help="deliver the SMS outbox (A8), with retries and back-off")
    s.add_argument("--db", default=default_url())
    s.add_argument("--gateway", choices=("file", "kavenegar"), default="file")
    s.add_argument("--file", help="file gateway: append messages here (default: print them)")
    s.add_argument("--limit", type=int, default=200)
    s.set_defaults(func=cmd_send_sms)
    m = sub.add_parser("import-members", help="import engineers from an IMS .xlsx/.csv export")
    m.add_argument("file")
    m.add_argument("--db", default=default_url())
    m.add_argument("--user", default="admin", help="the admin or clerk the import runs as")
    m.set_defaults(func=cmd_import_members)

"""`main.py audit verify`: the first broken link of the audit trail's hash chain (U2)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..db.engine import default_data_dir, default_url


def default_head_file(url: str) -> Path | None:
    """Where the server (or the one desk) notes the trail's newest line: beside a SQLite file,
    else in the data folder."""
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        return Path(url.split("///", 1)[1] + ".audit-head.json")
    if url.startswith("sqlite"):
        return None
    return default_data_dir() / "audit-head.json"


def cmd_audit(args: argparse.Namespace) -> int:
    """Only reads: no migration, no seeding (an auditor may hold a read-only role)."""
    from ..keys import KeyFileError, load_key
    from ..services.audit_trail import verify_chain
    from ..services.context import Actor, ServiceContext
    from .errors import open_current

    engine = open_current(args.db)  # an older schema is refused naming migrate
    try:
        key = load_key(args.key_file, create=False)
    except KeyFileError as exc:
        print(f"audit verify: {exc}؛ پرونده کلید سرور را با --key-file بدهید")
        return 2
    note = None
    head_file = Path(args.head) if args.head else default_head_file(args.db)
    if head_file is not None and head_file.exists():
        try:
            note = json.loads(head_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            print(f"audit verify: یادداشت سرِ زنجیره خوانده نشد: {head_file}")
            return 2
    elif args.head:
        print(f"audit verify: یادداشت سرِ زنجیره پیدا نشد: {head_file}")
        return 2
    ctx = ServiceContext(engine, actor=Actor("audit-verify", "admin"), key=key)
    report = verify_chain(ctx, head_note=note)
    if report.tail == "forged":
        print(f"audit verify: {report.reason} ({head_file})")
        return 1
    if report.first_broken is None and report.tail == "cut":
        print(f"audit verify: {report.reason}; {report.checked} line(s) present")
        return 1
    if report.first_broken is None:
        tail = {
            "ok": f"the end matches the server's note ({head_file})",
            "unchecked": "no head note given: lines cut off the end would not show",
        }[report.tail]
        print(f"audit verify: {report.checked} line(s), chain intact; head {report.head}; {tail}")
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
    a.add_argument(
        "--key-file",
        help="the server's key file (default: NEZARAT_KEY_FILE or server.key in the data folder)",
    )
    a.add_argument(
        "--head",
        help="the server's note of the trail's newest line "
        "(default: beside the SQLite file, or audit-head.json in the data folder)",
    )
    a.set_defaults(func=cmd_audit)

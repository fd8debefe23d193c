"""`main.py audit verify`: the first broken link of the audit trail's hash chain (U2)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..db.engine import default_data_dir, default_url


def head_files(url: str, data: str | None) -> list[Path]:
    """Where the trail's newest line may be noted, in the order looked at: the server's data
    folder (`serve --data`, given), the one desk's note beside its SQLite file, the default
    data folder (where `serve` keeps it without --data)."""
    found = [Path(data) / "audit-head.json"] if data else []
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        found.append(Path(url.split("///", 1)[1] + ".audit-head.json"))
    if not data:
        found.append(default_data_dir() / "audit-head.json")
    return found


def cmd_audit(args: argparse.Namespace) -> int:
    """Only reads: no migration, no seeding (an auditor may hold a read-only role)."""
    from ..keys import KeyFileError, load_key
    from ..services.audit_trail import verify_chain
    from ..services.context import Actor, ServiceContext
    from .errors import open_current

    engine = open_current(args.db)  # an older schema is refused naming migrate
    key_file = args.key_file or (str(Path(args.data) / "server.key") if args.data else None)
    try:
        key = load_key(key_file, create=False)
    except KeyFileError as exc:
        print(f"audit verify: {exc}؛ پرونده کلید سرور را با --key-file یا --data بدهید")
        return 2
    note = None
    looked = [Path(args.head)] if args.head else head_files(args.db, args.data)
    head_file = next((f for f in looked if f.exists()), None)
    if head_file is not None:
        try:
            note = json.loads(head_file.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):  # RecursionError: `[` nested 10⁵ deep
            print(f"audit verify: یادداشت سرِ زنجیره خوانده نشد: {head_file}")
            return 2
    elif args.head:
        print(f"audit verify: یادداشت سرِ زنجیره پیدا نشد: {args.head}")
        return 2
    ctx = ServiceContext(engine, actor=Actor("audit-verify", "admin"), key=key)
    report = verify_chain(ctx, head_note=note)
    if report.tail == "forged":
        print(f"audit verify: {report.reason} ({head_file})")
        return 1
    if report.first_broken is None and report.tail == "cut":
        print(f"audit verify: {report.reason}; {report.checked} line(s) present")
        return 1
    if report.first_broken is None and report.tail == "unchecked":
        # no note of the newest line: a trail cut at its end would look whole, so not "intact"
        where = "، ".join(str(f) for f in looked)
        print(
            f"audit verify: {report.checked} line(s) chained, head {report.head}; the END WAS "
            f"NOT CHECKED: no note of the server's newest line at {where} "
            "(give the server's folder with --data or its note with --head)"
        )
        return 3
    if report.first_broken is None:
        print(
            f"audit verify: {report.checked} line(s), chain intact; head {report.head}; "
            f"the end matches the server's note ({head_file})"
        )
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
        "--data",
        help="the office server's data folder (serve --data): its server.key and its note of "
        "the trail's newest line, audit-head.json",
    )
    a.add_argument(
        "--head",
        help="the server's note of the trail's newest line (default: audit-head.json in --data, "
        "beside the SQLite file, or in the default data folder); without one, exit 3",
    )
    a.set_defaults(func=cmd_audit)

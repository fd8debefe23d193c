"""`main.py send-sms` (A8 outbox sender) and `main.py import-members FILE` (IMS import)."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from ..db.engine import default_url

# `import-members` ran to the end but refused some rows (the others are imported): distinct
# from 1, which is what Python gives for a crash
EXIT_REFUSALS = 3
# the rows went in (as with 0 or 3) but the report file could not be written: its text is
# on stdout, and a script must not take the run for a clean one
EXIT_NO_REPORT = 4
IMPORT_EXIT = f"""exit status:
  0    every row imported (or already registered)
  {EXIT_REFUSALS}    done with refusals: the good rows are imported and kept; the report lists each
       refused row with its column and reason
  {EXIT_NO_REPORT}    the rows are imported as with 0 or {EXIT_REFUSALS}, but the report file could
       not be written: its text is on stdout
  2    nothing imported: the file cannot be read, the database or the password is wrong
  130  stopped (Ctrl+C): the rows added so far stay; the report says so
  1    an unexpected error (a traceback): report it"""


def cmd_send_sms(args: argparse.Namespace) -> int:
    from ..services import sms
    from ..services.context import ServiceContext
    from .errors import CommandError, not_onto, not_read, open_existing, writable_file

    if args.gateway == "kavenegar":
        key = os.environ.get("KAVENEGAR_API_KEY")
        if not key:
            print(
                "send-sms: برای درگاه کاوه‌نگار کلید آن را در KAVENEGAR_API_KEY بگذارید",
                file=sys.stderr,
            )
            return 2
        try:
            gateway: sms.Gateway = sms.KavenegarGateway(key, os.environ.get("KAVENEGAR_SENDER"))
        except ImportError:
            print("send-sms: نخست بسته kavenegar را نصب کنید", file=sys.stderr)
            return 2
    elif args.file:
        # before a message is claimed: a typo in the path (no such folder) would otherwise
        # count one failed attempt against each message's retries, and a file that is not an
        # outbox (the database, a document) would be appended to
        out = Path(args.file)
        writable_file(out, "پیامک‌ها")
        not_onto(out, "پیامک‌ها", db=args.db)
        try:
            gateway = sms.FileGateway(out)
        except OSError as exc:
            raise CommandError(not_read(out, exc)) from None
        except sms.OutboxFileError as exc:
            raise CommandError(str(exc)) from None
    else:
        gateway = sms.FileGateway()
    summary = sms.send_pending(ServiceContext(open_existing(args.db)), gateway, limit=args.limit)
    print(f"send-sms: {summary}")
    return 0


def cmd_import_members(args: argparse.Namespace) -> int:
    from ..domain.errors import InputError, RuleViolation
    from ..services.members_import import ImportReport, import_members
    from .errors import not_onto, not_read, not_written, only_replacing, open_existing, signed_in

    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        print(f"import-members: {not_read(path, exc)}", file=sys.stderr)
        return 2
    out = Path(args.report) if args.report else path.with_name(path.name + ".report.txt")
    # before anything is imported: the report is never written over the database, the file
    # being imported, or any file that is not an earlier report (a rerun replaces its own)
    not_onto(out, "گزارش", db=args.db, inputs=(path,))
    only_replacing(out, "گزارش", _is_report, "گزارش ورود اعضا")
    # U1/U2: the import changes data, so it runs as (and is audited under) a named user who
    # proves who they are with their password (a prompt, or NEZARAT_PASSWORD for scripts)
    ctx = signed_in(open_existing(args.db), args.user)
    report = ImportReport()
    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        rate = done / max(time.perf_counter() - started, 1e-9)
        print(
            f"\rimport-members: {done:,}/{total:,} ردیف افزوده شد ({rate:,.0f} در ثانیه)",
            end="" if done < total else "\n",
            file=sys.stderr,
            flush=True,
        )

    refused = False
    unwritten: OSError | None = None
    try:
        import_members(ctx, data, path.name, progress=progress, report=report)
    except (InputError, RuleViolation) as exc:  # an unreadable file, a user without the right
        refused = True  # nothing was imported: no report of a half-done import
        print(f"import-members: {exc.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(
            "\nimport-members: متوقف شد؛ ردیف‌هایی که تا اینجا افزوده شده‌اند می‌مانند",
            file=sys.stderr,
        )
    finally:  # the report, even when stopped half-way
        if not refused:
            try:
                out.write_text(report.as_text() + "\n", encoding="utf-8")
            except OSError as exc:  # said below, never "written": its text goes to stdout
                unwritten = exc
    print(report.as_text())
    if unwritten is not None:
        print(
            f"import-members: {not_written(out, unwritten, 'گزارش')}؛ "
            "متن آن در بالا (خروجی استاندارد) آمده است",
            file=sys.stderr,
        )
    else:
        print(f"import-members: گزارش در {out} نوشته شد", file=sys.stderr)
    if not report.finished:
        return 130
    if unwritten is not None:
        return EXIT_NO_REPORT
    return EXIT_REFUSALS if report.problems else 0


def _is_report(head: bytes) -> bool:
    """The first bytes of an import report (`ImportReport.as_text`: «ردیف‌ها: …»)."""
    return head.startswith("ردیف‌ها:".encode())


def _limit(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if not 1 <= n <= 10_000:
        raise argparse.ArgumentTypeError("باید عددی از ۱ تا ۱۰٬۰۰۰ باشد")
    return n


def register(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser("send-sms", help="deliver the SMS outbox (A8), with retries and back-off")
    s.add_argument("--db", default=default_url())
    s.add_argument("--gateway", choices=("file", "kavenegar"), default="file")
    s.add_argument("--file", help="file gateway: append messages here (default: print them)")
    s.add_argument("--limit", type=_limit, default=200, help="messages at most (1–10,000)")
    s.set_defaults(func=cmd_send_sms)
    m = sub.add_parser(
        "import-members",
        help="import engineers from an IMS .xlsx/.csv export",
        epilog=IMPORT_EXIT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    m.add_argument("file")
    m.add_argument("--report", help="write the report here (default: FILE.report.txt)")
    m.add_argument("--db", default=default_url())
    m.add_argument(
        "--user",
        default="admin",
        help="the admin or clerk the import runs as (password: prompt or NEZARAT_PASSWORD)",
    )
    m.set_defaults(func=cmd_import_members)

#!/usr/bin/env python3
"""Nezarat Desk (میز ارجاع نظارت): the desktop, and the commands an office runs beside it.

    python main.py                      open the desk on the default database
    python main.py simulate FILE.json   replay a scenario (scenario.md)
    python main.py tick                 decide every due deadline and no-show (cron, every minute)
    python main.py demo                 build a believable province to try the product on
    python main.py --help               every command

`app/` never imports Qt or ReportLab; the commands of `ui/` and `reports/` are added here,
at the top, where every layer may be seen.

Without arguments the desk opens before anything heavy is imported (no argparse parser, no
SQLAlchemy, no commands): the login window is painted first, the database is opened behind
it. `NEZARAT_EXIT_ON_PAINT=1` (for `main.py bench`'s cold start) makes the desk print
`painted <ms>` when the login window is first painted, and exit.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()  # the cold-start clock: before any import of ours

import importlib  # noqa: E402
import importlib.util  # noqa: E402
import sys  # noqa: E402

# each exposes register(subparsers)
FRONT_ENDS = ("ui.commands", "reports.commands", "web.commands")


def _has(name: str) -> bool:
    return bool(importlib.util.find_spec(name.split(".")[0]) and importlib.util.find_spec(name))


def main(argv: list[str] | None = None) -> int:
    args_in = sys.argv[1:] if argv is None else argv
    if not args_in and _has("ui.app"):  # the desk: light path, login window first
        from ui.app import run_desktop

        return run_desktop(sys.argv[:1] if argv is None else ["main.py"], started=STARTED)
    from app.cli.commands import build_parser, cmd_summary

    parser, sub = build_parser()
    for name in FRONT_ENDS:
        if _has(name):
            importlib.import_module(name).register(sub)
    args = parser.parse_args(args_in)
    if args.command is not None:
        from app.cli.errors import run_command

        return run_command(args)
    if _has("ui.app"):
        from ui.app import run_desktop

        return run_desktop(sys.argv[:1] if argv is None else ["main.py"], started=STARTED)
    from app.db.engine import default_url

    args.db = default_url()  # no desktop in this build: the morning summary instead
    args.func = cmd_summary
    from app.cli.errors import run_command

    return run_command(args)


def _run() -> int:
    """`main()`, quiet when the reader of stdout has gone (`main.py simulate F | head`)."""
    try:
        code = main()
        sys.stdout.flush()  # a closed pipe shows here at the latest, not at exit
    except BrokenPipeError:
        # Later writes (the interpreter's own flush at exit) go nowhere instead of printing
        # a second error; the exit status is a shell's for a process ended by SIGPIPE
        # (128 + 13; spelled out, as Windows has no signal.SIGPIPE).
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    return code


if __name__ == "__main__":
    raise SystemExit(_run())

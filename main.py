#!/usr/bin/env python3
"""Nezarat Desk (میز ارجاع نظارت): the desktop, and the commands an office runs beside it.

    python main.py                      open the desk on the default database
    python main.py simulate FILE.json   replay a scenario (scenario.md)
    python main.py tick                 decide every due deadline and no-show (cron, every minute)
    python main.py demo                 build a believable province to try the product on
    python main.py --help               every command

`app/` never imports Qt or ReportLab; the commands of `ui/` and `reports/` are added here,
at the top, where every layer may be seen.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys

from app.cli.commands import build_parser, cmd_summary
from app.db.engine import default_url

FRONT_ENDS = ("ui.commands", "reports.commands")  # each exposes register(subparsers)


def main(argv: list[str] | None = None) -> int:
    parser, sub = build_parser()
    for name in FRONT_ENDS:
        if importlib.util.find_spec(name.split(".")[0]) and importlib.util.find_spec(name):
            importlib.import_module(name).register(sub)
    args = parser.parse_args(argv)
    if args.command is not None:
        return args.func(args)
    if importlib.util.find_spec("ui") and importlib.util.find_spec("ui.app"):
        from ui.app import run_desktop

        return run_desktop(sys.argv[:1] if argv is None else ["main.py"])
    args.db = default_url()  # no desktop in this build: the morning summary instead
    return cmd_summary(args)


if __name__ == "__main__":
    raise SystemExit(main())

"""`main.py` subcommands. Each one is a thin shell over the services."""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import time
from pathlib import Path

from ..db.engine import default_url
from ..domain.calendar import format_jalali_date, format_jalali_datetime, jalali_year


def cmd_simulate(args: argparse.Namespace) -> int:
    from ..scenario.replay import simulate
    from ..scenario.schema import DatabaseRefused, ScenarioError, parse_bytes
    from .errors import not_read

    try:
        data = Path(args.scenario).read_bytes()
    except OSError as exc:
        print(f"simulate: {not_read(args.scenario, exc)}", file=sys.stderr)
        return 2
    from sqlalchemy.exc import DataError, IntegrityError

    from .errors import CommandError, not_onto, not_written, only_replacing, writable_file

    if args.out:  # before the replay: with --db it is written to the database first
        out = Path(args.out)
        writable_file(out)
        # never over the database the replay writes, the scenario it reads, or a file that is
        # not an earlier result (a copy of an office's database given by a slip of the hand)
        not_onto(out, "نتیجه", db=args.db, inputs=(Path(args.scenario),))
        only_replacing(out, "نتیجه", _is_result, "نتیجه شبیه‌سازی (referral-result)")
    try:
        result = simulate(parse_bytes(data), args.db)
    except DatabaseRefused as exc:  # the scenario may be fine: --db is not
        print(f"simulate: {exc}", file=sys.stderr)
        return 2
    except ScenarioError as exc:
        print(f"simulate: سناریو نامعتبر است: {exc}", file=sys.stderr)
        return 2
    except (IntegrityError, DataError) as exc:  # a value no check above foresaw
        why = str(exc.orig).splitlines()[0] if exc.orig else type(exc).__name__
        print(
            f"simulate: سناریو نامعتبر است: پایگاه داده مقداری را نپذیرفت ({why})", file=sys.stderr
        )
        return 2
    out = json.dumps(result, ensure_ascii=False, indent=2)
    if args.out:
        try:
            Path(args.out).write_text(out + "\n", encoding="utf-8")
        except OSError as exc:  # a full disk, or the path changed during the replay
            raise CommandError(not_written(args.out, exc)) from None
    else:
        print(out)
    return 0


def _is_result(head: bytes) -> bool:
    """The first bytes of a `referral-result/1` file (what `simulate --out` writes)."""
    return re.match(rb'\s*\{\s*"format"\s*:\s*"referral-result/', head) is not None


def clock_skew_seconds(text: str) -> float:
    """`--max-clock-skew`: a finite number of seconds ≥ 0. NaN or ∞ would turn the guard off
    (every comparison with NaN is false), a negative one refuses every run for a wrong reason."""
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds < 0:
        raise argparse.ArgumentTypeError(f"باید عددی از صفر به بالا (ثانیه) باشد، نه «{text}»")
    return seconds


def cmd_tick(args: argparse.Namespace) -> int:
    from ..db.clock import clock_skew
    from ..domain.errors import InputError
    from ..services.calendar import calendar_status
    from ..services.context import ServiceContext, system_clock
    from ..services.deadlines import run_due
    from .errors import CommandError, open_existing

    engine = open_existing(args.db)
    skew = clock_skew(engine, system_clock)
    if abs(skew.total_seconds()) > args.max_clock_skew:
        print(
            f"tick: ساعت این رایانه با ساعت پایگاه داده {abs(skew.total_seconds()):.0f} ثانیه "
            "اختلاف دارد؛ هیچ مهلتی تصمیم‌گیری نشد. ساعت را همگام کنید.",
            file=sys.stderr,
        )
        return 2
    started = time.perf_counter()
    ctx = ServiceContext(engine)
    warning = calendar_status(ctx).warning
    if warning:  # months before the holiday table runs out, every minute's log says so
        print(f"tick: {warning}", file=sys.stderr)
    try:
        summary = run_due(ctx)
    except InputError as exc:  # a deadline or window on a day the calendar does not cover
        raise CommandError(exc.message) from None
    took = time.perf_counter() - started
    print(
        f"tick: {summary.deadlines} deadline(s), {summary.decided} referral(s) decided "
        f"({summary.selected} selected, {summary.forced} forced, {summary.extended} extended, "
        f"{summary.unassigned} unassigned), {summary.no_shows} no-show(s), "
        f"{summary.skipped} already done by another desk; {took:.2f}s"
    )
    return 0


def cmd_verify_run(args: argparse.Namespace) -> int:
    """A10: decide recorded deadline runs again and compare with what was published."""
    from sqlalchemy import select

    from ..db.models import DeadlineRun
    from ..services.context import ServiceContext
    from ..services.deadlines import recheck_run
    from .errors import open_existing

    ctx = ServiceContext(open_existing(args.db))
    with ctx.tx() as s:
        q = select(DeadlineRun.id, DeadlineRun.deadline).where(DeadlineRun.kind == "deadline")
        if args.run:
            q = q.where(DeadlineRun.id.in_(args.run))
        runs = s.execute(q.order_by(DeadlineRun.deadline)).all()
    bad = 0
    for run_id, at in runs:
        ok, why = recheck_run(ctx, run_id)
        bad += not ok
        print(f"run {run_id} ({format_jalali_datetime(at)}): {'OK' if ok else 'MISMATCH'} — {why}")
    print(f"{len(runs) - bad} of {len(runs)} run(s) re-decided identically")
    return 1 if bad else 0


def cmd_summary(args: argparse.Namespace) -> int:
    """What the desk would show this morning: the last deadline run and what is open now."""
    from collections import Counter

    from ..domain.codes import DISCIPLINE_FA
    from ..services.context import ServiceContext
    from ..services.queries import engineer_standings, referrals_overview
    from .errors import open_existing

    ctx = ServiceContext(open_existing(args.db))
    refs = referrals_overview(ctx)
    if not refs:
        print("The database holds no referrals yet: run `main.py demo` first.")
        return 0
    print(
        f"Nezarat Desk — {len(refs)} referral(s): "
        + ", ".join(f"{k} {v}" for k, v in sorted(Counter(r.status for r in refs).items()))
    )
    decided = [(rnd, r) for r in refs for rnd in r.rounds]
    if decided:
        last = max(rnd.deadline for rnd, _ in decided)
        print(f"\nLast deadline run: {format_jalali_datetime(last)}")
        names = engineer_standings(
            ctx, {x.engineer_id for rnd, _ in decided if rnd.deadline == last for x in rnd.ranking}
        )
        for rnd, r in sorted(
            ((rnd, r) for rnd, r in decided if rnd.deadline == last),
            key=lambda x: (x[1].file_no, x[1].discipline),
        ):
            top = ", ".join(f"{names[x.engineer_id].name} ({x.score})" for x in rnd.ranking[:3])
            print(
                f"  {r.file_no} {DISCIPLINE_FA[r.discipline]:<16} round {rnd.no} "
                f"{rnd.kind:<9} → {rnd.outcome:<10} {top}"
            )
    upcoming = sorted({r.deadline for r in refs if r.deadline})
    if upcoming:
        print(
            f"\nNext deadline: {format_jalali_datetime(upcoming[0])} "
            f"({sum(r.deadline == upcoming[0] for r in refs)} referral(s) open)"
        )
    signing = [r for r in refs if r.status == "selected"]
    if signing:
        print(
            f"Awaiting signature: {len(signing)} selection(s), next window "
            f"{format_jalali_datetime(min(r.sign_from for r in signing))}"
        )
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    """The explicit first-run step: a new database with the newest schema and the shipped
    policy; the first administrator is made by `main.py create-admin`."""
    from ..db.migrate import open_database
    from .errors import CommandError, check_url, is_blank, reach, sqlite_path

    check_url(args.db)
    path = sqlite_path(args.db)
    if path is not None and path.exists():
        raise CommandError(f"پرونده پایگاه داده از پیش هست: {path}؛ init فقط پایگاه تازه می‌سازد")
    if path is None and not is_blank(reach(args.db)):
        raise CommandError("پایگاه داده خالی نیست؛ init فقط پایگاه تازه می‌سازد")
    from ..services import calendar
    from ..services.context import Actor, ServiceContext

    engine = open_database(args.db)
    ctx = ServiceContext(engine, actor=Actor("init", "system"))
    year = jalali_year(ctx.now())  # reference-data.md: the official calendar is the default
    loaded = calendar.load_official_calendar(ctx, year + 1)
    print(f"init: database ready at {args.db}")
    print(
        f"init: official holidays loaded through {format_jalali_date(loaded.through)} "
        f"({len(loaded.estimated)} estimated lunar day(s) to confirm: main.py holidays show)"
    )
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from ..demo.province import build_demo
    from .errors import check_url, reach, sqlite_path

    # demo makes a new SQLite file (and the data folder on the first run); a bad URL, a
    # server that does not answer or a file that is no database is one Persian line
    check_url(args.db)
    path = sqlite_path(args.db)
    if path is None or path.exists():
        reach(args.db).dispose()
    return build_demo(
        args.db, engineers=args.engineers, projects=args.projects, seed=args.seed, reset=args.reset
    )


def build_parser() -> tuple[argparse.ArgumentParser, argparse._SubParsersAction]:
    p = argparse.ArgumentParser(prog="main.py", description="میز ارجاع نظارت — Nezarat Desk")
    p.add_argument(
        "--key-file",
        dest="office_key_file",
        help="the office's secret key for any command (as NEZARAT_KEY_FILE; default: "
        "server.key in the data folder) — the office server's, when it works on its database",
    )
    sub = p.add_subparsers(dest="command")
    s = sub.add_parser("simulate", help="replay a referral-scenario/1 file")
    s.add_argument("scenario")
    s.add_argument("--db", help="database URL (default: a throw-away SQLite database)")
    s.add_argument(
        "--out",
        help="write the result JSON here instead of stdout (an earlier result is replaced; "
        "any other existing file, the scenario or the --db database is refused)",
    )
    s.set_defaults(func=cmd_simulate)
    t = sub.add_parser("tick", help="decide every due deadline and signing-window end")
    t.add_argument("--db", default=default_url())
    t.add_argument(
        "--max-clock-skew",
        type=clock_skew_seconds,
        default=5.0,
        help="seconds this computer's clock may differ from the database's",
    )
    t.set_defaults(func=cmd_tick)
    v = sub.add_parser("verify-run", help="re-decide recorded deadline runs and compare (A10)")
    v.add_argument("run", nargs="*", type=int, help="run ids (default: all)")
    v.add_argument("--db", default=default_url())
    v.set_defaults(func=cmd_verify_run)
    i = sub.add_parser("init", help="make a new, empty office database (first run)")
    i.add_argument("--db", default=default_url())
    i.set_defaults(func=cmd_init)
    d = sub.add_parser("demo", help="build a demo province in a database")
    d.add_argument("--db", default=default_url())
    d.add_argument("--engineers", type=int, default=2400)
    d.add_argument("--projects", type=int, default=150)
    d.add_argument("--seed", type=int, default=1405)
    d.add_argument("--reset", action="store_true", help="drop the database's tables and rebuild")
    d.set_defaults(func=cmd_demo)
    add_plugins(sub)
    return p, sub


def add_plugins(sub: argparse._SubParsersAction) -> None:
    """Commands of other modules of `app/cli/` (each exposes `register(subparsers)`)."""
    import importlib
    import pkgutil

    from .. import cli

    for info in sorted(pkgutil.iter_modules(cli.__path__), key=lambda m: m.name):
        if info.name != "commands":
            module = importlib.import_module(f"{cli.__name__}.{info.name}")
            if hasattr(module, "register"):
                module.register(sub)

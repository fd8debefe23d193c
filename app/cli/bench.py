"""`main.py bench`: every measure of issue 6 against a limit measured in the same run, on the
same data, as a ratio with its goal.

Order: the bench data is built once (an EMPTY database: `--db`; a throw-away PostgreSQL server:
`--pg`; or a temporary SQLite file);
the measures that read it as built run first (the cartable, then whatever the desk
registered for stage "data"); then the deadline run, which changes it; then the measures
that do not read it (stage "end": documents, cold start). `ui/` and `reports/` register
theirs in `app.bench.measure` when `main.py` imports their commands.

Exit 0 when every measure ran, whether or not its goal is met (a missed goal says MISSES);
2 when the database is not empty; an error ends the run with a traceback (exit 1).
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import sqlite3
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path


def machine(engine) -> dict:
    """CPU count, Python, SQLite (the module's) and the database server's version."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as c:
            server = "PostgreSQL " + str(c.exec_driver_sql("SHOW server_version").scalar())
    else:
        server = f"SQLite {sqlite3.sqlite_version} (a file, in process)"
    return {
        "cpus": os.cpu_count(),
        "load": [round(x, 2) for x in os.getloadavg()],  # 1, 5 and 15 minutes, at the end
        "platform": platform.platform(terse=True),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "server": server,
    }


def run_bench(url: str, scale: str) -> dict:
    from ..bench import measure as registry
    from ..bench.cartable import measure_cartable
    from ..bench.data import build, default_deadline
    from ..bench.deadline import measure_deadline

    started = datetime.now(UTC)
    load = [round(x, 2) for x in os.getloadavg()]
    t0 = time.perf_counter()
    world = build(url, scale, default_deadline())
    seconds = {"data": time.perf_counter() - t0}
    measures = []
    try:

        def run(name: str, fn) -> None:
            gc.collect()  # no measure pays for the garbage of the one before
            t = time.perf_counter()
            got = fn(world)
            seconds[name] = time.perf_counter() - t
            measures.extend(got)

        run("cartable", measure_cartable)
        for fn in registry.registered("data"):
            run(getattr(fn, "__qualname__", repr(fn)), fn)
        run("deadline run", lambda w: [measure_deadline(w)])
        for fn in registry.registered("end"):
            run(getattr(fn, "__qualname__", repr(fn)), fn)
        about = machine(world.engine)
    finally:
        world.engine.dispose()
    seconds["total"] = time.perf_counter() - t0
    return {
        "measures": measures,
        "data": world.sizes() | {"scale": scale},
        "machine": about | {"load_at_start": load},
        "started_at": started.isoformat(timespec="seconds"),
        "seconds": seconds,
    }


def _fmt(value: float, unit: str) -> str:
    if unit == "s" and value < 1:
        return f"{value * 1000:9.1f} ms"
    return f"{value:9.3f} {unit} "


# the throw-away server's memory for a national run (its defaults are for a small machine)
BENCH_PG = {"shared_buffers": "'1GB'", "work_mem": "'64MB'", "maintenance_work_mem": "'256MB'"}


def cmd_bench(args: argparse.Namespace) -> int:
    from ..bench.data import NotEmpty

    with tempfile.TemporaryDirectory(prefix="nz-bench-") as tmp, ExitStack() as stack:
        url = args.db or f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        if args.pg:
            from ..db.throwaway_pg import PgServer

            server = stack.enter_context(PgServer(dbname="nz_bench", settings=BENCH_PG))
            url = server.create_database(f"nz_bench_{args.scale}")
        try:
            out = run_bench(url, args.scale)
        except NotEmpty as exc:
            print(f"bench: {exc}", file=sys.stderr)
            return 2
    measures = out.pop("measures")
    if args.json:
        rows = [
            {
                "name": m.name,
                "value": m.value,
                "unit": m.unit,
                "limit": m.limit,
                "ratio": m.ratio if math.isfinite(m.ratio) else None,
                "goal": m.goal,
                **({"detail": m.detail} if m.detail else {}),
            }
            for m in measures
        ]
        misses = [m.name for m in measures if not m.meets]
        doc = json.dumps({"measures": rows, "misses": misses, **out}, ensure_ascii=False, indent=2)
        if args.out:
            Path(args.out).parent.mkdir(parents=True, exist_ok=True)
            Path(args.out).write_text(doc + "\n", encoding="utf-8")
        print(doc)
        return 0
    d, mach, sec = out["data"], out["machine"], out["seconds"]
    print(
        f"data ({d['scale']}, {d['dialect']}): {d['engineers']:,} engineers; "
        f"{d['open_referrals']:,} open referrals, {d['due_referrals']:,} of them due at the "
        f"measured deadline; {d['candidacies']:,} candidacies, {d['due_candidacies']:,} on the "
        f"due referrals; built in {sec['data']:.1f} s"
    )
    print(
        f"machine: {mach['cpus']} CPUs, {mach['platform']}, Python {mach['python']}, "
        f"SQLite {mach['sqlite']}, server {mach['server']}"
    )
    print(
        f"started {out['started_at']}, {sec['total']:.1f} s in all; load average "
        f"{mach['load_at_start']} at the start, {mach['load']} at the end"
    )
    for m in measures:
        verdict = "meets" if m.meets else "MISSES"
        print(
            f"{m.name}\n    {_fmt(m.value, m.unit)}  limit {_fmt(m.limit, m.unit)}  "
            f"ratio {m.ratio:6.2f}  goal ≤ {m.goal:g}  {verdict}"
        )
    timed = ", ".join(f"{k} {v:.1f} s" for k, v in sec.items() if k not in ("data", "total"))
    print(f"time per measure: {timed}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    b = sub.add_parser("bench", help="benchmarks against limits measured in the same run")
    where = b.add_mutually_exclusive_group()
    where.add_argument("--db", help="an EMPTY database URL (default: a temporary SQLite file)")
    where.add_argument(
        "--pg",
        action="store_true",
        help="on a throw-away PostgreSQL server started for the run (needs its binaries)",
    )
    b.add_argument("--scale", choices=("tiny", "province", "national"), default="province")
    b.add_argument("--json", action="store_true")
    b.add_argument("--out", help="with --json: also write the JSON to this file (docs/bench/…)")
    b.set_defaults(func=cmd_bench)

"""The deadline run against the bare fetch of its inputs (issues 6 and 17).

The limit is the run's own reads and nothing else: the statements of `app/db/run_fetch.py`
— every table the decision reads, exactly the rows and columns it reads, each once — run on
a bare DB-API cursor and `fetchall`ed, in a transaction of their own; no domain object, no
rule, no write. Its rows are checked row for row against the inputs the run recorded (A10).
Like the run, it is timed with the cyclic garbage collector paused (`collector_paused`): with
it on, the collector walks the rows as they pile up — ~10% of a national fetch — which the
run does not pay, and a limit that pays it would be that much easier to meet.

The run is timed three times, each on a fresh copy of the bench data (SQLite: a copy of the
file; PostgreSQL: `CREATE DATABASE … TEMPLATE`), each time right after a bare fetch on the
same copy (and one before, untimed, so both read warm caches). The measure is the median run
against the median bare fetch; the process's CPU time is given beside the wall time (on
PostgreSQL the server's own CPU is not in it), and each phase's share of the run.
"""

from __future__ import annotations

import os
import shutil
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.engine import make_url

from ..db import run_fetch
from ..db.engine import make_engine, session_factory
from ..db.models import DeadlineRun
from ..db.policy_store import policy_at
from ..db.record_blob import unpack
from ..domain.run_inputs import TABLES, decode_record
from ..services.context import ServiceContext, SimClock
from ..services.deadlines import collector_paused, decide_due
from .data import BenchWorld
from .measure import Measure

__all__ = ["Measure", "bare_fetch", "measure_deadline"]

RUNS = 3


def bare_fetch(engine: Engine, at, policy) -> dict[str, Any]:
    """The run's reads on a bare cursor: the rows of every table the decision reads."""
    with engine.connect() as c:
        q = run_fetch.Reader(c.connection.driver_connection, engine.dialect.name)
        try:
            return run_fetch.fetch(q, at, policy)
        finally:
            q.close()


def _rows(name: str, table: Any) -> list[tuple]:
    """A table's rows, whatever its form (rows, or columns), in one order."""
    if isinstance(table, dict):
        cols = [table[c] for c in TABLES[name]]
        cols = [c.tolist() if hasattr(c, "tolist") else list(c) for c in cols]
        rows = list(zip(*cols, strict=True))
    else:
        rows = [tuple(r) for r in table]
    return sorted(rows, key=lambda r: tuple((v is None, str(v)) for v in r))


def check_rows(bare: dict[str, Any], recorded: dict[str, Any]) -> None:
    """The bare fetch read exactly the rows the run recorded, table by table."""
    for name in TABLES:
        got, want = _rows(name, bare[name]), _rows(name, recorded[name])
        if got != want:
            raise AssertionError(
                f"{name}: the bare fetch read {len(got):,} rows, the run {len(want):,}"
            )


@contextmanager
def fresh_copy(world: BenchWorld, i: int) -> Iterator[Engine]:
    """A copy of the bench data as built (the run changes it), dropped afterwards."""
    url = make_url(world.url)
    world.engine.dispose()
    if url.get_backend_name() == "sqlite":
        src = url.database
        dst = f"{src}.run{i}"
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(src + suffix):
                shutil.copyfile(src + suffix, dst + suffix)
        engine = make_engine(str(url.set(database=dst)))
        try:
            yield engine
        finally:
            engine.dispose()
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(dst + suffix):
                    os.remove(dst + suffix)
        return
    name = f"{url.database}_run{i}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            c.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{url.database}"'))
        engine = make_engine(url.set(database=name).render_as_string(hide_password=False))
        try:
            yield engine
        finally:
            engine.dispose()
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    finally:
        admin.dispose()


def _timed(fn) -> tuple[Any, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def _recorded(engine: Engine, at) -> dict[str, Any]:
    with engine.connect() as c:
        blob = c.scalar(
            select(DeadlineRun.snapshot).where(
                DeadlineRun.kind == "deadline", DeadlineRun.deadline == at
            )
        )
    return dict(decode_record(unpack(blob)).tables)


def measure_deadline(world: BenchWorld) -> Measure:
    """The deadline run of `world.deadline`, three times on fresh copies of the data, against
    the bare fetch of its inputs on the same copies."""
    at = world.deadline
    runs: list[dict[str, Any]] = []
    for i in range(RUNS):
        with fresh_copy(world, i) as engine:
            with session_factory(engine)() as s, s.begin():
                policy = policy_at(s, at)
            bare_fetch(engine, at, policy)  # warm: the run reads what this read
            with collector_paused():  # as the run is
                bare, bare_s, bare_cpu = _timed(lambda e=engine, p=policy: bare_fetch(e, at, p))
            ctx = ServiceContext(engine, clock=SimClock(at))
            phases: dict[str, float] = {}
            done, run_s, run_cpu = _timed(lambda c=ctx, p=phases: decide_due(c, at, phases=p))
            assert done
            check_rows(bare, _recorded(engine, at))
            del bare
            runs.append(
                {
                    "run_s": run_s,
                    "run_cpu_s": run_cpu,
                    "bare_s": bare_s,
                    "bare_cpu_s": bare_cpu,
                    "phases_s": phases,
                }
            )
    run = statistics.median(r["run_s"] for r in runs)
    bare = statistics.median(r["bare_s"] for r in runs)
    mid = sorted(runs, key=lambda r: r["run_s"])[len(runs) // 2]
    shares = ", ".join(f"{k} {v / mid['run_s']:.0%}" for k, v in mid["phases_s"].items())
    per = 1e6 / max(world.candidacies, 1)
    name = (
        f"deadline run, {world.scale}: {world.referrals:,} referrals, "
        f"{world.candidacies:,} candidacies ({world.engine.dialect.name}; median of {RUNS} "
        f"runs on fresh copies: CPU {statistics.median(r['run_cpu_s'] for r in runs):.2f} s "
        f"against the bare fetch's {statistics.median(r['bare_cpu_s'] for r in runs):.2f} s; "
        f"{run * per:.1f} µs per candidacy against {bare * per:.1f}; phases: {shares})"
    )
    detail = {
        "runs": runs,
        "per_candidacy_us": {"run": run * per, "bare": bare * per},
        "candidacies": world.candidacies,
        "referrals": world.referrals,
    }
    return Measure(name, run, "s", bare, 2.0, detail)

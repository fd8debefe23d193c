"""One engineer's cartable among 5,000 open referrals, against a bare fetch (issue 6).

The cartable service (`candidacy.cartable`) is timed for 200 engineers; so is the plainest
indexed SQL returning the same rows (referral, project, round, active candidate count,
whether the engineer stands): the rows the cartable showed, fetched by primary key — the
bare side is handed the answer and only reads it, the service works out which referrals the
rules (C1, C2, G, S1, S4–S7, W4) let through and reads them. Each fetch is checked to hold
exactly the cartable's rows. Each engineer's figure is the best of 3, the two sides
alternately; the measure is the p95 over the engineers of each side.
"""

from __future__ import annotations

import random
import statistics
import time

from sqlalchemy import bindparam, select, text

from ..db.models import Competence
from ..services.candidacy import cartable
from ..services.context import ServiceContext, SimClock
from .data import BenchWorld
from .measure import Measure

ENGINEERS = 200
REPEAT = 3  # each engineer's figure is the best of 3 (warm caches, as on a desk that is open)

BARE = text(
    'SELECT r.id, p.file_no, r.discipline, p."group", r.area, ro.no, ro.kind, ro.deadline, '
    "EXISTS (SELECT 1 FROM candidacies m WHERE m.referral_id = r.id AND m.engineer_id = :e "
    "AND m.status = 'active') AS standing, "
    "(SELECT count(*) FROM candidacies c WHERE c.referral_id = r.id AND c.status = 'active') "
    "AS candidates "
    "FROM referrals r JOIN rounds ro ON ro.referral_id = r.id AND ro.no = r.round_no "
    "JOIN projects p ON p.id = r.project_id "
    "WHERE r.id IN :ids "
    "ORDER BY ro.deadline, p.file_no, r.discipline"
).bindparams(bindparam("ids", expanding=True))


def _p95(xs: list[float]) -> float:
    return statistics.quantiles(xs, n=20, method="inclusive")[-1]


def pick_engineers(world: BenchWorld, n: int = ENGINEERS, seed: int = 6) -> list[int]:
    """`n` engineers with a supervision competence, the same for both sides."""
    with world.engine.connect() as c:
        ids = sorted(
            set(c.scalars(select(Competence.engineer_id).where(Competence.kind == "supervision")))
        )
    return sorted(random.Random(seed).sample(ids, min(n, len(ids))))


def measure_cartable(world: BenchWorld) -> list[Measure]:
    now = world.now
    ctx = ServiceContext(world.engine, clock=SimClock(now))
    engineers = pick_engineers(world)
    service: list[float] = []
    bare: list[float] = []
    shown = 0

    def fetch(e: int, ids: list[int]) -> list:
        with world.engine.connect() as c:  # a connection and transaction each, as the service
            return c.execute(BARE, {"e": e, "ids": ids or [-1]}).all()

    # warm both paths once
    fetch(engineers[0], [i.referral_id for i in cartable(ctx, engineers[0])])
    for e in engineers:  # alternately, so that other work on the machine hits both alike
        ids = [i.referral_id for i in cartable(ctx, e)]  # the answer, for the bare side
        best_bare = best_service = float("inf")
        for _ in range(REPEAT):
            t0 = time.perf_counter()
            rows = fetch(e, ids)
            t1 = time.perf_counter()
            items = cartable(ctx, e)
            t2 = time.perf_counter()
            best_bare, best_service = min(best_bare, t1 - t0), min(best_service, t2 - t1)
        bare.append(best_bare)
        service.append(best_service)
        if sorted(i.referral_id for i in items) != sorted(r.id for r in rows):
            raise AssertionError(f"engineer {e}: the bare fetch is not the cartable's rows")
        shown += len(items)
    n = len(engineers)
    name = (
        f"cartable p95 of {n} engineers, {world.open_referrals:,} open referrals "
        f"({shown / n:.0f} rows per engineer; limit: the same rows fetched by primary key; "
        f"{world.engine.dialect.name})"
    )
    return [Measure(name, _p95(service), "s", _p95(bare), 2.0)]

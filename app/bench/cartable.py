"""One engineer's cartable among 5,000 open referrals, against a bare fetch (issue 6).

The cartable service (`candidacy.cartable`) is timed for 200 engineers; so is the plainest
indexed SQL returning the rows a cartable shows (referral, project, round, active candidate
count, whether the engineer stands): the open referrals whose round runs, in the engineer's
supervision disciplines, and those the engineer stands for — without the rules (C1, C2, G,
S1, S4–S7), which may leave some rows out of the cartable (so the limit fetches at least as
many rows as the cartable shows). Each engineer's figure is the best of 3, the two sides
alternately; the measure is the p95 over the engineers of each side.
"""

from __future__ import annotations

import random
import statistics
import time

from sqlalchemy import bindparam, select, text

from ..db.models import Competence
from ..db.types import UTCDateTime
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
    "WHERE r.status = 'open' AND ro.kind = 'candidacy' AND ro.outcome IS NULL "
    "AND ro.deadline > :t AND (r.discipline IN (SELECT x.discipline FROM competences x "
    "WHERE x.engineer_id = :e AND x.kind = 'supervision') OR r.id IN (SELECT m.referral_id "
    "FROM candidacies m WHERE m.engineer_id = :e AND m.status = 'active')) "
    "ORDER BY ro.deadline, p.file_no, r.discipline"
).bindparams(bindparam("t", type_=UTCDateTime()))


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
    shown = fetched = 0

    def fetch(e: int) -> list:
        with world.engine.connect() as c:  # a connection and transaction each, as the service
            return c.execute(BARE, {"e": e, "t": now}).all()

    fetch(engineers[0])  # warm both paths once
    cartable(ctx, engineers[0])
    for e in engineers:  # alternately, so that other work on the machine hits both alike
        best_bare = best_service = float("inf")
        for _ in range(REPEAT):
            t0 = time.perf_counter()
            rows = fetch(e)
            t1 = time.perf_counter()
            items = cartable(ctx, e)
            t2 = time.perf_counter()
            best_bare, best_service = min(best_bare, t1 - t0), min(best_service, t2 - t1)
        bare.append(best_bare)
        service.append(best_service)
        got = {i.referral_id for i in items}
        if not got <= {r.id for r in rows}:  # the bare fetch must cover what is shown
            raise AssertionError(f"engineer {e}: the cartable shows rows the bare fetch lacks")
        shown += len(items)
        fetched += len(rows)
    n = len(engineers)
    name = (
        f"cartable p95 of {n} engineers, {world.open_referrals:,} open referrals "
        f"(rows: {shown / n:.0f} shown, {fetched / n:.0f} fetched per engineer; "
        f"{world.engine.dialect.name})"
    )
    return [Measure(name, _p95(service), "s", _p95(bare), 2.0)]

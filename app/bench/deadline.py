"""The deadline run against a bare fetch of the rows its decision needs (issue 6)."""

from __future__ import annotations

import time

from sqlalchemy import bindparam, text

from ..db.types import UTCDateTime
from ..services.context import ServiceContext, SimClock
from ..services.deadlines import decide_due
from .data import BenchWorld
from .measure import Measure

__all__ = ["BARE", "Measure", "bare_fetch", "measure_deadline"]  # Measure: app.bench.measure

# The rows the decision reads, fetched as plainly as the database allows: no ORM, no rules.
BARE = [
    'SELECT r.id, r.project_id, r.discipline, r.area, p."group", p.file_no, p.ready_at, '
    "ro.no, ro.kind FROM rounds ro JOIN referrals r ON r.id = ro.referral_id "
    "JOIN projects p ON p.id = r.project_id WHERE ro.outcome IS NULL AND ro.deadline = :t",
    "SELECT c.referral_id, c.engineer_id, c.stood_at FROM candidacies c JOIN rounds ro "
    "ON ro.referral_id = c.referral_id WHERE c.status = 'active' AND ro.outcome IS NULL "
    "AND ro.deadline = :t",
    "SELECT e.* FROM engineers e WHERE e.id IN (SELECT c.engineer_id FROM candidacies c "
    "JOIN rounds ro ON ro.referral_id = c.referral_id WHERE c.status = 'active' "
    "AND ro.outcome IS NULL AND ro.deadline = :t)",
    "SELECT x.engineer_id, x.discipline, x.grade, x.kind, x.expires_on FROM competences x "
    "WHERE x.engineer_id IN (SELECT c.engineer_id FROM candidacies c JOIN rounds ro "
    "ON ro.referral_id = c.referral_id WHERE c.status = 'active' AND ro.outcome IS NULL "
    "AND ro.deadline = :t)",
    "SELECT d.engineer_id, d.ready, d.rules_accepted, d.groups, d.supervision_percent "
    "FROM declarations d WHERE d.engineer_id IN (SELECT c.engineer_id FROM candidacies c "
    "JOIN rounds ro ON ro.referral_id = c.referral_id WHERE c.status = 'active' "
    "AND ro.outcome IS NULL AND ro.deadline = :t)",
    "SELECT l.engineer_id, l.expires_on FROM licences l WHERE l.is_current AND l.engineer_id "
    "IN (SELECT c.engineer_id FROM candidacies c JOIN rounds ro ON ro.referral_id = "
    "c.referral_id WHERE c.status = 'active' AND ro.outcome IS NULL AND ro.deadline = :t)",
    "SELECT h.engineer_id, sum(h.area), count(*) FROM capacity_holds h WHERE h.released_at "
    "IS NULL AND h.engineer_id IN (SELECT c.engineer_id FROM candidacies c JOIN rounds ro "
    "ON ro.referral_id = c.referral_id WHERE c.status = 'active' AND ro.outcome IS NULL "
    "AND ro.deadline = :t) GROUP BY h.engineer_id",
]


def bare_fetch(engine, at) -> float:
    started = time.perf_counter()
    with engine.connect() as c:
        for q in BARE:  # the instant bound as the column stores it (UTC text on SQLite)
            c.execute(text(q).bindparams(bindparam("t", type_=UTCDateTime())), {"t": at}).all()
    return time.perf_counter() - started


def measure_deadline(world: BenchWorld) -> Measure:
    """The deadline run of `world.deadline` on the world's data (which it changes: run it
    after the measures that read the data as built) against the best of 3 bare fetches."""
    deadline = world.deadline
    bare = min(bare_fetch(world.engine, deadline) for _ in range(3))
    ctx = ServiceContext(world.engine, clock=SimClock(deadline))
    phases: dict[str, float] = {}
    started = time.perf_counter()
    assert decide_due(ctx, deadline, phases=phases)
    run = time.perf_counter() - started
    name = (
        f"deadline run, {world.scale}: {world.referrals:,} referrals, "
        f"{world.candidacies:,} candidacies ({world.engine.dialect.name}; "
        + ", ".join(f"{k} {v:.2f} s" for k, v in phases.items())
        + ")"
    )
    return Measure(name, run, "s", bare, 2.0)

"""The deadline run against a bare fetch of the rows its decision needs (issue 6)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import bindparam, text

from ..db.types import UTCDateTime
from ..services.context import ServiceContext, SimClock
from ..services.deadlines import decide_due
from .data import build, default_deadline

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


@dataclass(frozen=True)
class Measure:
    name: str
    value: float
    unit: str
    limit: float
    goal: float

    @property
    def ratio(self) -> float:
        return self.value / self.limit if self.limit else float("inf")


def bare_fetch(engine, at) -> float:
    started = time.perf_counter()
    with engine.connect() as c:
        for q in BARE:  # the instant bound as the column stores it (UTC text on SQLite)
            c.execute(text(q).bindparams(bindparam("t", type_=UTCDateTime())), {"t": at}).all()
    return time.perf_counter() - started


def measure_deadline(url: str, scale: str) -> tuple[Measure, dict]:
    deadline = default_deadline()
    world = build(url, scale, deadline)
    bare = min(bare_fetch(world.engine, deadline) for _ in range(3))
    ctx = ServiceContext(world.engine, clock=SimClock(deadline))
    started = time.perf_counter()
    assert decide_due(ctx, deadline)
    run = time.perf_counter() - started
    info = {
        "engineers": world.engineers,
        "referrals": world.referrals,
        "candidacies": world.candidacies,
        "dialect": world.engine.dialect.name,
    }
    name = f"deadline run, {scale} ({world.engine.dialect.name})"
    return Measure(name, run, "s", bare, 2.0), info

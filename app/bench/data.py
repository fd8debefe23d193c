"""Bulk data for benchmarks: a province or a nation of engineers, with due referrals and
their candidacies, and more open referrals (the cartable's) whose round ends a day later.
Written with set-based inserts straight into the tables (a benchmark
measures the deadline run, not the registration desk); every row is one the services
could have written."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import Engine, insert

from ..db.bootstrap import open_fresh
from ..db.models import (
    Candidacy,
    CapacityHold,
    Competence,
    DeclarationRow,
    Engineer,
    Licence,
    Owner,
    Project,
    ProjectOwner,
    Referral,
    Round,
)
from ..domain.calendar import jalali_year

SCALES = {
    "tiny": (2_000, 40, 20_000),
    "province": (20_000, 300, 150_000),
    "national": (100_000, 2_000, 1_000_000),
}
# Open referrals in all (the due ones included): the cartable is measured among 5,000. The
# others' round ends a day after the measured deadline, so the deadline run's due set is the
# same as without them; each has a few candidates (the cartable shows the count).
OPEN = {"tiny": 500, "province": 5_000, "national": 5_000}
LATER_CANDIDATES = 10
DISCS = ("arch", "civil", "mech", "elec", "survey", "urban", "traffic")
WEIGHTS = (0.26, 0.36, 0.12, 0.12, 0.07, 0.04, 0.03)
GRADES = ("3", "2", "1", "senior")


@dataclass(frozen=True)
class BenchWorld:
    url: str
    scale: str
    engine: Engine
    deadline: datetime
    engineers: int
    referrals: int  # due at `deadline`
    candidacies: int  # on the due referrals
    open_referrals: int = 0  # all open referrals (due and later)
    later_candidacies: int = 0  # on the later ones

    @property
    def now(self) -> datetime:
        """The instant the data is written at (rounds open, candidates stood)."""
        return self.deadline - timedelta(hours=10)

    def sizes(self) -> dict:
        return {
            "engineers": self.engineers,
            "due_referrals": self.referrals,
            "due_candidacies": self.candidacies,
            "open_referrals": self.open_referrals,
            "candidacies": self.candidacies + self.later_candidacies,
            "dialect": self.engine.dialect.name,
        }


class NotEmpty(ValueError):
    """The bench writes its own data: it needs an empty database."""


def _require_empty(url: str) -> None:
    from sqlalchemy import create_engine, inspect

    engine = create_engine(url)
    try:
        tables = inspect(engine).get_table_names()
    finally:
        engine.dispose()
    if tables:
        raise NotEmpty(
            f"the database is not empty ({len(tables)} tables, e.g. {sorted(tables)[0]}): "
            "the bench needs an EMPTY database"
        )


def _chunks(rows: list[dict], n: int = 5_000):
    for i in range(0, len(rows), n):
        yield rows[i : i + n]


def build(url: str, scale: str, deadline: datetime, seed: int = 1405) -> BenchWorld:
    """Engineers with competences, declarations, licences and some held work; projects whose
    referrals (3 or 4 disciplines each) all have a round ending at `deadline`; candidacies
    spread over the referrals of each discipline; then more projects whose referrals' round
    ends a day later, up to `OPEN[scale]` open referrals in all. `url`: an EMPTY database."""
    n_eng, n_ref, n_cand = SCALES[scale]
    rng = random.Random(seed)
    now = deadline - timedelta(hours=10)
    year = jalali_year(now)
    _require_empty(url)
    engine = open_fresh(url, now)
    eng, comp, decl, lic, holds = [], [], [], [], []
    by_disc: dict[str, list[int]] = {d: [] for d in DISCS}
    for i in range(1, n_eng + 1):
        disc = rng.choices(DISCS, WEIGHTS)[0]
        grade = rng.choices(GRADES, (0.4, 0.33, 0.18, 0.09))[0]
        eng.append(
            {
                "id": i,
                "kind": "person",
                "membership_no": f"7-{100000 + i}",
                "national_id": None,
                "first_name": "م",
                "last_name": f"{i}",
                "father_name": "",
                "mobile": None,
                "resident_in_province": rng.random() > 0.01,
                "legal_incapacity": False,
                "active_execution_project": rng.random() < 0.01,
                "design_build_qualified": False,
                "employed_by_permit_authority": False,
                "data_complete": True,
                "member_since": year - rng.randrange(1, 20),
                "membership_paid_through": year if rng.random() > 0.05 else year - 1,
                "base_score": Decimal(rng.randrange(20000, 180000)) / 100,
                "created_at": now,
                "updated_at": now,
            }
        )
        comp.append(
            {
                "engineer_id": i,
                "discipline": disc,
                "grade": grade,
                "kind": "supervision",
                "expires_on": None,
            }
        )
        decl.append(
            {
                "engineer_id": i,
                "year": year,
                "ready": rng.random() > 0.1,
                "rules_accepted": True,
                "groups": "ABCD"[: rng.randrange(2, 5)],
                "supervision_percent": Decimal(rng.choice((30, 50, 70, 100))),
                "submitted_at": now,
            }
        )
        lic.append(
            {
                "engineer_id": i,
                "number": f"L{i}",
                "issued_on": date(2020, 1, 1),
                "expires_on": date(2030, 1, 1) if rng.random() > 0.02 else date(2025, 1, 1),
                "is_current": True,
            }
        )
        if rng.random() < 0.4:
            holds.append(
                {
                    "engineer_id": i,
                    "referral_id": None,
                    "kind": "supervision",
                    "area": Decimal(rng.randrange(100, 3000)),
                    "held_from": now,
                    "released_at": None,
                    "release_reason": None,
                    "note": "bench",
                }
            )
        by_disc[disc].append(i)
    owners = [
        {
            "id": 1,
            "kind": "person",
            "national_id": "5260181591",
            "first_name": "مالک",
            "last_name": "",
            "father_name": "",
            "mobile": "09161234567",
            "address": "",
        }
    ]
    projects, p_owners, refs, rounds = [], [], [], []
    rid = 0
    pid = 0
    while rid < n_ref:
        pid += 1
        area = Decimal(rng.randrange(120, 4000))
        floors = rng.randrange(1, 9)
        projects.append(
            {
                "id": pid,
                "file_no": f"{year}-B{pid:05d}",
                "plate": f"{pid}/1",
                "plate_key": f"{pid}/1",
                "address": "",
                "municipal_file_no": "",
                "area": area,
                "floors": floors,
                "group": "B",
                "use": "residential",
                "brought_by_role": "owner",
                "brought_by_name": "",
                "brought_by_national_id": None,
                "drawings_approved": True,
                "status": "distribution",
                "ready_at": now - timedelta(minutes=pid),
                "completed_at": None,
                "created_at": now,
            }
        )
        p_owners.append({"project_id": pid, "owner_id": 1, "share": None})
        for d in ("arch", "civil", "mech", "elec")[: min(rng.choice((3, 4)), n_ref - rid)]:
            rid += 1
            refs.append(
                {
                    "id": rid,
                    "project_id": pid,
                    "discipline": d,
                    "area": area,
                    "status": "open",
                    "round_no": 1,
                    "created_at": now,
                }
            )
            rounds.append(
                {
                    "referral_id": rid,
                    "no": 1,
                    "kind": "candidacy",
                    "opened_at": now,
                    "deadline": deadline,
                }
            )
    cands = []
    per_ref, extra = divmod(n_cand, len(refs))  # exactly n_cand: the first `extra` get one more
    for i, r in enumerate(refs):  # candidates of a referral come from its discipline, each once
        pool = by_disc[r["discipline"]]
        for e in rng.sample(pool, min(per_ref + (i < extra), len(pool))):
            cands.append(
                {
                    "referral_id": r["id"],
                    "engineer_id": e,
                    "stood_at": now + timedelta(seconds=len(cands) % 30000),
                    "status": "active",
                    "cancelled_at": None,
                }
            )
    n_due, n_due_cands = len(refs), len(cands)
    # The later open referrals, from their own random sequence (the due data stays the same).
    rng2 = random.Random(seed + 1)
    later = deadline + timedelta(days=1)
    while len(refs) < max(OPEN[scale], n_due):
        pid += 1
        area = Decimal(rng2.randrange(120, 4000))
        projects.append(
            {
                **projects[-1],
                "id": pid,
                "file_no": f"{year}-B{pid:05d}",
                "plate": f"{pid}/1",
                "plate_key": f"{pid}/1",
                "area": area,
                "floors": rng2.randrange(1, 9),
                "ready_at": now - timedelta(minutes=pid),
            }
        )
        p_owners.append({"project_id": pid, "owner_id": 1, "share": None})
        for d in ("arch", "civil", "mech", "elec")[: rng2.choice((3, 4))]:
            rid += 1
            refs.append({**refs[-1], "id": rid, "project_id": pid, "discipline": d, "area": area})
            rounds.append({**rounds[-1], "referral_id": rid, "deadline": later})
            pool = by_disc[d]
            for e in rng2.sample(pool, min(LATER_CANDIDATES, len(pool))):
                cands.append(
                    {
                        "referral_id": rid,
                        "engineer_id": e,
                        "stood_at": now + timedelta(seconds=len(cands) % 30000),
                        "status": "active",
                        "cancelled_at": None,
                    }
                )
    with engine.begin() as c:
        for table, rows in (
            (Engineer, eng),
            (Competence, comp),
            (DeclarationRow, decl),
            (Licence, lic),
            (CapacityHold, holds),
            (Owner, owners),
            (Project, projects),
            (ProjectOwner, p_owners),
            (Referral, refs),
            (Round, rounds),
            (Candidacy, cands),
        ):
            for chunk in _chunks(rows):
                c.execute(insert(table), chunk)
        if engine.dialect.name == "postgresql":
            for t in ("engineers", "projects", "referrals", "owners"):
                c.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT max(id) FROM {t}))"
                )
        else:
            c.exec_driver_sql("ANALYZE")
    if engine.dialect.name == "postgresql":  # as autovacuum leaves a loaded table: visibility
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.exec_driver_sql("VACUUM ANALYZE")  # map set (index-only scans), statistics
    return BenchWorld(
        url, scale, engine, deadline, n_eng, n_due, n_due_cands, len(refs), len(cands) - n_due_cands
    )


def default_deadline() -> datetime:
    return datetime(2026, 11, 18, 16, 30, tzinfo=UTC)  # 1405-08-27 20:00 Tehran, a Wednesday

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
    Conviction,
    DeclarationRow,
    Engineer,
    FinancialTie,
    FirmMember,
    Licence,
    Owner,
    Project,
    ProjectOwner,
    Referral,
    Round,
    ScoreEntry,
    Withdrawal,
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


def national_code(body: int) -> str:
    """A valid national code (its published check digit) from nine digits."""
    digits = f"{body:09d}"
    rest = sum(int(digits[i]) * (10 - i) for i in range(9)) % 11
    return digits + str(rest if rest < 2 else 11 - rest)


def _group(floors: int, area: Decimal) -> str:
    """P3 with the shipped thresholds (resources/policy): the higher of floors and area."""
    by_floors = "A" if floors <= 2 else "B" if floors <= 5 else "C" if floors <= 10 else "D"
    by_area = "A" if area <= 600 else "B" if area <= 2000 else "C" if area <= 5000 else "D"
    return max(by_floors, by_area)


def build(url: str, scale: str, deadline: datetime, seed: int = 1405) -> BenchWorld:
    """Engineers and firms with competences, declarations, licences, held work, score entries
    of earlier runs (charges of this year and the last, withdrawal penalties), convictions and
    financial ties; projects of every building group, each with its own owner (some an
    engineer who stands for it, S4, or tied to one, S5), whose referrals (3 or 4 disciplines)
    have a round ending at `deadline`: most a first candidacy round, some a later one after an
    extension, a few a forced round after a withdrawal (W4, A6) — one whose area no one can
    take (A7) — and a few with no eligible candidate (A6: extended, or forced after the last
    round); some projects have a discipline already signed by an engineer standing for
    another (A5). Candidacies are spread over the candidacy rounds, each engineer standing
    for referrals of a discipline they are competent in, at distinct instants over ten days.
    Then more projects whose referrals' round ends a day later, up to `OPEN[scale]` open
    referrals in all. `url`: an EMPTY database."""
    n_eng, n_ref, n_cand = SCALES[scale]
    rng = random.Random(seed)
    now = deadline - timedelta(hours=10)
    year = jalali_year(now)
    opened = now - timedelta(days=11)
    _require_empty(url)
    engine = open_fresh(url, now)
    eng, comp, decl, lic, holds, scores, convictions = [], [], [], [], [], [], []
    firm_members, ties = [], []
    by_disc: dict[str, list[int]] = {d: [] for d in DISCS}
    second: dict[int, str] = {}
    unpaid: list[int] = []
    persons: list[int] = []
    in_firm: set[int] = set()
    for i in range(1, n_eng + 1):
        firm = i % 200 == 0 and len(persons) >= 40  # 0.5%: a legal entity with 2–3 members
        disc = rng.choices(DISCS, WEIGHTS)[0]
        grade = rng.choices(GRADES, (0.4, 0.33, 0.18, 0.09))[0]
        paid = year if rng.random() > 0.05 else year - 1
        eng.append(
            {
                "id": i,
                "kind": "firm" if firm else "person",
                "membership_no": f"{8 if firm else 7}-{100000 + i}",
                "national_id": None if firm else national_code(100_000_000 + i),
                "first_name": "م",
                "last_name": f"{i}",
                "father_name": "",
                "mobile": None,
                "resident_in_province": rng.random() > 0.01,  # G1
                "legal_incapacity": rng.random() < 0.002,  # G4
                "active_execution_project": rng.random() < 0.01,  # G5
                "design_build_qualified": rng.random() < 0.003,  # G6
                "employed_by_permit_authority": rng.random() < 0.005,  # S6
                "data_complete": True,
                "member_since": year - rng.randrange(1, 20),
                "membership_paid_through": paid,  # G3
                "base_score": Decimal(rng.randrange(20000, 180000)) / 100,
                "created_at": now,
                "updated_at": now,
            }
        )
        expired = rng.random() < 0.01  # S1, S2: a competence that ran out
        comp.append(
            {
                "engineer_id": i,
                "discipline": disc,
                "grade": grade,
                "kind": "supervision",
                "expires_on": date(2026, 1, 1) if expired else None,
            }
        )
        if not firm and rng.random() < 0.05:  # a second discipline (A5 inside a run)
            other = rng.choice([d for d in DISCS[:4] if d != disc])
            comp.append(
                {
                    "engineer_id": i,
                    "discipline": other,
                    "grade": grade,
                    "kind": "supervision",
                    "expires_on": None,
                }
            )
            second[i] = other
        decl.append(
            {
                "engineer_id": i,
                "year": year,
                "ready": rng.random() > 0.1,  # C1
                "rules_accepted": rng.random() > 0.02,
                "groups": "ABCD"[: rng.randrange(2, 5)],  # C2
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
        if rng.random() < 0.3:  # project scores charged by earlier runs (A4, S8)
            for _ in range(rng.randrange(1, 4)):
                scores.append(
                    {
                        "engineer_id": i,
                        "at": now - timedelta(days=rng.randrange(1, 200)),
                        "kind": "charge",
                        "points": Decimal(rng.randrange(1200, 40000)) / 100,
                        "period_year": year,
                        "per_day": None,
                        "referral_id": None,
                        "note": "bench",
                    }
                )
        if rng.random() < 0.1:  # a charge of the year before: lapsed (score_period)
            scores.append(
                {
                    "engineer_id": i,
                    "at": now - timedelta(days=300),
                    "kind": "charge",
                    "points": Decimal(rng.randrange(1200, 40000)) / 100,
                    "period_year": year - 1,
                    "per_day": None,
                    "referral_id": None,
                    "note": "bench",
                }
            )
        if rng.random() < 0.01:  # a withdrawal penalty recovering a point a day (W2)
            scores.append(
                {
                    "engineer_id": i,
                    "at": now - timedelta(days=rng.randrange(1, 60), minutes=rng.randrange(600)),
                    "kind": "penalty",
                    "points": Decimal(rng.randrange(1000, 15000)) / 100,
                    "period_year": year,
                    "per_day": Decimal(1),
                    "referral_id": None,
                    "note": "bench",
                }
            )
        if rng.random() < 0.01:  # G7: degree 3 and more in force bars; lower ones do not
            convictions.append(
                {
                    "engineer_id": i,
                    "degree": rng.randrange(1, 5),
                    "starts_on": date(2025, 1, 1),
                    "ends_on": rng.choice((None, date(2025, 6, 1), date(2027, 1, 1))),
                    "reference": "bench",
                }
            )
        if firm:  # members: persons not yet in a firm, of the same discipline where possible
            free = [e for e in persons[-40:] if e not in in_firm]
            near = [e for e in free if e in set(by_disc[disc][-40:])] or free
            for m in near[-rng.randrange(2, 4) :]:
                in_firm.add(m)
                firm_members.append({"firm_id": i, "member_id": m, "role": "member"})
        else:
            persons.append(i)
        if paid < year:
            unpaid.append(i)
        by_disc[disc].append(i)
    owners, projects, p_owners, refs, rounds, withdrawals = [], [], [], [], [], []
    rid = pid = 0
    ready = opened - timedelta(hours=1)

    def project(area: Decimal, floors: int, ready_at: datetime, status: str = "distribution"):
        nonlocal pid
        pid += 1
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
                "group": _group(floors, area),
                "use": "residential",
                "brought_by_role": "owner",
                "brought_by_name": "",
                "brought_by_national_id": None,
                "drawings_approved": True,
                "status": status,
                "ready_at": ready_at,
                "completed_at": None,
                "created_at": ready_at,
            }
        )
        owners.append(
            {
                "id": pid,
                "kind": "person",
                "national_id": national_code(500_000_000 + pid),
                "first_name": "مالک",
                "last_name": f"{pid}",
                "father_name": "",
                "mobile": "09161234567",
                "address": "",
            }
        )
        p_owners.append({"project_id": pid, "owner_id": pid, "share": None})
        return pid

    def referral(p: int, d: str, area: Decimal, status: str = "open", no: int = 1, **kw) -> int:
        nonlocal rid
        rid += 1
        refs.append(
            {
                "id": rid,
                "project_id": p,
                "discipline": d,
                "area": area,
                "status": status,
                "round_no": no,
                "created_at": opened,
                "engineer_id": None,
                "method": None,
                "selected_round": None,
                "decided_at": None,
                "sign_from": None,
                "sign_until": None,
                "signed_at": None,
                **kw,
            }
        )
        return rid

    def past_round(r: int, no: int, outcome: str, engineer: int | None = None) -> None:
        at = deadline - timedelta(days=4 - no)
        rounds.append(
            {
                "referral_id": r,
                "no": no,
                "kind": "candidacy",
                "opened_at": opened,
                "deadline": at,
                "outcome": outcome,
                "decided_at": at,
                "engineer_id": engineer,
            }
        )

    def due_round(r: int, no: int = 1, kind: str = "candidacy") -> None:
        rounds.append(
            {
                "referral_id": r,
                "no": no,
                "kind": kind,
                "opened_at": opened,
                "deadline": deadline,
                "outcome": None,
                "decided_at": None,
                "engineer_id": None,
            }
        )

    # Referrals due at the deadline, with how many candidates each gets (None: its share).
    due: list[tuple[int, str, int | None, list[int] | None]] = []  # (rid, disc, n, pool)
    n_forced = max(2, n_ref // 500)
    eligible_none = [e for e in unpaid if eng[e - 1]["kind"] == "person"]  # G3 fails them all
    for k in range(n_forced):  # a forced round after a withdrawal in round 2 (W4, A6)
        area = Decimal(25000) if k == 0 else Decimal(rng.randrange(12000, 400000)) / 100
        p = project(area, rng.randrange(1, 13), ready - timedelta(minutes=pid))
        for d in ("arch", "civil", "mech", "elec"):
            if d == "mech":  # 25,000 m²: no one has the capacity (S7) — unassigned (A7)
                r = referral(p, d, area, no=3)
                past_round(r, 1, "extended")
                w = rng.choice(by_disc[d])
                past_round(r, 2, "withdrawn", w)
                withdrawals.append(
                    {"referral_id": r, "engineer_id": w, "at": now - timedelta(days=1)}
                    | {"kind": "written", "letter_no": "bench", "round_no": 2}
                )
                due_round(r, 3, "forced")
                due.append((r, d, 0, None))
            elif d == "elec" and k < 2:  # candidates none of whom may be chosen (A1):
                last = k == 1  # round 1 — extended; the last round — forced (A6)
                r = referral(p, d, area, no=3 if last else 1)
                if last:
                    past_round(r, 1, "extended")
                    past_round(r, 2, "extended")
                due_round(r, 3 if last else 1)
                due.append((r, d, 5, eligible_none))
            else:
                r = referral(p, d, area)
                due_round(r)
                due.append((r, d, None, None))
    while len(due) < n_ref:
        area = Decimal(rng.randrange(12000, 400000)) / 100
        p = project(area, rng.randrange(1, 13), ready - timedelta(minutes=pid))
        for d in ("arch", "civil", "mech", "elec")[: min(rng.choice((3, 4)), n_ref - len(due))]:
            r = referral(p, d, area)
            due_round(r)
            due.append((r, d, None, None))
        if rng.random() < 0.03:  # a discipline signed earlier (A5 for its engineer)
            w = rng.choice(by_disc["civil"])
            r = referral(p, "survey", area, status="signed", engineer_id=w, method="competitive")
            refs[-1].update(selected_round=1, decided_at=now - timedelta(days=3))
            refs[-1].update(signed_at=now - timedelta(days=2))
            past_round(r, 1, "selected", w)
            comp.append(
                {
                    "engineer_id": w,
                    "discipline": "survey",
                    "grade": "1",
                    "kind": "supervision",
                    "expires_on": None,
                }
            )
            second.setdefault(w, "survey")
    n_due = len(due)
    # every engineer's disciplines: a second competence lets one stand in two disciplines
    stand_in = {d: list(v) for d, v in by_disc.items()}
    for e, d in second.items():
        stand_in[d].append(e)
    shares = [r for r in due if r[2] is None]
    fixed = sum(r[2] for r in due if r[2] is not None)
    per_ref, extra = divmod(n_cand - fixed, len(shares))
    cands = []
    share_no = 0
    window = 10 * 86_400 * 10**6
    for r, d, n, pool in due:
        if n is None:
            n = per_ref + (share_no < extra)
            share_no += 1
        pick = pool if pool is not None else stand_in[d]
        for e in rng.sample(pick, min(n, len(pick))):
            cands.append(
                {
                    "referral_id": r,
                    "engineer_id": e,
                    "stood_at": now - timedelta(microseconds=rng.randrange(window)),
                    "status": "active",
                    "cancelled_at": None,
                }
            )
    # S4, S5: a few owners are an engineer standing for their project, or tied to one
    standing: dict[int, list[int]] = {}
    ref_project = {r["id"]: r["project_id"] for r in refs}
    for c in cands:
        standing.setdefault(ref_project[c["referral_id"]], []).append(c["engineer_id"])
    for p, es in sorted(standing.items()):
        roll = rng.random()
        if roll < 0.01:
            e = rng.choice(es)
            if eng[e - 1]["national_id"]:
                owners[p - 1]["national_id"] = eng[e - 1]["national_id"]
        elif roll < 0.03:
            for e in set(rng.sample(es, min(3, len(es)))):
                ties.append(
                    {"engineer_id": e, "national_code": owners[p - 1]["national_id"]}
                    | {"note": "bench"}
                )
    n_due_cands = len(cands)
    # The later open referrals, from their own random sequence (the due data stays the same).
    rng2 = random.Random(seed + 1)
    later = deadline + timedelta(days=1)
    n_open = n_due
    while n_open < OPEN[scale]:
        area = Decimal(rng2.randrange(120, 4000))
        p = project(area, rng2.randrange(1, 9), now - timedelta(minutes=pid))
        for d in ("arch", "civil", "mech", "elec")[: rng2.choice((3, 4))]:
            r = referral(p, d, area)
            n_open += 1
            rounds.append(
                {
                    "referral_id": r,
                    "no": 1,
                    "kind": "candidacy",
                    "opened_at": now,
                    "deadline": later,
                    "outcome": None,
                    "decided_at": None,
                    "engineer_id": None,
                }
            )
            for e in rng2.sample(by_disc[d], min(LATER_CANDIDATES, len(by_disc[d]))):
                cands.append(
                    {
                        "referral_id": r,
                        "engineer_id": e,
                        "stood_at": now + timedelta(seconds=len(cands) % 30000),
                        "status": "active",
                        "cancelled_at": None,
                    }
                )
    with engine.begin() as c:
        for table, rows in (
            (Engineer, eng),
            (FirmMember, firm_members),
            (Competence, comp),
            (DeclarationRow, decl),
            (Licence, lic),
            (CapacityHold, holds),
            (ScoreEntry, scores),
            (Conviction, convictions),
            (Owner, owners),
            (FinancialTie, ties),
            (Project, projects),
            (ProjectOwner, p_owners),
            (Referral, refs),
            (Round, rounds),
            (Withdrawal, withdrawals),
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
        url, scale, engine, deadline, n_eng, n_due, n_due_cands, n_open, len(cands) - n_due_cands
    )


def default_deadline() -> datetime:
    return datetime(2026, 11, 18, 16, 30, tzinfo=UTC)  # 1405-08-27 20:00 Tehran, a Wednesday

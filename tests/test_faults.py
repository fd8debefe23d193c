"""Faults: `kill -9` at random points of a deadline run. The database stays consistent and a
re-run gives exactly the decisions of an uninterrupted run (NZ_FAULT_RUNS=50 for the full
count; CI runs a few per dialect)."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from app.db.models import CapacityHold, DeadlineRun, Referral, Round, ScoreEntry
from app.domain.calendar import format_jalali_datetime
from app.services import candidacy
from support import Office

ROOT = Path(__file__).resolve().parent.parent
RUNS = int(os.environ.get("NZ_FAULT_RUNS", "3"))


def _decisions(url: str) -> dict:
    """What the runs decided, without the wall-clock columns."""
    engine = create_engine(url)
    with engine.connect() as c:
        out = {
            "rounds": c.execute(
                select(
                    Round.referral_id,
                    Round.no,
                    Round.kind,
                    Round.outcome,
                    Round.engineer_id,
                    Round.deadline,
                    Round.ranking,
                    Round.set_aside,
                ).order_by(Round.referral_id, Round.no)
            ).all(),
            "referrals": c.execute(
                select(
                    Referral.id,
                    Referral.status,
                    Referral.engineer_id,
                    Referral.round_no,
                    Referral.method,
                ).order_by(Referral.id)
            ).all(),
            "scores": c.execute(
                select(
                    ScoreEntry.engineer_id,
                    ScoreEntry.kind,
                    ScoreEntry.points,
                    ScoreEntry.at,
                    ScoreEntry.referral_id,
                ).order_by(
                    ScoreEntry.engineer_id, ScoreEntry.at, ScoreEntry.referral_id, ScoreEntry.kind
                )
            ).all(),
            "holds": c.execute(
                select(
                    CapacityHold.engineer_id,
                    CapacityHold.referral_id,
                    CapacityHold.area,
                    CapacityHold.released_at,
                )
                .where(CapacityHold.referral_id.is_not(None))
                .order_by(CapacityHold.referral_id, CapacityHold.held_from)
            ).all(),
            "runs": c.execute(
                select(
                    DeadlineRun.kind,
                    DeadlineRun.deadline,
                    DeadlineRun.input_digest,
                    DeadlineRun.output_digest,
                ).order_by(DeadlineRun.deadline, DeadlineRun.kind)
            ).all(),
            "double_holds": c.scalar(
                select(func.count()).select_from(
                    select(CapacityHold.referral_id)
                    .where(
                        CapacityHold.referral_id.is_not(None), CapacityHold.released_at.is_(None)
                    )
                    .group_by(CapacityHold.referral_id)
                    .having(func.count() > 1)
                    .subquery()
                )
            ),
        }
    engine.dispose()
    return out


def _tick(url: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "main.py", "tick", "--db", url],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _long_office(url: str) -> Office:
    """Six days of deadlines waiting: 20 projects × 2 disciplines, candidacies on some."""
    from datetime import UTC, datetime, timedelta

    office = Office(url, start=format_jalali_datetime(datetime.now(UTC) - timedelta(days=6)))
    civil = [office.engineer(f"C{i:02d}", score=50 + i) for i in range(10)]
    for i in range(4):
        office.engineer(f"A{i:02d}", discipline="arch", score=40 + i)
    projects = [
        office.project(area=150 + 10 * i, floors=2, disciplines=("arch", "civil"))
        for i in range(20)
    ]
    for i, p in enumerate(projects[::2]):
        for eid in civil[i % 4 : i % 4 + 3]:
            candidacy.stand(office.as_engineer[eid], eid, p.referral_ids["civil"])
    return office


def assert_consistent(url: str) -> None:
    """What a killed run leaves: the audit chain whole, no deadline half-recorded (a run record
    whose rounds are not all decided), and on SQLite a sound file with every foreign key."""
    from app.db.engine import make_engine
    from app.services.audit_trail import verify_chain
    from app.services.context import Actor, ServiceContext

    engine = make_engine(url)
    try:
        report = verify_chain(ServiceContext(engine, actor=Actor("check", "admin")))
        assert report.first_broken is None, report
        with engine.connect() as c:
            recorded = select(DeadlineRun.deadline).where(DeadlineRun.kind == "deadline")
            half = c.scalar(
                select(func.count()).where(Round.outcome.is_(None), Round.deadline.in_(recorded))
            )
            assert half == 0, f"{half} round(s) undecided at a recorded deadline"
            if engine.dialect.name == "sqlite":
                assert c.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
                assert c.exec_driver_sql("PRAGMA foreign_key_check").all() == []
    finally:
        engine.dispose()


def _runs(url: str) -> int:
    engine = create_engine(url)
    with engine.connect() as c:
        n = c.scalar(select(func.count()).select_from(DeadlineRun))
    engine.dispose()
    return n


@pytest.fixture(params=["sqlite", "postgresql"])
def template(request, tmp_path):
    """A database with past deadlines waiting, and a way to copy it fresh."""
    if request.param == "sqlite":
        src = tmp_path / "template.sqlite"
        _long_office(f"sqlite:///{src}").engine.dispose()

        def copy(i: int) -> str:
            dst = tmp_path / f"copy{i}.sqlite"
            shutil.copy(src, dst)
            return f"sqlite:///{dst}"
    else:
        pg = request.getfixturevalue("pg_server")
        name = f"tmpl_{os.getpid()}_{random.randrange(10**9)}"
        _long_office(pg.create_database(name)).engine.dispose()
        admin = create_engine(pg.url_for("postgres"), isolation_level="AUTOCOMMIT")

        def copy(i: int) -> str:
            with admin.connect() as c:
                c.execute(text(f'CREATE DATABASE "{name}_{i}" TEMPLATE "{name}"'))
            return pg.url_for(f"{name}_{i}")

    return copy


def test_kill_9_in_the_middle_of_a_deadline_run_loses_nothing_and_decides_once(template):
    reference_url = template(0)
    started = time.perf_counter()
    ref = _tick(reference_url)
    assert ref.wait(timeout=300) == 0, ref.stderr.read()
    full = time.perf_counter() - started
    reference = _decisions(reference_url)
    assert reference["rounds"] and reference["double_holds"] == 0
    rng = random.Random(1405)
    partial = []  # how many deadline runs each killed process had already committed
    for i in range(1, RUNS + 1):
        url = template(i)
        victim = _tick(url)
        # every other kill waits for the first committed run, then lands inside the run; the
        # others land anywhere from the start (before any run may be committed)
        while i % 2 and victim.poll() is None and _runs(url) == 0:
            time.sleep(0.02)
        time.sleep(rng.uniform(0, full / 3))
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=60)
        partial.append(len(_decisions(url)["runs"]))
        assert_consistent(url)
        again = _tick(url)
        assert again.wait(timeout=300) == 0, again.stderr.read()
        assert _decisions(url) == reference, f"run {i}: killed after {full:.1f}s differs"
        assert_consistent(url)
    # the kills did land inside the run: some deadlines committed, others not yet
    assert any(0 < n < len(reference["runs"]) for n in partial), (partial, full)

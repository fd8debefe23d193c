"""Issue 17: every deadline the new run decides is decided again, in the same transaction on
the same rows, by the decision path it replaced (tests/legacy_deadline, frozen at commit
22e6c81): the same decisions (winners, outcomes, ranked lists with scores, capacities and
jobs, set-aside lists with their rule IDs, exclusions, extensions), the same digest of them,
and the same published lines. On random scenarios through the whole replay (both dialects),
on the demo province, on the bench data; and a run recorded by the old path, on a database
migrated since, still re-checks (`verify-run`).

NZ_EQUIVALENCE_SCENARIOS sets the count of scenarios (default 12 on SQLite and 3 on
PostgreSQL; the issue's run: 2,000 and 200)."""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import os
import zlib
from datetime import UTC, datetime

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.db.models import DeadlineRun, Round
from app.db.record_blob import pack, unpack
from app.domain.allocation import to_decisions
from app.domain.digest import digest
from app.domain.published import ranking_lines, set_aside_lines
from app.scenario.replay import simulate
from app.scenario.schema import parse
from app.services import deadlines, run_overlap
from app.services.context import ServiceContext, SimClock
from legacy_deadline import (
    build_snapshot_old,
    decide_deadline_old,
    decide_due_old,
    old_ranking_json,
    old_set_aside_json,
)
from scenario_gen import scenarios

SCENARIOS = int(os.environ.get("NZ_EQUIVALENCE_SCENARIOS", "12"))
PG_SCENARIOS = int(os.environ.get("NZ_EQUIVALENCE_PG_SCENARIOS", max(3, SCENARIOS // 10)))
_dbs = itertools.count()


class OldBeside:
    """While active, each `decide_due` also builds the old snapshot on its own connection
    (inside its transaction, before anything is written) and decides it the old way; the
    new decisions are compared with those as soon as they are made."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.checked = 0  # deadlines compared
        self.decisions = 0
        self.lines = 0  # ranked and set-aside lines compared
        self._old = None
        real_inputs, real_decide = run_overlap.run_fetch.run_inputs, deadlines.decide_run

        def inputs(conn, at, policy, cal, lap=None, arrived=None):
            with Session(bind=conn) as s:
                snap, _ = build_snapshot_old(s, at, policy)
            self._old = (snap, decide_deadline_old(snap, policy, cal))
            return real_inputs(conn, at, policy, cal, lap, arrived)

        def decide(inp):
            out = real_decide(inp)
            if self._old is not None:  # a run (a re-check decides without fetching)
                (snap, old), self._old = self._old, None
                self.compare(snap, old, out)
            return out

        monkeypatch.setattr(run_overlap.run_fetch, "run_inputs", inputs)
        monkeypatch.setattr(deadlines, "decide_run", decide)  # a re-check
        monkeypatch.setattr(run_overlap, "decide_run", decide)  # a run, as its tables arrive

    def compare(self, snap, old, out) -> None:
        new = to_decisions(out)
        assert new == old  # A1–A7: every decision, field by field
        assert digest(new) == digest(old)  # A10
        for d_old, d in zip(old, out.decisions, strict=True):
            ranked = ranking_lines(orjson.loads(d.ranking_json))
            want = ranking_lines(old_ranking_json(d_old, snap))  # the old lines, read alike
            assert [(x.engineer_id, x.score, x.remaining_m2, x.active_jobs) for x in ranked] == [
                (x.engineer_id, x.score, x.remaining_m2, x.active_jobs) for x in want
            ]
            aside = set_aside_lines(orjson.loads(d.set_aside_json))
            assert [(x.engineer_id, x.rules) for x in aside] == [
                (x.engineer_id, x.rules) for x in set_aside_lines(old_set_aside_json(d_old, snap))
            ]
            self.lines += len(ranked) + len(aside)
        self.checked += 1
        self.decisions += len(old)


def _run(doc: dict, url: str | None = None) -> dict:
    return simulate(parse(json.dumps(doc)), url)


@settings(
    max_examples=SCENARIOS,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(doc=scenarios(max_engineers=9, max_projects=4, max_events=18))
def test_A1_A10_random_scenarios_are_decided_as_before_on_sqlite(doc):
    with pytest.MonkeyPatch.context() as mp:
        beside = OldBeside(mp)
        _run(doc)
    assert beside.checked  # every scenario has at least one deadline


@settings(max_examples=PG_SCENARIOS, deadline=None, suppress_health_check=list(HealthCheck))
@given(doc=scenarios(max_engineers=9, max_projects=4, max_events=18))
def test_A1_A10_random_scenarios_are_decided_as_before_on_postgresql(doc, pg_server):
    url = pg_server.create_database(f"eq_{os.getpid()}_{next(_dbs)}")
    with pytest.MonkeyPatch.context() as mp:
        beside = OldBeside(mp)
        _run(doc, url)
    assert beside.checked


def test_A1_A10_the_demo_province_is_decided_as_before(tmp_path, monkeypatch):
    from app.demo.province import build_demo

    beside = OldBeside(monkeypatch)
    url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    now = datetime(2026, 11, 18, 7, 0, tzinfo=UTC)
    assert build_demo(url, engineers=300, projects=40, seed=7, now=now, out=io.StringIO()) == 0
    assert beside.checked >= 3 and beside.decisions >= 20


@pytest.fixture(params=["sqlite", "postgresql"])
def bench_world(request, tmp_path):
    from app.bench.data import build, default_deadline

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'bench.sqlite'}"
    else:
        url = request.getfixturevalue("pg_url")
    world = build(url, "tiny", default_deadline())
    yield world
    world.engine.dispose()


def test_A1_A10_the_bench_data_is_decided_as_before_and_rechecks(bench_world, monkeypatch):
    """The bench data has every outcome (selected, extended, forced, unassigned), firms,
    penalties, owners who stand and ties to them: decided as before, recorded, re-checked."""
    world = bench_world
    beside = OldBeside(monkeypatch)
    ctx = ServiceContext(world.engine, clock=SimClock(world.deadline))
    assert deadlines.decide_due(ctx, world.deadline)
    assert beside.checked == 1 and beside.decisions == world.referrals
    with ctx.tx() as s:
        run = s.scalar(select(DeadlineRun).where(DeadlineRun.deadline == world.deadline))
        outcomes = {r.outcome for r in s.scalars(select(Round).where(Round.run_id == run.id))}
    assert run.snapshot_format == 3
    assert outcomes == {"selected", "extended", "forced", "unassigned"}
    same = (True, f"{world.referrals} تصمیم دوباره گرفته شد و با نتیجه منتشرشده یکی است")
    assert deadlines.recheck_run(ctx, run.id) == same
    # the record is packed with zstd; one packed with zlib (before that) reads alike
    assert run.snapshot[:4] == b"\x28\xb5\x2f\xfd"
    raw = unpack(run.snapshot)
    with ctx.tx() as s:
        s.execute(
            update(DeadlineRun)
            .where(DeadlineRun.id == run.id)
            .values(snapshot=zlib.compress(raw, 1))
        )
    assert deadlines.recheck_run(ctx, run.id) == same
    with ctx.tx() as s:  # one changed row of the record: the input digest says so
        changed = raw.replace(b'"due":{"referral_id":[', b'"due":{"referral_id":[0,', 1)
        assert changed != raw
        s.execute(
            update(DeadlineRun).where(DeadlineRun.id == run.id).values(snapshot=pack(changed))
        )
    refused = (False, "ورودی ذخیره‌شده با چکیده ورودی اجرا نمی‌خواند")
    assert deadlines.recheck_run(ctx, run.id) == refused
    with ctx.tx() as s:  # not a packed record at all
        s.execute(update(DeadlineRun).where(DeadlineRun.id == run.id).values(snapshot=b"x" * 64))
    assert deadlines.recheck_run(ctx, run.id) == refused


def test_A10_a_run_recorded_before_issue_17_still_rechecks_after_the_migration(
    tmp_path, monkeypatch
):
    """Deadlines decided and recorded by the old path (format 1: the canonical JSON of the
    decision's objects; lists of objects published), on a database that is then at revision
    0007 and upgraded to the head: `verify-run` re-checks every old run and the daily report
    decides them again; the next deadlines are decided by the new run, beside the old ones."""
    from sqlalchemy import text

    from app.db import migrate
    from app.domain.calendar import parse_jalali_datetime
    from app.services import candidacy
    from app.services.documents import daily_report_dto
    from support import Office

    office = Office(f"sqlite:///{tmp_path / 'old.sqlite'}")
    office.papers_ready()  # the daily report needs the organization's particulars
    engineers = [office.engineer(f"E{i}", score=100 - i) for i in range(6)]
    projects = [office.project(disciplines=("arch", "civil")) for _ in range(3)]
    office.at("1405-08-23 10:00")
    for i, p in enumerate(projects):
        for e in engineers[i : i + 3]:
            candidacy.stand(office.as_engineer[e], e, p.referral_ids["civil"])
    old_runs = []
    for day in ("1405-08-23", "1405-08-24"):  # the old path decides the first deadlines
        at = parse_jalali_datetime(f"{day} 20:00")
        office.clock.now = at
        assert decide_due_old(office.system, at)
        old_runs.append(at)
    with office.engine.begin() as c:  # the database as revision 0007 left it
        c.execute(text("ALTER TABLE deadline_runs DROP COLUMN snapshot_format"))
        for table in ("engineers", "owners"):  # 0009's and 0010's
            for later in ("registration_no", "registration_place"):
                c.execute(text(f"ALTER TABLE {table} DROP COLUMN {later}"))
        c.execute(text("ALTER TABLE request_keys DROP COLUMN body_digest"))  # 0011's
        c.execute(text("ALTER TABLE projects DROP COLUMN use_areas"))  # 0012's
        for later in ("poa_no", "poa_date", "poa_notary"):  # 0013's
            c.execute(text(f"ALTER TABLE projects DROP COLUMN {later}"))
        c.execute(text("UPDATE alembic_version SET version_num = '0007'"))
    office.engine.dispose()
    assert migrate.upgrade(office.engine) is not None  # 0007 → head, after a backup
    beside = OldBeside(monkeypatch)
    office.run("1405-08-27 20:00")  # the new run decides the next ones
    assert beside.checked >= 1
    with office.base.tx() as s:
        runs = s.execute(
            select(DeadlineRun.id, DeadlineRun.deadline, DeadlineRun.snapshot_format).where(
                DeadlineRun.kind == "deadline"
            )
        ).all()
    formats = {at: f for _, at, f in runs}
    assert [formats[at] for at in old_runs] == [1, 1] and 3 in formats.values()
    for run_id, _at, _f in runs:
        ok, why = deadlines.recheck_run(office.base, run_id)
        assert ok, why
        assert daily_report_dto(office.admin, run_id).rechecked is True


def test_A10_a_format_2_run_publishes_its_set_aside_rules_as_recorded(tmp_path):
    """Format 3 keeps who was set aside by which rules in the round (the office's re-check)
    but publishes only who; a run recorded in format 2 (before that) still re-checks and its
    published document is still the one its output digest hashed, rules and all."""
    from app.domain.calendar import parse_jalali_datetime
    from app.domain.deadline_run import decide_run
    from app.domain.run_inputs import decode_record
    from app.services import candidacy, engineers, public
    from support import Office

    office = Office(f"sqlite:///{tmp_path / 'f2.sqlite'}")
    rows = [office.engineer(f"E{i}", score=100 - i) for i in range(3)]
    project = office.project(disciplines=("civil",))
    office.at("1405-08-23 10:00")
    rid = project.referral_ids["civil"]
    for e in rows:
        candidacy.stand(office.as_engineer[e], e, rid)
    engineers.update_engineer(office.admin, rows[0], {"legal_incapacity": True})
    office.clock.now = parse_jalali_datetime("1405-08-23 20:00")
    assert deadlines.decide_due(office.base, office.clock.now)
    with office.base.tx() as s:
        run = s.scalar(select(DeadlineRun).where(DeadlineRun.kind == "deadline"))
        run_id, raw = run.id, unpack(run.snapshot)
    assert run.snapshot_format == 3
    new_doc = public.run_decisions(office.base, run_id)
    assert b'"set_aside":{"engineer_id":[' + str(rows[0]).encode() + b"]}" in new_doc
    assert b'"rules"' not in new_doc

    old = raw.replace(b'{"format":3,', b'{"format":2,', 1)  # the same inputs, recorded before
    assert old != raw
    outcome = decide_run(decode_record(old))
    with office.base.tx() as s:
        s.execute(
            update(DeadlineRun)
            .where(DeadlineRun.id == run_id)
            .values(
                snapshot=pack(old),
                snapshot_format=2,
                input_digest=hashlib.sha256(old).hexdigest(),
                output_digest=outcome.output_digest,
            )
        )
    assert deadlines.recheck_run(office.base, run_id)[0]
    old_doc = public.run_decisions(office.base, run_id)
    assert hashlib.sha256(old_doc).hexdigest() == outcome.output_digest != run.output_digest
    assert b'"rules":[' in old_doc and old_doc.replace(b" ", b"") != new_doc

"""Issue 17: the deadline run decides while its inputs are still being read
(`services.run_overlap`): the decision works on each table as it arrives, gives exactly what
`decide_run` gives on the finished inputs, and a fetch that fails stops it (nothing waits
for ever, the fetch's error is what the run raises)."""

from __future__ import annotations

import threading

import pytest

from app.bench.data import build, default_deadline
from app.db import run_fetch
from app.db.engine import session_factory
from app.db.policy_store import calendar_at, policy_at
from app.domain.deadline_run import decide_run, output_bytes
from app.services import run_overlap

FETCH_ORDER = (
    "due",
    "candidacies",
    "pools",
    "owners",
    "withdrawals",
    "chosen",
    "firm_members",
    "engineers",
    "licences",
    "competences",
    "convictions",
    "declarations",
    "ties",
    "holds",
    "scores",
)


@pytest.fixture(scope="module")
def fetched(tmp_path_factory):
    """The real inputs of the tiny bench's deadline (SQLite)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('overlap') / 'bench.sqlite'}"
    world = build(url, "tiny", default_deadline())
    at = world.deadline
    with session_factory(world.engine)() as s, s.begin():
        policy = policy_at(s, at)
        cal = calendar_at(s, policy)
        inputs = run_fetch.run_inputs(s.connection(), at, policy, cal)
    world.engine.dispose()
    return inputs


def _replaying(inputs, log, fail_after=None, read=None):
    """A stand-in for `run_fetch.run_inputs` that hands over the fetched tables in the fetch's
    order, logging each. `read`: {table: event} — before handing over the next table, wait
    until the decision has read this one (as it does while the database sends the next)."""

    def run_inputs(conn, at, policy, cal, lap=None, arrived=None):
        assert list(inputs.tables) == sorted(inputs.tables, key=FETCH_ORDER.index)
        for name in FETCH_ORDER:
            if name == fail_after:
                raise ConnectionError("the database went away")
            log.append(("put", name))
            arrived(name, inputs.tables[name])
            if read and name in read:
                assert read[name].wait(30), f"the decision did not take {name} as it came"
        return inputs

    return run_inputs


def test_A10_decided_as_the_tables_arrive_and_the_same_as_on_the_finished_inputs(
    fetched, monkeypatch
):
    log: list[tuple[str, str]] = []
    real_get = run_overlap.Arriving.__getitem__
    read = {name: threading.Event() for name in ("candidacies", "engineers")}

    def logged_get(self, name):
        table = real_get(self, name)
        log.append(("read", name))
        if name in read:
            read[name].set()
        return table

    monkeypatch.setattr(run_overlap.Arriving, "__getitem__", logged_get)
    monkeypatch.setattr(run_overlap.run_fetch, "run_inputs", _replaying(fetched, log, read=read))
    laps: list[str] = []
    inputs, outcome = run_overlap.fetch_and_decide(
        None, fetched.at, fetched.policy, fetched.calendar, laps.append
    )
    assert inputs is fetched
    assert laps == ["fetch", "decision"]
    # the candidacies were worked on while the supervisors' tables were still to come
    assert log.index(("read", "candidacies")) < log.index(("put", "pools"))
    assert log.index(("read", "engineers")) < log.index(("put", "licences"))
    assert {name for kind, name in log if kind == "read"} == set(FETCH_ORDER)
    alone = decide_run(fetched)
    assert outcome.output_digest == alone.output_digest
    assert output_bytes(outcome.decisions) == output_bytes(alone.decisions)
    assert [d.engineer_id for d in outcome.decisions] == [d.engineer_id for d in alone.decisions]
    assert any(d.engineer_id for d in outcome.decisions)
    for name in FETCH_ORDER:  # the record: the same columns, whichever way they came
        for column, values in alone.tables[name].items():
            assert _plain(outcome.tables[name][column]) == _plain(values), (name, column)


def _plain(column) -> list:
    return column.tolist() if hasattr(column, "tolist") else list(column)


def test_a_fetch_that_fails_stops_the_decision_and_its_error_is_raised(fetched, monkeypatch):
    log: list[tuple[str, str]] = []
    monkeypatch.setattr(
        run_overlap.run_fetch, "run_inputs", _replaying(fetched, log, fail_after="licences")
    )
    before = {t.name for t in threading.enumerate()}
    with pytest.raises(ConnectionError):
        run_overlap.fetch_and_decide(None, fetched.at, fetched.policy, fetched.calendar)
    assert ("put", "engineers") in log and ("put", "licences") not in log
    assert "run-decision" not in {t.name for t in threading.enumerate()} - before


def test_a_decision_that_fails_is_raised_once_the_fetch_is_done(fetched, monkeypatch):
    log: list[tuple[str, str]] = []
    monkeypatch.setattr(run_overlap.run_fetch, "run_inputs", _replaying(fetched, log))

    def broken(inp):
        inp.tables["due"]
        raise ValueError("a candidacy of a referral that is not due")

    monkeypatch.setattr(run_overlap, "decide_run", broken)
    with pytest.raises(ValueError, match="not due"):
        run_overlap.fetch_and_decide(None, fetched.at, fetched.policy, fetched.calendar)
    assert [name for kind, name in log if kind == "put"] == list(FETCH_ORDER)


def test_a_write_back_that_fails_on_its_thread_leaves_nothing_and_the_next_run_decides(
    pg_url, monkeypatch
):
    """PostgreSQL: the decisions' effects are written by another thread on the run's
    connection (`writeback.effects_meanwhile`); its failure after writing rolls the whole run
    back — no round decided, no hold, charge, message or audit line — and the run decides
    when tried again."""
    from sqlalchemy import func, select, text

    from app.db import writeback
    from app.db.models import AuditEntry, CapacityHold, DeadlineRun, Notification, ScoreEntry
    from app.services.context import ServiceContext, SimClock
    from app.services.deadlines import decide_due, recheck_run

    world = build(pg_url, "tiny", default_deadline())
    tables = (AuditEntry, CapacityHold, DeadlineRun, Notification, ScoreEntry)

    def counts() -> dict[str, int]:
        with world.engine.connect() as c:
            got = {t.__tablename__: c.scalar(select(func.count()).select_from(t)) for t in tables}
            got["decided rounds"] = c.scalar(
                text("SELECT count(*) FROM rounds WHERE outcome IS NOT NULL")
            )
        return got

    before = counts()
    real = writeback._write_effects_postgresql

    def fails_after_writing(conn, e):
        real(conn, e)
        raise OSError("no space left on device")

    monkeypatch.setattr(writeback, "_write_effects_postgresql", fails_after_writing)
    ctx = ServiceContext(world.engine, clock=SimClock(world.deadline))
    with pytest.raises(OSError, match="no space"):
        decide_due(ctx, world.deadline)
    assert counts() == before
    assert not [t for t in threading.enumerate() if t.name in ("run-effects", "run-decision")]
    monkeypatch.setattr(writeback, "_write_effects_postgresql", real)
    assert decide_due(ctx, world.deadline)
    after = counts()
    assert after["deadline_runs"] == before["deadline_runs"] + 1
    assert after["decided rounds"] - before["decided rounds"] == world.referrals
    with world.engine.connect() as c:
        run_id = c.scalar(select(func.max(DeadlineRun.id)))
    assert recheck_run(ctx, run_id)[0]
    world.engine.dispose()

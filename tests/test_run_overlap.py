"""Issue 17: the deadline run decides while its inputs are still being read
(`services.run_overlap`): the decision works on each table as it arrives, gives exactly what
`decide_run` gives on the finished inputs, and a fetch that fails stops it (nothing waits
for ever, the fetch's error is what the run raises)."""

from __future__ import annotations

import threading
import time

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


def _replaying(inputs, log, fail_after=None):
    """A stand-in for `run_fetch.run_inputs` that hands over the fetched tables in the fetch's
    order, a few milliseconds apart (the database sending the next), logging each."""

    def run_inputs(conn, at, policy, cal, lap=None, arrived=None):
        assert list(inputs.tables) == sorted(inputs.tables, key=FETCH_ORDER.index)
        for name in FETCH_ORDER:
            if name == fail_after:
                raise ConnectionError("the database went away")
            time.sleep(0.02)
            log.append(("put", name))
            arrived(name, inputs.tables[name])
        return inputs

    return run_inputs


def test_A10_decided_as_the_tables_arrive_and_the_same_as_on_the_finished_inputs(
    fetched, monkeypatch
):
    log: list[tuple[str, str]] = []
    real_get = run_overlap.Arriving.__getitem__

    def logged_get(self, name):
        table = real_get(self, name)
        log.append(("read", name))
        return table

    monkeypatch.setattr(run_overlap.Arriving, "__getitem__", logged_get)
    monkeypatch.setattr(run_overlap.run_fetch, "run_inputs", _replaying(fetched, log))
    laps: list[str] = []
    inputs, outcome = run_overlap.fetch_and_decide(
        None, fetched.at, fetched.policy, fetched.calendar, laps.append
    )
    assert inputs is fetched
    assert laps == ["fetch", "decision"]
    # the candidacies were worked on while the supervisors' tables were still to come
    assert log.index(("read", "candidacies")) < log.index(("put", "engineers"))
    assert log.index(("read", "engineers")) < log.index(("put", "scores"))
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

"""A deadline run decided while its inputs are still being read (issue 17).

The fetch (`run_fetch.fetch`) spends most of its time waiting for the database to send rows;
the decision (`deadline_run.decide_run`) reads its tables in the order the fetch returns them.
So the decision starts on a second thread with the run and takes each table as it arrives:
the candidacies are sorted and each supervisors' table worked into columns while the
database sends the next one, and when the last statement returns only the loop over the
referrals is left. The decision is the same pure function of the same rows as `decide_run`
on the finished inputs (`verify-run` does that; tested to give the same outcome).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from ..db import run_fetch
from ..domain.calendar import WorkCalendar
from ..domain.deadline_run import RunOutcome, decide_run
from ..domain.policy import Policy
from ..domain.run_inputs import TABLES, RunInputs


class _FetchStopped(Exception):
    """The fetch failed: the decision waiting for a table stops (the fetch's error is raised)."""


class Arriving(Mapping[str, Any]):
    """The run's tables as the fetch hands them over: reading one that has not come yet waits
    for it."""

    def __init__(self) -> None:
        self._tables: dict[str, Any] = {}
        self._ready = threading.Condition()
        self._closed = False

    def put(self, name: str, table: Any) -> None:
        with self._ready:
            self._tables[name] = table
            self._ready.notify_all()

    def close(self) -> None:
        """No more tables: a wait for a missing one ends (`_FetchStopped`)."""
        with self._ready:
            self._closed = True
            self._ready.notify_all()

    def __getitem__(self, name: str) -> Any:
        with self._ready:
            while name not in self._tables:
                if self._closed:
                    raise _FetchStopped(name)
                self._ready.wait()
            return self._tables[name]

    def __iter__(self) -> Iterator[str]:
        return iter(TABLES)

    def __len__(self) -> int:
        return len(TABLES)


def fetch_and_decide(
    conn: Connection,
    at: datetime,
    policy: Policy,
    calendar: WorkCalendar,
    lap: Callable[[str], None] | None = None,
) -> tuple[RunInputs, RunOutcome]:
    """The run's inputs read on `conn` and decided meanwhile on another thread.
    `lap("fetch")` when the last statement has returned, `lap("decision")` when the
    decision is made."""
    arriving = Arriving()
    got: dict[str, Any] = {}

    def decide() -> None:
        try:
            got["outcome"] = decide_run(RunInputs(at, policy, calendar, arriving))
        except BaseException as exc:  # raised on the run's own thread below
            got["error"] = exc

    worker = threading.Thread(target=decide, name="run-decision", daemon=True)
    worker.start()  # the fetch lets go of the interpreter's lock while the database works
    try:
        inputs = run_fetch.run_inputs(conn, at, policy, calendar, arrived=arriving.put)
    except BaseException:
        arriving.close()  # the decision's wait for a table that will not come ends
        worker.join()
        raise
    arriving.close()  # every table came (a read of another would end, not wait)
    if lap is not None:
        lap("fetch")
    worker.join()
    error = got.get("error")
    if error is not None:
        raise error
    if lap is not None:
        lap("decision")
    return inputs, got["outcome"]

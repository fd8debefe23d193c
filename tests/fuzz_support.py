"""Shared by the fuzz tests (issue 6): hostile input strategies, a seeded office copied afresh
for every example, and the checks that a refusal is Persian and wrote nothing."""

from __future__ import annotations

import os
import re
import sqlite3
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from sqlalchemy import BigInteger, Integer, String, Text, create_engine, event
from sqlalchemy.pool import StaticPool

from app.db.models import Base
from app.db.types import Hundredths
from app.domain.errors import InputError, RuleViolation
from app.services.context import Actor, DatabaseUnavailable, ServiceContext, SimClock
from app.services.document_dto import DocumentRefused

# CI: a modest count per service (both fuzz files together stay well under 40 s on two
# cores, derandomized by the "ci" profile of conftest.py); NZ_FUZZ_EXAMPLES=500 for more.
EXAMPLES = int(os.environ.get("NZ_FUZZ_EXAMPLES", "8"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
        HealthCheck.filter_too_much,
    ],
)

PERSIAN_LETTER = re.compile("[\u0600-\u06ff]")
# The refusals of the product: rule refusals (U3), malformed fields, unprintable documents.
REFUSALS = (RuleViolation, InputError, DocumentRefused)

# ---------------------------------------------------------------- hostile values

LETTERS = "ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیآ" + "يكىةأإؤئء"  # Persian + Arabic variants
DIGITS = "0123456789" + "۰۱۲۳۴۵۶۷۸۹" + "٠١٢٣٤٥٦٧٨٩"
ODD = (
    "\x00\x01\x07\x08\x0b\x1b\x7f\u200c\u200d\u200f\u202e\u2028\ufeff\ufffd\t\n\r "
    "\u200e\u00a0\u061c\u2066\u2069\u0640٫٬=+@"  # issue 15: LRM, no-break space, kashida…
)
WEIRD_WORDS = [
    "",
    " ",
    "\t\n ",
    "\x00",
    "abc\x00def",
    "None",
    "null",
    "NaN",
    "-1",
    "1e309",
    "'; DROP TABLE engineers; --",
    "%",
    "_",
    "\\",
    "ي ك",
    "۱۴۰۵/۰۱/۳۱",
    "١٤٠٥-٠١-٣١",
    "🏗️",
    '=HYPERLINK("http://x","y")',  # a formula typed into a field (exports keep it text)
    "+98-916-111-2233",
    "0916abc4567",
    "0916-111-2233",
    "9999\u200f/\u200c012",  # one plate, written oddly
    "IR062960000000100324200002",  # a Sheba number with a wrong check digit
    "۱۲٫۵",
]


def text(*valid: str, size: int = 30) -> st.SearchStrategy[str]:
    """Any text a person (or a pasted file) could put in a field, and some valid values."""
    branches = [
        st.sampled_from(WEIRD_WORDS),
        st.text(alphabet=LETTERS + DIGITS + ODD + "-/.,:", max_size=size),
        st.text(max_size=size),
        st.builds(  # very long
            lambda s, n: (s * n)[: n * 2],
            st.text(alphabet=LETTERS + "x1", min_size=1, max_size=3),
            st.integers(50, 5000),
        ),
    ]
    if valid:
        branches.insert(0, st.sampled_from(valid))
        branches.insert(0, st.sampled_from(valid))
    return st.one_of(*branches)


HUGE_INTS = [0, -1, 2**31, -(2**31) - 1, 2**63 - 1, 2**63, -(2**63) - 1, 2**64, 10**30]


def integer(*valid: int) -> st.SearchStrategy[int]:
    branches = [st.sampled_from(HUGE_INTS), st.integers()]
    if valid:
        branches[:0] = [st.sampled_from(valid), st.sampled_from(valid)]
    return st.one_of(*branches)


def number(*valid: Any) -> st.SearchStrategy[Any]:
    """A number field of the desk: ints, floats (NaN, ∞) and Decimals of any shape."""
    return st.one_of(
        integer(*valid),
        st.sampled_from([float("nan"), float("inf"), -0.0, 1.5, -2.25, 1e300]),
        st.decimals(allow_nan=True, allow_infinity=True),
    )


ODD_DECIMALS = [
    Decimal("NaN"),
    Decimal("sNaN"),
    Decimal("Infinity"),
    Decimal("-Infinity"),
    Decimal("-0"),
    Decimal("0.001"),
    Decimal("-5"),
    Decimal("1e30"),
    Decimal("1e-30"),
    Decimal("92233720368547758.08"),
]


def decimal(*valid: str) -> st.SearchStrategy[Decimal]:
    branches = [
        st.sampled_from(ODD_DECIMALS),
        st.decimals(allow_nan=True, allow_infinity=True),
        st.decimals(min_value=-(10**6), max_value=10**6, places=2),
    ]
    if valid:
        vals = [Decimal(v) for v in valid]
        branches[:0] = [st.sampled_from(vals), st.sampled_from(vals)]
    return st.one_of(*branches)


def day(*valid: date) -> st.SearchStrategy[date]:
    branches = [
        st.sampled_from([date.min, date.max, date(1, 1, 1), date(1979, 3, 21), date(2100, 1, 1)]),
        st.dates(),
    ]
    if valid:
        branches[:0] = [st.sampled_from(valid)]
    return st.one_of(*branches)


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


@dataclass(frozen=True)
class Ref:
    """A row of the seeded office, by name; resolved to its id when the example runs."""

    name: str


BAD_IDS = [0, -1, 999_999, 2**31 - 1, 2**63 - 1, 2**63, 10**30]


def ident(*names: str) -> st.SearchStrategy[Any]:
    """An id: one of the seeded rows (most of the time) or one that does not exist."""
    refs = [Ref(n) for n in names]
    return st.one_of(st.sampled_from(refs), st.sampled_from(refs), st.sampled_from(BAD_IDS))


def resolve(value: Any, ids: dict[str, int]) -> Any:
    """Ref placeholders → ids, through tuples, lists and dicts (dataclasses are built with
    their ids already resolved by the strategies that need them)."""
    if isinstance(value, Ref):
        return ids[value.name]
    if isinstance(value, tuple):
        return tuple(resolve(v, ids) for v in value)
    if isinstance(value, list):
        return [resolve(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: resolve(v, ids) for k, v in value.items()}
    return value


# ---------------------------------------------------------------- a fresh copy per example


class Seed:
    """A seeded SQLite file; `desk()` gives an independent in-memory copy of it."""

    def __init__(self, path: str, now, actors: dict[str, Actor], ids: dict[str, int]):
        self.path, self.now, self.actors, self.ids = path, now, actors, ids

    def desk(self) -> Desk:
        engine = create_engine(
            "sqlite://",
            connect_args={"check_same_thread": False},
            poolclass=StaticPool,
        )

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _record):
            dbapi_conn.isolation_level = None
            src = sqlite3.connect(self.path)
            src.backup(dbapi_conn)
            src.close()
            dbapi_conn.execute("PRAGMA foreign_keys=ON")

        @event.listens_for(engine, "begin")
        def _on_begin(conn):
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        @event.listens_for(engine, "before_cursor_execute")
        def _like_postgres(_conn, _cursor, statement, parameters, _context, executemany):
            """PostgreSQL refuses a NUL in any text parameter (a query's too) with a driver
            error; SQLite takes it. Fail here, as a desk on the LAN server would."""
            if _holds_nul(parameters):
                raise AssertionError(f"PostgreSQL would refuse NUL in: {statement}")

        return Desk(engine, SimClock(self.now), self.actors)


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        value = value.values()
    elif not isinstance(value, list | tuple):
        return False
    return any(_holds_nul(v) for v in value)


class Desk:
    def __init__(self, engine, clock: SimClock, actors: dict[str, Actor]):
        self.engine = engine
        self.base = ServiceContext(engine, clock=clock)
        self.actors = actors

    def ctx(self, who: str) -> ServiceContext:
        return self.base if who == "anyone" else self.base.as_actor(self.actors[who])

    def state(self) -> dict[str, list[tuple]]:
        """Every row of every table (the audit trail included), in key order, as stored."""
        raw = self.engine.raw_connection().driver_connection
        return {
            t.name: raw.execute(
                f'SELECT * FROM "{t.name}" ORDER BY '
                + ", ".join(f'"{c.name}"' for c in t.primary_key.columns)
            ).fetchall()
            for t in Base.metadata.sorted_tables
        }

    def close(self) -> None:
        self.engine.dispose()


def counts(state: dict[str, list[tuple]]) -> dict[str, int]:
    return {k: len(v) for k, v in state.items()}


# ---------------------------------------------------------------- the checks


def check_refusal(exc: BaseException) -> None:
    """A refusal of the product: Persian, naming the field or the rule(s)."""
    if isinstance(exc, RuleViolation):
        assert exc.rules, f"a refusal without a rule ID: {exc!r}"
        assert PERSIAN_LETTER.search(exc.message), f"not Persian: {exc.message!r}"
    elif isinstance(exc, InputError):
        assert exc.field, f"a field error without its field: {exc!r}"
        assert PERSIAN_LETTER.search(exc.message), f"not Persian: {exc.message!r}"
    elif isinstance(exc, DocumentRefused):
        assert exc.reasons and all(PERSIAN_LETTER.search(r) for r in exc.reasons), exc.reasons
    else:  # pragma: no cover - the caller only passes refusals
        raise AssertionError(f"not a refusal: {exc!r}")


_INT32 = 2**31
_INT64 = 2**63


def postgres_fit(state: dict[str, list[tuple]]) -> list[str]:
    """What a PostgreSQL server would refuse with a driver error (SQLite stores it): strings
    longer than their column or holding NUL, integers beyond the column's range."""
    bad = []
    for table in Base.metadata.sorted_tables:
        cols = list(table.columns)
        for row in state[table.name]:
            for col, v in zip(cols, row, strict=True):
                if v is None:
                    continue
                t = col.type
                if isinstance(t, String | Text) and isinstance(v, str):
                    if "\x00" in v:
                        bad.append(f"{table.name}.{col.name} holds NUL: {v[:40]!r}")
                    if getattr(t, "length", None) and len(v) > t.length:
                        bad.append(f"{table.name}.{col.name} longer than {t.length}: {len(v)}")
                elif isinstance(t, BigInteger | Hundredths) and isinstance(v, int):
                    if not -_INT64 <= v < _INT64:
                        bad.append(f"{table.name}.{col.name} beyond bigint: {v}")
                elif isinstance(t, Hundredths):
                    bad.append(f"{table.name}.{col.name} not a whole count of hundredths: {v!r}")
                elif (
                    isinstance(t, Integer)
                    and isinstance(v, int)
                    and not isinstance(v, bool)
                    and not col.primary_key
                    and not -_INT32 <= v < _INT32
                ):
                    bad.append(f"{table.name}.{col.name} beyond integer: {v}")
    return bad


def call_checked(
    desk: Desk,
    fn,
    ctx: ServiceContext,
    args: dict[str, Any],
    *,
    reader: bool,
    refusal_writes: tuple[str, ...] = (),
):
    """Call one service with hostile arguments on a fresh copy; it succeeds or refuses in
    Persian, and a refusal (or a read) leaves every table as it was."""
    before = desk.state()
    try:
        result = fn(ctx, **args)
    except REFUSALS as exc:
        check_refusal(exc)
        after = desk.state()
        for table in refusal_writes:  # tables a refusal writes by design (a counted failure)
            before.pop(table), after.pop(table)
        assert counts(after) == counts(before), "a refusal changed the row counts"
        assert after == before, "a refusal half-wrote something"
        return exc
    except DatabaseUnavailable:  # pragma: no cover - an in-memory copy does not go away
        raise
    after = desk.state()
    if reader:
        assert after == before, "a read wrote to the database"
    bad = postgres_fit(after)
    assert not bad, f"accepted, but PostgreSQL would fail: {bad}"
    return result

"""A deadline run's effects written back (A4, A6–A10), in the run's transaction, no ORM object.

PostgreSQL: `COPY … FROM STDIN` for the new rows (holds, charges, messages, audit lines); the
changed ones (rounds, referrals, the winners' candidacies) by key, one statement per shape run
for every row in one pipeline (`executemany`: parsed once, no round trip per row — a single
`UPDATE … FROM (VALUES …)` of 18,000 parameters cost more to build and parse than to run).
SQLite: one `executemany` per table and shape on the driver's cursor (its loop is in C, in
process). Values are put in their stored
form by the columns' own SQLAlchemy types, once per value, with no statement compiled.

The rounds' published lists arrive as JSON text already made (the bytes hashed into the
output digest): they are written as that text, into text columns, never parsed and encoded
again. On PostgreSQL the decisions' effects — the rounds (most of a run's bytes), referrals,
holds, charges, next rounds and chosen candidacies — are written by another thread while the
run makes its messages and audit lines (`effects_meanwhile`); those follow.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Dialect, Table

from ..domain.effects import RunEffects
from .models import AuditEntry, CapacityHold, Notification, Referral, Round, ScoreEntry


def write_effects(
    conn: Connection,
    e: RunEffects,
    notifications: Sequence[dict[str, Any]] = (),
    audit_lines: Sequence[dict[str, Any]] = (),
    effects_written: bool = False,
) -> None:
    """Every row a run changes or adds. `audit_lines`: `context.audit_row` values, in their
    chain's order (they are inserted in that order). `effects_written`: the decisions'
    effects went already (`effects_meanwhile`); the messages and audit lines are left."""
    if conn.dialect.name == "postgresql":
        if not effects_written:
            _write_rounds_postgresql(conn, e)
            _write_effects_postgresql(conn, e)
        _write_messages_postgresql(conn, notifications, audit_lines)
    else:
        _write_rows(conn, e, notifications, audit_lines)


@contextmanager
def effects_meanwhile(conn: Connection, e: RunEffects) -> Iterator[bool]:
    """PostgreSQL: the decisions' effects — the rounds with their published lists (most of a
    run's bytes), the referrals, holds, charges, next rounds and chosen candidacies — are
    written by another thread while the body does the run's pure-Python work (its messages
    and audit lines); the body must not use the connection. Yields whether they
    are being written (then `write_effects(..., effects_written=True)`): on SQLite they are
    written with the rest. An error of a statement is raised when the body ends."""
    if conn.dialect.name != "postgresql":
        yield False
        return
    failed: list[BaseException] = []

    def run() -> None:
        try:
            _write_rounds_postgresql(conn, e)
            _write_effects_postgresql(conn, e)
        except BaseException as exc:  # raised on the run's own thread below
            failed.append(exc)

    worker = threading.Thread(target=run, name="run-effects", daemon=True)
    worker.start()  # psycopg lets go of the interpreter's lock while the server works
    try:
        yield True
    finally:
        worker.join()
    if failed:
        raise failed[0]


# ---------------------------------------------------------------- the stored form of a value


def _processors(table: Table, names: Sequence[str], dialect: Dialect) -> list:
    """Each column's bind processor for the dialect: its values as SQLAlchemy would store
    them (an instant as UTC, an amount as hundredths, JSON as text), without a statement."""
    return [table.c[n].type._cached_bind_processor(dialect) for n in names]


def _stored(
    table: Table, rows: Sequence[dict[str, Any]], dialect: Dialect
) -> tuple[list[str], list[tuple]]:
    """The rows as the driver takes them: every column but the key, Python-side defaults
    filled in, each value in its stored form."""
    names = [c.name for c in table.columns if not c.primary_key]
    defaults = [
        c.default.arg if c.default is not None and c.default.is_scalar else None
        for c in (table.c[n] for n in names)
    ]
    procs = _processors(table, names, dialect)
    out = []
    for row in rows:
        values = []
        for name, default, proc in zip(names, defaults, procs, strict=True):
            v = row.get(name, default)
            values.append(proc(v) if proc is not None and v is not None else v)
        out.append(tuple(values))
    return names, out


def _in_stored_form(table: Table, column: str, value: Any, dialect: Dialect) -> Any:
    proc = table.c[column].type._cached_bind_processor(dialect)
    return proc(value) if proc is not None and value is not None else value


# ---------------------------------------------------------------- SQLite


def _write_rows(conn: Connection, e: RunEffects, notifications, audit_lines) -> None:
    """SQLite: one `executemany` per table and shape on the driver's cursor (its loop is C)."""
    dialect = conn.dialect
    cur = conn.connection.driver_connection.cursor()
    rounds, referrals = Round.__table__, Referral.__table__
    try:
        if e.rounds:
            at = _in_stored_form(rounds, "decided_at", e.rounds[0]["b_decided_at"], dialect)
            cur.executemany(
                "UPDATE rounds SET outcome = ?, decided_at = ?, run_id = ?, engineer_id = ?, "
                "ranking = ?, set_aside = ?, exclusions = ? WHERE referral_id = ? AND no = ?",
                [
                    (
                        x["b_outcome"],
                        at,
                        x["b_run_id"],
                        x["b_engineer_id"],
                        x["b_ranking"],
                        x["b_set_aside"],
                        x["b_exclusions"],
                        x["b_referral_id"],
                        x["b_no"],
                    )
                    for x in e.rounds
                ],
            )
        if e.selected:
            first = e.selected[0]
            at, since, until = (
                _in_stored_form(referrals, c, first[f"b_{c}"], dialect)
                for c in ("decided_at", "sign_from", "sign_until")
            )
            cur.executemany(
                "UPDATE referrals SET status = 'selected', engineer_id = ?, method = ?, "
                "selected_round = ?, decided_at = ?, sign_from = ?, sign_until = ? WHERE id = ?",
                [
                    (
                        x["b_engineer_id"],
                        x["b_method"],
                        x["b_selected_round"],
                        at,
                        since,
                        until,
                        x["b_id"],
                    )
                    for x in e.selected
                ],
            )
        cur.executemany(
            "UPDATE referrals SET round_no = ? WHERE id = ?",
            [(x["b_round_no"], x["b_id"]) for x in e.extended],
        )
        cur.executemany(
            "UPDATE referrals SET status = 'unassigned' WHERE id = ?",
            [(x["b_id"],) for x in e.unassigned],
        )
        for table, rows in (
            (CapacityHold.__table__, e.holds),
            (ScoreEntry.__table__, e.charges),
            (rounds, e.new_rounds),
            (Notification.__table__, notifications),
            (AuditEntry.__table__, audit_lines),  # in the chain's order
        ):
            if rows:
                names, values = _stored(table, rows, dialect)
                cols = ", ".join(f'"{n}"' for n in names)
                marks = ", ".join("?" * len(names))
                cur.executemany(f"INSERT INTO {table.name} ({cols}) VALUES ({marks})", values)
        cur.executemany(  # the winners' candidacies have done their work: by key
            "UPDATE candidacies SET status = 'chosen' WHERE referral_id = ? AND engineer_id = ? "
            "AND status = 'active'",
            [(x["b_referral_id"], x["b_engineer_id"]) for x in e.chosen],
        )
    finally:
        cur.close()


# ---------------------------------------------------------------- PostgreSQL


def _copy(cur, table: Table, rows: Sequence[dict[str, Any]], dialect: Dialect) -> None:
    if not rows:
        return
    names, values = _stored(table, rows, dialect)
    columns = ", ".join(f'"{n}"' for n in names)
    with cur.copy(f"COPY {table.name} ({columns}) FROM STDIN") as copy:
        for v in values:
            copy.write_row(v)


def _many(cur, sql: str, rows: Sequence[tuple]) -> None:
    """`sql` once per row, in one pipeline (psycopg's `executemany`): the statement is
    parsed once and the rows stream to the server without a round trip each."""
    if rows:
        cur.executemany(sql, rows)


def _write_rounds_postgresql(conn: Connection, e: RunEffects) -> None:
    """The decided rounds with their published lists (most of a run's bytes)."""
    if not e.rounds:
        return
    cur = conn.connection.driver_connection.cursor()
    try:
        at, run_id = e.rounds[0]["b_decided_at"], e.rounds[0]["b_run_id"]
        _many(
            cur,
            "UPDATE rounds SET outcome = %s, decided_at = %s, run_id = %s, engineer_id = %s, "
            "ranking = %s, set_aside = %s, exclusions = %s::json "
            "WHERE referral_id = %s AND no = %s",
            [
                (
                    x["b_outcome"],
                    at,
                    run_id,
                    x["b_engineer_id"],
                    x["b_ranking"],
                    x["b_set_aside"],
                    x["b_exclusions"],
                    x["b_referral_id"],
                    x["b_no"],
                )
                for x in e.rounds
            ],
        )
    finally:
        cur.close()


def _write_effects_postgresql(conn: Connection, e: RunEffects) -> None:
    cur = conn.connection.driver_connection.cursor()
    try:
        _many(
            cur,
            "UPDATE referrals SET status = 'selected', engineer_id = %s, method = %s, "
            "selected_round = %s, decided_at = %s, sign_from = %s, sign_until = %s "
            "WHERE id = %s",
            [
                (
                    x["b_engineer_id"],
                    x["b_method"],
                    x["b_selected_round"],
                    x["b_decided_at"],
                    x["b_sign_from"],
                    x["b_sign_until"],
                    x["b_id"],
                )
                for x in e.selected
            ],
        )
        _many(
            cur,
            "UPDATE referrals SET round_no = %s WHERE id = %s",
            [(x["b_round_no"], x["b_id"]) for x in e.extended],
        )
        _many(
            cur,
            "UPDATE referrals SET status = 'unassigned' WHERE id = %s",
            [(x["b_id"],) for x in e.unassigned],
        )
        _copy(cur, CapacityHold.__table__, e.holds, conn.dialect)
        _copy(cur, ScoreEntry.__table__, e.charges, conn.dialect)
        _copy(cur, Round.__table__, e.new_rounds, conn.dialect)
        _many(  # the winners' candidacies have done their work: by key
            cur,
            "UPDATE candidacies SET status = 'chosen' WHERE referral_id = %s "
            "AND engineer_id = %s AND status = 'active'",
            [(x["b_referral_id"], x["b_engineer_id"]) for x in e.chosen],
        )
    finally:
        cur.close()


def _write_messages_postgresql(conn: Connection, notifications, audit_lines) -> None:
    cur = conn.connection.driver_connection.cursor()
    try:
        _copy(cur, Notification.__table__, notifications, conn.dialect)
        _copy(cur, AuditEntry.__table__, audit_lines, conn.dialect)  # in the chain's order
    finally:
        cur.close()

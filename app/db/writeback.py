"""A deadline run's effects written back (A4, A6–A10), in the run's transaction, no ORM object.

PostgreSQL: each table's rows in one statement — `COPY … FROM STDIN` for the new rows (holds,
charges, messages, audit lines), one `UPDATE … FROM unnest(arrays)` per shape for the changed
ones (rounds, referrals, the winners' candidacies). SQLite: one `executemany` per table and
shape (the driver's loop is in C, in process).

The rounds' published lists arrive as JSON text already made (the bytes hashed into the
output digest): they are written as that text — PostgreSQL casts it to `json` — never parsed
and encoded again.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy import JSON, Connection, Table, Text, bindparam, cast, insert, update

from ..domain.effects import RunEffects
from .models import AuditEntry, Candidacy, CapacityHold, Notification, Referral, Round, ScoreEntry
from .types import Hundredths


def write_effects(
    conn: Connection,
    e: RunEffects,
    notifications: Sequence[dict[str, Any]] = (),
    audit_lines: Sequence[dict[str, Any]] = (),
) -> None:
    """Every row a run changes or adds. `audit_lines`: `context.audit_row` values, in their
    chain's order (they are inserted in that order)."""
    if conn.dialect.name == "postgresql":
        _write_postgresql(conn, e, notifications, audit_lines)
    else:
        _write_rows(conn, e, notifications, audit_lines)


# ---------------------------------------------------------------- SQLite (and any dialect)


def _json_text(name: str, dialect: str):
    param = bindparam(name, type_=Text())
    return cast(param, JSON) if dialect == "postgresql" else param


def _write_rows(conn: Connection, e: RunEffects, notifications, audit_lines) -> None:
    dialect = conn.dialect.name
    rounds, referrals, candidacies = Round.__table__, Referral.__table__, Candidacy.__table__
    if e.rounds:
        conn.execute(
            update(rounds)  # by its key: (referral, round number)
            .where(
                rounds.c.referral_id == bindparam("b_referral_id"),
                rounds.c.no == bindparam("b_no"),
            )
            .values(
                outcome=bindparam("b_outcome"),
                decided_at=bindparam("b_decided_at"),
                run_id=bindparam("b_run_id"),
                engineer_id=bindparam("b_engineer_id"),
                ranking=_json_text("b_ranking", dialect),
                set_aside=_json_text("b_set_aside", dialect),
                exclusions=_json_text("b_exclusions", dialect),
            ),
            e.rounds,
        )
    if e.selected:
        conn.execute(
            update(referrals)
            .where(referrals.c.id == bindparam("b_id"))
            .values(
                status="selected",
                engineer_id=bindparam("b_engineer_id"),
                method=bindparam("b_method"),
                selected_round=bindparam("b_selected_round"),
                decided_at=bindparam("b_decided_at"),
                sign_from=bindparam("b_sign_from"),
                sign_until=bindparam("b_sign_until"),
            ),
            e.selected,
        )
    if e.extended:
        conn.execute(
            update(referrals)
            .where(referrals.c.id == bindparam("b_id"))
            .values(round_no=bindparam("b_round_no")),
            e.extended,
        )
    if e.unassigned:
        conn.execute(
            update(referrals)
            .where(referrals.c.id == bindparam("b_id"))
            .values(status="unassigned"),
            e.unassigned,
        )
    for table, rows in (
        (CapacityHold.__table__, e.holds),
        (ScoreEntry.__table__, e.charges),
        (rounds, e.new_rounds),
        (Notification.__table__, notifications),
        (AuditEntry.__table__, audit_lines),
    ):
        if rows:
            conn.execute(insert(table), list(rows))
    if e.chosen:  # the winners' candidacies have done their work: by key
        conn.execute(
            update(candidacies)
            .where(
                candidacies.c.referral_id == bindparam("b_referral_id"),
                candidacies.c.engineer_id == bindparam("b_engineer_id"),
                candidacies.c.status == "active",
            )
            .values(status="chosen"),
            e.chosen,
        )


# ---------------------------------------------------------------- PostgreSQL


def _stored(table: Table, rows: Sequence[dict[str, Any]]) -> tuple[list[str], list[tuple]]:
    """The rows as COPY takes them: every column but the key, Python-side defaults filled in,
    amounts in hundredths (Hundredths' stored form), JSON as text."""
    names = [c.name for c in table.columns if not c.primary_key]
    cols = [table.c[n] for n in names]
    out = []
    for row in rows:
        values = []
        for c in cols:
            if c.name in row:
                v = row[c.name]
            elif c.default is not None and c.default.is_scalar:
                v = c.default.arg
            else:
                v = None
            if v is not None:
                if isinstance(c.type, Hundredths):
                    v = int(Decimal(v).scaleb(2))
                elif isinstance(c.type, JSON):
                    v = orjson.dumps(v, option=orjson.OPT_NON_STR_KEYS).decode()
            values.append(v)
        out.append(tuple(values))
    return names, out


def _copy(cur, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    if not rows:
        return
    names, values = _stored(table, rows)
    columns = ", ".join(f'"{n}"' for n in names)
    with cur.copy(f"COPY {table.name} ({columns}) FROM STDIN") as copy:
        for v in values:
            copy.write_row(v)


def _values(cur, sql: str, row: str, rows: Sequence[tuple]) -> None:
    """`sql` with its `{values}` the rows as one VALUES list: one statement, each value a
    parameter of its own (sent as it is: JSON text is not escaped into an array literal)."""
    if rows:
        text = sql.format(values=",".join([row] * len(rows)))
        cur.execute(text, [v for r in rows for v in r])


def _write_postgresql(conn: Connection, e: RunEffects, notifications, audit_lines) -> None:
    cur = conn.connection.driver_connection.cursor()
    try:
        if e.rounds:
            at, run_id = e.rounds[0]["b_decided_at"], e.rounds[0]["b_run_id"]
            _values(
                cur,
                "UPDATE rounds AS r SET outcome = v.outcome, decided_at = v.decided_at, "
                "run_id = v.run_id, engineer_id = v.engineer_id, ranking = v.ranking, "
                "set_aside = v.set_aside, exclusions = v.exclusions FROM (VALUES {values}) "
                "AS v(referral_id, no, outcome, decided_at, run_id, engineer_id, ranking, "
                "set_aside, exclusions) WHERE r.referral_id = v.referral_id AND r.no = v.no",
                "(%s::integer,%s::integer,%s::text,%s::timestamptz,%s::integer,%s::integer,"
                "%s::json,%s::json,%s::json)",
                [
                    (
                        x["b_referral_id"],
                        x["b_no"],
                        x["b_outcome"],
                        at,
                        run_id,
                        x["b_engineer_id"],
                        x["b_ranking"],
                        x["b_set_aside"],
                        x["b_exclusions"],
                    )
                    for x in e.rounds
                ],
            )
        _values(
            cur,
            "UPDATE referrals AS r SET status = 'selected', engineer_id = v.engineer_id, "
            "method = v.method, selected_round = v.selected_round, decided_at = v.decided_at, "
            "sign_from = v.sign_from, sign_until = v.sign_until FROM (VALUES {values}) "
            "AS v(id, engineer_id, method, selected_round, decided_at, sign_from, sign_until) "
            "WHERE r.id = v.id",
            "(%s::integer,%s::integer,%s::text,%s::integer,%s::timestamptz,%s::timestamptz,"
            "%s::timestamptz)",
            [
                (
                    x["b_id"],
                    x["b_engineer_id"],
                    x["b_method"],
                    x["b_selected_round"],
                    x["b_decided_at"],
                    x["b_sign_from"],
                    x["b_sign_until"],
                )
                for x in e.selected
            ],
        )
        _values(
            cur,
            "UPDATE referrals AS r SET round_no = v.round_no FROM (VALUES {values}) "
            "AS v(id, round_no) WHERE r.id = v.id",
            "(%s::integer,%s::integer)",
            [(x["b_id"], x["b_round_no"]) for x in e.extended],
        )
        _values(
            cur,
            "UPDATE referrals AS r SET status = 'unassigned' FROM (VALUES {values}) AS v(id) "
            "WHERE r.id = v.id",
            "(%s::integer)",
            [(x["b_id"],) for x in e.unassigned],
        )
        _copy(cur, CapacityHold.__table__, e.holds)
        _copy(cur, ScoreEntry.__table__, e.charges)
        _copy(cur, Round.__table__, e.new_rounds)
        _copy(cur, Notification.__table__, notifications)
        _copy(cur, AuditEntry.__table__, audit_lines)  # in the chain's order
        _values(  # the winners' candidacies have done their work: by key
            cur,
            "UPDATE candidacies AS c SET status = 'chosen' FROM (VALUES {values}) "
            "AS v(referral_id, engineer_id) WHERE c.referral_id = v.referral_id "
            "AND c.engineer_id = v.engineer_id AND c.status = 'active'",
            "(%s::integer,%s::integer)",
            [(x["b_referral_id"], x["b_engineer_id"]) for x in e.chosen],
        )
    finally:
        cur.close()

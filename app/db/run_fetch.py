"""The deadline run's reads (issue 17): the rows of `domain.run_inputs.TABLES`, each once,
in a fixed number of statements, as the driver returns them.

No ORM, no column types: the statements run on the DB-API cursor of the run's own connection
(inside its transaction) and `fetchall` gives tuples of JSON-native values — integers for
amounts in hundredths (the stored form), the stored UTC text for instants and ISO text for
dates (PostgreSQL: `AT TIME ZONE 'UTC'` and psycopg's text loader, so no datetime object is
built), booleans as the driver gives them.

The supervisors read are the candidates (the active candidacies of the due candidacy rounds),
the forced pools and the members of the firms among them; their ids are computed once from
rows already fetched and bound as one value (SQLite: a JSON array read by `json_each`;
PostgreSQL: an integer array), instead of a subquery over every candidacy in each statement.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from operator import itemgetter
from typing import Any

import numpy as np
from sqlalchemy import Connection

from ..domain.calendar import WorkCalendar, jalali_year, local_date
from ..domain.codes import FORCED
from ..domain.policy import Policy
from ..domain.run_inputs import RunInputs


class Reader:
    """Statements on one DB-API cursor, with the dialect's spelling of a bound id list and of
    an instant read as UTC text."""

    def __init__(self, dbapi_connection: Any, dialect: str) -> None:
        self.pg = dialect == "postgresql"
        self.cur = dbapi_connection.cursor()
        if self.pg:
            from psycopg.types.string import TextLoader

            for name in ("timestamp", "date"):  # text as the server sends it
                self.cur.adapters.register_loader(name, TextLoader)
        self.p = "%s" if self.pg else "?"

    def ids(self, column: str) -> str:
        """`column` among a bound list of integers (`self.id_list` makes the value)."""
        if self.pg:
            return f"{column} = ANY({self.p}::bigint[])"
        return f"{column} IN (SELECT value FROM json_each({self.p}))"

    def id_list(self, ids: Iterable[int]) -> str:
        text = ",".join(map(str, ids))
        return "{" + text + "}" if self.pg else "[" + text + "]"

    def text_list(self, values: Iterable[str]) -> Any:
        return list(values) if self.pg else json.dumps(list(values))

    def texts(self, column: str) -> str:
        if self.pg:
            return f"{column} = ANY({self.p}::text[])"
        return f"{column} IN (SELECT value FROM json_each({self.p}))"

    def instant(self, column: str) -> str:
        return f"({column} AT TIME ZONE 'UTC')" if self.pg else column

    def bind_instant(self, at: datetime) -> Any:
        at = at.astimezone(UTC)
        return at if self.pg else at.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")

    def bind_date(self, d: date) -> Any:
        return d if self.pg else d.isoformat()

    def sum_int(self, expr: str) -> str:
        return f"sum({expr})::bigint" if self.pg else f"sum({expr})"

    def rows(self, sql: str, *params: Any) -> list[tuple]:
        self.cur.execute(sql, params)
        return self.cur.fetchall()

    def close(self) -> None:
        self.cur.close()


def statements(q: Reader) -> dict[str, str]:
    """Every statement of a run's reads, in the order they run (`fetch`)."""
    p = q.p
    due = f"ro.outcome IS NULL AND ro.deadline = {p}"
    return {
        "due": (
            "SELECT ro.referral_id, ro.no, ro.kind, r.project_id, r.discipline, r.area, "
            f'p."group", p.file_no, {q.instant("p.ready_at")} FROM rounds ro '
            "JOIN referrals r ON r.id = ro.referral_id JOIN projects p ON p.id = r.project_id "
            f"WHERE {due}"
        ),
        "candidacies": (
            f"SELECT c.referral_id, c.engineer_id, {q.instant('c.stood_at')} FROM candidacies c "
            f"JOIN rounds ro ON ro.referral_id = c.referral_id WHERE {due} "
            "AND ro.kind = 'candidacy' AND c.status = 'active'"
        ),
        "pools": (
            "SELECT x.engineer_id, x.discipline FROM competences x "
            f"WHERE x.kind = 'supervision' AND {q.texts('x.discipline')}"
        ),
        "owners": (
            "SELECT po.project_id, o.national_id FROM project_owners po "
            f"JOIN owners o ON o.id = po.owner_id WHERE {q.ids('po.project_id')}"
        ),
        "withdrawals": (
            f"SELECT w.referral_id, w.engineer_id FROM withdrawals w WHERE {q.ids('w.referral_id')}"
        ),
        "chosen": (
            "SELECT r.project_id, r.engineer_id FROM referrals r "
            "WHERE r.status IN ('selected', 'signed', 'completed') "
            f"AND r.engineer_id IS NOT NULL AND {q.ids('r.project_id')}"
        ),
        "firm_members": (
            "SELECT m.firm_id, m.member_id FROM firm_members m "
            "JOIN engineers f ON f.id = m.firm_id "
            f"WHERE f.kind = 'firm' AND {q.ids('m.firm_id')} "
            f"AND (m.left_on IS NULL OR m.left_on > {p})"
        ),
        "engineers": (
            "SELECT e.id, e.membership_no, e.kind, e.national_id, e.resident_in_province, "
            "e.legal_incapacity, e.active_execution_project, e.design_build_qualified, "
            "e.employed_by_permit_authority, e.membership_paid_through, e.base_score "
            f"FROM engineers e WHERE {q.ids('e.id')}"
        ),
        "licences": (
            "SELECT l.engineer_id, l.expires_on FROM licences l "
            f"WHERE l.is_current AND {q.ids('l.engineer_id')}"
        ),
        "competences": (
            "SELECT x.engineer_id, x.discipline, x.grade, x.expires_on FROM competences x "
            f"WHERE x.kind = 'supervision' AND {q.ids('x.engineer_id')}"
        ),
        "convictions": (
            "SELECT v.engineer_id, v.degree, v.starts_on, v.ends_on FROM convictions v "
            f"WHERE {q.ids('v.engineer_id')} AND (v.ends_on IS NULL OR v.ends_on >= {p})"
        ),
        "declarations": (
            "SELECT d.engineer_id, d.ready, d.rules_accepted, d.groups, d.supervision_percent "
            f"FROM declarations d WHERE d.year = {p} AND {q.ids('d.engineer_id')}"
        ),
        "ties": (
            "SELECT f.engineer_id, f.national_code FROM financial_ties f "
            f"WHERE {q.ids('f.engineer_id')} AND {q.texts('f.national_code')}"
        ),
        "holds": (
            f"SELECT h.engineer_id, {q.sum_int('h.area')}, count(*) FROM capacity_holds h "
            f"WHERE h.released_at IS NULL AND h.held_from <= {p} AND {q.ids('h.engineer_id')} "
            "GROUP BY h.engineer_id"
        ),
        "scores": (
            f"SELECT s.engineer_id, s.kind, {q.instant('s.at')}, s.period_year, s.points, "
            f"s.per_day FROM score_entries s WHERE {q.ids('s.engineer_id')} AND s.at <= {p} "
            f"AND (s.kind = 'penalty' OR s.period_year = {p})"
        ),
    }


def forced_disciplines(due: list[tuple], policy: Policy) -> list[str]:
    """A6: the disciplines whose pool a forced choice may need (a forced round, or a last
    candidacy round that may find no one)."""
    return sorted({r[4] for r in due if r[2] == FORCED or r[1] > policy.max_extensions})


def fetch(
    q: Reader,
    at: datetime,
    policy: Policy,
    lap: Callable[[str], None] | None = None,
    arrived: Callable[[str, Any], None] | None = None,
) -> dict[str, Any]:
    """The run's tables at instant `at`, each row once: lists of rows, but the candidacies
    (10⁵–10⁶ of them) as columns — the engineer ids as one array, from which the ids of the
    supervisors read are taken. `lap(name)` after each statement; `arrived(name, table)` as
    each table is complete (the decision may start on it: `services.run_overlap`)."""
    sql = statements(q)
    when, on, year = q.bind_instant(at), q.bind_date(local_date(at)), jalali_year(at)
    tick = lap or (lambda _name: None)
    hand = arrived or (lambda _name, _table: None)
    t: dict[str, Any] = {}

    def done(name: str, table: Any) -> Any:
        t[name] = table
        hand(name, table)
        return table

    def read(name: str, *params: Any) -> list[tuple]:
        rows = q.rows(sql[name], *params)
        tick(name)
        return done(name, rows)

    due = read("due", when)
    rows = q.rows(sql["candidacies"], when)  # 10⁵–10⁶ rows: kept as columns
    n = len(rows)
    engineers = np.fromiter(map(itemgetter(1), rows), np.int64, n)
    columns = {
        "referral_id": np.fromiter(map(itemgetter(0), rows), np.int64, n),
        "engineer_id": engineers,
        "stood_at": list(map(itemgetter(2), rows)),
    }
    del rows
    tick("candidacies")
    done("candidacies", columns)
    forced = forced_disciplines(due, policy)
    pools = read("pools", q.text_list(forced)) if forced else done("pools", [])
    projects = q.id_list(sorted({r[3] for r in due}))
    owners = read("owners", projects)
    read("withdrawals", q.id_list(sorted(r[0] for r in due)))
    read("chosen", projects)
    wanted = np.union1d(engineers, np.array([r[0] for r in pools], np.int64))
    members = read("firm_members", q.id_list(wanted.tolist()), on)
    wanted = np.union1d(wanted, np.array([m for _, m in members], np.int64))
    w = q.id_list(wanted.tolist())
    read("engineers", w)
    read("licences", w)
    read("competences", w)
    read("convictions", w, on)
    read("declarations", year, w)
    codes = sorted({code for _, code in owners})
    if codes:
        read("ties", w, q.text_list(codes))
    else:
        done("ties", [])
    read("holds", when, w)
    read("scores", w, when, year)
    return t


def run_inputs(
    conn: Connection,
    at: datetime,
    policy: Policy,
    calendar: WorkCalendar,
    lap: Callable[[str], None] | None = None,
    arrived: Callable[[str, Any], None] | None = None,
) -> RunInputs:
    """The inputs of the deadline run at `at`, read on `conn` (in its transaction);
    `arrived` as in `fetch`."""
    q = Reader(conn.connection.driver_connection, conn.dialect.name)
    try:
        tables = fetch(q, at, policy, lap, arrived)
    finally:
        q.close()
    return RunInputs(at, policy, calendar, tables)

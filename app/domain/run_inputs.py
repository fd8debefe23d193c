"""A deadline run's inputs as the rows the database returned (A10, issue 17).

The run reads a fixed set of tables (`TABLES`: the columns the decision reads, nothing more)
and keeps each row as the cursor returned it: integers for areas, percents and scores (in
hundredths, the stored form), the stored UTC text for instants (`2026-11-18 16:30:00.000000`
on SQLite, `2026-11-18 16:30:00` on PostgreSQL), ISO text for dates, booleans as the driver
gives them (0/1 or false/true). Recording them for A10 is dumping those rows once, in a
canonical order, and hashing the bytes: `encode_record`. `decode_record` gives them back for a
re-check; the decision (`deadline_run.decide_run`) reads only these tables, the instant, the
policy and the calendar.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

import orjson

from .calendar import WorkCalendar
from .plain import from_plain
from .policy import Policy

FORMAT = 3  # deadline_runs.snapshot_format of a record written by encode_record
# Formats 2 and 3 record the same inputs; 3's public output document names who was set aside
# but not by which rules (a conviction or unpaid membership is not C6's public data).
FORMATS = (2, 3)

# Every table the decision reads, with its columns in the order the statements select them.
TABLES: dict[str, tuple[str, ...]] = {
    # the rounds ending at the instant, with their referral and project (A3, S1, S7, A4)
    "due": (
        "referral_id",
        "round_no",
        "round_kind",
        "project_id",
        "discipline",
        "area",
        "group",
        "file_no",
        "ready_at",
    ),
    # the active candidacies of the due candidacy rounds (A1, A2)
    "candidacies": ("referral_id", "engineer_id", "stood_at"),
    # A6: who may be forced — a supervision competence in a discipline of a forced choice
    "pools": ("engineer_id", "discipline"),
    # G2, G3, S2, S4, S5, S8 of a firm read its current members
    "firm_members": ("firm_id", "member_id"),
    # the supervisors read: the candidates, the pools, the members of the firms among them
    "engineers": (
        "id",
        "membership_no",
        "kind",
        "national_id",
        "resident_in_province",  # G1
        "legal_incapacity",  # G4
        "active_execution_project",  # G5
        "design_build_qualified",  # G6
        "employed_by_permit_authority",  # S6
        "membership_paid_through",  # G3
        "base_score",  # S8, hundredths
    ),
    "licences": ("engineer_id", "expires_on"),  # G2: the current licence
    "competences": ("engineer_id", "discipline", "grade", "expires_on"),  # S1, S2: supervision
    "convictions": ("engineer_id", "degree", "starts_on", "ends_on"),  # G7: not yet ended
    # C1, C2, S2: the declaration of the instant's Jalali year
    "declarations": ("engineer_id", "ready", "rules_accepted", "groups", "supervision_percent"),
    "ties": ("engineer_id", "national_code"),  # S5: only ties to an owner of a due project
    "holds": ("engineer_id", "area", "jobs"),  # S3, S7: held area (hundredths) and jobs
    # S8, W2: charges of the score period and penalties, up to the instant
    "scores": ("engineer_id", "kind", "at", "period_year", "points", "per_day"),
    "owners": ("project_id", "national_id"),  # S4, S5
    "withdrawals": ("referral_id", "engineer_id"),  # W4
    "chosen": ("project_id", "engineer_id"),  # A5: selected or signed before the run
}


def _none_last(row: tuple) -> tuple:
    return tuple((v is None, 0 if v is None else v) for v in row)


def canonical_rows(name: str, rows: Sequence[tuple]) -> list[tuple]:
    """`rows` in their table's canonical order: sorted as tuples, None before nothing (a
    pass over rows already in order costs one comparison each). Candidacies are ordered by
    the decision itself (`deadline_run`), which sorts them as columns."""
    out = rows if isinstance(rows, list) else list(rows)
    try:
        return sorted(out)
    except TypeError:  # None beside a value in columns that tie (convictions, scores)
        return sorted(out, key=_none_last)


@dataclass(frozen=True)
class RunInputs:
    """Everything a deadline decision reads: the instant, the policy and calendar in force,
    and the tables of `TABLES` — each as the rows the cursor returned (a list of tuples), or
    as its columns (a mapping of column name to values, rows in canonical order: a record)."""

    at: datetime
    policy: Policy
    calendar: WorkCalendar
    tables: Mapping[str, Sequence[tuple] | Mapping[str, Sequence[Any]]]
    format: int = FORMAT  # the record's format, which also shapes the output document


# ---------------------------------------------------------------- the record (A10)


def _exact(o: Any) -> Any:
    """Plain JSON of the policy and calendar that gives back the very same values (a Decimal
    keeps its exponent: a capacity of 9600.50 m² prints as it did)."""
    if isinstance(o, Decimal):
        return str(o)
    if isinstance(o, datetime):
        return o.astimezone(UTC).isoformat() if o.tzinfo else o.isoformat()
    if isinstance(o, date | time):
        return o.isoformat()
    if dataclasses.is_dataclass(o) and not isinstance(o, type):
        return {f.name: _exact(getattr(o, f.name)) for f in dataclasses.fields(o)}
    if isinstance(o, dict):
        return {str(k): _exact(v) for k, v in sorted(o.items(), key=lambda kv: str(kv[0]))}
    if isinstance(o, set | frozenset):
        return sorted(_exact(v) for v in o)
    if isinstance(o, list | tuple):
        return [_exact(v) for v in o]
    return o


def encode_record(inp: RunInputs, tables: Mapping[str, Mapping[str, Any]]) -> bytes:
    """The run's inputs as one JSON document: its bytes are what `input_digest` hashes and
    what `deadline_runs.snapshot` keeps (compressed). `tables`: every table as its columns,
    rows in canonical order (`deadline_run.RunOutcome.tables`)."""
    head = {
        "format": inp.format,
        "at": inp.at.astimezone(UTC).isoformat(),
        "policy": _exact(inp.policy),
        "calendar": _exact(inp.calendar),
    }
    body = {name: {c: tables[name][c] for c in cols} for name, cols in TABLES.items()}
    # JSON-native values and integer arrays: orjson writes them without a callback
    return orjson.dumps({**head, "tables": body}, option=orjson.OPT_SERIALIZE_NUMPY)


def decode_record(raw: bytes) -> RunInputs:
    doc = orjson.loads(raw)
    if doc.get("format") not in FORMATS:
        raise ValueError(f"not a format {FORMATS} deadline record")
    tables = doc["tables"]
    if {name: list(t) for name, t in tables.items()} != {n: list(c) for n, c in TABLES.items()}:
        raise ValueError("the record's tables have other columns")
    return RunInputs(
        at=datetime.fromisoformat(doc["at"]),
        policy=from_plain(Policy, doc["policy"]),
        calendar=from_plain(WorkCalendar, doc["calendar"]),
        tables=tables,
        format=doc["format"],
    )

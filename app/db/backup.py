"""Backup and restore for both dialects: a logical, gzip-compressed JSON-lines dump of every
table, in foreign-key order. The same file restores into SQLite or PostgreSQL (a desk's
file can move to the LAN server), and the restore checks every table's row count."""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, inspect, select, text

from .engine import READ_ONLY
from .migrate import current, head, upgrade
from .models import Base

FORMAT = "nezarat-backup/1"
BATCH = 2_000


class BackupError(RuntimeError):
    pass


def _enc(v: Any) -> Any:
    if isinstance(v, Decimal):
        return {"$dec": str(v)}
    if isinstance(v, datetime):
        return {"$dt": v.astimezone(UTC).isoformat()}
    if isinstance(v, date):
        return {"$date": v.isoformat()}
    if isinstance(v, bytes | memoryview):
        return {"$b64": base64.b64encode(bytes(v)).decode()}
    return v


def _dec(v: Any) -> Any:
    if isinstance(v, dict) and len(v) == 1:
        ((tag, x),) = v.items()
        if tag == "$dec":
            return Decimal(x)
        if tag == "$dt":
            return datetime.fromisoformat(x)
        if tag == "$date":
            return date.fromisoformat(x)
        if tag == "$b64":
            return base64.b64decode(x)
    return v


def snapshot(engine: Engine) -> AbstractContextManager[Connection]:
    """One read-only transaction that sees every table as of one moment, while desks go on
    writing: on PostgreSQL REPEATABLE READ (a snapshot for the whole transaction), on SQLite a
    deferred BEGIN, whose WAL snapshot holds until it ends (`engine.py`)."""
    opts: dict[str, Any] = {READ_ONLY: True}
    if engine.dialect.name == "postgresql":
        opts.update(isolation_level="REPEATABLE READ", postgresql_readonly=True)
    return _begun(engine.execution_options(**opts))


@contextmanager
def _begun(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as c, c.begin():
        yield c


def table_rows(conn: Connection, table) -> Iterator[list[Any]]:
    """Every row of a table as encoded values, in primary-key order."""
    cols = list(table.columns)
    result = conn.execution_options(stream_results=True).execute(
        select(*cols).order_by(*table.primary_key.columns)
    )
    for row in result:
        yield [_enc(v) for v in row]


def backup(engine: Engine, target: Path) -> dict[str, int]:
    """Write every table to `target`; returns the row count per table."""
    counts: dict[str, int] = {}
    with gzip.open(target, "wt", encoding="utf-8") as out, snapshot(engine) as conn:
        out.write(
            json.dumps(
                {
                    "format": FORMAT,
                    "schema": current(engine),
                    "dialect": engine.dialect.name,
                    "created": datetime.now(UTC).isoformat(),
                }
            )
            + "\n"
        )
        for table in Base.metadata.sorted_tables:
            out.write(
                json.dumps({"table": table.name, "columns": [c.name for c in table.columns]}) + "\n"
            )
            n = 0
            for row in table_rows(conn, table):
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
                n += 1
            counts[table.name] = n
        out.write(json.dumps({"end": counts}) + "\n")
    return counts


def restore(engine: Engine, source: Path) -> dict[str, int]:
    """Load a backup into an EMPTY database (schema made here by the migrations)."""
    with gzip.open(source, "rt", encoding="utf-8") as f:
        header = json.loads(f.readline())
        if header.get("format") != FORMAT:
            raise BackupError("پرونده پشتیبان شناخته نشد")
        if header.get("schema") != head():
            raise BackupError(f"پشتیبان از نسخه {header.get('schema')} است؛ نسخه برنامه {head()}")
        if inspect(engine).has_table("engineers"):
            with engine.connect() as c:
                if c.scalar(select(func.count()).select_from(Base.metadata.tables["engineers"])):
                    raise BackupError("پایگاه مقصد خالی نیست؛ بازیابی فقط در پایگاه خالی")
        upgrade(engine)
        tables = Base.metadata.tables
        counts: dict[str, int] = {}
        with engine.begin() as c:
            # rows the migrations seed (e.g. published tariffs) come back from the backup
            for t in reversed(Base.metadata.sorted_tables):
                if t.name != "audit_log":  # append-only, and empty in a new database
                    c.execute(t.delete())
            table, columns, batch = None, [], []

            def flush() -> None:
                if batch:
                    c.execute(insert(table), batch)
                    batch.clear()

            for line in f:
                item = json.loads(line)
                if isinstance(item, dict) and "table" in item:
                    flush()
                    table, columns = tables[item["table"]], item["columns"]
                    counts[table.name] = 0
                elif isinstance(item, dict) and "end" in item:
                    flush()
                    if item["end"] != counts:
                        raise BackupError("پرونده پشتیبان ناقص است")
                else:
                    batch.append(dict(zip(columns, map(_dec, item), strict=True)))
                    counts[table.name] += 1
                    if len(batch) >= BATCH:
                        flush()
            if engine.dialect.name == "postgresql":  # serial counters after the highest id
                for t in Base.metadata.sorted_tables:
                    pk = list(t.primary_key.columns)
                    if len(pk) == 1 and _is_serial(pk[0]):
                        c.execute(
                            text(
                                f"SELECT setval(pg_get_serial_sequence('{t.name}', "
                                f"'{pk[0].name}'), COALESCE((SELECT max({pk[0].name}) "
                                f"FROM {t.name}), 0) + 1, false)"
                            )
                        )
    return counts


def _is_serial(column) -> bool:
    try:
        return column.type.python_type is int and column.autoincrement in (True, "auto")
    except NotImplementedError:
        return False

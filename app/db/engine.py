"""Engines and transactions for both dialects.

SQLite (one desk): foreign keys on, WAL, and every writing transaction `BEGIN IMMEDIATE` so
that writers queue instead of failing half-way; a read-only one (`session_factory(...,
read_only=True)`) is a plain deferred `BEGIN`, which in WAL reads its snapshot at once beside a
writer instead of queueing behind it (a list stays live through an import or a deadline run).
PostgreSQL (LAN): psycopg 3, READ COMMITTED, with advisory locks around deadlines (see
`locks.py`); a read-only transaction is `BEGIN READ ONLY`, so a stray write in one fails.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import orjson
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from ..paths import default_data_dir
from .models import Base


def default_url() -> str:
    return f"sqlite:///{default_data_dir() / 'nezarat.sqlite'}"


def sqlite_path(url: str) -> Path | None:
    """The file a SQLite URL names (None: another dialect, or in memory)."""
    from sqlalchemy.engine import make_url

    u = make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    return Path(u.database)


def missing_file(path: Path) -> str:
    """What the commands and the desk say of a SQLite file that is not there (never made
    quietly: a mistyped path would open a new, empty office)."""
    return (
        f"پرونده پایگاه داده پیدا نشد: {path} — نشانی را بررسی کنید؛ پایگاه تازه را "
        "«main.py init --db …» (یا «main.py demo» با داده نمونه) می‌سازد"
    )


def json_text(value: object) -> str:
    """JSON columns (a run's published rankings hold 10⁵ entries) written by orjson; the
    standard encoder for what orjson refuses (integers beyond 64 bits)."""
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    except orjson.JSONEncodeError:
        return json.dumps(value, ensure_ascii=False)


def make_engine(url: str, **kw) -> Engine:
    kw.setdefault("json_serializer", json_text)
    if url.startswith("sqlite"):
        memory = url in ("sqlite://", "sqlite:///:memory:")
        if not memory:
            Path(url.split("///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 60},
            poolclass=StaticPool if memory else None,
            **kw,
        )

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _record):
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=60000")
            if not memory:
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn):
            read = conn.get_execution_options().get(READ_ONLY, False)
            conn.exec_driver_sql("BEGIN" if read else "BEGIN IMMEDIATE")

        return engine
    engine = create_engine(url, pool_pre_ping=True, **kw)

    @event.listens_for(engine, "connect")
    def _no_jit(dbapi_conn, _record):
        # The server's JIT compiles any plan above jit_above_cost: our indexed queries with
        # correlated counts estimate high and spent 0.46 s of 0.59 s compiling (a cartable at
        # national scale, EXPLAIN ANALYZE). Nothing the desks run gains from it.
        with dbapi_conn.cursor() as cur:
            cur.execute("SET jit = off")
        dbapi_conn.commit()

    return engine


def create_schema(engine: Engine) -> None:
    """A fresh schema from the models (throw-away databases; the desktop uses migrations)."""
    Base.metadata.create_all(engine)


READ_ONLY = "nezarat_read_only"  # the execution option that marks a read-only engine


def session_factory(engine: Engine, read_only: bool = False) -> sessionmaker[Session]:
    if read_only:
        opts: dict[str, bool] = {READ_ONLY: True}
        if engine.dialect.name == "postgresql":
            opts["postgresql_readonly"] = True  # reset by the pool when the connection returns
        engine = engine.execution_options(**opts)
    return sessionmaker(engine, expire_on_commit=False, autoflush=True)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit at the end, roll everything back on any error (U3)."""
    with factory() as session, session.begin():
        yield session

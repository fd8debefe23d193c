"""Who is acting, on which database, at what time."""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import BigInteger, Engine, Integer, String, event, inspect, select
from sqlalchemy.exc import DataError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from ..db.engine import session_factory, transaction
from ..db.locks import lock_named
from ..db.models import AuditEntry
from ..db.types import Hundredths
from ..domain.digest import canonical_bytes, canonical_json, digest
from ..domain.errors import InputError
from ..domain.text import field_fa, persian_digits, text_problem
from ..keys import ForeignKeyError, ServerKey, installation_key


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Actor:
    username: str
    role: str  # admin | clerk | finance | manager | engineer | system
    user_id: int | None = None
    engineer_id: int | None = None  # for the engineer role: who they are


SYSTEM = Actor("system", "system")


class DatabaseUnavailable(RuntimeError):
    """The database went away (network, server restart) or cannot be reached."""

    message = (
        "ارتباط با پایگاه داده برقرار نیست؛ این کار ثبت نشد. "
        "پس از برقراری دوباره ارتباط، همین کار را تکرار کنید."
    )

    def __init__(self) -> None:
        super().__init__(self.message)


class DatabaseBusy(DatabaseUnavailable):
    """The database is there but another desk's work holds what this one needs (SQLite's write
    lock beyond the busy timeout, a PostgreSQL deadlock or lock timeout): worth a retry."""

    message = (
        "پایگاه داده اکنون در دست کار دیگری است (مثلاً اجرای مهلت یا ورود گروهی اعضا)؛ "
        "این کار ثبت نشد. چند لحظه بعد همین کار را تکرار کنید."
    )


_BUSY_SQLSTATES = ("40", "55P03")  # deadlock / serialization failure, lock not available


def _unavailable(exc: OperationalError | InterfaceError) -> DatabaseUnavailable:
    """Lost or busy: a dropped connection is unavailable; a lock that could not be had is
    busy (the message tells the clerk to retry, not to check the network)."""
    if not exc.connection_invalidated:
        state = getattr(exc.orig, "sqlstate", None) or ""
        if state.startswith(_BUSY_SQLSTATES) or "database is locked" in str(exc.orig):
            return DatabaseBusy()
    # the user is told the database is unreachable; the log keeps what the driver said
    logging.getLogger(__name__).warning("database unavailable: %s", str(exc.orig)[:500])
    return DatabaseUnavailable()


@dataclass
class SimClock:
    """A clock that stands still until told (replays, the demo, tests)."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now


@dataclass
class ServiceContext:
    engine: Engine
    actor: Actor = SYSTEM
    clock: Callable[[], datetime] = system_clock
    key: ServerKey | None = field(default=None, repr=False)  # None: the installation's key
    # where the trail's last line is noted outside the database after each commit (a cut-off
    # tail shows against it); None: not noted (tests, replays)
    audit_head: Path | None = None
    remote: ClassVar[bool] = False  # runs use cases here (registry.use_case)
    _factory: sessionmaker[Session] | None = field(default=None, repr=False)
    _reader: sessionmaker[Session] | None = field(default=None, repr=False)
    _joined: Session | None = field(default=None, repr=False)  # see unit_of_work()

    @property
    def factory(self) -> sessionmaker[Session]:
        if self._factory is None:
            self._factory = session_factory(self.engine)
            event.listen(self._factory, "before_flush", _check_columns)
        return self._factory

    def now(self) -> datetime:
        return self.clock()

    def server_key(self) -> ServerKey:
        """The secret that keys the trail, the papers' codes and backups (app/keys.py)."""
        return self.key if self.key is not None else installation_key()

    def as_actor(self, actor: Actor) -> ServiceContext:
        return replace(self, actor=actor)

    @property
    def reader(self) -> sessionmaker[Session]:
        if self._reader is None:
            self._reader = session_factory(self.engine, read_only=True)
        return self._reader

    def read(self) -> AbstractContextManager[Session]:
        """A read-only transaction, for lists and look-ups: on SQLite it does not queue behind
        a writer (deferred BEGIN in WAL), on PostgreSQL it is READ ONLY."""
        return self.tx(read_only=True)

    @contextmanager
    def unit_of_work(self) -> Iterator[tuple[ServiceContext, Session]]:
        """One transaction for a whole use case (the office server's keyed writes): the
        context it yields joins every `tx()` and `read()` of the use case to it, so that the
        server can write the request's idempotency key in the same transaction."""
        with self.tx() as s:
            yield replace(self, _joined=s), s

    @contextmanager
    def tx(self, read_only: bool = False) -> Iterator[Session]:
        """One transaction; a lost or unreachable database becomes DatabaseUnavailable (the
        transaction is gone with it: nothing was written)."""
        if self._joined is not None:  # inside a unit of work: its transaction
            yield self._joined
            return
        try:
            with transaction(self.reader if read_only else self.factory) as s:
                yield s
            last = s.info.get("audit_last")
            if last is not None and self.audit_head is not None:
                note_head(self.audit_head, last, self.server_key())
        except (OperationalError, InterfaceError) as exc:
            raise _unavailable(exc) from exc
        except DataError as exc:  # PostgreSQL refused a value the checks let through
            raise InputError(
                "value", "مقداری که وارد شد در پایگاه داده پذیرفته نشد؛ چیزی ثبت نشد"
            ) from exc
        except OverflowError as exc:  # an id or number beyond what the database holds
            raise InputError(
                "number", "عدد یا تاریخ واردشده بیرون از بازه‌ای است که ثبت می‌شود؛ چیزی ثبت نشد"
            ) from exc


# ---------------------------------------------------------------- every value fits its column

_INT32, _INT64 = 2**31, 2**63


def _column_problem(col, value) -> str | None:
    """Why `value` cannot be stored in `col` on either dialect (Persian), or None."""
    t = col.type
    if isinstance(value, str) and isinstance(t, String):
        return text_problem(value, t.length)
    if isinstance(t, Hundredths):
        if not isinstance(value, Decimal | int) or isinstance(value, bool):
            return "عدد نیست"
        d = Decimal(value)
        if not d.is_finite() or abs(d) >= Decimal(_INT64) / 100:  # before any arithmetic
            return "بیرون از بازه است"
        if d * 100 != (d * 100).to_integral_value():
            return "باید عددی با حداکثر دو رقم اعشار باشد"
    elif isinstance(value, int) and not isinstance(value, bool) and isinstance(t, Integer):
        limit = _INT64 if isinstance(t, BigInteger) else _INT32
        if not -limit <= value < limit:
            return f"بیرون از بازه است (بیشینه {persian_digits(limit - 1)})"
    return None


def _check_columns(session: Session, _context, _instances) -> None:
    """U3: a value the database would refuse (too long, a control character, a number out of
    range, a third decimal) is refused in Persian, naming the field, before anything is
    written — on SQLite as on PostgreSQL, which would fail with a driver error instead. New
    rows are checked whole, changed rows only in the fields that changed."""
    for obj in session.new:
        if not isinstance(obj, AuditEntry):  # the trail is written from checked values
            _check_object(inspect(obj), None)
    for obj in session.dirty:
        state = inspect(obj)
        if state.committed_state:
            _check_object(state, state.committed_state.keys())


def _check_object(state, keys) -> None:
    columns = _COLUMNS.get(state.class_)
    if columns is None:
        columns = _COLUMNS[state.class_] = {a.key: a.columns[0] for a in state.mapper.column_attrs}
    for key in columns if keys is None else keys:
        col = columns.get(key)
        value = state.dict.get(key)
        if col is None or value is None:
            continue
        why = _column_problem(col, value)
        if why:
            raise InputError(key, f"«{field_fa(key)}» {why}؛ چیزی ثبت نشد")


_COLUMNS: dict[type, dict[str, Any]] = {}


def audit(
    session: Session,
    ctx: ServiceContext,
    action: str,
    entity: str,
    entity_id: Any,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    at: datetime | None = None,
    flush: bool = True,
) -> None:
    """U2: one line of the trail, chained to the previous one by its keyed hash.
    `flush=False`: a batch of lines (a deadline run) is written by the next flush, in order."""
    entry = AuditEntry(**audit_row(session, ctx, action, entity, entity_id, before, after, at))
    session.add(entry)
    session.info["audit_last"] = entry
    if flush:
        session.flush()


def audit_row(
    session: Session,
    ctx: ServiceContext,
    action: str,
    entity: str,
    entity_id: Any,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> dict[str, Any]:
    """The next line of the trail as column values, chained after the one before it (the one
    place a line's hash is made): `audit` adds it as an object; a bulk writer (the members
    import) collects many and inserts them with one executemany, in order, then calls
    `audit_rows_written`."""
    at = (at or ctx.now()).astimezone(UTC)
    key = ctx.server_key()
    hold_audit_chain(session, key)
    prev = session.info["audit_prev"]
    before, after = _jsonable(before), _jsonable(after)  # hash what is stored (verify re-hashes)
    body = {
        "at": at.isoformat(),
        "actor": ctx.actor.username,
        "action": action,
        "entity": entity,
        "entity_id": str(entity_id),
        "before": before,
        "after": after,
        "prev": prev,
        "key": key.key_id,
    }
    chained = keyed_hash(key, body)
    session.info["audit_prev"] = chained
    return {
        "at": at,
        "user_id": ctx.actor.user_id,
        "actor": ctx.actor.username,
        "action": action,
        "entity": entity,
        "entity_id": str(entity_id),
        "before": before,
        "after": after,
        "prev_hash": prev,
        "hash": chained,
        "key_id": key.key_id,
    }


def hold_audit_chain(session: Session, key: ServerKey) -> None:
    """Take the chain's lock and read its head, once per transaction (not once per line):
    after this, `audit_row` makes lines without touching the database. A head keyed under
    another key is refused (ForeignKeyError): a command run with the wrong key file would
    otherwise break the chain and issue papers that no check verifies."""
    if "audit_prev" not in session.info:
        lock_named(session, "audit-chain")  # PostgreSQL: one writer extends the chain at a time
        head = session.execute(
            select(AuditEntry.hash, AuditEntry.key_id).order_by(AuditEntry.id.desc()).limit(1)
        ).first()
        refuse_foreign_head(head.key_id if head is not None else None, key)
        session.info["audit_prev"] = head.hash if head is not None else None


def refuse_foreign_head(head_key_id: str | None, key: ServerKey) -> None:
    """ForeignKeyError when the trail's newest line was chained under another key than `key`
    (before a line is written, and before the office server listens)."""
    if head_key_id is not None and head_key_id != key.key_id:
        raise ForeignKeyError(head_key_id, key.key_id)


def audit_rows_written(session: Session) -> None:
    """After a bulk insert of `audit_row`s: the last one is the head to note at commit."""
    last = session.scalar(
        select(AuditEntry).where(AuditEntry.hash == session.info["audit_prev"]).limit(1)
    )
    if last is not None:
        session.info["audit_last"] = last


def _jsonable(d: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if d is None else json.loads(canonical_json(d))


def audit_hash(body: dict[str, Any]) -> str:
    """A line from before the trail was keyed: plain SHA-256 (anyone could recompute it)."""
    return digest(body)


def keyed_hash(key: ServerKey, body: dict[str, Any]) -> str:
    """U2: the line's HMAC under the server's key: no one without the key file can make a line
    that chains, whatever rights they hold in the database."""
    return key.mac_hex("audit", canonical_bytes(body))


def entry_body(e: AuditEntry) -> dict[str, Any]:
    """What `audit` hashed, rebuilt from a stored line (for `main.py audit verify`)."""
    body = {
        "at": e.at.astimezone(UTC).isoformat(),
        "actor": e.actor,
        "action": e.action,
        "entity": e.entity,
        "entity_id": e.entity_id,
        "before": e.before,
        "after": e.after,
        "prev": e.prev_hash,
    }
    if e.key_id is not None:
        body["key"] = e.key_id
    return body


# ---------------------------------------------------------------- the trail's head, outside

_head_lock = threading.Lock()


def head_record(entry_id: int, entry_hash: str, key: ServerKey) -> dict[str, Any]:
    body = {"id": entry_id, "hash": entry_hash, "key": key.key_id}
    return {**body, "mac": key.mac_hex("audit-head", canonical_bytes(body))}


def note_head(path: Path, last: AuditEntry, key: ServerKey) -> None:
    """Note the trail's newest line in a file beside the key (never moves backwards): lines
    cut off the end of the trail show against it (`audit verify`)."""
    record = head_record(last.id, last.hash or "", key)
    with _head_lock:
        try:
            if json.loads(path.read_text(encoding="utf-8")).get("id", 0) >= last.id:
                return
        except (OSError, ValueError, AttributeError):
            pass
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps(record), encoding="utf-8")
            os.replace(tmp, path)
        except OSError:  # the write is committed; a stale note only weakens the tail check
            logging.getLogger(__name__).exception("audit head not noted in %s", path)

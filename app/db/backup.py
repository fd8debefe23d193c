"""Backup and restore for both dialects: a logical, gzip-compressed JSON-lines dump of every
table, in foreign-key order. The same file restores into SQLite or PostgreSQL (a desk's
file can move to the LAN server).

The last line names every table's row count and is signed with the installation's key
(`app/keys.py`, purpose "backup", over the SHA-256 of every line before it). A restore first
reads the whole file through (`verify`): the end line and every table must be there, every
value must fit its column, and the signature must be this installation's — a truncated,
damaged, edited, unsigned or foreign backup is refused in Persian and nothing is written.
Every backup a restore can take (of this schema) was signed when it was made, so a file
without a signature is one whose signature was taken off: there is no way to accept it.

A restore fills only an empty database, and in one transaction with the schema: a value the
database refuses (a duplicate key, a broken reference, a role it does not know) leaves the
target as it was (a new SQLite file is removed)."""

from __future__ import annotations

import base64
import binascii
import gzip
import hashlib
import json
import math
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import jdatetime
from alembic.util import CommandError
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    Date,
    Engine,
    Float,
    Integer,
    LargeBinary,
    String,
    insert,
    inspect,
    literal_column,
    select,
    text,
)
from sqlalchemy.exc import SQLAlchemyError, StatementError
from sqlalchemy.sql import table as bare_table

from ..domain.codes import (
    CANDIDACY,
    COMPETENCE_KINDS,
    DISCIPLINES,
    FORCED,
    GRADES,
    GROUPS,
    OUTCOMES,
    REFERRAL_STATUSES,
    ROLES,
    SUPERVISOR_KINDS,
)
from ..keys import ServerKey, installation_key
from ..present.fa import why_not_read
from .engine import READ_ONLY
from .migrate import current, head, upgrade_in
from .models import Base

FORMAT = "nezarat-backup/1"
BATCH = 2_000
MAX_LINE = 256 * 1024 * 1024  # one row (a scanned document) is far below this
SPOOL = 64 * 1024 * 1024  # a backup read for a restore is held in memory up to this size
CHUNK = 1024 * 1024
# the first day the Jalali calendar (jdatetime) can show: every date and time is shown in it
FIRST_DAY = jdatetime.date(1, 1, 1).togregorian()
BOOKKEEPING = {"alembic_version"}  # the only table a restore's target may hold rows in


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


def _line(obj: Any) -> bytes:
    return (json.dumps(obj, ensure_ascii=False) + "\n").encode("utf-8")


def _seal(key: ServerKey, digest: bytes, counts: dict[str, int]) -> dict[str, Any]:
    """The end line: every table's row count and the installation key's signature over the
    SHA-256 of every line before it and the counts (`ServerKey.mac`, purpose "backup")."""
    body = digest + json.dumps(counts, sort_keys=True).encode()
    return {"end": counts, "key_id": key.key_id, "mac": key.mac_hex("backup", body)}


def backup(engine: Engine, target: Path, key: ServerKey | None = None) -> dict[str, int]:
    """Write every table to `target`, signed with the installation's key; returns the row
    count per table."""
    key = key if key is not None else installation_key()
    # written beside the target and renamed when whole: a backup that fails halfway leaves
    # yesterday's file under the name, never a truncated one
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    partial.touch(mode=0o600)  # it holds the users' password hashes: the owner's eyes only
    try:
        counts = _write(engine, partial, key)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return counts


def _write(engine: Engine, target: Path, key: ServerKey) -> dict[str, int]:
    counts: dict[str, int] = {}
    sha = hashlib.sha256()
    with gzip.open(target, "wb") as out, snapshot(engine) as conn:

        def write(obj: Any) -> None:
            data = _line(obj)
            sha.update(data)
            out.write(data)

        write(
            {
                "format": FORMAT,
                "schema": current(engine),
                "dialect": engine.dialect.name,
                "created": datetime.now(UTC).isoformat(),
            }
        )
        for table in Base.metadata.sorted_tables:
            write({"table": table.name, "columns": [c.name for c in table.columns]})
            n = 0
            for row in table_rows(conn, table):
                write(row)
                n += 1
            counts[table.name] = n
        out.write(_line(_seal(key, sha.digest(), counts)))
    return counts


# ---------------------------------------------------------------- restore


def _not_read(source: Path | str, exc: OSError) -> BackupError:
    return BackupError(f"پرونده پشتیبان {source} خوانده نشد: {why_not_read(exc)}")


def read_once(source: Path) -> IO[bytes]:
    """The backup's bytes, read from `source` once: in memory, or beyond SPOOL in a private
    temporary file that has no name (no other program can open or change it). `restore`
    verifies and loads this one copy, so what is loaded is exactly what was checked — even
    when `source` is a pipe, or a file replaced or edited between two reads of it."""
    copy = tempfile.SpooledTemporaryFile(max_size=SPOOL)  # noqa: SIM115 (the caller closes it)
    try:
        try:
            f = open(source, "rb")  # noqa: SIM115 (closed below, each error said apart)
        except OSError as exc:
            raise _not_read(source, exc) from None
        with f:
            while True:
                try:
                    chunk = f.read(CHUNK)
                except OSError as exc:  # a folder (on some systems only here), a read error
                    raise _not_read(source, exc) from None
                if not chunk:
                    break
                try:
                    copy.write(chunk)
                except OSError as exc:  # the temporary folder is full
                    raise BackupError(
                        f"رونوشت موقت پرونده پشتیبان در {tempfile.gettempdir()} نوشته نشد "
                        f"({exc.strerror or type(exc).__name__})؛ جای خالی پوشه موقت را "
                        "بیشتر کنید (یا TMPDIR را به پوشه دیگری بدهید)"
                    ) from None
        copy.seek(0)
        return copy
    except BaseException:
        copy.close()
        raise


@contextmanager
def _opened(source: Path | IO[bytes]) -> Iterator[IO[bytes]]:
    """A backup to read from its first byte: a path is opened, a copy (`read_once`) rewound."""
    if not isinstance(source, str | Path):
        source.seek(0)
        yield source
        return
    try:
        f = open(source, "rb")  # noqa: SIM115 (the error is said in Persian, then closed)
    except OSError as exc:
        raise _not_read(source, exc) from None
    with f:
        yield f


def _lines(source: Path | IO[bytes]) -> Iterator[tuple[int, bytes]]:
    """(line number, raw line) of a gzip file; BackupError (Persian, naming what is wrong)
    for anything gzip cannot read."""
    n = 0
    with _opened(source) as raw_file:
        try:
            with gzip.GzipFile(fileobj=raw_file, mode="rb") as f:
                while raw := f.readline(MAX_LINE + 1):
                    n += 1
                    if len(raw) > MAX_LINE:
                        raise BackupError(f"سطر {n} پرونده پشتیبان بیش از اندازه بلند است")
                    yield n, raw
        except gzip.BadGzipFile:
            raise BackupError(
                "پرونده پشتیبان فشرده gzip نیست: پرونده‌ای که main.py backup می‌سازد این نیست"
            ) from None
        except EOFError:
            raise BackupError(
                "پرونده پشتیبان بریده شده است: داده فشرده gzip پیش از پایانش تمام شد "
                "(رونوشت یا بارگیری ناتمام)"
            ) from None
        except zlib.error:
            raise BackupError(
                "داده فشرده gzip پرونده پشتیبان آسیب دیده است (رونوشت یا دیسک خراب)"
            ) from None
        except OSError as exc:  # a read error of the disk under it
            raise BackupError(
                f"پرونده پشتیبان خوانده نشد: {exc.strerror or type(exc).__name__}"
            ) from None


def _json_line(n: int, raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise BackupError(f"سطر {n} پرونده پشتیبان JSON درست نیست") from None


def _no_constant(name: str) -> Any:
    raise ValueError(name)


# The rulebook's vocabularies: a value outside them would restore and then break every screen
# that reads it (a discipline "plumbing", a referral status "hacked")
ALLOWED: dict[tuple[str, str], frozenset[str]] = {
    k: frozenset(v)
    for k, v in {
        ("referrals", "discipline"): DISCIPLINES,
        ("referrals", "status"): REFERRAL_STATUSES,
        ("referrals", "method"): ("competitive", "forced"),
        ("projects", "group"): GROUPS,
        ("projects", "status"): ("intake", "distribution", "completed", "cancelled"),
        ("competences", "discipline"): DISCIPLINES,
        ("competences", "grade"): GRADES,
        ("competences", "kind"): COMPETENCE_KINDS,
        ("engineers", "kind"): SUPERVISOR_KINDS,
        ("owners", "kind"): ("person", "legal"),
        ("rounds", "kind"): (CANDIDACY, FORCED),
        ("rounds", "outcome"): OUTCOMES,
        ("candidacies", "status"): ("active", "cancelled", "chosen", "closed"),
        ("fee_payments", "discipline"): DISCIPLINES,
        ("fee_payments", "status"): ("pending", "approved", "rejected"),
        ("withdrawals", "kind"): ("written", "no_show"),
        # who may do what (U1): a role no screen knows would restore as a user no rule covers
        ("users", "role"): ROLES,
        ("membership_years", "status"): ("requested", "approved", "paid"),
        ("notifications", "status"): ("pending", "sending", "sent", "failed"),
        ("auth_sessions", "kind"): ("desk", "web"),
    }.items()
}


def _value_problem(col: Column, v: Any) -> str | None:
    """Why a backed-up value cannot go into `col` (Persian), or None."""
    allowed = ALLOWED.get((col.table.name, col.name))
    if allowed is not None and v is not None and v not in allowed:
        return "مقداری بیرون از واژگان آیین‌نامه"
    if v is None:
        return None if col.nullable or col.primary_key else "خالی مجاز نیست"
    ty = col.type
    name = type(ty).__name__
    if name == "Hundredths":
        if not (isinstance(v, dict) and set(v) == {"$dec"} and isinstance(v["$dec"], str)):
            return "باید عدد اعشاری باشد"
        try:
            d = Decimal(v["$dec"])
        except ArithmeticError:
            return "عدد اعشاری نامعتبر"
        if not d.is_finite() or abs(d) >= Decimal(10) ** 15 or d != d.quantize(Decimal("0.01")):
            return "عدد اعشاری بیرون از بازه یا با بیش از دو رقم اعشار"
        return None
    if name == "UTCDateTime":
        if not (isinstance(v, dict) and set(v) == {"$dt"} and isinstance(v["$dt"], str)):
            return "باید زمان باشد"
        try:
            dt = datetime.fromisoformat(v["$dt"])
            if dt.tzinfo is None:
                return "زمان بی‌منطقه زمانی"
            day = dt.astimezone(UTC).date()
        except (ValueError, OverflowError):
            return "زمان نامعتبر"
        return None if FIRST_DAY <= day < date.max else "زمان بیرون از بازه تقویم شمسی"
    if isinstance(ty, Date):
        if not (isinstance(v, dict) and set(v) == {"$date"} and isinstance(v["$date"], str)):
            return "باید تاریخ باشد"
        try:
            day = date.fromisoformat(v["$date"])
        except ValueError:
            return "تاریخ نامعتبر"
        return None if day >= FIRST_DAY else "تاریخ بیرون از بازه تقویم شمسی"
    if isinstance(ty, LargeBinary):
        if not (isinstance(v, dict) and set(v) == {"$b64"} and isinstance(v["$b64"], str)):
            return "باید داده دودویی باشد"
        try:
            base64.b64decode(v["$b64"], validate=True)
        except (ValueError, binascii.Error):
            return "داده دودویی نامعتبر"
        return None
    if isinstance(ty, Boolean):
        return None if isinstance(v, bool) else "باید درست یا نادرست باشد"
    if isinstance(ty, Integer):  # BigInteger too
        ok = isinstance(v, int) and not isinstance(v, bool) and -(2**63) <= v < 2**63
        return None if ok else "باید عدد صحیح باشد"
    if isinstance(ty, Float):  # Double too: the sign-in throttle's epoch seconds
        ok = isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
        return None if ok else "باید عدد باشد"
    if isinstance(ty, String):  # Text too
        if not isinstance(v, str):
            return "باید متن باشد"
        if "\x00" in v:
            return "نویسه NUL دارد"
        if ty.length is not None and len(v) > ty.length:
            return f"بیش از {ty.length} نویسه است"
        return None
    if isinstance(ty, JSON):
        return None
    if name == "PublishedJSON":  # a round's published lists: objects (format 1) or columns
        return None if isinstance(v, list | dict) else "باید فهرست JSON باشد"
    return f"نوع ستون {name} شناخته نشد"


def verify(source: Path | IO[bytes], key: ServerKey | None = None) -> dict:
    """Read a backup through once without touching any database: the header, every table of
    the schema with exactly its columns, every value against its column, the end line with
    every table's row count, and the signature of the installation's key. Returns the header;
    BackupError (Persian) for the first thing wrong."""
    key = key if key is not None else installation_key()
    tables = Base.metadata.tables
    sha = hashlib.sha256()
    header: dict | None = None
    table, cols, counts, end = None, [], {}, None
    for n, raw in _lines(source):
        if end is not None:
            raise BackupError(f"پس از سطر پایان (سطر {n - 1}) سطر دیگری آمده است")
        item = _json_line(n, raw)
        if header is None:
            if not isinstance(item, dict) or item.get("format") != FORMAT:
                raise BackupError("پرونده پشتیبان شناخته نشد (سطر نخست قالب nezarat-backup نیست)")
            if item.get("schema") != head():
                raise BackupError(f"پشتیبان از نسخه {item.get('schema')} است؛ نسخه برنامه {head()}")
            header = item
        elif isinstance(item, dict) and "table" in item:
            name = item.get("table")
            if name not in tables or name in counts or set(item) != {"table", "columns"}:
                raise BackupError(f"سطر {n}: جدول ناشناخته یا تکراری: {name!r}")
            table = tables[name]
            cols = item["columns"]
            if cols != [c.name for c in table.columns]:
                raise BackupError(f"سطر {n}: ستون‌های جدول {name} با نسخه برنامه یکی نیست")
            counts[name] = 0
        elif isinstance(item, dict) and "end" in item:
            end = item
            continue
        elif isinstance(item, list):
            if table is None or len(item) != len(cols):
                raise BackupError(f"سطر {n}: ردیف بیرون از جدول یا با شمار ستون نادرست")
            for col, v in zip(table.columns, item, strict=True):
                why = _value_problem(col, v)
                if why:  # not the value: it may be a password's hash
                    raise BackupError(f"سطر {n}: {table.name}.{col.name}: {why}")
            counts[table.name] += 1
        else:
            raise BackupError(f"سطر {n}: نه جدول است، نه ردیف، نه پایان")
        sha.update(raw)
    if header is None:
        raise BackupError("پرونده پشتیبان خالی است")
    if end is None:
        raise BackupError("پرونده پشتیبان ناقص است: سطر پایان ندارد (بریده شده)")
    missing = [t.name for t in Base.metadata.sorted_tables if t.name not in counts]
    if missing:
        raise BackupError(f"پرونده پشتیبان ناقص است: {len(missing)} جدول ندارد ({missing[0]} …)")
    if end.get("end") != counts:
        raise BackupError("پرونده پشتیبان ناقص است: شمار ردیف‌ها با سطر پایان یکی نیست")
    if "mac" not in end or "key_id" not in end:
        raise BackupError(
            "پرونده پشتیبان امضا ندارد و پذیرفته نمی‌شود: هر پشتیبان این نسخه هنگام ساخت با "
            "کلید نصب امضا می‌شود، پس امضای این پرونده برداشته شده است (شاید پس از دست‌کاری)"
        )
    if end.get("key_id") != key.key_id:
        raise BackupError(
            f"پشتیبان با کلید نصب دیگری ({end.get('key_id')}) امضا شده است؛ کلید این نصب "
            f"{key.key_id} است (پرونده کلید آن نصب را با NEZARAT_KEY_FILE بدهید)"
        )
    if end != _seal(key, sha.digest(), counts):
        raise BackupError("امضای پرونده پشتیبان درست نیست: پرونده پس از پشتیبان‌گیری تغییر کرده است")
    return header


def restore(engine: Engine, source: Path, key: ServerKey | None = None) -> dict[str, int]:
    """Load a backup into an EMPTY database, after `verify` has read it through: a damaged,
    edited, unsigned or foreign file, a target that holds anything, or a row the database
    refuses changes nothing (a SQLite file this restore made is removed again).

    `source` is read once (`read_once`), and both the check and the load read that copy: a
    second read of the file itself could meet other bytes (a pipe written twice, a file
    swapped between the reads) and load an edited, unsigned backup the check never saw."""
    with read_once(source) as copy:
        return _restore(engine, copy, key)


def _restore(engine: Engine, copy: IO[bytes], key: ServerKey | None) -> dict[str, int]:
    verify(copy, key)
    made, done = _new_sqlite_file(engine), False
    try:
        _refuse_filled(engine)
        counts = _load(engine, copy)
        done = True
        return counts
    except (SQLAlchemyError, CommandError) as exc:  # never str(exc): it holds the rows
        raise BackupError(f"پایگاه داده پشتیبان را نپذیرفت و چیزی نوشته نشد: {_why(exc)}") from None
    finally:
        if made is not None and not done:  # the transaction rolled back: take the file away
            engine.dispose()
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{made}{suffix}").unlink(missing_ok=True)


def _new_sqlite_file(engine: Engine) -> Path | None:
    """The SQLite file a restore is about to make (None: it exists, or not SQLite)."""
    db = engine.url.database
    if engine.dialect.name != "sqlite" or not db or db == ":memory:" or Path(db).exists():
        return None
    return Path(db)


def _refuse_filled(engine: Engine) -> None:
    """Refuse a target holding any row (but the migrations' bookkeeping) before anything is
    written: its rows would collide with the backup's, and the audit trail is append-only."""
    names = sorted(set(inspect(engine).get_table_names()) - BOOKKEEPING)
    with engine.execution_options(**{READ_ONLY: True}).connect() as c:
        one = select(literal_column("1")).limit(1)
        filled = [n for n in names if c.execute(one.select_from(bare_table(n))).first()]
    if filled:
        more = f" و {len(filled) - 8} جدول دیگر" if len(filled) > 8 else ""
        raise BackupError(
            f"پایگاه مقصد خالی نیست (ردیف دارد در: {'، '.join(filled[:8])}{more})؛ بازیابی فقط "
            "در پایگاه تازه: یک پرونده SQLite تازه، یا پایگاه PostgreSQL تازه‌ساخته با createdb "
            "— پیش از init و create-admin، که خود ردیف می‌نویسند"
        )


def _why(exc: Exception) -> str:
    """What the database said, without the statement's parameters (rows, password hashes):
    the first line of the driver's message (a constraint's name, never a DETAIL line)."""
    orig = getattr(exc, "orig", None) if isinstance(exc, StatementError) else exc
    first = str(orig or type(exc).__name__).strip().splitlines()
    return (first[0] if first else type(exc).__name__)[:200]


def _load(engine: Engine, source: IO[bytes]) -> dict[str, int]:
    """The schema and every row of a verified backup, in one transaction."""
    tables = Base.metadata.tables
    counts: dict[str, int] = {}
    with engine.begin() as c:
        upgrade_in(c)
        # rows the migrations seed (e.g. published tariffs) come back from the backup
        for t in reversed(Base.metadata.sorted_tables):
            if t.name != "audit_log":  # append-only, and empty in a new database
                c.execute(t.delete())
        into, columns, batch, first = None, [], [], 0

        def flush() -> None:
            if batch:
                try:
                    c.execute(insert(into), batch)
                except SQLAlchemyError as exc:  # never str(exc): it holds the rows
                    last = first + len(batch) - 1
                    where = f"سطر {first}" if last == first else f"سطرهای {first}–{last}"
                    raise BackupError(
                        f"{where}، جدول {into.name}: پایگاه داده ردیفی را نپذیرفت و چیزی "
                        f"نوشته نشد: {_why(exc)}"
                    ) from None
                batch.clear()

        for n, raw in _lines(source):
            item = _json_line(n, raw)
            if n == 1:
                continue
            if isinstance(item, dict) and "table" in item:
                flush()
                into, columns = tables[item["table"]], item["columns"]
                counts[into.name] = 0
            elif isinstance(item, dict) and "end" in item:
                flush()
            else:
                first = first if batch else n
                batch.append(dict(zip(columns, map(_dec, item), strict=True)))
                counts[into.name] += 1
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

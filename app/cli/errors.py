"""What every command shares: one refusal type (exit 2, one Persian line on stderr), opening a
database that must already exist, asking a named user for their password, and output paths
checked before any work (a file or folder that cannot be written is named, not a traceback).

Only `demo`, `init` (the explicit first-run step), `restore` (into a new or empty database)
and `simulate` (its own throw-away database, or an empty one named by `--db`) make a
database; every other command names the missing file or the unreachable server in Persian
instead of quietly making a new empty one (a mistyped `--db sqlite:///…/nezarat.sqlit`).

The commands that only read (`READING`) open the database as it is: an older schema is
refused, naming `migrate`, never upgraded behind the reader's back (with a copy of the file
beside it and a backup labelled with the new revision).
"""

from __future__ import annotations

import errno
import getpass
import logging
import os
import sys
from collections.abc import Callable
from contextvars import ContextVar
from pathlib import Path

from sqlalchemy import Engine, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, SQLAlchemyError

from ..db.engine import missing_file, sqlite_path
from ..present.fa import why_not_read

PASSWORD_ENV = "NEZARAT_PASSWORD"

# psycopg warns of what it ignores while ending a failed pipeline (a refused executemany);
# a command's user gets its one Persian line, not the driver's — with no logging set up,
# Python's last-resort handler would print that warning on stderr beside it
logging.getLogger("psycopg").addHandler(logging.NullHandler())

# the commands (with their action) that only read; "" is `main.py` alone, the morning summary
READING = frozenset(
    {"backup", "verify-run", "verify-paper", "audit verify", "holidays show", "bench-desk", ""}
)
# set by `run_command` while a READING command runs: its `open_existing` then upgrades nothing
_reading: ContextVar[bool] = ContextVar("reading", default=False)


class CommandError(Exception):
    """A command refused with one Persian line (exit 2); nothing was changed."""

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.message, self.code = message, code


def _where(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def check_url(url: str) -> None:
    """A URL SQLAlchemy can use, naming a dialect this product knows."""
    try:
        u = make_url(url)
    except ArgumentError:
        raise CommandError(f"نشانی پایگاه داده نامعتبر است: {url}") from None
    if u.get_backend_name() not in ("sqlite", "postgresql"):
        raise CommandError(
            f"نشانی پایگاه داده باید sqlite:///… یا postgresql+psycopg://… باشد: {_where(url)}"
        )


def reach(url: str) -> Engine:
    """An engine on `url` whose server answers (no schema change)."""
    from ..db.engine import make_engine

    check_url(url)
    path = sqlite_path(url)
    if path is not None and not path.is_file():
        raise CommandError(missing_file(path))
    try:
        engine = make_engine(url)
        with engine.connect():
            pass
    except NoSuchModuleError:
        raise CommandError(f"نوع پایگاه داده شناخته نشد: {_where(url)}") from None
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else ""
        raise CommandError(
            f"به پایگاه داده وصل نشد: {_where(url)} — سرور در دسترس نیست یا نام کاربر، "
            f"گذرواژه یا پایگاه نادرست است ({reason})"
        ) from None
    except SQLAlchemyError as exc:
        raise CommandError(f"پایگاه داده باز نشد: {_where(url)} ({type(exc).__name__})") from None
    return engine


def is_blank(engine: Engine) -> bool:
    """No table at all: a database nothing has been made in yet."""
    return not inspect(engine).get_table_names()


def _not_made(url: str) -> CommandError:
    return CommandError(
        f"پایگاه داده {_where(url)} هنوز ساخته نشده است (نسخه طرحی ندارد) — "
        "«main.py init --db …» آن را می‌سازد (یا «main.py demo» با داده نمونه)"
    )


def open_existing(url: str) -> Engine:
    """The office's database at `url`, which must exist and have been made by this product;
    it is upgraded to the newest schema (after a backup copy) as the desk does — except for a
    command that only reads (`READING`), which gets `open_current`."""
    from ..db.migrate import open_database

    if _reading.get():
        return open_current(url)
    engine = reach(url)
    made = inspect(engine).has_table("alembic_version")
    engine.dispose()
    if not made:
        raise _not_made(url)
    try:
        return open_database(url)
    except OperationalError as exc:
        raise CommandError(f"پایگاه داده باز نشد: {_where(url)} ({exc.orig})") from None


def open_current(url: str) -> Engine:
    """The office's database at `url` as it is, for a command that only reads: made by this
    product and at this version's schema; nothing is migrated, seeded or copied."""
    from ..db.migrate import current, head, known

    engine = reach(url)
    made = inspect(engine).has_table("alembic_version")
    schema, program = current(engine) if made else None, head()
    if schema == program:
        return engine
    engine.dispose()
    if schema is None:
        raise _not_made(url)
    if known(schema):
        raise CommandError(
            f"پایگاه داده به ویرایش تازه نیاز دارد؛ نخست main.py migrate --db {_where(url)} "
            f"(ویرایش پایگاه {schema}، ویرایش برنامه {program}؛ این فرمان فقط می‌خواند و "
            "چیزی را تغییر نداد)"
        )
    raise CommandError(
        f"پایگاه داده {_where(url)} در ویرایش {schema} است که این برنامه "
        f"(ویرایش {program}) نمی‌شناسد؛ برنامه را به‌روز کنید"
    )


# why an output path could not be written, in the clerk's words (else the system's own)
_WHY_NOT_WRITTEN = {
    errno.ENOENT: "پوشه آن نیست",
    errno.EISDIR: "پوشه است، نه پرونده",
    errno.ENOTDIR: "بخشی از مسیر آن پرونده است، نه پوشه",
    errno.EEXIST: "پرونده‌ای به این نام هست، نه پوشه",
    errno.EACCES: "اجازه نوشتن نیست",
    errno.EPERM: "اجازه نوشتن نیست",
    errno.EROFS: "دیسک فقط‌خواندنی است",
    errno.ENOSPC: "دیسک پر است",
}


def not_written(path: Path | str, exc: OSError, what: str = "") -> str:
    """One Persian line naming an output path that could not be written (`what`: the report,
    the result…), and why."""
    why = _WHY_NOT_WRITTEN.get(exc.errno or 0) or exc.strerror or type(exc).__name__
    return _not_written(path, why, what)


def _not_written(path: Path | str, why: str, what: str = "") -> str:
    return f"{what} در {path} نوشته نشد: {why}".lstrip()


def not_read(path: Path | str, exc: OSError) -> str:
    """One Persian line naming an input file that could not be read, and why."""
    return f"پرونده {path} خوانده نشد: {why_not_read(exc)}"


def _nearest(path: Path) -> Path:
    """The nearest part of `path` that is there (the folder a new path would be made in)."""
    path = path.absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def writable_file(path: Path, what: str = "") -> None:
    """Refuse, before any work is done, an output file that cannot be written: its folder is
    not there (no folder tree is made from a typo), it is a folder, or no permission. Nothing
    is made; a command that did its work first would lose it, or have written the database.
    `what` names the output in the refusal (the report, the messages…)."""
    path = Path(path)
    if path.is_dir():
        raise CommandError(not_written(path, OSError(errno.EISDIR, ""), what))
    folder = path.absolute().parent
    if not folder.is_dir():
        code = errno.ENOENT if _nearest(folder).is_dir() else errno.ENOTDIR
        raise CommandError(not_written(path, OSError(code, ""), what))
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise CommandError(not_written(path, OSError(errno.EACCES, ""), what))


def writable_folder(path: Path) -> None:
    """Refuse, before any work is done, an output folder that cannot be made or written into
    (a file on its way, no permission). Nothing is made: the command makes it when it writes."""
    path = Path(path)
    there = _nearest(path)
    if not there.is_dir():
        code = errno.EEXIST if there == path.absolute() else errno.ENOTDIR
        raise CommandError(not_written(path, OSError(code, "")))
    if not os.access(there, os.W_OK | os.X_OK):
        raise CommandError(not_written(path, OSError(errno.EACCES, "")))


def _same_file(a: Path, b: Path) -> bool:
    """`a` and `b` name one file, however spelled (a link, `..`, a relative path): by the
    file itself when both are there, else by the resolved paths."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return Path(a).resolve() == Path(b).resolve()


def not_onto(path: Path, what: str, db: str | None = None, inputs: tuple[Path, ...] = ()) -> None:
    """Refuse, before any work is done, an output path that is the office's database (the
    SQLite file `db` names, or its -wal, -shm or -journal beside it) or one of the command's
    own input files: the output would be written over what the command reads, and the office's
    data would be gone with an exit status of 0."""
    path = Path(path)
    try:
        base = sqlite_path(db) if db else None
    except ArgumentError:  # not a URL: the command's own opening names it
        base = None
    if base is not None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            if _same_file(path, Path(f"{base}{suffix}")):
                part = "" if not suffix else f"پرونده {suffix} "
                raise CommandError(
                    _not_written(
                        path,
                        f"این {part}پایگاه داده همین فرمان است ({base}) و نوشتن روی آن "
                        "داده‌های پایگاه را از میان می‌برد؛ مسیر دیگری بدهید",
                        what,
                    )
                )
    for given in inputs:
        if _same_file(path, Path(given)):
            raise CommandError(
                _not_written(
                    path, f"این همان پرونده ورودی فرمان است ({given})؛ مسیر دیگری بدهید", what
                )
            )


SQLITE_MAGIC = b"SQLite format 3\x00"


def only_replacing(path: Path, what: str, ours: Callable[[bytes], bool], kind: str) -> None:
    """Refuse, before any work is done, to write over an existing, non-empty file that is
    not an earlier output of the same kind (`ours` judges the file's first bytes; `kind`
    names it: «پشتیبان», «نتیجه شبیه‌سازی»…): a copy of a database, a document or anything
    else given by a slip of the hand is never replaced. An empty file, a new path or an
    earlier output (yesterday's backup, the last run's result) is written as asked."""
    path = Path(path)
    if not path.is_file():  # a new path, or no file to replace (/dev/stdout, a pipe)
        return
    try:
        with path.open("rb") as f:
            head = f.read(4096)
    except OSError:  # not readable: `writable_file` says what stops the writing
        return
    if not head or ours(head):
        return
    found = "یک پایگاه داده SQLite" if head.startswith(SQLITE_MAGIC) else "پرونده دیگری"
    raise CommandError(
        _not_written(
            path,
            f"{found} به این نام هست که {kind} نیست و رونویسی نمی‌شود؛ "
            "مسیر دیگری بدهید یا آن را نخست خودتان بردارید",
            what,
        )
    )


def output_folder(path: Path) -> Path:
    """`path` made as a folder to write into, or refused in Persian naming it."""
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CommandError(not_written(path, exc)) from None
    return path


def password_for(username: str) -> str:
    """The named user's password: `NEZARAT_PASSWORD` (scripts), else asked on the terminal."""
    return _asked(
        username,
        f"گذرواژه کاربر «{username}» لازم است: در پایانه بپرسید یا {PASSWORD_ENV} را بدهید",
        twice=False,
    )


def new_password(username: str) -> str:
    """A new user's password (`create-admin`): `NEZARAT_PASSWORD` (scripts), else asked twice
    on the terminal. Without a terminal (a script, `< /dev/null`) it is refused in Persian,
    never a prompt that ends in EOFError; the caller asks only once the database is known."""
    return _asked(
        username,
        f"گذرواژه کاربر تازه «{username}» لازم است: فرمان را در پایانه اجرا کنید یا "
        f"{PASSWORD_ENV} را بدهید؛ کاری انجام نشد",
        twice=True,
    )


def _asked(username: str, no_terminal: str, twice: bool) -> str:
    """`NEZARAT_PASSWORD`, else the terminal's answer (`twice`: typed again, the same); no
    terminal, or the prompt left: CommandError in Persian."""
    given = os.environ.get(PASSWORD_ENV)
    if given is not None:
        return given
    if not sys.stdin.isatty():
        raise CommandError(no_terminal)
    try:
        first = getpass.getpass(f"گذرواژه {username}: ")
        again = getpass.getpass("دوباره: ") if twice else first
    except (EOFError, KeyboardInterrupt):
        raise CommandError("گذرواژه وارد نشد؛ کاری انجام نشد") from None
    if first != again:
        raise CommandError("دو گذرواژه یکی نیستند؛ کاری انجام نشد")
    return first


def signed_in(engine: Engine, username: str):
    """A context acting as `username`, once their password is verified (`users.authenticate`):
    a command that changes data acts for a person who proved who they are (U1, U2)."""
    from ..domain.errors import InputError, RuleViolation
    from ..services import users
    from ..services.context import ServiceContext

    ctx = ServiceContext(engine)
    password = password_for(username)
    try:
        actor = users.authenticate(ctx, username, password)
    except (InputError, RuleViolation) as exc:
        raise CommandError(f"ورود «{username}» پذیرفته نشد: {exc.message}") from None
    if actor is None:
        raise CommandError(f"نام کاربری یا گذرواژه «{username}» نادرست است")
    return ctx.as_actor(actor)


def run_command(args) -> int:
    """Run a parsed command: a `CommandError` is one Persian line on stderr and exit 2."""
    from ..keys import KEY_FILE_ENV, KeyFileError

    if getattr(args, "office_key_file", None):  # `main.py --key-file F …`: every key use reads F
        os.environ[KEY_FILE_ENV] = args.office_key_file
    reading = _reads_only(args)
    token = _reading.set(reading)
    try:
        if reading:  # before the command's own opening (some only `reach`)
            open_current(args.db).dispose()
        return args.func(args)
    except CommandError as exc:
        print(f"{args.command or 'main.py'}: {exc.message}", file=sys.stderr)
        return exc.code
    except KeyFileError as exc:  # a missing, bad or foreign key file: nothing was written
        print(f"{args.command or 'main.py'}: {exc}", file=sys.stderr)
        return 2
    finally:
        _reading.reset(token)


def _reads_only(args) -> bool:
    words = (getattr(args, "command", None), getattr(args, "action", None))
    return hasattr(args, "db") and " ".join(w for w in words if w) in READING


def require_demo(engine: Engine, command: str) -> None:
    """`screenshots` and `documents` show a demo province: refuse an empty database in
    Persian, naming the step that builds one, before anything is drawn."""
    from sqlalchemy import func, select

    from ..db.models import Engineer, OrganizationSettings, Project, User

    with engine.connect() as c:
        roles = set(c.scalars(select(User.role).where(User.active).distinct()))
        projects = c.scalar(select(func.count()).select_from(Project))
        held = any(c.scalar(select(func.count()).select_from(t)) for t in (Engineer, User))
        demo = bool(c.scalar(select(OrganizationSettings.demo).limit(1)))
    missing = {"admin", "clerk", "finance", "manager", "engineer"} - roles
    if missing or not projects:
        url = engine.url.render_as_string(hide_password=True)
        # the step named must be one `demo` takes on this database (app/demo/province.py):
        # it builds in one that holds nothing, rebuilds its own with --reset, and refuses an
        # office's own (its people, engineers or files)
        if not (held or projects):
            step = f"نخست «main.py demo --db {url}» را اجرا کنید، سپس «main.py {command}»"
        elif demo:
            step = (
                f"نخست «main.py demo --reset --db {url}» آن را از نو می‌سازد، "
                f"سپس «main.py {command}»"
            )
        else:
            step = (
                "این پایگاه داده‌های یک دفتر را دارد و demo آن را پر نمی‌کند؛ نمایشی را در "
                "پرونده‌ای دیگر بسازید («main.py demo --db sqlite:///…/demo.sqlite») و "
                f"«main.py {command}» را با همان --db اجرا کنید"
            )
        raise CommandError(
            f"پایگاه داده {url} داده نمونه ندارد ({'پرونده‌ای' if not projects else 'کاربر'} "
            f"نیست)؛ {step}"
        )

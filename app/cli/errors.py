"""What every command shares: one refusal type (exit 2, one Persian line on stderr), opening a
database that must already exist, and asking a named user for their password.

Only `demo`, `init` (the explicit first-run step), `restore` (into a new or empty database)
and `simulate` (its own throw-away database, or an empty one named by `--db`) make a
database; every other command names the missing file or the unreachable server in Persian
instead of quietly making a new empty one (a mistyped `--db sqlite:///…/nezarat.sqlit`).
"""

from __future__ import annotations

import getpass
import os
import sys

from sqlalchemy import Engine, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, SQLAlchemyError

from ..db.engine import missing_file, sqlite_path

PASSWORD_ENV = "NEZARAT_PASSWORD"


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


def open_existing(url: str) -> Engine:
    """The office's database at `url`, which must exist and have been made by this product;
    it is upgraded to the newest schema (after a backup copy) as the desk does."""
    from ..db.migrate import open_database

    engine = reach(url)
    if not inspect(engine).has_table("alembic_version"):
        engine.dispose()
        raise CommandError(
            f"پایگاه داده {_where(url)} هنوز ساخته نشده است — «main.py init --db …» آن را "
            "می‌سازد (یا «main.py demo» با داده نمونه)"
        )
    engine.dispose()
    try:
        return open_database(url)
    except OperationalError as exc:
        raise CommandError(f"پایگاه داده باز نشد: {_where(url)} ({exc.orig})") from None


def password_for(username: str) -> str:
    """The named user's password: `NEZARAT_PASSWORD` (scripts), else asked on the terminal."""
    given = os.environ.get(PASSWORD_ENV)
    if given is not None:
        return given
    if not sys.stdin.isatty():
        raise CommandError(
            f"گذرواژه کاربر «{username}» لازم است: در پایانه بپرسید یا {PASSWORD_ENV} را بدهید"
        )
    try:
        return getpass.getpass(f"گذرواژه {username}: ")
    except (EOFError, KeyboardInterrupt):
        raise CommandError("گذرواژه وارد نشد؛ کاری انجام نشد") from None


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
    try:
        return args.func(args)
    except CommandError as exc:
        print(f"{args.command or 'main.py'}: {exc.message}", file=sys.stderr)
        return exc.code
    except KeyFileError as exc:  # a missing, bad or foreign key file: nothing was written
        print(f"{args.command or 'main.py'}: {exc}", file=sys.stderr)
        return 2


def require_demo(engine: Engine, command: str) -> None:
    """`screenshots` and `documents` show a demo province: refuse an empty database in
    Persian, naming the step that builds one, before anything is drawn."""
    from sqlalchemy import func, select

    from ..db.models import Project, User

    with engine.connect() as c:
        roles = set(c.scalars(select(User.role).where(User.active).distinct()))
        projects = c.scalar(select(func.count()).select_from(Project))
    missing = {"admin", "clerk", "finance", "manager", "engineer"} - roles
    if missing or not projects:
        url = engine.url.render_as_string(hide_password=True)
        raise CommandError(
            f"پایگاه داده {url} داده نمونه ندارد ({'پرونده‌ای' if not projects else 'کاربر'} "
            f"نیست)؛ نخست «main.py demo --db {url}» را اجرا کنید، سپس «main.py {command}»"
        )

"""`main.py serve`: the office server."""

from __future__ import annotations

import argparse
import faulthandler
import logging
import os
import signal
import sys
from datetime import timedelta
from pathlib import Path

from app.cli.commands import clock_skew_seconds


def cmd_serve(args: argparse.Namespace) -> int:
    from app.cli.errors import open_existing
    from app.db.engine import default_data_dir
    from app.db.migrate import current
    from app.keys import KeyFileError, load_key

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if bool(args.tls_cert) != bool(args.tls_key):
        print("serve: --tls-cert و --tls-key باید با هم داده شوند", file=sys.stderr)
        return 2
    data = Path(args.data) if args.data else default_data_dir()
    try:
        key = load_key(args.key_file or os.environ.get("NEZARAT_KEY_FILE") or data / "server.key")
    except KeyFileError as exc:
        print(f"serve: {exc}", file=sys.stderr)
        return 2
    try:
        engine = open_existing(args.db)  # named when missing, never made (init makes it)
    except Exception as exc:  # unreachable server, wrong password, an old schema for this role
        print(f"serve: پایگاه داده باز نشد: {str(exc).splitlines()[0][:300]}", file=sys.stderr)
        return 2
    from app.services.audit_trail import check_trail_key
    from app.services.context import SYSTEM, ServiceContext

    try:  # the trail is chained under one key: a server holding another would refuse every write
        check_trail_key(ServiceContext(engine, actor=SYSTEM, key=key))
    except KeyFileError as exc:
        print(f"serve: {exc}", file=sys.stderr)
        return 2
    gateway = _gateway(args.sms, data)
    from .server import OfficeServer

    tls = (args.tls_cert, args.tls_key) if args.tls_cert else None
    server = OfficeServer(
        engine,
        key,
        max_skew=timedelta(seconds=args.max_clock_skew),
        audit_head=data / "audit-head.json",
        sms_gateway=gateway,
        tls=tls,
        allowed_hosts=args.allowed_host or ["*"],
        threads=args.threads,
    )
    try:
        url = server.bind(args.host, args.port)
    except OSError as exc:
        print(f"serve: نشانی {args.host}:{args.port} گرفته نشد: {exc}", file=sys.stderr)
        return 2
    skew = server.guard.measure()

    def stop(*_: object) -> None:  # systemd's stop: end the serve loop, then shut down below
        raise KeyboardInterrupt

    # before the announcement: a stop that follows it at once is a clean shutdown too
    signal.signal(signal.SIGTERM, stop)
    try:
        print(
            f"serve: listening on {url} (schema {current(engine)}, {engine.dialect.name}, "
            f"key {key.key_id}, clock vs database {skew.total_seconds():+.3f} s)",
            flush=True,
        )
        server.start_clockwork()
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        # a stop that hangs (a worker stuck in a call) prints every thread's stack and exits 1
        # within 20 s, not killed silently by systemd 90 s later
        faulthandler.dump_traceback_later(20, exit=True)
        server.stop()
        faulthandler.cancel_dump_traceback_later()
    return 0


def _gateway(kind: str, data: Path):
    from app.services import sms

    if kind == "off":
        return None
    if kind == "kavenegar":
        api_key = os.environ.get("KAVENEGAR_API_KEY")
        if not api_key:
            raise SystemExit("serve: برای کاوه‌نگار KAVENEGAR_API_KEY را تنظیم کنید")
        return sms.KavenegarGateway(api_key, os.environ.get("KAVENEGAR_SENDER"))
    data.mkdir(parents=True, exist_ok=True)
    try:
        return sms.FileGateway(data / "sms-outbox.jsonl")
    except sms.OutboxFileError as exc:  # not an outbox it wrote: nothing appended to it
        raise SystemExit(f"serve: {exc}") from None
    except OSError as exc:
        raise SystemExit(
            f"serve: پرونده پیامک‌ها {data / 'sms-outbox.jsonl'} خوانده نشد ({exc.strerror})"
        ) from None


def cmd_migrate(args: argparse.Namespace) -> int:
    """Bring the schema to this version's (as the schema's owner: the server's role may not);
    a SQLite file is copied beside itself first."""
    from app.cli.errors import open_existing
    from app.db.migrate import current, head

    try:
        engine = open_existing(args.db)  # named when missing, never made (init makes it)
    except Exception as exc:
        print(
            f"migrate: پایگاه داده باز یا ارتقا نشد: {str(exc).splitlines()[0][:300]}",
            file=sys.stderr,
        )
        return 2
    print(f"migrate: schema {current(engine)} (this version's: {head()})")
    return 0


def cmd_create_admin(args: argparse.Namespace) -> int:
    """The first administrator of a new office database (the one step that needs no sign-in:
    it works only while no user exists)."""
    from app.cli.errors import CommandError, new_password, open_existing
    from app.domain.digits import persian_digits
    from app.domain.errors import RuleViolation
    from app.services import users
    from app.services.context import ServiceContext

    try:
        engine = open_existing(args.db)  # named when missing, never made (init makes it)
    except CommandError:
        raise  # already one Persian line (run_command prints it, exit 2)
    except Exception as exc:
        print(
            f"create-admin: پایگاه داده باز نشد: {str(exc).splitlines()[0][:300]}", file=sys.stderr
        )
        return 2
    # asked only once the database is known; no terminal and no NEZARAT_PASSWORD: one
    # Persian line (exit 2), never a prompt that ends in EOFError
    password = new_password(args.username)
    if len(password) < users.MIN_PASSWORD:
        print(
            f"create-admin: گذرواژه باید دست‌کم {persian_digits(users.MIN_PASSWORD)} نویسه باشد",
            file=sys.stderr,
        )
        return 2
    try:
        users.bootstrap_admin(ServiceContext(engine), args.username, password, args.full_name)
    except RuleViolation as exc:
        print(f"create-admin: {exc.message}", file=sys.stderr)
        return 2
    print(f"create-admin: {args.username} ساخته شد")
    return 0


def cmd_bench_server(args: argparse.Namespace) -> int:
    """The server measure alone (or, `bench-web`, the web cartable's), on bench data of its
    own (a temporary SQLite file, or a throw-away PostgreSQL server with --pg)."""
    import tempfile
    from contextlib import ExitStack

    from app.bench.data import build, default_deadline

    from .bench import measure_server, measure_web_cartable

    with ExitStack() as stack:
        if args.pg:
            from app.db.throwaway_pg import PgServer

            pg = PgServer().start()
            stack.callback(pg.stop)
            url = pg.create_database("bench_server")
        else:
            tmp = stack.enter_context(tempfile.TemporaryDirectory())
            url = f"sqlite:///{tmp}/bench.sqlite"
        world = build(url, args.scale, default_deadline())
        try:
            if getattr(args, "web", False):
                measures = measure_web_cartable(world, args.engineers)
            else:
                measures = measure_server(world, args.repeats)
        finally:
            world.engine.dispose()
    for m in measures:
        met = "met" if m.meets else "MISSED"
        print(
            f"{m.name}\n    {m.value * 1000:.1f} ms against {m.limit * 1000:.1f} ms: "
            f"ratio {m.ratio:.2f} (goal ≤ {m.goal:g}) — {met}"
        )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    from app.bench.measure import register as register_measure
    from app.db.engine import default_url

    from .bench import measure_server, measure_web_cartable

    register_measure(measure_server, "data")  # in `main.py bench` too
    register_measure(measure_web_cartable, "data")  # issue 13: the web cartable page
    b = sub.add_parser(
        "bench-server",
        help="a desk call through the office server against the same call in-process",
    )
    b.add_argument("--pg", action="store_true", help="on a throw-away PostgreSQL server")
    b.add_argument("--scale", choices=("tiny", "province", "national"), default="tiny")
    b.add_argument("--repeats", type=int, default=200)
    b.set_defaults(func=cmd_bench_server)
    w = sub.add_parser(
        "bench-web",
        help="the web cartable page under a rush of phones against a bare fetch of its rows",
    )
    w.add_argument("--pg", action="store_true", help="on a throw-away PostgreSQL server")
    w.add_argument("--scale", choices=("tiny", "province", "national"), default="tiny")
    w.add_argument("--engineers", type=int, default=None, help="phones (default 200)")
    w.set_defaults(func=cmd_bench_server, web=True)

    m = sub.add_parser("migrate", help="upgrade the database's schema (as its owner)")
    m.add_argument("--db", default=default_url())
    m.set_defaults(func=cmd_migrate)
    a = sub.add_parser("create-admin", help="the first administrator of a new office database")
    a.add_argument("--db", default=default_url())
    a.add_argument("--username", default="admin")
    a.add_argument("--full-name", default="مدیر سامانه")
    a.set_defaults(func=cmd_create_admin)

    s = sub.add_parser("serve", help="the office server: the API for desks and the clock")
    s.add_argument("--db", default=default_url(), help="SQLAlchemy URL of the office database")
    s.add_argument("--host", default="127.0.0.1", help="address to listen on")
    s.add_argument("--port", type=int, default=8443)
    s.add_argument("--tls-cert", help="the server's certificate (PEM)")
    s.add_argument("--tls-key", help="the certificate's private key (PEM)")
    s.add_argument("--key-file", help="the office's secret key (default: server.key in --data)")
    s.add_argument("--data", help="the server's folder: key, audit head, SMS file")
    s.add_argument("--sms", choices=("file", "kavenegar", "off"), default="file")
    s.add_argument(
        "--max-clock-skew",
        type=clock_skew_seconds,  # finite, ≥ 0: NaN would turn the guard off
        default=5.0,
        help="seconds the server's clock may differ from the database's",
    )
    s.add_argument("--allowed-host", action="append", help="host names the server answers to")
    s.add_argument("--threads", type=int, default=32)
    s.set_defaults(func=cmd_serve)

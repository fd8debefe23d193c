"""A throw-away PostgreSQL server: the test run's (tests/conftest.py) and `main.py bench --pg`.

Self-contained on purpose (no other ``app`` imports) so conftest can start it before anything
else. Each pytest-xdist worker may start its own server: every instance gets its own temp dir
and port, nothing is shared. Needs the PostgreSQL server binaries (Debian: `postgresql`).
"""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import re
import shlex
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Sequence
from types import TracebackType

import psycopg
from psycopg import sql

USER = "nezarat"
HOST = "127.0.0.1"
_BINARIES = ("initdb", "pg_ctl", "postgres")
# Speed settings: durability is worthless for a throw-away cluster.
_SETTINGS = {
    "listen_addresses": f"'{HOST}'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
}


def find_bindir() -> str:
    """Directory holding initdb, pg_ctl and postgres; RuntimeError if none does."""
    candidates: list[str] = []
    on_path = shutil.which("initdb")
    if on_path:
        # Resolve symlinks so pg_ctl and postgres are looked up next to the real initdb.
        candidates.append(os.path.dirname(os.path.realpath(on_path)))
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=True
            ).stdout.strip()
            candidates.append(out)
        except (OSError, subprocess.SubprocessError):
            pass
    # Debian's `postgresql` package keeps the binaries off PATH; prefer the newest major.
    versioned = glob.glob("/usr/lib/postgresql/*/bin")
    candidates += sorted(versioned, key=_version_key, reverse=True)
    for bindir in candidates:
        if all(os.access(os.path.join(bindir, b), os.X_OK) for b in _BINARIES):
            return bindir
    raise RuntimeError(
        "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found on PATH, via "
        "`pg_config --bindir` or in /usr/lib/postgresql/*/bin. Install the `postgresql` "
        "package (e.g. `apt-get install postgresql`), or set NZ_SKIP_POSTGRES=1 to skip "
        "the PostgreSQL tests."
    )


def _version_key(path: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", path))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


class PgServer:
    """A private PostgreSQL cluster in ``/tmp/nz-pg-*``, reachable over TCP on loopback.

    Usage: ``srv = PgServer().start()`` ... ``srv.stop()``, or ``with PgServer() as srv:``.
    """

    def __init__(
        self,
        dbname: str = "nezarat_test",
        settings: dict[str, str] | None = None,
        files: dict[str, bytes] | None = None,
    ) -> None:
        """`settings` are extra postgresql.conf lines (`{dir}` stands for the server's
        folder); `files` are written into that folder, private to the server (e.g. a TLS
        certificate and key)."""
        self.dbname = dbname
        self.settings = settings or {}
        self.files = files or {}
        self.bindir = find_bindir()
        self.port = 0
        self.dir = ""
        self._running = False
        # PostgreSQL refuses to run as root, so as root everything runs as `postgres`.
        self._as_user: pwd.struct_passwd | None = None
        if os.geteuid() == 0:
            try:
                self._as_user = pwd.getpwnam("postgres")
            except KeyError:
                raise RuntimeError(
                    "running as root but there is no `postgres` system user to run "
                    "PostgreSQL as; install the `postgresql` package"
                ) from None

    # -- public API ---------------------------------------------------------------

    @property
    def data_dir(self) -> str:
        return os.path.join(self.dir, "data")

    @property
    def log_path(self) -> str:
        return os.path.join(self.dir, "postgres.log")

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the default test database."""
        return self.url_for(self.dbname)

    def url_for(self, dbname: str) -> str:
        return f"postgresql+psycopg://{USER}@{HOST}:{self.port}/{dbname}"

    def start(self) -> PgServer:
        # Directly under /tmp: pytest's tmp_path parents are 0700 root and the
        # `postgres` user could not reach them.
        self.dir = tempfile.mkdtemp(prefix="nz-pg-", dir="/tmp")
        atexit.register(self.stop)  # don't leak servers if the caller never stops us
        try:
            if self._as_user:
                os.chown(self.dir, self._as_user.pw_uid, self._as_user.pw_gid)
            for name, content in self.files.items():
                path = os.path.join(self.dir, name)
                with open(path, "wb") as f:
                    f.write(content)
                os.chmod(path, 0o600)
                if self._as_user:
                    os.chown(path, self._as_user.pw_uid, self._as_user.pw_gid)
            self._initdb()
            self._start_server()
            self.create_database(self.dbname)
        except BaseException:
            self.stop()
            raise
        return self

    def create_database(self, name: str) -> str:
        """Create database ``name`` and return its SQLAlchemy URL."""
        with psycopg.connect(
            host=HOST, port=self.port, user=USER, dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url_for(name)

    def pause(self) -> None:
        """Stop the server but keep its folder and port (a database that went away)."""
        self._run([self._bin("pg_ctl"), "stop", "-D", self.data_dir, "-m", "fast", "-w"])

    def resume(self) -> None:
        """Start it again on the same port."""
        result = self._run(
            [
                self._bin("pg_ctl"),
                "start",
                "-D",
                self.data_dir,
                "-l",
                self.log_path,
                "-w",
                "-t",
                "60",
            ]
        )
        if result.returncode != 0:
            raise RuntimeError(f"PostgreSQL did not come back:\n{result.stdout}")

    def stop(self) -> None:
        """Kill the server (no clean shutdown needed) and delete its directory. Idempotent."""
        if self._running:
            self._running = False
            self._run(
                [self._bin("pg_ctl"), "stop", "-D", self.data_dir, "-m", "immediate", "-w"],
            )
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = ""
        atexit.unregister(self.stop)

    def __enter__(self) -> PgServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- internals ----------------------------------------------------------------

    def _bin(self, name: str) -> str:
        return os.path.join(self.bindir, name)

    def _initdb(self) -> None:
        # --no-sync: fsyncing a cluster that lives for one test run is wasted time.
        base = [self._bin("initdb"), "-D", self.data_dir, "--no-sync"]
        base += ["-A", "trust", "-U", USER, "-E", "UTF8"]
        first = self._run([*base, "--locale=C.UTF-8"])
        if first.returncode == 0:
            return
        # Minimal images may lack the C.UTF-8 locale; plain C works everywhere.
        shutil.rmtree(self.data_dir, ignore_errors=True)
        second = self._run([*base, "--locale=C"])
        if second.returncode != 0:
            raise RuntimeError(
                "initdb failed.\n--- with --locale=C.UTF-8:\n"
                f"{first.stdout}\n--- with --locale=C:\n{second.stdout}"
            )

    def _start_server(self) -> None:
        # Settings go into postgresql.conf rather than `pg_ctl -o` to avoid quoting issues.
        extra = {k: v.replace("{dir}", self.dir) for k, v in self.settings.items()}
        conf = {**_SETTINGS, "unix_socket_directories": f"'{self.dir}'", **extra}
        pg_ctl, data = self._bin("pg_ctl"), self.data_dir
        start = [pg_ctl, "start", "-D", data, "-l", self.log_path, "-p", self._bin("postgres")]
        errors: list[str] = []
        # The free port can be grabbed by another process (e.g. another xdist
        # worker) between probing and binding; retry with a new one.
        for _ in range(3):
            self.port = _free_port()
            conf["port"] = str(self.port)
            # Appended lines win over earlier ones, so a retry just appends again.
            with open(os.path.join(data, "postgresql.conf"), "a") as f:
                f.write("".join(f"{k} = {v}\n" for k, v in conf.items()))
            log_start = os.path.getsize(self.log_path) if os.path.exists(self.log_path) else 0
            result = self._run([*start, "-w", "-t", "60"])
            if result.returncode == 0:
                self._running = True
                return
            # pg_ctl may time out while the postmaster is still alive; make sure it's gone.
            self._run([pg_ctl, "stop", "-D", data, "-m", "immediate"])
            log = self._log_tail(log_start)
            errors.append(f"pg_ctl start on port {self.port}:\n{result.stdout}\n{log}")
            if "could not bind" not in log and "already in use" not in log:
                break
        raise RuntimeError(f"PostgreSQL failed to start (dir {self.dir}).\n" + "\n".join(errors))

    def _log_tail(self, offset: int = 0, lines: int = 30) -> str:
        try:
            with open(self.log_path, errors="replace") as f:
                f.seek(offset)
                tail = f.readlines()[-lines:]
        except OSError:
            return "(no server log)"
        return "--- server log tail ---\n" + "".join(tail)

    def _run(self, cmd: Sequence[str]) -> subprocess.CompletedProcess[str]:
        """Run a PostgreSQL tool, as `postgres` when we are root; stdout+stderr merged."""
        argv = list(cmd)
        if self._as_user:
            if shutil.which("runuser"):
                argv = ["runuser", "-u", "postgres", "--", *argv]
            else:
                argv = ["su", "postgres", "-s", "/bin/sh", "-c", shlex.join(argv)]
        # cwd: the postgres user may not be able to read the caller's cwd (e.g. /root).
        return subprocess.run(
            argv,
            cwd=self.dir or "/",
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=120,
            check=False,
        )

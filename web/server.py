"""One office server: the database engine, the clock (checked against the database's), the key,
the WSGI application (Django), the HTTP server (cheroot, with TLS when given a certificate),
and the clockwork thread. Several can live in one process (tests): each request carries its
server in `environ["nezarat.server"]`."""

from __future__ import annotations

import io
import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from app.keys import ServerKey
from app.services.context import Actor, ServiceContext, system_clock

from .clock import ClockGuard
from .clockwork import Clockwork
from .django_setup import configure
from .middleware import SITE_BODY_LIMIT

log = logging.getLogger("nezarat.server")


# a write still being answered holds the clock's runs at most this long (a bulk import
# through the API does not hold the 20:00 run for minutes)
IN_FLIGHT_HOLD = timedelta(seconds=60)


BODY_LIMIT = 40 * 1024 * 1024  # Django's DATA_UPLOAD_MAX_MEMORY_SIZE (web/django_setup.py)


def _read_body(environ: dict[str, Any]) -> None:
    """Read a request's body whole before the clock is read (a body Django or the site would
    refuse as too large is left to them, which answer 413)."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return
    path = str(environ.get("PATH_INFO") or "")
    # a site form's body over its own limit is not read at all: the site refuses it (413,
    # `web.middleware.site_refusal`) and the connection is closed after the answer
    most = BODY_LIMIT if path.startswith("/api/") else SITE_BODY_LIMIT
    if 0 < length <= most:
        body = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))


class InFlight:
    """The arrival instants of the writes being answered now (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._arrived: dict[int, datetime] = {}
        self._next = 0

    def enter(self, clock: Callable[[], datetime]) -> tuple[int, datetime]:
        """Registered with the clock read under the lock: a run's `settled` sees every write
        that arrived before its own reading (`earliest`, under the same lock)."""
        with self._lock:
            self._next += 1
            arrived = self._arrived[self._next] = clock()
            return self._next, arrived

    def leave(self, ticket: int) -> None:
        with self._lock:
            self._arrived.pop(ticket, None)

    def settled(self, clock: Callable[[], datetime], hold: timedelta) -> datetime:
        """Now, or just before the earliest write still being answered that arrived less
        than `hold` ago (the clock read under the lock, as `enter` reads it)."""
        with self._lock:
            now = clock()
            held = [a for a in self._arrived.values() if a >= now - hold]
        return now if not held else min(now, min(held) - timedelta(microseconds=1))


class SessionCache:
    """Who holds a token, remembered for a moment: a desk's every call would otherwise pay a
    database round trip to learn it again. An entry lasts at most `TTL` seconds and never past
    the session's own end by the server's clock; this server forgets everything at once when a
    session ends or a user's password or standing changes through it (another server process
    sharing the database learns it within `TTL`)."""

    TTL = 2.0

    def __init__(self, server: OfficeServer):
        self.server = server
        self._lock = threading.Lock()
        self._known: dict[tuple[str, str], tuple[Actor, datetime, float]] = {}

    def actor(self, token: str, kind: str) -> Actor | None:
        found = self.session(token, kind)
        return None if found is None else found[0]

    def session(self, token: str, kind: str) -> tuple[Actor, datetime] | None:
        """Who holds the token and the instant the session ends if unused from now (its idle
        end or its absolute one, the sooner: what the cartable warns of), or None."""
        from app.services import sessions

        now, mono = self.server.now(), time.monotonic()
        key = (sessions.token_hash(token), kind)
        hit = self._known.get(key)
        if hit is not None and hit[2] > mono and hit[1] > now:
            return hit[0], hit[1]
        found = sessions.resolve_session(self.server.base, token, kind)
        with self._lock:
            if found is None:
                self._known.pop(key, None)
                return None
            if len(self._known) > 10_000:
                self._known.clear()
            self._known[key] = (found[0], found[1], mono + self.TTL)
        return found[0], found[1]

    def forget(self) -> None:
        with self._lock:
            self._known.clear()


class OfficeServer:
    def __init__(
        self,
        engine: Engine,
        key: ServerKey,
        *,
        clock: Callable[[], datetime] = system_clock,
        max_skew: timedelta | None = timedelta(seconds=5),
        audit_head: Path | None = None,
        sms_gateway: Any = None,
        tls: tuple[str, str] | None = None,
        allowed_hosts: list[str] | None = None,
        threads: int = 32,
    ):
        self.engine, self.key, self.clock, self.tls = engine, key, clock, tls
        self.base = ServiceContext(engine, clock=clock, key=key, audit_head=audit_head)
        self.guard = ClockGuard(engine, clock, max_skew)
        self.sms_gateway = sms_gateway
        self.sessions = SessionCache(self)
        self.in_flight = InFlight()
        self.threads = threads
        configure(key, tls is not None, allowed_hosts or ["*"])
        from django.core.handlers.wsgi import WSGIHandler

        self._django = WSGIHandler()
        self._http: Any = None
        self._thread: threading.Thread | None = None
        self.clockwork: Clockwork | None = None
        self.url = ""

    # ------------------------------------------------------------ what requests use

    def now(self) -> datetime:
        return self.clock()

    def settled(self) -> datetime:
        """The instant up to which the clock's runs may decide: now, or just before the
        arrival of the earliest write still being answered — a stand that arrived at
        19:59:59 and waits on the database is counted before the 20:00 run decides (C3: the
        server's clock at arrival), a signature at 11:59 before the window's end (A9)."""
        return self.in_flight.settled(self.clock, IN_FLIGHT_HOLD)

    def context(self, actor: Actor) -> ServiceContext:
        return self.base.as_actor(actor)

    def schema_revision(self) -> str | None:
        from app.db.migrate import current

        return current(self.engine)

    def wsgi(self, environ: dict[str, Any], start_response: Callable[..., Any]):
        environ["nezarat.server"] = self
        # the server's clock read as the request has arrived — its body read whole first, so a
        # body sent slowly past 20:00 is judged when it came, not when its headers did — and
        # before anything it does waits on the database (the session's touch, a rate limit's
        # counter): a stand is judged at this instant (`web.site.act`); never a time from the
        # request itself
        if environ.get("REQUEST_METHOD") == "POST":  # a write: the clock's runs wait for it
            _read_body(environ)
            ticket, environ["nezarat.arrived"] = self.in_flight.enter(self.clock)
            try:
                result = self._django(environ, start_response)
            finally:
                self.in_flight.leave(ticket)
        else:
            environ["nezarat.arrived"] = self.now()
            result = self._django(environ, start_response)
        if environ.get("REQUEST_METHOD") == "HEAD":
            # the GET's headers (its Content-Length too) and never a body: cheroot writes
            # whatever the application yields, and a body after a HEAD's answer is read by a
            # keep-alive client as the start of the next answer
            close = getattr(result, "close", None)
            if close is not None:
                close()
            return []
        return result

    # ------------------------------------------------------------ running

    def bind(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Listen (port 0: any free one); returns the base URL. `serve()` then answers."""
        from .connections import DeferredHandshakeTLS, OfficeHTTP

        http = OfficeHTTP(
            (host, port),
            self.wsgi,
            numthreads=self.threads,
            server_name="nezarat",
            request_queue_size=128,
            timeout=10,  # a request's next bytes (and the TLS handshake) within 10 s
            shutdown_timeout=5,
        )
        if self.tls is not None:
            http.ssl_adapter = DeferredHandshakeTLS(*self.tls)
        http.prepare()
        self._http = http
        bound_host, bound_port = http.bind_addr[:2]
        scheme = "https" if self.tls else "http"
        shown = f"[{bound_host}]" if ":" in bound_host else bound_host
        self.url = f"{scheme}://{shown}:{bound_port}"
        return self.url

    def start(
        self, host: str = "127.0.0.1", port: int = 0, clockwork: bool = True, **clock_kw: Any
    ) -> str:
        """Serve in a background thread (tests, the bench); returns the base URL."""
        url = self.bind(host, port)
        self._thread = threading.Thread(target=self._http.serve, name="nezarat-http", daemon=True)
        self._thread.start()
        if clockwork:
            self.start_clockwork(**clock_kw)
        return url

    def start_clockwork(self, **kw: Any) -> Clockwork:
        self.clockwork = Clockwork(self, **kw)
        self.clockwork.start()
        return self.clockwork

    def serve_forever(self) -> None:
        self._http.serve()

    def stop(self) -> None:
        if self.clockwork is not None:
            self.clockwork.stop()
            self.clockwork.join(timeout=30)
        if self._http is not None:
            self._http.stop()
        if self._thread is not None:
            self._thread.join(timeout=10)

"""The office server's HTTP layer (cheroot), hardened against clients that hold connections.

cheroot accepts connections on one thread and serves each request on a worker thread. Two
ways a client without an account could stop everyone (found by an attacker's read):

- **The TLS handshake on the accepting thread.** cheroot's built-in adapter completes the
  handshake inside `accept`, so one TCP connection that never sent its ClientHello held every
  new connection for the socket timeout (30 s). Here the socket is wrapped without the
  handshake and the worker makes it, bounded by the timeout: a silent connection waits in the
  selector like an idle keep-alive one, holding no thread.
- **Slow requests filling the workers.** A request that trickles in holds its worker until
  it is read. One source address may hold at most `per_source` workers at a time; a further
  request from it meanwhile is closed at once, and everyone else is served. Loopback is not
  counted: there the clients are a reverse proxy on the same host (whose own per-client
  limits apply) or the office's own tools. Phones behind one carrier address send short
  requests: they hold a worker for milliseconds, far below the cap.
"""

from __future__ import annotations

import ssl
import threading
from collections import Counter
from typing import Any

from cheroot import wsgi
from cheroot.server import HTTPConnection
from cheroot.ssl.builtin import BuiltinSSLAdapter

PER_SOURCE = 16  # workers one address may hold at a time (of the server's threads)
LOOPBACK = frozenset({"127.0.0.1", "::1", "::ffff:127.0.0.1"})


class DeferredHandshakeTLS(BuiltinSSLAdapter):
    """TLS whose handshake is made by the worker serving the connection, not by `accept`."""

    def wrap(self, sock):
        s = self.context.wrap_socket(sock, do_handshake_on_connect=False, server_side=True)
        return s, {"wsgi.url_scheme": "https", "HTTPS": "on"}


class CappedConnection(HTTPConnection):
    """A connection whose worker finishes its TLS handshake first, and which gives way when
    its source address already holds its share of the workers."""

    server: OfficeHTTP

    def communicate(self) -> bool:
        source = str(self.remote_addr or "")
        if not self.server.take(source):
            return False  # closed: this address already holds its share of the workers
        try:
            if isinstance(self.socket, ssl.SSLSocket) and not getattr(self, "_shaken", False):
                try:
                    self.socket.do_handshake()
                except (OSError, ValueError):  # dropped, timed out, plain HTTP, bad TLS
                    return False
                self._shaken = True
            return super().communicate()
        finally:
            self.server.give_back(source)


class OfficeHTTP(wsgi.Server):
    ConnectionClass = CappedConnection

    def __init__(self, *args: Any, per_source: int = PER_SOURCE, **kw: Any):
        super().__init__(*args, **kw)
        self.per_source = per_source  # 0: no cap
        self._busy: Counter[str] = Counter()
        self._busy_lock = threading.Lock()

    def take(self, source: str) -> bool:
        if not self.per_source or source in LOOPBACK:
            return True
        with self._busy_lock:
            if self._busy[source] >= self.per_source:
                return False
            self._busy[source] += 1
            return True

    def give_back(self, source: str) -> None:
        if not self.per_source or source in LOOPBACK:
            return
        with self._busy_lock:
            self._busy[source] -= 1
            if not self._busy[source]:
                del self._busy[source]

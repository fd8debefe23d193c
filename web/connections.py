"""The office server's HTTP layer (cheroot), hardened against clients that hold connections.

cheroot accepts connections on one thread and serves each request on a worker thread. Two
ways a client without an account could stop everyone (found by an attacker's read):

- **The TLS handshake on the accepting thread.** cheroot's built-in adapter completes the
  handshake inside `accept`, so one TCP connection that never sent its ClientHello held every
  new connection for the socket timeout (30 s). Here the socket is wrapped without the
  handshake and the worker makes it, bounded by the timeout: a silent connection waits in the
  selector like an idle keep-alive one, holding no thread.
- **Slow requests filling the workers.** A worker used to read a request as it trickled in,
  so a few addresses sending a byte every few seconds held every worker (an attacker's read:
  two addresses × 16 connections stopped the server). Now a request is gathered off the
  workers: each time its connection is readable, a worker takes what has arrived without
  waiting and hands the connection back to the selector until the head (and a body up to
  `GATHER_MAX`) is all there; only then is it served. A request must arrive whole within
  `REQUEST_BUDGET` of its first byte, or its connection is closed. The TLS handshake is made
  the same way. What still holds a worker while a client is slow — a large upload, a
  response it does not read — is bounded per source address: one address may hold at most
  `per_source` workers at a time; a further request from it meanwhile is closed at once.
  Loopback is not counted: there the clients are a reverse proxy on the same host (whose own
  per-client limits apply) or the office's own tools.
"""

from __future__ import annotations

import contextlib
import re
import ssl
import threading
import time
from collections import Counter
from typing import Any

from cheroot import wsgi
from cheroot.server import HTTPConnection
from cheroot.ssl.builtin import BuiltinSSLAdapter

PER_SOURCE = 16  # workers one address may hold at a time (of the server's threads)
REQUEST_BUDGET = 20.0  # seconds from a request's first bytes to its last (head and body)
HEAD_MAX = 64 * 1024  # cheroot's own limit on a request's head is smaller
GATHER_MAX = 1024 * 1024  # bodies up to this are gathered off the workers
LOOPBACK = frozenset({"127.0.0.1", "::1", "::ffff:127.0.0.1"})


class DeferredHandshakeTLS(BuiltinSSLAdapter):
    """TLS whose handshake is made by the worker serving the connection, not by `accept`."""

    def wrap(self, sock):
        s = self.context.wrap_socket(sock, do_handshake_on_connect=False, server_side=True)
        return s, {"wsgi.url_scheme": "https", "HTTPS": "on"}


class CappedConnection(HTTPConnection):
    """A connection served only once its request is all there (gathered off the workers,
    TLS handshake included), and which gives way when its source address already holds its
    share of the workers."""

    server: OfficeHTTP
    _gathered = b""
    _since: float | None = None  # when the request now arriving sent its first bytes
    _shaken = False

    def communicate(self) -> bool:
        ready = self._arrived()
        if ready is None:
            return False  # closed by the client, broken, or past its budget
        if not ready:
            return True  # not all here yet: back to the selector, holding no worker
        source = str(self.remote_addr or "")
        if not self.server.take(source):
            return False  # closed: this address already holds its share of the workers
        try:
            return super().communicate()
        finally:
            self.server.give_back(source)

    def _arrived(self) -> bool | None:
        """Take what has arrived without waiting: True when the request is whole, False
        while it is still coming within its budget, None to close the connection."""
        sock = self.socket
        r = self.rfile  # cheroot's buffered reader: a pipelined request may wait in it
        buf = self._gathered + bytes(r._read_buf[r._read_pos :])
        r._read_buf, r._read_pos = b"", 0  # (`put` serves at once what waits in it)
        try:
            sock.setblocking(False)
            if isinstance(sock, ssl.SSLSocket) and not self._shaken:
                sock.do_handshake()
                self._shaken = True
            while not _whole(buf):
                chunk = sock.recv(65536)
                if not chunk:
                    return None  # the client closed it
                buf += chunk
        except (BlockingIOError, ssl.SSLWantReadError, ssl.SSLWantWriteError):
            pass  # nothing more for now
        except (OSError, ValueError):  # reset, plain HTTP on the TLS port, bad TLS
            return None
        finally:
            with contextlib.suppress(OSError):  # closed meanwhile
                sock.settimeout(self.server.timeout)
        if _whole(buf):
            self._gathered, self._since = b"", None
            r._read_buf = buf  # cheroot reads the request from its buffer
            return True
        self._gathered = buf
        now = time.monotonic()
        if self._since is None:
            self._since = now
        return None if now - self._since > REQUEST_BUDGET else False


_LENGTH = re.compile(rb"^content-length:[ \t]*(\d{1,12})[ \t]*\r?$", re.IGNORECASE | re.MULTILINE)


_EXPECT = re.compile(rb"^expect:[ \t]*100-continue", re.IGNORECASE | re.MULTILINE)


def _whole(buf: bytes) -> bool:
    """The request's head and (up to GATHER_MAX) its body are in `buf`. A head without an
    end past HEAD_MAX, a chunked body or a larger one: handed on (cheroot refuses the first,
    the worker reads the others, bounded by the per-source cap)."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        return len(buf) >= HEAD_MAX
    m = _LENGTH.search(buf, 0, end)
    if m is None or _EXPECT.search(buf, 0, end):
        return True  # no body; or the client waits for «100 Continue» before sending it
    length = int(m.group(1))
    return length > GATHER_MAX or len(buf) - (end + 4) >= length


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

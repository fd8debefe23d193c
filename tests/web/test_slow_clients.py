"""Clients that hold connections cannot stop the office server (issue 12, an attacker's read):
a TCP connection that never starts its TLS handshake, and requests that trickle in, from one
address. Before: one silent connection held every new one for the socket timeout (the
handshake ran on the accepting thread), and 40 half-sent requests stalled `/healthz` ~29 s."""

from __future__ import annotations

import contextlib
import socket
import ssl
import time

import httpx
from sqlalchemy import create_engine

from app.keys import ServerKey
from support import self_signed
from web.connections import PER_SOURCE
from web.server import OfficeServer


def _server(tmp_path, tls: bool) -> tuple[OfficeServer, str]:
    engine = create_engine(f"sqlite:///{tmp_path / 'office.sqlite'}")
    pair = self_signed(tmp_path, "office") if tls else None
    srv = OfficeServer(engine, ServerKey(b"\x02" * 32), max_skew=None, tls=pair, threads=32)
    return srv, srv.start(clockwork=False)


def _healthz_seconds(url: str, verify) -> float:
    started = time.perf_counter()
    with httpx.Client(verify=verify, timeout=60) as c:
        c.get(f"{url}/healthz")  # any answer: the server took the connection and replied
    return time.perf_counter() - started


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def test_a_connection_that_never_says_hello_holds_no_one_up(tmp_path):
    srv, url = _server(tmp_path, tls=True)
    silent = [socket.create_connection(("127.0.0.1", _port(url))) for _ in range(3)]
    try:
        time.sleep(0.3)  # the acceptor has taken them
        ctx = ssl.create_default_context(cafile=str(tmp_path / "office.crt"))
        assert _healthz_seconds(url, ctx) < 3
    finally:
        for s in silent:
            s.close()
        srv.stop()


def _trickling(url: str, sources: list[str], per_source: int) -> list[socket.socket]:
    """Requests that trickle in (the head begun, never finished), from several addresses."""
    held = []
    for source in sources:
        for _ in range(per_source):
            s = socket.socket()
            s.bind((source, 0))  # not loopback's 127.0.0.1, which the per-source cap skips
            s.connect(("127.0.0.1", _port(url)))
            s.sendall(b"POST /api/session HTTP/1.1\r\nHost: x\r\n")  # and never the rest
            held.append(s)
    return held


def _closed(s: socket.socket) -> bool:
    s.settimeout(0.2)
    try:
        return s.recv(1) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


def test_requests_trickling_in_from_many_addresses_hold_no_worker(tmp_path, monkeypatch):
    """An attacker's read: two addresses × 16 trickling requests took all 32 workers (each
    address within its cap) and nobody was served. Requests are gathered off the workers
    now: 3 addresses × 40 of them, a byte every half second, and everyone else is served at
    once; each is closed once it has taken longer than the request budget to arrive."""
    import web.connections as conn

    monkeypatch.setattr(conn, "REQUEST_BUDGET", 2.0)
    srv, url = _server(tmp_path, tls=False)
    held = _trickling(url, ["127.0.0.2", "127.0.0.3", "127.0.0.4"], 40)
    try:
        for _ in range(2):
            time.sleep(0.5)
            for s in held:
                s.sendall(b"X")  # one more byte of a header that never ends
            assert _healthz_seconds(url, None) < 1.5  # served at once, the workers are free
        time.sleep(2.5)  # past the budget: the next bytes are the last
        for s in held:
            with contextlib.suppress(OSError):  # closed already
                s.sendall(b"X")
        time.sleep(0.5)
        assert sum(_closed(s) for s in held) == len(held)
    finally:
        for s in held:
            s.close()
        srv.stop()


def test_a_request_arriving_in_pieces_is_served_and_pipelined_ones_too(tmp_path):
    srv, url = _server(tmp_path, tls=False)
    try:
        s = socket.create_connection(("127.0.0.1", _port(url)))
        body = b'{"username": 7}'  # refused by the body's check, before any database
        head = (
            b"POST /api/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n"
        )
        for piece in (head[:10], head[10:], body[:5], body[5:]):  # head and body in pieces
            s.sendall(piece)
            time.sleep(0.2)
        s.settimeout(10)
        answer = b""
        while b"\r\n\r\n" not in answer:
            answer += s.recv(65536)
        assert answer.startswith(b"HTTP/1.1 400"), answer[:80]  # the whole body was read
        s.close()
        s = socket.create_connection(("127.0.0.1", _port(url)))  # two requests in one send
        get = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
        s.sendall(get + get)
        s.settimeout(10)
        answer = b""
        deadline = time.monotonic() + 10
        while answer.count(b"HTTP/1.1 200") < 2 and time.monotonic() < deadline:
            answer += s.recv(65536)
        assert answer.count(b"HTTP/1.1 200") == 2, answer[:200]
        s.close()
    finally:
        srv.stop()


def test_a_slow_upload_from_one_address_takes_only_its_share_of_the_workers(tmp_path):
    """What still holds a worker while a client is slow — a body too large to gather (a
    desk's upload) — is capped per address: past its share, closed at once."""
    from web.connections import GATHER_MAX

    srv, url = _server(tmp_path, tls=False)
    held = []
    try:
        for _ in range(40):
            s = socket.socket()
            s.bind(("127.0.0.2", 0))
            s.connect(("127.0.0.1", _port(url)))
            s.sendall(
                b"POST /api/session HTTP/1.1\r\nHost: x\r\nContent-Length: "
                + str(GATHER_MAX + 1).encode()
                + b"\r\n\r\n{"
            )
            held.append(s)
        time.sleep(0.5)  # the workers have taken what they may
        assert _healthz_seconds(url, None) < 3  # from another address: served at once
        assert sum(_closed(s) for s in held) >= 40 - PER_SOURCE - 1
    finally:
        for s in held:
            s.close()
        srv.stop()


def test_the_cap_counts_each_address_and_not_loopback():
    from web.connections import OfficeHTTP

    http = OfficeHTTP(("127.0.0.1", 0), lambda e, r: [], per_source=2)
    assert [http.take("10.0.0.9") for _ in range(3)] == [True, True, False]
    assert http.take("10.0.0.8")  # another address has its own share
    http.give_back("10.0.0.9")
    assert http.take("10.0.0.9")
    assert all(http.take("127.0.0.1") for _ in range(100))  # a proxy on the same host
    off = OfficeHTTP(("127.0.0.1", 0), lambda e, r: [], per_source=0)
    assert all(off.take("10.0.0.9") for _ in range(100))


def test_a_client_waiting_for_100_continue_is_answered_at_once(tmp_path):
    """curl sends a larger body only after «100 Continue» (or a second's wait): its head is
    handed on whole, and cheroot asks for the body."""
    srv, url = _server(tmp_path, tls=False)
    try:
        s = socket.create_connection(("127.0.0.1", _port(url)))
        body = b'{"username": 7}'
        s.sendall(
            b"POST /api/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Expect: 100-continue\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n"
        )
        s.settimeout(0.8)  # under curl's own second
        assert s.recv(65536).startswith(b"HTTP/1.1 100 Continue")
        s.sendall(body)
        s.settimeout(10)
        answer = b""
        while b"HTTP/1.1 400" not in answer:
            answer += s.recv(65536)
        s.close()
    finally:
        srv.stop()

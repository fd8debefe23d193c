"""Clients that hold connections cannot stop the office server (issue 12, an attacker's read):
a TCP connection that never starts its TLS handshake, and requests that trickle in, from one
address. Before: one silent connection held every new one for the socket timeout (the
handshake ran on the accepting thread), and 40 half-sent requests stalled `/healthz` ~29 s."""

from __future__ import annotations

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


def test_half_sent_requests_from_one_address_take_only_its_share_of_the_workers(tmp_path):
    srv, url = _server(tmp_path, tls=False)
    held = []
    try:
        for _ in range(40):  # more than the server's 32 workers, from one address
            s = socket.socket()
            s.bind(("127.0.0.2", 0))  # not loopback's 127.0.0.1, which is not counted
            s.connect(("127.0.0.1", _port(url)))
            s.sendall(b"POST /api/session HTTP/1.1\r\nHost: x\r\n")  # and never the rest
            held.append(s)
        time.sleep(0.5)  # the workers have taken what they may
        assert _healthz_seconds(url, None) < 3  # from another address: served at once
        closed = 0
        for s in held:  # the ones past the cap were closed at once; the rest still wait
            s.settimeout(0.2)
            try:
                closed += s.recv(1) == b""
            except ConnectionResetError:
                closed += 1
            except TimeoutError:
                pass
        assert closed >= 40 - PER_SOURCE - 1, closed
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

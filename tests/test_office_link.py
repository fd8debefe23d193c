"""The desk's link to the office server (ui/office_link.py): keep-alive over one connection, a
connection the server closed while idle replaced without an error, refusals and bad addresses
as the desk's own errors."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from ui.office_link import LinkError, OfficeLink


class _Echo(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    connections: ClassVar[set[int]] = set()

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Echo.connections.add(self.client_address[1])
        agent = self.headers["User-Agent"].encode()
        answer = b'{"got": "' + body + b'", "agent": "' + agent + b'"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.send_header("X-Server-Time", "2026-11-18T06:30:00+00:00")
        self.end_headers()
        self.wfile.write(answer)
        if self.path == "/close":  # as a server does with an idle keep-alive connection
            self.close_connection = True

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    _Echo.connections = set()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_calls_share_one_kept_alive_connection(server):
    with OfficeLink(server) as link:
        answers = [link.post("/x", b"a", {"Content-Type": "application/json"}) for _ in range(5)]
    assert [a.json() for a in answers] == [{"got": "a", "agent": "nezarat-desk"}] * 5
    assert answers[0].status == 200
    assert answers[0].headers.get("x-server-time") == "2026-11-18T06:30:00+00:00"
    assert len(_Echo.connections) == 1


def test_a_connection_the_server_closed_is_replaced_without_an_error(server):
    with OfficeLink(server) as link:
        link.post("/close", b"1")
        for _ in range(3):
            assert link.post("/x", b"2").json()["got"] == "2"
    assert len(_Echo.connections) == 2


def test_no_server_is_a_link_error():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with OfficeLink(f"http://127.0.0.1:{port}", timeout=2) as link, pytest.raises(LinkError):
        link.get("/healthz")


@pytest.mark.parametrize("address", ["ftp://office/", "office.local:8443", "https://"])
def test_an_address_that_is_not_a_web_address_is_refused_in_persian(address):
    with pytest.raises(ValueError, match="نشانی سرور"):
        OfficeLink(address)

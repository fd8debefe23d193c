"""The desk's link to the office server (ui/office_link.py): keep-alive over one connection, a
connection the server closed while idle replaced without an error, refusals and bad addresses
as the desk's own errors."""

from __future__ import annotations

import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from support import self_signed
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


def _serve(tls: tuple | None = None):
    _Echo.connections = set()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    if tls is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*tls)
        httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"{'https' if tls else 'http'}://127.0.0.1:{httpd.server_address[1]}"


@pytest.fixture
def server():
    httpd, url = _serve()
    yield url
    httpd.shutdown()
    httpd.server_close()


def test_https_checks_the_certificate_against_the_offices_ca(tmp_path):
    crt, key = self_signed(tmp_path, "office")
    stranger, _ = self_signed(tmp_path, "stranger")
    httpd, url = _serve((str(crt), str(key)))
    try:
        with OfficeLink(url, str(crt)) as link:
            assert link.post("/x", b"tls").json()["got"] == "tls"
        with OfficeLink(url, str(stranger)) as link, pytest.raises(LinkError) as e:
            link.post("/x", b"tls")
        assert str(e.value).startswith("گواهی امنیتی سرور دفتر")
    finally:
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
        time.sleep(0.2)  # idle: the server has closed its end by now
        for _ in range(3):
            assert link.post("/x", b"2").json()["got"] == "2"
    assert len(_Echo.connections) == 2


def test_no_server_is_a_link_error():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with OfficeLink(f"http://127.0.0.1:{port}", timeout=2) as link, pytest.raises(LinkError) as e:
        link.get("/healthz")
    assert str(e.value).startswith(f"سرور دفتر در 127.0.0.1:{port} پاسخ نمی‌دهد — ")


@pytest.mark.parametrize("address", ["ftp://office/", "office.local:8443", "https://"])
def test_an_address_that_is_not_a_web_address_is_refused_in_persian(address):
    with pytest.raises(ValueError, match="نشانی سرور"):
        OfficeLink(address)

"""TLS to PostgreSQL: a server with a self-signed certificate on loopback; the desk connects
with `sslmode=verify-full` and refuses a server it cannot verify."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from pg_server import PgServer
from support import Office, self_signed


def _self_signed(tmp_path, name: str) -> tuple[bytes, bytes]:
    crt, key = self_signed(tmp_path, name)
    return crt.read_bytes(), key.read_bytes()


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    if os.environ.get("NZ_SKIP_POSTGRES") == "1":
        pytest.skip("NZ_SKIP_POSTGRES=1")
    tmp = tmp_path_factory.mktemp("tls")
    crt, key = _self_signed(tmp, "server")
    srv = PgServer(
        files={"server.crt": crt, "server.key": key},
        settings={
            "ssl": "on",
            "ssl_cert_file": "'{dir}/server.crt'",
            "ssl_key_file": "'{dir}/server.key'",
        },
    ).start()
    (tmp / "root.crt").write_bytes(crt)
    other, _ = _self_signed(tmp, "stranger")
    (tmp / "stranger.crt").write_bytes(other)
    yield srv, tmp
    srv.stop()


def test_desk_works_over_verified_tls(tls_server):
    srv, tmp = tls_server
    url = srv.create_database("tls_ok") + f"?sslmode=verify-full&sslrootcert={tmp / 'root.crt'}"
    office = Office(url)  # migrations-free schema, policy, users — all over TLS
    office.engineer("E1")
    office.project()
    with office.engine.connect() as c:
        assert c.scalar(text("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) is True


def test_desk_refuses_a_server_it_cannot_verify(tls_server):
    srv, tmp = tls_server
    url = srv.url + f"?sslmode=verify-full&sslrootcert={tmp / 'stranger.crt'}"
    with pytest.raises(OperationalError, match="certificate verify failed"):
        create_engine(url).connect()

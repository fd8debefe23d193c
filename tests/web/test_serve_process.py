"""`main.py serve` as the office runs it: a separate process over PostgreSQL, HTTPS with a
certificate the desk checks against the office's CA, the first administrator made by
`main.py create-admin`, and a clean stop on SIGTERM."""

from __future__ import annotations

import os
import signal
import ssl
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from app.db.migrate import head
from app.domain.errors import RuleViolation
from app.services import browse
from support import self_signed
from ui.remote import RemoteContext, ServerUnreachable

ROOT = Path(__file__).resolve().parents[2]


def _serve(db: str, crt: Path, key: Path, data: Path) -> tuple[subprocess.Popen, str]:
    """`main.py serve` on a free port; (the process, its https URL)."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "main.py",
            "serve",
            "--db",
            db,
            "--port",
            "0",
            "--tls-cert",
            str(crt),
            "--tls-key",
            str(key),
            "--data",
            str(data),
            "--sms",
            "off",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = proc.stdout.readline()
    assert "listening on https://" in line, line + proc.stderr.read()
    return proc, line.split("listening on ", 1)[1].split()[0]


def _main(*args: str, env: dict[str, str] | None = None, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "main.py", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        **kw,
    )


@pytest.fixture
def serve(pg_url, tmp_path):
    crt, key = self_signed(tmp_path, "server")
    # the README's order: init and the first administrator with the server's key file (they
    # write the trail's first lines), then serve
    key_file = ["--key-file", str(tmp_path / "srv" / "server.key")]
    assert _main(*key_file, "init", "--db", pg_url).returncode == 0
    admin = ("create-admin", "--db", pg_url)
    made = _main(*key_file, *admin, env={"NEZARAT_PASSWORD": "first-admin-1405"})
    assert made.returncode == 0, made.stderr
    again = _main(*key_file, *admin, env={"NEZARAT_PASSWORD": "first-admin-1405"})
    assert again.returncode == 2  # only while no user exists
    proc, url = _serve(pg_url, crt, key, tmp_path / "srv")
    yield url, crt, tmp_path
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 0


def test_serve_over_https_with_the_offices_certificate(serve):
    url, crt, tmp = serve
    h = httpx.get(f"{url}/healthz", verify=ssl.create_default_context(cafile=str(crt)))
    assert h.status_code == 200 and h.json()["schema"] == head()
    desk = RemoteContext.sign_in(url, "admin", "first-admin-1405", ca_file=str(crt))
    assert desk.actor.role == "admin"
    assert browse.audit_page(desk, "", 10, None)  # the trail holds the admin's creation
    desk.sign_out()
    with pytest.raises(RuleViolation):
        RemoteContext.sign_in(url, "admin", "wrong-password-1", ca_file=str(crt))
    assert (tmp / "srv" / "server.key").exists()  # the key lives with the server, not the desk


def test_the_office_ca_script_makes_a_certificate_desks_verify(pg_url, tmp_path):
    """resources/deploy/make-office-ca.sh, as the README tells IT to run it."""
    script = ROOT / "resources" / "deploy" / "make-office-ca.sh"
    made = subprocess.run(
        ["sh", str(script), "localhost", "127.0.0.1"], cwd=tmp_path, capture_output=True, text=True
    )
    assert made.returncode == 0, made.stderr
    assert oct((tmp_path / "server.key").stat().st_mode)[-3:] == "600"
    init = _main("--key-file", str(tmp_path / "srv" / "server.key"), "init", "--db", pg_url)
    assert init.returncode == 0, init.stderr
    proc, url = _serve(pg_url, tmp_path / "server.crt", tmp_path / "server.key", tmp_path / "srv")
    try:
        ca = ssl.create_default_context(cafile=str(tmp_path / "office-ca.crt"))
        assert httpx.get(f"{url}/healthz", verify=ca).status_code == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


def test_a_desk_refuses_a_server_it_cannot_verify(serve):
    url, _crt, tmp = serve
    stranger, _ = self_signed(tmp, "stranger")
    with pytest.raises(ServerUnreachable):
        RemoteContext.sign_in(url, "admin", "first-admin-1405", ca_file=str(stranger))


def test_main_serve_answers_the_engineers_site_over_https(serve):
    """Issue 13: `main.py serve` serves the web cartable; behind TLS the session cookie is
    Secure with the __Host- prefix, and HSTS is sent."""
    import re
    from decimal import Decimal

    from app.services import engineers, users
    from app.services.dto import CompetenceIn, DeclarationIn, EngineerIn

    url, crt, _ = serve
    desk = RemoteContext.sign_in(url, "admin", "first-admin-1405", ca_file=str(crt))
    eid = engineers.register_engineer(
        desk,
        EngineerIn(
            "7001",
            (CompetenceIn("civil", "1"),),
            Decimal(100),
            declaration=DeclarationIn(1405, True, True, ("A",), Decimal(50)),
            last_name="مهندس",
        ),
    )
    users.create_user(desk, "e7001", "مهندس", "engineer", "engineer-pass-1405", eid)
    desk.sign_out()
    tls = ssl.create_default_context(cafile=str(crt))
    with httpx.Client(base_url=url, verify=tls) as c:
        first = c.get("/")
        assert first.status_code == 302 and first.headers["location"].startswith("/login")
        page = c.get("/login")
        assert page.status_code == 200 and '<html lang="fa" dir="rtl">' in page.text
        assert "max-age=31536000" in page.headers["Strict-Transport-Security"]
        assert "Secure" in page.headers["set-cookie"]  # the CSRF cookie too
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        signed = c.post(
            "/login",
            data={
                "csrfmiddlewaretoken": token,
                "membership_no": "۷۰۰۱",
                "password": "engineer-pass-1405",
            },
            headers={"Referer": f"{url}/login"},
        )
        assert signed.status_code == 302, signed.text[:300]
        cookie = signed.headers["set-cookie"]
        assert "__Host-nz_web=" in cookie and "Secure" in cookie and "HttpOnly" in cookie
        assert c.get("/").status_code == 200

"""Issue 12's "done when": `main.py serve` over PostgreSQL serves every desk screen —
`main.py screenshots OUT --server URL` draws them all through it, signed in as the demo's
people, and each picture has something on it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[2]
SCREENS = (
    "login",
    "connection",
    "counter",
    "signing",
    "stages",
    "finance",
    "finance-renewals",
    "finance-payouts",
    "payouts",
    "board",
    "cartable",
    "engineers",
    "audit",
    "policy",
    "tariffs",
    "organization",
    "print-preview",
)


def _main(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "main.py", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        timeout=900,
    )


def test_every_desk_screen_through_an_office_server_over_postgresql(pg_url, tmp_path):
    built = _main("demo", "--db", pg_url, "--engineers", "150", "--projects", "24")
    assert built.returncode == 0, built.stderr[-2000:]
    server = subprocess.Popen(
        [
            sys.executable,
            "main.py",
            "serve",
            "--db",
            pg_url,
            "--port",
            "0",
            "--data",
            str(tmp_path / "srv"),
            "--sms",
            "off",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = server.stdout.readline()
        assert "listening on http://" in line, line + server.stderr.read()
        url = line.split("listening on ", 1)[1].split()[0]
        shot = _main("screenshots", str(tmp_path / "shots"), "--server", url)
        assert shot.returncode == 0, shot.stderr[-3000:]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    for name in SCREENS:
        image = QImage(str(tmp_path / "shots" / f"{name}.png"))
        assert not image.isNull(), name
        corner = image.pixel(1, 1)
        varied = sum(
            image.pixel(x, y) != corner
            for x in range(0, image.width(), 17)
            for y in range(0, image.height(), 17)
        )
        assert varied > 50, f"{name}.png is blank"

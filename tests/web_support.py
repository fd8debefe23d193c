"""Helpers for tests that talk HTTP to an office server."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import httpx
import pytest

from support import ServedOffice


def token(client: httpx.Client, username: str, password: str = ServedOffice.PASSWORD) -> str:
    r = client.post("/api/session", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return r.json()["token"]


def bearer(t: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {t}"}


CHROMIUM = os.environ.get("NZ_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def chromium_or_fail():
    """Playwright's `sync_playwright`, once Debian's Chromium is known to be there: FAILS in
    CI (CI set) without it, skips on a developer's machine saying why."""
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        message = (
            f"Chromium is missing ({CHROMIUM}): the browser tests of issue 13 need Debian's "
            "`chromium` package (apt-get install chromium; .ci/run installs it)"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - the test extra pins it
        pytest.fail(f"playwright is not installed: {exc}")
    return sync_playwright

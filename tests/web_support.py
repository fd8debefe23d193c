"""Helpers for tests that talk HTTP to an office server."""

from __future__ import annotations

import httpx

from support import ServedOffice


def token(client: httpx.Client, username: str, password: str = ServedOffice.PASSWORD) -> str:
    r = client.post("/api/session", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return r.json()["token"]


def bearer(t: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {t}"}

"""The desk's second gateway: use cases sent to the office server over HTTPS.

A `RemoteContext` stands where an in-process `ServiceContext` would: `candidacy.stand(ctx, …)`
sees `ctx.remote` and sends the call here (app/services/registry.py). The screens cannot tell
the two apart. The desk holds the server's address and its session token, never a database
password; the actor and the time are the server's.

A dropped connection is normal on an office LAN: reads, and writes with their idempotency key
(made once per press of a button, kept across retries), are sent again by themselves a few
times; `on_retry` lets the desk say so on screen. A write the server has already made answers
the same the second time.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from app.services.context import Actor, DatabaseUnavailable
from app.services.registry import UseCase
from app.services.wire import (
    Unauthenticated,
    decode_result,
    encode_args,
    raise_error,
)

from .office_link import LinkError, OfficeLink


class ServerUnreachable(DatabaseUnavailable):
    """The office server did not answer (network, the server restarting)."""

    message = (
        "سرور دفتر پاسخ نمی‌دهد؛ این کار ثبت نشد. پس از برقراری دوباره ارتباط، "
        "همین کار را تکرار کنید."
    )


RETRIES = 3
BACKOFF_S = (0.3, 1.0, 2.5)


@dataclass
class RemoteContext:
    """A signed-in desk's gateway to the office server."""

    client: OfficeLink
    token: str
    actor: Actor
    server_url: str
    on_retry: Callable[[int, str], None] | None = None
    _offset: timedelta = field(default=timedelta(0))
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    remote = True

    # ------------------------------------------------------------ signing in and out

    @classmethod
    def sign_in(
        cls, server_url: str, username: str, password: str, ca_file: str | None = None
    ) -> RemoteContext:
        from app.domain.errors import RuleViolation

        client = OfficeLink(server_url, ca_file)
        try:
            r = client.post(
                "/api/session",
                orjson.dumps({"username": username, "password": password}),
                {"Content-Type": "application/json"},
            )
        except LinkError as exc:
            client.close()
            raise ServerUnreachable() from exc
        if r.status != 200:
            client.close()
            try:
                message = r.json()["message"]
            except (orjson.JSONDecodeError, KeyError, TypeError):
                message = f"سرور دفتر ورود را نپذیرفت (HTTP {r.status})"
            raise RuleViolation({"U1"}, message)
        body = r.json()
        a = body["actor"]
        ctx = cls(
            client,
            body["token"],
            Actor(a["username"], a["role"], a["user_id"], a["engineer_id"]),
            server_url,
        )
        ctx._note_time(body.get("server_time"))
        return ctx

    def sign_out(self) -> None:
        try:
            self.client.request("DELETE", "/api/session", headers=self._auth())
        except LinkError:
            pass  # the token expires by itself
        finally:
            self.client.close()

    # ------------------------------------------------------------ the context's face

    def now(self) -> datetime:
        """The server's time as last heard, moved on by this desk's clock since: for showing
        countdowns only; nothing is decided by it."""
        return datetime.now(UTC) + self._offset

    def as_actor(self, actor: Actor) -> RemoteContext:
        if actor != self.actor:
            raise PermissionError("a desk acts only as the user signed in on it")
        return self

    # ------------------------------------------------------------ calls

    def call(self, uc: UseCase, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        body = encode_args(uc, args, kwargs)
        headers = self._auth()
        if uc.writes:  # one key for this press of the button, whatever the retries
            headers["Idempotency-Key"] = uuid.uuid4().hex
        attempt = 0
        while True:
            try:
                r = self.client.post(f"/api/call/{uc.name}", body, headers)
                break
            except LinkError as exc:
                if attempt >= RETRIES:
                    raise ServerUnreachable() from exc
                if self.on_retry is not None:
                    self.on_retry(attempt + 1, uc.name)
                time.sleep(BACKOFF_S[min(attempt, len(BACKOFF_S) - 1)])
                attempt += 1
        self._note_time(r.headers.get("X-Server-Time"))
        if r.status == 200:
            return decode_result(uc, r.content)
        raise_error(r.status, r.content)

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}

    def _note_time(self, stamp: str | None) -> None:
        if not stamp:
            return
        try:
            theirs = datetime.fromisoformat(stamp)
        except ValueError:
            return
        with self._lock:
            self._offset = theirs - datetime.now(UTC)


__all__ = ["RemoteContext", "ServerUnreachable", "Unauthenticated"]

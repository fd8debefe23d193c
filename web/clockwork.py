"""What the server does by the clock, inside `serve`: the 20:00 deadlines and the 08:00–12:00
signing windows (A6, A9; exactly once even beside another server or a cron `tick`, by the
deadline's run record and lock), the SMS outbox (A8), and forgetting old sessions and
idempotency keys."""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import delete

from app.db.models import RequestKey
from app.services import deadlines, sessions, sms
from app.services.context import SYSTEM, Actor, ServiceContext

from .clock import ClockGuard

log = logging.getLogger("nezarat.clockwork")

KEEP_REQUEST_KEYS = timedelta(days=7)  # a desk retries within seconds; a week is plenty


class Server(Protocol):
    """What the clockwork needs of the office server."""

    guard: ClockGuard
    sms_gateway: Any

    def context(self, actor: Actor) -> ServiceContext: ...

    def settled(self) -> datetime: ...


class Clockwork(threading.Thread):
    def __init__(
        self,
        server: Server,
        interval: float = 5.0,
        sms_every: float = 60.0,
        prune_every: float = 3600.0,
    ):
        super().__init__(name="nezarat-clockwork", daemon=True)
        self.server = server
        self.interval, self.sms_every, self.prune_every = interval, sms_every, prune_every
        self.stopping = threading.Event()
        self._last_sms = self._last_prune = float("-inf")
        self.last_summary = None

    def stop(self) -> None:
        self.stopping.set()

    def run(self) -> None:
        while not self.stopping.is_set():
            self.step()
            self.stopping.wait(self.interval)

    def step(self) -> None:
        srv = self.server
        if not srv.guard.ok():
            return  # the guard has logged why; nothing is decided on a wrong clock
        ctx = srv.context(SYSTEM)
        try:
            # up to the earliest write still being answered: a stand that arrived before 20:00
            # is counted before the run decides (the server's `settled`)
            self.last_summary = deadlines.run_due(ctx, srv.settled())
        except Exception:
            log.exception("deadline run failed; it will be tried again")
        now = time.monotonic()
        if srv.sms_gateway is not None and now - self._last_sms >= self.sms_every:
            self._last_sms = now
            try:
                sms.send_pending(ctx, srv.sms_gateway)
            except Exception:
                log.exception("SMS outbox round failed; the messages stay in the outbox")
        if now - self._last_prune >= self.prune_every:
            self._last_prune = now
            try:
                with ctx.tx() as s:
                    sessions.prune(s, ctx.now())
                    s.execute(
                        delete(RequestKey).where(RequestKey.at < ctx.now() - KEEP_REQUEST_KEYS)
                    )
            except Exception:
                log.exception("pruning sessions failed")

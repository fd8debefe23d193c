"""The server's clock, checked against the database's: every rule and every record takes its
time from here, and nothing is decided while the two disagree."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from app.db.clock import clock_skew
from app.domain.digits import persian_digits
from app.services.wire import ServerRefused

log = logging.getLogger("nezarat.clock")


@dataclass(frozen=True)
class ArrivalClock:
    """The server's clock as it was read when a request arrived (`OfficeServer.wsgi`), for the
    one use case that request makes: a stand or a cancel is judged, and stamped, at the
    instant the server received it, not after what it waited on before the service ran (the
    session's touch, the rate limit's counter, another writer holding SQLite's lock). The
    instant is the server's own; no time is ever taken from the request."""

    at: datetime

    def __call__(self) -> datetime:
        return self.at


def arrived(request: Any) -> datetime:
    """The server's clock when this request had arrived (read by `OfficeServer.wsgi` before
    anything waited on the database); the clock now for a request made in some other way."""
    at = request.META.get("nezarat.arrived")
    return at if isinstance(at, datetime) else request.META["nezarat.server"].now()


class ClockGuard:
    """Measures the server's clock against the database's every `interval`; `require()` refuses
    (a Persian ServerRefused, HTTP 503) while they differ by more than `max_skew`. With
    `max_skew` None the check is off (a replay's simulated clock)."""

    def __init__(
        self,
        engine: Engine,
        clock: Callable[[], datetime],
        max_skew: timedelta | None = timedelta(seconds=5),
        interval: float = 30.0,
    ):
        self.engine, self.clock, self.max_skew, self.interval = engine, clock, max_skew, interval
        self.skew: timedelta | None = None
        self.checked_at = float("-inf")
        self._lock = threading.Lock()

    def measure(self) -> timedelta:
        """The database's time minus the server's, at the middle of the round trip."""
        skew = clock_skew(self.engine, self.clock)
        with self._lock:
            self.skew, self.checked_at = skew, time.monotonic()
        if self.max_skew is not None and abs(skew) > self.max_skew:
            log.error("server clock differs from the database's by %s: deciding nothing", skew)
        return skew

    def ok(self) -> bool:
        if self.max_skew is None:
            return True
        if time.monotonic() - self.checked_at > self.interval:
            try:
                self.measure()
            except Exception:  # the database is away: the request itself will say so
                log.exception("clock check failed")
                return True
        return self.skew is not None and abs(self.skew) <= self.max_skew

    def require(self) -> None:
        if not self.ok():
            seconds = abs(self.skew.total_seconds()) if self.skew is not None else 0
            apart = persian_digits(f"{seconds:.0f}")
            raise ServerRefused(
                "clock",
                f"ساعت سرور دفتر با ساعت پایگاه داده {apart} ثانیه اختلاف دارد؛ تا "
                "همگام شدن ساعت‌ها هیچ کاری ثبت و هیچ مهلتی تصمیم‌گیری نمی‌شود. به "
                "مسئول فناوری اطلاعات خبر دهید.",
            )

"""The office calendar: holidays (not working days for deadlines and signing windows)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from ..db.policy_store import add_holidays
from .context import ServiceContext, audit
from .permissions import require


def set_holidays(ctx: ServiceContext, days: Iterable[tuple[date, str]]) -> None:
    require(ctx, "policy.edit")
    days = list(days)
    with ctx.tx() as s:
        add_holidays(s, days)
        audit(
            s,
            ctx,
            "calendar.holidays",
            "holidays",
            None,
            after={"days": [d.isoformat() for d, _ in days]},
        )

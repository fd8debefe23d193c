"""The office calendar: holidays (not working days for deadlines and signing windows)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from ..db.policy_store import add_holidays
from ..domain.errors import InputError
from ..domain.text import day_ok
from .context import ServiceContext, audit
from .permissions import require
from .registry import use_case


@use_case(writes=True)
def set_holidays(ctx: ServiceContext, days: Iterable[tuple[date, str]]) -> None:
    require(ctx, "policy.edit")
    days = list(days)
    for d, _title in days:
        if not day_ok(d) or isinstance(d, datetime):
            raise InputError("days", "روز تعطیل باید روزی از تقویم دفتر (۱۳۵۸ تا ۱۵۰۰) باشد")
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

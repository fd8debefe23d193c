"""The office calendar: holidays (not working days for deadlines and signing windows)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from ..db.policy_store import add_holidays, holidays_through, set_holidays_through
from ..domain.calendar import coverage_warning, local_date
from ..domain.errors import InputError
from ..domain.text import day_ok, year_ok
from .context import ServiceContext, audit
from .permissions import require
from .registry import use_case


@dataclass(frozen=True)
class CalendarStatus:
    through: date | None  # the last day the holiday table covers (None: none loaded)
    days_left: int | None
    warning: str | None  # Persian, for the administrator; None: nothing to do yet


@use_case(writes=True)
def set_holidays(
    ctx: ServiceContext, days: Iterable[tuple[date, str]], through_year: int | None = None
) -> None:
    """Add holidays; `through_year`: the official calendar is now complete to the end of
    that Jalali year (deadlines and signing windows are refused on days after it)."""
    require(ctx, "policy.edit")
    days = list(days)
    for d, _title in days:
        if not day_ok(d) or isinstance(d, datetime):
            raise InputError("days", "روز تعطیل باید روزی از تقویم دفتر (۱۳۵۸ تا ۱۵۰۰) باشد")
    if through_year is not None and not year_ok(through_year):
        raise InputError("through_year", "سال باید سالی شمسی میان ۱۳۰۰ و ۱۵۰۰ باشد")
    with ctx.tx() as s:
        add_holidays(s, days)
        if through_year is not None:
            set_holidays_through(s, through_year)
        audit(
            s,
            ctx,
            "calendar.holidays",
            "holidays",
            None,
            after={"days": [d.isoformat() for d, _ in days], "through_year": through_year},
        )


@use_case(writes=False)
def calendar_status(ctx: ServiceContext) -> CalendarStatus:
    """How far the holiday table reaches, and the administrator's warning months before it
    runs out (the desk shows it; `main.py tick` prints it)."""
    require(ctx, "referrals.read")
    with ctx.read() as s:
        through = holidays_through(s)
    today = local_date(ctx.now())
    return CalendarStatus(
        through,
        None if through is None else (through - today).days,
        coverage_warning(today, through),
    )

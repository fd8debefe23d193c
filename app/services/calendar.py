"""The office calendar: holidays (not working days for deadlines and signing windows)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from ..db.models import Holiday, Referral, Round
from ..db.policy_store import (
    add_holidays,
    calendar_at,
    holidays_through,
    policy_at,
    set_holidays_through,
)
from ..domain.calendar import (
    at_local,
    coverage_warning,
    jalali_year,
    last_day_of_jalali_year,
    local_date,
)
from ..domain.errors import InputError
from ..domain.text import day_ok, year_ok
from . import notify
from .context import ServiceContext, audit
from .permissions import require
from .registry import use_case


@dataclass(frozen=True)
class CalendarStatus:
    through: date | None  # the last day the holiday table covers (None: none loaded)
    days_left: int | None
    warning: str | None  # Persian, for the administrator; None: nothing to do yet


@dataclass(frozen=True)
class ClosureMoves:
    """What a newly closed day moved to the next working day."""

    deadlines: int  # rounds still to end on it
    signing_windows: int  # selected supervisors still to sign on it (each told by SMS)


@use_case(writes=True)
def set_holidays(
    ctx: ServiceContext, days: Iterable[tuple[date, str]], through_year: int | None = None
) -> ClosureMoves:
    """Add holidays; `through_year`: the official calendar is now complete to the end of
    that Jalali year (deadlines and signing windows are refused on days after it)."""
    require(ctx, "policy.edit")
    days = list(days)
    for d, _title in days:
        if not day_ok(d) or isinstance(d, datetime):
            raise InputError("days", "روز تعطیل باید روزی از تقویم دفتر (۱۳۵۸ تا ۱۵۰۰) باشد")
    if through_year is not None and not year_ok(through_year):
        raise InputError("through_year", "سال باید سالی شمسی میان ۱۳۰۰ و ۱۵۰۰ باشد")
    now = ctx.now()
    with ctx.tx() as s:
        add_holidays(s, days)
        if through_year is not None:
            set_holidays_through(s, through_year)
        rounds, windows = _move_off(s, sorted({d for d, _ in days}), now)
        audit(
            s,
            ctx,
            "calendar.holidays",
            "holidays",
            None,
            after={
                "days": [d.isoformat() for d, _ in days],
                "through_year": through_year,
                "deadlines_moved": rounds,
                "signing_windows_moved": windows,
            },
        )
    return ClosureMoves(len(rounds), len(windows))


def _on(col, days: list[date]):
    """SQL: the instant in `col` falls on one of these Tehran days."""
    return or_(
        *(
            and_(col >= at_local(d, time.min), col < at_local(d + timedelta(days=1), time.min))
            for d in days
        )
    )


def _move_off(s: Session, days: list[date], now: datetime) -> tuple[list[int], list[int]]:
    """A day closed after its deadlines and signing windows were set (a closure the
    government announces): a round still to end on it ends at the next working day's
    deadline (its candidates keep standing), and a signing window still to come or running
    on it moves to the next working day's window, the supervisor told by SMS (A9: 08:00–12:00
    of a working day). Returns the rounds' and the referrals' ids."""
    if not days:
        return [], []
    policy = policy_at(s, now)
    cal = calendar_at(s, policy)
    rounds = s.scalars(
        select(Round).where(
            Round.outcome.is_(None), Round.deadline > now, _on(Round.deadline, days)
        )
    ).all()
    for r in rounds:
        r.deadline = cal.next_deadline(r.deadline, policy.deadline_time)
    refs = s.scalars(
        select(Referral).where(
            Referral.status == "selected",
            Referral.sign_until > now,
            _on(Referral.sign_from, days),
        )
    ).all()
    start, end = policy.signing_window
    fields, phones = notify.message_fields(
        s, [r.id for r in refs], [r.engineer_id for r in refs if r.engineer_id]
    )
    for ref in refs:
        day = cal.next_working_day(local_date(ref.sign_from))
        ref.sign_from, ref.sign_until = at_local(day, start), at_local(day, end)
        if ref.engineer_id is not None:
            notify.queue(
                s,
                "signing_moved",
                ref.id,
                ref.engineer_id,
                now,
                fields[ref.id],
                phones.get(ref.engineer_id),
                ref.sign_from,
                ref.sign_until,
            )
    s.flush()
    return [r.id for r in rounds], [r.id for r in refs]


ESTIMATED = "تخمینی"  # the package's mark on a lunar day it can only estimate


@dataclass(frozen=True)
class OfficialLoad:
    through: date  # the last day the office's table now covers
    added: int  # days that were not in the table before
    estimated: tuple[tuple[date, str], ...]  # lunar days to confirm against the official calendar


def official_holidays(first_year: int, last_year: int) -> list[tuple[date, str]]:
    """Iran's official holidays (reference-data.md: the `holidays` package's calendar, with
    Persian names, lunar days it can only estimate marked «تخمینی») for Jalali years
    `first_year`..`last_year`."""
    import holidays

    first = last_day_of_jalali_year(first_year - 1) if first_year > 1358 else None
    last = last_day_of_jalali_year(last_year)
    years = range((first or last).year, last.year + 1)
    table = holidays.country_holidays("IR", years=years, language="fa_IR")
    return [
        (d, str(name))
        for d, name in sorted(table.items())
        if (first is None or d > first) and d <= last
    ]


@use_case(writes=True)
def load_official_calendar(ctx: ServiceContext, through_year: int) -> OfficialLoad:
    """The official holidays from this Jalali year to the end of `through_year` added to the
    office's table (days already there keep their titles; the government's one-off closures
    are added with `set_holidays`), and the table declared complete to that year. The lunar
    days the calendar estimates are returned for the administrator to confirm."""
    require(ctx, "policy.edit")
    if not year_ok(through_year):
        raise InputError("through_year", "سال باید سالی شمسی میان ۱۳۰۰ و ۱۵۰۰ باشد")
    this_year = jalali_year(ctx.now())
    if not this_year <= through_year <= this_year + 5:
        raise InputError(
            "through_year", "تقویم رسمی از سال جاری تا دست‌بالا پنج سال بعد بارگذاری می‌شود"
        )
    days = official_holidays(this_year, through_year)
    now = ctx.now()
    with ctx.tx() as s:
        added = add_holidays(s, days)
        set_holidays_through(s, through_year)
        rounds, windows = _move_off(s, sorted({d for d, _ in days if d >= local_date(now)}), now)
        audit(
            s,
            ctx,
            "calendar.official",
            "holidays",
            None,
            after={
                "through_year": through_year,
                "added": added,
                "source": "holidays/IR",
                "deadlines_moved": rounds,
                "signing_windows_moved": windows,
            },
        )
    return OfficialLoad(
        last_day_of_jalali_year(through_year),
        added,
        tuple((d, t) for d, t in days if ESTIMATED in t),
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


@use_case(writes=False)
def holidays_from(ctx: ServiceContext, first: date) -> list[tuple[date, str]]:
    """The office's holidays from `first` on, in order (what the table holds, to check it)."""
    require(ctx, "referrals.read")
    if not day_ok(first) or isinstance(first, datetime):
        raise InputError("first", "روز باید روزی از تقویم دفتر (۱۳۵۸ تا ۱۵۰۰) باشد")
    with ctx.read() as s:
        q = select(Holiday.day, Holiday.title).where(Holiday.day >= first).order_by(Holiday.day)
        return [(d, t) for d, t in s.execute(q)]

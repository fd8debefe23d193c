"""Iran local time, the Jalali calendar, working days and the deadlines built on them.

Rules: A (round deadlines at 20:00 of a working day), A9 (signing window).
Iran has had no daylight saving since 1401, and the rulebook fixes UTC+03:30,
so a fixed offset is used instead of the system's tz database (which differs
between machines and, on Windows, may be missing).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone
from functools import lru_cache

import jdatetime

from .digits import latin_digits, persian_digits

TEHRAN = timezone(timedelta(hours=3, minutes=30), "Asia/Tehran")

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

_DATE_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DATETIME_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{2})$")


class CalendarError(ValueError):
    """A Jalali date or time that does not exist."""


def jalali_to_date(y: int, m: int, d: int) -> date:
    try:
        return jdatetime.date(y, m, d).togregorian()
    except ValueError as exc:  # jdatetime rejects 1405-13-01 and 1404-12-30 (not a leap year)
        raise CalendarError(f"تاریخ شمسی نامعتبر: {y:04d}-{m:02d}-{d:02d}") from exc


def parse_jalali_date(text: str) -> date:
    """`1405-08-28` (Latin or Persian digits) → Gregorian `date`."""
    m = _DATE_RE.match(latin_digits(text.strip()))
    if not m:
        raise CalendarError(f"قالب تاریخ باید YYYY-MM-DD باشد: {text!r}")
    return jalali_to_date(int(m[1]), int(m[2]), int(m[3]))


def parse_jalali_datetime(text: str) -> datetime:
    """`1405-08-28 20:00` in Iran local time → aware UTC datetime."""
    m = _DATETIME_RE.match(latin_digits(text.strip()))
    if not m:
        raise CalendarError(f"قالب زمان باید YYYY-MM-DD HH:MM باشد: {text!r}")
    day = jalali_to_date(int(m[1]), int(m[2]), int(m[3]))
    hh, mm = int(m[4]), int(m[5])
    if hh > 23 or mm > 59:
        raise CalendarError(f"ساعت نامعتبر: {text!r}")
    return datetime.combine(day, time(hh, mm), TEHRAN).astimezone(UTC)


def parse_hhmm(text: str) -> time:
    hh, mm = latin_digits(text).split(":")
    return time(int(hh), int(mm))


def local(at: datetime) -> datetime:
    return at.astimezone(TEHRAN)


def local_date(at: datetime) -> date:
    return local(at).date()


def jalali_year(at: datetime | date) -> int:
    return _jalali_year(local_date(at) if isinstance(at, datetime) else at)


@lru_cache(maxsize=4096)
def _jalali_year(d: date) -> int:  # jdatetime is slow; a deadline run asks ~10⁵ times
    return jdatetime.date.fromgregorian(date=d).year


@lru_cache(maxsize=4096)
def format_jalali_date(d: date) -> str:
    return jdatetime.date.fromgregorian(date=d).strftime("%Y-%m-%d")


def jalali_text(day: date) -> str:
    """A day as the office writes it in Persian text: ۱۴۰۵/۰۹/۱۵ (Persian digits)."""
    return persian_digits(format_jalali_date(day).replace("-", "/"))


def format_jalali_datetime(at: datetime) -> str:
    """Aware datetime → `1405-08-28 20:00` (Iran local time, Latin digits)."""
    loc = local(at)
    return f"{format_jalali_date(loc.date())} {loc:%H:%M}"


def at_local(d: date, t: time) -> datetime:
    """The instant `t` o'clock Iran time on day `d`, as aware UTC."""
    return datetime.combine(d, t, TEHRAN).astimezone(UTC)


@dataclass(frozen=True)
class WorkCalendar:
    """Working days: not a weekend day of the policy and not a holiday."""

    weekend: frozenset[str] = frozenset({"friday"})
    holidays: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def of(cls, weekend: Iterable[str], holidays: Iterable[date]) -> WorkCalendar:
        return cls(frozenset(w.lower() for w in weekend), frozenset(holidays))

    def is_working_day(self, d: date) -> bool:
        return WEEKDAYS[d.weekday()] not in self.weekend and d not in self.holidays

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after `d`."""
        d += timedelta(days=1)
        for _ in range(400):
            if self.is_working_day(d):
                return d
            d += timedelta(days=1)
        raise CalendarError("هیچ روز کاری در یک سال آینده در تقویم نیست")

    def first_time_after(self, after: datetime, t: time) -> datetime:
        """First instant at `t` o'clock of a working day strictly after `after`."""
        d = local_date(after)
        if not self.is_working_day(d) or at_local(d, t) <= after:
            d = self.next_working_day(d)
        return at_local(d, t)

    def next_deadline(self, after: datetime, deadline_time: time) -> datetime:
        """Round deadlines (A, A6, W4): the first 20:00 of a working day strictly after `after`."""
        return self.first_time_after(after, deadline_time)

    def signing_window(
        self, decided_at: datetime, start: time, end: time
    ) -> tuple[datetime, datetime]:
        """A9: 08:00–12:00 of the first working day after the decision's day."""
        day = self.next_working_day(local_date(decided_at))
        return at_local(day, start), at_local(day, end)


# ---------------------------------------------------------------- the holiday table's reach

CALENDAR_WARN_DAYS = 120  # the administrator is warned this long before the table runs out


def last_day_of_jalali_year(year: int) -> date:
    return jdatetime.date(year + 1, 1, 1).togregorian() - timedelta(days=1)


def coverage_problem(days: Iterable[date], through: date | None) -> str | None:
    """Why a deadline or a signing window may not be put on these days (Persian), or None:
    the office's holiday table reaches only to `through` (None: no limit recorded), and
    after it a holiday such as Nowruz would be taken for a working day."""
    if through is None:
        return None
    late = [d for d in days if d > through]
    if not late:
        return None
    return (
        f"تقویم تعطیلات دفتر تنها تا {jalali_text(through)} را پوشش "
        f"می‌دهد و روز {jalali_text(min(late))} بیرون از آن است؛ "
        "مدیر سامانه تعطیلات سال بعد را وارد کند"
    )


def coverage_warning(today: date, through: date | None) -> str | None:
    """The administrator's warning, months before the holiday table runs out."""
    if through is None:
        return (
            "تقویم رسمی تعطیلات بارگذاری نشده است: مهلت‌ها و پنجره‌های امضا تنها جمعه را "
            "تعطیل می‌گیرند"
        )
    left = (through - today).days
    if left > CALENDAR_WARN_DAYS:
        return None
    if left < 0:
        return (
            f"تقویم تعطیلات دفتر از {jalali_text(through)} به پایان "
            "رسیده است؛ تا تعطیلات سال بعد وارد نشود مهلت و پنجره امضای تازه تعیین نمی‌شود"
        )
    return (
        f"تقویم تعطیلات دفتر {persian_digits(left)} روز دیگر "
        f"({jalali_text(through)}) به پایان می‌رسد؛ تعطیلات سال بعد را "
        "وارد کنید"
    )

"""Round deadlines (A, A6, W4) and the signing window (A9) on the working-day calendar."""

from __future__ import annotations

from datetime import UTC, time, timedelta

import pytest

from app.domain.calendar import (
    TEHRAN,
    CalendarError,
    WorkCalendar,
    format_jalali_datetime,
    jalali_year,
    parse_jalali_date,
    parse_jalali_datetime,
)
from app.domain.calendar import parse_jalali_datetime as T

EIGHT, NOON, TWENTY = time(8), time(12), time(20)


def fmt(at) -> str:
    return format_jalali_datetime(at)


# --- Tehran time (A: "all times are Iran local time, UTC+03:30, no daylight saving") ---------


def test_A6_times_are_tehran_fixed_offset_all_year():
    # Summer and winter alike: UTC+03:30 (no DST since 1401).
    for text in ("1405-01-15 20:00", "1405-04-15 20:00", "1405-10-15 20:00"):
        at = T(text)
        assert at.tzinfo is not None
        assert at.astimezone(TEHRAN).utcoffset() == timedelta(hours=3, minutes=30)
        assert at.astimezone(UTC).strftime("%H:%M") == "16:30"


def test_A6_jalali_parsing_accepts_persian_digits_and_rejects_impossible_days():
    assert T("۱۴۰۵-۰۸-۲۶ ۲۰:۰۰") == T("1405-08-26 20:00")
    assert parse_jalali_date("1403-12-30")  # 1403 is a leap year
    with pytest.raises(CalendarError):
        parse_jalali_date("1404-12-30")  # 1404 is not
    with pytest.raises(CalendarError):
        parse_jalali_date("1405-13-01")
    with pytest.raises(CalendarError):
        parse_jalali_datetime("1405-08-26 24:00")


def test_A6_jalali_year_turns_at_nowruz_tehran_midnight():
    assert jalali_year(T("1404-12-29 23:59")) == 1404
    assert jalali_year(T("1405-01-01 00:00")) == 1405


# --- Deadlines: first 20:00 of a working day strictly after a time ------------------------------


@pytest.mark.parametrize(
    ("after", "deadline"),
    [
        ("1405-08-26 09:30", "1405-08-26 20:00"),  # Tuesday morning → same day
        ("1405-08-26 19:59", "1405-08-26 20:00"),
        ("1405-08-26 20:00", "1405-08-27 20:00"),  # exactly 20:00 → strictly after → next day
        ("1405-08-26 20:01", "1405-08-27 20:00"),
        ("1405-08-28 10:00", "1405-08-28 20:00"),  # Thursday is a working day
        ("1405-08-28 20:00", "1405-08-30 20:00"),  # Friday skipped
        ("1405-08-29 10:00", "1405-08-30 20:00"),  # on Friday itself
        ("1405-08-26 23:59", "1405-08-27 20:00"),
        ("1405-08-27 00:10", "1405-08-27 20:00"),  # after Tehran midnight (still 26th in UTC)
    ],
)
def test_A6_deadline_is_first_2000_of_working_day_strictly_after(cal, after, deadline):
    assert fmt(cal.next_deadline(T(after), TWENTY)) == deadline


def test_A6_deadline_skips_policy_holidays(cal_with_holidays):
    c = cal_with_holidays("1405-08-27", "1405-08-28")  # Wed + Thu holidays, then Friday
    assert fmt(c.next_deadline(T("1405-08-26 20:00"), TWENTY)) == "1405-08-30 20:00"
    assert fmt(c.next_deadline(T("1405-08-27 10:00"), TWENTY)) == "1405-08-30 20:00"


def test_A6_extension_deadline_after_a_deadline_is_next_working_days_2000(cal):
    first = cal.next_deadline(T("1405-08-26 09:00"), TWENTY)
    second = cal.next_deadline(first, TWENTY)
    third = cal.next_deadline(second, TWENTY)
    assert [fmt(x) for x in (first, second, third)] == [
        "1405-08-26 20:00",
        "1405-08-27 20:00",
        "1405-08-28 20:00",
    ]
    assert fmt(cal.next_deadline(third, TWENTY)) == "1405-08-30 20:00"


def test_A6_weekend_comes_from_policy():
    thursday_off = WorkCalendar.of(["Thursday", "friday"], ())
    assert fmt(thursday_off.next_deadline(T("1405-08-27 20:00"), TWENTY)) == "1405-08-30 20:00"


# --- A9: signing window 08:00–12:00 of the first working day after the decision -----------------


@pytest.mark.parametrize(
    ("decided", "day"),
    [
        ("1405-08-26 20:00", "1405-08-27"),  # Tuesday → Wednesday
        ("1405-08-27 20:00", "1405-08-28"),  # Wednesday → Thursday (a working day)
        ("1405-08-28 20:00", "1405-08-30"),  # Thursday → Saturday, Friday skipped
        ("1405-08-26 07:00", "1405-08-27"),  # always the NEXT working day, never the same one
    ],
)
def test_A9_signing_window_is_0800_to_1200_of_next_working_day(cal, decided, day):
    start, end = cal.signing_window(T(decided), EIGHT, NOON)
    assert fmt(start) == f"{day} 08:00"
    assert fmt(end) == f"{day} 12:00"


def test_A9_signing_window_skips_policy_holiday_and_friday(cal_with_holidays):
    c = cal_with_holidays("1405-08-30")  # Saturday holiday (last day of Aban)
    start, end = c.signing_window(T("1405-08-28 20:00"), EIGHT, NOON)
    assert (fmt(start), fmt(end)) == ("1405-09-01 08:00", "1405-09-01 12:00")


def test_A9_signing_window_uses_policy_times(cal, make_policy):
    p = make_policy(signing_window=["09:30", "13:00"])
    start, end = cal.signing_window(T("1405-08-26 20:00"), *p.signing_window)
    assert (fmt(start), fmt(end)) == ("1405-08-27 09:30", "1405-08-27 13:00")

"""The holiday table is data that runs out: the administrator is warned months before, and a
deadline or a signing window is never put on a day the table does not cover (after it,
Nowruz would be taken for a working day)."""

from __future__ import annotations

import pytest

from app.domain.calendar import last_day_of_jalali_year, parse_jalali_date
from app.domain.errors import InputError
from app.services import calendar, candidacy, projects

NOWRUZ_1406 = [(parse_jalali_date(f"1406-01-0{d}"), "نوروز") for d in (1, 2, 3, 4)]


def test_no_official_calendar_is_a_warning_not_a_limit(office):
    status = calendar.calendar_status(office.admin)
    assert status.through is None and "بارگذاری نشده" in status.warning
    office.project()  # scheduling goes on (Fridays only), as in a replay


def test_the_administrator_is_warned_months_before_and_scheduling_stops_at_the_end(office):
    calendar.set_holidays(office.admin, NOWRUZ_1406[:0], through_year=1405)
    assert calendar.calendar_status(office.admin).warning is None  # 1405-08-23: months ahead
    office.at("1405-10-15 09:00")
    status = calendar.calendar_status(office.admin)
    assert status.through == last_day_of_jalali_year(1405) and status.days_left < 120
    assert "روز دیگر" in status.warning
    office.at("1405-12-29 21:00")  # the next deadline would fall in 1406, not covered
    p = office.project(ready=False)
    before = office.row_counts()
    with pytest.raises(InputError) as exc:
        projects.mark_ready(office.clerk, p.id)
    assert exc.value.field == "calendar" and "تقویم" in exc.value.message
    assert office.row_counts() == before
    calendar.set_holidays(office.admin, NOWRUZ_1406, through_year=1406)  # next year loaded
    ready = projects.mark_ready(office.clerk, p.id)
    assert ready.status == "distribution"
    assert calendar.calendar_status(office.admin).warning is None
    e = office.engineer("E1")
    candidacy.stand(office.as_engineer[e], e, ready.referral_ids["civil"])

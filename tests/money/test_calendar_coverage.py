"""The holiday table is data that runs out: the administrator is warned months before, and a
deadline or a signing window is never put on a day the table does not cover (after it,
Nowruz would be taken for a working day)."""

from __future__ import annotations

import pytest

from app.domain.calendar import last_day_of_jalali_year, parse_jalali_date
from app.domain.errors import InputError, RuleViolation
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


def test_the_official_calendar_is_the_default_and_the_administrator_loads_the_next_year(office):
    """reference-data.md: the `holidays` package's Iran calendar, Persian names, lunar days it
    only estimates marked for the administrator to confirm; one-off closures added by hand."""
    days = dict(calendar.official_holidays(1405, 1405))
    assert all(parse_jalali_date(f"1405-01-0{d}") in days for d in (1, 2, 3, 4))  # Nowruz
    assert "نوروز" in days[parse_jalali_date("1405-01-03")]
    assert min(days) == parse_jalali_date("1405-01-01")
    assert max(days) <= last_day_of_jalali_year(1405)
    for who in (office.clerk, office.finance):
        with pytest.raises(RuleViolation):
            calendar.load_official_calendar(who, 1406)
    with pytest.raises(InputError):
        calendar.load_official_calendar(office.admin, 1404)  # a year gone by
    closure = parse_jalali_date("1406-01-06")
    calendar.set_holidays(office.admin, [(closure, "تعطیلی اعلام‌شده دولت")])
    got = calendar.load_official_calendar(office.admin, 1406)
    assert got.through == last_day_of_jalali_year(1406) and got.added > 20
    assert got.estimated and all("تخمینی" in t for _d, t in got.estimated)
    assert calendar.calendar_status(office.admin).through == last_day_of_jalali_year(1406)
    table = dict(calendar.holidays_from(office.admin, parse_jalali_date("1406-01-01")))
    assert table[closure] == "تعطیلی اعلام‌شده دولت"  # the office's own day kept
    assert parse_jalali_date("1406-01-01") in table
    assert calendar.load_official_calendar(office.admin, 1406).added == 0  # loaded once


def test_init_loads_the_official_calendar_and_the_command_adds_a_closure(tmp_path, monkeypatch):
    import argparse

    from app.cli.commands import cmd_init
    from app.cli.holidays import cmd_holidays
    from app.db.engine import make_engine
    from app.services import users
    from app.services.context import ServiceContext

    url = f"sqlite:///{tmp_path / 'new.sqlite'}"
    assert cmd_init(argparse.Namespace(db=url)) == 0
    ctx = ServiceContext(make_engine(url))
    users.bootstrap_admin(ctx, "admin", "admin-pass-1405")
    status = calendar.calendar_status(
        ctx.as_actor(users.authenticate(ctx, "admin", "admin-pass-1405"))
    )
    assert status.through is not None and status.through.year >= 2027
    monkeypatch.setenv("NEZARAT_PASSWORD", "admin-pass-1405")
    args = argparse.Namespace(
        action="add", day=["۱۴۰۶-۰۲-۱۰", "تعطیلی"], through=None, user="admin", db=url
    )
    assert cmd_holidays(args) == 0
    table = dict(
        calendar.holidays_from(
            ctx.as_actor(users.authenticate(ctx, "admin", "admin-pass-1405")),
            parse_jalali_date("1406-02-10"),
        )
    )
    assert table[parse_jalali_date("1406-02-10")] == "تعطیلی"


def test_A9_a_closure_announced_after_the_fact_moves_its_deadlines_and_signing_windows(office):
    """The government closes a day on which a round ends and a supervisor was to sign: the
    round ends at the next working day's deadline (its candidates still stand), the window
    moves to the next working day's 08:00–12:00 and the supervisor is told by SMS; what was
    already over is left as it was."""
    from sqlalchemy import select

    from app.db.models import AuditEntry, Notification, Referral, Round
    from app.domain.calendar import parse_jalali_datetime

    e = office.engineer("E1")
    chosen = office.project(disciplines=("civil",))
    office.at("1405-08-23 10:00")
    candidacy.stand(office.as_engineer[e], e, chosen.referral_ids["civil"])
    office.run("1405-08-23 20:00")
    office.at("1405-08-23 21:00")
    waiting = office.project(disciplines=("civil",))  # its round ends 1405-08-24 20:00
    rid = waiting.referral_ids["civil"]
    candidacy.stand(office.as_engineer[e], e, rid)
    closed = parse_jalali_date("1405-08-24")
    calendar.set_holidays(office.admin, [(closed, "تعطیلی اعلام‌شده")])
    with office.base.tx() as s:
        ref = s.get(Referral, chosen.referral_ids["civil"])
        assert ref.status == "selected"
        assert (ref.sign_from, ref.sign_until) == (
            parse_jalali_datetime("1405-08-25 08:00"),
            parse_jalali_datetime("1405-08-25 12:00"),
        )
        rnd = s.scalar(select(Round).where(Round.referral_id == rid, Round.outcome.is_(None)))
        assert rnd.deadline == parse_jalali_datetime("1405-08-25 20:00")
        sms = s.scalar(select(Notification).where(Notification.kind == "signing_moved"))
        assert sms.engineer_id == e and "1405-08-25" in sms.body and "08:00" in sms.body
        line = s.scalar(select(AuditEntry).where(AuditEntry.action == "calendar.holidays"))
        assert line.after["deadlines_moved"] == [rnd.id]
        assert line.after["signing_windows_moved"] == [ref.id]
    assert candidacy.candidates(office.base, rid)  # he still stands
    # the next deadline decides it on the new day, not on the closed one
    office.run("1405-08-24 23:00")
    with office.base.tx() as s:
        assert s.get(Referral, rid).status == "open"
    office.run("1405-08-25 20:00")
    with office.base.tx() as s:
        assert s.get(Referral, rid).status == "selected"

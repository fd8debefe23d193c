"""The server runs the clock: its own, checked against the database's; deadlines, signing
windows and the SMS outbox run inside it; nothing is decided on a clock that is wrong or
before its time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import jdatetime
import pytest
from sqlalchemy import func, select

from app.db.models import Notification, Round
from app.domain.calendar import TEHRAN
from app.domain.errors import InputError
from app.services import deadlines
from support import Office, ServedOffice
from web.clockwork import Clockwork
from web.server import OfficeServer
from web_support import bearer, token


def _jalali(at: datetime) -> str:
    local = at.astimezone(TEHRAN)
    return jdatetime.datetime.fromgregorian(datetime=local.replace(tzinfo=None)).strftime(
        "%Y-%m-%d %H:%M"
    )


def _due_office(url: str) -> tuple[Office, int]:
    """An office a week in the past with a referral whose first deadline has passed."""
    week_ago = datetime.now(UTC) - timedelta(days=7)
    o = Office(url, start=_jalali(week_ago.replace(hour=5, minute=0)))
    o.engineer("E1")
    p = o.project()
    return o, p.referral_ids["civil"]


def _undecided(o: Office) -> int:
    with o.base.tx() as s:
        return s.scalar(select(func.count()).where(Round.outcome.is_(None)))


def test_a_server_whose_clock_is_an_hour_off_decides_and_records_nothing(pg_url):
    o, _rid = _due_office(pg_url)
    ahead = OfficeServer(
        o.engine, o.base.server_key(), clock=lambda: datetime.now(UTC) + timedelta(hours=1)
    )
    url = ahead.start(clockwork=False)
    try:
        before = _undecided(o)
        assert before >= 1
        Clockwork(ahead).step()
        assert _undecided(o) == before  # the due deadline waits for a right clock
        with httpx.Client(base_url=url) as c:
            h = c.get("/healthz")
            assert h.status_code == 503 and abs(h.json()["clock_skew_seconds"] + 3600) < 60
            from app.services import users

            users.set_password(o.admin, o.clerk.actor.user_id, "clerk-pass-1405")
            t = token(c, "clerk", "clerk-pass-1405")
            r = c.post(
                "/api/call/engineers.request_renewal",
                json={"engineer_id": 1, "year": 1405},
                headers=bearer(t),
            )
            assert r.status_code == 503 and r.json()["kind"] == "clock"
            assert "ساعت" in r.json()["message"]
    finally:
        ahead.stop()
    right = OfficeServer(o.engine, o.base.server_key())  # the real clock
    right.start(clockwork=False)
    try:
        Clockwork(right).step()
        assert _undecided(o) < before
    finally:
        right.stop()


def test_A9_nothing_is_decided_before_its_time(served):
    served.engineer("E1")
    served.project()
    with pytest.raises(InputError) as e:
        deadlines.run_due(served.system, until=served.clock.now + timedelta(days=2))
    assert e.value.field == "until"


def test_A6_A8_the_clockwork_decides_the_deadline_and_sends_the_sms(db_url, tmp_path):
    from app.services import sms

    o = ServedOffice(db_url)
    try:
        o.server.sms_gateway = sms.FileGateway(tmp_path / "sms.jsonl")
        e = o.engineer("E1", mobile="09121234567")
        rid = o.project().referral_ids["civil"]
        o.at("1405-08-23 10:00")
        from app.services import candidacy

        candidacy.stand(o.as_engineer[e], e, rid)
        o.at("1405-08-23 20:00")
        work = Clockwork(o.server)
        work.step()
        assert work.last_summary.selected == 1
        with o.base.tx() as s:
            assert s.scalar(select(Notification.status)) == "sent"
        assert "09121234567" in (tmp_path / "sms.jsonl").read_text(encoding="utf-8")
    finally:
        o.close()


def test_C3_a_write_that_arrived_before_20_00_holds_the_run_until_it_is_answered(db_url):
    """A stand that reached the server at 19:59:59 and still waits on the database when the
    clock passes 20:00: the clockwork decides nothing at or after its arrival until it is
    answered, then decides the deadline with it counted."""
    from app.domain.calendar import parse_jalali_datetime

    o = ServedOffice(db_url)
    try:
        o.engineer("E1")
        rid = o.project().referral_ids["civil"]
        deadline = parse_jalali_datetime("1405-08-23 20:00")
        o.clock.now = deadline + timedelta(seconds=3)
        server = o.server
        ticket, _ = server.in_flight.enter(lambda: deadline - timedelta(seconds=1))
        assert server.settled() < deadline
        Clockwork(server).step()
        with o.base.tx() as s:
            held = s.scalar(select(Round.outcome).where(Round.referral_id == rid))
        assert held is None  # not decided while the stand is in flight
        server.in_flight.leave(ticket)
        assert server.settled() == o.clock.now
        Clockwork(server).step()
        with o.base.tx() as s:
            assert s.scalar(select(Round.outcome).where(Round.referral_id == rid)) is not None
        # a write that has been in flight for over a minute holds nothing any more
        server.in_flight.enter(lambda: o.clock.now - timedelta(minutes=2))
        assert server.settled() == o.clock.now
    finally:
        o.close()

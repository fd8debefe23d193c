"""Issue 13's rush, on loopback against an office server over PostgreSQL on a simulated clock:
N engineers sign in and load their cartable in the last ten minutes before 20:00 (50 simulated
phones at a time), a quarter of them stand in the last minute while desks work, and a few more
at 20:00:00. Nothing is lost, every stand before 20:00:00 is counted, every one at 20:00:00 is
refused with C3, and the deadline's decision is the one the same stands make through the
services on a second office.

NZ_WEB_LOAD_ENGINEERS sets N (CI: 300; the figures in docs/performance.md are for 2,000 and
500 stands)."""

from __future__ import annotations

import os
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
from sqlalchemy import select

from app.db.models import Candidacy, Engineer, Project, Referral, Round
from app.domain.calendar import parse_jalali_datetime
from app.domain.published import ranking_lines
from app.services import candidacy, deadlines
from app.services.context import Actor
from support import Office, ServedOffice
from web.loadgen import make_engineers, make_users, p95, rush
from web_support import bearer, token

N = int(os.environ.get("NZ_WEB_LOAD_ENGINEERS", "300"))
STANDS = max(4, N // 4)
LATE = 5  # stands at 20:00:00, all refused
FILES = 8


def _office(o: Office, n: int) -> tuple[list[tuple[int, str]], list[int]]:
    people = make_engineers(o.system, n)  # the given state, in-process as the system
    refs = [
        o.project(disciplines=("civil",), area=200 + 10 * i).referral_ids["civil"]
        for i in range(FILES)
    ]
    return people, refs


def _decisions(o: Office) -> dict:
    """Each referral's outcome and ranked list, by file number and membership number."""
    with o.base.read() as s:
        nos = dict(s.execute(select(Engineer.id, Engineer.membership_no)).all())
        rows = s.execute(
            select(Project.file_no, Round.no, Round.outcome, Round.engineer_id, Round.ranking)
            .join(Referral, Referral.id == Round.referral_id)
            .join(Project, Project.id == Referral.project_id)
            .where(Round.outcome.is_not(None))
        ).all()
    return {
        (f, no): (
            outcome,
            nos.get(e),
            [(nos[x.engineer_id], x.score) for x in ranking_lines(ranking)],
        )
        for f, no, outcome, e, ranking in rows
    }


def test_the_rush_before_20_00_loses_nothing_and_decides_as_the_services(pg_url, tmp_path):
    o = ServedOffice(pg_url)
    try:
        people, refs = _office(o, N)
        make_users(o.base, people)
        numbers = [no for _, no in people]
        o.clock.now = parse_jalali_datetime("1405-08-23 19:50")
        got = rush(o.url, numbers)
        assert not got["failures"], got["failures"][:5]
        assert len(got["clients"]) == N
        print(
            f"\n{N} sign-ins + cartables in {got['seconds']:.1f} s "
            f"({got['sign_ins_per_s']:.1f} sign-ins/s); cartable p95 "
            f"{p95(got['latencies']) * 1000:.0f} ms, median "
            f"{sorted(got['latencies'])[len(got['latencies']) // 2] * 1000:.0f} ms"
        )

        # the last minute: STANDS engineers stand while ten desks work
        o.clock.now = parse_jalali_datetime("1405-08-23 19:59")
        standers = numbers[:STANDS]
        answers: dict[str, int] = {}
        lock = threading.Lock()
        stop = threading.Event()
        desk_answers: list[int] = []
        with httpx.Client(base_url=o.url) as c:
            desk_tokens = [token(c, "clerk") for _ in range(10)]

        def desk(i: int) -> None:
            with httpx.Client(base_url=o.url, timeout=120) as c:
                while not stop.is_set():
                    r = c.post(
                        "/api/call/queries.referrals_overview",
                        json={"project_ids": None},
                        headers={**bearer(desk_tokens[i]), "Idempotency-Key": uuid.uuid4().hex},
                    )
                    desk_answers.append(r.status_code)
                    time.sleep(0.05)

        latencies = []

        def stand(k: int) -> None:
            no = standers[k]
            t = time.perf_counter()
            status, _ = got["clients"][no].stand(refs[k % FILES])
            with lock:
                answers[no] = status
                latencies.append(time.perf_counter() - t)

        desks = [threading.Thread(target=desk, args=(i,)) for i in range(10)]
        for d in desks:
            d.start()
        t = time.perf_counter()
        with ThreadPoolExecutor(max_workers=50) as pool:
            list(pool.map(stand, range(len(standers) - 1)))
        o.clock.now = parse_jalali_datetime("1405-08-23 19:59") + timedelta(seconds=59.999)
        stand(len(standers) - 1)  # the last one, a millisecond before 20:00:00
        stand_seconds = time.perf_counter() - t
        o.clock.now = parse_jalali_datetime("1405-08-23 20:00")
        late = {}
        for no in numbers[STANDS : STANDS + LATE]:
            late[no] = got["clients"][no].stand(refs[0])[0]
        stop.set()
        for d in desks:
            d.join()
        print(
            f"{len(standers)} stands in {stand_seconds:.1f} s, p95 "
            f"{p95(latencies) * 1000:.0f} ms; {len(desk_answers)} desk calls meanwhile"
        )
        assert set(answers.values()) == {200}, {k: v for k, v in answers.items() if v != 200}
        assert set(late.values()) == {409}
        assert desk_answers and set(desk_answers) == {200}
        with o.base.read() as s:
            stood = s.execute(
                select(Engineer.membership_no, Project.file_no, Candidacy.stood_at)
                .join(Engineer, Engineer.id == Candidacy.engineer_id)
                .join(Referral, Referral.id == Candidacy.referral_id)
                .join(Project, Project.id == Referral.project_id)
                .where(Candidacy.status == "active")
            ).all()
        assert sorted(no for no, _, _ in stood) == sorted(standers)  # every one, once
        deadlines.run_due(o.system)
        web_decisions = _decisions(o)
        for c in got["clients"].values():
            c.close()
    finally:
        o.close()

    # the same stands through the services, on a second office
    twin = Office(f"sqlite:///{tmp_path / 'twin.sqlite'}")
    people2, _ = _office(twin, N)
    assert [no for _, no in people2] == numbers
    ids = dict((no, eid) for eid, no in people2)
    files = {}
    with twin.base.read() as s:
        for rid, file_no in s.execute(
            select(Referral.id, Project.file_no).join(Project, Project.id == Referral.project_id)
        ):
            files[file_no] = rid
    for no, file_no, at in sorted(stood, key=lambda r: r[2]):
        twin.clock.now = at
        ctx = twin.base.as_actor(Actor(f"w{no}", "engineer", None, ids[no]))
        candidacy.stand(ctx, ids[no], files[file_no])
    twin.run("1405-08-23 20:00")
    assert _decisions(twin) == web_decisions
    assert len(web_decisions) == FILES

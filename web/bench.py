"""`main.py bench` (and `bench-server`): a desk's call through the office server against the
same service called in-process, on the bench data. Goal (issue 12): through the server at
most 1.5× the in-process call plus one loopback round trip, that round trip measured in the
same run through the same server.

The round trip is measured as the call meets it: a request through Django whose answer the
bench's server works out for as long as the in-process call just took (`/api/ping?work=µs`,
this process only), sent after the same in-process call as the desk call is, minus that work.
Measured on the build machine, a server woken after ~0.7 ms idle answers an empty request
~0.5 ms later than one kept busy, and a desk that waits 0.8 ms for its answer gets it ~0.3 ms
after the work ends where one that waits nothing gets it at once: a round trip timed
back-to-back on a hot server left both out of the limit (docs/performance.md).

The server runs in a process of its own, as in the office (desk and server sharing one
interpreter would also share its lock), on the bench data's simulated instant; each call's
figure is the median of `REPEATS` calls, the two sides and the round trip alternately, after a
warm-up.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import subprocess
import sys
import time

from app.bench.measure import Measure

REPEATS = 200
PASSWORD = "bench-pass-1405"


def _users(ctx, engineer_id: int) -> None:
    from sqlalchemy import select

    from app.db.models import User
    from app.services import users
    from app.services.context import Actor

    admin = ctx.as_actor(Actor("bench", "admin"))
    with ctx.read() as s:
        have = set(s.scalars(select(User.username)))
    if "bench-clerk" not in have:
        users.create_user(admin, "bench-clerk", "میز بنچ", "clerk", PASSWORD)
    if "bench-engineer" not in have:
        users.create_user(admin, "bench-engineer", "مهندس بنچ", "engineer", PASSWORD, engineer_id)


def measure_server(world, repeats: int = REPEATS) -> list[Measure]:
    from app.bench.cartable import pick_engineers
    from app.services import browse, candidacy
    from app.services.context import SYSTEM, ServiceContext, SimClock
    from ui.remote import RemoteContext

    clock = SimClock(world.now)
    # the installation's key, as the bench's server process (its child) reads it: the trail
    # is chained under one key, or the server refuses to extend it
    base = ServiceContext(world.engine, clock=clock)
    engineer = pick_engineers(world, 1)[0]
    _users(base.as_actor(SYSTEM), engineer)
    db = world.engine.url.render_as_string(hide_password=False)
    proc = subprocess.Popen(
        [sys.executable, "-m", "web.bench", db, world.now.isoformat()],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = proc.stdout.readline().strip()
        if not url.startswith("http"):
            raise RuntimeError("the bench's office server did not start")
        clerk = RemoteContext.sign_in(url, "bench-clerk", PASSWORD)
        eng = RemoteContext.sign_in(url, "bench-engineer", PASSWORD)
        local_clerk, local_eng = base.as_actor(clerk.actor), base.as_actor(eng.actor)
        ping = clerk.client  # the round trip on the desk's own link, as its calls make it
        calls = {
            "engineers list page (100 rows), clerk": (
                lambda c: browse.engineer_page(c, "", 0, 100, "membership_no", False),
                local_clerk,
                clerk,
            ),
            "one engineer's cartable": (
                lambda c: candidacy.cartable(c, engineer),
                local_eng,
                eng,
            ),
        }
        out = []
        for name, (fn, here, there) in calls.items():
            for _ in range(3):  # warm both sides
                fn(here), fn(there), ping.get("/api/ping?work=1000")
            locals_, remotes, trips = [], [], []
            for _ in range(repeats):  # alternately: a quiet or busy moment for all three
                t = time.perf_counter()
                fn(here)
                t1 = time.perf_counter()
                fn(there)
                t2 = time.perf_counter()
                fn(here)
                t3 = time.perf_counter()
                ping.get(f"/api/ping?work={round((t3 - t2) * 1e6)}")
                t4 = time.perf_counter()
                locals_ += [t1 - t, t3 - t2]
                remotes.append(t2 - t1)
                trips.append((t4 - t3) - (t3 - t2))  # the round trip around that work
            inproc, through = statistics.median(locals_), statistics.median(remotes)
            rtt = statistics.median(trips)
            out.append(
                Measure(
                    f"a desk call through the office server: {name} (limit: 1.5 × in-process "
                    f"{inproc * 1000:.1f} ms + loopback round trip {rtt * 1000:.1f} ms around "
                    "an answer that takes as long)",
                    through,
                    "s",
                    1.5 * inproc + rtt,
                    1.0,
                )
            )
        clerk.sign_out()
        eng.sign_out()
        return out
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _serve(db: str, at: str, threads: int = 8) -> None:
    """The bench's server process: the office server over `db`, its clock standing at `at`
    (the bench data's instant). Only for `main.py bench`; `main.py serve` has no such clock."""
    from datetime import datetime

    from app.db.engine import make_engine
    from app.keys import installation_key
    from app.services.context import SimClock

    from .server import OfficeServer

    server = OfficeServer(
        make_engine(db),
        installation_key(),  # the bench's key file (NEZARAT_DATA / NEZARAT_KEY_FILE, inherited)
        clock=SimClock(datetime.fromisoformat(at)),
        max_skew=None,
        threads=threads,
    )
    django = server.wsgi

    def wsgi(environ, start_response):  # the bench's round trip around a given work
        if environ.get("PATH_INFO") == "/api/ping":
            work = environ.get("QUERY_STRING", "").removeprefix("work=")
            if work.isdigit():
                until = time.perf_counter() + min(int(work), 1_000_000) / 1e6
                while time.perf_counter() < until:
                    pass  # the CPU kept busy, as the service keeps it
        return django(environ, start_response)

    server.wsgi = wsgi  # type: ignore[method-assign]
    print(server.bind("127.0.0.1", 0), flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


# ---------------------------------------------------------------- issue 13: the web cartable

WEB_ENGINEERS = 200
WEB_WORKERS = 50
WEB_ROUNDS = 3


def measure_web_cartable(world, engineers: int | None = None) -> list[Measure]:
    """The engineers' cartable page through the office server (its own process) while
    `engineers` phones load it, 50 at a time, against the bare indexed fetch of the same rows
    (app/bench/cartable.BARE) made as many at a time: p95 against p95, goal ≤ 3×. Each phone
    first signs in through the form (the rush; its p95 is in the measure's name)."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from sqlalchemy import select

    from app.bench.cartable import BARE, pick_engineers
    from app.db.models import Engineer
    from app.services import candidacy
    from app.services.context import ServiceContext, SimClock

    from .loadgen import make_users, p95, rush

    if engineers is None:  # `main.py bench`'s own count; NZ_BENCH_WEB_ENGINEERS to change it
        engineers = int(os.environ.get("NZ_BENCH_WEB_ENGINEERS", WEB_ENGINEERS))
    ids = pick_engineers(world, engineers, seed=13)
    base = ServiceContext(world.engine, clock=SimClock(world.now))
    with world.engine.connect() as c:
        nos = dict(
            c.execute(select(Engineer.id, Engineer.membership_no).where(Engineer.id.in_(ids))).all()
        )
    people = [(i, nos[i]) for i in ids]
    make_users(base, people)
    rows = {no: [x.referral_id for x in candidacy.cartable(base, eid)] for eid, no in people}
    db = world.engine.url.render_as_string(hide_password=False)
    proc = subprocess.Popen(
        [sys.executable, "-m", "web.bench", db, world.now.isoformat(), "32"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = proc.stdout.readline().strip()
        if not url.startswith("http"):
            raise RuntimeError("the bench's office server did not start")
        got = rush(url, [no for _, no in people], WEB_WORKERS)
        if got["failures"]:
            raise RuntimeError(f"web bench: {got['failures'][:3]}")
        clients = got["clients"]
        pages: list[float] = []
        lock = threading.Lock()

        def page(no: str) -> None:
            status, seconds, _ = clients[no].cartable()
            if status != 200:
                raise RuntimeError(f"web bench: cartable answered {status}")
            with lock:
                pages.append(seconds)

        eid_of = {no: eid for eid, no in people}
        bare: list[float] = []

        def fetch(no: str) -> None:
            t = time.perf_counter()
            with world.engine.connect() as c:
                c.execute(BARE, {"e": eid_of[no], "ids": rows[no] or [-1]}).all()
            with lock:
                bare.append(time.perf_counter() - t)

        order = [no for _, no in people] * WEB_ROUNDS
        with ThreadPoolExecutor(max_workers=WEB_WORKERS) as pool:
            list(pool.map(page, order))
            list(pool.map(fetch, order))
        for c in clients.values():
            c.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    rush_p95 = p95(got["latencies"])
    return [
        Measure(
            f"web cartable page p95, {len(people)} phones ({WEB_WORKERS} at a time) through the "
            f"office server, against the bare indexed fetch of the same rows as many at a time "
            f"(p95 {p95(bare) * 1000:.1f} ms); during the sign-in rush "
            f"{got['sign_ins_per_s']:.1f} sign-ins/s and cartable p95 {rush_p95 * 1000:.0f} ms",
            p95(pages),
            "s",
            p95(bare),
            3.0,
        )
    ]


if __name__ == "__main__":
    _serve(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 8)

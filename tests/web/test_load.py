"""Twenty desks at work while the 20:00 deadline runs inside the server: every referral is
decided once, every request is answered (none lost), and every write a desk was told was
made is in the database exactly once."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlalchemy import func, select

from app.db.models import AuditEntry, DeadlineRun, Referral, Round
from app.services import candidacy
from web.clockwork import Clockwork
from web_support import bearer, token

DESKS = 20
CALLS = 15


def test_twenty_desks_work_while_the_deadline_runs(served_pg):
    o = served_pg
    engineers = [o.engineer(f"E{i}", score=100 + i) for i in range(12)]
    referrals = []
    for _ in range(10):
        p = o.project(disciplines=("civil",))
        referrals.append(p.referral_ids["civil"])
    o.at("1405-08-23 10:00")
    for e in engineers:
        for rid in referrals[:5]:
            candidacy.stand(o.as_engineer[e], e, rid)
    waiting = [o.project(ready=False).id for _ in range(DESKS)]  # one counter file per desk
    o.at("1405-08-23 20:00")
    with o.base.tx() as s:
        documents_before = s.scalar(
            select(func.count()).where(AuditEntry.action == "project.document")
        )
    with httpx.Client(base_url=o.url) as c:
        tokens = [token(c, "clerk") for _ in range(DESKS)]

    answers: list[int] = []
    made: list[str] = []
    lock = threading.Lock()

    def desk(i: int) -> None:
        with httpx.Client(base_url=o.url, timeout=120) as c:
            h = bearer(tokens[i])
            for k in range(CALLS):
                if k % 3 == 0:  # a write: a document recorded for this desk's file
                    key = uuid.uuid4().hex
                    r = c.post(
                        "/api/call/projects.record_document",
                        json={
                            "project_id": waiting[i],
                            "kind": "drawings_arch",
                            "filename": f"d{k}.pdf",
                            "mime": "application/pdf",
                            "content": "JVBERi0=",
                        },
                        headers={**h, "Idempotency-Key": key},
                    )
                    if r.status_code == 200:
                        with lock:
                            made.append(key)
                else:
                    r = c.post(
                        "/api/call/queries.referrals_overview",
                        json={"project_ids": None},
                        headers=h,
                    )
                with lock:
                    answers.append(r.status_code)

    run = threading.Thread(target=Clockwork(o.server).step)  # the 20:00 run, inside the server
    with ThreadPoolExecutor(max_workers=DESKS) as pool:
        run.start()
        list(pool.map(desk, range(DESKS)))
    run.join()
    assert len(answers) == DESKS * CALLS  # every request answered
    assert set(answers) == {200}, sorted(set(answers))
    with o.base.tx() as s:
        assert s.scalar(select(func.count()).select_from(DeadlineRun)) == 1  # decided once
        assert s.scalar(select(func.count()).where(Round.outcome.is_(None))) == 5  # 5 extended
        assert s.scalar(select(func.count()).where(Referral.status == "selected")) == 5
        lines = s.scalar(select(func.count()).where(AuditEntry.action == "project.document"))
    assert len(made) == DESKS * ((CALLS + 2) // 3)  # every write answered as made …
    assert lines - documents_before == len(made)  # … is in the trail, once

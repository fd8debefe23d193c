"""The JSON API of the office server: health, sessions, calls, and what a client may not do."""

from __future__ import annotations

import threading

import httpx
from sqlalchemy import func, select

from app.db.migrate import head
from app.db.models import AuditEntry, AuthSession, Candidacy, User
from app.services import users
from ui.office_link import LinkError
from web_support import bearer, token


def test_healthz_answers_with_the_schema_revision(http):
    r = http.get("/healthz")
    assert r.status_code == 200
    assert r.json()["schema"] == head()
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in r.headers["Content-Security-Policy"]
    assert r.headers["X-Frame-Options"] == "DENY"


def test_a_session_is_a_random_token_stored_only_as_its_hash(served, http):
    t = token(http, "clerk")
    with served.base.tx() as s:
        hashes = s.scalars(select(AuthSession.token_hash)).all()
    assert t not in hashes and len(t) >= 40
    r = http.get("/api/session", headers=bearer(t))
    assert r.status_code == 200 and r.json()["actor"]["role"] == "clerk"


def test_U1_wrong_password_and_unknown_user_get_the_same_answer(http):
    wrong = http.post("/api/session", json={"username": "clerk", "password": "not-it-1405"})
    unknown = http.post("/api/session", json={"username": "nobody-x", "password": "not-it-1405"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.content == unknown.content


def test_U1_a_locked_account_refuses_the_right_password_too(served, http):
    for _ in range(5):
        assert (
            http.post("/api/session", json={"username": "clerk", "password": "x"}).status_code
            == 401
        )
    r = http.post("/api/session", json={"username": "clerk", "password": served.PASSWORD})
    assert r.status_code == 429 and r.headers["Retry-After"]
    # an unknown name is locked after as many guesses: a lock does not confirm a name
    for _ in range(5):
        http.post("/api/session", json={"username": "no-such-user", "password": "x"})
    r2 = http.post("/api/session", json={"username": "no-such-user", "password": "x"})
    assert r2.status_code == 429 and r2.content == r.content


def test_U1_a_locked_source_address_refuses_every_name(served, http):
    for i in range(30):
        http.post("/api/session", json={"username": f"guess{i}", "password": "x"})
    r = http.post("/api/session", json={"username": "manager", "password": served.PASSWORD})
    assert r.status_code == 429


def test_no_call_without_a_session_and_no_call_with_an_ended_one(served, http):
    assert http.post("/api/call/browse.recent_projects", json={"limit": 5}).status_code == 401
    t = token(http, "clerk")
    ok = http.post("/api/call/browse.recent_projects", json={"limit": 5}, headers=bearer(t))
    assert ok.status_code == 200
    assert http.delete("/api/session", headers=bearer(t)).status_code == 204  # sign-out
    again = http.post("/api/call/browse.recent_projects", json={"limit": 5}, headers=bearer(t))
    assert again.status_code == 401 and again.json()["kind"] == "auth"


def test_U1_a_password_change_or_a_disabled_user_ends_the_sessions(served, http):
    t_clerk, t_mgr = token(http, "clerk"), token(http, "mgr")
    users.set_password(served.local["admin"], served.local["clerk"].actor.user_id, "another-1405x")
    users.set_active(served.local["admin"], served.local["manager"].actor.user_id, False)
    for t in (t_clerk, t_mgr):
        r = http.post("/api/call/queries.outbox", json={}, headers=bearer(t))
        assert r.status_code == 401
    assert (
        http.post("/api/session", json={"username": "mgr", "password": served.PASSWORD}).status_code
        == 401
    )


def test_U1_a_session_expires_by_the_servers_clock(served, http):
    t = token(http, "clerk")
    served.clock.now = served.clock.now.replace(hour=23)  # hours without use (idle > 2 h)
    r = http.post("/api/call/browse.recent_projects", json={"limit": 5}, headers=bearer(t))
    assert r.status_code == 401


def test_a_forged_actor_in_the_body_is_refused_and_an_engineer_acts_only_for_himself(served, http):
    e1, e2 = served.engineer("E1"), served.engineer("E2")
    rid = served.project().referral_ids["civil"]
    served.at("1405-08-23 10:00")
    t1 = token(http, "eE1")
    forged = http.post(
        "/api/call/candidacy.stand",
        json={"engineer_id": e2, "referral_id": rid, "actor": "admin"},
        headers=bearer(t1),
    )
    assert forged.status_code == 400 and forged.json()["field"] == "actor"
    r = http.post(
        "/api/call/candidacy.stand",
        json={"engineer_id": e2, "referral_id": rid},
        headers=bearer(t1),
    )
    assert r.status_code == 200
    with served.base.tx() as s:  # E2's id in the body was E1's own
        stood = s.scalars(select(Candidacy.engineer_id)).all()
        line = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
    assert stood == [e1]
    assert line.actor == "eE1" and line.action == "candidacy.stand"


def test_U1_a_token_of_one_role_cannot_do_anothers_work(served, http):
    t = token(http, "clerk")
    r = http.post(
        "/api/call/projects.decide_fee_payment",
        json={"fee_id": 1, "approve": True, "reason": ""},
        headers=bearer(t),
    )
    assert r.status_code == 409 and r.json()["rules"] == ["U1"]


def test_no_time_from_a_client_and_a_desk_clock_ahead_changes_nothing(served, http):
    """The run's `until` is the server's; a desk's clock (its Date header, its own time) is
    never read: a candidacy is stamped with the server's time."""
    served.manager  # noqa: B018
    t = token(http, "mgr")
    r = http.post(
        "/api/call/deadlines.run_due",
        json={"until": "2030-01-01T00:00:00+00:00"},
        headers=bearer(t),
    )
    assert r.status_code == 400 and r.json()["field"] == "until"
    e = served.engineer("E1")
    rid = served.project().referral_ids["civil"]
    served.at("1405-08-23 10:00")
    ahead = {"Date": "Sun, 01 Jan 2040 00:00:00 GMT", "X-Client-Time": "2040-01-01T00:00:00Z"}
    r = http.post(
        "/api/call/candidacy.stand",
        json={"engineer_id": e, "referral_id": rid},
        headers={**bearer(token(http, "eE1")), **ahead},
    )
    assert r.status_code == 200
    with served.base.tx() as s:
        stood_at = s.scalar(select(Candidacy.stood_at))
    assert stood_at == served.clock.now


def test_a_keyed_write_sent_twice_is_made_once_with_the_same_answer(served, http):
    served.engineer("E1")
    t = token(http, "clerk")
    p = served.project(ready=False)
    body = {
        "project_id": p.id,
        "discipline": "civil",
        "amount_rials": 1_000_000,
        "tracking_no": "7100001",
        "paid_on": "2026-11-14",
        "bank": "ملت",
    }
    headers = {**bearer(t), "Idempotency-Key": "press-0001-abcdef123456"}

    def lines() -> int:
        with served.base.tx() as s:
            return s.scalar(select(func.count()).where(AuditEntry.action == "fee.record"))

    before = lines()
    first = http.post("/api/call/projects.record_fee_payment", json=body, headers=headers)
    second = http.post("/api/call/projects.record_fee_payment", json=body, headers=headers)
    assert first.status_code == second.status_code == 200, first.text
    assert first.content == second.content and second.headers.get("Idempotent-Replay") == "true"
    assert lines() == before + 1
    with served.base.tx() as s:
        total = s.scalar(select(func.count()).select_from(AuditEntry))
    # the same key for another request is refused, never answered with the first reply
    other = {**body, "discipline": "arch", "tracking_no": "7100002"}
    reused = http.post("/api/call/projects.record_fee_payment", json=other, headers=headers)
    assert reused.status_code == 409 and reused.json()["field"] == "Idempotency-Key"
    elsewhere = http.post(
        "/api/call/projects.approve_drawings", json={"project_id": p.id}, headers=headers
    )
    assert elsewhere.status_code == 409 and elsewhere.json()["field"] == "Idempotency-Key"
    with served.base.tx() as s:  # nothing was written under the reused key
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == total


def test_a_keyed_write_sent_twice_at_once_is_made_once(served, http):
    e = served.engineer("E1")
    rid = served.project().referral_ids["civil"]
    served.at("1405-08-23 10:00")
    t = token(http, "eE1")
    headers = {**bearer(t), "Idempotency-Key": "press-0002-abcdef123456"}
    answers: list[int] = []

    def send() -> None:
        with httpx.Client(base_url=served.url, timeout=30) as c:
            answers.append(
                c.post(
                    "/api/call/candidacy.stand",
                    json={"engineer_id": e, "referral_id": rid},
                    headers=headers,
                ).status_code
            )

    threads = [threading.Thread(target=send) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert answers == [200] * 4
    with served.base.tx() as s:
        assert s.scalar(select(func.count()).select_from(Candidacy)) == 1


def test_another_users_key_does_not_replay_their_answer(served, http):
    headers = {"Idempotency-Key": "press-0003-abcdef123456"}
    body = {"key": "max_active_jobs", "value": 9, "effective_from": "2026-12-01", "source": "x"}
    a = http.post(
        "/api/call/policy_admin.update_policy",
        json=body,
        headers={**bearer(token(http, "admin")), **headers},
    )
    assert a.status_code == 200, a.text
    b = http.post(
        "/api/call/policy_admin.update_policy",
        json=body,
        headers={**bearer(token(http, "clerk")), **headers},
    )
    assert b.status_code == 409 and b.json()["field"] == "Idempotency-Key"


def test_unknown_calls_and_server_only_use_cases_are_not_offered(http):
    t = token(http, "admin")
    for name in (
        "nope.nothing",
        "deadlines.decide_due",
        "sms.send_pending",
        "users.bootstrap_admin",
    ):
        assert http.post(f"/api/call/{name}", json={}, headers=bearer(t)).status_code == 404
    listing = http.get("/api/use-cases", headers=bearer(t)).json()
    assert "candidacy.stand" in listing and "deadlines.decide_due" not in listing


def test_every_user_row_keeps_its_password_hash_on_the_server_only(served, http):
    """Nothing the API answers carries a password hash (the desks never read `users`)."""
    t = token(http, "admin")
    listing = http.get("/api/use-cases", headers=bearer(t)).text
    with served.base.tx() as s:
        some_hash = s.scalar(select(User.password_hash).where(User.password_hash.is_not(None)))
    assert some_hash and some_hash not in listing and "password_hash" not in listing


class _DropsAnswerOnce:
    """The office LAN drops the connection after the server has done the work: the desk
    never hears the answer of its first attempt."""

    def __init__(self, inner, path: str):
        self.inner, self.path, self.dropped = inner, path, 0

    def post(self, path: str, body: bytes, headers: dict[str, str]):
        answer = self.inner.post(path, body, headers)
        if path == self.path and not self.dropped:
            self.dropped += 1
            raise LinkError("connection reset")
        return answer

    def close(self) -> None:
        self.inner.close()


def test_a_desk_retries_a_write_whose_answer_was_lost_and_it_is_made_once(served):
    """The desk sends the same idempotency key again; the server answers what it did."""
    from app.services import candidacy

    e = served.engineer("E1")
    rid = served.project().referral_ids["civil"]
    served.at("1405-08-23 10:00")
    desk = served.as_engineer[e]
    flaky = _DropsAnswerOnce(desk.client, "/api/call/candidacy.stand")
    desk.client = flaky
    retried: list[int] = []
    desk.on_retry = lambda attempt, _name: retried.append(attempt)
    candidacy.stand(desk, e, rid)  # no error: the retry got the first attempt's answer
    assert flaky.dropped == 1 and retried == [1]
    with served.base.tx() as s:
        assert s.scalar(select(func.count()).select_from(Candidacy)) == 1

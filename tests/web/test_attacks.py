"""The attacks of issue 12, tried against a real office server on loopback."""

from __future__ import annotations

import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import func, inspect, select, text

from app.db.models import AuditEntry, LoginThrottle
from app.services import users
from app.services.audit_trail import verify_chain
from web_support import bearer, token

SQL_LIKE = (
    "' OR 1=1 --",
    "x'); DROP TABLE users; --",
    "%' UNION SELECT password_hash FROM users --",
)


def test_U1_25_parallel_wrong_guesses_all_count_and_lock_the_account(served_pg):
    """On PostgreSQL, 25 guesses at once: every failure is counted (no lost update) and the
    account is locked, for the right password too."""
    url = served_pg.url

    def guess(i: int) -> int:
        with httpx.Client(base_url=url, timeout=60) as c:
            return c.post(
                "/api/session", json={"username": "clerk", "password": f"guess-{i}"}
            ).status_code

    with ThreadPoolExecutor(max_workers=25) as pool:
        answers = list(pool.map(guess, range(25)))
    assert set(answers) <= {401, 429} and answers.count(401) >= 5
    with served_pg.base.tx() as s:
        row = s.get(LoginThrottle, "user:clerk")
    assert row.failures == answers.count(401)  # each wrong guess that was tried was counted
    assert row.locked_until is not None
    with httpx.Client(base_url=url) as c:
        r = c.post("/api/session", json={"username": "clerk", "password": served_pg.PASSWORD})
    assert r.status_code == 429


def test_U1_known_and_unknown_names_answer_alike_and_in_the_same_time(served):
    """Same body, same status, and the same time within noise (a dummy hash is verified)."""
    names = [f"k{i}" for i in range(4)]
    for n in names:
        users.create_user(served.local["admin"], n, n, "clerk", password="a-password-1405")

    def timed(name: str) -> tuple[float, bytes]:
        with httpx.Client(base_url=served.url) as c:
            start = time.perf_counter()
            r = c.post("/api/session", json={"username": name, "password": "wrong-1405"})
            took = time.perf_counter() - start
        assert r.status_code == 401
        return took, r.content

    known, unknown = [], []
    for rnd in range(3):  # three rounds: each name below its lock
        for n in names:
            known.append(timed(n))
            unknown.append(timed(f"nobody-{n}-{rnd}"))
    assert {b for _, b in known} == {b for _, b in unknown}
    k = statistics.median(t for t, _ in known)
    u = statistics.median(t for t, _ in unknown)
    assert 0.6 < k / u < 1.67, (k, u)


@pytest.mark.parametrize("text_value", SQL_LIKE)
def test_sql_like_text_in_every_filter_is_data(served, http, text_value):
    t = token(http, "admin")
    calls = {
        "browse.engineer_page": {
            "text": text_value,
            "offset": 0,
            "limit": 50,
            "sort": "membership_no",
            "descending": False,
        },
        "browse.count_engineers": {"text": text_value},
        "browse.audit_page": {"text": text_value, "limit": 50, "before_id": None},
        "browse.engineer_id_by_no": {"membership_no": text_value},
        "browse.owner_by_code": {"national_id": text_value},
        "policy_admin.policy_history": {"key": text_value},
    }
    for name, body in calls.items():
        r = http.post(f"/api/call/{name}", json=body, headers=bearer(t))
        assert r.status_code in (200, 400, 404, 409), (name, r.status_code, r.text)
        if r.status_code == 200:
            assert r.json()["value"] in ([], 0, None), (name, r.text)
    with served.base.tx() as s:  # the tables are all still there and the users too
        assert "users" in inspect(s.get_bind()).get_table_names()
        assert s.execute(text("SELECT count(*) FROM users")).scalar() == 4


def test_oversized_requests_are_refused_as_input_not_as_an_outage(served, http):
    """A page of the whole roster, a filter of 100,000 characters, 400,000 ids or a body past
    the server's limit: a Persian refusal naming the field (400/413), never 'database
    unavailable' (a desk retries that) nor an internal error."""
    t = token(http, "admin")
    calls = [
        ("browse.engineer_page", {"text": "", "offset": 0, "limit": 10**12}, "limit"),
        ("browse.engineer_page", {"text": "", "limit": 50, "sort": "password_hash"}, "sort"),
        ("browse.count_engineers", {"text": "a" * 100_000}, "text"),
        ("browse.audit_page", {"text": "a" * 100_000, "limit": 50}, "text"),
        ("queries.engineer_standings", {"ids": list(range(1, 400_001))}, "ids"),
        ("queries.referrals_overview", {"project_ids": list(range(1, 20_002))}, "project_ids"),
    ]
    for name, body, field in calls:
        r = http.post(f"/api/call/{name}", json=body, headers=bearer(t))
        assert r.status_code == 400 and r.json()["field"] == field, (name, r.text[:300])
    huge = b'{"text": "' + b"a" * (41 * 1024 * 1024) + b'"}'
    r = http.post("/api/call/browse.count_engineers", content=huge, headers=bearer(t))
    assert r.status_code == 413 and r.json()["field"] == "body", r.text[:300]


def test_U2_a_line_written_by_plain_sql_does_not_chain(served):
    """Someone with the database's credentials inserts a line as the finance officer,
    chained as the old trail was (plain SHA-256): without the server's key it fails."""
    from app.services.context import audit_hash

    served.engineer("E1")
    with served.base.tx() as s:
        last = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
        body = {
            "at": last.at.isoformat(),
            "actor": "fin",
            "action": "fee.decide",
            "entity": "fee",
            "entity_id": "1",
            "before": None,
            "after": {"approved": True},
            "prev": last.hash,
        }
        s.add(
            AuditEntry(
                at=last.at,
                user_id=None,
                actor="fin",
                action="fee.decide",
                entity="fee",
                entity_id="1",
                before=None,
                after={"approved": True},
                prev_hash=last.hash,
                hash=audit_hash(body),
                key_id=None,
            )
        )
    report = verify_chain(served.local["admin"])
    assert report.first_broken is not None and "بی‌کلید" in report.reason


def test_U2_lines_cut_off_the_end_show_against_the_servers_note(served, tmp_path):
    """The trail's newest line is noted outside the database after each write: deleting the
    last lines (the owner disabling the trigger) is caught, even though the chain holds."""
    from app.services.context import ServiceContext

    head = tmp_path / "audit-head.json"
    noted = ServiceContext(
        served.engine,
        served.local["admin"].actor,
        served.clock,
        key=served.base.server_key(),
        audit_head=head,
    )
    users.create_user(noted, "k9", "k9", "clerk")
    users.create_user(noted, "k10", "k10", "clerk")
    import json

    note = json.loads(head.read_text())
    assert verify_chain(served.local["admin"], head_note=note).tail == "ok"
    with served.base.tx() as s:
        if s.get_bind().dialect.name == "postgresql":
            s.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change"))
        else:
            s.execute(text("DROP TRIGGER audit_log_no_delete"))
        top = s.scalar(select(func.max(AuditEntry.id)))
        s.execute(text("DELETE FROM audit_log WHERE id = :i"), {"i": top})
    report = verify_chain(served.local["admin"], head_note=note)
    assert report.first_broken is None and report.tail == "cut"
    forged = {**note, "id": note["id"] - 1}
    assert verify_chain(served.local["admin"], head_note=forged).tail == "forged"


def test_a_desk_cannot_waive_a_rule_or_type_a_fact_only_the_system_gives(served):
    """Issue 15 through the server: the replay's waivers (codes unchecked, P4 as given, F6 as
    given) and the facts of the member system (membership paid, base score) are refused to a
    clerk's desk — each with its rule, nothing written; the administrator may set a base score."""
    from dataclasses import replace
    from decimal import Decimal

    from app.db.models import Engineer
    from app.domain.errors import RuleViolation
    from app.services import engineers, firms, projects
    from app.services.dto import OwnerIn, ProjectIn
    from support import OWNER, firm_in, next_plate

    eid = served.engineer("E1", paid_through=1404)
    clerk, admin = served.clerk, served.admin
    before = served.row_counts()
    tries = {
        "F5": lambda: engineers.update_engineer(clerk, eid, {"membership_paid_through": 1405}),
        "S8": lambda: engineers.update_engineer(clerk, eid, {"base_score": Decimal(1_000_000)}),
        "U1": lambda: engineers.update_engineer(clerk, eid, {"mobile": "0916abc4567"}, False),
    }
    p = ProjectIn(
        plate=f"{next_plate()}/1",
        area=Decimal(450),
        floors=3,
        owners=(OwnerIn(OWNER, mobile="09161234567"),),
        disciplines=("civil",),
    )
    tries["U1 P4"] = lambda: projects.register_project(clerk, replace(p, enforce_p4=False))
    tries["U1 ids"] = lambda: projects.register_project(clerk, replace(p, validate_ids=False))
    tries["U1 F6"] = lambda: firms.register_firm(
        clerk, firm_in(membership_paid_through=None), [eid], enforce_f6=False
    )
    for rule, attempt in tries.items():
        with pytest.raises(RuleViolation) as err:
            attempt()
        assert rule.split()[0] in err.value.rules, (rule, err.value.message)
    assert served.row_counts() == before
    with served.base.read() as s:
        assert s.get(Engineer, eid).membership_paid_through == 1404
    engineers.update_engineer(admin, eid, {"base_score": Decimal(120)})  # the administrator's
    with served.base.read() as s:
        assert s.get(Engineer, eid).base_score == Decimal(120)


def test_U1_with_the_sms_second_step_on_an_engineers_password_alone_opens_no_api_session(
    served,
):
    """Issue 13's second step holds on every channel: once the office turns it on, his desk
    sessions end and /api/session refuses him (the web's sign-in asks for the code); the
    office's people sign in as before."""
    from app.services import web_auth

    me = {"engineer_id": served.engineer("E1")}
    with httpx.Client(base_url=served.url) as c:
        before = token(c, "eE1")
        assert c.post("/api/call/member.member_state", json=me, headers=bearer(before)).is_success
        web_auth.set_web_sms_code(served.local["admin"], True)
        time.sleep(2.1)  # the server's session cache (web/server.py, TTL 2 s)
        r = c.post("/api/call/member.member_state", json=me, headers=bearer(before))
        assert r.status_code == 401
        r = c.post("/api/session", json={"username": "eE1", "password": served.PASSWORD})
        assert r.status_code == 403 and r.json()["kind"] == "second_step"
        assert "کد پیامکی" in r.json()["message"] and "token" not in r.json()
        wrong = c.post("/api/session", json={"username": "eE1", "password": "wrong-1405"})
        assert wrong.status_code == 401  # a wrong password says no more than before
        assert token(c, "clerk")


def test_C6_set_aside_reasons_reach_only_the_office_and_the_engineer_himself(served):
    """Who was set aside is public; by which rules (G4 here) is his and the office's: the
    overview and the run's sheet withhold them from another engineer."""
    from app.services import candidacy, engineers

    rival, other = served.engineer("R1", score=90), served.engineer("O1", score=80)
    p = served.project(disciplines=("civil",))
    served.at("1405-08-23 10:00")
    rid = p.referral_ids["civil"]
    for e in (rival, other):
        candidacy.stand(served.as_engineer[e], e, rid)
    engineers.update_engineer(served.local["admin"], rival, {"legal_incapacity": True})
    served.run("1405-08-23 20:05")

    def asides(name: str) -> dict:
        with httpx.Client(base_url=served.url) as c:
            r = c.post(
                "/api/call/queries.referrals_overview",
                json={"project_ids": [p.id]},
                headers=bearer(token(c, name)),
            )
        assert r.status_code == 200, r.text
        rounds = r.json()["value"][0]["rounds"]
        return {e: rules for rnd in rounds for e, _no, rules in rnd["set_aside"]}

    assert asides("clerk") == {rival: ["G4"]}
    assert asides("eR1") == {rival: ["G4"]}  # his own reasons
    assert asides("eO1") == {rival: []}  # named, not why
    from app.services import public

    run_id = public.published_runs(served.base)[0].id
    with httpx.Client(base_url=served.url) as c:
        r = c.post(
            "/api/call/public.run_sheet",
            json={"run_id": run_id},
            headers=bearer(token(c, "eO1")),
        )
    assert r.status_code == 200 and "G4" not in r.text and str(rival) in r.text


def test_U1_an_engineers_stands_through_the_api_are_paced_as_on_the_web(served):
    e = served.engineer("P1")
    with httpx.Client(base_url=served.url) as c:
        t = token(c, "eP1")
        codes = [
            c.post(
                "/api/call/candidacy.stand",
                json={"engineer_id": e, "referral_id": 999_999},
                headers=bearer(t),
            ).status_code
            for _ in range(25)
        ]
    assert 429 in codes and codes.index(429) == 20  # twenty a minute, then refused
    assert set(codes[:20]) <= {404, 409}


def _due_at_20(served):
    """An engineer with a token and a referral whose round ends at 20:00 of the first day."""
    from datetime import timedelta

    from app.domain.calendar import parse_jalali_datetime

    e = served.engineer("T1")
    rid = served.project(disciplines=("civil",)).referral_ids["civil"]
    deadline = parse_jalali_datetime("1405-08-23 20:00")
    served.clock.now = deadline - timedelta(minutes=1)  # a session of the evening
    with httpx.Client(base_url=served.url) as c:
        t = token(c, "eT1")
    return e, rid, t, deadline


def test_C3_an_api_stand_is_judged_when_its_body_has_arrived_not_its_headers(served):
    """Headers sent at 19:59:59 and the body after 20:00: judged when the request had
    arrived whole (20:00:01, C3), so nobody watches the final list and then stands."""
    import socket
    from datetime import timedelta
    from urllib.parse import urlsplit

    e, rid, t, deadline = _due_at_20(served)
    body = f'{{"engineer_id": {e}, "referral_id": {rid}}}'.encode()
    served.clock.now = deadline - timedelta(seconds=1)
    where = urlsplit(served.url)
    with socket.create_connection((where.hostname, where.port)) as sock:
        sock.sendall(
            (
                f"POST /api/call/candidacy.stand HTTP/1.1\r\nHost: {where.netloc}\r\n"
                f"Authorization: Bearer {t}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
            ).encode()
        )
        time.sleep(0.3)
        served.clock.now = deadline + timedelta(seconds=1)
        sock.sendall(body)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 409") and b'"C3"' in answer, answer[:200]


def test_C3_an_api_stand_at_19_59_59_counts_though_it_waits_past_20_00(served, monkeypatch):
    """The token's check and the rate limit may wait on the database: the API's stand is
    judged, and stamped, at the server's instant of arrival, as the web's is."""
    from datetime import timedelta

    from app.db.models import Candidacy
    from app.services import web_auth

    e, rid, t, deadline = _due_at_20(served)
    arrived = deadline - timedelta(seconds=1)
    real_pace = web_auth.pace

    def slow(ctx, engineer_id, source=""):
        served.clock.now = deadline + timedelta(seconds=2)  # the counter waited till 20:00:02
        return real_pace(ctx, engineer_id, source)

    monkeypatch.setattr(web_auth, "pace", slow)
    served.clock.now = arrived
    with httpx.Client(base_url=served.url) as c:
        r = c.post(
            "/api/call/candidacy.stand",
            json={"engineer_id": e, "referral_id": rid},
            headers=bearer(t),
        )
    assert r.status_code == 200, r.text
    with served.base.tx() as s:
        stood = s.scalar(select(Candidacy.stood_at).where(Candidacy.referral_id == rid))
    assert stood == arrived


def test_U1_wrong_old_passwords_through_the_api_are_counted_and_lock(served):
    """A password change knowing the old one is a sign-in: its wrong guesses are counted
    (committed, not rolled back with the refusal) per account and per address, and lock."""
    served.engineer("W1")
    with httpx.Client(base_url=served.url) as c:
        t = token(c, "eW1")
        codes = [
            c.post(
                "/api/call/users.change_own_password",
                json={"old": f"guess-{i}", "new": "a-new-pass-1405"},
                headers=bearer(t),
            ).status_code
            for i in range(8)
        ]
        assert 409 in codes and codes[-1] in (409, 429)
        with served.base.tx() as s:
            row = s.get(LoginThrottle, "user:ew1")
        assert row is not None and (row.failures >= 5 or row.locked_until is not None)
        right = c.post(
            "/api/call/users.change_own_password",
            json={"old": served.PASSWORD, "new": "a-new-pass-1405"},
            headers=bearer(t),
        )
        assert right.status_code in (409, 429)  # locked: the right password too

"""Issue 13 over HTTP: every page of the engineers' web site and every refusal, the security
headers, the session cookie and CSRF, sign-in with its throttling and the SMS second step, the
forgotten password, the rate limit of stand and cancel, an engineer changing ids in URLs and
forms, and the Persian error page instead of a stack trace."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import timedelta
from types import SimpleNamespace

from sqlalchemy import func, select

from app.db.models import AuthSession, Candidacy, OneTimeCode
from app.domain.calendar import parse_jalali_datetime
from app.services import sms, web_auth
from site_support import ME, OTHER, RIVAL, Browser, notes

ENGINEER_PAGES = ("/", "/me", "/my-referrals", "/messages", "/declaration", "/membership")
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def _no_inline(html: str) -> None:
    """What the CSP forbids is not even written: no inline script, no style attribute."""
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag, tag
    assert not re.search(r"<script\b[^>]*>[^<]*\S[^<]*</script>", html)
    assert " style=" not in html and "<style" not in html
    assert " on" not in re.sub(r"\s(one|only|on)\b", "", " ".join(re.findall(r"<[^>]+>", html)))


def _page_ok(r, status: int = 200) -> str:
    assert r.status_code == status, (r.status_code, r.text[:500])
    html = r.text
    assert '<html lang="fa" dir="rtl">' in html
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    for k, v in HEADERS.items():
        assert r.headers[k] == v, k
    assert r.headers["X-Server-Time"]
    _no_inline(html)
    assert "Traceback" not in html
    return html


# ---------------------------------------------------------------- every page


def test_every_page_is_persian_rtl_with_the_security_headers(site):
    b = Browser(site.url)
    for path in (
        "/login",
        "/forgot",
        "/board",
        f"/board/{site.open_referrals[0]}",
        "/runs",
        f"/runs/{site.run_id}",
        "/verify",
        f"/verify/{site.paper_code}",
    ):
        html = _page_ok(b.get(path))
        assert not re.search(
            r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.sub(r"<[^>]+>", "", html).replace(site.paper_code, "")
        ), path  # dates are Jalali with Persian digits
    r = b.get("/")
    assert r.status_code == 302 and r.headers["location"].startswith("/login?next=")
    b.sign_in()
    for path in (*ENGINEER_PAGES, f"/why-not?file_no={site.signed_file}"):
        html = _page_ok(b.get(path))
        assert "۱۴۰۵" in html, path  # Jalali dates, Persian digits
        who = re.search(r'<span class="who"[^>]*>(.*?)</span>', html, re.S)
        assert who and re.search(r"[۰-۹]", who[1]) and not re.search(r"[0-9]", who[1]), path
    assert _page_ok(b.get("/no-such-page"), 404).count("پیدا نشد") >= 1
    b.close()


def test_static_files_are_served_here_with_long_caching(site):
    b = Browser(site.url)
    html = b.get("/login").text
    urls = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    assert any("htmx.min.js" in u for u in urls) and any("site.css" in u for u in urls)
    for u in urls:
        r = b.http.get(u)
        assert r.status_code == 200 and "immutable" in r.headers["Cache-Control"], u
    css = b.http.get(next(u for u in urls if "site.css" in u)).text
    for font in re.findall(r'url\("([^"]+)"\)', css):
        r = b.http.get(f"/static/{font}")
        assert r.status_code == 200 and r.headers["content-type"] == "font/ttf"
    assert "//" not in "".join(u.replace("/static/", "") for u in urls)  # no other host
    assert b.http.get("/static/../pyproject.toml").status_code == 404
    b.close()


# ---------------------------------------------------------------- cookie, CSRF, sessions


def test_the_session_cookie_is_httponly_lax_and_secure_behind_tls(site):
    b = Browser(site.url)
    r = b.sign_in()
    cookie = r.headers["set-cookie"]
    assert "nz_web=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Path=/" in cookie
    b.close()
    from django.http import HttpResponse

    from web.site_base import set_cookie

    request = SimpleNamespace(META={"nezarat.server": SimpleNamespace(tls=("c", "k"))})
    response = HttpResponse()
    set_cookie(request, response, "t" * 43)
    morsel = response.cookies["__Host-nz_web"]
    assert morsel["secure"] and morsel["httponly"] and morsel["samesite"] == "Lax"
    assert morsel["path"] == "/" and not morsel["domain"]


def test_every_form_needs_its_csrf_token(site):
    b = Browser(site.url)
    b.sign_in()
    before = _candidacies(site)
    raw = b.http.post(f"/referrals/{site.open_referrals[1]}/stand", data={})
    assert raw.status_code == 403 and "نشانه امنیتی" in raw.text
    assert _candidacies(site) == before
    forged = b.http.post(
        f"/referrals/{site.open_referrals[1]}/stand", data={"csrfmiddlewaretoken": "x" * 64}
    )
    assert forged.status_code == 403
    for path in ("/login", "/logout", "/declaration", "/membership", "/forgot"):
        assert b.http.post(path, data={}).status_code == 403, path
    b.close()


def _candidacies(site) -> list:
    with site.office.base.read() as s:
        return s.execute(
            select(Candidacy.engineer_id, Candidacy.referral_id, Candidacy.status)
        ).all()


def test_U1_sign_in_answers_alike_for_a_wrong_password_and_an_unknown_number(fresh):
    b = Browser(fresh.url)
    b.get("/login")
    wrong = b.post("/login", {"membership_no": ME, "password": "not-it-1405"})
    unknown = b.post("/login", {"membership_no": "99999", "password": "not-it-1405"})
    assert wrong.status_code == unknown.status_code == 401
    # the web's form asks for the membership number: its words say so (the service's own
    # uniform answer, mapped in the site layer)
    assert notes(wrong.text) == notes(unknown.text) == ["شماره عضویت یا گذرواژه نادرست است (U1)"]
    for _ in range(4):
        b.post("/login", {"membership_no": ME, "password": "not-it-1405"})
    right = b.post("/login", {"membership_no": ME, "password": fresh.office.PASSWORD})
    assert right.status_code == 429 and "۱۵ دقیقه" in notes(right.text)[0]
    for _ in range(5):
        b.post("/login", {"membership_no": "99999", "password": "x"})
    locked_unknown = b.post("/login", {"membership_no": "99999", "password": "x"})
    assert locked_unknown.status_code == 429
    assert notes(locked_unknown.text) == notes(right.text)  # a lock confirms no number
    b.close()


def test_sessions_rotate_at_sign_in_expire_and_end_at_sign_out(fresh):
    b = Browser(fresh.url)
    b.sign_in()
    first = b.http.cookies["nz_web"]
    b.sign_in()  # again from the same browser: a new token, the old session ended
    second = b.http.cookies["nz_web"]
    assert first != second
    other = Browser(fresh.url)
    other.http.cookies.set("nz_web", first)
    assert other.get("/me").status_code == 302
    assert b.get("/me").status_code == 200
    fresh.office.clock.now += timedelta(minutes=31)  # idle past the web's 30 minutes
    assert b.get("/me").status_code == 302
    fresh.office.clock.now -= timedelta(minutes=31)
    b.sign_in()
    assert b.get("/me").status_code == 200
    out = b.post("/logout")
    assert out.status_code == 302 and out.headers["location"] == "/login?out=1"
    assert b.get("/me").status_code == 302
    with fresh.office.base.read() as s:
        kinds = s.execute(select(AuthSession.kind, AuthSession.revoked_why)).all()
    assert ("web", "sign-out") in kinds
    b.close()
    other.close()


# ---------------------------------------------------------------- the cartable (C2–C5)


def test_C3_a_stand_at_19_59_59_counts_and_one_at_20_00_00_is_refused(fresh):
    b = Browser(fresh.url)
    b.sign_in()
    clock = fresh.office.clock
    clock.now = parse_jalali_datetime("1405-08-24 19:59") + timedelta(seconds=59)
    r = b.post(f"/referrals/{fresh.open_referrals[0]}/stand")  # a plain form: PRG
    assert r.status_code == 303 and r.headers["location"] == "/"
    r = b.get("/")
    assert r.status_code == 200 and "کاندیداتوری شما ثبت شد" in notes(r.text)[0]
    assert "۱۹:۵۹:۵۹" in notes(r.text)[0]
    clock.now = parse_jalali_datetime("1405-08-24 20:00")
    r = b.post(f"/referrals/{fresh.open_referrals[1]}/stand")
    assert r.status_code == 409 and "(C3)" in notes(r.text)[0]
    r = b.post(f"/referrals/{fresh.open_referrals[0]}/cancel")
    assert r.status_code == 409 and "(C3)" in notes(r.text)[0]
    with fresh.office.base.read() as s:
        mine = s.scalars(
            select(Candidacy.referral_id).where(Candidacy.engineer_id == fresh.me)
        ).all()
    assert fresh.open_referrals[0] in mine and fresh.open_referrals[1] not in mine
    # after 20:00, the run not yet made: the page says his candidacy awaits the decision,
    # not that nothing fits his qualifications
    page = re.sub(r"<[^>]+>", "", b.get("/").text)
    assert "مهلت کاندیداتوری گذشته است" in page and "در انتظار همین تصمیم" in page
    assert "اکنون ارجاع بازی متناسب" not in page
    b.close()


def test_C4_C5_refusals_name_their_rules_and_htmx_gets_the_list(fresh):
    b = Browser(fresh.url)
    b.sign_in()
    rid = fresh.open_referrals[0]
    hx = {"HX-Request": "true"}
    r = b.post(f"/referrals/{rid}/stand", headers=hx)
    assert r.status_code == 200 and "<html" not in r.text and "ثبت شد" in notes(r.text)[0]
    r = b.post(f"/referrals/{rid}/stand", headers=hx)
    assert r.headers["X-Refused"] == "409" and "(C4)" in notes(r.text)[0]
    assert b.post(f"/referrals/{rid}/cancel").status_code == 303
    b.post(f"/referrals/{rid}/stand")
    page = b.get("/").text  # standing again: no cancel to press, and he is told why (C4)
    assert f'action="/referrals/{rid}/cancel"' not in page and "لغو دوباره مجاز نیست" in page
    r = b.post(f"/referrals/{rid}/cancel")
    assert r.status_code == 409 and "یک بار" in notes(r.text)[0] and "(C4)" in notes(r.text)[0]
    for other in fresh.open_referrals[1:]:  # two more cancellations today: three in all
        b.post(f"/referrals/{other}/stand")
        b.post(f"/referrals/{other}/cancel")
    extra = fresh.office.project(disciplines=("civil",), area=100).referral_ids["civil"]
    b.post(f"/referrals/{extra}/stand")
    r = b.post(f"/referrals/{extra}/cancel")
    assert r.status_code == 409 and "(C5)" in notes(r.text)[0]
    assert b.post(f"/referrals/{rid}/withdraw").status_code == 404
    b.close()


def test_C2_a_referral_outside_the_cartable_and_a_missing_one_are_refused(site):
    b = Browser(site.url)
    b.sign_in(OTHER)
    signed = b.get(f"/why-not?file_no={site.signed_file}")
    assert "(C3)" not in signed.text or "C3" in signed.text
    r = b.post("/referrals/999999/stand")
    assert r.status_code == 409 and "(C2)" in notes(r.text)[0]
    b.close()


def test_why_not_names_the_rules_for_a_file_and_refuses_a_bad_number(site):
    b = Browser(site.url)
    b.sign_in()
    html = b.get(f"/why-not?file_no={site.signed_file}").text
    assert "C3" in html
    bad = b.get("/why-not?file_no=" + "۹" * 9)
    assert bad.status_code == 400 and "پیدا نشد" in notes(bad.text)[0]
    long = b.get("/why-not?file_no=" + "1" * 41)
    assert long.status_code == 400 and "«شماره پرونده»" in notes(long.text)[0]
    b.close()


def test_the_stand_and_cancel_pace_is_limited_per_engineer(fresh):
    b = Browser(fresh.url)
    b.sign_in()
    codes = [b.post(f"/referrals/{fresh.open_referrals[2]}/stand").status_code for _ in range(22)]
    assert codes[0] == 303 and set(codes[1:20]) == {409} and codes[20:] == [429, 429]
    fresh.office.clock.now += timedelta(minutes=2)  # the lock is judged by the database's clock
    b.close()


# ---------------------------------------------------------------- another engineer's data


def test_changing_ids_in_urls_and_forms_reaches_nothing_of_anothers(site):
    o = site.office
    b = Browser(site.url)
    b.sign_in(OTHER)
    # an engineer id in a form is not read: he stands as himself
    rid = site.open_referrals[2]
    r = b.post(f"/referrals/{rid}/stand", {"engineer_id": str(site.me)})
    assert r.status_code == 303
    with o.base.read() as s:
        who = s.scalars(select(Candidacy.engineer_id).where(Candidacy.referral_id == rid)).all()
    assert site.me not in who and site.other in who
    # his pages take no id: query strings naming another change nothing
    for path in ("/me", "/my-referrals", "/messages", "/membership", "/declaration"):
        mine = b.get(path).text
        other = b.get(f"{path}?engineer_id={site.me}&id={site.me}").text
        assert re.sub(r"[A-Za-z0-9]{64}", "", mine) == re.sub(r"[A-Za-z0-9]{64}", "", other)
        assert "سارا" not in mine and "09121234567" not in mine and ME not in mine, path
    # 1001's referrals and messages are not on 1003's pages
    assert site.signed_file not in b.get("/my-referrals").text
    assert "به شما ارجاع شد" not in b.get("/messages").text
    # cancelling 1001's candidacy by its referral id cancels nothing of his
    b.close()
    mine = Browser(site.url)
    mine.sign_in()
    mine.post(f"/referrals/{site.open_referrals[1]}/stand")
    mine.close()
    b = Browser(site.url)
    b.sign_in(OTHER)
    r = b.post(f"/referrals/{site.open_referrals[1]}/cancel")
    assert r.status_code == 409 and "(C4)" in notes(r.text)[0]
    with o.base.read() as s:
        still = s.scalar(
            select(Candidacy.status).where(
                Candidacy.referral_id == site.open_referrals[1], Candidacy.engineer_id == site.me
            )
        )
    assert still == "active"
    b.close()


# ---------------------------------------------------------------- declaration, membership


def test_C1_the_declaration_validates_every_field_in_persian(site):
    b = Browser(site.url)
    b.sign_in(RIVAL)
    page = b.get("/declaration").text
    assert "قوانین ارجاع نظارت" in page and "(<bdi>C3</bdi>)" in page  # the rules' text
    cases = [
        (
            {"groups": ["A"], "supervision_percent": "50", "rules_accepted": "yes"},
            "«آمادگی به کار»",
        ),
        ({"ready": "yes", "supervision_percent": "50", "rules_accepted": "yes"}, "«گروه‌های"),
        (
            {"ready": "yes", "groups": ["Z"], "supervision_percent": "50", "rules_accepted": "yes"},
            "«گروه‌های",
        ),
        (
            {
                "ready": "yes",
                "groups": ["A"],
                "supervision_percent": "150",
                "rules_accepted": "yes",
            },
            "«درصد نظارت»",
        ),
        (
            {
                "ready": "yes",
                "groups": ["A"],
                "supervision_percent": "abc",
                "rules_accepted": "yes",
            },
            "«درصد نظارت»",
        ),
        ({"ready": "yes", "groups": ["A"], "supervision_percent": "50"}, "«پذیرش قوانین»"),
    ]
    for data, field in cases:
        r = b.post("/declaration", data)
        assert r.status_code == 400 and field in notes(r.text)[0], (data, notes(r.text))
    ok = b.post(
        "/declaration",
        {
            "ready": "yes",
            "groups": ["A", "B"],
            "supervision_percent": "۴۰",
            "rules_accepted": "yes",
        },
    )
    assert ok.status_code == 303 and ok.headers["location"] == "/declaration"
    assert "پذیرش قوانین" in notes(b.get("/declaration").text)[0]
    b.close()


def test_C1_each_refused_declaration_field_carries_its_own_error(site):
    """Every field is checked at once; each refused one has its own error element, is marked
    `aria-invalid` and described by it (site.js focuses the first); the others are not."""
    b = Browser(site.url)
    b.sign_in(RIVAL)
    r = b.post("/declaration", {"ready": "yes", "supervision_percent": "150"})
    html = _page_ok(r, 400)
    refused = {
        "groups": "«گروه‌های ساختمانی»",
        "supervision_percent": "«درصد نظارت»",
        "rules_accepted": "«پذیرش قوانین»",
    }
    for field, words in refused.items():
        error = re.search(rf'<p class="field-error" id="{field}-error">(.*?)</p>', html)
        assert error and words in re.sub(r"<[^>]+>", "", error.group(1)), field
        inputs = re.findall(rf'<input [^>]*name="{field}"[^>]*>', html)
        assert inputs, field
        for tag in inputs:
            assert 'aria-invalid="true"' in tag and f'aria-describedby="{field}-error"' in tag
    for tag in re.findall(r'<input [^>]*name="ready"[^>]*>', html):  # answered: not marked
        assert "aria-invalid" not in tag and "aria-describedby" not in tag
    assert 'id="ready-error"' not in html
    # every id a field points at is on the page, once
    for target in re.findall(r'aria-describedby="([^"]+)"', html):
        assert html.count(f'id="{target}"') == 1, target
    summary = notes(html)[0]  # the note at the top still names them all, for the page's reader
    assert all(words in summary for words in refused.values())
    one = b.post(
        "/declaration",
        {"ready": "yes", "groups": ["A"], "supervision_percent": "۵۰٫۵"},
    )
    assert one.status_code == 400 and one.text.count('aria-invalid="true"') == 1
    assert 'aria-describedby="rules_accepted-error"' in one.text
    b.close()


def test_F5_the_renewal_request_and_what_finance_approved(fresh):
    from app.services import engineers

    b = Browser(fresh.url)
    b.sign_in()
    r = b.post("/membership", {"year": "۱۴۰۶"})
    assert r.status_code == 303 and r.headers["location"] == "/membership"
    assert "درخواست تمدید عضویت سال ۱۴۰۶ ثبت شد" in notes(b.get("/membership").text)[0]
    owed = b.post("/membership", {"year": "1408"})  # 1407 would be owed first
    assert owed.status_code == 409 and "(F5)" in notes(owed.text)[0]
    assert b.post("/membership", {"year": "14o6"}).status_code == 400
    engineers.approve_renewal(fresh.office.local["finance"], fresh.me, 1406, 9_800_000)
    page = b.get("/membership").text
    assert "۹٬۸۰۰٬۰۰۰" in page
    # where to pay it: the organization's account, as the papers print it
    from app.demo.office import DEMO_ORGANIZATION

    assert f'<bdi dir="ltr">{DEMO_ORGANIZATION.iban}</bdi>' in page
    assert "با ذکر شماره عضویت خود" in page and "رسید بانکی را به امور مالی" in page
    b.close()


# ---------------------------------------------------------------- the SMS second step


def test_the_sms_second_step_when_the_office_turns_it_on(fresh, tmp_path):
    o = fresh.office
    outbox = tmp_path / "sms.jsonl"
    o.server.sms_gateway = sms.FileGateway(outbox, stream=None)
    web_auth.set_web_sms_code(o.local["admin"], True)
    b = Browser(fresh.url)
    b.get("/login")
    r = b.post("/login", {"membership_no": ME, "password": o.PASSWORD, "next": "/me"})
    assert r.status_code == 302 and r.headers["location"].startswith("/login/code")
    assert "nz_web" not in b.http.cookies and "nz_code" in b.http.cookies
    pending = b.http.cookies["nz_code"]
    assert b.get("/me").status_code == 302  # the waiting session reaches nothing
    sent = [json.loads(line) for line in outbox.read_text(encoding="utf-8").splitlines()]
    assert len(sent) == 1 and sent[0]["to"] == "09121234567"
    code = re.search(r"\b(\d{6})\b", sent[0]["text"]).group(1)
    with o.base.read() as s:
        stored = s.execute(select(OneTimeCode)).scalars().all()
    assert len(stored) == 1 and code not in repr(vars(stored[0]))
    b.get("/login/code")
    wrong = b.post("/login/code", {"code": f"{(int(code) + 1) % 10**6:06d}", "next": "/me"})
    assert wrong.status_code == 401 and "(U1)" in notes(wrong.text)[0]
    assert b.post("/login/code", {"code": "12a", "next": "/me"}).status_code == 400
    ok = b.post("/login/code", {"code": code, "next": "/me"})
    assert ok.status_code == 302 and ok.headers["location"] == "/me"
    assert b.http.cookies["nz_web"] != pending  # a new token: the session rotated
    assert b.get("/me").status_code == 200
    reused = Browser(fresh.url)
    reused.http.cookies.set("nz_code", pending)
    reused.get("/login/code")
    assert reused.post("/login/code", {"code": code}).status_code == 401  # used once
    # codes sent are limited per account
    b2 = Browser(fresh.url)
    b2.get("/login")
    b2.post("/login", {"membership_no": ME, "password": o.PASSWORD})
    b2.get("/login/code")
    answers = [b2.post("/login/code", {"resend": "1"}).status_code for _ in range(3)]
    assert answers[:1] == [200] and answers[-1] == 429
    for c in (b, b2, reused):
        c.close()


def test_a_forgotten_password_is_reset_with_a_code_to_the_registered_mobile(fresh, tmp_path):
    o = fresh.office
    outbox = tmp_path / "sms.jsonl"
    o.server.sms_gateway = sms.FileGateway(outbox, stream=None)
    old = Browser(fresh.url)
    old.sign_in()
    b = Browser(fresh.url)
    b.get("/forgot")
    known = b.post("/forgot", {"membership_no": ME})
    assert known.status_code == 303 and known.headers["location"] == "/forgot/reset"
    known = b.get("/forgot/reset")
    unknown = b.post("/forgot", {"membership_no": "98765"})
    assert unknown.status_code == 303 and unknown.headers["location"] == "/forgot/reset"
    unknown = b.get("/forgot/reset")
    assert known.status_code == unknown.status_code == 200
    assert notes(known.text) == notes(unknown.text)  # the same words for any number
    assert b.post("/forgot", {"membership_no": ""}).status_code == 400
    lines = outbox.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["to"] == "09121234567"
    code = re.search(r"\b(\d{6})\b", json.loads(lines[0])["text"]).group(1)
    short = b.post(
        "/forgot/reset",
        {"membership_no": ME, "code": code, "new_password": "short", "new_password2": "short"},
    )
    assert short.status_code == 400 and "گذرواژه" in notes(short.text)[0]
    assert "دست‌کم ۱۰ نویسه" in notes(short.text)[0]  # Persian digits in Persian words
    new = "a-new-pass-1405"
    r = b.post(
        "/forgot/reset",
        {"membership_no": ME, "code": code, "new_password": new, "new_password2": new},
    )
    assert r.status_code == 303 and r.headers["location"] == "/login"  # PRG
    r = b.get("/login")
    assert r.status_code == 200 and "گذرواژه تازه ثبت شد" in notes(r.text)[0]
    assert "گذرواژه تازه ثبت شد" not in b.get("/login").text  # shown once
    assert old.get("/me").status_code == 302  # his sessions ended
    assert b.sign_in(ME, new).status_code == 302 and b.get("/me").status_code == 200
    again = b.post(
        "/forgot/reset",
        {"membership_no": ME, "code": code, "new_password": new, "new_password2": new},
    )
    assert again.status_code == 409  # a code is used once
    old.close()
    b.close()


# ---------------------------------------------------------------- public pages (C6, A10)


def test_A10_a_published_run_shows_its_digests_and_its_decisions_hash_to_one(site):
    b = Browser(site.url)
    html = b.get(f"/runs/{site.run_id}").text
    digests = re.findall(r'<span class="digest">([0-9a-f]{64})</span>', html)
    assert len(digests) == 2
    data = b.http.get(f"/runs/{site.run_id}/decisions.json")
    assert data.status_code == 200 and hashlib.sha256(data.content).hexdigest() == digests[1]
    assert "۰۹۱۲" not in html and "09121234567" not in html  # no mobiles, no national ids
    missing = b.get("/runs/999999")
    assert missing.status_code == 404 and "ثبت نشده" in notes(missing.text)[0]
    b.close()


def test_C6_the_public_list_names_candidates_and_scores_and_nothing_more(site):
    b = Browser(site.url)
    html = b.get(f"/board/{site.open_referrals[0]}").text
    assert "رضا احمدی" in html and "۲۵۰" in html  # the rival stands, with his score
    assert "09121234568" not in html and 'tr class="me"' not in html
    b.close()


def test_a_printed_papers_code_is_checked_by_anyone(site):
    b = Browser(site.url)
    html = b.get(f"/verify/{site.paper_code}").text
    assert "قرارداد نظارت" in html and "این برگه را سازمان صادر کرده است" in html
    typed = b.get("/verify", params={"code": site.paper_code.lower().replace("-", "")}).text
    assert "این برگه را سازمان صادر کرده است" in typed
    unknown = b.get("/verify/AAAA-BBBB-CCCC").text
    assert "سازمان برگه‌ای با این کد نمی‌شناسد" in unknown
    assert b.get("/verify", params={"code": "x" * 61}).status_code == 400
    b.close()


def test_a_replaced_paper_is_said_void_before_anything_else(site, monkeypatch):
    """The page's first word on a replaced paper is «باطل», naming its replacement (the service
    says so: tests/reports/test_papers.py); never the green «issued» of a paper in force."""
    from dataclasses import replace

    from app.services import papers

    real = papers.verify_paper

    def replaced(ctx, code):
        found = real(ctx, code)
        return found and replace(
            found,
            state="replaced",
            state_fa="باطل: این برگه با برگه شماره 1405-00099 جایگزین شده است",
            replaced_by="1405-00099",
        )

    monkeypatch.setattr(papers, "verify_paper", replaced)
    b = Browser(site.url)
    html = b.get(f"/verify/{site.paper_code}").text
    heading = re.search(r'<h2 id="found-h"[^>]*>([^<]+)</h2>', html).group(1)
    assert heading.startswith("باطل") and "۱۴۰۵-۰۰۰۹۹" in html
    assert "معتبر است" not in html and 'class="note ok"' not in html
    b.close()


# ---------------------------------------------------------------- errors


def test_no_stack_trace_reaches_a_page(site, monkeypatch, caplog):
    from app.services import member

    def broken(ctx, engineer_id):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(member, "member_state", broken)
    b = Browser(site.url)
    b.sign_in()
    r = b.get("/me")
    assert r.status_code == 500
    assert "secret internals" not in r.text and "Traceback" not in r.text
    assert "خطا برای پشتیبانی دفتر ثبت شد" in r.text
    ref = re.search(r'<span class="ltr">([0-9a-f]{10})</span>', r.text).group(1)
    assert any(ref in rec.getMessage() for rec in caplog.records)
    b.close()


def test_a_wrong_method_gets_the_persian_error_page_not_an_empty_405(site):
    b = Browser(site.url)
    for signed_in in (False, True):
        r = b.get("/logout")  # a GET must not sign out (CSRF): refused, in Persian
        html = _page_ok(r, 405)
        assert r.headers["Allow"] == "POST"
        assert "این درخواست پذیرفته نیست" in html and "«خروج»" in notes(html)[0]
        assert ('action="/logout"' in html) is signed_in  # his header, with «خروج» in it
        b.sign_in()
    r = b.http.request("OPTIONS", "/me")
    assert r.status_code == 405 and r.headers["Allow"] == "GET, HEAD"
    assert "این صفحه را تنها می‌توان باز کرد" in _page_ok(r, 405)
    r = b.http.request("DELETE", "/declaration", headers={"X-CSRFToken": b.csrf})
    assert r.status_code == 405 and r.headers["Allow"] == "GET, HEAD, POST"
    _page_ok(r, 405)
    # an action's address left in the bar by a form without script: back to its page
    assert b.get(f"/referrals/{site.open_referrals[0]}/stand").headers["location"] == "/"
    hx = b.get(f"/referrals/{site.open_referrals[0]}/cancel", headers={"HX-Request": "true"})
    assert hx.status_code == 204 and hx.headers["HX-Redirect"] == "/"
    assert b.get("/forgot/reset").status_code == 200  # the reset form (a code already sent)
    for method in ("GET", "POST"):  # no such action: not a page, whatever the method
        r = b.http.request(
            method, f"/referrals/{site.open_referrals[0]}/withdraw", headers={"X-CSRFToken": b.csrf}
        )
        assert r.status_code == 404 and "پیدا نشد" in _page_ok(r, 404)
    b.close()
    out = Browser(site.url)  # signed out: to the sign-in page first, the cartable after
    r = out.get(f"/referrals/{site.open_referrals[0]}/stand")
    assert r.status_code == 302 and r.headers["location"].startswith("/login?next=")
    out.close()


def test_a_no_script_stand_reopened_from_the_address_bar_shows_the_cartable(fresh):
    b = Browser(fresh.url)
    b.sign_in()
    path = f"/referrals/{fresh.open_referrals[1]}/stand"
    assert b.post(path).headers["location"] == "/"  # PRG: the cartable, not this address
    again = b.get(path)
    assert again.status_code == 302 and again.headers["location"] == "/"
    with fresh.office.base.read() as s:  # opening it again stood for nothing more
        assert (
            s.scalar(
                select(func.count()).where(
                    Candidacy.engineer_id == fresh.me,
                    Candidacy.referral_id == fresh.open_referrals[1],
                )
            )
            == 1
        )
    b.close()


def test_figures_in_persian_words_have_persian_digits_and_the_persian_decimal_point(fresh):
    """An SMS's text kept with Latin figures (3891.9) is shown with Persian ones and «٫», its
    file number in order; a Decimal has no trailing zeros (15979.1600 → ۱۵۹۷۹٫۱۶)."""
    from decimal import Decimal

    from app.services import candidacy, public
    from web.templatetags.fa import fa, fatext

    o = fresh.office
    chosen = o.engineer("1004", score=15979.16)
    p = o.project(disciplines=("civil",), area=389.19)
    candidacy.stand(o.base.as_actor(o.as_engineer[chosen].actor), chosen, p.referral_ids["civil"])
    o.run("1405-08-24 20:00")
    b = Browser(fresh.url)
    run = public.published_runs(o.base)[0].id
    html = _page_ok(b.get(f"/runs/{run}"))
    assert "۱۵۹۷۹٫۱۶" in html and "۳۸۹٫۱۹ مترمربع" in html
    b.sign_in("1004")
    html = _page_ok(b.get("/messages"))
    body = re.search(r"<p>(ناظر محترم.*?)</p>", html).group(1)
    assert "(گروه ب، ۳۸۹٫۱۹ مترمربع)" in body
    assert f'<span class="ltr">{fa(p.file_no)}</span>' in body  # not shown as ۰۱۵۰-۱۴۰۵
    # a date as `jdate` has it: year first from the left (isolated), slashes as on the papers
    assert 'امضای قرارداد: <bdi dir="ltr">۱۴۰۵/۰۸/۲۵</bdi> ساعت ۰۸:۰۰ تا ۱۲:۰۰' in body
    assert not re.search(r"[0-9]", re.sub(r"<[^>]+>", "", body))
    b.close()
    assert fa(Decimal("15979.1600")) == "۱۵۹۷۹٫۱۶" and fa(Decimal("300.00")) == "۳۰۰"
    assert fa(Decimal("-30.50")) == "\u2066-۳۰٫۵\u2069"  # its minus before it, right to left
    assert fa(-7) == "\u2066-۷\u2069" and fa(Decimal("-0.00")) == "۰"
    assert fa(Decimal("1E+2")) == "۱۰۰" and fa(0.5) == "۰٫۵"
    assert str(fatext("U1: C3 و A10؛ کد K7QM-2XWD؛ 12 <b>")) == (
        "U1: C3 و A10؛ کد K7QM-2XWD؛ ۱۲ &lt;b&gt;"
    )  # rule codes and typed codes keep their letters' digits; the rest is escaped
    assert str(fatext("0912•••4567")) == '<span class="ltr">۰۹۱۲•••۴۵۶۷</span>'


def test_every_form_field_is_checked_with_its_persian_name(site):
    b = Browser(site.url)
    b.get("/login")
    r = b.post("/login", {"membership_no": "", "password": "x"})
    assert r.status_code == 400 and "«شماره عضویت»" in notes(r.text)[0]
    r = b.post("/login", {"membership_no": "1" * 33, "password": "x"})
    assert r.status_code == 400 and "«شماره عضویت»" in notes(r.text)[0]
    r = b.post("/login", {"membership_no": "1001", "password": ""})
    assert r.status_code == 400 and "«گذرواژه»" in notes(r.text)[0]
    r = b.post("/login", {"membership_no": "10\x0001", "password": "x"})
    assert r.status_code == 400 and "«شماره عضویت»" in notes(r.text)[0]
    b.close()

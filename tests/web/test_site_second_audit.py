"""The web cartable and the API after a second attacker's read of the office server: wrong
SMS codes lock the account though the password is right each time (2); an engineer files
only this year's declaration, with the rules accepted (3); the cartable's recent results say
how a tie was decided and what became of a referral he won (4); a malformed form gets the
Persian error page (5). Slow requests (1) are in test_slow_clients.py."""

from __future__ import annotations

from decimal import Decimal

from app.services import sms, web_auth
from site_support import ME, Browser

# ---------------------------------------------------------------- 2. the SMS second step


def test_U1_wrong_codes_lock_the_account_though_the_password_is_right_each_time(fresh, tmp_path):
    """Before: a right password cleared the count wrong codes fed, so whoever held the
    password guessed 4 codes, signed in again and guessed 4 more — 12 a window, never
    locked. Now the fifth wrong code locks: the next sign-in (right password) is 429."""
    o = fresh.office
    o.server.sms_gateway = sms.FileGateway(tmp_path / "sms.jsonl", stream=None)
    web_auth.set_web_sms_code(o.local["admin"], True)
    statuses = []
    for tries in (4, 1):  # 4 wrong codes, a new sign-in, then the fifth
        b = Browser(fresh.url)
        b.get("/login")
        r = b.post("/login", {"membership_no": ME, "password": o.PASSWORD, "next": "/"})
        assert r.status_code == 302, r.status_code
        b.get("/login/code")
        statuses += [b.post("/login/code", {"code": "000000"}).status_code for _ in range(tries)]
        b.close()
    assert statuses == [401] * 5
    b = Browser(fresh.url)
    b.get("/login")
    r = b.post("/login", {"membership_no": ME, "password": o.PASSWORD, "next": "/"})
    assert r.status_code == 429  # locked, the right password too
    b.close()


# ---------------------------------------------------------------- 3. C1 through the API


def test_C1_an_engineer_declares_only_this_year_with_the_rules_accepted(fresh):
    """Before: through the API an engineer rewrote last year's declaration the office had on
    record, filed next year's ahead of its rules and filed «ready» without accepting them."""
    import httpx
    from sqlalchemy import select

    from app.db.models import DeclarationRow
    from app.services import engineers
    from app.services.dto import DeclarationIn
    from web_support import bearer, token

    o = fresh.office
    on_paper = DeclarationIn(1404, False, True, ("A",), Decimal(10))  # the office's record
    engineers.submit_declaration(o.local["clerk"], fresh.me, on_paper)

    def declared() -> list[tuple]:
        with o.base.read() as s:
            return s.execute(
                select(DeclarationRow.year, DeclarationRow.ready, DeclarationRow.rules_accepted)
                .where(DeclarationRow.engineer_id == fresh.me)
                .order_by(DeclarationRow.year)
            ).all()

    before = declared()
    assert (1404, False, True) in before
    body = {"ready": True, "groups": ["A", "B"], "supervision_percent": "100"}
    with httpx.Client(base_url=fresh.url) as c:
        t = token(c, f"e{ME}", o.PASSWORD)
        for year, accepted, field in ((1404, True, "year"), (1406, True, "year"),
                                      (1405, False, "rules_accepted")):  # fmt: skip
            d = {**body, "year": year, "rules_accepted": accepted}
            r = c.post(
                "/api/call/engineers.submit_declaration",
                headers=bearer(t),
                json={"engineer_id": fresh.me, "d": d},
            )
            assert r.status_code == 400 and r.json()["field"] == field, r.text
            assert "C1" in r.json()["message"]
        assert declared() == before  # nothing changed
        d = {**body, "year": 1405, "rules_accepted": True}
        r = c.post(
            "/api/call/engineers.submit_declaration",
            headers=bearer(t),
            json={"engineer_id": fresh.me, "d": d},
        )
        assert r.status_code == 200, r.text
    assert (1405, True, True) in declared() and (1404, False, True) in declared()


# ---------------------------------------------------------------- 5. a form Django cannot read


def test_a_form_django_cannot_read_gets_the_persian_page_and_the_api_json(site):
    b = Browser(site.url)
    b.get("/login")
    many = {"csrfmiddlewaretoken": b.csrf, **{f"f{i}": "x" for i in range(1100)}}
    broken = {"content": b"xx", "headers": {"Content-Type": "multipart/form-data"}}
    for r in (b.http.post("/login", data=many), b.http.post("/login", **broken)):
        assert r.status_code == 400
        assert '<html lang="fa" dir="rtl">' in r.text and "درخواست خوانده نشد" in r.text
        assert "Bad Request" not in r.text
    r = b.http.post("/api/session", **broken)
    assert r.status_code == 400 and r.json()["kind"] == "input", r.text
    b.close()


# ---------------------------------------------------------------- 4. the recent results card


def _main_text(html: str) -> str:
    import re

    m = re.search(r"<main.*?</main>", html, re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", m.group(0) if m else html))


def test_A2_a_tie_lost_is_said_a_tie_and_its_break_not_a_higher_score(fresh):
    from app.services import candidacy

    o = fresh.office
    first, second = o.engineer("1004", score=300), o.engineer("1005", score=300)
    rid = fresh.open_referrals[1]
    for who, at in ((first, "1405-08-24 19:56"), (second, "1405-08-24 19:57")):
        o.at(at)
        candidacy.stand(o.base.as_actor(o.as_engineer[who].actor), who, rid)
    o.run("1405-08-24 20:00")
    o.at("1405-08-24 21:00")
    b = Browser(fresh.url)
    b.sign_in("1005")
    said = _main_text(b.get("/").text)
    assert "کاندیدای زودتر (یا شماره عضویت کوچک‌تر) انتخاب شد" in said, said
    assert "امتیاز بالاتر" not in said
    b.close()


def test_a_referral_he_won_says_what_became_of_it_since(site):
    """The site's engineer won two referrals at the 23rd's deadline, signed one and withdrew
    from the other the next morning: the card no longer sends him to sign either."""
    b = Browser(site.url)
    b.sign_in()
    said = _main_text(b.get("/").text)
    assert "قرارداد را امضا کردید" in said and "سپس انصراف دادید" in said, said
    assert "روز و ساعت امضای قرارداد" not in said
    b.close()


# ---------------------------------------------------------------- a run's pages decided once


def test_A10_a_runs_public_pages_decide_it_once_and_the_check_each_time(site, monkeypatch):
    """Every anonymous view of /runs/<id> or its decisions file decided the run again from
    its inputs (seconds at national scale, for anyone who asks). Now once per record;
    verify-run's check (`recheck_run`) still decides again every time."""
    from app.services import deadlines

    calls = []
    real = deadlines.replay
    monkeypatch.setattr(deadlines, "replay", lambda run: calls.append(run.id) or real(run))
    monkeypatch.setattr(deadlines, "_SHOWN", type(deadlines._SHOWN)())  # none kept yet
    b = Browser(site.url)
    pages = [f"/runs/{site.run_id}", f"/runs/{site.run_id}/decisions.json"] * 3
    assert all(b.get(page).status_code == 200 for page in pages)
    assert calls == [site.run_id]
    for _ in range(2):
        assert deadlines.recheck_run(site.office.local["manager"], site.run_id)[0]
    assert calls == [site.run_id] * 3
    b.close()


# ---------------------------------------------------------------- a rival's lockout at 19:55


def test_U1_a_rival_cannot_lock_him_out_of_a_browser_he_signed_in_from(fresh):
    """Five wrong passwords for his public membership number locked his sign-in for 15
    minutes, so a rival could keep the top score from standing at 19:55 (an attacker's
    read). A browser he signed in from before carries a signed mark (a cookie bound to his
    account): its sign-ins are throttled on their own, past the account's lock."""
    from site_support import RIVAL

    o = fresh.office
    mine = Browser(fresh.url)
    assert mine.sign_in().status_code == 302
    assert "nz_device" in mine.http.cookies
    assert mine.post("/logout").status_code in (302, 303)
    rival = Browser(fresh.url)
    for _ in range(5):
        rival.post("/login", {"membership_no": ME, "password": "guess-1234", "next": "/"})
    right = {"membership_no": ME, "password": o.PASSWORD, "next": "/"}
    assert rival.post("/login", right).status_code == 429  # the account is locked for him
    mine.get("/login")
    assert mine.post("/login", right).status_code == 302  # not for the browser he uses
    mine.get("/")  # (the sign-in rotated the form token)
    assert mine.post("/logout").status_code in (302, 303)
    # his mark is his own: it opens no lock of another account, nor does a forged one
    stolen = Browser(fresh.url)
    stolen.http.cookies.set("nz_device", mine.http.cookies["nz_device"])
    for _ in range(5):
        stolen.post("/login", {"membership_no": RIVAL, "password": "guess-1234", "next": "/"})
    rival_right = {"membership_no": RIVAL, "password": o.PASSWORD, "next": "/"}
    assert stolen.post("/login", rival_right).status_code == 429
    forged = Browser(fresh.url)
    forged.http.cookies.set("nz_device", "x" * 16 + "." + "0" * 32)
    assert forged.post("/login", right).status_code == 429
    # and the browser's own wrong guesses lock that browser
    mine.get("/login")
    for _ in range(5):
        mine.post("/login", {"membership_no": ME, "password": "typo-1234", "next": "/"})
    assert mine.post("/login", right).status_code == 429
    for b in (mine, rival, stolen, forged):
        b.close()

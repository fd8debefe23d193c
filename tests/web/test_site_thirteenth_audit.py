"""The web cartable after the thirteenth audit: a stale form token on an ordinary form gets
the site's own Persian page (header, menu, viewport, a way back, «چیزی ثبت نشد»); the
licence warning on «وضعیت من» is a block inside its card (checked in Chromium at 360 and
1280 px); control characters in a request are escaped in the access log; a site form's body
is capped and a control character in a field is refused naming it, never echoed; C2 said to
the engineer himself, each message's delivery, a run checked without the office's command
line, /board/<n> naming no referral, and a browser waiting for its SMS code sent back to it."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

from sqlalchemy import select, update

from app.db.models import DeclarationRow, Notification
from app.domain.calendar import local_date
from app.services import engineers, sms, web_auth
from site_support import ME, Browser, notes
from web.log_text import loggable
from web_support import CHROMIUM, FLAGS, chromium_or_fail


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).strip()


def _is_site_page(html: str) -> None:
    assert '<html lang="fa" dir="rtl">' in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert 'rel="stylesheet" href="/static/site.css' in html
    assert '<nav class="main"' in html and '<header class="top">' in html
    assert "<script>" not in html  # no inline script (CSP)


# ---------------------------------------------------------------- 2. a stale form token


def test_a_stale_form_token_gets_the_sites_own_page_saying_nothing_was_recorded(fresh):
    b = Browser(fresh.url)
    b.sign_in()
    assert b.get("/declaration").status_code == 200
    form = {
        "ready": "yes",
        "groups": ["A", "B"],
        "supervision_percent": "40",
        "rules_accepted": "yes",
        "csrfmiddlewaretoken": "x" * 64,  # the token of a session since rotated
    }
    r = b.http.post("/declaration", data=form)
    assert r.status_code == 403
    assert r.headers["content-type"].startswith("text/html")
    _is_site_page(r.text)
    said = " ".join(notes(r.text))
    assert "چیزی ثبت نشد" in said and "صفحه را دوباره باز کنید" in said
    assert "<h1>چیزی ثبت نشد</h1>" in r.text
    assert '<a href="/declaration">' in r.text  # back to the form
    assert "خروج" in r.text  # the header of a signed-in engineer
    with fresh.office.base.read() as s:  # and truly nothing was recorded
        row = s.scalar(select(DeclarationRow).where(DeclarationRow.engineer_id == fresh.me))
        assert row is None or list(row.groups) != ["A", "B"]
    # a stand without script: back to the cartable
    r = b.http.post(
        f"/referrals/{fresh.open_referrals[0]}/stand", data={"csrfmiddlewaretoken": "x"}
    )
    assert r.status_code == 403 and "چیزی ثبت نشد" in r.text
    assert '<a href="/">بازگشت به کارتابل</a>' in r.text
    # the sign-in form, signed out: its own page again
    stranger = Browser(fresh.url)
    r = stranger.http.post("/login", data={"membership_no": ME, "password": "x"})
    assert r.status_code == 403 and '<a href="/login">' in r.text
    _is_site_page(r.text)
    stranger.close()
    # htmx keeps its in-place words
    r = b.http.post(
        f"/referrals/{fresh.open_referrals[0]}/stand",
        headers={"HX-Request": "true", "X-CSRFToken": "x" * 64},
    )
    assert r.status_code == 403 and r.headers["content-type"].startswith("text/plain")
    assert "نشانه امنیتی صفحه کهنه شده است" in r.text
    b.close()


# ---------------------------------------------------------------- 3. the licence warning


def _licence_in(site, days: int) -> None:
    engineers.update_engineer(
        site.office.local["admin"],
        site.me,
        {
            "licence_no": "1-17-1-32404",
            "licence_expires": local_date(site.office.clock.now) + timedelta(days),
        },
    )


def test_the_licence_warning_is_a_block_of_its_own_under_the_licence_line(fresh):
    b = Browser(fresh.url)
    b.sign_in()
    _licence_in(fresh, 40)
    page = b.get("/me").text
    card = re.search(r'<section class="card" aria-labelledby="doc-h">(.*?)</section>', page, re.S)[
        1
    ]
    licence = re.search(r"<p>پروانه اشتغال:(.*?)</p>", card, re.S)[1]
    assert "note" not in licence and "روز" not in licence  # not inside the paragraph
    warn = re.search(r'<div class="note warn licence-note" role="status"><p>(.*?)</p></div>', card)
    assert warn and _text(warn[1]).startswith("۴۰ روز به پایان اعتبار پروانه مانده است")
    _licence_in(fresh, -3)
    card = b.get("/me").text
    assert re.search(
        r'<div class="note bad licence-note" role="status"><p>اعتبار پروانه گذشته', card
    )
    b.close()


def test_the_licence_warning_wraps_inside_its_card_in_chromium(fresh, tmp_path):
    sync_playwright = chromium_or_fail()
    _licence_in(fresh, 40)
    shots = tmp_path
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        for width in (360, 1280):
            ctx = browser.new_context(
                viewport={"width": width, "height": 900}, locale="fa-IR", device_scale_factor=1
            )
            page = ctx.new_page()
            page.goto(f"{fresh.url}/login")
            page.get_by_label("شماره عضویت").fill(ME)
            page.get_by_label("گذرواژه").fill(fresh.office.PASSWORD)
            page.get_by_role("button", name="ورود").click()
            page.wait_for_url(f"{fresh.url}/")
            page.goto(f"{fresh.url}/me")
            card = page.locator('section[aria-labelledby="doc-h"]')
            note = card.locator(".licence-note")
            line = card.locator("p", has_text="پروانه اشتغال")
            card.scroll_into_view_if_needed()
            card.screenshot(path=str(shots / f"licence-{width}.png"))
            c, n, li = card.bounding_box(), note.bounding_box(), line.bounding_box()
            assert c and n and li
            # inside its card, edge to edge of the card's padding, under the licence line
            assert n["x"] >= c["x"] and n["x"] + n["width"] <= c["x"] + c["width"] + 0.5
            assert n["y"] >= li["y"] + li["height"] - 0.5
            # nothing of its text cut off: the box is as wide as its text needs
            clipped = note.evaluate("e => e.scrollWidth > e.clientWidth + 1")
            assert not clipped, f"the warning is clipped at {width} px"
            over = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert over <= 1
            ctx.close()
        browser.close()


# ---------------------------------------------------------------- 5. the access log


def test_control_characters_in_a_request_are_escaped_in_the_access_log(site, caplog):
    forged = "2026-12-06 19:00:00,000 INFO nezarat.access: 10.0.0.9 POST /login 302 1ms eng1"
    b = Browser(site.url)
    with caplog.at_level(logging.INFO, logger="nezarat.access"):
        b.get("/verify/AAAA%0A" + forged.replace(" ", "%20"))
        b.get("/verify/%00%0D%1B%E2%80%A8x")
        b.get("/board", headers={"User-Agent": "Mozilla\x7f/5.0 (x)"})
    lines = [r.getMessage() for r in caplog.records if r.name == "nezarat.access"]
    assert len(lines) >= 3
    for line in lines:
        assert "\n" not in line and "\r" not in line and "\x00" not in line
        assert "\u2028" not in line and "\x1b" not in line and "\x7f" not in line
    assert any("/verify/AAAA\\n2026-12-06" in line for line in lines)
    assert any("/verify/\\x00\\r\\x1b\\u2028x" in line for line in lines)
    assert any('"Mozilla\\x7f/5.0 (x)"' in line for line in lines)
    assert loggable("a\\b") == "a\\\\b"  # a backslash typed cannot pass for an escape
    assert loggable("نیم\u200cفاصله") == "نیم\u200cفاصله"  # Persian's own marks kept
    b.close()


# ---------------------------------------------------------------- 6. bodies, control characters


def test_a_site_forms_body_is_capped_and_the_api_keeps_its_own_limit(fresh):
    stranger = Browser(fresh.url)
    stranger.get("/login")
    r = stranger.post("/login", {"membership_no": ME, "password": "p" * 200_000})
    assert r.status_code == 413
    _is_site_page(r.text)
    said = " ".join(notes(r.text))
    assert "چیزی ثبت نشد" in said and "۶۴ کیلوبایت" in said
    stranger.close()
    b = Browser(fresh.url)
    b.sign_in()
    form = {
        "ready": "yes",
        "groups": ["A"],
        "supervision_percent": "40",
        "rules_accepted": "yes",
        "junk": "x" * (5 * 1024 * 1024),
    }
    r = b.post("/declaration", form)
    assert r.status_code == 413 and "فرم بیش از اندازه بزرگ است" in r.text
    with fresh.office.base.read() as s:
        row = s.scalar(select(DeclarationRow).where(DeclarationRow.engineer_id == fresh.me))
        assert list(row.groups) != ["A"]
    # an ordinary declaration still goes through
    del form["junk"]
    assert b.post("/declaration", form).status_code == 303
    b.close()
    # the JSON API is not held to the forms' limit (its own is Django's, 40 MB)
    import httpx

    with httpx.Client(base_url=fresh.url, timeout=30) as c:
        r = c.post("/api/session", json={"username": "x" * 100_000, "password": "y"})
        assert r.status_code != 413 and r.headers["content-type"].startswith("application/json")


def test_a_control_character_in_a_field_is_refused_naming_it_never_echoed(fresh):
    stranger = Browser(fresh.url)
    stranger.get("/login")
    r = stranger.post("/login", {"membership_no": "10\x0001", "password": "x"})
    assert r.status_code == 400
    _is_site_page(r.text)
    said = " ".join(notes(r.text))
    assert "«شماره عضویت» نویسه کنترلی نامعتبر دارد" in said and "چیزی ثبت نشد" in said
    assert "\x00" not in r.text and "10\x0001" not in r.text
    r = stranger.post("/forgot", {"membership_no": "1001\n"})
    assert r.status_code == 400 and "«شماره عضویت»" in " ".join(notes(r.text))
    # a field of no name the site knows: not named from what was sent
    r = stranger.post("/login", {"membership_no": ME, "password": "x", "<b>\x01": "y"})
    assert r.status_code == 400 and "یکی از فیلدهای فرم" in r.text and "<b>" not in r.text
    stranger.close()
    b = Browser(fresh.url)
    b.sign_in()
    for path, word in (
        ("/why-not?file_no=%00", "شماره پرونده"),
        (f"/runs/{fresh.run_id}?q=%00", "جستجو"),
        ("/verify?code=%00", "کد رهگیری"),
        ("/login?next=/%00", "نشانی بازگشت"),
    ):
        r = b.get(path)
        assert r.status_code == 400, path
        assert f"«{word}» نویسه کنترلی نامعتبر دارد" in r.text, path
        assert "\x00" not in r.text and "چیزی ثبت نشد" not in r.text, path
    r = b.get("/verify/%00")
    assert r.status_code == 400 and "«کد رهگیری» نویسه کنترلی" in r.text and "\x00" not in r.text
    b.close()


# ---------------------------------------------------------------- 10. wording


def test_why_not_and_a_stand_say_what_c2_asks_of_him_not_that_it_is_not_in_his_cartable(fresh):
    o = fresh.office
    arch = o.project(disciplines=("arch",), area=200)  # he has no competence in it: S1
    b = Browser(fresh.url)
    b.sign_in()
    file_no = arch.file_no
    page = b.get(f"/why-not?file_no={file_no}").text
    assert "S1" in page and "در کارتابل مهندس نیست" not in page
    said = _text(page[page.index("<h2>پرونده") : page.index("<footer")])
    assert "S1" in said and "C2" not in said  # S1 says why; C2's line adds nothing
    r = b.post(f"/referrals/{arch.referral_ids['arch']}/stand")
    said = " ".join(notes(r.text))
    assert r.status_code == 409 and "(S1)" in said and "در کارتابل مهندس نیست" not in said
    # the project's group left out of his declaration: C2 says so, in his terms
    rid = fresh.open_referrals[1]
    form = {"ready": "yes", "groups": ["D"], "supervision_percent": "50", "rules_accepted": "yes"}
    assert b.post("/declaration", form).status_code == 303
    page = b.get(f"/why-not?file_no={fresh.open_files[1]}").text
    said = _text(page[page.index("<h2>پرونده") : page.index("<footer")])
    assert re.search(r"C2 ?: گروه ساختمانی این پروژه \(گروه ب\) در گروه‌های خوداظهاری امسال", said)
    assert "در کارتابل مهندس نیست" not in said
    r = b.post(f"/referrals/{rid}/stand")
    said = " ".join(notes(r.text))
    assert "(گروه ب) در گروه‌های خوداظهاری امسال شما نیست" in said and "بیفزایید (C2)" in said
    assert "در کارتابل مهندس نیست" not in said
    b.close()


def test_messages_say_whether_each_was_sent_and_when(fresh, tmp_path):
    o = fresh.office
    b = Browser(fresh.url)
    b.sign_in()
    page = b.get("/messages").text
    assert "پیام‌هایی که برای شما فرستاده شده" not in page
    assert "در صف فرستادن" in page and "فرستاده شد</strong>" not in page
    with o.base.read() as s:
        ids = s.scalars(select(Notification.id).where(Notification.engineer_id == fresh.me)).all()
    assert len(ids) >= 2
    o.clock.now += timedelta(minutes=10)
    sent_at = o.clock.now
    summary = sms.send_pending(o.base, sms.FileGateway(tmp_path / "out.jsonl", stream=None))
    assert summary.sent >= len(ids)
    with o.base.tx() as s:  # the first one given up on at the gateway
        s.execute(update(Notification).where(Notification.id == ids[0]).values(status="failed"))
    page = b.get("/messages").text
    from web.templatetags.fa import jdt

    assert f"<strong>فرستاده شد</strong> در {jdt(sent_at)}" in page
    assert "<strong>فرستاده نشد</strong>" in page
    assert "نوشته‌شده در" in page
    b.close()


def test_the_run_page_tells_a_member_how_to_check_it_without_the_offices_command_line(site):
    page = Browser(site.url).get(f"/runs/{site.run_id}").text
    howto = re.search(r"<h3>چگونه خودتان بسنجید</h3>(.*?)</ol>", page, re.S)[1]
    assert "main.py" not in howto and "verify-run" not in howto
    assert "sha256sum" in howto and "SHA-256" in howto and "decisions.json" in howto
    assert "از دفتر سازمان بخواهید" in _text(howto)


def test_board_of_a_number_naming_no_referral_says_so(site):
    b = Browser(site.url)
    for path in ("/board/0", "/board/-1", "/board/99999999999999999999", "/board/2000000"):
        r = b.get(path)
        assert r.status_code == 404, path
        assert "ارجاعی با این شماره نیست" in r.text, path
        _is_site_page(r.text)
    b.close()


def test_a_browser_waiting_for_its_sms_code_is_sent_back_to_the_code(fresh, tmp_path):
    o = fresh.office
    o.server.sms_gateway = sms.FileGateway(tmp_path / "sms.jsonl", stream=None)
    web_auth.set_web_sms_code(o.local["admin"], True)
    b = Browser(fresh.url)
    b.get("/login")
    r = b.post("/login", {"membership_no": ME, "password": o.PASSWORD, "next": "/"})
    assert r.status_code == 302 and r.headers["location"].startswith("/login/code")
    r = b.get("/me")
    assert r.status_code == 302 and r.headers["location"] == "/login/code?next=/me"
    assert b.get(r.headers["location"]).status_code == 200
    # a code that has lapsed (10 minutes): the sign-in form again
    o.clock.now += timedelta(hours=1)
    r = b.get("/me")
    assert r.headers["location"] == "/login?next=/me"
    b.close()

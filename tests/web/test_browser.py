"""Issue 13 in a real browser: Debian's Chromium driven headless by Playwright for Python
(pinned in the `test` extra to 1.64.1, whose driver was built for Chromium 156.0.8078.4 —
Debian's is 156.0.8078.114, the same branch; launched with `executable_path`, never
`playwright install`).

At a phone's 390 px and a desktop's 1280 px: sign in, stand, see oneself in the public list,
cancel, stand again (the one cancellation spent: C4, said on the row), a refusal (C3:
20:00:00 by the server's clock), the declaration (refused field by field, the first refused
field focused; then saved), every page of the site, a GET of /logout (the Persian 405 page),
sign out. Each page's screenshot is saved (NZ_WEB_SHOTS=docs/web writes the README's
pictures); no page scrolls sideways at 390 px and every menu item is in sight (the menu
wraps), no Content-Security-Policy violation is reported, every page is `lang="fa"
dir="rtl"`.

Without /usr/bin/chromium the test FAILS in CI (CI set) and is skipped on a developer's
machine, saying why.
"""

from __future__ import annotations

import os
import re
from contextlib import contextmanager
from pathlib import Path

import pytest

from app.domain.calendar import parse_jalali_datetime
from app.services import engineers as engineer_services
from app.services import member
from site_support import ME, build
from web_support import CHROMIUM, FLAGS, chromium_or_fail

VIEWPORTS = {"phone": (390, 844), "desktop": (1280, 900)}


@pytest.fixture(params=sorted(VIEWPORTS))
def shot_dir(request, tmp_path):
    out = os.environ.get("NZ_WEB_SHOTS")
    base = Path(out) if out else tmp_path
    base.mkdir(parents=True, exist_ok=True)
    return request.param, base


def test_an_engineer_does_everything_on_a_phone_and_a_desktop(shot_dir, tmp_path):
    viewport, out = shot_dir
    sync_playwright = chromium_or_fail()
    from playwright.sync_api import expect

    site = build(f"sqlite:///{tmp_path / 'nz.sqlite'}")
    o = site.office
    width, height = VIEWPORTS[viewport]
    violations: list[str] = []
    shots: list[Path] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
            ctx = browser.new_context(
                viewport={"width": width, "height": height},
                locale="fa-IR",
                timezone_id="Asia/Tehran",
                device_scale_factor=1,
            )
            page = ctx.new_page()
            page.on(
                "console",
                lambda m: (
                    violations.append(m.text) if "Content Security Policy" in m.text else None
                ),
            )
            page.on("dialog", lambda d: d.accept())  # the cancel's confirmation

            def shot(name: str) -> None:
                page.wait_for_load_state("networkidle")
                html = page.locator("html")
                assert html.get_attribute("lang") == "fa" and html.get_attribute("dir") == "rtl"
                if viewport == "phone":  # usable at phone width: nothing scrolls sideways
                    over = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                    assert over <= 1, f"{name} is {over}px wider than the phone"
                    # nor is a table's column cut off in its box (a wide one is cards)
                    cut = page.evaluate(
                        "[...document.querySelectorAll('.table-wrap')]"
                        ".filter(w => w.scrollWidth > w.clientWidth + 1)"
                        ".map(w => (w.querySelector('caption, th') || w).textContent.trim()"
                        " + ': ' + w.scrollWidth + '>' + w.clientWidth)"
                    )
                    assert not cut, f"{name}: a table is cut off: {cut}"
                # every item of the menu in sight, none behind a sideways scroll (it wraps)
                links = page.locator("nav.main a")
                for k in range(links.count()):
                    box = links.nth(k).bounding_box()
                    assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, (
                        f"{name}: «{links.nth(k).inner_text()}» is out of sight: {box}"
                    )
                path = out / f"{name}-{viewport}.png"
                page.screenshot(path=str(path), full_page=True)
                shots.append(path)

            base = site.url
            # ---------------------------------------------------------------- sign in
            page.goto(f"{base}/")
            assert "/login" in page.url
            shot("login")
            page.get_by_label("شماره عضویت").fill("۱۰۰۱")  # Persian digits, as a phone types
            page.get_by_label("گذرواژه").fill(o.PASSWORD)
            page.get_by_role("button", name="ورود").click()
            page.wait_for_url(f"{base}/")
            assert page.get_by_role("heading", name="کارتابل من", exact=True).is_visible()
            items = page.locator("li.item")
            assert items.count() == 3
            countdown = page.locator("li.item .countdown .left").first
            assert re.fullmatch(r"۰۰:۰[۴۵]:[۰-۹]{2}", countdown.inner_text()), (
                countdown.inner_text()
            )
            shot("cartable")

            # ---------------------------------------------------------------- stand
            first = page.locator(f"#r{site.open_referrals[0]}")
            first.get_by_role("button", name="کاندیدا می‌شوم").click()
            expect(page.locator("#cartable .note.ok")).to_contain_text("کاندیداتوری شما ثبت شد")
            assert page.locator(f"#r{site.open_referrals[0]} .badge.on").is_visible()
            shot("cartable-stood")

            # ---------------------------------------------------------------- the public list
            page.locator(f"#r{site.open_referrals[0]}").get_by_role("link").click()
            page.wait_for_url(f"{base}/board/{site.open_referrals[0]}")
            me_row = page.locator("tr.me")
            assert me_row.count() == 1 and "(شما)" in me_row.inner_text()
            assert page.locator("tbody tr").count() == 2  # the rival and himself (C6)
            shot("candidates")

            # ---------------------------------------------------------------- cancel, again
            page.goto(f"{base}/")
            page.locator(f"#r{site.open_referrals[0]}").get_by_role(
                "button", name="لغو کاندیداتوری"
            ).click()
            expect(page.locator("#cartable .note.ok")).to_contain_text("لغو شد")
            page.locator(f"#r{site.open_referrals[0]}").get_by_role(
                "button", name="کاندیدا می‌شوم"
            ).click()
            expect(page.locator("#cartable .note.ok")).to_contain_text("ثبت شد")

            # ---------------------------------------------------------------- refusals
            # his one cancel (C4) is spent: no cancel to press, and the row says why
            row = page.locator(f"#r{site.open_referrals[0]}")
            expect(row.get_by_role("button", name="لغو کاندیداتوری")).to_have_count(0)
            expect(row).to_contain_text("لغو دوباره مجاز نیست")
            # 19:59:59 by the server's clock a stand counts; 20:00:00 it is refused with C3
            o.clock.now = parse_jalali_datetime("1405-08-24 19:59").replace(second=59)
            page.locator(f"#r{site.open_referrals[1]}").get_by_role(
                "button", name="کاندیدا می‌شوم"
            ).click()
            expect(page.locator("#cartable .note.ok")).to_contain_text("۱۹:۵۹:۵۹")
            # the page loaded a minute before the deadline (its countdown, run by the phone,
            # would disable the buttons within a second of a load at 19:59:59), then the stand
            # reaches the server at 20:00:00
            o.clock.now = parse_jalali_datetime("1405-08-24 19:59")
            page.goto(f"{base}/")
            o.clock.now = parse_jalali_datetime("1405-08-24 20:00")
            page.locator(f"#r{site.open_referrals[2]}").get_by_role(
                "button", name="کاندیدا می‌شوم"
            ).click()
            expect(page.locator("#cartable .note.bad")).to_contain_text("(C3)")
            shot("cartable-refused")
            o.clock.now = parse_jalali_datetime("1405-08-24 19:57")

            # ---------------------------------------------------------------- why not?
            page.goto(f"{base}/why-not?file_no={site.signed_file}")
            assert page.locator(".card ul li").count() >= 1  # C3 at least: it is signed
            shot("why-not")

            # ---------------------------------------------------------------- his pages
            page.goto(f"{base}/me")
            assert page.get_by_role("heading", name=re.compile("جریمه‌های انصراف")).is_visible()
            assert page.locator("table").count() >= 2  # the penalty's days and the ledger
            shot("state")
            page.goto(f"{base}/my-referrals")
            assert page.get_by_text("انصراف کتبی").first.is_visible()
            shot("referrals")
            page.goto(f"{base}/messages")
            assert page.locator("article").count() >= 2
            shot("messages")

            # ---------------------------------------------------------------- declaration (C1)
            page.goto(f"{base}/declaration")
            page.get_by_label(re.compile("سهم نظارت")).fill("150")
            page.get_by_role("button", name="ثبت خوداظهاری").click()  # rules not accepted
            page.wait_for_selector(".field-error")
            focused = page.evaluate(
                "[document.activeElement.id, document.activeElement.getAttribute('aria-invalid'),"
                " document.getElementById("
                "document.activeElement.getAttribute('aria-describedby')).textContent]"
            )
            assert focused[:2] == ["supervision_percent", "true"], focused  # the first refused
            assert "«درصد نظارت»" in focused[2]
            rules = page.get_by_label("قوانین بالا را خواندم و می‌پذیرم")
            assert rules.get_attribute("aria-invalid") == "true"
            assert page.locator(".field-error").count() == 2
            shot("declaration-refused")
            page.get_by_label("آماده به کار هستم").check()
            page.get_by_label("گروه ب").uncheck()
            page.get_by_label(re.compile("سهم نظارت")).fill("60")
            page.get_by_label("قوانین بالا را خواندم و می‌پذیرم").check()
            page.get_by_role("button", name="ثبت خوداظهاری").click()
            page.wait_for_selector(".note.ok")
            shot("declaration")
            decl = member.my_declaration(o.base.as_actor(o.as_engineer[site.me].actor), site.me)
            assert decl is not None and decl.groups == ("A", "C", "D")
            assert decl.supervision_percent == 60 and decl.submitted_at == o.clock.now
            # group B dropped, the group of the files he stands for: the deadline would set
            # them aside (A1), and the page and his cartable's cards say so
            expect(page.locator("section.at-risk")).to_contain_text("(C2)")
            page.goto(f"{base}/")
            expect(page.locator("li.item.mine .at-risk").first).to_contain_text("(A1)")
            shot("cartable-at-risk")
            page.goto(f"{base}/declaration")
            page.get_by_label("گروه ب").check()
            page.get_by_label("قوانین بالا را خواندم و می‌پذیرم").check()
            page.get_by_role("button", name="ثبت خوداظهاری").click()
            page.wait_for_selector(".note.ok")
            expect(page.locator("section.at-risk")).to_have_count(0)

            # ---------------------------------------------------------------- membership (F5)
            page.goto(f"{base}/membership")
            page.get_by_role("button", name=re.compile("ثبت درخواست تمدید")).click()
            page.wait_for_selector(".note.ok")
            engineer_services.approve_renewal(o.local["finance"], site.me, 1406, 12_500_000)
            page.goto(f"{base}/membership")
            assert "۱۲٬۵۰۰٬۰۰۰" in page.locator("table").inner_text()
            shot("membership")

            # ---------------------------------------------------------------- public pages
            page.goto(f"{base}/board")
            shot("board")
            page.goto(f"{base}/runs")
            shot("runs")
            page.goto(f"{base}/runs/{site.run_id}")
            assert page.locator(".digest").count() == 2
            shot("run")
            first_decision = page.locator("details.decision").first.get_attribute("id")[1:]
            page.goto(f"{base}/runs/{site.run_id}?decision={first_decision}&all=1")
            assert page.locator("details.decision[open] table.ranked tbody tr").count() >= 1
            shot("run-decision")
            page.goto(f"{base}/verify/{site.paper_code}")
            assert page.get_by_text("این برگه را سازمان صادر کرده است").is_visible()
            shot("verify")
            page.goto(f"{base}/verify?code=AAAA-BBBB-CCCC")
            assert page.get_by_text("سازمان برگه‌ای با این کد نمی‌شناسد").is_visible()

            # ---------------------------------------------------------------- a wrong method
            answer = page.goto(f"{base}/logout")  # a GET signs no one out: the Persian page
            assert answer is not None and answer.status == 405
            assert page.get_by_role("heading", name="این درخواست پذیرفته نیست").is_visible()
            shot("wrong-method")

            # ---------------------------------------------------------------- the deadline passes
            # by the server's clock, the page open: its stand / cancel buttons are disabled
            # and it says when the result comes (the server still refuses with C3)
            o.clock.now = parse_jalali_datetime("1405-08-24 19:59").replace(second=57)
            page.goto(f"{base}/")
            item = page.locator("li.item").first
            expect(item.locator(".over-note")).to_have_text(
                "مهلت گذشت. نتیجه پس از اجرای ساعت ۲۰: اگر انتخاب شوید، در ارجاع‌های من؛ "
                "فهرست رتبه‌بندی در صفحه عمومی این ارجاع و نتایج مهلت‌ها.",
                timeout=10_000,
            )
            links = item.locator(".over-note a")
            assert [links.nth(k).get_attribute("href") for k in range(3)] == [
                "/my-referrals",
                f"/board/{item.get_attribute('id')[1:]}",
                "/runs",
            ]
            # the countdown is read out as passed, without « تا مهلت ساعت ۲۰:۰۰»
            assert item.locator(".countdown").inner_text() == "مهلت گذشت"
            assert item.locator(".countdown .visually-hidden").count() == 0
            assert page.locator("li.item .actions button:disabled").count() >= 1
            assert page.locator("li.item .actions button:enabled").count() == 0
            shot("cartable-over")
            o.clock.now = parse_jalali_datetime("1405-08-24 19:57")

            # ---------------------------------------------------------------- sign out
            page.goto(f"{base}/")
            page.get_by_role("button", name="خروج").click()
            page.wait_for_url(re.compile(r"/login\?out=1"))
            page.goto(f"{base}/me")
            assert "/login" in page.url  # the session ended
            browser.close()
    finally:
        o.close()
    assert not violations, violations
    assert all(p.stat().st_size > 5_000 for p in shots)
    assert ME  # the engineer the site was built for


# ---------------------------------------------------------------- audit-web 4, 6, 10


@contextmanager
def _on_a_phone(tmp_path):
    """A site of the test's own and a phone-sized page in Debian's Chromium (both closed)."""
    sync_playwright = chromium_or_fail()
    site = build(f"sqlite:///{tmp_path / 'nz.sqlite'}")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
            ctx = browser.new_context(
                viewport={"width": 390, "height": 844}, locale="fa-IR", timezone_id="Asia/Tehran"
            )
            try:
                yield site, ctx, ctx.new_page()
            finally:
                browser.close()
    finally:
        site.office.close()


def _sign_in(page, base: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("شماره عضویت").fill(ME)
    page.get_by_label("گذرواژه").fill(password)
    page.get_by_role("button", name="ورود").click()
    page.wait_for_url(f"{base}/")


def test_a_stand_the_server_did_not_take_is_said_on_its_card(tmp_path):
    """A stale CSRF token (403), the clock guard's 503 and a lost connection: each said on
    the card, as an alert with the focus on it, that the stand was NOT recorded, and how."""
    from playwright.sync_api import expect

    from app.services.wire import ServerRefused

    with _on_a_phone(tmp_path) as (site, ctx, page):
        o = site.office
        _sign_in(page, site.url, o.PASSWORD)
        card = page.locator(f"#r{site.open_referrals[1]}")
        failed = card.locator(".act-failed[role=alert]")
        stand = card.get_by_role("button", name="کاندیدا می‌شوم")
        # signed out and in again elsewhere: this page's CSRF token no longer matches
        ctx.add_cookies([{"name": "csrftoken", "value": "a" * 32, "url": site.url}])
        stand.click()
        expect(failed).to_contain_text("کاندیداتوری شما ثبت نشد")
        expect(failed).to_contain_text("نشانه امنیتی")
        expect(failed.get_by_role("link", name="بارگیری دوباره صفحه")).to_be_visible()
        assert page.evaluate("document.activeElement.classList.contains('act-failed')")
        assert card.locator(".badge.on").count() == 0
        page.reload()  # a fresh token: the clock guard now refuses (503)
        guard = o.server.guard
        real = guard.require

        def off() -> None:
            raise ServerRefused("clock", "ساعت سرور دفتر با ساعت پایگاه داده اختلاف دارد")

        guard.require = off  # type: ignore[method-assign]
        try:
            stand.click()
            expect(failed).to_contain_text("ساعت پایگاه داده")
            expect(failed).to_contain_text("چند لحظه بعد دوباره بزنید")
        finally:
            guard.require = real  # type: ignore[method-assign]
        # the connection drops
        page.route("**/referrals/*/stand", lambda route: route.abort())
        stand.click()
        expect(failed).to_contain_text("پاسخی از سرور نرسید")
        expect(failed).to_have_count(1)  # one note, the latest


def test_the_cartable_warns_before_the_idle_sign_out_and_keeps_the_session(tmp_path, monkeypatch):
    """Warned (an alert) a few minutes before the session ends unused, with a button that
    keeps it; the visitor's sign-in link is a 44 px target."""
    from datetime import timedelta

    from playwright.sync_api import expect

    from web import site_base

    # warned 6 s after the page is made (the idle time is 30 minutes: warned at 29:54 left)
    monkeypatch.setattr(site_base, "SESSION_WARNING", timedelta(minutes=29, seconds=54))
    with _on_a_phone(tmp_path) as (site, _ctx, page):
        o = site.office
        page.goto(f"{site.url}/board")
        link = page.get_by_role("link", name="ورود مهندسان")
        assert link.bounding_box()["height"] >= 44
        _sign_in(page, site.url, o.PASSWORD)
        box = page.locator("#session-warning")
        words = box.locator(".session-words[role=alert]")
        expect(box).to_have_class(re.compile(r"\bon\b"), timeout=15_000)
        expect(words).to_contain_text("به سبب بی‌کاری پایان می‌یابد")
        keep = page.get_by_role("button", name="ماندن در سامانه")
        expect(keep).to_be_visible()
        over = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert over <= 1
        page.screenshot(path=str(tmp_path / "session-warning.png"))
        o.clock.now += timedelta(minutes=2)  # two minutes on: the GET is use, a new end
        o.server.sessions.forget()
        keep.click()
        expect(box).not_to_have_class(re.compile(r"\bon\b"))
        expect(words).to_have_text("نشست شما تمدید شد.")
        expect(keep).to_be_hidden()

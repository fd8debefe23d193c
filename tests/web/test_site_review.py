"""Issue 13's review of the web cartable, over HTTP: HEAD answered as GET with no body (a
keep-alive connection stays in step), dates isolated left to right with the papers' slashes,
a missing run or referral said as such (404), the error pages' header for a signed-in
engineer, the sign-in's words about the membership number, Post/Redirect/Get with a one-time
note, imported membership years, tables as cards on a phone, a run's index, search and folded
decisions, rule codes isolated, the header's name and number, F5's one cause, ids out of range,
the method before CSRF, and areas as the papers write them."""

from __future__ import annotations

import re
import socket
from urllib.parse import urlsplit

from sqlalchemy import select

from app.db.models import Project, Referral
from app.services import engineers, public
from reports.rtl import fa_area
from site_support import ME, RIVAL, Browser, notes


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


# ---------------------------------------------------------------- 1: HEAD


def _read_answer(sock: socket.socket, buf: bytes) -> tuple[bytes, dict[str, str], bytes]:
    """One answer's status line and headers off the socket; the bytes after them."""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        assert chunk, buf[:200]
        buf += chunk
    head, _, rest = buf.partition(b"\r\n\r\n")
    status, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, v in (x.split(":", 1) for x in lines)}
    return status.encode(), headers, rest


def test_head_is_answered_as_get_without_a_body_and_the_connection_stays_in_step(site):
    url = urlsplit(site.url)
    for path in ("/login", "/board", f"/runs/{site.run_id}", "/"):
        with socket.create_connection((url.hostname, url.port), timeout=20) as sock:
            sock.sendall(
                f"HEAD {path} HTTP/1.1\r\nHost: x\r\n\r\n"
                "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".encode()
            )
            status, headers, rest = _read_answer(sock, b"")
            assert status.split()[1] in (b"200", b"302"), (path, status)  # / signs in first
            if status.split()[1] == b"200":
                assert int(headers["content-length"]) > 1000  # the GET's length, no body
            status2, _, _ = _read_answer(sock, rest)  # the next answer starts right here
            assert status2.startswith(b"HTTP/1.1 200"), (path, rest[:80])
    b = Browser(site.url)
    b.sign_in()
    r = b.http.head("/me")
    assert r.status_code == 200 and r.content == b""
    b.close()


# ---------------------------------------------------------------- 2: dates


def test_dates_are_isolated_left_to_right_with_the_papers_slashes(site):
    from datetime import date

    from reports.common import jdate as paper_jdate
    from web.templatetags.fa import jdate, jday, jdt

    day = date(2026, 12, 6)
    assert (
        str(jdate(day))
        == f'<bdi dir="ltr">{paper_jdate(day)}</bdi>'
        == ('<bdi dir="ltr">۱۴۰۵/۰۹/۱۵</bdi>')
    )
    assert str(jday(day)).endswith('<bdi dir="ltr">۱۴۰۵/۰۹/۱۵</bdi>')
    engineers.update_engineer(
        site.office.local["admin"],
        site.me,
        {"licence_no": "12-3456", "licence_expires": date(2027, 6, 1)},
    )
    b = Browser(site.url)
    b.sign_in()
    cartable = b.get("/").text
    assert re.search(r'<dt>مهلت</dt><dd>\S+ <bdi dir="ltr">۱۴۰۵/۰۸/۲۴</bdi> ساعت', cartable)
    foot = re.search(r'<footer class="foot">(.*?)</footer>', cartable, re.S)[1]
    assert '<bdi dir="ltr">۱۴۰۵/۰۸/۲۴</bdi>' in foot
    me = b.get("/me").text
    assert re.search(r'اعتبار تا <bdi dir="ltr">[۰-۹]{4}/[۰-۹]{2}/[۰-۹]{2}</bdi>', me)
    assert not re.search(r"[۰-۹]{4}-[۰-۹]{2}-[۰-۹]{2}", me + cartable)  # no dashed date left
    assert "ساعت" in str(jdt(site.office.clock.now))
    b.close()


# ---------------------------------------------------------------- 3, 4, 15: not found


def test_a_run_or_a_referral_that_does_not_exist_is_404_in_its_own_words(site):
    b = Browser(site.url)
    r = b.get("/runs/999999")
    assert r.status_code == 404
    assert notes(r.text)[0].startswith("اجرای مهلتی با این شماره ثبت نشده است")
    r = b.get("/board/999999")
    assert r.status_code == 404 and notes(r.text)[0].startswith("ارجاعی با این شماره نیست")
    with site.office.base.read() as db:
        signed_id = db.scalar(
            select(Referral.id)
            .join(Project, Project.id == Referral.project_id)
            .where(Project.file_no == site.signed_file)
        )
    signed = b.get(f"/board/{signed_id}")  # exists, its round not open
    assert signed.status_code == 200 and "اکنون باز نیست" in signed.text
    huge = "99999999999999999999"
    for path in (f"/board/{huge}", f"/runs/{huge}", f"/runs/{huge}/decisions.json"):
        r = b.get(path)
        assert r.status_code == 404 and "چیزی ثبت نشد" not in r.text, path
    b.sign_in()
    r = b.post(f"/referrals/{huge}/stand")
    assert r.status_code == 404 and "چیزی ثبت نشد" not in r.text
    b.close()


# ---------------------------------------------------------------- 5, 13: the header


def test_the_header_names_the_engineer_on_every_page_the_error_pages_too(site):
    b = Browser(site.url)
    b.sign_in()
    for path, status in (("/", 200), ("/board", 200), ("/no-such-page", 404), ("/logout", 405)):
        r = b.get(path)
        assert r.status_code == status, path
        who = re.search(r'<span class="who"[^>]*>(.*?)</span>\s*<form', r.text, re.S)
        assert who, path
        assert "سارا کریمی" in who[1] and '<bdi class="ltr">۱۰۰۱</bdi>' in who[1], path
        assert not re.search(r"[A-Za-z0-9]", _text(who[1])), path  # no «e۱۰۰۱»
        assert 'action="/logout"' in r.text and "ورود مهندسان" not in r.text, path
    b.close()


def test_the_server_error_page_reads_the_session_and_never_fails_on_it(site, monkeypatch):
    from django.test import RequestFactory

    from web import site as views
    from web import site_base

    rf = RequestFactory()
    b = Browser(site.url)
    b.sign_in()
    request = rf.get("/x")
    request.META["nezarat.server"] = site.office.server
    request.COOKIES["nz_web"] = b.http.cookies["nz_web"]
    html = views.server_error(request).content.decode()
    assert "سارا کریمی" in html and "خطای سرور" in html

    def down(*a, **k):
        raise RuntimeError("database away")

    monkeypatch.setattr(site_base, "actor_of", down)
    request = rf.get("/x")
    request.META["nezarat.server"] = site.office.server
    html = views.server_error(request).content.decode()
    assert "ورود مهندسان" in html and "خطای سرور" in html
    b.close()


# ---------------------------------------------------------------- 6: sign-in words


def test_the_sign_in_speaks_of_the_membership_number(site):
    b = Browser(site.url)
    page = b.get("/login").text
    hint = re.search(r'<p class="hint" id="membership_no-hint">(.*?)</p>', page, re.S)
    assert hint and "کارت عضویت" in hint[1] and "ساختگی" in hint[1]
    # its example is made up: no demo member's number (the demo's are 7-…) nor a real one's
    example = re.search(r'<bdi dir="ltr">([^<]+)</bdi>', hint[1])[1]
    assert example == "۰-۱۲۳۴۵" and "۷-" not in hint[1]
    assert re.search(r'id="membership_no"[^>]*aria-describedby="membership_no-hint', page)
    wrong = b.post("/login", {"membership_no": "55555", "password": "not-it-at-all"})
    assert wrong.status_code == 401
    assert notes(wrong.text) == ["شماره عضویت یا گذرواژه نادرست است (U1)"]
    assert "نام کاربری" not in wrong.text
    b.close()


# ---------------------------------------------------------------- 7: Post/Redirect/Get


def test_a_renewal_and_a_declaration_redirect_and_their_note_shows_once(fresh):
    b = Browser(fresh.url)
    b.sign_in()
    r = b.post("/membership", {"year": "1406"})
    assert r.status_code == 303 and r.headers["location"] == "/membership"
    first = b.get("/membership")
    assert any("سال ۱۴۰۶ ثبت شد" in n for n in notes(first.text))
    again = b.get("/membership")  # a reload: the page, no note, nothing posted
    assert not any("ثبت شد" in n for n in notes(again.text))
    forged = b.http.get("/membership", cookies={"nz_flash": "renewal:1499"})
    assert "۱۴۹۹" not in forged.text  # only the server's own signed note is shown
    data = {"ready": "yes", "groups": ["A"], "supervision_percent": "40", "rules_accepted": "yes"}
    r = b.post("/declaration", data)
    assert r.status_code == 303 and r.headers["location"] == "/declaration"
    assert any("خوداظهاری شما ثبت شد" in n for n in notes(b.get("/declaration").text))
    assert not any("خوداظهاری شما ثبت شد" in n for n in notes(b.get("/declaration").text))
    b.close()


# ---------------------------------------------------------------- 8, 9: tables, imported years


def test_imported_years_say_so_and_wide_tables_are_cards_on_a_phone(site):
    b = Browser(site.url)
    b.sign_in()
    html = b.get("/membership").text
    assert "از پرونده عضویت سازمان (ورود اطلاعات)" in html  # paid through 1405, imported
    for path in (
        "/runs",
        "/membership",
        "/board",
        f"/board/{site.open_referrals[0]}",
        f"/runs/{site.run_id}",
    ):
        page = b.get(path).text
        tables = re.findall(r"<table[^>]*>.*?</table>", page, re.S)
        assert tables, path
        for table in tables:
            assert '<table class="cards' in table, path
            if '<table class="cards ranked">' in table:
                continue  # a run's ranked list: its columns' names from the style sheet
            cells = re.findall(r"<td(?: [^>]*)?>", table)
            for cell in cells:  # each cell carries its column's name (but an empty list's)
                assert "data-label=" in cell or "colspan=" in cell, (path, cell)
    css = b.http.get(re.search(r'href="(/static/site\.css[^"]*)"', html)[1]).text
    assert "table.cards td[data-label]::before" in css and "attr(data-label)" in css
    # a ranked list's columns, named once in the style sheet (not on each of hundreds of lines)
    ranked = re.search(r"<thead>(.*?)</thead>", b.get(f"/runs/{site.run_id}").text, re.S)[1]
    for k, name in enumerate(re.findall(r'<th scope="col">(.*?)</th>', ranked), 1):
        assert f'table.cards.ranked td:nth-child({k})::before {{ content: "{name}"; }}' in css
    b.close()


# ---------------------------------------------------------------- 10: a run's index and search


def test_a_run_has_an_index_a_search_without_script_and_folded_decisions(site):
    from web.templatetags.fa import fa

    b = Browser(site.url)
    sheet = public.run_sheet(site.office.base, site.run_id)
    html = b.get(f"/runs/{site.run_id}").text
    index = re.search(r'<ol class="run-index">(.*?)</ol>', html, re.S)[1]
    for block in sheet.blocks:
        assert f'href="#b{block.referral_id}"' in index and fa(block.file_no) in index
    folded = re.findall(r'<details class="card decision" id="b\d+"( open)?>', html)
    assert len(folded) == len(sheet.blocks) >= 2 and not any(folded)  # all folded
    summary = re.search(r"<summary>(.*?)</summary>", html, re.S)[1]
    assert "کاندیدا" in summary and "پرونده" in summary
    one = sheet.blocks[1]
    found = b.get(f"/runs/{site.run_id}", params={"q": fa(one.file_no)}).text
    assert re.findall(r'<details class="card decision" id="b(\d+)" open>', found) == [
        str(one.referral_id)
    ]
    assert "۱ تصمیم با" in _text(found)
    by_member = b.get(f"/runs/{site.run_id}", params={"q": RIVAL}).text  # Latin digits too
    assert len(re.findall(r"<details [^>]*open>", by_member)) == len(sheet.blocks)
    none = b.get(f"/runs/{site.run_id}", params={"q": "۹۹۹۹-۹۹۹۹"}).text
    assert "<details" not in none and "در این اجرا نیست" in none
    b.close()


# ---------------------------------------------------------------- 12: rule codes


def test_rule_codes_in_persian_text_are_isolated(site):
    from web.templatetags.fa import ruleids

    b = Browser(site.url)
    b.sign_in()
    html = b.get("/declaration").text
    assert "(<bdi>S1</bdi>، <bdi>S4</bdi> تا <bdi>S7</bdi>)" in html
    assert not re.search(r"(?<![>A-Za-z])[A-Z][0-9]{1,2}(?!</bdi>|[A-Za-z0-9])(?![^<>]*>)", html)
    assert str(ruleids(["S1", "C3"])) == "<bdi>S1</bdi>، <bdi>C3</bdi>"
    b.close()


# ---------------------------------------------------------------- 14: F5's cause


def test_F5_refusal_names_its_one_cause(fresh):
    o = fresh.office
    b = Browser(fresh.url)
    b.sign_in()
    paid = b.post("/membership", {"year": "1405"})
    assert paid.status_code == 409
    assert "حق عضویت سال ۱۴۰۵ پیش‌تر پرداخت شده است" in notes(paid.text)[0]
    owed = b.post("/membership", {"year": "1408"})
    assert owed.status_code == 409 and "۱۴۰۶، ۱۴۰۷" in notes(owed.text)[0]
    assert "نخست تمدید سال ۱۴۰۶" in notes(owed.text)[0] and "(F5)" in notes(owed.text)[0]
    engineers.update_engineer(o.local["admin"], fresh.me, {"data_complete": False})
    incomplete = b.post("/membership", {"year": "1406"})
    assert incomplete.status_code == 409
    words = notes(incomplete.text)[0]
    assert "اطلاعات عضویت شما کامل نیست" in words and "پرداخت شده" not in words
    assert "(F5)" in words
    b.close()


# ---------------------------------------------------------------- 16: the method first


def test_a_wrong_method_is_405_before_the_csrf_check(site):
    b = Browser(site.url)
    for signed_in in (False, True):
        for method, path, allow in (
            ("PUT", "/declaration", "GET, HEAD, POST"),
            ("DELETE", "/", "GET, HEAD"),
            ("PATCH", "/membership", "GET, HEAD, POST"),
            ("DELETE", "/logout", "POST"),
        ):
            r = b.http.request(method, path)  # no CSRF token at all
            assert r.status_code == 405, (method, path, r.status_code)
            assert r.headers["Allow"] == allow and "این درخواست پذیرفته نیست" in r.text
        if not signed_in:
            b.sign_in()
    assert b.http.post("/declaration", data={}).status_code == 403  # an allowed one: CSRF
    b.close()


# ---------------------------------------------------------------- 17: areas


def test_areas_are_written_as_the_papers_write_them(site):
    from decimal import Decimal

    from web.templatetags.fa import area

    assert area(Decimal("1119.8000")) == fa_area(Decimal("1119.8")) == "۱٬۱۱۹٫۸۰"
    assert area(Decimal("905.1666")) == "۹۰۵٫۱۷" and area(450) == "۴۵۰"
    b = Browser(site.url)
    html = b.get(f"/runs/{site.run_id}").text
    sheet = public.run_sheet(site.office.base, site.run_id)
    shown = [x.remaining_m2 for blk in sheet.blocks for x in blk.ranked if x.remaining_m2]
    assert shown
    for m2 in shown:
        assert f'<td class="num">{fa_area(m2)}</td>' in html, m2
    b.close()
    assert ME

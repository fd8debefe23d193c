"""The web cartable after the office-server audit (audit-web, items 4–12): a stand or cancel
the server did not take is answered to htmx with words the page shows (4); a stand is judged
at the server's instant it arrived, not after the writes before it (5); the cartable carries
the session's idle end for its warning (6); the deadline's note says where the result really
is (7); the chosen supervisor sees the project's file (A8, 8); a decided referral's public
page says its round is closed and links to its list (9); accessibility leftovers (10); the
declaration's share is plain digits only (11); an engineer changes his own password (12).
The client-side halves of 4 and 6 are in test_browser.py."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal
from urllib.parse import quote

from sqlalchemy import event, select, update

from app.db.models import AuthSession, Candidacy, OneTimeCode, Owner, Project
from app.domain.calendar import parse_jalali_datetime
from app.services import candidacy, member, public, sessions, web_auth
from app.services.context import DatabaseUnavailable
from app.services.wire import ServerRefused
from site_support import ME, OTHER, RIVAL, Browser, notes

HX = {"HX-Request": "true"}


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).strip()


def _candidacies(site) -> list:
    with site.office.base.read() as s:
        return s.execute(
            select(Candidacy.engineer_id, Candidacy.referral_id, Candidacy.status)
        ).all()


def _static(b: Browser, name: str) -> str:
    url = re.search(rf'"(/static/{re.escape(name)}\?v=[0-9a-f]+)"', b.get("/board").text)[1]
    return b.get(url).text


# ---------------------------------------------------------------- 4. a failure said in place


def test_an_htmx_stand_the_server_did_not_take_is_answered_with_words_to_show(fresh, monkeypatch):
    b = Browser(fresh.url)
    b.sign_in()
    rid = fresh.open_referrals[1]
    before = _candidacies(fresh)
    # a stale CSRF token (he signed out and in again in another tab): 403, words to show
    stale = b.http.post(
        f"/referrals/{rid}/stand", data={"csrfmiddlewaretoken": "x" * 64}, headers=HX
    )
    assert stale.status_code == 403 and stale.headers["X-Refused"] == "403"
    assert stale.headers["content-type"].startswith("text/plain")
    assert "نشانه امنیتی" in stale.text and "بارگیری دوباره صفحه" in stale.text
    # the clock guard refuses (503)
    guard = fresh.office.server.guard

    def off() -> None:
        raise ServerRefused("clock", "ساعت سرور دفتر با ساعت پایگاه داده اختلاف دارد")

    monkeypatch.setattr(guard, "require", off)
    r = b.post(f"/referrals/{rid}/stand", headers=HX)
    assert r.status_code == 503 and r.headers["content-type"].startswith("text/plain")
    assert "سرور موقتاً در دسترس نیست" in r.text and "ساعت پایگاه داده" in r.text
    monkeypatch.undo()
    # the database away mid-stand (503), an error of the server's (500, with a reference)
    for exc, status, words in (
        (DatabaseUnavailable(), 503, "پایگاه داده"),
        (RuntimeError("internals"), 500, "شماره پیگیری"),
    ):

        def broken(ctx, engineer_id, referral_id, exc=exc):
            raise exc

        monkeypatch.setattr(candidacy, "stand", broken)
        r = b.post(f"/referrals/{rid}/stand", headers=HX)
        assert r.status_code == status and r.headers["content-type"].startswith("text/plain")
        assert words in r.text and "internals" not in r.text and "<" not in r.text
        # without script the same failure is still the whole Persian page
        page = b.post(f"/referrals/{rid}/stand")
        assert page.status_code == status and "<html" in page.text
    monkeypatch.undo()
    assert _candidacies(fresh) == before
    # the page's script shows them: both kinds of failure are handled, as alerts
    js = _static(b, "site.js")
    assert "htmx:responseError" in js and "htmx:sendError" in js
    assert '"role", "alert"' in js and "ثبت نشد" in js
    b.close()


# ---------------------------------------------------------------- 5. judged when it arrived


def test_C3_a_stand_at_19_59_59_counts_though_the_writes_before_it_wait_past_20_00(
    fresh, monkeypatch
):
    """The session's touch and the rate limit's counter may wait on the database (SQLite's
    one writer, the 20:00 run itself): the stand is judged, and stamped, at the server's
    instant the request arrived."""
    o = fresh.office
    b = Browser(fresh.url)
    b.sign_in()
    arrived = parse_jalali_datetime("1405-08-24 19:59") + timedelta(seconds=59)
    late = arrived + timedelta(seconds=2)  # 20:00:01 when the stand itself runs
    real_touch, real_pace = sessions.resolve_session, web_auth.pace

    def touched(ctx, token, kind="desk"):
        o.clock.now = arrived + timedelta(milliseconds=1500)  # the touch waited: 20:00:00.5
        return real_touch(ctx, token, kind)

    def paced(ctx, engineer_id, source=""):
        o.clock.now = late  # and the rate limit's counter: 20:00:01
        return real_pace(ctx, engineer_id, source)

    monkeypatch.setattr(sessions, "resolve_session", touched)
    monkeypatch.setattr(web_auth, "pace", paced)
    rid = fresh.open_referrals[1]
    o.clock.now = arrived
    o.server.sessions.forget()  # his session is read (and touched) again, not remembered
    r = b.post(f"/referrals/{rid}/stand", headers=HX)
    assert r.status_code == 200 and "X-Refused" not in r.headers, notes(r.text)
    said = notes(r.text)[0]
    assert "کاندیداتوری شما ثبت شد" in said and "۱۹:۵۹:۵۹" in said
    with o.base.read() as s:
        stood = s.scalar(
            select(Candidacy.stood_at).where(
                Candidacy.engineer_id == fresh.me, Candidacy.referral_id == rid
            )
        )
    assert stood == arrived  # A2's candidacy time too: when it arrived
    # the same without script (PRG), and a cancel
    o.clock.now = arrived
    o.server.sessions.forget()
    assert b.post(f"/referrals/{rid}/cancel").status_code == 303
    # a stand that arrives at 20:00:01 is refused (C3): the server's clock, never the request's
    o.clock.now = late
    r = b.post(f"/referrals/{fresh.open_referrals[2]}/stand", headers=HX)
    assert r.headers["X-Refused"] == "409" and "(C3)" in notes(r.text)[0]
    assert "۲۰:۰۰:۰۱" in notes(r.text)[0]
    b.close()


# ---------------------------------------------------------------- 6. the session's idle end


def test_the_cartable_carries_the_sessions_idle_end_for_its_warning(fresh):
    o = fresh.office
    b = Browser(fresh.url)
    b.sign_in()
    r = b.get("/")
    box = re.search(r'<div id="session-warning"[^>]*>', r.text)[0]
    ends = datetime.fromisoformat(re.search(r'data-session-ends="([^"]+)"', box)[1])
    assert ends == o.clock.now + timedelta(minutes=30)  # 30 minutes unused (sessions.IDLE)
    assert 'data-warn-before="300"' in box  # warned 5 minutes before
    assert datetime.fromisoformat(r.headers["X-Session-Ends"]) == ends
    assert re.search(r'<p class="session-words" role="alert">', r.text)
    assert "ماندن در سامانه" in r.text and 'href="/login?next=/"' in r.text
    # ten minutes later the button's GET (htmx, the cartable's list) is use: a new end
    o.clock.now += timedelta(minutes=10)
    o.server.sessions.forget()
    kept = b.get("/", headers=HX)
    assert kept.status_code == 200 and "<html" not in kept.text
    assert datetime.fromisoformat(kept.headers["X-Session-Ends"]) == o.clock.now + timedelta(
        minutes=30
    )
    # a visitor's pages carry none
    visitor = Browser(fresh.url)
    board = visitor.get("/board")
    assert "X-Session-Ends" not in board.headers and "session-warning" not in board.text
    visitor.close()
    b.close()


# ------------------------------------------- 7, 8, 9. the result, the file, the closed round


def test_after_the_run_the_result_is_where_the_note_says_and_the_chosen_sees_the_file(fresh):
    o = fresh.office
    rid, file_no = fresh.open_referrals[0], fresh.open_files[0]
    with o.base.tx() as s:  # the owner's name and the building's address, as the counter enters
        s.execute(update(Owner).values(first_name="حسن", last_name="مالکی"))
        s.execute(update(Project).values(address="اهواز، کیانپارس، خیابان 5، پلاک 12"))
    me = Browser(fresh.url)
    me.sign_in()
    assert me.post(f"/referrals/{rid}/stand").status_code == 303  # beside the rival
    # 7: the note the cartable shows once the deadline passes points where the result will be
    js = _static(me, "site.js")
    assert "در همین صفحه" not in js
    assert '["ارجاع‌های من", "/my-referrals"]' in js and '["نتایج مهلت‌ها", "/runs"]' in js
    assert '"/board/" + rid' in js
    o.run("1405-08-24 20:00")  # the rival is chosen for it; he is not
    run_id = public.published_runs(o.base)[0].id
    # A8's owners: one query for all of an engineer's files, none per row
    reads = _statements(o)
    rival_ctx = o.base.as_actor(o.as_engineer[fresh.rival].actor)
    after = member.my_referrals(rival_ctx, fresh.rival)
    his_reads = reads()
    mine_now = member.my_referrals(o.base.as_actor(o.as_engineer[fresh.me].actor), fresh.me)
    assert reads() == his_reads
    held = [m for m in after if m.project is not None]
    assert len(held) == 2 and len([m for m in mine_now if m.project is not None]) == 1
    assert {m.state for m in held} <= {"selected", "signed"}

    # the winner: «ارجاع‌های من» shows the selection with the project's file (A8)
    rival = Browser(fresh.url)
    rival.sign_in(RIVAL)
    page = rival.get("/my-referrals").text
    card = next(_text(c) for c in page.split('<div class="card">')[1:] if _fa(file_no) in c)
    assert "پرونده پروژه (A8)" in card and "حسن مالکی" in card and "۰۹۱۶۱۲۳۴۵۶۷" in card
    assert 'href="tel:09161234567"' in page
    plate = next(m for m in held if m.file_no == file_no).project.plate
    assert _fa(plate) in card and "اهواز، کیانپارس، خیابان ۵، پلاک ۱۲" in card

    # the one not chosen: nothing of the owner; the result is on the run's page
    mine = me.get("/my-referrals").text
    assert 'href="/runs"' in mine
    # 10: both tables captioned; his signed file is his to see, his withdrawal's is not
    captions = re.findall(r"<caption>(.*?)</caption>", mine)
    assert captions == ["ارجاع‌های امضاشده شما", "انصراف‌ها و عدم حضورهای شما"]
    signed = re.search(r"<caption>ارجاع‌های امضاشده شما</caption>(.*?)</table>", mine, re.S)
    assert "حسن مالکی" in signed[1] and "۰۹۱۶۱۲۳۴۵۶۷" in signed[1]
    gone = re.search(r"<caption>انصراف‌ها و عدم حضورهای شما</caption>(.*?)</table>", mine, re.S)
    assert "حسن مالکی" not in gone[1] and "۰۹۱۶" not in gone[1]
    assert mine.count("حسن مالکی") == 1  # nothing of the file he was not chosen for
    # 9: the decided referral's public page says its round is closed and links to its list
    board = me.get(f"/board/{rid}").text
    assert "کاندیدایی نیست" not in board and "<table" not in board
    assert "دور کاندیداتوری این ارجاع اکنون باز نیست" in _text(board)
    link = re.search(rf'href="(/runs/{run_id}\?q={quote(file_no)}#b{rid})"', board)
    assert link, board
    run_page = me.get(link[1]).text
    assert "رضا احمدی" in run_page and "سارا کریمی" in run_page
    # a visitor, and another engineer, see no owner anywhere
    visitor = Browser(fresh.url)
    for path in (f"/board/{rid}", f"/runs/{run_id}"):
        assert "حسن مالکی" not in visitor.get(path).text
    third = Browser(fresh.url)
    third.sign_in(OTHER)
    assert "حسن مالکی" not in third.get("/my-referrals").text
    for x in (me, rival, visitor, third):
        x.close()


def _fa(text: str) -> str:
    return text.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))


def _statements(o):
    """A counter of the SELECTs the office's engine runs from now: `reads()` gives the count
    since the last call."""
    count = [0]

    def seen(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("SELECT"):
            count[0] += 1

    event.listen(o.engine, "before_cursor_execute", seen)

    def reads() -> int:
        n, count[0] = count[0], 0
        return n

    return reads


# ---------------------------------------------------------------- 10. accessibility leftovers


def test_the_countdown_reads_passed_and_the_visitors_sign_in_link_is_a_44px_target(fresh):
    o = fresh.office
    b = Browser(fresh.url)
    b.sign_in()
    rid = fresh.open_referrals[0]
    o.clock.now = parse_jalali_datetime("1405-08-24 19:59") + timedelta(seconds=30)
    live = b.get(f"/board/{rid}").text
    assert re.search(r'<span class="left">۰۰:۰۰:۳۰</span>', live)
    o.clock.now = parse_jalali_datetime("1405-08-24 20:00")
    page = b.get("/").text  # after the deadline, before the run
    assert "مهلت گذشت تا مهلت" not in _text(page)
    js = _static(b, "site.js")
    assert 'el.querySelector(".visually-hidden")' in js  # dropped when the deadline passes
    css = _static(b, "site.css")
    rule = re.search(r"header\.top a\.who \{([^}]*)\}", css)[1]
    assert "min-height: 2.75rem" in rule and "inline-flex" in rule
    visitor = Browser(fresh.url)
    assert '<a class="who" href="/login">ورود مهندسان</a>' in visitor.get("/board").text
    visitor.close()
    b.close()


# ---------------------------------------------------------------- 11. the supervision share


def test_C1_the_supervision_share_is_plain_digits_from_0_to_100(fresh):
    b = Browser(fresh.url)
    b.sign_in(RIVAL)
    form = {"ready": "yes", "groups": ["A", "B"], "rules_accepted": "yes"}
    for typed in ("1e2", "-0", "+5", "inf", "NaN", "۱٬۰", "0x10", "1_0", "5 0", "100.001", "101"):
        r = b.post("/declaration", {**form, "supervision_percent": typed})
        assert r.status_code == 400, typed
        said = notes(r.text)[0]
        assert "«درصد نظارت»" in said and "۰ تا ۱۰۰" in said, (typed, said)
        assert 'id="supervision_percent-error"' in r.text
    ctx = fresh.office.base.as_actor(fresh.office.as_engineer[fresh.rival].actor)
    for typed, value in (("۳۷٫۵", "37.5"), ("٤٠", "40"), ("١٠٠", "100"), ("۰", "0")):
        r = b.post("/declaration", {**form, "supervision_percent": typed})
        assert r.status_code == 303, (typed, notes(r.text))
        assert member.my_declaration(ctx, fresh.rival).supervision_percent == Decimal(value)
    b.close()


# ---------------------------------------------------------------- 12. his own password


def test_U1_an_engineer_changes_his_own_password_and_his_other_sessions_end(fresh, tmp_path):
    o = fresh.office
    user_id = o.as_engineer[fresh.me].actor.user_id
    b = Browser(fresh.url)
    assert b.get("/password").headers["location"] == "/login?next=/password"
    b.sign_in()
    page = b.get("/password")
    assert page.status_code == 200 and '<a href="/password" aria-current="page">' in page.text
    assert 'href="/password"' in b.get("/me").text  # linked from his pages
    assert b.http.post("/password", data={}).status_code == 403  # CSRF
    other = Browser(fresh.url)  # his phone, signed in too; his desk holds a token (ServedOffice)
    other.sign_in()
    # a reset code asked for earlier, still unused
    from app.services import sms

    o.server.sms_gateway = sms.FileGateway(tmp_path / "sms.jsonl", stream=None)
    assert Browser(fresh.url).post("/forgot", {"membership_no": ME}).status_code == 303
    new = "a-phrase-only-i-know"
    cases = [
        ({"new_password": new, "new_password2": new}, "«گذرواژه کنونی»: لازم است"),
        ({"old_password": "wrong-one-1405", "new_password": new, "new_password2": new}, None),
        ({"old_password": o.PASSWORD, "new_password": "short", "new_password2": "short"}, None),
        ({"old_password": o.PASSWORD, "new_password": new, "new_password2": new + "x"}, None),
        ({"old_password": new, "new_password": new, "new_password2": new}, "کنونی است"),
    ]
    fields = ["old_password", "old_password", "new_password", "new_password2", "new_password"]
    names = ["گذرواژه کنونی", "گذرواژه کنونی", "گذرواژه تازه", "تکرار گذرواژه تازه", "گذرواژه تازه"]
    for (data, words), field, name in zip(cases, fields, names, strict=True):
        r = b.post("/password", data)
        assert r.status_code == 400, (data, notes(r.text))
        assert f"«{name}»" in notes(r.text)[0] and (words is None or words in notes(r.text)[0])
        assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', r.text), field
    old_cookie = b.http.cookies["nz_web"]
    done = b.post(
        "/password", {"old_password": o.PASSWORD, "new_password": new, "new_password2": new}
    )
    assert done.status_code == 303 and done.headers["location"] == "/password"
    assert b.http.cookies["nz_web"] != old_cookie  # the session rotated
    assert "گذرواژه شما تغییر کرد" in notes(b.get("/password").text)[0]
    assert b.get("/me").status_code == 200  # this browser stays signed in
    assert other.get("/me").status_code == 302  # his phone's session ended
    with o.base.read() as s:
        live = s.scalars(
            select(AuthSession.kind).where(
                AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None)
            )
        ).all()
        unused = s.scalar(
            select(OneTimeCode.id).where(
                OneTimeCode.user_id == user_id, OneTimeCode.used_at.is_(None)
            )
        )
    assert live == ["web"] and unused is None  # the desk's token ended, the code spent
    again = Browser(fresh.url)
    assert again.sign_in(ME, o.PASSWORD).status_code == 401
    assert again.sign_in(ME, new).status_code == 302  # (a sign-in clears the count)
    # wrong current passwords count as failed sign-ins: five lock it (429), as at sign-in
    other_new = new + "-2"
    for k in range(5):
        data = {"old_password": f"guess-{k}-1405", "new_password": other_new}
        r = b.post("/password", {**data, "new_password2": other_new})
        assert r.status_code == 400 and "«گذرواژه کنونی»: نادرست است" in notes(r.text)[0]
    data = {"old_password": new, "new_password": other_new, "new_password2": other_new}
    r = b.post("/password", data)
    assert r.status_code == 429 and "۱۵ دقیقه" in notes(r.text)[0]
    stranger = Browser(fresh.url)
    assert stranger.sign_in(ME, new).status_code == 429  # his sign-in too, from a new browser
    # (a browser he signed in from keeps its own count: web_auth.device_token)
    assert again.sign_in(ME, new).status_code == 302
    for x in (b, other, again, stranger):
        x.close()

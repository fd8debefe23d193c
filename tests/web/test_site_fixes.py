"""The web cartable after a second audit: a declaration that drops what his candidacies need
says which of them the deadline will set aside (A1) and the cartable's card says so too; a
supervision share of 0 is a capacity of 0 (S2, S7); the rules text's figures are the policy's;
/me's ledger adds up to the score shown, W2's recovery a line of its own (S8); a run page
stays light on a phone with every published line a link away; the password reset and a stand
without htmx answer with a redirect (PRG); the sign-in's guidance (a session ended, the
mobile the code went to, a way back, the code's field first, a new code)."""

from __future__ import annotations

import re
from decimal import Decimal

from app.domain.calendar import local_date
from app.services import policy_admin
from site_support import Browser, notes


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).strip()


def _fa_number(text: str) -> Decimal:
    """«۱٬۲۳۴٫۵» or «-۷۷۶٫۲» (an isolate around a negative) as a Decimal."""
    plain = text.translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹٫", "0123456789.", "٬\u2066\u2069+"))
    return Decimal(plain.strip())


def _card(page: str, rid: int) -> str:
    return re.search(rf'<li class="item[^"]*" id="r{rid}">(.*?)</li>', page, re.S)[1]


# ---------------------------------------------------------------- 1. the declaration (A1, S2, S7)


def test_A1_a_declaration_dropping_his_candidacys_group_says_it_will_be_set_aside(fresh):
    b = Browser(fresh.url)
    b.sign_in()
    rid = fresh.open_referrals[1]
    assert b.post(f"/referrals/{rid}/stand").status_code in (200, 303)
    card = _card(b.get("/").text, rid)
    group = re.search(r"<dt>گروه ساختمانی</dt><dd>(.*?)</dd>", card)[1]
    assert "کنار گذاشته" not in card
    others = [g for g, fa in (("A", "الف"), ("B", "ب"), ("C", "ج"), ("D", "د")) if fa != group]
    form = {"ready": "yes", "groups": others, "supervision_percent": "50", "rules_accepted": "yes"}
    r = b.post("/declaration", form)
    assert r.status_code == 303
    page = b.get("/declaration").text
    risk = _text(re.search(r'<section class="card at-risk".*?</section>', page, re.S)[0])
    file_no = fresh.open_files[1].translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert "با این خوداظهاری ۱ کاندیداتوری شما در بازبینی ساعت مهلت کنار گذاشته می‌شود" in risk
    assert f"پرونده {file_no} — عمران — گروه {group}" in risk
    assert f"گروه {group} در گروه‌های خوداظهاری شما نیست (C2)" in risk and "(A1)" in risk
    # the cartable's card for that candidacy says it too, and why
    card = _text(_card(b.get("/").text, rid))
    assert "این کاندیداتوری کنار گذاشته می‌شود و به شمار نمی‌آید (A1)" in card
    assert f"گروه {group} در گروه‌های خوداظهاری شما نیست (C2)" in card
    # not ready at all: C1 names it
    b.post("/declaration", {**form, "ready": "no", "groups": []})
    card = _text(_card(b.get("/").text, rid))
    assert "در خوداظهاری «آماده به کار نیستم» ثبت شده است (C1)" in card
    # the group back and ready: nothing is said any more
    b.post("/declaration", {**form, "groups": ["A", "B", "C", "D"]})
    assert "at-risk" not in b.get("/declaration").text
    assert "کنار گذاشته" not in _card(b.get("/").text, rid)
    b.close()


def test_S7_ready_with_a_supervision_share_of_0_is_warned_a_capacity_of_0(fresh):
    b = Browser(fresh.url)
    b.sign_in()
    rid = fresh.open_referrals[0]
    b.post(f"/referrals/{rid}/stand")
    form = {
        "ready": "yes",
        "groups": ["A", "B", "C", "D"],
        "supervision_percent": "۰",
        "rules_accepted": "yes",
    }
    assert b.post("/declaration", form).status_code == 303
    page = b.get("/declaration").text
    said = " ".join(notes(page))
    assert "سهم نظارت شما ۰٪ است" in said and "ظرفیت شما صفر است (S2)" in said
    assert "هیچ ارجاعی به شما نمی‌رسد (S7)" in said
    risk = _text(re.search(r'<section class="card at-risk".*?</section>', page, re.S)[0])
    assert "سهم نظارت در خوداظهاری صفر است، پس ظرفیت نظارت شما صفر است (S2) (S7)" in risk
    # the field itself says what 0 means before anything is saved
    assert "با ۰، ظرفیت نظارت صفر است" in b.get("/declaration").text
    b.post("/declaration", {**form, "supervision_percent": "40"})
    assert "سهم نظارت شما ۰٪ است" not in " ".join(notes(b.get("/declaration").text))
    b.close()


# ---------------------------------------------------------------- 2. the rules text's figures


def _rules_text(b: Browser) -> str:
    return _text(
        re.search(r'<div class="rules-text".*?</div>', b.get("/declaration").text, re.S)[0]
    )


def test_the_declarations_rules_text_takes_its_figures_from_the_policy_in_force(fresh):
    o = fresh.office
    b = Browser(fresh.url)
    b.sign_in()
    rules = _rules_text(b)
    assert "حداکثر ۳ لغو" in rules and "(متراژ × ۰٫۱)" in rules
    assert "از ساعت ۰۸:۰۰ تا ۱۲:۰۰" in rules and "تا ساعت ۲۰:۰۰" in rules
    assert "روزی ۱ امتیاز" in rules and "تا ۲ بار" in rules and "حداکثر ۸ است" in rules
    on = local_date(o.clock.now)
    for key, value in (
        ("max_cancellations_per_day", 5),
        ("project_score_per_m2", "0.25"),
        ("signing_window", ["09:30", "13:00"]),
        ("withdrawal_recovery_per_day", 2),
        ("max_extensions", 1),
        ("max_active_jobs", 6),
    ):
        policy_admin.update_policy(o.local["admin"], key, value, on)
    rules = _rules_text(b)
    assert "حداکثر ۵ لغو" in rules and "(متراژ × ۰٫۲۵)" in rules
    assert "از ساعت ۰۹:۳۰ تا ۱۳:۰۰" in rules and "روزی ۲ امتیاز" in rules
    assert "تا ۱ بار" in rules and "حداکثر ۶ است" in rules
    assert "سه لغو" not in rules and "۰٫۱)" not in rules and "از ساعت ۸ تا ۱۲" not in rules
    b.close()


# ---------------------------------------------------------------- 3. /me: the score explained


def test_S8_W2_the_ledger_on_me_adds_up_to_the_score_shown_with_the_recovery_a_line(fresh):
    o = fresh.office
    o.at("1405-08-27 10:00")  # three full days after his withdrawal of the 24th, 09:00
    b = Browser(fresh.url)
    b.sign_in()
    page = b.get("/me").text
    shown = _fa_number(re.search(r'امتیاز کنونی</div><div class="big num">(.*?)</div>', page)[1])
    table = re.search(r'<table class="cards ledger">.*?</table>', page, re.S)[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table.split("<tbody>")[1].split("</tbody>")[0], re.S)
    base = _fa_number(re.search(r'data-label="مانده">(.*?)</td>', rows[0])[1])
    assert "امتیاز پایه" in rows[0] and base == Decimal(300)
    total, kinds = base, []
    for row in rows[1:]:
        points = _fa_number(_text(re.search(r'data-label="امتیاز">(.*?)</td>', row, re.S)[1]))
        balance = _fa_number(re.search(r'data-label="مانده">(.*?)</td>', row)[1])
        total += points
        assert balance == total  # each line's balance follows from the one before
        kinds.append(_text(re.search(r'data-label="شرح">(.*?)</td>', row, re.S)[1]))
    foot = _fa_number(_text(re.search(r"<tfoot>.*?<strong>(.*?)</strong>", table, re.S)[1]))
    assert total == foot == shown and shown == Decimal(3)
    assert any("کسر شد (A4)" in k for k in kinds)
    assert any(k.startswith("جریمه انصراف") and "(W2)" in k for k in kinds)
    recovery = [k for k in kinds if k.startswith("بازگشت جریمه")]
    assert len(recovery) == 1 and "با گذشت ۳ روز، روزی ۱ امتیاز (W2)" in recovery[0]
    b.close()


# ---------------------------------------------------------------- 4. a run page stays light


def _decision(html: str, rid: int) -> str:
    return re.search(rf'<details[^>]*id="b{rid}".*?</details>', html, re.S)[0]


def _lines(block_html: str) -> list[str]:
    body = re.search(r"<tbody>(.*?)</tbody>", block_html, re.S)[1]
    return [r for r in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S) if "…" not in r]


def test_A6_C6_a_run_page_shows_each_lists_first_lines_and_the_whole_list_a_link_away(fresh):
    import hashlib

    from app.services import public
    from web.templatetags.fa import fa

    o = fresh.office
    for k in range(12):  # a forced pool larger than the page's first lines
        o.engineer(f"2{k:03d}", score=500 + k)
    rid = fresh.open_referrals[1]  # nobody stands for it: forced after three rounds (A6)
    o.run("1405-08-26 20:00")
    run, block = next(
        (r, blk)
        for r in public.published_runs(o.base)
        for blk in public.run_sheet(o.base, r.id).blocks
        if blk.referral_id == rid and blk.outcome == "forced"
    )
    n = len(block.ranked)
    assert n >= 15
    b = Browser(fresh.url)
    det = _decision(b.get(f"/runs/{run.id}").text, rid)
    lines = _lines(det)
    assert len(lines) == 10 and "winner" in det.split("<tbody>")[1].split("</tr>")[0]
    for x in block.ranked[:10]:
        assert fa(x.membership_no) in det
    assert fa(block.ranked[-1].membership_no) not in det
    link = f"/runs/{run.id}?decision={rid}&amp;all=1"
    assert link in det and f"همه {fa(n)} نفر این فهرست" in _text(det)
    assert f"({fa(n - 10)} نفر دیگر اینجا نیامده است)" in _text(det)
    # the whole list: every published line, this decision alone, a way back
    full = b.get(link.replace("&amp;", "&")).text
    assert full.count("<details") == 1 and len(_lines(_decision(full, rid))) == n
    for x in block.ranked:
        assert fa(x.membership_no) in full
    assert f'href="/runs/{run.id}#b{rid}"' in full
    assert b.get(f"/runs/{run.id}?decision=999999&all=1").status_code == 404
    # the published document is the same bytes
    doc = b.get(f"/runs/{run.id}/decisions.json").content
    assert hashlib.sha256(doc).hexdigest() == run.output_digest
    # the last of the pool signed in: his own line beyond the first ten; searched for, too
    last = block.ranked[-1]
    searched = _decision(b.get(f"/runs/{run.id}?q={last.membership_no}").text, rid)
    assert fa(last.membership_no) in searched and len(_lines(searched)) == 11
    b.sign_in(last.membership_no)
    mine = _decision(b.get(f"/runs/{run.id}").text, rid)
    assert len(_lines(mine)) == 11 and "(شما)" in mine and fa(last.membership_no) in mine
    b.close()


# ---------------------------------------------------------------- 5. Post/Redirect/Get


def test_a_stand_without_script_and_a_password_reset_redirect_after_success(fresh, tmp_path):
    import json

    from app.services import sms
    from site_support import ME

    o = fresh.office
    b = Browser(fresh.url)
    b.sign_in()
    rid = fresh.open_referrals[2]
    r = b.post(f"/referrals/{rid}/stand")  # a form without script
    assert r.status_code == 303 and r.headers["location"] == "/"
    page = b.get("/").text
    said = notes(page)[0]
    assert "کاندیداتوری شما ثبت شد" in said and "ساعت ثبت به وقت سرور" in said
    assert "کاندیداتوری شما ثبت شد" not in b.get("/").text  # a reload: the note once, no post
    # htmx still answers in place
    hx = b.post(f"/referrals/{rid}/cancel", headers={"HX-Request": "true"})
    assert hx.status_code == 200 and "<html" not in hx.text and "لغو شد" in notes(hx.text)[0]
    # a refusal is said where it happened (nothing was written, a reload writes nothing)
    assert b.post(f"/referrals/{rid}/cancel").status_code == 409
    b.close()

    outbox = tmp_path / "sms.jsonl"
    o.server.sms_gateway = sms.FileGateway(outbox, stream=None)
    f = Browser(fresh.url)
    f.get("/forgot")
    sent = f.post("/forgot", {"membership_no": "۱۰۰۱"})
    assert sent.status_code == 303 and sent.headers["location"] == "/forgot/reset"
    form = f.get("/forgot/reset").text
    assert "اگر این شماره عضویت" in notes(form)[0]
    assert 'name="membership_no" value="1001"' in form
    code = re.search(r"\b(\d{6})\b", json.loads(outbox.read_text().splitlines()[0])["text"])[1]
    new = "a-new-pass-1405"
    data = {"membership_no": ME, "code": code, "new_password": new, "new_password2": new}
    done = f.post("/forgot/reset", data)
    assert done.status_code == 303 and done.headers["location"] == "/login"
    assert "گذرواژه تازه ثبت شد" in notes(f.get("/login").text)[0]
    assert "گذرواژه تازه ثبت شد" not in f.get("/login").text
    f.close()


# ---------------------------------------------------------------- 6. guidance at sign-in


def test_sign_in_says_a_session_ended_the_code_names_the_mobile_and_reset_offers_a_new_code(
    fresh, tmp_path
):
    from datetime import timedelta

    from app.services import sms, web_auth
    from site_support import ME

    o = fresh.office
    b = Browser(fresh.url)
    b.sign_in()
    assert b.get("/me").status_code == 200
    o.clock.now += timedelta(minutes=31)  # 30 minutes unused: the session ends
    o.server.sessions.forget()
    r = b.get("/me")
    assert r.status_code == 302 and r.headers["location"] == "/login?next=/me"
    said = " ".join(notes(b.get(r.headers["location"]).text))
    assert "نشست شما پایان یافته است" in said and "به همان صفحه برگردید" in said
    # a stand sent after the session ended: not recorded, and the sign-in page says so
    from sqlalchemy import func, select

    from app.db.models import Candidacy

    rid = fresh.open_referrals[0]
    r = b.post(f"/referrals/{rid}/stand")
    assert r.status_code == 302 and r.headers["location"] == "/login?next=/&lost=1"
    said = " ".join(notes(b.get(r.headers["location"]).text))
    assert "درخواست شما ثبت نشد" in said and "به همان صفحه" not in said
    r = b.post(f"/referrals/{rid}/stand", headers={"HX-Request": "true"})
    assert r.status_code == 204 and r.headers["HX-Redirect"] == "/login?next=/&lost=1"
    mine = (Candidacy.referral_id == rid) & (Candidacy.engineer_id == fresh.me)
    with o.base.read() as s:
        assert s.scalar(select(func.count()).where(mine)) == 0
    b.close()
    stranger = Browser(fresh.url)  # never signed in: asked to, not told a session ended
    said = " ".join(notes(stranger.get("/login?next=/me").text))
    assert "برای دیدن این صفحه وارد شوید" in said and "پایان یافته" not in said
    assert not notes(stranger.get("/login").text)

    # the SMS step names the masked mobile the code went to, and leads back to the form
    outbox = tmp_path / "sms.jsonl"
    o.server.sms_gateway = sms.FileGateway(outbox, stream=None)
    web_auth.set_web_sms_code(o.local["admin"], True)
    stranger.post("/login", {"membership_no": ME, "password": o.PASSWORD, "next": "/"})
    page = stranger.get("/login/code").text
    assert '<bdi dir="ltr" class="mobile">۰۹۱۲•••۴۵۶۷</bdi>' in page
    assert "09121234567" not in page and "۰۹۱۲۱۲۳۴۵۶۷" not in page
    assert '<a href="/login">بازگشت به فرم ورود</a>' in page
    assert "هر حساب در ۱۵ دقیقه حداکثر ۳ کد می‌گیرد" in _text(page)
    stranger.close()

    # the reset form: the code's field first, and a new code within the send limits
    f = Browser(fresh.url)
    f.get("/forgot")
    f.post("/forgot", {"membership_no": ME})
    form = f.get("/forgot/reset").text
    code_field = re.search(r'<input[^>]*id="code"[^>]*>', form)[0]
    number_field = re.search(r'<input[^>]*id="membership_no"[^>]*>', form)[0]
    assert "autofocus" in code_field and "autofocus" not in number_field
    again = re.search(r'<form method="post" action="/forgot">(.*?)</form>', form, re.S)[1]
    assert 'name="membership_no" value="1001"' in again and "فرستادن دوباره کد" in again
    codes = [f.post("/forgot", {"membership_no": ME}).status_code for _ in range(3)]
    assert codes[0] == 303 and codes[-1] == 429  # 3 codes an account in 15 minutes
    f.close()


def test_a_member_without_a_login_sets_his_first_password_by_a_code_to_his_mobile(fresh, tmp_path):
    """A province's members are imported, not given logins one by one: a member with a
    registered mobile and no login asks for a code on «نخستین ورود یا فراموشی گذرواژه», and
    the code sets his first password. One whose login an administrator disabled gets none."""
    import json

    from app.services import engineers, sms, users
    from app.services.dto import CompetenceIn, EngineerIn

    o = fresh.office
    admin = o.local["admin"]
    new = engineers.register_engineer(
        admin,
        EngineerIn("2001", (CompetenceIn("civil", "1"),), Decimal(0), first_name="نادر",
                   last_name="صالحی", mobile="09121112233"),
    )  # fmt: skip
    gone = engineers.register_engineer(
        admin,
        EngineerIn("2002", (CompetenceIn("civil", "1"),), Decimal(0), first_name="لیلا",
                   last_name="نوری", mobile="09121112244"),
    )  # fmt: skip
    users.create_user(admin, "e2002", "لیلا نوری", "engineer", "old-pass-14050", gone)
    uid = next(u.id for u in users.list_users(admin) if u.username == "e2002")
    users.set_active(admin, uid, False)
    outbox = tmp_path / "sms.jsonl"
    o.server.sms_gateway = sms.FileGateway(outbox, stream=None)
    b = Browser(fresh.url)
    page = b.get("/forgot").text
    assert "نخستین ورود" in page and 'inputmode="numeric"' not in page  # a dash can be typed
    assert b.sign_in("2001", "any-pass-14050").status_code == 401  # no login yet
    b.get("/forgot")
    for no in ("۲۰۰۱", "2002"):
        assert b.post("/forgot", {"membership_no": no}).status_code == 303
        b.get("/forgot/reset")
    sent = [json.loads(line) for line in outbox.read_text(encoding="utf-8").splitlines()]
    assert [m["to"] for m in sent] == ["09121112233"]  # the disabled login: nothing
    code = re.search(r"\b(\d{6})\b", sent[0]["text"])[1]
    pw = "first-pass-1405"
    data = {"membership_no": "2001", "code": code, "new_password": pw, "new_password2": pw}
    assert b.post("/forgot/reset", data).status_code == 303
    assert b.sign_in("2001", pw).status_code == 302 and b.get("/me").status_code == 200
    made = [u for u in users.list_users(admin) if u.engineer_id == new]
    assert [(u.role, u.active) for u in made] == [("engineer", True)]
    b.close()

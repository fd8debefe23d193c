"""The web cartable after an audit: a forced decision said as one (A6), set-aside candidates
without their private rule codes, the cartable's area and accessible names, C5's limit shown
before it refuses, A2's tie-breaks in words, a closed referral's page naming its file and its
run, typed digits normalised, the run search bounded, the 405 page's words following the
page's methods, the sign-in's fields each marked, the declaration's field named as its
label, and a renewal request said to be waiting (F5)."""

from __future__ import annotations

import hashlib
import re

import orjson

from app.domain.calendar import local_date
from app.services import deadlines, engineers, policy_admin, public
from site_support import OTHER, Browser, notes


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).strip()


def _blocks(html: str) -> dict[str, str]:
    """Each decision of a run page by its file number (Persian digits), as text."""
    out = {}
    for m in re.finditer(r"<details[^>]*>(.*?)</details>", html, re.S):
        file_no = re.search(r'<span class="ltr">([۰-۹-]+)</span>', m[1])[1]
        out[file_no] = _text(m[1])
    return out


# ---------------------------------------------------------------- the run page (A6, A1)


def test_A6_a_forced_decision_is_said_forced_and_set_aside_codes_stay_private(fresh):
    o = fresh.office
    # the rival stands for the first open file, then falls under G4 (a private fact)
    engineers.update_engineer(o.local["admin"], fresh.rival, {"legal_incapacity": True})
    o.run("1405-08-26 20:00")  # three rounds: extended twice, then forced (A6)
    b = Browser(fresh.url)
    forced = {}
    for run in public.published_runs(o.base):
        html = b.get(f"/runs/{run.id}").text
        # never the failing rules of a set-aside candidate (a rule ID, not two characters of
        # a random token: the page's CSRF token once held «G4»)
        assert not re.search(r"(?<![A-Za-z0-9])G4(?![A-Za-z0-9])", html)
        for file_no, block in _blocks(html).items():
            if "رضا احمدی" in block and "کنار گذاشته در مهلت" in block:
                assert "(A1، C2)" in block and "شرایط این ارجاع" in block
            if "ارجاع اجباری" in block and "(W4)" not in block:
                forced[file_no] = (run.id, html, block)
    nobody = forced["۱۴۰۵-۰۰۰۴"][2]  # nobody ever stood for it
    assert "ارجاع اجباری (A6)، منتخب:" in nobody and "نفر در فهرست مشمولان" in nobody
    assert "کاندیدا —" not in nobody and "کسی کاندیدا نشد" in nobody
    assert "کمترین امتیاز" in nobody and "فهرست مشمولان ارجاع اجباری (A6)" in nobody
    assert "فهرست رتبه‌بندی" not in nobody
    aside = forced["۱۴۰۵-۰۰۰۳"][2]  # the rival stood, and was set aside (G4)
    assert "کاندیدای واجد شرایطی نماند" in aside and "رضا احمدی" in aside
    # the published document names him set aside, not by which rules; its hash is the digest
    doc = b.get(f"/runs/{forced['۱۴۰۵-۰۰۰۳'][0]}/decisions.json").content
    asides = [d["set_aside"] for d in orjson.loads(doc) if d["set_aside"] != []]
    assert fresh.rival in [e for x in asides for e in x["engineer_id"]]
    assert all(set(x) == {"engineer_id"} for x in asides) and b'"rules"' not in doc
    run = next(r for r in public.published_runs(o.base) if r.id == forced["۱۴۰۵-۰۰۰۳"][0])
    assert hashlib.sha256(doc).hexdigest() == run.output_digest
    assert deadlines.recheck_run(o.base, run.id)[0]  # the office's re-check reads the reasons
    # a summary says the pool's size, not a number of candidates
    run_id, html, _ = forced["۱۴۰۵-۰۰۰۴"]
    summary = re.search(r"<summary>((?:(?!</summary>).)*۱۴۰۵-۰۰۰۴.*?)</summary>", html, re.S)
    assert re.search(r"— [۰-۹]+ نفر در فهرست مشمولان$", _text(summary[1]))

    # the closed referral's public page names its file and links to the run that decided it
    rid = fresh.open_referrals[1]
    page = b.get(f"/board/{rid}").text
    h1 = _text(re.search(r"<h1>(.*?)</h1>", page, re.S)[1])
    assert h1 == "کاندیداهای ارجاع پرونده ۱۴۰۵-۰۰۰۴ — عمران"
    links = re.findall(r'href="/runs/(\d+)\?q=1405-0004#b' + str(rid) + '"', page)
    assert links and int(links[0]) >= run_id
    b.close()


def test_C6_the_candidates_page_states_A2s_tie_breaks_in_order(site):
    b = Browser(site.url)
    page = _text(b.get(f"/board/{site.open_referrals[0]}").text)
    assert "برابرها به ترتیب زمان کاندیداتوری." not in page
    order = ["ظرفیت آزاد بیشتر", "کار در دست کمتر", "زمان کاندیداتوری زودتر", "شماره عضویت"]
    at = [page.find(words) for words in order]
    assert -1 not in at and at == sorted(at) and "(A2)" in page
    b.close()


def test_the_run_search_is_bounded_normalised_and_finds_names_typed_in_arabic(site):
    b = Browser(site.url)
    r = b.get(f"/runs/{site.run_id}", params={"q": "1" * 400})
    assert r.status_code == 200
    assert re.search(r'<input type="search" id="q" name="q" value="[۰-۹]*" maxlength="30"', r.text)
    echoed = re.search(r'<bdi class="typed">([^<]*)</bdi>', r.text)[1]
    assert echoed == "۱" * 30  # cut on the server, in Persian digits
    assert "111" not in _text(r.text)
    # a name typed with Arabic ي and ك finds the candidate written with ی and ک
    for typed in ("رضا احمدي", "كريمي"):
        html = b.get(f"/runs/{site.run_id}", params={"q": typed}).text
        found = notes_status(html)
        assert "یافت شد" in found, (typed, found)
    # a membership number typed in Arabic-Indic digits
    html = b.get(f"/runs/{site.run_id}", params={"q": "١٠٠٢"}).text
    assert "یافت شد" in notes_status(html) and "«۱۰۰۲»" in notes_status(html)
    b.close()


def notes_status(html: str) -> str:
    return _text(re.search(r'<p role="status">(.*?)</p>', html, re.S)[1])


# ---------------------------------------------------------------- the cartable (C5, a11y)


def test_C5_the_cartable_shows_the_days_limit_instead_of_a_cancel_it_would_refuse(fresh):
    o = fresh.office
    # the limit is the policy's: two a day from now on
    policy_admin.update_policy(
        o.local["admin"], "max_cancellations_per_day", 2, local_date(o.clock.now)
    )
    big = o.project(disciplines=("civil",), area=1607.85).referral_ids["civil"]
    b = Browser(fresh.url)
    b.sign_in()
    first, second = fresh.open_referrals[:2]
    for rid in (first, second):
        b.post(f"/referrals/{rid}/stand")
    page = b.get("/").text
    # the area as /board and /me write it; each button names its file and discipline
    assert "<dd>۱٬۶۰۷٫۸۵ مترمربع</dd>" in page and "۱۶۰۷٫۸۵" not in page
    item = re.search(rf'<li class="item" id="r{big}">(.*?)</li>', page, re.S)[1]
    file_no = re.search(r'<span class="ltr">([^<]+)</span>', item)[1]
    button = re.search(r"<button[^>]*>(.*?)</button>", item, re.S)[1]
    assert _text(button) == f"کاندیدا می‌شوم برای پرونده {file_no}، عمران"
    assert "aria-label" not in item  # the countdown is read out, with its deadline
    assert re.search(r'<span class="left">[^<]+</span><span class="visually-hidden">', item)
    mine = re.search(rf'<li class="item mine" id="r{first}">(.*?)</li>', page, re.S)[1]
    assert "لغو کاندیداتوری" in _text(re.search(r"<button[^>]*>(.*?)</button>", mine, re.S)[1])
    assert "پرونده ۱۴۰۵-" in _text(re.search(r"<button[^>]*>(.*?)</button>", mine, re.S)[1])

    b.post(f"/referrals/{big}/stand")
    assert b.post(f"/referrals/{first}/cancel").status_code == 303
    assert b.post(f"/referrals/{second}/cancel").status_code == 303  # two today: the limit
    page = b.get("/").text
    item = re.search(rf'<li class="item mine" id="r{big}">(.*?)</li>', page, re.S)[1]
    assert f'action="/referrals/{big}/cancel"' not in item
    assert "امروز ۲ بار کاندیداتوری را لغو کرده‌اید و سقف لغو در روز ۲ بار است" in _text(item)
    assert "(C5)" in _text(item)
    r = b.post(f"/referrals/{big}/cancel")  # the server refuses it still (C5)
    assert r.status_code == 409 and "(C5)" in notes(r.text)[0]
    b.close()


# ---------------------------------------------------------------- "why not?" (typed digits)


def test_why_not_echoes_a_file_number_typed_in_arabic_indic_digits_in_persian(site):
    b = Browser(site.url)
    b.sign_in()
    html = b.get("/why-not", params={"file_no": "١٤٠٥-٠٠٠١"}).text
    assert "١" not in html and "٤" not in html
    assert 'value="۱۴۰۵-۰۰۰۱"' in html and "پرونده ۱۴۰۵-۰۰۰۱" in _text(html)
    hint = re.search(r'<p class="hint" id="file_no-hint">(.*?)</p>', html, re.S)
    assert hint and "۱۴۰۵-۰۰۱۲" in hint[1]
    assert re.search(r'id="file_no"[^>]*aria-describedby="file_no-hint', html)
    missing = b.get("/why-not", params={"file_no": "١٤٠٥-٠٩٩٩"})
    assert missing.status_code == 400
    assert "۱۴۰۵-۰۹۹۹" in notes(missing.text)[0] and "٠" not in missing.text
    b.close()


# ---------------------------------------------------------------- words of forms and errors


def test_the_405_page_follows_the_pages_methods(site):
    b = Browser(site.url)
    b.sign_in()
    r = b.http.request("PUT", "/declaration", headers={"X-CSRFToken": b.csrf})
    assert r.status_code == 405 and r.headers["Allow"] == "GET, HEAD, POST"
    words = notes(r.text)[0]
    assert "تنها می‌توان باز کرد" not in words and "فرم آن را" in words
    r = b.http.request("PUT", "/me", headers={"X-CSRFToken": b.csrf})
    assert r.status_code == 405 and "تنها می‌توان باز کرد" in notes(r.text)[0]
    b.close()


def test_sign_in_marks_both_empty_fields_and_the_percent_is_named_as_its_label(site):
    b = Browser(site.url)
    b.get("/login")
    r = b.post("/login", {"membership_no": "", "password": ""})
    assert r.status_code == 400
    for field in ("membership_no", "password"):
        tag = re.search(rf'<input [^>]*id="{field}"[^>]*>', r.text)[0]
        assert 'aria-invalid="true"' in tag and "login-error" in tag, field
    assert "«شماره عضویت»" in notes(r.text)[0] and "«گذرواژه»" in notes(r.text)[0]
    b.close()
    b = Browser(site.url)
    b.sign_in(OTHER)
    r = b.post(
        "/declaration",
        {"ready": "yes", "groups": ["B"], "supervision_percent": "150", "rules_accepted": "yes"},
    )
    label = _text(re.search(r'<label for="supervision_percent">(.*?)</label>', r.text, re.S)[1])
    named = re.search(r"«([^»]+)»", notes(r.text)[0])[1]
    assert r.status_code == 400 and label.startswith(named + " ")  # «درصد نظارت»
    b.close()


# ---------------------------------------------------------------- a renewal waiting (F5)


def test_F5_a_renewal_request_waiting_for_finance_is_said_so(fresh):
    o = fresh.office
    late = o.engineer("1004", paid_through=1404)  # 1405 owed: G3 keeps him out of every referral
    b = Browser(fresh.url)
    b.sign_in("1004")
    advice = "درخواست تمدید عضویت ثبت کنید"
    assert advice in _text(b.get("/").text) and advice in _text(b.get("/me").text)
    assert b.post("/membership", {"year": "1405"}).status_code == 303
    assert "سال ۱۴۰۵ ثبت شد" in notes(b.get("/membership").text)[0]
    waiting = "درخواست تمدید عضویت سال ۱۴۰۵ ثبت شده و در انتظار تأیید مبلغ در امور مالی است"
    for path in ("/", "/me", "/membership"):
        page = _text(b.get(path).text)
        assert waiting in page and advice not in page, path
    # the same year again (a second press): nothing new, and not «ثبت شد» again
    assert b.post("/membership", {"year": "۱۴۰۵"}).status_code == 303
    again = notes(b.get("/membership").text)[0]
    assert "پیش‌تر ثبت شده" in again and "ثبت شد؛" not in again
    # once finance approves the amount, what is left is his payment
    engineers.approve_renewal(o.local["finance"], late, 1405, 9_800_000)
    assert "تأیید کرده است" in _text(b.get("/").text)
    b.close()


def test_A8_after_20_00_the_cartable_says_what_each_of_his_candidacies_came_to(fresh):
    """The 20:00 card promised the result: after the run his cartable says, for each round
    he stood in, whether he was chosen (and where to see the signing), another was, or he
    was set aside — with the run's ranked list one link away."""
    from app.db.models import Referral
    from app.domain.digits import persian_digits
    from app.services import candidacy

    o = fresh.office
    first, second = fresh.open_referrals[:2]
    for rid in (first, second):
        candidacy.stand(o.base.as_actor(o.as_engineer[fresh.me].actor), fresh.me, rid)
    candidacy.stand(o.base.as_actor(o.as_engineer[fresh.other].actor), fresh.other, second)
    o.run("1405-08-24 20:00")
    o.at("1405-08-24 20:30")
    with o.base.tx() as s:
        winners = {rid: s.get(Referral, rid).engineer_id for rid in (first, second)}
    for who, no, stood in ((fresh.me, "1001", (first, second)), (fresh.rival, "1002", (first,))):
        b = Browser(fresh.url)
        b.sign_in(no)
        html = b.get("/").text
        assert "نتیجه مهلت‌های اخیر کاندیداتوری شما" in html
        lines = [_text(x) for x in re.findall(r"<li>(.*?)</li>", html, re.S)]
        for rid in stood:
            file_no = fresh.open_files[fresh.open_referrals.index(rid)]
            line = next(x for x in lines if persian_digits(file_no) in x and "(مهلت" in x)
            if winners[rid] == who:
                assert "شما انتخاب شدید" in line and "ارجاع‌های من" in line, line
            else:
                assert "ناظر دیگری با امتیاز بالاتر انتخاب شد (A2)" in line, line
            assert "فهرست رتبه‌بندی" in line
        if who == fresh.me:  # not the file he withdrew from (W4 kept him out of its new round)
            assert len([x for x in lines if "(مهلت" in x]) == len(stood)
        b.close()

"""An office for the engineers' web site (issue 13): a served office on a simulated clock whose
engineer «1001» has a history — a signed referral, a withdrawal with its W2 penalty, the
messages of both, a published run, a contract to check — and open referrals due at 20:00, one
of them with a rival candidate. Plus a browser-like HTTP client that signs in through the
forms (CSRF token and cookies as a browser keeps them)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import httpx

from app.services import candidacy, deadlines, engineers, papers, public
from support import ServedOffice

ME, RIVAL, OTHER = "1001", "1002", "1003"
MOBILE = "09121234567"


@dataclass
class SiteOffice:
    office: ServedOffice
    me: int
    rival: int
    other: int
    signed_file: str
    open_referrals: list[int]
    open_files: list[str]
    run_id: int
    paper_code: str
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.office.url


def build(url: str) -> SiteOffice:
    o = ServedOffice(url)
    me = o.engineer(ME, score=300, mobile=MOBILE)
    rival = o.engineer(RIVAL, score=250, mobile="09121234568")
    other = o.engineer(OTHER, score=200)
    for eid, first, last in (
        (me, "سارا", "کریمی"),
        (rival, "رضا", "احمدی"),
        (other, "مریم", "رضایی"),
    ):
        engineers.update_engineer(o.local["admin"], eid, {"first_name": first, "last_name": last})
    # the 23rd: he is chosen for two files; the 24th: he signs one and withdraws from the other
    a = o.project(disciplines=("civil",), area=450)
    b = o.project(disciplines=("civil",), area=300)
    o.papers_ready(a.id)
    local = o.base
    o.at("1405-08-23 10:00")
    for pid in (a, b):
        rid = pid.referral_ids["civil"]
        candidacy.stand(local.as_actor(o.as_engineer[me].actor), me, rid)
        candidacy.stand(local.as_actor(o.as_engineer[rival].actor), rival, rid)
    o.run("1405-08-23 20:00")
    o.at("1405-08-24 09:00")
    deadlines.record_signature(o.local["clerk"], a.referral_ids["civil"])
    deadlines.record_withdrawal(o.local["clerk"], b.referral_ids["civil"], "۱۲۳/ن")
    code = papers.issue_contract(o.local["clerk"], a.id).stamp.code
    # open referrals due at 20:00 on the 24th; the rival stands for the first
    opened = [o.project(disciplines=("civil",), area=area) for area in (220, 380, 150)]
    o.at("1405-08-24 12:00")
    rival_ctx = local.as_actor(o.as_engineer[rival].actor)
    candidacy.stand(rival_ctx, rival, opened[0].referral_ids["civil"])
    run_id = public.published_runs(local)[0].id
    o.at("1405-08-24 19:55")
    return SiteOffice(
        o,
        me,
        rival,
        other,
        a.file_no,
        [p.referral_ids["civil"] for p in opened],
        [p.file_no for p in opened],
        run_id,
        code,
    )


_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Browser:
    """A client that behaves like a browser on the site: keeps cookies, sends the form's CSRF
    token, follows no redirect by itself (the tests look at them)."""

    def __init__(self, url: str):
        self.http = httpx.Client(base_url=url, follow_redirects=False, timeout=60)
        self.csrf = ""

    def get(self, path: str, **kw: Any) -> httpx.Response:
        r = self.http.get(path, **kw)
        m = (
            _TOKEN.search(r.text)
            if r.headers.get("content-type", "").startswith("text/html")
            else None
        )
        if m:
            self.csrf = m.group(1)
        return r

    def post(self, path: str, data: dict[str, Any] | None = None, **kw: Any) -> httpx.Response:
        if not self.csrf:
            self.get("/login")
        body = {"csrfmiddlewaretoken": self.csrf, **(data or {})}
        r = self.http.post(path, data=body, **kw)
        m = (
            _TOKEN.search(r.text)
            if r.headers.get("content-type", "").startswith("text/html")
            else None
        )
        if m:
            self.csrf = m.group(1)
        return r

    def sign_in(self, no: str = ME, password: str = ServedOffice.PASSWORD) -> httpx.Response:
        self.get("/login")
        r = self.post("/login", {"membership_no": no, "password": password, "next": "/"})
        self.get("/")
        return r

    def close(self) -> None:
        self.http.close()


def notes(html: str) -> list[str]:
    """The texts of the page's notes (results, refusals), tags stripped."""
    out = []
    for m in re.finditer(r'<div class="note [^"]*"[^>]*>(.*?)</div>', html, re.S):
        out.append(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", m.group(1))).strip())
    return out

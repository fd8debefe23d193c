"""The web cartable under the 19:50–20:00 rush (issue 13), for the load test and `main.py
bench`'s web measure only (never used by `serve`): engineers made through the services, their
web users with CHEAP argon2 hashes (a load fixture: the first sign-in rehashes each with the
product's parameters, as `sessions.check_credentials` does for any old hash), and bounded
simulated clients that sign in through the form and load the cartable."""

from __future__ import annotations

import re
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import httpx
from argon2 import PasswordHasher
from sqlalchemy import insert, select

from app.db.models import User
from app.services import engineers
from app.services.dto import CompetenceIn, DeclarationIn, EngineerIn

PASSWORD = "load-pass-1405"
CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)  # fixture only
_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def make_engineers(system, n: int, first_no: int = 50_000) -> list[tuple[int, str]]:
    """`n` civil engineers of grade 1, ready for every group, scores spread (ties broken by
    the rules, not by chance): [(id, membership number)]."""
    out = []
    for i in range(n):
        no = str(first_no + i)
        eid = engineers.register_engineer(
            system,
            EngineerIn(
                membership_no=no,
                competences=(CompetenceIn("civil", "1"),),
                base_score=Decimal(100 + (i * 37) % 900) + Decimal(i % 7) / 10,
                first_name="مهندس",
                last_name=f"شماره {i}",
                membership_paid_through=1405,
                declaration=DeclarationIn(1405, True, True, tuple("ABCD"), Decimal(50)),
            ),
        )
        out.append((eid, no))
    return out


def make_users(base, people: list[tuple[int, str]]) -> None:
    """Their web users, in one statement, with the cheap hash (see the module's docstring)."""
    hashed = CHEAP.hash(PASSWORD)
    now = base.now()
    with base.tx() as s:
        s.execute(
            insert(User),
            [
                {
                    "username": f"w{no}",
                    "full_name": f"مهندس {no}",
                    "role": "engineer",
                    "engineer_id": eid,
                    "password_hash": hashed,
                    "active": True,
                    "failed_logins": 0,
                    "created_at": now,
                }
                for eid, no in people
            ],
        )
        assert s.scalar(select(User.id).where(User.username == f"w{people[0][1]}"))


class Client:
    """One engineer's phone: cookies, the form's CSRF token."""

    def __init__(self, url: str):
        self.http = httpx.Client(base_url=url, timeout=120, follow_redirects=False)
        self.csrf = ""

    def _keep(self, r: httpx.Response) -> httpx.Response:
        m = _TOKEN.search(r.text)
        if m:
            self.csrf = m.group(1)
        return r

    def sign_in(self, no: str) -> bool:
        self._keep(self.http.get("/login"))
        r = self.http.post(
            "/login",
            data={"csrfmiddlewaretoken": self.csrf, "membership_no": no, "password": PASSWORD},
        )
        return r.status_code == 302 and "nz_web" in self.http.cookies

    def cartable(self) -> tuple[int, float, str]:
        t = time.perf_counter()
        r = self._keep(self.http.get("/"))
        return r.status_code, time.perf_counter() - t, r.text

    def stand(self, referral_id: int) -> tuple[int, str]:
        r = self._keep(
            self.http.post(
                f"/referrals/{referral_id}/stand",
                data={"csrfmiddlewaretoken": self.csrf},
                headers={"HX-Request": "true"},
            )
        )
        return int(r.headers.get("X-Refused", r.status_code)), r.text

    def close(self) -> None:
        self.http.close()


def p95(xs: list[float]) -> float:
    return statistics.quantiles(xs, n=20, method="inclusive")[-1] if len(xs) > 1 else xs[0]


def rush(url: str, numbers: list[str], workers: int = 50) -> dict:
    """Every engineer signs in and loads his cartable, `workers` at a time: the clients (kept
    for the stands), the sign-in rate and the cartable's latencies."""
    clients: dict[str, Client] = {}
    latencies: list[float] = []
    failures: list[str] = []

    def one(no: str) -> None:
        c = Client(url)
        if not c.sign_in(no):
            failures.append(f"sign-in {no}")
            return
        status, seconds, _ = c.cartable()
        if status != 200:
            failures.append(f"cartable {no}: {status}")
        latencies.append(seconds)
        clients[no] = c

    t = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(one, numbers))
    elapsed = time.perf_counter() - t
    return {
        "clients": clients,
        "latencies": latencies,
        "failures": failures,
        "seconds": elapsed,
        "sign_ins_per_s": len(clients) / elapsed if elapsed else 0.0,
    }

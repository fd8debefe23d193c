"""The "done when" of issues 12 and 13 on one demo province served by `main.py serve` over
PostgreSQL (a separate process on the real clock, as an office runs it):

- every desk screen: `main.py screenshots OUT --server URL` draws them all through it, signed
  in as the demo's people, and each picture has something on it;
- an engineer of the demo on a phone-sized headless Chromium (390 px): signs in by his
  membership number, sees his cartable, stands for a referral, finds himself in its public
  list, reads his state and signs out."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from sqlalchemy import create_engine, text

from app.demo.province import ENGINEER_PASSWORD
from app.domain.text import persian_digits
from web_support import CHROMIUM, FLAGS, chromium_or_fail

ROOT = Path(__file__).resolve().parents[2]
SCREENS = (
    "login",
    "connection",
    "counter",
    "signing",
    "stages",
    "finance",
    "finance-renewals",
    "finance-payouts",
    "payouts",
    "board",
    "cartable",
    "engineers",
    "firm-register",
    "audit",
    "policy",
    "tariffs",
    "organization",
    "print-preview",
)


def _main(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "main.py", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        timeout=900,
    )


@pytest.fixture(scope="module")
def demo_server(pg_server, tmp_path_factory):
    """A demo province on PostgreSQL and `main.py serve` over it: (its URL, the database)."""
    url = pg_server.create_database(f"demo_served_{os.getpid()}")
    built = _main("demo", "--db", url, "--engineers", "150", "--projects", "24")
    assert built.returncode == 0, built.stderr[-2000:]
    data = tmp_path_factory.mktemp("srv")
    server = subprocess.Popen(
        [
            sys.executable,
            "main.py",
            "serve",
            "--db",
            url,
            "--port",
            "0",
            "--data",
            str(data),
            "--key-file",  # the key the demo's trail and papers were made with
            str(Path(os.environ["NEZARAT_DATA"]) / "server.key"),
            "--sms",
            "off",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = server.stdout.readline()
        assert "listening on http://" in line, line + server.stderr.read()
        yield line.split("listening on ", 1)[1].split()[0], url
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)


def test_every_desk_screen_through_an_office_server_over_postgresql(demo_server, tmp_path):
    url, _ = demo_server
    shot = _main("screenshots", str(tmp_path / "shots"), "--server", url)
    assert shot.returncode == 0, shot.stderr[-3000:]
    for name in SCREENS:
        image = QImage(str(tmp_path / "shots" / f"{name}.png"))
        assert not image.isNull(), name
        corner = image.pixel(1, 1)
        varied = sum(
            image.pixel(x, y) != corner
            for x in range(0, image.width(), 17)
            for y in range(0, image.height(), 17)
        )
        assert varied > 50, f"{name}.png is blank"


def test_a_demo_engineer_stands_from_a_phone_through_main_serve(demo_server, tmp_path):
    sync_playwright = chromium_or_fail()
    from playwright.sync_api import expect

    base, db = demo_server
    engine = create_engine(db)
    with engine.connect() as c:  # eng1 of the demo's printed logins
        member_no = c.execute(
            text(
                "SELECT e.membership_no FROM users u JOIN engineers e ON e.id = u.engineer_id"
                " WHERE u.username = 'eng1'"
            )
        ).scalar_one()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        page = browser.new_context(
            viewport={"width": 390, "height": 844}, locale="fa-IR", timezone_id="Asia/Tehran"
        ).new_page()
        page.goto(f"{base}/")
        page.get_by_label("شماره عضویت").fill(persian_digits(member_no))
        page.get_by_label("گذرواژه").fill(ENGINEER_PASSWORD)
        page.get_by_role("button", name="ورود").click()
        page.wait_for_url(f"{base}/")
        standable = page.locator("li.item").filter(
            has=page.get_by_role("button", name="کاندیدا می‌شوم")
        )
        assert standable.count() >= 1, page.locator("main").inner_text()
        item = standable.first
        item_id = item.get_attribute("id")
        item.get_by_role("button", name="کاندیدا می‌شوم").click()
        expect(page.locator("#cartable .note.ok")).to_contain_text("کاندیداتوری شما ثبت شد")
        page.screenshot(path=str(tmp_path / "demo-stood-phone.png"), full_page=True)
        page.locator(f"#{item_id}").get_by_role("link").click()
        assert page.locator("tr.me").count() == 1  # himself in the public list (C6)
        page.goto(f"{base}/me")
        assert page.get_by_role("heading", name="وضعیت من").is_visible()
        over = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert over <= 1
        page.get_by_role("button", name="خروج").click()
        page.wait_for_url(re.compile(r"/login\?out=1"))
        browser.close()
    with engine.connect() as c:  # the stand is the server's record, once
        stood = c.execute(
            text(
                "SELECT count(*) FROM candidacies k JOIN engineers e ON e.id = k.engineer_id"
                " WHERE e.membership_no = :m AND k.referral_id = :r AND k.status = 'active'"
            ),
            {"m": member_no, "r": int(item_id.removeprefix("r"))},
        ).scalar_one()
    engine.dispose()
    assert stood == 1

"""The cartable's items written in Python (web/templatetags/cartable.py) give the same bytes
as the Django template loop they replaced (tests/web/cartable_loop_before.html): standing and
not, his one cancel spent (C4) or the day's cancels used up (C5), every group, whole and
fractional areas, a deadline passed and days away, no CSRF token and a token, and text that
must be escaped.

The template is the reference the Python code is held to, changed with it where the page
changed on purpose: the area written as the other pages write it (`area`, thousands
separated), the buttons' accessible names naming the file and the discipline, the countdown
read out with its deadline (no `aria-label` hiding it), the C4 and C5 notes instead of the
cancel button."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from app.keys import ephemeral_key
from app.services.dto import CartableItem

BEFORE = (Path(__file__).parent / "cartable_loop_before.html").read_text(encoding="utf-8")


def _items() -> list[CartableItem]:
    base = datetime(2026, 11, 18, 16, 30, tzinfo=UTC)
    rows = []
    for k, (grp, disc) in enumerate(
        [("A", "civil"), ("B", "arch"), ("C", "mech"), ("D", "elec"), ("X", "survey")]
    ):
        for standing in (True, False):
            rows.append(
                CartableItem(
                    referral_id=1000 + 2 * k + standing,
                    file_no=f"1405-{k:04d}" if k != 4 else "1405-<b>&\"'",
                    discipline=disc if k != 4 else "<i>odd&</i>",
                    group=grp,
                    area=Decimal("450.00") if standing else Decimal("1234.56"),
                    round_no=k + 1,
                    round_kind="candidacy",
                    deadline=base + timedelta(days=k - 1, seconds=37 * k),
                    standing=standing,
                    candidates=k * 3,
                    cancel_used=standing and k == 1,
                )
            )
    return rows


def test_the_items_are_the_bytes_the_template_loop_wrote():
    from web.django_setup import configure

    configure(ephemeral_key(), False, ["testserver"])
    from django.template import Context, Template

    now = datetime(2026, 11, 18, 12, 0, 5, tzinfo=UTC)
    old = Template("{% load fa %}" + BEFORE)
    new = Template("{% load cartable %}{% cartable_items items %}")
    items = _items()
    for token, cancels in ((None, None), ("NOTPROVIDED", (2, 3)), ("a1B2c3<&>", (3, 3))):
        data = {"items": items, "server_time": now, "cancels_today": cancels}
        if token is not None:
            data["csrf_token"] = token
        before, after = old.render(Context(data)), new.render(Context(data))
        assert after == before
        assert "&lt;b&gt;&amp;&quot;&#x27;" in after  # escaped as the template escaped it
        # the area as /board and /me write it: thousands separated
        assert "<dd>۱٬۲۳۴٫۵۶ مترمربع</dd>" in after and "<dd>۴۵۰ مترمربع</dd>" in after
        # each button names its file and discipline; the countdown is not hidden by a label
        assert (
            'کاندیدا می‌شوم<span class="visually-hidden"> برای پرونده ۱۴۰۵-۰۰۰۰، عمران</span>'
            in after
        )
        assert "aria-label" not in after
        assert '<span class="visually-hidden"> تا مهلت ساعت ' in after
        # a deadline passed is read out as passed, not «مهلت گذشت تا مهلت ساعت …»
        assert '<span class="left">مهلت گذشت</span></span>' in after
        assert "مهلت گذشت</span><span" not in after
        spent = after.count("لغو دوباره مجاز نیست (C4)")
        full = after.count("سقف لغو در روز ۳ بار است")
        cancel = after.count('class="danger">لغو کاندیداتوری<span class="visually-hidden"> پرونده')
        assert spent == 1  # the one with his cancel spent, whatever the day's count
        if cancels == (3, 3):  # the day's cancels used up: no cancel to press (C5)
            assert full == 4 and cancel == 0 and "امروز ۳ بار" in after
        else:
            assert full == 0 and cancel == 4
    assert (
        Template("{% load cartable %}{% cartable_items items %}").render(
            Context({"items": [], "server_time": now})
        )
        == ""
    )

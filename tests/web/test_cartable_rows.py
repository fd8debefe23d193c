"""The cartable's items written in Python (web/templatetags/cartable.py) give the same bytes
as the Django template loop they replaced (tests/web/cartable_loop_before.html, kept as it
was): standing and not, every group, whole and fractional areas, a deadline passed and days
away, no CSRF token and a token, and text that must be escaped."""

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
    for token in (None, "NOTPROVIDED", "a1B2c3<&>"):
        data = {"items": items, "server_time": now}
        if token is not None:
            data["csrf_token"] = token
        before, after = old.render(Context(data)), new.render(Context(data))
        assert after == before
        assert "&lt;b&gt;&amp;&quot;&#x27;" in after  # escaped as the template escaped it
    assert (
        Template("{% load cartable %}{% cartable_items items %}").render(
            Context({"items": [], "server_time": now})
        )
        == ""
    )

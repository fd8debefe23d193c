"""The cartable's list of open referrals, written in Python: an engineer's cartable holds
hundreds of referrals at 19:50, and Django's template engine spent ~90% of the page's time
resolving ~25 variables per item (profiled: 10,600 node renders per page). Same bytes as the
template it replaces (tests/web/test_cartable_rows.py renders both and compares)."""

from __future__ import annotations

from html import escape

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.utils.safestring import SafeString

from .fa import PASSED, area, countdown, discipline, fa, fatext, group, hm, iso, jday

register = template.Library()

_ITEM = (
    '\n  <li class="item{mine}" id="r{rid}">\n'
    '    <div class="head">\n'
    '      <h2 class="file">پرونده <span class="ltr">{file}</span> — {disc}</h2>\n'
    "      {badge}\n"
    "    </div>\n"
    "    <dl>\n"
    "      <dt>گروه ساختمانی</dt><dd>{group}</dd>\n"
    "      <dt>متراژ</dt><dd>{area} مترمربع</dd>\n"
    "      <dt>دور</dt><dd>{round}</dd>\n"
    "      <dt>مهلت</dt><dd>{day} ساعت {hm}</dd>\n"
    '      <dt>مانده</dt><dd><span class="countdown" data-deadline="{iso}"'
    '><span class="left">{left}</span>{until}'
    "</span></dd>\n"
    '      <dt>کاندیداها</dt><dd><a href="/board/{rid}">{candidates} نفر (فهرست عمومی)</a></dd>\n'
    "    </dl>\n"
    "{risk}"
    '    <div class="actions">\n'
    "    {action}\n"
    "    </div>\n"
    "  </li>\n"
)
# the countdown read out with its deadline («۰۰:۰۴:۱۲ تا مهلت ساعت ۲۰:۰۰»); once the deadline
# has passed, «مهلت گذشت» alone (site.js drops it the same way when the deadline passes)
_UNTIL = '<span class="visually-hidden"> تا مهلت ساعت {hm}</span>'
_ON = '<span class="badge on">کاندیدا هستید</span>'
_OFF = '<span class="badge">کاندیدا نیستید</span>'
_CANCEL = (
    "\n"
    '      <form method="post" action="/referrals/{rid}/cancel" hx-post="/referrals/{rid}/cancel"'
    ' hx-target="#cartable" hx-swap="innerHTML"\n'
    '            hx-confirm="کاندیداتوری پرونده {file} ({disc}) لغو شود؟ لغو برای هر ارجاع تنها'
    ' یک بار مجاز است (C4).">\n'
    '        {csrf}<button type="submit" class="danger">لغو کاندیداتوری'
    '<span class="visually-hidden"> پرونده {file}، {disc}</span></button>\n'
    "      </form>\n"
    "    "
)
# a candidacy standing again after his one cancel (C4): nothing to press, and he is told why
_SPENT = (
    '\n      <p class="muted">لغو این ارجاع را یک بار انجام داده‌اید؛ لغو دوباره مجاز نیست'
    " (C4).</p>\n    "
)
# his cancellations of the day have reached C5's limit (the policy's, counted by the services):
# nothing to press, and he is told why and how many
_FULL = (
    '\n      <p class="muted">امروز {used} بار کاندیداتوری را لغو کرده‌اید و سقف لغو در روز'
    " {limit} بار است؛ لغو دیگری تا پایان امروز پذیرفته نمی‌شود (C5).</p>\n    "
)
# A1: a candidacy in force that the deadline's re-check would set aside as things stand (his
# declaration dropped the group or readiness, his capacity is gone): why, and what to do
_AT_RISK = (
    '    <p class="note warn at-risk">در بازبینی ساعت مهلت ({hm}) این کاندیداتوری کنار گذاشته'
    " می‌شود و به شمار نمی‌آید (A1): {why}. پیش از مهلت"
    ' <a href="/declaration">خوداظهاری</a> را اصلاح کنید.</p>\n'
)
_STAND = (
    "\n"
    '      <form method="post" action="/referrals/{rid}/stand" hx-post="/referrals/{rid}/stand"'
    ' hx-target="#cartable" hx-swap="innerHTML">\n'
    '        {csrf}<button type="submit">کاندیدا می‌شوم<span class="visually-hidden"> برای پرونده'
    " {file}، {disc}</span></button>\n"
    "      </form>\n"
    "    "
)


@register.simple_tag(takes_context=True)
def cartable_items(context, items) -> SafeString:
    """The `<li>` of each open referral (C2), with its stand or cancel form (C3–C5)."""
    csrf = CsrfTokenNode().render(context)  # the field `{% csrf_token %}` writes
    now = context["server_time"]
    # C5: (his cancellations today, the policy's limit a day), when the view read them
    used, limit = context.get("cancels_today") or (0, None)
    at_risk = context.get("at_risk") or {}
    full = limit is not None and used >= limit
    # most of a cartable shares one deadline (20:00): its words are made once per call
    times: dict[object, tuple[str, str, str, str, str]] = {}
    out = []
    for i in items:
        when = times.get(i.deadline)
        if when is None:
            d = i.deadline
            left = countdown(d, now)
            until = "" if left == PASSED else _UNTIL.format(hm=hm(d))
            when = times[d] = (jday(d), hm(d), iso(d), left, until)
        day, at, stamp, left, until = when
        # numbers and instants are Persian digits and fixed words: nothing to escape
        rid = str(int(i.referral_id))
        file_no, disc = escape(fa(i.file_no)), escape(discipline(i.discipline))
        if not i.standing:
            action = _STAND
        elif i.cancel_used:
            action = _SPENT
        elif full:
            action = _FULL
        else:
            action = _CANCEL
        risk = ""
        gone = at_risk.get(i.referral_id) if i.standing else None
        if gone is not None:
            why = "؛ ".join(f"{fatext(w.message)} ({escape(w.rule)})" for w in gone.reasons)
            risk = _AT_RISK.format(hm=at, why=why)
        out.append(
            _ITEM.format(
                mine=" mine" if i.standing else "",
                rid=rid,
                file=file_no,
                disc=disc,
                badge=_ON if i.standing else _OFF,
                group=escape(group(i.group)),
                area=area(i.area),
                round=fa(int(i.round_no)),
                day=day,
                hm=at,
                iso=stamp,
                left=left,
                until=until,
                candidates=fa(int(i.candidates)),
                risk=risk,
                action=action.format(
                    rid=rid,
                    file=file_no,
                    disc=disc,
                    csrf=csrf,
                    used=fa(used),
                    limit=fa(limit),
                ),
            )
        )
    return SafeString("".join(out))

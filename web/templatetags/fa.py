"""Template filters of the web site: Persian digits, Jalali dates in Tehran time, Persian names
of codes (the shared presentation of app/present/fa.py)."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from app.domain.calendar import format_jalali_date, local
from app.domain.codes import DISCIPLINE_FA, GRADE_FA, GROUP_FA
from app.domain.rules_fa import RULE_TEXT_FA
from app.present.fa import KIND_FA, LEDGER_FA, OUTCOME_FA, STATUS_FA

register = template.Library()
_FA = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
WEEKDAY_FA = ("دوشنبه", "سه‌شنبه", "چهارشنبه", "پنجشنبه", "جمعه", "شنبه", "یکشنبه")


@register.filter
def fa(value: object) -> str:
    """Persian digits; a number without needless zeros and «٫» for its point, as the desk
    writes areas (`app.domain.fee_words.area_fa`): a score kept as 15979.1600 is ۱۵۹۷۹٫۱۶."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "بله" if value else "خیر"
    if isinstance(value, Decimal):
        if value.is_finite():
            value = value.normalize() if value else Decimal(0)  # 300.00 → 3E+2 → 300; -0 → 0
        return _signed(f"{value:f}".translate(_FA).replace(".", "٫"))
    if isinstance(value, float):
        return fa(Decimal(repr(value)))
    if isinstance(value, int):
        return _signed(str(value).translate(_FA))
    return str(value).translate(_FA)


def _signed(number: str) -> str:
    """A negative number kept left to right (an isolate, as `app.present.fa.code` keeps one):
    in a right-to-left line bidi puts its minus after it, «۲۲۷٫۸۳-» for −227.83."""
    return f"\u2066{number}\u2069" if number.startswith("-") else number


# A Latin number inside Persian text the services wrote (an SMS's text, a refusal): not one
# glued to Latin letters — rule codes (C3, A10) and typed codes (K7QM-2XWD) stay as they are.
_LATIN_NUMBER = re.compile(r"(?<![A-Za-z0-9_])[0-9]+(?:\.[0-9]+)?(?![A-Za-z0-9_])")
# digits joined by «-», «/» or «•» (a file number, a letter's number, a mobile's hint): kept
# left to right as the pages' <span class="ltr"> keeps them, else bidi shows ۱۴۰۵-۰۱۵۰ as
# ۰۱۵۰-۱۴۰۵ in a right-to-left line. A Jalali date is left as `jdate` writes it.
_JOINED = re.compile(r"[۰-۹]+(?:[-/•]+[۰-۹]+)+")
_DATE = re.compile(r"[۰-۹]{4}[-/][۰-۹]{2}[-/][۰-۹]{2}")
# A rule's code (C3, A10, S1) in Persian text: not in a tag (an attribute), not glued to
# letters or digits (a paper's code K7QM-2XWD), not already isolated.
_RULE_ID = re.compile(
    r"(?<![A-Za-z0-9_])(?<!<bdi>)([A-Z][0-9]{1,2})(?![A-Za-z0-9_])(?!</bdi>)(?![^<>]*>)"
)


@register.filter
def fatext(value: object) -> SafeString:
    """Persian text made elsewhere, for the page: its numbers in Persian digits with «٫» for a
    decimal point (`3891.9 مترمربع` → `۳۸۹۱٫۹ مترمربع`), file numbers kept in order."""
    if value is None:
        return SafeString("")
    text = _LATIN_NUMBER.sub(lambda m: m.group().translate(_FA).replace(".", "٫"), str(value))
    text = re.sub(r"(?<=[۰-۹])\.(?=[۰-۹])", "٫", escape(text))
    return mark_safe(_JOINED.sub(_kept_in_order, text))


def _kept_in_order(m: re.Match[str]) -> str:
    joined = m.group()
    if _DATE.fullmatch(joined):  # a date the services wrote: as `jdate` writes one
        return _bdi(joined.replace("-", "/"))
    return f'<span class="ltr">{joined}</span>'


def _bdi(text: str) -> str:
    return f'<bdi dir="ltr">{text}</bdi>'


def rule_ids(html: str) -> str:
    """Each rule's code in a page's text isolated (<bdi>): in a right-to-left line «(S1، S4
    تا S7)» would otherwise show «(،S1 …» — the Persian comma joins two Latin codes into one
    left-to-right run. Attributes and codes already isolated are left alone."""
    return _RULE_ID.sub(r"<bdi>\1</bdi>", html)


@register.filter(is_safe=True)
def ruleids(value: object) -> SafeString:
    """`rule_ids` for a template's text (escaped first unless already safe); a list of codes
    is joined with «، », each isolated."""
    if value is None:
        return SafeString("")
    if isinstance(value, list | tuple | set | frozenset):
        return mark_safe("، ".join(f"<bdi>{escape(str(v))}</bdi>" for v in value))
    text = value if isinstance(value, SafeString) else escape(str(value))
    return mark_safe(rule_ids(str(text)))


@register.filter
def num(value: object) -> str:
    """A whole number with the Persian thousands separator (rials)."""
    if value is None:
        return ""
    try:
        return _signed(f"{int(value):,}".replace(",", "٬").translate(_FA))
    except (TypeError, ValueError):
        return fa(value)


def jdate_text(value: date | datetime | None) -> str:
    """۱۴۰۵/۰۸/۲۳ (a datetime: its day in Tehran), as the printed papers write a date
    (`reports.common.jdate`); plain text, for an attribute."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local(value).date()
    return format_jalali_date(value).replace("-", "/").translate(_FA)


@register.filter
def jdate(value: date | datetime | None) -> SafeString:
    """A date isolated left to right (<bdi dir="ltr">), year first read from the left as in
    the tables, whatever Persian words are around it."""
    return SafeString(_bdi(jdate_text(value)) if value is not None else "")


@register.filter
def jday(value: date | datetime | None) -> SafeString:
    """«شنبه ۱۴۰۵/۰۸/۲۳»."""
    if value is None:
        return SafeString("")
    d = local(value).date() if isinstance(value, datetime) else value
    return SafeString(f"{WEEKDAY_FA[d.weekday()]} {jdate(d)}")


@register.filter
def hm(value: datetime | None) -> str:
    """۲۰:۰۰, Tehran time."""
    return "" if value is None else f"{local(value):%H:%M}".translate(_FA)


@register.filter
def hms(value: datetime | None) -> str:
    return "" if value is None else f"{local(value):%H:%M:%S}".translate(_FA)


@register.filter
def jdt(value: datetime | None) -> SafeString:
    """۱۴۰۵/۰۸/۲۳ ساعت ۲۰:۰۰ (Tehran), the date and the time each isolated."""
    if value is None:
        return SafeString("")
    return SafeString(f"{jdate(value)} ساعت {_bdi(hm(value))}")


@register.filter
def area(value: object) -> str:
    """An area in m² as the printed papers write it (`reports.rtl.fa_area`: a whole one
    without decimals, any other with two, thousands separated): ۱٬۱۱۹٫۸۰, ۹۰۵٫۱۷, ۴۵۰."""
    if value is None or value == "":
        return ""
    return _area(value)


@lru_cache(maxsize=65536)
def _area(value: object) -> str:  # a cartable writes hundreds of areas, the same ones for all
    from reports.rtl import fa_area

    return _signed(fa_area(value).replace("‎", ""))


@register.filter
def iso(value: datetime | None) -> str:
    return "" if value is None else value.isoformat()


@register.filter
def discipline(code: str) -> str:
    return DISCIPLINE_FA.get(code, code)


@register.filter
def group(code: str | None) -> str:
    return GROUP_FA.get(code or "", code or "")


@register.filter
def grade(code: str | None) -> str:
    return GRADE_FA.get(code or "", code or "—")


_STATUS_WORDS = {  # the referral states, and what an engineer's own referrals add to them
    **STATUS_FA,
    "withdrawn": "انصراف کتبی",
    "no_show": "عدم حضور برای امضا",
    "earlier": "کار پیشین",
    "written": "انصراف کتبی",
}


@register.filter
def status(code: str | None) -> str:
    return _STATUS_WORDS.get(code or "", code or "")


@register.filter
def outcome(code: str | None) -> str:
    return OUTCOME_FA.get(code or "", code or "")


@register.filter
def ledger(code: str | None) -> str:
    return LEDGER_FA.get(code or "", code or "")


@register.filter
def kind(code: str | None) -> str:
    return KIND_FA.get(code or "", code or "")


@register.filter
def rule(code: str) -> str:
    return RULE_TEXT_FA.get(code, code)


@register.filter
def percent(used: object, total: object) -> int:
    """0–100, for a bar's width class."""
    try:
        u, t = Decimal(str(used)), Decimal(str(total))
    except ArithmeticError:
        return 0
    if t <= 0:
        return 100 if u > 0 else 0
    return max(0, min(100, int(u * 100 / t)))


@register.filter
def step10(value: int) -> int:
    """A percentage rounded to tens (the bar's CSS class: no inline style under the CSP)."""
    return int(round(int(value) / 10) * 10)


@register.simple_tag
def asset(name: str) -> str:
    """The URL of one of the site's own static files, with its digest (web/static_files.py)."""
    from web.static_files import url

    return url(name)


PASSED = "مهلت گذشت"  # a countdown whose deadline has passed (site.js writes the same words)


@register.filter
def countdown(until: datetime | None, now: datetime) -> str:
    """What is left until `until` by the server's clock: ۰۲:۰۵:۰۹ (days first), or «مهلت گذشت».
    The page's script keeps it running; this is the figure the page was made with."""
    if until is None:
        return ""
    secs = int((until - now).total_seconds())
    if secs <= 0:
        return PASSED
    d, rem = divmod(secs, 86400)
    h, rem = divmod(rem, 3600)
    m, s = divmod(rem, 60)
    text = f"{h:02d}:{m:02d}:{s:02d}".translate(_FA)
    return f"{fa(d)} روز و {text}" if d else text


@register.filter
def clock(value: time | None) -> str:
    """A policy's hour of the day (a `time`, no date): ۲۰:۰۰."""
    return "" if value is None else f"{value:%H:%M}".translate(_FA)

"""Display formatting, one copy for the desk, the papers and the web: Persian digits, Jalali
dates, Persian names of codes (layout.md: app/present/fa.py)."""

from __future__ import annotations

import errno
from datetime import date, datetime, timedelta
from decimal import Decimal

from app.domain.calendar import format_jalali_date, format_jalali_datetime
from app.domain.codes import DISCIPLINE_FA, GRADE_FA, GROUP_FA
from app.domain.digits import grouped

_FA = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")

STATUS_FA = {
    "waiting": "در انتظار",
    "open": "باز",
    "selected": "انتخاب‌شده",
    "signed": "امضاشده",
    "completed": "پایان‌یافته",
    "unassigned": "بدون ناظر",
    "intake": "پذیرش",
    "distribution": "در توزیع",
    "pending": "در انتظار تأیید",
    "approved": "تأییدشده",
    "rejected": "ردشده",
    "requested": "درخواست‌شده",
    "paid": "پرداخت‌شده",
}
OUTCOME_FA = {
    "selected": "انتخاب",
    "extended": "تمدید",
    "forced": "ارجاع اجباری",
    "unassigned": "بدون ناظر",
    "withdrawn": "انصراف",
    "no_show": "عدم حضور",
}
KIND_FA = {"person": "حقیقی", "firm": "حقوقی", "candidacy": "کاندیداتوری", "forced": "اجباری"}
LEDGER_FA = {"charge": "کسر امتیاز", "refund": "بازگشت", "penalty": "جریمه", "base": "پایه"}


# A left-to-right isolate keeps `۱۴۰۵-۰۱۵۰` in order inside a sentence; the right-to-left mark
# before it keeps a sentence that starts with one right-to-left (Qt takes the paragraph's
# direction from the first strong character it meets, inside the isolate too).
LRI, PDI, RLM = "\u2066", "\u2069", "\u200f"


def code(value: object) -> str:
    """A code, number or date inside Persian text: Persian digits, kept left-to-right (without
    the isolate, bidi turns the digits after Persian letters into separate runs and
    `۱۴۰۵-۰۱۵۰` reads `۰۱۵۰-۱۴۰۵`)."""
    text = fa(value)
    return f"{RLM}{LRI}{text}{PDI}" if text and not text.startswith(RLM) else text


def plain(text: str) -> str:
    """Without the isolates (for Excel and for comparing)."""
    return text.replace(LRI, "").replace(PDI, "").replace(RLM, "")


def fa(value: object) -> str:
    """Any value as text with Persian digits (None: empty); dates are Jalali, isolated."""
    if type(value) is str:  # the common cases first: a list shows thousands of them
        return value.translate(_FA)
    if type(value) is int:
        return str(value).translate(_FA)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "بله" if value else "خیر"
    if isinstance(value, datetime):  # ۱۴۰۵/۰۹/۱۵ ۲۰:۰۰, as the date edits and the papers
        return f"{RLM}{LRI}{fa(format_jalali_datetime(value).replace('-', '/'))}{PDI}"
    if isinstance(value, date):
        return f"{RLM}{LRI}{fa(format_jalali_date(value).replace('-', '/'))}{PDI}"
    if isinstance(value, Decimal):
        value = value.normalize() if value == value.to_integral() else value
        return fa(f"{value:f}").replace(".", "٫")  # the Persian decimal separator
    if isinstance(value, float):
        return fa(repr(value)).replace(".", "٫")
    return str(value).translate(_FA)


def fa_int(n: int) -> str:
    """Grouped thousands with the Persian separator."""
    return grouped(n)


def discipline(code: str) -> str:
    return DISCIPLINE_FA.get(code, code)


def disciplines(codes) -> str:
    return "، ".join(discipline(c) for c in codes)


def group(code: str | None) -> str:
    return GROUP_FA.get(code or "", code or "")


def grade(code: str | None) -> str:
    return GRADE_FA.get(code or "", code or "")


def status(code: str | None) -> str:
    return STATUS_FA.get(code or "", code or "")


def countdown(until: datetime | None, now: datetime) -> str:
    """`۲:۰۵:۰۹` left (days first when more than one), or «گذشته»."""
    if until is None:
        return ""
    left = until - now
    if left <= timedelta(0):
        return "گذشته"
    secs = int(left.total_seconds())
    d, rem = divmod(secs, 86400)
    h, rem = divmod(rem, 3600)
    m, s = divmod(rem, 60)
    text = f"{h:02d}:{m:02d}:{s:02d}"
    return f"{fa(d)} روز و {code(text)}" if d else code(text)


# why a file could not be opened or read, in a clerk's words (else the system's own)
_WHY_NOT_READ = {
    errno.ENOENT: "پیدا نشد",
    errno.EISDIR: "پوشه است، نه پرونده",
    errno.ENOTDIR: "بخشی از مسیر آن پرونده است، نه پوشه",
    errno.EACCES: "اجازه خواندن نیست",
    errno.EPERM: "اجازه خواندن نیست",
}


def why_not_read(exc: OSError) -> str:
    """Why an input file could not be read, in Persian (the commands, a restore's backup)."""
    return _WHY_NOT_READ.get(exc.errno or 0) or exc.strerror or type(exc).__name__

"""Pieces every document shares: the heading with the QR code, dates, labels."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from app.domain.calendar import format_jalali_date, local
from app.domain.codes import DISCIPLINE_FA, GRADE_FA, GROUP_FA
from app.services.document_dto import OrganizationInfo

from .layout import BOLD, Page
from .rtl import fa_digits, text_width

OUTCOME_FA = {
    "selected": "انتخاب شد",
    "extended": "تمدید مهلت",
    "forced": "ارجاع اجباری",
    "unassigned": "بدون ناظر",
    "withdrawn": "انتخاب شد؛ سپس انصراف کتبی",
    "no_show": "انتخاب شد؛ سپس عدم حضور برای امضا",
}


def jdate(d: date | datetime | None) -> str:
    """Jalali date with Persian digits, ۱۴۰۵/۰۸/۲۸ ('—' when unknown)."""
    if d is None:
        return "—"
    if isinstance(d, datetime):
        d = local(d).date()
    return _jdate(d)


@lru_cache(maxsize=1024)
def _jdate(d: date) -> str:
    return fa_digits(format_jalali_date(d).replace("-", "/"))


def jdatetime_fa(at: datetime | None) -> str:
    if at is None:
        return "—"
    loc = local(at)
    return f"{jdate(loc.date())} ساعت {fa_digits(loc.strftime('%H:%M'))}"


def discipline_fa(code: str) -> str:
    return DISCIPLINE_FA.get(code, code)


def grade_fa(code: str | None) -> str:
    return GRADE_FA.get(code, "—") if code else "—"


def group_fa(code: str) -> str:
    return GROUP_FA.get(code, code)


def or_dash(text: object) -> str:
    s = str(text).strip() if text is not None else ""
    return fa_digits(s) if s else "—"


def heading(
    page: Page,
    org: OrganizationInfo,
    title: str,
    facts: list[tuple[str, str]],
    qr_payload: str | None = None,
    bismillah: bool = True,
) -> None:
    """Organization and title centred, facts (label, value) at the top left, QR at the left."""
    top = page.y
    qr = 66
    if qr_payload:
        page.qr(qr_payload, page.left, top - qr, qr)
    centre = {"align": "center", "x_left": 0, "x_right": page.width}
    if bismillah:
        page.text("به نام خدا", top - 10, 9, **centre)
    page.text(org.name, top - 28, 12, bold=True, **centre)
    page.text(org.unit, top - 42, 8.5, **centre)
    page.text(title, top - 66, 14, bold=True, **centre)
    # facts at the right-hand top: label on the right, value after it
    y = top - 12
    for label, value in facts:
        page.text(f"{label}:", y, 8.5, bold=True)
        lw = text_width(f"{label}: ", BOLD, 8.5)
        page.text(value, y, 8.5, x_right=page.right - lw)
        y -= 13
    page.y = min(top - 76, y) - 4
    page.rule(3)

"""Pieces every paper shares: the heading with the issued paper's number, date and QR code, the
footer on every page, dates, labels."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from app.domain.calendar import format_jalali_date, local
from app.domain.codes import DISCIPLINE_FA, GRADE_FA, GROUP_FA
from app.domain.rules_fa import join_fa
from app.services.document_dto import OrganizationInfo, PaperStamp, PropertyInfo, SupervisorRow

from .layout import BOLD, MID, REGULAR, Page
from .rtl import fa_area, fa_digits, text_width

OUTCOME_FA = {
    "selected": "انتخاب شد",
    "extended": "تمدید مهلت",
    "forced": "ارجاع اجباری",
    "unassigned": "بدون ناظر",
}
# why a supervisor named in a contract (or an addendum) left before signing it, with the day
REASON_FA = {
    "written": "در {on} کتباً انصراف داد",
    "no_show": "در مهلت امضای {on} برای امضای قرارداد حاضر نشد",
    "": "قرارداد را امضا نکرد",
}
KIND_FA = {
    "contract": "قرارداد نظارت",
    "commitment": "تعهدنامه ناظر",
    "receipt": "رسید پذیرش پرونده",
    "letter": "معرفی‌نامه ناظران",
    "daily": "گزارش نتایج ارجاع",
}


def jdate(d: date | datetime | None) -> str:
    """Jalali date with Persian digits, ۱۴۰۵/۰۸/۲۸ ('' when unknown)."""
    if d is None:
        return ""
    if isinstance(d, datetime):
        d = local(d).date()
    return _jdate(d)


@lru_cache(maxsize=1024)
def _jdate(d: date) -> str:
    return fa_digits(format_jalali_date(d).replace("-", "/"))


# joins a date, «ساعت» and the time: the wrapper breaks lines at spaces only (rtl.wrap), so
# «۱۴۰۵/۰۹/۱۱ ساعت ۰۸:۳۸» never ends a line with «ساعت» and starts the next with the time
NBSP = "\u00a0"


def jdatetime_fa(at: datetime | None) -> str:
    """«۱۴۰۵/۰۹/۱۱ ساعت ۰۸:۳۸», held together by no-break spaces (one word to the wrapper)."""
    if at is None:
        return ""
    loc = local(at)
    return f"{jdate(loc.date())}{NBSP}ساعت{NBSP}{fa_digits(loc.strftime('%H:%M'))}"


def discipline_fa(code: str) -> str:
    return DISCIPLINE_FA.get(code, code)


def grade_fa(code: str | None, kind: str = "person") -> str:
    """«پایه یک»; a firm (a legal person) holds a rank, «رتبه یک», not a grade."""
    text = GRADE_FA.get(code, "") if code else ""
    return text.replace("پایه", "رتبه", 1) if kind == "firm" else text


def group_fa(code: str) -> str:
    return GROUP_FA.get(code, code)


def band_fa(band: str) -> str:
    """ "3-5" → «۳ تا ۵ طبقه», "16+" → «۱۶ طبقه و بیشتر»."""
    if band.endswith("+"):
        return f"{fa_digits(band[:-1])} طبقه و بیشتر"
    a, _, b = band.partition("-")
    return f"{fa_digits(a)} تا {fa_digits(b)} طبقه"


def stamp_number(stamp: PaperStamp | None) -> str:
    return fa_digits(stamp.number) if stamp else "پیش‌نویس"


def issued_on(stamp: PaperStamp | None) -> str:
    return jdate(stamp.issued_at) if stamp else ""


def footer_text(org: OrganizationInfo, what: str, stamp: PaperStamp | None) -> str:
    if stamp is None:
        return f"{org.name} — {what} — پیش‌نویس، فاقد اعتبار"
    return f"{org.name} — {what} شماره {fa_digits(stamp.number)}"


INITIALS = "محل پاراف طرفین: ..............................."
RECEIPT_INITIALS = "پاراف تحویل‌دهنده پرونده و کارشناس: ......................"
COMMITMENT_INITIALS = "محل پاراف ناظر: ..............................."
COMMITMENT_INITIALS_FIRM = "محل پاراف صاحب امضای مجاز: ..............................."


def start(page: Page, org: OrganizationInfo, what: str, stamp: PaperStamp | None) -> None:
    """The footer every page of the paper carries: who issued it, its number, its code."""
    page.footer = footer_text(org, what, stamp)
    middle = f"کد رهگیری {stamp.code}" if stamp else "بدون کد رهگیری"
    if org.demo:
        middle += " — نسخه نمایشی با داده‌های آزمایشی"
    page.footer_middle = middle


def heading(
    page: Page,
    org: OrganizationInfo,
    title: str,
    facts: list[tuple[str, str]],
    stamp: PaperStamp | None,
    bismillah: bool = True,
) -> None:
    """Organization and title centred; the facts (label, value) at the top right; the QR code
    with its verification code at the top left; on a reprint, «رونوشت» when nobody is still to
    sign it, else «چاپ دوباره» (one more original for the supervisor still to sign)."""
    top = page.y
    qr = 62
    if stamp is not None:
        page.qr(stamp.check_url, page.left, top - qr, qr)
        page.text(
            stamp.code, top - qr - 8, 7.5, align="center", x_left=page.left, x_right=page.left + qr
        )
    else:
        page.c.setStrokeColor(MID)
        page.c.rect(page.left + 4, top - qr + 4, qr - 8, qr - 8, stroke=1, fill=0)
        page.text("پیش‌نویس", top - qr / 2 - 3, 9, bold=True, align="center",
                  x_left=page.left, x_right=page.left + qr)  # fmt: skip
    # the centred lines keep clear of the facts (right) and the QR code (left): a long
    # province's name («… کهگیلویه و بویراحمد») or title moves off centre, then shrinks
    facts_w = max(
        (text_width(f"{label}: ", BOLD, 8.5) + text_width(v, REGULAR, 8.5) for label, v in facts),
        default=0.0,
    )
    band = (page.left + qr + 8, page.right - facts_w - 10 if facts else page.right)
    centre = {"align": "center", "x_left": 0, "x_right": page.width}
    if bismillah:
        page.text("به نام خدا", top - 10, 9, **centre)
    for text, y, size, bold in (
        (org.name, top - 28, 12, True),
        (org.unit, top - 42, 8.5, False),
        (title, top - 64, 14, True),
    ):
        _centred_between(page, text, y, size, bold, band)
    if stamp is not None and stamp.reprint:
        how = "رونوشت (نوبت چاپ" if stamp.copy else "چاپ دوباره (نوبت"
        mark = f"{how} {fa_digits(stamp.print_no)}) — {jdatetime_fa(stamp.printed_at)}"
        w = text_width(mark, BOLD, 8.5) + 10
        x = page.width / 2 - w / 2
        page.c.setStrokeColor(MID)
        page.c.rect(x, top - 86, w, 14, stroke=1, fill=0)
        page.text(mark, top - 82, 8.5, bold=True, **centre)
    # facts at the right-hand top: label on the right, value after it
    y = top - 10
    for label, value in facts:
        page.text(f"{label}:", y, 8.5, bold=True)
        lw = text_width(f"{label}: ", BOLD, 8.5)
        page.text(value, y, 8.5, x_right=page.right - lw)
        y -= 12.5
    page.y = min(top - (92 if stamp is not None and stamp.reprint else 78), y) - 2
    page.rule(3)
    if stamp is not None and stamp.replaces_number:
        page.para(
            f"این برگه جایگزین برگه شماره {fa_digits(stamp.replaces_number)} مورخ "
            f"{jdate(stamp.replaces_issued_at)} است و آن برگه از تاریخ صدور این برگه اعتبار ندارد.",
            size=8.5,
            bold=True,
        )


def _centred_between(
    page: Page, text: str, y: float, size: float, bold: bool, band: tuple[float, float]
) -> None:
    """One line centred on the page if it fits there within `band` (x from, x to), else
    centred in the band, in a smaller size if it must (down to 8 pt)."""
    font = BOLD if bold else REGULAR
    room = band[1] - band[0]
    width = text_width(text, font, size)
    while width > room and size > 8:
        size = max(8, size - 0.5)
        width = text_width(text, font, size)
    mid = page.width / 2
    if mid - width / 2 < band[0] or mid + width / 2 > band[1]:
        mid = (band[0] + band[1]) / 2
    page.text(text, y, size, bold=bold, align="center", x_left=mid - width / 2 - 1,
              x_right=mid + width / 2 + 1)  # fmt: skip


def verification_text(stamp: PaperStamp | None) -> str:
    if stamp is None:
        return "این برگه پیش‌نویس است و تا صدور با شماره و کد رهگیری اعتبار ندارد."
    return (
        f"بررسی اصالت: کد رهگیری {stamp.code} را در نشانی {stamp.check_url} ببینید یا رمزینه "
        f"بالای برگه را بخوانید. صادرکننده: {stamp.issued_by}، {jdatetime_fa(stamp.issued_at)}"
        + (
            f"؛ این رونوشت با همان شماره، متن و کد در {jdatetime_fa(stamp.printed_at)} چاپ شد "
            f"(نوبت چاپ {fa_digits(stamp.print_no)}) و اصل به شمار نمی‌آید."
            if stamp.copy
            else f"؛ این برگه با همان شماره، متن و کد در {jdatetime_fa(stamp.printed_at)} دوباره "
            f"چاپ شده است (نوبت چاپ {fa_digits(stamp.print_no)}) و هر نسخه آن که طرفین امضا "
            "کنند، اصل است."
            if stamp.reprint
            else "."
        )
    )


def verification_height(page: Page, stamp: PaperStamp | None, size: float = 8) -> float:
    """How tall `verification_note` draws (to keep it with the block before it)."""
    return page.para_height(verification_text(stamp), size)


def verification_note(page: Page, stamp: PaperStamp | None, size: float = 8) -> None:
    """Where and how anyone checks the paper (kept with what comes before it)."""
    page.para(verification_text(stamp), size=size)


def firm_registration(s: SupervisorRow) -> str:
    """A firm's registration as its papers state it: «شماره ثبت ۱۲۳۴۵ (اهواز)», or that the
    office has not recorded it."""
    if not s.registration_no:
        return "شماره ثبت: در سامانه ثبت نشده است"
    place = f" ({s.registration_place})" if s.registration_place else ""
    return f"شماره ثبت {fa_digits(s.registration_no)}{place}"


def firm_identity(s: SupervisorRow) -> str:
    """A firm supervisor as a legal paper names it: its national ID, registration and the
    signatory who signs for it (Persian, one sentence without its full stop)."""
    who = (
        f"{s.signatory}، صاحب امضای مجاز"
        if s.signatory
        else "صاحبان امضای مجاز طبق آخرین آگهی روزنامه رسمی"
    )
    return (
        f"شخص حقوقی {s.name}، شناسه ملی {or_blank(s.national_id, 'ثبت‌نشده')}، "
        f"{firm_registration(s)}، به نمایندگی {who}"
    )


FIRM_SEAL = "مهر و امضای صاحبان امضای مجاز"


def firm_seal(signatory: str) -> str:
    """How a firm signs, agreeing with who signs: one named signatory signs under the firm's
    seal; unnamed, the authorised signatories (plural) do."""
    if signatory:
        return f"مهر شرکت و امضای صاحب امضای مجاز\n{signatory}"
    return FIRM_SEAL


def or_blank(text: object, blank: str = "") -> str:
    s = str(text).strip() if text is not None else ""
    return fa_digits(s) if s else blank


def use_text(prop: PropertyInfo) -> str:
    """The building's use; a mixed one with its area by use (documents.md §3):
    «مختلط — مسکونی ۱٬۵۰۰ و تجاری ۶۲۹٫۷ مترمربع»."""
    if not prop.use_areas:
        return prop.use_fa
    parts = [f"{name} {fa_area(m2)}" for _code, name, m2 in prop.use_areas]
    return f"{prop.use_fa} — {join_fa(parts)} مترمربع"

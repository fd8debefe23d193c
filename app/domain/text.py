"""Normalising Persian input at the boundary, and validating Iranian identifiers."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from persian_tools import national_id, phone_number

from .calendar import latin_digits

_ARABIC_LETTERS = str.maketrans({"ي": "ی", "ك": "ک", "ى": "ی", "ة": "ه"})


def normalize_digits(text: str) -> str:
    return latin_digits(text)


def normalize_text(text: str) -> str:
    """Arabic ي/ك → Persian ی/ک, trimmed, inner spaces folded."""
    return " ".join(text.translate(_ARABIC_LETTERS).split())


def national_code_ok(code: str) -> bool:
    code = normalize_digits(code)
    # the checksum alone lets "1111111111" through; such codes are never issued
    return (
        len(code) == 10
        and code.isdigit()
        and len(set(code)) > 1
        and bool(national_id.validate(code))
    )


def mobile_ok(mobile: str) -> bool:
    return bool(phone_number.validate(normalize_digits(mobile)))


# ---------------------------------------------------------------- fields at the boundary

FIRST_YEAR, LAST_YEAR = 1300, 1500  # Jalali years the office's records may name


def year_ok(year: object) -> bool:
    """A Jalali year the office could mean (not a bool, not 10**30)."""
    return isinstance(year, int) and not isinstance(year, bool) and FIRST_YEAR <= year <= LAST_YEAR


def whole_ok(value: object, limit: int = 2**63 - 1) -> bool:
    """A non-negative whole number that fits the database's integer columns (rials, counts)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= limit


def persian_digits(value: object) -> str:
    return str(value).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))


# C0 control characters and DEL: never typed on purpose; NUL cannot even be stored by
# PostgreSQL. Tab and line breaks are allowed (addresses, reasons).
_CONTROL = frozenset(chr(c) for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F))

# Persian names of the stored fields, for the messages of `text_problem` and the flush guard.
FIELD_FA = {
    "membership_no": "شماره عضویت",
    "national_id": "کد ملی",
    "national_code": "کد ملی",
    "first_name": "نام",
    "last_name": "نام خانوادگی",
    "father_name": "نام پدر",
    "full_name": "نام و نام خانوادگی",
    "mobile": "تلفن همراه",
    "number": "شماره پروانه",
    "licence_no": "شماره پروانه",
    "financial_ties": "کد ملی وابستگان مالی",
    "owners": "مالکان",
    "plate": "پلاک ثبتی",
    "plate_key": "پلاک ثبتی",
    "address": "نشانی",
    "municipal_file_no": "شماره پرونده شهرداری",
    "use": "کاربری",
    "brought_by_name": "نام آورنده پرونده",
    "brought_by_national_id": "کد ملی آورنده پرونده",
    "file_no": "شماره پرونده",
    "filename": "نام فایل",
    "mime": "نوع فایل",
    "kind": "نوع",
    "bank": "بانک",
    "tracking_no": "شماره پیگیری",
    "reason": "دلیل",
    "report_no": "شماره گزارش",
    "paid_ref": "شماره سند پرداخت",
    "payment_ref": "شماره پرداخت",
    "letter_no": "شماره نامه",
    "title": "عنوان",
    "username": "نام کاربری",
    "role": "نقش",
    "source": "منبع",
    "note": "یادداشت",
    "groups": "گروه‌های ساختمانی",
    "discipline": "رشته",
    "grade": "پایه",
    "stage": "مرحله",
    "year": "سال",
    "amount_rials": "مبلغ (ریال)",
    "fee_rials": "حق‌الزحمه (ریال)",
    "rials_per_m2": "تعرفه (ریال بر متر مربع)",
    "area": "مساحت",
    "floors": "تعداد طبقات",
    "base_score": "امتیاز پایه",
    "supervision_percent": "درصد نظارت",
    "member_since": "سال عضویت",
    "membership_paid_through": "عضویت تا سال",
    "degree": "درجه محکومیت",
}


def field_fa(field: str) -> str:
    return FIELD_FA.get(field, field)


def text_problem(value: str, max_len: int | None = None) -> str | None:
    """Why a text cannot be stored as given (Persian), or None: a control character (NUL
    included) or more characters than the column holds."""
    if any(ch in _CONTROL for ch in value):
        return "نویسه کنترلی نامعتبر دارد"
    if max_len is not None and len(value) > max_len:
        return f"بیش از {persian_digits(max_len)} نویسه است"
    return None


# The days the office's records may name: from the policy tables' epoch (1358-01-01) to the
# end of Jalali 1500. Outside them the calendar arithmetic itself overflows.
FIRST_DAY, LAST_DAY = date(1979, 3, 21), date(2122, 3, 20)


def day_ok(d: object) -> bool:
    if isinstance(d, datetime):
        return d.tzinfo is not None and FIRST_DAY <= d.date() <= LAST_DAY
    return isinstance(d, date) and FIRST_DAY <= d <= LAST_DAY


def amount_problem(value: object, positive: bool = False, signed: bool = False) -> str | None:
    """Why an area, a score or a percent (exact hundredths) is not acceptable (Persian)."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        return "باید عدد باشد"
    d = Decimal(value)
    if not d.is_finite() or abs(d) >= Decimal(10) ** 15:
        return "بیرون از بازه است"
    if d != d.quantize(Decimal("0.01")):
        return "باید عددی با حداکثر دو رقم اعشار باشد"
    if positive and d <= 0:
        return "باید بیشتر از صفر باشد"
    if d < 0 and not signed:
        return "نمی‌تواند منفی باشد"
    return None


def without_control(text: str) -> str:
    """A search text without the control characters nothing stored can hold (U3)."""
    return "".join(ch for ch in text if ch not in _CONTROL)


def check_texts(*fields: tuple[str, str | None, int | None]) -> None:
    """(field, value, column length) of a form: the first that cannot be stored is refused
    with InputError naming it (before any query carries it to the database)."""
    from .errors import InputError

    for name, value, max_len in fields:
        if value is None:
            continue
        if not isinstance(value, str):
            raise InputError(name, f"«{field_fa(name)}» باید متن باشد")
        why = text_problem(value, max_len)
        if why:
            raise InputError(name, f"«{field_fa(name)}» {why}")

"""The checks of the office's forms, one copy for the desk, the web and the services: each
returns the Persian words that say what is wrong with a field (None: right), so a screen
shows them inline as the clerk types and the service refuses with the same words (U3)."""

from __future__ import annotations

from dataclasses import dataclass

from .calendar import parse_jalali_date
from .errors import InputError
from .text import (
    canonical_plate,
    legal_id_ok,
    mobile_problem,
    national_code_ok,
    normalize_code,
    normalize_digits,
    parse_number,
)
from .uses import USE_FIELDS_FA, typed_use_problems

# The banks an owner's receipt may come from (the counter's list; «سایر» is not offered: a
# receipt names its bank).
BANKS_FA: tuple[str, ...] = (
    "ملی",
    "ملت",
    "صادرات",
    "تجارت",
    "سپه",
    "کشاورزی",
    "مسکن",
    "رفاه کارگران",
    "پست بانک",
    "توسعه تعاون",
    "توسعه صادرات",
    "صنعت و معدن",
    "اقتصاد نوین",
    "پارسیان",
    "پاسارگاد",
    "سامان",
    "سینا",
    "شهر",
    "دی",
    "کارآفرین",
    "آینده",
    "خاورمیانه",
    "ایران زمین",
    "سرمایه",
    "گردشگری",
    "قرض‌الحسنه مهر ایران",
    "قرض‌الحسنه رسالت",
    "مؤسسه اعتباری ملل",
    "مؤسسه اعتباری نور",
)

TRACKING_DIGITS = (4, 30)  # a bank's tracking / reference number (شماره پیگیری یا مرجع)
RECEIPT_MAX_BYTES = 5 * 1024 * 1024
RECEIPT_KINDS = {  # mime → the bytes every such file starts with
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "application/pdf": (b"%PDF-",),
}


def bank_problem(bank: str) -> str | None:
    from .text import normalize_text

    if not normalize_text(bank):
        return "بانک را از فهرست انتخاب کنید"
    if normalize_text(bank) not in BANKS_FA:
        return "بانک ناشناخته است؛ از فهرست بانک‌ها انتخاب کنید"
    return None


def tracking_problem(tracking_no: str) -> str | None:
    code = normalize_code(tracking_no)
    if not code:
        return "شماره پیگیری بانک خالی است"
    if not (code.isascii() and code.isdigit()):
        return "شماره پیگیری فقط رقم است (همان که روی رسید بانک آمده)"
    low, high = TRACKING_DIGITS
    if not low <= len(code) <= high:
        return f"شماره پیگیری باید {low} تا {high} رقم باشد"
    return None


def receipt_problem(filename: str, mime: str, content: bytes) -> str | None:
    """The bank receipt's scan: a JPEG, PNG or PDF (by its first bytes), at most 5 MB."""
    starts = RECEIPT_KINDS.get(mime)
    if starts is None:
        return "اسکن رسید باید JPEG، PNG یا PDF باشد"
    if not content:
        return "پرونده اسکن رسید خالی است"
    if len(content) > RECEIPT_MAX_BYTES:
        return "اسکن رسید بیش از ۵ مگابایت است"
    if not content.startswith(starts):
        return "محتوای پرونده با نوع آن (JPEG، PNG یا PDF) نمی‌خواند"
    if not filename.strip():
        return "نام پرونده اسکن رسید خالی است"
    return None


@dataclass(frozen=True)
class CounterForm:
    """The counter's new-file form as typed (texts), for `counter_problems`."""

    owner_code: str = ""
    owner_mobile: str = ""
    plate: str = ""
    area: str = ""
    floors: int = 0
    brought_code: str = ""
    # a legal owner (company): its شناسه ملی in owner_code, its name and registration number
    owner_kind: str = "person"
    owner_name: str = ""
    registration_no: str = ""
    # P1: who brought the file (owner | design_office | legal_rep) and his name
    brought_role: str = "owner"
    brought_name: str = ""
    # a representative of natural-person owners: his power of attorney's number and date
    poa_no: str = ""
    poa_date: str = ""  # as typed: ۱۴۰۵/۰۹/۰۱
    # the building's use; a mixed one's area by use as typed (code → text, empty: none)
    use: str = "residential"
    use_areas: tuple[tuple[str, str], ...] = ()


# The order the form's fields are filled in (the first wrong one is named first).
COUNTER_FIELDS_FA = {
    "owner_code": "کد ملی مالک",
    "owner_legal_id": "شناسه ملی مالک حقوقی",
    "owner_name": "نام مالک حقوقی",
    "registration_no": "شماره ثبت مالک حقوقی",
    "brought_by_role": "آورنده پرونده",
    "brought_by_name": "نام آورنده",
    "poa_no": "شماره وکالت‌نامه",
    "poa_date": "تاریخ وکالت‌نامه",
    "owner_mobile": "تلفن همراه مالک",
    "plate": "پلاک ثبتی",
    "area": "زیربنا (م²)",  # as the counter's form labels it
    **USE_FIELDS_FA,  # کاربری, then a mixed building's area by use
    "floors": "تعداد طبقات",
    "brought_code": "کد ملی آورنده",
}


def counter_problems(f: CounterForm) -> dict[str, str]:
    """{field: why} for every field of the counter's form that keeps «ثبت پرونده» disabled;
    empty when the file may be registered."""
    out: dict[str, str] = {}
    if f.owner_kind == "legal":
        out.update(legal_owner_problems(f.owner_code, f.owner_name, f.registration_no))
    elif not normalize_code(f.owner_code):
        out["owner_code"] = "خالی است"
    elif not national_code_ok(f.owner_code):
        out["owner_code"] = "رقم کنترل کد ملی درست نیست"
    if f.owner_mobile.strip():
        why = mobile_problem(f.owner_mobile)
        if why:
            out["owner_mobile"] = why
    if not canonical_plate(f.plate):
        out["plate"] = "خالی است"
    area = parse_number(f.area) if f.area.strip() else None
    if area is None:
        out["area"] = "عدد زیربنا را بنویسید (مثلاً ۲۵۰ یا ۲۵۰٫۵)"
    elif area <= 0:
        out["area"] = "باید بیشتر از صفر باشد"
    elif area != area.quantize(area.__class__("0.01")):
        out["area"] = "حداکثر دو رقم اعشار"
    out.update(typed_use_problems(f.use, f.area, dict(f.use_areas)))
    if f.floors <= 0:
        out["floors"] = "دست‌کم یک طبقه"
    if f.brought_code.strip() and not national_code_ok(f.brought_code):
        out["brought_code"] = "رقم کنترل کد ملی درست نیست"
    out.update(bringer_problems(f.brought_role, f.brought_name, f.owner_kind == "legal"))
    out.update(attorney_problems(f.brought_role, f.owner_kind == "legal", f.poa_no, f.poa_date))
    return out


def attorney_problems(role: str, legal_owner: bool, number: str, day: str) -> dict[str, str]:
    """P1: a representative who brings natural-person owners' file acts on their power of
    attorney, and the contract he signs states its number and date (documents.md, Parties);
    `day` as typed, or "" (an ISO date from a service: its type was checked there)."""
    out: dict[str, str] = {}
    if role != "legal_rep" or legal_owner:
        return out
    if not normalize_code(number or ""):
        out["poa_no"] = "وکیل مالک: شماره وکالت‌نامه رسمی را بنویسید"
    if not (day or "").strip():
        out["poa_date"] = "وکیل مالک: تاریخ وکالت‌نامه را بنویسید (مثلاً ۱۴۰۵/۰۹/۰۱)"
    else:
        try:
            parse_jalali_date(normalize_digits(day).replace("/", "-"))
        except (ValueError, InputError):
            out["poa_date"] = "تاریخ وکالت‌نامه درست نیست (مثلاً ۱۴۰۵/۰۹/۰۱)"
    return out


def bringer_problems(role: str, name: str, legal_owner: bool) -> dict[str, str]:
    """P1: a design office or a representative who brings a file is named; a company does not
    walk in — its managing director (نماینده قانونی) or a design office brings its file."""
    out: dict[str, str] = {}
    if role != "owner" and not name.strip():
        out["brought_by_name"] = "نام دفتر طراحی یا نماینده‌ای که پرونده را آورده است خالی است"
    if role == "owner" and legal_owner:
        out["brought_by_role"] = "مالک حقوقی را نماینده قانونی (مدیرعامل) یا دفتر طراحی می‌آورد"
    return out


def legal_owner_problems(legal_id: str, name: str, registration_no: str) -> dict[str, str]:
    """A company owner as the counter takes it: its شناسه ملی (eleven digits, the published
    check digit), its name and its registration number (digits), all printed on the contract
    as the party (issue 14)."""
    out: dict[str, str] = {}
    code = normalize_code(legal_id)
    if not code:
        out["owner_legal_id"] = "خالی است"
    elif not legal_id_ok(code):
        out["owner_legal_id"] = "یازده رقم با رقم کنترل درست لازم است"
    if not name.strip():
        out["owner_name"] = "خالی است"
    reg = normalize_code(registration_no)
    if not reg:
        out["registration_no"] = "خالی است"
    elif not (reg.isascii() and reg.isdigit()):
        out["registration_no"] = "تنها رقم"
    return out


def counter_summary(problems: dict[str, str]) -> str:
    """One line for the disabled register button's tooltip and the form's status line."""
    return "؛ ".join(f"{COUNTER_FIELDS_FA.get(k, k)}: {v}" for k, v in problems.items())

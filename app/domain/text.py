"""Normalising Persian input at the boundary, and validating Iranian identifiers.

Persian text is one text whatever keyboard typed it: Arabic ي/ك/ى → Persian ی/ک, Arabic
presentation forms (a name pasted from a PDF) → the letters they show, the
digits of every script → Latin in codes and numbers, bidi marks (RLM, LRM, ALM, embeddings,
isolates), zero-width spaces, soft hyphens and the kashida removed, every kind of space (the
no-break space too) a plain space, and the ZWNJ (نیم‌فاصله) kept only between two letters.
Every name, national code, membership number and plate passes through here on its way in
(services), so a search typed with ی finds a name imported with ي and a membership number
with a ZWNJ inside is the same member.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import phonenumbers

from .digits import latin_digits, persian_digits

_ARABIC_LETTERS = str.maketrans({"ي": "ی", "ك": "ک", "ى": "ی", "ة": "ه", "ۍ": "ی", "ێ": "ی"})
ZWNJ = "\u200c"
# Invisible marks that change how a text is shown, never what it says: every format
# character of Unicode (bidi marks, isolates, zero-width spaces and joiners, invisible
# operators, tags…) but the ZWNJ, which Persian words are written with; the combining
# grapheme joiner; the kashida; the other invisible characters below.
_FORMAT_RANGES = (  # Unicode's format characters (category Cf) but the ZWNJ, U+200C
    (0x00AD, 0x00AD), (0x0600, 0x0605), (0x061C, 0x061C), (0x06DD, 0x06DD),
    (0x070F, 0x070F), (0x0890, 0x0891), (0x08E2, 0x08E2), (0x180E, 0x180E),
    (0x200B, 0x200B), (0x200D, 0x200F), (0x202A, 0x202E), (0x2060, 0x2064),
    (0x2066, 0x206F), (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB), (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
)  # fmt: skip
# Invisible too though not format characters: variation selectors (an emoji's U+FE0F), the
# Mongolian free variation selectors, the Hangul fillers, the Khmer inherent vowels and the
# Braille blank — a name of them alone shows nothing, a plate with one inside is the plate.
_OTHER_INVISIBLE = (
    (0xFE00, 0xFE0F), (0xE0100, 0xE01EF), (0x180B, 0x180D), (0x180F, 0x180F),
    (0x115F, 0x1160), (0x3164, 0x3164), (0xFFA0, 0xFFA0), (0x17B4, 0x17B5), (0x2800, 0x2800),
)  # fmt: skip
_INVISIBLE = dict.fromkeys(
    [c for lo, hi in (*_FORMAT_RANGES, *_OTHER_INVISIBLE) for c in range(lo, hi + 1)]
    + [0x034F, 0x0640]
)
# The dashes a keyboard, a word processor or a copied PDF may put in a code: one hyphen.
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63"), "-")
_SPACES = dict.fromkeys(
    map(
        ord,
        "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
        "\u200a\u202f\u205f\u3000\t\r\n\v\f",
    ),
    " ",
)
# Arabic presentation forms (a name copied from a PDF or an old system: «ﻋﻠﯽ ﮐﺮﯾﻤﯽ»), each the
# letter it shows (NFKC: U+FEE3 → م, U+FBFD → ی); the rest of the text is left as typed.
_PRESENTATION = re.compile("[\ufb50-\ufdff\ufe70-\ufefe]+")
_ZWNJ_RUNS = re.compile(ZWNJ + "{2,}")
_ZWNJ_LOOSE = re.compile(f"(^{ZWNJ}+|{ZWNJ}+$|{ZWNJ}+(?= )|(?<= ){ZWNJ}+)")


def without_marks(text: str) -> str:
    """The text without bidi marks and other invisible characters, spaces made plain."""
    return text.translate(_INVISIBLE).translate(_SPACES)


def normalize_digits(text: str) -> str:
    """Persian and Arabic digits → Latin, invisible marks removed (codes, numbers, search)."""
    return latin_digits(text.translate(_INVISIBLE))


def normalize_text(text: str) -> str:
    """A name, an address, a reason: Persian letters, no invisible marks, one plain space
    between words, a ZWNJ only inside a word; trimmed."""
    if _PRESENTATION.search(text):
        text = _PRESENTATION.sub(lambda m: unicodedata.normalize("NFKC", m[0]), text)
    text = without_marks(text.translate(_ARABIC_LETTERS))
    text = " ".join(text.split(" "))
    text = _ZWNJ_LOOSE.sub("", _ZWNJ_RUNS.sub(ZWNJ, " ".join(text.split())))
    return text.strip()


def normalize_code(text: str) -> str:
    """A national code, membership number, licence or tracking number: Latin digits (of any
    script, full-width too), Persian letters, one kind of hyphen, nothing invisible, no space
    or ZWNJ anywhere."""
    text = unicodedata.normalize("NFKC", text.translate(_ARABIC_LETTERS)).translate(_DASHES)
    text = without_marks(latin_digits(text))
    return "".join(text.replace(ZWNJ, "").split())


def search_pattern(word: str) -> str:
    """A LIKE pattern for one typed word: its spaces and ZWNJs match either (نیم‌فاصله or
    space, as the name was typed), `%` and `_` typed by the user are taken literally."""
    word = normalize_text(word).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return re.sub(f"[ {ZWNJ}]", "_", numbers_joined(word))


_ZWNJ_BY_DIGIT = re.compile(f"(?<=[0-9۰-۹٠-٩]){ZWNJ}|{ZWNJ}(?=[0-9۰-۹٠-٩])")


def numbers_joined(text: str) -> str:
    """Without a ZWNJ beside a digit: «۷۷‌-۱» is the membership number ۷۷-۱ (a number holds no
    half-space, as the members import reads it)."""
    return _ZWNJ_BY_DIGIT.sub("", text) if ZWNJ in text else text


# whatever stands between a plate's numbers: anything that is not a letter or a digit —
# slashes of every kind, hyphens and dashes, the Persian decimal and thousands separators,
# colons, dots, commas, the Arabic full stop «۔», bars, spaces
_PLATE_SEPARATORS = re.compile(r"[\W_]+")


def canonical_plate(plate: str) -> str:
    """P5: one form for a registration plate (پلاک ثبتی «اصلی/فرعی»): its parts, separated by
    "/", each number without leading zeros. `9999-12`, `9999/012`, `۹۹۹۹/۱۲`, `９９９９／１２`,
    `9999⁄12`, `9999٫12` and the same with an RLM, a ZWNJ, a no-break space or any other
    invisible character inside are all `9999/12`. Empty when nothing is left."""
    text = unicodedata.normalize("NFKC", plate.translate(_ARABIC_LETTERS)).translate(_DASHES)
    text = without_marks(latin_digits(text)).replace(ZWNJ, "")
    parts = [p for p in _PLATE_SEPARATORS.split(text) if p]
    return "/".join((p.lstrip("0") or "0") if p.isascii() and p.isdigit() else p for p in parts)


_NUMBER = re.compile(r"-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?")


def parse_number(text: str) -> Decimal | None:
    """A number as typed: any digit script, the Persian decimal separator `٫` (or `.`), the
    thousands separators `٬` and `,` — only between groups of three digits, so «۱۲۰٬۵» (the
    separator mistyped for `٫`) is no number rather than 1205; None when it is not a finite
    number."""
    t = normalize_code(text).replace("٫", ".").replace("٬", ",")
    if not _NUMBER.fullmatch(t):
        return None
    t = t.replace(",", "")
    try:
        d = Decimal(t)
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


def national_code_ok(code: str) -> bool:
    """The published check digit of a national code (کد ملی), after normalising; the checksum
    alone lets "1111111111" through, and such codes are never issued."""
    code = normalize_code(code)
    if len(code) != 10 or not code.isascii() or not code.isdigit() or len(set(code)) == 1:
        return False
    rest = sum(int(code[i]) * (10 - i) for i in range(9)) % 11
    check = int(code[9])
    return check == rest if rest < 2 else check == 11 - rest


def legal_id_ok(code: str) -> bool:
    """The published check digit of a legal person's national ID (شناسه ملی), after
    normalising: eleven digits; the tenth digit plus 2 added to each of the first ten, weighted
    29, 27, 23, 19, 17 in turn, the sum mod 11 (10 counts as 0) is the last digit. The same
    verdict as `persian_tools.legal_id`, which the demo checks its generated IDs with."""
    code = normalize_code(code)
    if len(code) != 11 or not code.isascii() or not code.isdigit() or len(set(code)) == 1:
        return False
    const = int(code[9]) + 2
    total = sum((int(d) + const) * (29, 27, 23, 19, 17)[i % 5] for i, d in enumerate(code[:10]))
    return int(code[10]) == (0 if total % 11 == 10 else total % 11)


def mobile_problem(mobile: str) -> str | None:
    """Why a mobile number is refused (Persian), or None. Digits only in any script (after
    the invisible marks and surrounding spaces are gone), eleven of them, starting 09, and a
    mobile number for `phonenumbers` (region IR); a dash, a letter or a space inside is wrong."""
    digits = latin_digits(mobile.translate(_INVISIBLE).replace(ZWNJ, "")).strip()
    if not digits.isascii() or not digits.isdigit():
        return "فقط رقم بنویسید (بدون خط تیره، فاصله یا حرف)"
    if len(digits) != 11 or not digits.startswith("09"):
        return "باید یازده رقم و با ۰۹ آغاز شود"
    return None if _iran_mobile_prefix(digits[:6]) else "شماره همراه ایران نیست"


@functools.lru_cache(maxsize=4096)
def _iran_mobile_prefix(prefix: str) -> bool:
    """`phonenumbers` (region IR, type mobile) on an eleven-digit number starting `prefix`.
    Its IR mobile pattern (9 and four given digits, then any five) reads no further than the
    sixth digit of the eleven, so the answer is kept per prefix: a members import of 100,000
    rows asks the library a few hundred times (tests/money/test_inputs.py checks the
    shortcut against the library itself)."""
    return mobile_by_library(prefix + "00000")


def mobile_by_library(digits: str) -> bool:
    try:
        number = phonenumbers.parse(digits, "IR")
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )


def mobile_ok(mobile: str) -> bool:
    return mobile_problem(mobile) is None


def normalize_mobile(mobile: str) -> str:
    """The stored form of a valid mobile: eleven Latin digits."""
    return latin_digits(mobile.translate(_INVISIBLE).replace(ZWNJ, "")).strip()


def iban_problem(iban: str) -> str | None:
    """Why a Sheba number (IBAN) is refused (Persian), or None: `IR` and 24 digits whose
    ISO 7064 mod 97-10 check holds (python-stdnum; its `iban` module lacks IR)."""
    from stdnum.iso7064 import mod_97_10

    text = normalize_iban(iban)
    if not re.fullmatch(r"IR\d{24}", text):
        return "شبا باید IR و ۲۴ رقم باشد"
    if not mod_97_10.is_valid(text[4:] + "1827" + text[2:4]):  # I=18, R=27
        return "رقم کنترل شبا درست نیست"
    return None


def normalize_iban(iban: str) -> str:
    return normalize_code(iban).upper().replace("-", "")


def mask_iban(iban: str | None) -> str | None:
    """A Sheba number as the audit trail keeps it: the country, the check digits and the last
    four digits, the rest starred (`IR06******************0001`); None stays None."""
    if not iban:
        return None
    text = normalize_iban(iban)
    return text[:4] + "*" * max(0, len(text) - 8) + text[-4:] if len(text) > 8 else "*" * len(text)


# ---------------------------------------------------------------- fields at the boundary

FIRST_YEAR, LAST_YEAR = 1300, 1500  # Jalali years the office's records may name


def year_ok(year: object) -> bool:
    """A Jalali year the office could mean (not a bool, not 10**30)."""
    return isinstance(year, int) and not isinstance(year, bool) and FIRST_YEAR <= year <= LAST_YEAR


def whole_ok(value: object, limit: int = 2**63 - 1) -> bool:
    """A non-negative whole number that fits the database's integer columns (rials, counts)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= limit


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
    "iban": "شماره شبا",
    "registration_no": "شماره ثبت",
    "registration_place": "محل ثبت",
    "director_id": "مدیرعامل (صاحب امضای مجاز)",
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

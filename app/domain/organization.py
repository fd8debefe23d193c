"""The organization's particulars that every paper prints (issue 14), validated: pure.

A paper is refused while a particular is missing, malformed or still a sample value: the
organization's name without its province, a placeholder address, a telephone of zeros, an
example website, an account number that is not an IBAN. IBAN (شبا): «IR» and 24 digits with
the ISO 7064 mod 97-10 check (python-stdnum's `iso7064.mod_97_10`; its `iban` module refuses
IR, which the SWIFT registry lacks).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from stdnum.iso7064 import mod_97_10

from .calendar import latin_digits
from .text import normalize_text

# What the shipped sample (resources/documents/organization.json) and other placeholders look
# like: a paper printed with any of these is not a paper the organization can sign.
SAMPLE_MARKERS = (
    "example",
    "تکمیل شود",
    "نمونه",
    "placeholder",
    "xxx",
    "۰۰۰-",
    "000-",
)
GENERIC_NAME = "سازمان نظام مهندسی ساختمان استان"
# The demo province's invented particulars (`app/demo` builds its organization from them).
# With the demo mark off they are refused: a real paper never carries the demo's account,
# telephone, address or signers, however believable (the IBAN even passes its check). Its
# check address is under `.test` (reserved, RFC 2606): a demo paper's QR code leads to no
# real organization's host.
DEMO_PARTICULARS = {
    "address": (
        "اهواز، کیان‌پارس، خیابان پنجم غربی، نبش خیابان هفتم، ساختمان سازمان نظام مهندسی، طبقه دوم"
    ),
    "postal_code": "6155783341",
    "phone": "06133381240",
    "public_url": "https://nezarat.khz-nezam.test",
    "account_no": "0103456789004",
    "iban": "IR540170000000103456789004",
    "contract_signer": "مهندس فرهاد عبیاوی",
    "letter_signer": "مهندس لیلا بهبهانی",
}
_URL = re.compile(r"^https?://[a-z0-9.-]+\.[a-z]{2,}(:\d+)?(/[\w./-]*)?$", re.IGNORECASE)
_HOST = re.compile(r"^(https?://)?(www\.)?[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}/?$", re.IGNORECASE)


@dataclass(frozen=True)
class Signer:
    name: str
    title: str


@dataclass(frozen=True)
class Municipality:
    city: str
    name: str  # شهرداری اهواز
    addressee: str  # معاونت محترم شهرسازی و معماری شهرداری اهواز — اداره کنترل ساختمان


@dataclass(frozen=True)
class Organization:
    """What the administrator enters; `demo`: the demo province's believable values."""

    province: str = ""
    name: str = ""
    unit: str = ""
    address: str = ""
    postal_code: str = ""
    phone: str = ""
    website: str = ""
    public_url: str = ""  # where anyone checks a paper: <public_url>/verify/<code>
    bank: str = ""
    account_no: str = ""
    iban: str = ""
    contract_signer: Signer = field(default_factory=lambda: Signer("", ""))
    letter_signer: Signer = field(default_factory=lambda: Signer("", ""))
    municipalities: tuple[Municipality, ...] = ()
    demo: bool = False


def digits_only(text: str) -> str:
    """Persian/Arabic digits → Latin, and nothing but the digits kept."""
    return "".join(c for c in latin_digits(text) if c.isdigit())


def normalize_iban(text: str) -> str:
    """«IR12 0170 …», Persian digits, lower case → IR120170…"""
    return "".join(latin_digits(text).split()).replace("-", "").upper()


def iban_ok(text: str) -> bool:
    """IR + 24 digits whose ISO 7064 mod 97-10 check holds (the IBAN check)."""
    iban = normalize_iban(text)
    if not re.fullmatch(r"IR\d{24}", iban):
        return False
    return mod_97_10.is_valid(iban[4:] + iban[:4])


def phone_ok(text: str) -> bool:
    """A landline with its area code (0, a two-digit area code, eight digits: ۰۶۱-۳۳۳۸۱۲۴۰),
    or a mobile (09, a two-digit operator code, seven digits). Not a placeholder: the number
    after the area or operator code is not one digit repeated (۰۲۱-۰۰۰۰۰۰۰۰, ۰۶۱-۱۱۱۱۱۱۱۱,
    ۰۹۱۲-۰۰۰۰۰۰۰), and the whole is not a few digits repeated."""
    d = digits_only(text)
    if len(d) != 11 or not d.startswith("0") or d[1] == "0":
        return False
    subscriber = d[4:] if d.startswith("09") else d[3:]
    return len(set(subscriber)) > 1 and len(set(d[1:])) > 2


def looks_like_sample(text: str) -> bool:
    t = text.lower()
    return any(m in t for m in SAMPLE_MARKERS)


def normalize(o: Organization) -> Organization:
    """Persian text normalised, codes and telephone digits Latin."""

    def n(s: str) -> str:
        return normalize_text(s)

    return Organization(
        province=n(o.province),
        name=n(o.name),
        unit=n(o.unit),
        address=n(o.address),
        postal_code=digits_only(o.postal_code),
        phone=digits_only(o.phone),
        website=o.website.strip().lower(),
        public_url=o.public_url.strip().rstrip("/"),
        bank=n(o.bank),
        account_no=digits_only(o.account_no) if o.account_no.strip() else "",
        iban=normalize_iban(o.iban),
        contract_signer=Signer(n(o.contract_signer.name), n(o.contract_signer.title)),
        letter_signer=Signer(n(o.letter_signer.name), n(o.letter_signer.title)),
        municipalities=tuple(
            Municipality(n(m.city), n(m.name), n(m.addressee)) for m in o.municipalities
        ),
        demo=o.demo,
    )


# each particular by the name the settings screen gives it (and a refusal to print names)
FIELD_FA = {
    "province": "استان",
    "name": "نام سازمان (با نام استان)",
    "unit": "واحد صادرکننده اوراق",
    "address": "نشانی دفتر",
    "postal_code": "کد پستی",
    "phone": "تلفن",
    "website": "وبگاه",
    "public_url": "نشانی عمومی بررسی اوراق",
    "bank": "بانک و شعبه",
    "account_no": "شماره حساب",
    "iban": "شماره شبا",
    "contract_signer": "نماینده سازمان در قراردادها",
    "letter_signer": "امضاکننده معرفی‌نامه‌ها",
    "municipalities": "شهرداری هر شهر",
}


def problems_text(bad: dict[str, str]) -> str:
    """`problems` as one Persian line, each naming its field: «تلفن: …؛ شماره شبا: …»."""
    return "؛ ".join(f"{FIELD_FA.get(key, key)}: {why}" for key, why in bad.items())


def problems(o: Organization) -> dict[str, str]:
    """Field → why it cannot be printed, in Persian (empty: fit to print). `o` normalised."""
    out: dict[str, str] = {}
    texts = {
        "province": o.province,
        "name": o.name,
        "unit": o.unit,
        "address": o.address,
        "bank": o.bank,
        "contract_signer": o.contract_signer.name + o.contract_signer.title,
        "letter_signer": o.letter_signer.name + o.letter_signer.title,
    }
    for key, value in texts.items():
        if looks_like_sample(value):
            out[key] = "هنوز مقدار نمونه است"
    if not o.demo:
        out.update(
            (key, "هنوز مقدار نسخه نمایشی است؛ مقدار واقعی سازمان را وارد کنید")
            for key in _still_demo(o)
        )
    if not o.province:
        out["province"] = "نام استان وارد نشده است"
    if not o.name:
        out["name"] = "نام سازمان وارد نشده است"
    elif o.name == GENERIC_NAME or (o.province and o.province not in o.name):
        out["name"] = "نام سازمان باید نام استان را داشته باشد («… استان خوزستان»)"
    if not o.unit:
        out["unit"] = "نام واحد صادرکننده وارد نشده است"
    if len(o.address) < 15:
        out["address"] = "نشانی کامل دفتر سازمان وارد نشده است"
    if not re.fullmatch(r"\d{10}", o.postal_code) or len(set(o.postal_code)) < 3:
        out["postal_code"] = "کد پستی باید ده رقم باشد"
    if not phone_ok(o.phone):
        out["phone"] = "تلفن باید یازده رقم با پیش‌شماره باشد (مثلاً ۰۶۱۳۳۳۳۴۴۴۴)"
    if not _HOST.match(o.website) or looks_like_sample(o.website):
        out["website"] = "نشانی وبگاه سازمان درست نیست"
    if not _URL.match(o.public_url) or looks_like_sample(o.public_url):
        out["public_url"] = "نشانی عمومی بررسی اوراق باید با https:// آغاز شود"
    if not o.bank:
        out["bank"] = "نام بانک حساب سازمان وارد نشده است"
    if not iban_ok(o.iban):
        out["iban"] = "شماره شبا درست نیست (IR و ۲۴ رقم با رقم کنترل درست)"
    if o.account_no and not 6 <= len(o.account_no) <= 30:
        out["account_no"] = "شماره حساب درست نیست"
    for key, s in (("contract_signer", o.contract_signer), ("letter_signer", o.letter_signer)):
        if not s.name or not s.title:
            out[key] = "نام و سمت امضاکننده وارد نشده است"
    if not o.municipalities:
        out["municipalities"] = "شهرداری هیچ شهری وارد نشده است"
    elif any(not (m.city and m.name and m.addressee) for m in o.municipalities):
        out["municipalities"] = "شهر، نام شهرداری و گیرنده نامه هر ردیف باید پر باشد"
    elif len({m.city for m in o.municipalities}) != len(o.municipalities):
        out["municipalities"] = "برای هر شهر یک شهرداری وارد کنید"
    return out


@cache
def _demo() -> Organization:
    """The demo's invented particulars, normalised as a saved organization is."""
    d = DEMO_PARTICULARS
    return normalize(
        Organization(
            address=d["address"],
            postal_code=d["postal_code"],
            phone=d["phone"],
            public_url=d["public_url"].lower(),
            account_no=d["account_no"],
            iban=d["iban"],
            contract_signer=Signer(d["contract_signer"], ""),
            letter_signer=Signer(d["letter_signer"], ""),
        )
    )


def _still_demo(o: Organization) -> list[str]:
    """The fields of `o` (normalised) that still hold the demo's invented values."""
    demo = _demo()
    pairs = {
        "address": (o.address, demo.address),
        "postal_code": (o.postal_code, demo.postal_code),
        "phone": (o.phone, demo.phone),
        "public_url": (o.public_url.lower(), demo.public_url),
        "account_no": (o.account_no, demo.account_no),
        "iban": (o.iban, demo.iban),
        "contract_signer": (o.contract_signer.name, demo.contract_signer.name),
        "letter_signer": (o.letter_signer.name, demo.letter_signer.name),
    }
    return [key for key, (mine, theirs) in pairs.items() if mine and mine == theirs]


def tariff_of_another_province(o: Organization, table_title: str) -> str | None:
    """Why a real paper may not bill a file under this tariff table: its title names a
    province («… – استان تهران») that is not the organization's. F1's published tables are
    provincial; the demo ships Tehran's 1403 table, as the reference data says, and says it
    is a demo, so it may."""
    if o.demo or not o.province or "استان" not in normalize_text(table_title):
        return None
    if normalize_text(o.province) in normalize_text(table_title):
        return None
    return (
        f"جدول تعرفه نافذ («{table_title}») از استان دیگری است؛ مدیر سامانه جدول تعرفه "
        f"استان {o.province} را در بخش تعرفه‌ها وارد کند (F1)"
    )


def municipality_of(o: Organization, city: str) -> Municipality | None:
    city = normalize_text(city)
    return next((m for m in o.municipalities if m.city == city), None)

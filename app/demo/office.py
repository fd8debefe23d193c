"""The demo province's office: the organization's settings, its tariff table, and the permit
particulars of its files — believable values, marked as demo (`Organization.demo`: every paper
printed from them says so in its footer).

Tariff (F1): the demo loads the complete published table it ships — Tehran's first half of
1403 (every group and floor band, with the coordinator's column) — and no other, so that
every file of the demo has a fee; the surveying column has no published amount, urban planning
and traffic no column, and the demo's administrator enters theirs (marked «entered», not
published). Fars's 1405 group-A row is shipped
too but not loaded in the demo: a table with one row would leave groups B–D without a fee.
"""

from __future__ import annotations

import random
from datetime import date

from ..domain.organization import DEMO_PARTICULARS, Municipality, Organization, Signer
from .names import CITIES

DEMO_ORGANIZATION = Organization(
    province="خوزستان",
    name="سازمان نظام مهندسی ساختمان استان خوزستان",
    unit="معاونت خدمات مهندسی — واحد ارجاع نظارت",
    address=DEMO_PARTICULARS["address"],
    postal_code=DEMO_PARTICULARS["postal_code"],
    phone=DEMO_PARTICULARS["phone"],
    website="khz-nezam.test",
    public_url=DEMO_PARTICULARS["public_url"],
    bank="بانک ملی ایران، شعبه کیان‌پارس اهواز",
    account_no=DEMO_PARTICULARS["account_no"],
    iban=DEMO_PARTICULARS["iban"],
    contract_signer=Signer(DEMO_PARTICULARS["contract_signer"], "معاون خدمات مهندسی سازمان"),
    letter_signer=Signer(DEMO_PARTICULARS["letter_signer"], "مدیر واحد ارجاع نظارت"),
    municipalities=tuple(
        Municipality(
            city,
            f"شهرداری {city}",
            f"معاونت محترم شهرسازی و معماری شهرداری {city} — اداره کنترل ساختمان",
        )
        for city in CITIES
    ),
    demo=True,
)

DEMO_TARIFF = "tehran-1403"
# The demo administrator's own columns (rials per m²; no published amount): entered. Surveying
# has a column and no published amount; urban planning and traffic have none at all, and the
# office enters theirs too, so that every fee a paper prints is its area × a stated rate.
DEMO_SURVEY_RIALS = {
    ("A", "1-2"): 45_000,
    ("B", "3-5"): 56_000,
    ("C", "6-7"): 66_000,
    ("C", "8-10"): 75_000,
    ("D", "11-12"): 90_000,
    ("D", "13-15"): 105_000,
    ("D", "16+"): 105_000,
}
_URBAN_TRAFFIC_RIALS = {
    ("A", "1-2"): 250_000,
    ("B", "3-5"): 287_500,
    ("C", "6-7"): 325_000,
    ("C", "8-10"): 325_000,
    ("D", "11-12"): 362_500,
    ("D", "13-15"): 362_500,
    ("D", "16+"): 362_500,
}
DEMO_ENTERED_RIALS = {
    "survey": DEMO_SURVEY_RIALS,
    "urban": _URBAN_TRAFFIC_RIALS,
    "traffic": _URBAN_TRAFFIC_RIALS,
}
DEMO_TARIFF_FROM = date(2024, 3, 20)  # 1403-01-01: the table's own activation date

STRUCTURES = (("concrete", 62), ("steel", 33), ("masonry", 5))


def demo_permit(rng: random.Random, city: str, floors: int) -> tuple[str, str]:
    """(municipal district, structure type) for a demo file."""
    districts = 8 if city == "اهواز" else 3
    kinds = [k for k, _ in STRUCTURES if not (k == "masonry" and floors > 2)]
    weights = [w for k, w in STRUCTURES if k in kinds]
    return str(rng.randint(1, districts)), rng.choices(kinds, weights)[0]

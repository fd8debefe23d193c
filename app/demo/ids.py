"""Deterministic, valid Iranian identifiers for demo people (from a seeded `random.Random`).

Each code is built with the published checksum and then checked with `persian_tools`, the
same library the services validate with, so a demo code is never refused at the counter.
"""

from __future__ import annotations

import hashlib
import random

from persian_tools import legal_id, national_id
from persian_tools.national_id.places_code import data as _PLACES
from persian_tools.phone_number.operators import data as _OPERATORS

PROVINCE = "خوزستان"


def _expand(code: str) -> list[str]:
    """`'174-175'` lists the prefixes 174 and 175 (a list, not a range)."""
    return [c.strip() for c in code.split("-") if c.strip()]


PREFIXES_BY_CITY: dict[str, list[str]] = {}
for _p in _PLACES:
    PREFIXES_BY_CITY.setdefault(_p["city"], []).extend(_expand(_p["code"]))
HOME_PREFIXES = sorted(
    {c for p in _PLACES if p["province"] == PROVINCE for c in _expand(p["code"])}
)
OTHER_PREFIXES = sorted(
    {c for p in _PLACES if p["province"] != PROVINCE for c in _expand(p["code"])}
)

# Mobile prefixes (after the leading 0) with rough shares; Hamrah-e Avval's 916 is Khuzestan's.
MOBILE_PREFIXES: tuple[tuple[str, int], ...] = (
    ("916", 30),
    ("917", 6),
    ("918", 4),
    ("912", 6),
    ("913", 4),
    ("919", 4),
    ("991", 4),
    ("935", 9),
    ("936", 6),
    ("937", 5),
    ("938", 4),
    ("939", 4),
    ("901", 5),
    ("902", 3),
    ("903", 2),
    ("930", 2),
    ("933", 2),
    ("921", 2),
    ("922", 1),
)
assert all(p in _OPERATORS for p, _ in MOBILE_PREFIXES)


def national_code_check_digit(nine: str) -> int:
    s = sum(int(d) * (10 - i) for i, d in enumerate(nine))
    r = s % 11
    return r if r < 2 else 11 - r


class IdFactory:
    """Unique national codes, legal IDs and mobiles drawn from one seeded generator."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()
        self.mobiles: set[str] = set()

    def national_code(self, city: str | None = None, home_share: float = 0.85) -> str:
        rng = self.rng
        while True:
            if city and city in PREFIXES_BY_CITY and rng.random() < 0.8:
                prefix = rng.choice(PREFIXES_BY_CITY[city])
            elif rng.random() < home_share:
                prefix = rng.choice(HOME_PREFIXES)
            else:
                prefix = rng.choice(OTHER_PREFIXES)
            middle = f"{rng.randrange(1, 1_000_000):06d}"
            nine = prefix + middle
            code = nine + str(national_code_check_digit(nine))
            if code in self.used:
                continue
            if not national_id.validate(code):  # the library's verdict is final
                raise AssertionError(f"generated national code fails validation: {code}")
            self.used.add(code)
            return code

    def legal_id(self) -> str:
        """An 11-digit national ID of a legal person (شناسه ملی), starting 10…"""
        rng = self.rng
        while True:
            ten = "10" + f"{rng.randrange(0, 10**8):08d}"
            const = int(ten[-1]) + 2
            s = sum((int(d) + const) * (29, 27, 23, 19, 17)[i % 5] for i, d in enumerate(ten))
            code = ten + str(0 if s % 11 == 10 else s % 11)
            if code in self.used:
                continue
            if not legal_id.validate(code):
                raise AssertionError(f"generated legal ID fails validation: {code}")
            self.used.add(code)
            return code

    @staticmethod
    def office_id(index: int) -> str:
        """The fixed national ID (شناسه ملی) of the demo's `index`-th design office: the same
        office keeps it across files, and drawing it takes nothing from the demo's chance."""
        ten = "10" + f"{37_000_000 + 7_919 * index:08d}"
        const = int(ten[-1]) + 2
        s = sum((int(d) + const) * (29, 27, 23, 19, 17)[i % 5] for i, d in enumerate(ten))
        return ten + str(0 if s % 11 == 10 else s % 11)

    def mobile(self) -> str:
        rng = self.rng
        prefixes = [p for p, _ in MOBILE_PREFIXES]
        weights = [w for _, w in MOBILE_PREFIXES]
        while True:
            number = "0" + rng.choices(prefixes, weights)[0] + f"{rng.randrange(0, 10**7):07d}"
            if number not in self.mobiles:
                self.mobiles.add(number)
                return number


# Iranian banks' three-digit codes in a Sheba number (Melli, Sepah, Keshavarzi, Mellat,
# Tejarat, Saderat, Eghtesad Novin).
_BANKS = ("017", "015", "016", "012", "018", "019", "055")


def demo_iban(membership_no: str) -> str:
    """A valid Sheba number (`IR`, mod 97-10 check digits, a real bank's code) derived from the
    membership number alone: the demo's random stream is not touched, so every other demo
    value stays as it was."""
    from stdnum.iso7064 import mod_97_10

    seed = int.from_bytes(hashlib.sha256(membership_no.encode()).digest()[:8], "big")
    bban = "0" + _BANKS[seed % len(_BANKS)] + f"{seed // 7 % 10**18:018d}"
    return f"IR{mod_97_10.calc_check_digits(bban + '1827')}{bban}"

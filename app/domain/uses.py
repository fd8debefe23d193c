"""A building's use (کاربری) and, for a mixed-use building, its area by use — the contract's
property section states "total area and area by use" (spec/documents.md §3). One copy of the
codes, their Persian names and the checks, for the counter, the services and the papers.

A building is residential, commercial, office or mixed. A mixed building's area is split
between at least two of residential, commercial and office, each more than zero with at most
two decimals, the parts adding up to the total area exactly (in hundredths); any other
building carries no split (the whole area is its use)."""

from __future__ import annotations

from decimal import Decimal

from .digits import persian_digits
from .text import parse_number

USES_FA: dict[str, str] = {
    "residential": "مسکونی",
    "commercial": "تجاری",
    "office": "اداری",
    "mixed": "مختلط",
}
USES: tuple[str, ...] = tuple(USES_FA)
MIXED = "mixed"
# the uses a mixed building's area is split between, in the order the papers print them
SPLIT_USES: tuple[str, ...] = ("residential", "commercial", "office")

# the fields the checks name (the counter's rows and the service's input)
USE_FIELDS_FA: dict[str, str] = {
    "use": "کاربری",
    "use_areas": "زیربنا به تفکیک کاربری",
    **{f"area_{u}": f"زیربنای {USES_FA[u]}" for u in SPLIT_USES},
}

_CENT = Decimal("0.01")
_LIMIT = Decimal(10) ** 15  # what the database's hundredths hold (as `amount_problem`)


def use_fa(code: str) -> str:
    """The Persian name of a use code (the code itself when unknown)."""
    return USES_FA.get(code, code)


def area_text(m2: Decimal) -> str:
    """`۱٬۵۰۰`, `۶۲۹٫۷`: an area as the papers write it (thousands separated)."""
    d = Decimal(m2)
    d = d.quantize(Decimal(1)) if d == d.to_integral() else d.normalize()
    whole, _, frac = f"{d:f}".partition(".")
    text = f"{int(whole):,}".replace(",", "٬") + (f"٫{frac}" if frac else "")
    return persian_digits(text)


def _area_problem(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        return "باید عدد باشد"
    d = Decimal(value)
    if not d.is_finite() or abs(d) >= _LIMIT:
        return "بیرون از بازه است"
    if d <= 0:
        return "باید بیشتر از صفر باشد"
    if d != d.quantize(_CENT):
        return "حداکثر دو رقم اعشار"
    return None


def use_problems(use: object, area: object, use_areas: object) -> dict[str, str]:
    """{field: why} (Persian; fields as in USE_FIELDS_FA) for a building's use and its area by
    use: `use` a known code; for a mixed building at least two of residential, commercial and
    office, each > 0 with at most two decimals, adding up to `area` exactly; for any other
    none. `use_areas` is a sequence of (code, area) pairs. Empty: right."""
    if not isinstance(use, str) or use not in USES_FA:
        return {"use": "یکی از مسکونی، تجاری، اداری یا مختلط را انتخاب کنید"}
    if not isinstance(use_areas, tuple | list) or not all(
        isinstance(x, tuple | list) and len(x) == 2 for x in use_areas
    ):
        return {"use_areas": "باید فهرستی از کاربری و زیربنای آن باشد"}
    if use != MIXED:
        if use_areas:
            return {
                "use_areas": f"تنها برای ساختمان مختلط؛ همه زیربنای این ساختمان {USES_FA[use]} است"
            }
        return {}
    out: dict[str, str] = {}
    seen: dict[str, Decimal] = {}
    for code, value in use_areas:
        if not isinstance(code, str) or code not in SPLIT_USES:
            name = code if isinstance(code, str) else "?"
            return {"use_areas": f"کاربری «{name[:40]}» شناخته نیست؛ مسکونی، تجاری یا اداری"}
        if code in seen or f"area_{code}" in out:
            return {"use_areas": f"زیربنای {USES_FA[code]} دو بار آمده است"}
        why = _area_problem(value)
        if why:
            out[f"area_{code}"] = why
        else:
            seen[code] = Decimal(value)
    if out:
        return out
    if len(seen) < 2:
        return {
            "use_areas": "ساختمان مختلط: زیربنای دست‌کم دو کاربری (مسکونی، تجاری، اداری) لازم است"
        }
    total = sum(seen.values(), Decimal(0))
    number = isinstance(area, Decimal | int) and not isinstance(area, bool)
    whole = Decimal(area) if number else None  # type: ignore[arg-type]
    if whole is not None and whole.is_finite() and total != whole:
        return {
            "use_areas": f"جمع زیربناها ({area_text(total)} مترمربع) با زیربنای کل "
            f"({area_text(whole)} مترمربع) برابر نیست"
        }
    return {}


def typed_use_problems(use: str, area: str, typed: dict[str, str]) -> dict[str, str]:
    """The counter's rows as typed (any digit script, `٫`): `typed` maps a split use to its
    text, an empty one is a use the building does not have. Same words as `use_problems`;
    the sum is checked only against a total area that is itself a number."""
    if use != MIXED:
        return use_problems(use, None, ())
    out: dict[str, str] = {}
    pairs: list[tuple[str, Decimal]] = []
    for code in SPLIT_USES:
        text = typed.get(code, "").strip()
        if not text:
            continue
        d = parse_number(text)
        if d is None:
            out[f"area_{code}"] = "عدد بنویسید (مثلاً ۱۵۰۰ یا ۶۲۹٫۷) یا خالی بگذارید"
        else:
            pairs.append((code, d))
    total = parse_number(area) if area.strip() else None
    found = use_problems(use, total, tuple(pairs))
    if out:  # a row that is no number: name it and the others' own faults, not the sum
        out.update((k, v) for k, v in found.items() if k != "use_areas")
        return {k: out[k] for k in USE_FIELDS_FA if k in out}  # in the form's order
    return found


def use_areas_stored(use_areas: tuple[tuple[str, Decimal], ...]) -> dict[str, str] | None:
    """The split as the `projects.use_areas` column keeps it: code → "1500.00", in the
    papers' order; None for a building of one use."""
    if not use_areas:
        return None
    given = {code: Decimal(value) for code, value in use_areas}
    return {u: f"{given[u].quantize(_CENT):f}" for u in SPLIT_USES if u in given}


def use_areas_read(stored: object) -> tuple[tuple[str, Decimal], ...]:
    """The column's split back as (code, area) pairs in the papers' order (() for none)."""
    if not isinstance(stored, dict):
        return ()
    return tuple((u, Decimal(str(stored[u]))) for u in SPLIT_USES if u in stored)

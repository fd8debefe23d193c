"""Digit scripts: Persian and Arabic-Indic digits read as Latin (input), Latin written as
Persian (display). Below both the calendar and text modules, which each need one side."""

from __future__ import annotations

# Persian, Arabic-Indic and full-width digits (a phone's or an East Asian keyboard's)
_TO_LATIN = str.maketrans(
    "۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩０１２３４５６７８９", "012345678901234567890123456789"
)
_TO_PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def latin_digits(text: str) -> str:
    return text.translate(_TO_LATIN)


def persian_digits(value: object) -> str:
    return str(value).translate(_TO_PERSIAN)


def grouped(n: int) -> str:
    """A whole number with its thousands grouped by the Persian separator, in Persian digits."""
    return persian_digits(f"{n:,}".replace(",", "٬"))

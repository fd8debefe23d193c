"""Normalising Persian input at the boundary, and validating Iranian identifiers."""

from __future__ import annotations

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

"""The right-to-left text layer: Persian digits and numbers, amounts in words, shaping, wrapping.

ReportLab draws glyphs in the order it is given them and neither shapes Arabic script nor
reorders right-to-left runs. So:

1. wrap the *logical* text into lines, measuring each word in its reshaped form (words are
   separated by spaces, which never join, so a word's reshaped width is its width in the line);
2. reshape each line (`arabic_reshaper`) and reorder it for display
   (`bidi.algorithm.get_display`, which mirrors brackets; `bidi.get_display` does not);
3. draw it right-aligned.

Reshaping a whole paragraph and letting a layout engine wrap it prints its lines bottom-up,
because the visual string of a right-to-left paragraph starts with its *last* words.
"""

from __future__ import annotations

import re
from functools import lru_cache

import arabic_reshaper
from bidi.algorithm import get_display
from reportlab.pdfbase.pdfmetrics import stringWidth

ZWNJ = "\u200c"
THOUSANDS = "\u066c"  # ARABIC THOUSANDS SEPARATOR (٬)
_ZWNJ_STAND_IN = "\u0712"  # SYRIAC LETTER GAMAL: strong right-to-left, never in our texts

LRM, RLM = "\u200e", "\u200f"
# A number with inner separators (1405-0012, 1405/08/21, 7-10207). After an Arabic letter the
# bidi algorithm turns its digits into Arabic numbers (W2), and "-" between Arabic numbers does
# not join them (W4), so "شماره ۱۴۰۵-۰۰۱۲" would print as ۰۰۱۲-۱۴۰۵. A left-to-right mark in
# front keeps the whole code one left-to-right run; a right-to-left mark after it keeps what
# follows (a dash, then a Latin word) out of that run.
_CODE = re.compile(r"(?<![0-9۰-۹])([0-9۰-۹]+(?:[-/.:][0-9۰-۹]+)+)")

_NO_MARKS = str.maketrans("", "", LRM + RLM)
_TO_FA = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")

_reshaper = arabic_reshaper.ArabicReshaper(
    configuration={"delete_harakat": False, "support_ligatures": True}
)


def fa_digits(text: object) -> str:
    """Latin digits → Persian digits (everything else unchanged)."""
    return str(text).translate(_TO_FA)


def fa_number(n: int | float | object, decimals: int = 0) -> str:
    """1234567 → ۱٬۲۳۴٬۵۶۷ (thousands separated, Persian digits); decimals with '٫'.

    A negative number keeps its minus on the left (a left-to-right mark in front of it).
    """
    if float(n) < 0:  # type: ignore[arg-type]
        return LRM + "-" + fa_number(-n, decimals)  # type: ignore[operator]
    text = (
        f"{float(n):,.{decimals}f}".rstrip("0").rstrip(".")  # type: ignore[arg-type]
        if decimals
        else f"{int(n):,}"  # type: ignore[call-overload]
    )
    return fa_digits(text.replace(",", THOUSANDS).replace(".", "\u066b"))


def fa_area(m2: object) -> str:
    """An area in m² with at most two decimals: 450 → ۴۵۰, 120.5 → ۱۲۰٫۵."""
    return fa_number(m2, decimals=2)


def rials(n: int) -> str:
    return f"{fa_number(n)} ریال"


# ---------------------------------------------------------------- numbers in words

_ONES = ("", "یک", "دو", "سه", "چهار", "پنج", "شش", "هفت", "هشت", "نه")
_TEENS = (
    "ده",
    "یازده",
    "دوازده",
    "سیزده",
    "چهارده",
    "پانزده",
    "شانزده",
    "هفده",
    "هجده",
    "نوزده",
)
_TENS = ("", "", "بیست", "سی", "چهل", "پنجاه", "شصت", "هفتاد", "هشتاد", "نود")
_HUNDREDS = ("", "صد", "دویست", "سیصد", "چهارصد", "پانصد", "ششصد", "هفتصد", "هشتصد", "نهصد")
# Iranian usage: 10^12 is «هزار میلیارد», built from the scales below.
_SCALES = ((10**9, "میلیارد"), (10**6, "میلیون"), (10**3, "هزار"))


def _below_thousand(n: int) -> list[str]:
    parts = []
    h, rest = divmod(n, 100)
    if h:
        parts.append(_HUNDREDS[h])
    if 10 <= rest < 20:
        parts.append(_TEENS[rest - 10])
    else:
        t, o = divmod(rest, 10)
        if t:
            parts.append(_TENS[t])
        if o:
            parts.append(_ONES[o])
    return parts


def number_to_words(n: int) -> str:
    """A non-negative integer in Persian words: 1250000 → «یک میلیون و دویست و پنجاه هزار»."""
    if n < 0:
        return "منفی " + number_to_words(-n)
    if n == 0:
        return "صفر"
    parts: list[str] = []
    for scale, name in _SCALES:
        if n >= scale:
            head, n = divmod(n, scale)
            parts.append(f"{number_to_words(head)} {name}")
    if n:
        parts.extend(_below_thousand(n))
    return " و ".join(parts)


def rials_in_words(n: int) -> str:
    return f"{number_to_words(n)} ریال"


# ---------------------------------------------------------------- shaping and wrapping


@lru_cache(maxsize=65536)
def visual(text: str) -> str:
    """One *line* of logical text → the glyph order to draw, left to right (base direction RTL).

    Brackets are mirrored, digit runs stay left-to-right, ZWNJ is kept (it stops joining and
    has no width in Vazirmatn).
    """
    if not text:
        return ""
    shaped = _reshaper.reshape(text)
    if LRM in shaped or "-" in shaped or "/" in shaped or ":" in shaped:
        shaped = _CODE.sub(LRM + r"\1" + RLM, shaped)
    if ZWNJ not in shaped:
        return get_display(shaped, base_dir="R").translate(_NO_MARKS)
    # The bidi algorithm drops ZWNJ (class BN, rule X9). Its work (stopping the join) is done by
    # the reshaper; carry it through reordering as a right-to-left letter that the text cannot
    # contain, so it stays in the drawn string (and in text copied from the PDF).
    return (
        get_display(shaped.replace(ZWNJ, _ZWNJ_STAND_IN), base_dir="R")
        .replace(_ZWNJ_STAND_IN, ZWNJ)
        .translate(_NO_MARKS)
    )


@lru_cache(maxsize=65536)
def _word_width(word: str, font: str, size: float) -> float:
    return stringWidth(_reshaper.reshape(word), font, size)


@lru_cache(maxsize=64)
def _space(font: str, size: float) -> float:
    return stringWidth(" ", font, size)


@lru_cache(maxsize=65536)
def text_width(text: str, font: str, size: float) -> float:
    """Width of a logical line once shaped (shaping changes glyphs, hence widths)."""
    words = text.split(" ")
    return sum(_word_width(w, font, size) for w in words) + _space(font, size) * (len(words) - 1)


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Logical text → logical lines, top to bottom, each at most `width` wide once shaped.

    A newline starts a new line. A single word wider than the line is put on a line of its own
    (it overflows rather than being cut inside a word).
    """
    return list(_wrap(text, font, size, width))


@lru_cache(maxsize=16384)
def _wrap(text: str, font: str, size: float, width: float) -> tuple[str, ...]:
    lines: list[str] = []
    space = _space(font, size)
    for paragraph in text.split("\n"):
        words = [w for w in paragraph.split(" ") if w]
        if not words:
            lines.append("")
            continue
        line: list[str] = []
        used = 0.0
        for w in words:
            ww = _word_width(w, font, size)
            if line and used + space + ww > width:
                lines.append(" ".join(line))
                line, used = [w], ww
            else:
                used = used + space + ww if line else ww
                line.append(w)
        lines.append(" ".join(line))
    return tuple(lines)


def rtl_columns(cells: list) -> list:
    """Logical column order (first = rightmost) → drawing order (left to right)."""
    return list(reversed(cells))

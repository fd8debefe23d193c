"""The right-to-left text layer: Persian digits and numbers, amounts in words, shaping, wrapping.

A PDF is read by people and by machines: the glyphs must be joined and drawn right to left,
and the text behind them (what a reader searches, what copy-paste and `pdftotext` give) must
be logical Persian — «قرارداد» as ق ر ا ر د ا د, not presentation forms in visual order. So:

1. wrap the *logical* text into lines, measuring each word shaped (words are separated by
   spaces, which never join, so a word's shaped width is its width in the line);
2. split each line into bidi runs (python-bidi's embedding levels, base direction
   right-to-left, rules W1–I2; codes like ۱۴۰۵-۰۰۱۲ kept one left-to-right run), and put the
   runs in visual order (L2);
3. shape each run with HarfBuzz (`uharfbuzz`, the shaper ReportLab 5 uses), right-to-left
   runs as Persian: joining forms, the lam-alef ligature, mirrored brackets, the ezafe «هٔ»
   composed, kerning and mark positions;
4. draw the glyphs left to right; a glyph that is not the font's glyph for its own character
   (a contextual form, a ligature, a mirrored bracket, ZWNJ) is drawn through a private code
   point whose ToUnicode entry is the *logical* text it stands for (`reports.layout`
   writes the font's ToUnicode map from `to_unicode`). Positions come from HarfBuzz: the
   difference from the font's advance widths goes into the TJ array, a mark's height into Ts.
   A combining mark (bidi class NSM: the tanvin of «فوراً», a shadda) is text of the letter
   before it: that letter's glyph stands for both, the mark's glyph for nothing. A reader
   builds words from the glyphs' positions, and a mark drawn raised over its letter would
   otherwise be read as a word of its own («فورا ً»).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter

import uharfbuzz as hb
from bidi import algorithm as _bidi
from reportlab.pdfbase import pdfmetrics

ZWNJ = "\u200c"
ZWJ = "\u200d"
THOUSANDS = "\u066c"  # ARABIC THOUSANDS SEPARATOR (٬)
LRM, RLM = "\u200e", "\u200f"

# A number with inner separators (1405-0012, 1405/08/21, 7-10207). After an Arabic letter the
# bidi algorithm turns its digits into Arabic numbers (W2), and "-" between Arabic numbers does
# not join them (W4), so "شماره ۱۴۰۵-۰۰۱۲" would print as ۰۰۱۲-۱۴۰۵. A left-to-right mark in
# front keeps the whole code one left-to-right run; a right-to-left mark after it keeps what
# follows (a dash, then a Latin word) out of that run. The marks are not drawn.
_CODE = re.compile(r"(?<![0-9۰-۹])([0-9۰-۹]+(?:[-/.:][0-9۰-۹]+)+)")
# The bidi algorithm removes ZWNJ and ZWJ (class BN, rule X9) from its list of characters;
# for the levels they stand as a right-to-left letter our texts never contain.
_STAND_IN = "\u0712"  # SYRIAC LETTER GAMAL

_TO_FA = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
# characters whose presence may make a line other than one right-to-left run
_MIXED = re.compile(r"[0-9۰-۹A-Za-z\u00c0-\u024f\u200e\u200f]")
# combining marks (bidi class NSM) the papers can hold: «ً» «ٌ» «ٍ» «َ» «ُ» «ِ» «ّ» «ْ», the hamza
# above «ٔ», the superscript alef, Quranic marks, Latin accents
_NSM = (
    "\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670"
    "\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed"
)
_MARKS = re.compile(f"[{_NSM}]")
# what Poppler counts as part of a number when it puts a right-to-left line back in order
_POPPLER_DIGITS = frozenset("،.,:/-٫٬%+#$")
_SEPARATORS = re.compile(r"[،.,:/\-٫٬%+#$][^\n]")
_BIDI = unicodedata.bidirectional
_ALL_MARKS = re.compile(f"[{_NSM}]+")


def fa_digits(text: object) -> str:
    """Latin digits → Persian digits (everything else unchanged)."""
    return str(text).translate(_TO_FA)


def fa_number(n: int | float | object, decimals: int = 0, fixed: bool = False) -> str:
    """1234567 → ۱٬۲۳۴٬۵۶۷ (thousands separated, Persian digits); decimals with '٫', their
    trailing zeros dropped unless `fixed` (a column of scores reads alike: ۴۴۶٫۰۰, ۵۳۶٫۹۹).

    A negative number keeps its minus on the left (a left-to-right mark in front of it).
    """
    if float(n) < 0:  # type: ignore[arg-type]
        return LRM + "-" + fa_number(-n, decimals, fixed)  # type: ignore[operator]
    text = f"{float(n):,.{decimals}f}" if decimals else f"{int(n):,}"  # type: ignore[call-overload,arg-type]
    if decimals and not fixed:
        text = text.rstrip("0").rstrip(".")
    return fa_digits(text.replace(",", THOUSANDS).replace(".", "\u066b"))


def fa_area(m2: object, fixed: bool = False) -> str:
    """An area in m²: a whole one without decimals, any other with two, so that one area
    reads the same in a sentence and in a table (450 → ۴۵۰, 2129.7 → ۲٬۱۲۹٫۷۰); `fixed`, in
    a table's column, always two, so the column reads alike (۷٬۰۲۸٫۰۰, ۳٬۳۶۴٫۵۰)."""
    if not fixed and float(m2) % 1 == 0:  # type: ignore[arg-type]
        return fa_number(int(float(m2)))  # type: ignore[arg-type]
    return fa_number(m2, decimals=2, fixed=True)


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


# ---------------------------------------------------------------- fonts for shaping

_PUA_FIRST, _PUA_LAST = 0xE000, 0xF8FF
_lock = threading.Lock()  # private code points are handed out once, whatever the thread


class _ShapingFont:
    """One registered TrueType font as HarfBuzz sees it, with the private code points handed
    out for glyphs that are not the font's glyph of their own character."""

    def __init__(self, name: str):
        self.name = name
        self.rl = pdfmetrics.getFont(name)
        face = self.rl.face
        self.face = face
        data = getattr(face, "_ttf_data", None)
        if data is None:
            with open(face.filename, "rb") as f:
                data = f.read()
        self.hb = hb.Font(hb.Face(hb.Blob(data)))
        self.scale = face._pdfScale  # font units → thousandths of an em (PDF widths)
        self.codes: dict[tuple[int, str], str] = {}  # (glyph, logical text) → character drawn
        self.texts: dict[int, str] = {}  # private code point → logical text (ToUnicode)
        self.next_private = _PUA_FIRST

    def char_for(self, gid: int, text: str) -> str:
        """The character to draw glyph `gid` standing for `text` (logical)."""
        if len(text) == 1 and self.face.charToGlyph.get(ord(text)) == gid:
            return text
        key = (gid, text)
        ch = self.codes.get(key)
        if ch is None:
            with _lock:
                ch = self.codes.get(key)
                if ch is None:
                    ch = self._private(gid, text)
        return ch

    def _private(self, gid: int, text: str) -> str:
        face = self.face
        code = self.next_private
        while code in face.charToGlyph:
            code += 1
        if code > _PUA_LAST:
            raise RuntimeError("the private-use area of the font is full")
        self.next_private = code + 1
        face.charToGlyph[code] = gid
        # a mark for readers (`_reader_marks`) takes no room: its glyph is HarfBuzz's invisible one
        face.charWidths[code] = 0 if text == RLM else self.scale(face.hmetrics[gid][0])
        self.texts[code] = text  # "" for a mark: its letter's glyph stands for it
        ch = chr(code)
        self.codes[(gid, text)] = ch
        return ch


_FONTS: dict[str, _ShapingFont] = {}


def shaping_font(name: str) -> _ShapingFont:
    font = _FONTS.get(name)
    if font is None:
        with _lock:
            font = _FONTS.get(name)
            if font is None:
                font = _FONTS[name] = _ShapingFont(name)
    return font


def to_unicode(font_name: str, code: int) -> str:
    """The logical text a drawn code point stands for (itself, unless a private one)."""
    font = _FONTS.get(font_name)
    if font is not None and code in font.texts:
        return font.texts[code]
    return chr(code)


# ---------------------------------------------------------------- bidi


def _levels(text: str) -> list[int]:
    """Resolved embedding levels (paragraph level 1, right to left), one per character."""
    probe = text.replace(ZWNJ, _STAND_IN).replace(ZWJ, _STAND_IN)
    st = _bidi.get_empty_storage()
    st["base_level"], st["base_dir"] = 1, "R"
    _bidi.get_embedding_levels(probe, st)
    _bidi.explicit_embed_and_overrides(st)
    _bidi.resolve_weak_types(st)
    _bidi.resolve_neutral_types(st, False)
    _bidi.resolve_implicit_levels(st, False)
    levels = [c["level"] for c in st["chars"]]
    # L1: white space at the end of the line takes the paragraph level
    i = len(text) - 1
    while i >= 0 and text[i] in " \t":
        levels[i] = 1
        i -= 1
    return levels


def _reader_marks(text: str, levels: list[int]) -> tuple[str, list[int]]:
    """A right-to-left mark, drawn as nothing, where a PDF reader would misplace what follows.

    Poppler (pdftotext, Evince, Okular) rebuilds a right-to-left line from the glyphs' places:
    from the right it takes anything but Latin letters and digits as right to left, then from
    the next letter or digit leftwards everything but an Arabic letter as left to right —
    counting a number's separators (، . , : / - ٫ ٬ % + # $) as digits. So the space and dash
    after «ماده ۱», drawn left of the number, came back before it («ماده  — ۱موضوع»), and
    «مهندسی، طبقه» as «مهندسی ،طبقه». A mark after a left-to-right run, or after such a
    separator, where a right-to-left stretch goes on with something other than an Arabic
    letter, ends the left-to-right part where it ends. The mark is itself a right-to-left
    character in a right-to-left place: nothing changes for a reader that follows the bidi
    algorithm, and the line is drawn as before (its glyph has no width)."""
    at = [
        i
        for i in range(1, len(text))
        if levels[i] % 2
        and _BIDI(text[i]) not in ("R", "AL")
        and (not levels[i - 1] % 2 or text[i - 1] in _POPPLER_DIGITS)
    ]
    if not at:
        return text, levels
    chars, lv, prev = [], [], 0
    for i in at:
        chars += [text[prev:i], RLM]
        lv += [*levels[prev:i], levels[i]]
        prev = i
    chars.append(text[prev:])
    lv += levels[prev:]
    return "".join(chars), lv


def _runs(text: str) -> tuple[str, list[tuple[int, int, int]]]:
    """The line without its directional marks, and (level, start, end) of each of its bidi
    runs in visual order (left to right)."""
    if LRM in text or "-" in text or "/" in text or ":" in text or "." in text:
        text = _CODE.sub(LRM + r"\1" + RLM, text)
    if not _MIXED.search(text):  # one right-to-left run
        if _SEPARATORS.search(text):
            text, _ = _reader_marks(text, [1] * len(text))
        return text, [(1, 0, len(text))] if text else []
    levels = _levels(text)
    if LRM in text or RLM in text:
        kept = [(c, lvl) for c, lvl in zip(text, levels, strict=True) if c not in (LRM, RLM)]
        text = "".join(c for c, _ in kept)
        levels = [lvl for _, lvl in kept]
    text, levels = _reader_marks(text, levels)
    runs: list[tuple[int, int, int]] = []
    for i, lvl in enumerate(levels):
        if runs and runs[-1][0] == lvl:
            runs[-1] = (lvl, runs[-1][1], i + 1)
        else:
            runs.append((lvl, i, i + 1))
    if not runs:
        return text, []
    # L2: from the highest level to the lowest odd one, reverse every sequence of runs at that
    # level or higher
    top = max(r[0] for r in runs)
    low = min((r[0] for r in runs if r[0] % 2), default=top + 1)
    for level in range(top, low - 1, -1):
        i = 0
        while i < len(runs):
            if runs[i][0] >= level:
                j = i
                while j < len(runs) and runs[j][0] >= level:
                    j += 1
                runs[i:j] = runs[i:j][::-1]
                i = j
            else:
                i += 1
    return text, runs


# ---------------------------------------------------------------- shaping


@dataclass(frozen=True, slots=True)
class Shaped:
    """One line, shaped: what to draw, left to right.

    `chars`: one character per glyph (see `_ShapingFont.char_for`); `kerns`: (glyph index,
    TJ number) — the move before that glyph, in thousandths of an em, PDF's sign (a positive
    number moves left); `rises`: (first, end, rise) for glyphs drawn above or below the
    baseline (marks); `width`: the line's advance in thousandths of an em.
    """

    chars: str
    kerns: tuple[tuple[int, float], ...]
    rises: tuple[tuple[int, int, float], ...]
    width: float
    spaces: int  # glyphs drawn as the space character (widened by word spacing, Tw)
    # the TJ array of a kerned line with `%s` for each run of glyph codes between kerns (as
    # hex), and what takes those runs out of the hex string of the line's codes
    tj: str = ""
    tj_runs: Callable[[str], str | tuple[str, ...]] | None = None
    # the code points drawn, each once, in the order they first appear (a file gives its font
    # codes in that order: `reports.layout._Codes.learn`), and as a set
    uniq: tuple[int, ...] = ()
    charset: frozenset[int] = frozenset()


_EPS = 0.5  # thousandths of an em: a smaller difference is carried to the next glyph


def _hb_run(font: _ShapingFont, text: str, start: int, end: int, rtl: bool):
    buf = hb.Buffer()
    buf.cluster_level = hb.BufferClusterLevel.MONOTONE_CHARACTERS
    buf.add_str(text, start, end - start)
    buf.guess_segment_properties()
    buf.direction = "rtl" if rtl else "ltr"
    if rtl:
        buf.language = "fa"
    hb.shape(font.hb, buf, {"kern": True, "liga": True})
    return buf.glyph_infos, buf.glyph_positions


def _pieces(text: str, start: int, end: int, clusters: set[int]) -> dict[int, str]:
    """The logical text each of a run's clusters stands for. A cluster of combining marks
    only (bidi class NSM, which rule W1 gives the class of the letter before it) goes with
    the cluster before it: «فوراً» is one word to a reader only if the glyph of «ا» stands for
    «اً» and the tanvin's glyph, drawn raised and shifted over it, for nothing."""
    order = sorted(clusters)
    nxt = dict(zip(order, [*order[1:], end], strict=True))
    pieces = {c: text[c : nxt[c]] for c in order}
    if not _MARKS.search(text, start, end):
        return pieces
    base = None
    for c in order:
        piece = pieces[c]
        if base is not None and _ALL_MARKS.fullmatch(piece):
            pieces[base] += piece
            pieces[c] = ""
        elif not piece.isspace():
            base = c
        else:
            base = None  # a mark after a space keeps its own text
    return pieces


@lru_cache(maxsize=65536)
def shape(text: str, font_name: str) -> Shaped:
    """One logical line → its glyphs in drawing order (base direction right to left)."""
    font = shaping_font(font_name)
    text, runs = _runs(text)
    scale = font.scale
    widths = font.face.charWidths
    default = font.face.defaultWidth
    chars: list[str] = []
    kerns: list[tuple[int, float]] = []
    rise_of: list[float] = []
    pending = 0.0  # how far right of the PDF pen the next glyph's origin must be
    total = 0.0
    for level, start, end in runs:
        rtl = bool(level % 2)
        infos, positions = _hb_run(font, text, start, end, rtl)
        pieces = _pieces(text, start, end, {i.cluster for i in infos})
        seen: set[int] = set()
        for info, pos in zip(infos, positions, strict=True):
            c = info.cluster
            piece = "" if c in seen else pieces[c]
            seen.add(c)
            if rtl and len(piece) > 1:
                # A glyph for several letters (the lam-alef ligature, ه with the ezafe hamza)
                # in a right-to-left run: readers turn a right-to-left line around character
                # by character, the characters of one glyph included, so they are written
                # here in drawing order too and come back logical.
                piece = piece[::-1]
            ch = font.char_for(info.codepoint, piece)
            x_adv, x_off = scale(pos.x_advance), scale(pos.x_offset)
            move = pending + x_off
            if abs(move) >= _EPS:
                kerns.append((len(chars), -move))
                move = 0.0
            w = widths.get(ord(ch), default)
            pending = move + x_adv - x_off - w
            rise_of.append(scale(pos.y_offset))
            chars.append(ch)
            total += x_adv
    rises = []
    i = 0
    while i < len(rise_of):
        if rise_of[i]:
            j = i
            while j < len(rise_of) and rise_of[j] == rise_of[i]:
                j += 1
            rises.append((i, j, rise_of[i]))
            i = j
        else:
            i += 1
    drawn = "".join(chars)
    tj, tj_runs = _tj_template(kerns, len(drawn))
    uniq = tuple(map(_one_int, dict.fromkeys(map(ord, drawn))))
    return Shaped(
        drawn,
        tuple(kerns),
        tuple(rises),
        total,
        drawn.count(" "),
        tj,
        tj_runs,
        uniq,
        frozenset(uniq),
    )


# one int object per code point, whatever line it comes from: sets of them compare by identity
_INTS: dict[int, int] = {}


def _one_int(code: int) -> int:
    return _INTS.setdefault(code, code)


def _tj_template(kerns: list[tuple[int, float]], n: int):
    """The TJ array of a line of `n` glyphs with these kerns, as a template: the glyph codes
    between two kerns go in as one hex string (two digits a glyph)."""
    if not kerns:
        return "", None
    parts, runs, prev = [], [], 0
    for i, k in kerns:
        if i > prev:
            parts.append("<%s>")
            runs.append(slice(2 * prev, 2 * i))
            prev = i
        parts.append(f"{k:.1f}")
    if prev < n:
        parts.append("<%s>")
        runs.append(slice(2 * prev, 2 * n))
    return f"[{' '.join(parts)}] TJ", itemgetter(*runs) if runs else None


def logical_text(shaped: Shaped, font_name: str) -> str:
    """What a reader gets back from the drawn glyphs, in drawing order (for tests)."""
    return "".join(to_unicode(font_name, ord(c)) for c in shaped.chars)


# ---------------------------------------------------------------- measuring and wrapping


@lru_cache(maxsize=65536)
def _word_width(word: str, font: str) -> float:
    return shape(word, font).width


@lru_cache(maxsize=64)
def _space(font: str) -> float:
    return shape(" ", font).width


def text_width(text: str, font: str, size: float) -> float:
    """Width of a logical line once shaped (shaping changes glyphs, hence widths)."""
    return shape(text, font).width * size / 1000


def wrap(text: str, font: str, size: float, width: float) -> tuple[str, ...]:
    """Logical text → logical lines, top to bottom, each at most `width` wide once shaped.

    A newline starts a new line. A single word wider than the line is put on a line of its own
    (it overflows rather than being cut inside a word). The lines are cached: a tuple.
    """
    return _wrap(text, font, size, width)


@lru_cache(maxsize=16384)
def _wrap(text: str, font: str, size: float, width: float) -> tuple[str, ...]:
    lines: list[str] = []
    limit = width * 1000 / size
    space = _space(font)
    for paragraph in text.split("\n"):
        words = [w for w in paragraph.split(" ") if w]
        if not words:
            lines.append("")
            continue
        line: list[str] = []
        used = 0.0
        for w in words:
            ww = _word_width(w, font)
            if line and used + space + ww > limit:
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

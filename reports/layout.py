"""A small right-to-left page writer on a ReportLab canvas: paragraphs, tables, boxes, a QR code.

Platypus is not used: its paragraphs wrap left-to-right text. Everything here takes logical
(unshaped) Persian text, wraps it with `rtl.wrap`, and draws lines shaped by `rtl.shape`
(HarfBuzz, bidi runs) right-aligned; the fonts' ToUnicode maps give the logical text back.
Tables take their columns in logical order (the first column is the rightmost one).
"""

from __future__ import annotations

import codecs
import io
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache, partial
from operator import itemgetter
from pathlib import Path

from reportlab import rl_config
from reportlab.lib.colors import Color, black, white
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfdoc, pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import (
    FF_NONSYMBOLIC,
    FF_SYMBOLIC,
    SUBSETN,
    TTFont,
    makeToUnicodeCMap,
)
from reportlab.pdfgen.canvas import Canvas

from .rtl import Shaped, fa_digits, shape, text_width, to_unicode, wrap

FONT_DIR = Path(__file__).resolve().parent.parent / "resources" / "fonts"
REGULAR, BOLD = "Vazirmatn", "Vazirmatn-Bold"
GREY = Color(0.9, 0.9, 0.9)
MID = Color(0.45, 0.45, 0.45)

_registered = False


# A PDF string literal as ReportLab writes it: printable ASCII as is, \ ( ) escaped, every other
# byte as a three-digit octal escape (the content stream stays 7-bit). One table lookup per byte.
_ESCAPE_STR = [chr(b) if 32 <= b < 127 and b not in b"\\()" else f"\\{b:03o}" for b in range(256)]
_ESCAPE_STR[ord("\\")], _ESCAPE_STR[ord("(")], _ESCAPE_STR[ord(")")] = "\\\\", "\\(", "\\)"

_ESCAPE = {b: s for b, s in enumerate(_ESCAPE_STR) if s != chr(b)}  # for str.translate


class _Codes(dict):
    """One font's first subset in one file as a codec: code point → byte, for
    `codecs.charmap_encode`, which turns a line into the subset's bytes in one C call.

    Codes are given by `TTFont.splitString`, which assigns them in the order characters are
    first drawn: the subsets, their bytes and their fonts are exactly ReportLab's. A page's
    lines are encoded when the page is finished (`Page._flush_text`): first `learn` takes the
    characters of all of them, in drawing order, and gives the new ones their codes in one
    pass — the order of first appearance, hence the codes, are those of drawing line by
    line — then every line is encoded through the compiled table (`map`). Compiled tables are
    shared by the files whose first subsets hold the same characters (compiling one costs as
    much as encoding ten lines). A line encoded on its own (`encode` before `learn`) learns
    its new characters through the dictionary (`__missing__`).
    """

    def __init__(self, font, doc):
        super().__init__()
        self.font, self.doc = font, doc
        self.name: str | None = None  # the first subset's resource name, once drawn
        self.table = ["\x00"] + ["\ufffe"] * 255  # byte → character (U+FFFE: none yet)
        self.map = _charmap("".join(self.table))
        self.stale = False  # the table holds characters `map` lacks
        self.state = None  # ReportLab's TTFont.State of the font in the file, once made
        self.sizes: dict[float, str] = {}  # size → "/F1+0 10 Tf"
        self.known: set[int] = set()  # the characters learnt (a later subset's included)

    def tf(self, size: float) -> str:
        """The operator that selects the first subset at `size` (naming the subset in the
        file when first drawn)."""
        if self.name is None:
            self.name = self.font.getSubsetInternalName(0, self.doc)
        op = self.sizes[size] = f"{self.name} {size:g} Tf"
        return op

    def learn(self, lines: Sequence[Shaped]) -> None:
        """Give codes to the characters of `lines` (in drawing order) not drawn before in the
        file, in the order they first appear, and compile the table again if it grew. A line
        whose characters are all known costs one set comparison."""
        known = self.known
        new: list[int] = []
        for sh in lines:
            if sh.charset <= known:
                continue
            for code in sh.uniq:
                if code not in known:
                    known.add(code)
                    new.append(code)
        if new:
            self._assign_all(new)
        if self.stale:
            self.map = _charmap("".join(self.table))
            self.stale = False

    def _assign_all(self, new: list[int]) -> None:
        """`_assign` for each of `new` in turn, the plain ones a run at a time (characters the
        font has, not given a code yet, while the first subset has free codes in a row: 1–30,
        then 128–255), and their codes into `table`. (The dictionary itself learns a character
        only when a line goes through it: `__missing__`.)"""
        glyphs = self.font.face.charToGlyph
        table = self.table
        i, end = 0, len(new)
        while i < end:
            st = self.state
            n = st.nextCode if st is not None and not st.frozen else 0
            room = 31 - n if 0 < n < 31 else 256 - n if 32 < n < 256 else 0
            j, stop = i, min(end, i + room)
            assigned = st.assignments if room else None
            while j < stop and (c := new[j]) != 0xA0 and c in glyphs and c not in assigned:
                j += 1
            if j == i:  # ReportLab's way, one character
                code = new[i]
                m = self._assign(code)
                if m and not m >> 8 and code != 0xA0 and table[m] == "\ufffe":
                    table[m] = chr(code)
                    self.stale = True
                i += 1
                continue
            run, k = new[i:j], j - i
            if n < 31:
                st.subsets[0][n : n + k] = run
            else:
                st.subsets[0].extend(run)
            st.nextCode = n + k
            st.assignments.update(zip(run, range(n, n + k), strict=True))
            table[n : n + k] = map(chr, run)
            self.stale = True
            i = j

    def encode(self, vis: str) -> bytes | None:
        """The first subset's bytes for `vis`, or None: not all of it is in that subset."""
        try:
            return codecs.charmap_encode(vis, "strict", self.map)[0]
        except UnicodeEncodeError:
            pass
        try:  # a no-break space, a character the font lacks, or one not learnt yet
            return codecs.charmap_encode(vis, "strict", self)[0]
        except UnicodeEncodeError:
            return None

    def _add(self, code: int, n: int) -> None:
        self[code] = n
        self.known.add(code)
        if n and code != 0xA0 and self.table[n] == "\ufffe":  # (U+00A0 is drawn as code 32)
            self.table[n] = chr(code)
            self.stale = True

    def __missing__(self, code: int) -> int:
        """A character not drawn before in the file: its code, as ReportLab gives it."""
        n = self._assign(code)
        if n >> 8:  # in a second subset: the line is split by ReportLab
            raise LookupError(code)
        self._add(code, n)
        return n

    def _assign(self, code: int) -> int:
        """`TTFont.splitString` for one character (subset × 256 + byte), without its
        per-call overhead in the plain case: the next free code of the current subset goes
        to a character the font has. The rest (code 31 and the skip over the ASCII codes, a
        new subset, code 32 kept a space, U+00A0, a missing glyph) is ReportLab's own."""
        st = self.state
        if st is not None and not st.frozen and code != 0xA0 and code in self.font.face.charToGlyph:
            n = st.assignments.get(code)
            if n is not None:
                return n
            n = st.nextCode
            if 0 < n < 31 or (n > 32 and (n & 0xFF) not in (0, 32)):
                if n < 31:
                    st.subsets[0][n] = code
                else:
                    st.subsets[n >> 8].append(code)
                st.nextCode = n + 1
                st.assignments[code] = n
                return n
        ((subset, run),) = self.font.splitString(chr(code), self.doc)
        self.state = self.font.state[self.doc]
        return subset << 8 | run[0]


@lru_cache(maxsize=1024)
def _raised(sh: Shaped, size: float) -> tuple[str, Callable[[str], str | tuple[str, ...]]]:
    """The text of a line in one subset with glyphs drawn above or below the baseline (marks),
    after its font selection: what `Page._shaped_op`'s glyph-by-glyph path writes, as a
    template with `%s` for each run of glyph codes between kerns and rises (as hex), and what
    takes those runs out of the hex string of the line's codes."""
    n = len(sh.chars)
    rise = [0.0] * n
    for a, b, r in sh.rises:
        rise[a:b] = [r * size / 1000] * (b - a)
    kern = dict(sh.kerns)
    ops: list[str] = []
    arr: list[str] = []
    runs: list[slice] = []
    start, level = 0, 0.0

    def flush_run(i: int) -> None:
        nonlocal start
        if i > start:
            arr.append("<%s>")
            runs.append(slice(2 * start, 2 * i))
            start = i

    def flush_array(i: int) -> None:
        flush_run(i)
        if arr:
            ops.append(f"[{' '.join(arr)}] TJ")
            arr.clear()

    for i in range(n):
        if rise[i] != level:
            flush_array(i)
            ops.append(f"{rise[i]:.2f} Ts")
            level = rise[i]
        if i in kern:
            flush_run(i)
            arr.append(f"{kern[i]:.1f}")
    flush_array(n)
    if level:
        ops.append("0 Ts")
    return " ".join(ops), itemgetter(*runs)


_charmap = lru_cache(maxsize=256)(codecs.charmap_build)  # a table's string → compiled table

_RL_TO_UNICODE = makeToUnicodeCMap


def to_unicode_cmap(font_name: str, base_name: str, subset: Sequence[int]) -> str:
    """The subset's ToUnicode map: each code to the logical text its glyph stands for (a
    private code point of `rtl.shape` to the letters, ligature or bracket behind it), as
    ReportLab's `makeToUnicodeCMap` writes it otherwise."""
    texts = [to_unicode(font_name, c) for c in subset]
    if all(len(t) == 1 and ord(t) == c for t, c in zip(texts, subset, strict=True)):
        return _RL_TO_UNICODE(base_name, list(subset))
    head = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo",
        f"<< /Registry ({base_name})",
        f"/Ordering ({base_name})",
        "/Supplement 0",
        ">> def",
        f"/CMapName /{base_name} def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        f"<00> <{len(subset) - 1:02X}>",
        "endcodespacerange",
    ]
    entries = [f"<{i:02X}> <{t.encode('utf-16-be').hex().upper()}>" for i, t in enumerate(texts)]
    body = []
    for k in range(0, len(entries), 100):  # at most 100 entries per bfchar block
        chunk = entries[k : k + 100]
        body += [f"{len(chunk)} beginbfchar", *chunk, "endbfchar"]
    tail = ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(head + body + tail)


# page attributes a page of `Page` leaves unset (see `_format_page`)
_UNSET_PAGE_KEYS = tuple(
    k
    for k in pdfdoc.PDFPage.__NoDefault__
    if k not in ("Parent", "MediaBox", "Resources", "Contents", "Rotate", "Trans", "Annots")
)
_PAGE_DICTS: dict[tuple, bytes] = {}  # what a page dictionary refers to → its bytes


class _FastFlate(pdfdoc.PDFStreamFilterZCompress):
    """A page's text, deflated at zlib's fastest level: measured on the sample contract (four
    pages), the paper went from 3.00 ms to 2.72 ms, for 1.9 KB more in a 52.5 KB file (the
    font subsets, most of the bytes, keep ReportLab's level)."""

    def encode(self, text):
        return zlib.compress(text.encode("utf8") if isinstance(text, str) else text, 1)


_FAST_FLATE = _FastFlate()


def _format_page(page: pdfdoc.PDFPage, document) -> bytes:
    """`PDFPage.format` for the pages `Page` writes, each dictionary formatted once for what it
    refers to. A page differs from another only by the object numbers of its content stream,
    its fonts and forms: the bytes ReportLab writes for those numbers are kept (formatting a
    page dictionary through ReportLab's generic objects costs as much as a dozen lines of
    text). The content stream is registered here, where `PDFPage.format` registers it, so the
    objects are numbered as ReportLab numbers them; anything else on a page (annotations,
    boxes, transitions, graphics states, colour spaces, images) goes through ReportLab."""
    page.check_format(document)
    contents = document.Reference(page.Contents)
    res = page.Resources
    numbers = document.idToObjectNumberAndVersion
    xobjects = res.XObject.dict if isinstance(res.XObject, pdfdoc.PDFDictionary) else res.XObject
    plain = (
        not page.Annots
        and not page.ExtGState
        and all(getattr(page, k, None) is None for k in _UNSET_PAGE_KEYS)
        and isinstance(page.Trans, pdfdoc.PDFDictionary)
        and not page.Trans.dict
        and isinstance(res.Font, pdfdoc.PDFObjectReference)
        and not (res.ColorSpace or res.ExtGState or res.Pattern or res.Properties or res.Shading)
        and isinstance(xobjects, dict)
        and all(type(v) is pdfdoc.PDFObjectReference for v in xobjects.values())
        and isinstance(page.MediaBox, pdfdoc.PDFArray)
    )
    if not plain:
        return pdfdoc.PDFPage.format(page, document)
    key = (
        numbers[contents.name],
        numbers[page.Parent.name],
        numbers[res.Font.name],
        tuple(res.ProcSet),
        tuple((k, numbers[v.name]) for k, v in xobjects.items()),
        tuple(page.MediaBox.sequence),
        page.Rotate,
    )
    return _kept(_PAGE_DICTS, 1024, key, lambda: pdfdoc.PDFPage.format(page, document))


def _kept(cache: dict[tuple, bytes], limit: int, key: tuple, make: Callable[[], bytes]) -> bytes:
    """`make()`'s bytes, formatted once per `key`; the cache starts again when it holds
    `limit` (a long batch of different papers must not grow it without end)."""
    data = cache.get(key)
    if data is None:
        if len(cache) >= limit:
            cache.clear()
        data = cache[key] = make()
    return data


_FORMS: dict[tuple, bytes] = {}  # a page-count form's content and references → its bytes


def _format_form(form: pdfdoc.PDFFormXObject, document) -> bytes:
    """`PDFFormXObject.format` for the page-count forms `Page` writes (a few bytes of text
    that every page of a paper shows), kept for what they hold and refer to: the same count
    of pages in the same font is the same object. (It registers nothing: its stream is
    written inline.) Anything else in a form goes through ReportLab."""
    plain = (
        isinstance(document.encrypt, pdfdoc.NoEncryption)
        and not form.Annots
        and not form.XObjects
        and not getattr(form, "ExtGState", None)
        and not getattr(form, "_colorsUsed", None)
        and form.Contents is None
        and form.Resources is None
        and form.BBox is None
        and form.Matrix is None
    )
    if not plain:
        return pdfdoc.PDFFormXObject.format(form, document)
    key = (
        form.stream,
        (form.lowerx, form.lowery, form.upperx, form.uppery),
        form.compression,
        form.hasImages,
        rl_config.useA85,
        document.idToObjectNumberAndVersion[pdfdoc.BasicFonts],
    )
    return _kept(_FORMS, 256, key, lambda: pdfdoc.PDFFormXObject.format(form, document))


@lru_cache(maxsize=256)
def _pdf_string(text: str) -> bytes:
    """A text string of the document information as ReportLab writes it (UTF-16 with its byte
    order mark when not PDFDocEncoding, escaped): a pure function of the text."""
    return pdfdoc.PDFString(text).format(_PLAIN_DOC)


_PLAIN_DOC = pdfdoc.PDFDocument()  # (a string is written alike in every unencrypted file)


def _format_info(info: pdfdoc.PDFInfo, document) -> bytes:
    """`PDFInfo.format` with the title, author and the other strings written once per text:
    a Persian title is escaped byte by byte in Python, the same for every copy of a paper.
    The dates are ReportLab's, of this file."""
    if not isinstance(document.encrypt, pdfdoc.NoEncryption):
        return pdfdoc.PDFInfo.format(info, document)
    date = pdfdoc.PDFDate(ts=document._timeStamp, dateFormatter=info._dateFormatter)
    return pdfdoc.PDFDictionary(
        {
            "Title": _Formatted(_pdf_string(info.title)),
            "Author": _Formatted(_pdf_string(info.author)),
            "ModDate": date,
            "CreationDate": date,
            "Producer": _Formatted(_pdf_string(info.producer)),
            "Creator": _Formatted(_pdf_string(info.creator)),
            "Subject": _Formatted(_pdf_string(info.subject)),
            "Keywords": _Formatted(_pdf_string(info.keywords)),
            "Trapped": pdfdoc.PDFName(info.trapped),
        }
    ).format(document)


@lru_cache(maxsize=8)
def _font(name: str):
    return pdfmetrics.getFont(name)


def register_fonts() -> None:
    """Register Vazirmatn once per process (TrueType, embedded as a subset).

    Also turns off ReportLab's ASCII85 wrapping of compressed streams (a 7-bit-mail-era
    safety that costs a quarter more bytes and, without ReportLab's C accelerator, 40% of
    the time spent writing a file). Only this package uses ReportLab in the process.
    """
    global _registered
    if _registered:
        return
    rl_config.useA85 = 0
    for name, file in ((REGULAR, "Vazirmatn-Regular.ttf"), (BOLD, "Vazirmatn-Bold.ttf")):
        font = _SubsetReusingFont(name, str(FONT_DIR / file))
        _reuse_subsets(font.face)
        pdfmetrics.registerFont(font)
    _registered = True


def _reuse_subsets(face) -> None:
    """Building a font subset is costly, and the same glyph list always gives the same bytes:
    keep the last few per face (also when ReportLab's own `TTFont.addObjects` writes them)."""
    make = face.makeSubset

    @lru_cache(maxsize=128)
    def cached(subset: tuple[int, ...]) -> bytes:
        return make(list(subset))

    face.makeSubset = lambda subset: cached(tuple(subset))


class _Formatted(pdfdoc.PDFObject):
    """A PDF object already formatted: its bytes hold no reference, so they suit any file.
    (A fresh instance per file: ReportLab names an object when it is first referenced.)"""

    def __init__(self, data: bytes):
        self.data = data

    def format(self, document) -> bytes:
        return self.data


class _FormattedObject(_Formatted):
    """The same for an object that is always written on its own and referred to."""

    __RefOnly__ = 1


class _SubsetReusingFont(TTFont):
    """A TrueType font whose subsets are written once and reused across files.

    Building a subset, compressing it and its ToUnicode map and formatting its widths are the
    costliest steps of writing a document (two subsets per file), and the same glyph list
    always gives the same bytes: keep the formatted objects of the last few glyph lists. The
    day's batch of contracts shares almost every glyph, so most files reuse them. What is
    written is what `TTFont.addObjects` writes, byte for byte.

    `reuse = False` writes them through ReportLab's own `TTFont.addObjects` (the benchmark's
    baseline: a blank page as ReportLab writes it).
    """

    reuse = True

    def __init__(self, name: str, filename: str):
        super().__init__(name, filename)
        self._parts = lru_cache(maxsize=128)(self._format_parts)
        self._dicts: dict[tuple, bytes] = {}  # font dictionaries and descriptors, formatted

    def _formatted(self, key: tuple, obj, doc) -> bytes:
        """`obj` formatted, from the cache if it was written before with the same `key` (what
        it holds, references included: their object numbers)."""
        return _kept(self._dicts, 512, key, lambda: obj.format(doc))

    def _format_parts(
        self, base_name: str, subset: tuple[int, ...], compress: bool
    ) -> tuple[bytes, bytes, bytes]:
        """(widths array, ToUnicode stream, font file stream) of one subset, formatted."""
        doc = pdfdoc.PDFDocument(compression=compress)
        widths = pdfdoc.PDFArray(list(map(self.face.getCharWidth, subset)))
        cmap = pdfdoc.PDFStream()
        cmap.content = to_unicode_cmap(self.fontName, base_name, subset)
        font_file = pdfdoc.PDFStream()
        font_file.content = self.face.makeSubset(list(subset))
        font_file.dictionary["Length1"] = len(font_file.content)
        if compress:
            cmap.filters = font_file.filters = [pdfdoc.PDFZCompress]
        return tuple(pdfdoc.format(x, doc, toplevel=1) for x in (widths, cmap, font_file))

    def addObjects(self, doc) -> None:
        plain = isinstance(doc.encrypt, pdfdoc.NoEncryption) and not doc.defaultStreamFilters
        if not (self.reuse and plain):  # (streams encrypted or filtered per file)
            # ReportLab's own objects, but with the logical ToUnicode map (rtl.shape)
            saved = ttfonts.makeToUnicodeCMap
            ttfonts.makeToUnicodeCMap = lambda base, subset: to_unicode_cmap(
                self.fontName, base, subset
            )
            try:
                super().addObjects(doc)
            finally:
                ttfonts.makeToUnicodeCMap = saved
            return
        try:
            state = self.state[doc]
        except KeyError:
            state = self.state[doc] = TTFont.State(self._asciiReadable)
        state.frozen = 1
        face = self.face
        for n, subset in enumerate(state.subsets):
            internal_name = self.getSubsetInternalName(n, doc)[1:]
            base_name = b"".join((SUBSETN(n), b"+", face.name, face.subfontNameX)).decode("pdfdoc")
            widths, cmap, font_file = self._parts(base_name, tuple(subset), bool(doc.compression))

            font = pdfdoc.PDFTrueTypeFont()
            font.Name = internal_name
            font.BaseFont = base_name
            font.FirstChar = 0
            font.LastChar = len(subset) - 1
            font.Widths = _Formatted(widths)
            font.ToUnicode = doc.Reference(_Formatted(cmap), "toUnicodeCMap:" + base_name)
            file_ref = doc.Reference(
                _Formatted(font_file), f"fontFile:{face.filename}({base_name})"
            )
            descriptor = pdfdoc.PDFDictionary(
                {
                    "Type": "/FontDescriptor",
                    "Ascent": face.ascent,
                    "CapHeight": face.capHeight,
                    "Descent": face.descent,
                    "Flags": (face.flags & ~FF_NONSYMBOLIC) | FF_SYMBOLIC,
                    "FontBBox": pdfdoc.PDFArray(face.bbox),
                    "FontName": pdfdoc.PDFName(base_name),
                    "ItalicAngle": face.italicAngle,
                    "StemV": face.stemV,
                    "FontFile2": file_ref,
                    "MissingWidth": face.defaultWidth,
                }
            )
            number = doc.idToObjectNumberAndVersion
            key = (base_name, number[file_ref.name])
            font.FontDescriptor = doc.Reference(
                _FormattedObject(self._formatted(key, descriptor, doc)),
                "fontDescriptor:" + base_name,
            )
            key = (
                internal_name,
                base_name,
                widths,
                number[font.ToUnicode.name],
                number[font.FontDescriptor.name],
            )
            formatted = _FormattedObject(self._formatted(key, font, doc))
            formatted.__Comment__ = f"Font {self.fontName} subset {n}"
            doc.Reference(formatted, internal_name)
            doc.idToObject["BasicFonts"].dict[internal_name] = formatted
        del self.state[doc]


@dataclass(frozen=True)
class Column:
    title: str
    width: float  # share of the table's width (any unit; scaled to fit)
    align: str = "right"  # right | center | left


class Page:
    """A document being written top to bottom; `bytes()` finishes it."""

    # pages, page-count forms and the document information written through `_format_page`,
    # `_format_form` and `_format_info` (False: through ReportLab's own, for tests)
    cache_page_dicts = True

    def __init__(
        self,
        title: str,
        footer: str = "",
        margin: float = 42,
        size: float = 10,
        compress: bool = True,
    ):
        register_fonts()
        self.buf = io.BytesIO()
        # initialFontName: otherwise every page names Helvetica, a font that is not embedded
        self.c = Canvas(
            self.buf,
            pagesize=A4,
            pageCompression=1 if compress else 0,
            initialFontName=REGULAR,
            initialFontSize=size,
        )
        self.c.setTitle(title)
        if Page.cache_page_dicts:
            info = self.c._doc.info
            info.format = partial(_format_info, info)
        self.c.setAuthor("Nezarat Desk")
        self.c.setCreator("Nezarat Desk (ReportLab)")
        self.width, self.height = A4
        self.margin = margin
        self.left, self.right = margin, self.width - margin
        self.top, self.bottom = self.height - margin, margin + 22
        self.y = self.top
        self.size = size
        self.footer = footer
        self.footer_middle = ""  # e.g. the paper's verification code, on every page
        self.initials = ""  # a contract's «محل پاراف», at the footer's left on every page
        self.strike_blank = False  # a paper the parties sign: blank room left by a keep struck
        self.page_no = 1
        self._codes: dict[str, _Codes] = {}
        # the text drawn on the page (or form) being written, encoded when it is finished:
        # (content list, index in it, x, y, shaped line, font, size, word spacing)
        self._pending: list[tuple] = []
        self._doc_no = 1  # forms naming each paper's page count ("صفحه ۲ از ۵")
        # drawn at the top of every page after the first of a paper (a continuation header)
        self.running: Callable[[Page], None] | None = None

    # ------------------------------------------------------------ page flow

    @property
    def text_width(self) -> float:
        return self.right - self.left

    def new_page(self) -> None:
        self._draw_footer()
        self._show_page()
        self.page_no += 1
        self.y = self.top
        if self.running is not None:
            self.running(self)

    def next_document(self, footer: str) -> None:
        """Start another paper in the same file (batch printing): new page, numbering from 1.

        One file for a batch embeds the fonts once, which is most of a contract's cost.
        """
        self._draw_footer()
        self._show_page()
        self._count_pages()
        self._doc_no += 1
        self.page_no = 1
        self.y = self.top
        self.footer, self.footer_middle, self.running = footer, "", None
        self.initials = ""  # each paper says whether its pages are initialled
        self.strike_blank = False

    def _pages_form(self) -> str:
        return f"NZPages{self._doc_no}"

    def _count_pages(self) -> None:
        """The paper's page count, drawn where every footer left room for it (a form that
        every page of the paper shows, defined once the count is known)."""
        c = self.c
        c.beginForm(self._pages_form())
        c.setFillColor(MID)
        self.text(fa_digits(self.page_no), self.margin + 4, 7.5, x_right=self.left + 13)
        self._flush_text()
        c.endForm()
        if Page.cache_page_dicts:
            form = c._doc.idToObject[pdfdoc.xObjectName(self._pages_form())]
            form.format = partial(_format_form, form)

    def keep(self, height: float) -> None:
        """Keep what follows (`height` points of it) on one page; on a paper the parties sign
        (`strike_blank`), the room it leaves at the foot of this page is struck through, so
        that nothing can be written into it after the signatures."""
        if self.y - height < self.bottom and self.strike_blank:
            self._strike(self.y - 4, self.bottom + 4)
        self.ensure(height)

    STRIKE_FROM = 60.0  # points of blank room worth striking through (a few lines)

    def _strike(self, top: float, bottom: float) -> None:
        if top - bottom < self.STRIKE_FROM:
            return
        c = self.c
        c.saveState()
        c.setStrokeColor(MID)
        c.setLineWidth(0.6)
        c.line(self.right, top, self.left, bottom)  # the legal office's diagonal
        words = "این قسمت عمداً خالی مانده است"
        w, mid = text_width(words, REGULAR, 8) + 8, (top + bottom) / 2
        centre = (self.left + self.right) / 2
        c.setFillColor(white)
        c.rect(centre - w / 2, mid - 4, w, 13, stroke=0, fill=1)
        c.restoreState()
        self.text(words, mid, 8, align="center")

    def ensure(self, height: float) -> None:
        if self.y - height < self.bottom:
            self.new_page()

    @contextmanager
    def narrowed(self, left: float) -> Iterator[None]:
        """Text drawn inside this block takes only the right-hand part of the page, from
        `left` (a column beside something drawn on the left, e.g. a letter's signer)."""
        old = self.left
        self.left = left
        try:
            yield
        finally:
            self.left = old

    def _lines_here(self, lead: float) -> int:
        """How many lines of `lead` points still fit on this page."""
        return max(0, int((self.y - self.bottom) / lead + 1e-6))

    def space(self, h: float) -> None:
        self.y -= h

    def _draw_footer(self) -> None:
        c = self.c
        c.setStrokeColor(MID)
        c.setLineWidth(0.4)
        c.line(self.left, self.margin + 14, self.right, self.margin + 14)
        c.setFillColor(MID)
        self.text(self.footer, self.margin + 4, 7.5, x_right=self.right)
        if self.footer_middle:
            self.text(self.footer_middle, self.margin - 6, 7, x_right=self.right)
        if self.initials:
            self.text(self.initials, self.margin - 6, 7, x_left=self.left, align="left")
        self.text(
            f"صفحه {fa_digits(self.page_no)} از",
            self.margin + 4,
            7.5,
            x_left=self.left + 16,
            align="left",
        )
        c.doForm(self._pages_form())
        c.setFillColor(black)

    def _show_page(self) -> None:
        self._flush_text()
        self.c.showPage()
        page = self.c._doc.Pages.pages[-1]
        if page.compression and page.stream and not page.Contents:
            # the page's stream as `PDFPage.check_format` makes it, deflated faster
            stream = pdfdoc.PDFStream()
            stream.filters = [_FAST_FLATE]
            stream.content = page.stream
            stream.__Comment__ = "page stream"
            page.Contents = stream
        if Page.cache_page_dicts:
            page.format = partial(_format_page, page)  # (pdfdoc formats through `obj.format`)

    def bytes(self) -> bytes:
        self._draw_footer()
        self._show_page()
        self._count_pages()
        self.c.save()
        return self.buf.getvalue()

    # ------------------------------------------------------------ text

    def line(
        self,
        text: str,
        size: float | None = None,
        bold: bool = False,
        align: str = "right",
        x_right: float | None = None,
        x_left: float | None = None,
    ) -> None:
        """One line, no wrapping, at the current y (which moves down)."""
        size = size or self.size
        lead = size * 1.55
        self.ensure(lead)
        self.y -= lead
        self._draw(text, self.y + size * 0.35, size, bold, align, x_left, x_right)

    def _draw(self, text, baseline, size, bold, align, x_left=None, x_right=None) -> None:
        self.text(text, baseline, size, bold, align, x_left, x_right)

    def text(
        self,
        text: str,
        baseline: float,
        size: float,
        bold: bool = False,
        align: str = "right",
        x_left: float | None = None,
        x_right: float | None = None,
    ) -> None:
        """One line of logical text, shaped and reordered, aligned between x_left and x_right."""
        if not text:
            return
        font = BOLD if bold else REGULAR
        xr = self.right if x_right is None else x_right
        xl = self.left if x_left is None else x_left
        shaped = shape(text, font)
        if align == "left":
            x = xl
        else:
            w = shaped.width * size / 1000
            x = xr - w if align == "right" else (xl + xr - w) / 2
        self._emit(x, baseline, shaped, font, size)

    def _emit(self, x: float, y: float, sh: Shaped, font_name: str, size: float, tw: float = 0):
        """Keep the line's place in the page's content stream; its text operators are written
        there when the page is finished (`_flush_text`)."""
        code = self.c._code
        self._pending.append((code, len(code), x, y, sh, font_name, size, tw))
        code.append("")

    def _flush_text(self) -> None:
        """Write the text operators of the lines drawn since the last flush: the codes of
        their new characters learnt in one pass per font (in drawing order, as ReportLab
        would give them line by line), then each line encoded in one C call."""
        pending = self._pending
        if not pending:
            return
        self._pending = []
        lines: dict[str, list[Shaped]] = {}
        for item in pending:
            lines.setdefault(item[5], []).append(item[4])
        for font_name, shaped in lines.items():
            codes = self._codes_of(font_name)
            codes.learn(shaped)
        codes_of = self._codes
        encode = codecs.charmap_encode
        for code, i, x, y, sh, font_name, size, tw in pending:
            codes = codes_of[font_name]
            try:
                raw = encode(sh.chars, "strict", codes.map)[0] if sh.chars else None
            except UnicodeEncodeError:  # (see `_Codes.encode`)
                raw = codes.encode(sh.chars)
            if raw is None:  # over the first subset
                code[i] = self._shaped_op(x, y, sh, font_name, size, tw)
                continue
            # what `_shaped_op` writes for a line in the first subset, without its checks
            font = codes.sizes.get(size) or codes.tf(size)
            if sh.rises:
                template, runs = _raised(sh, size)
                text = template % runs(raw.hex())
            elif sh.tj_runs:
                text = sh.tj % sh.tj_runs(raw.hex())
            else:
                text = f"<{raw.hex()}> Tj"
            if tw:
                code[i] = f"BT 1 0 0 1 {x:.2f} {y:.2f} Tm {tw:.3f} Tw {font} {text} 0 Tw ET"
            else:
                code[i] = f"BT 1 0 0 1 {x:.2f} {y:.2f} Tm {font} {text} ET"

    def _shaped_op(
        self, x: float, y: float, sh: Shaped, font_name: str, size: float, tw: float = 0
    ) -> str:
        """The text object that draws a shaped line from (x, y): its glyphs' codes in one TJ
        array, with HarfBuzz's moves (kerning, marks) where they differ from the advance
        widths, and a mark's height as text rise."""
        if not sh.kerns and not sh.rises:
            return self._text_op(x, y, sh.chars, font_name, size, tw)
        codes = self._codes_of(font_name)
        raw = codes.encode(sh.chars)
        if raw is not None:  # the common case: one subset
            font = codes.sizes.get(size) or codes.tf(size)
            if sh.rises:
                template, runs = _raised(sh, size)
                text = template % runs(raw.hex())
            else:
                text = sh.tj % sh.tj_runs(raw.hex())
            if tw:
                return f"BT 1 0 0 1 {x:.2f} {y:.2f} Tm {tw:.3f} Tw {font} {text} 0 Tw ET"
            return f"BT 1 0 0 1 {x:.2f} {y:.2f} Tm {font} {text} ET"
        # over one subset: one (subset, byte) per glyph, as ReportLab splits
        font, doc = _font(font_name), self.c._doc
        glyphs = [
            (n, chunk)
            for ch in sh.chars
            for n, chunk in font.splitString(ch, doc)  # one chunk per character
        ]
        names = {n: font.getSubsetInternalName(n, doc) for n, _ in glyphs}
        kern = dict(sh.kerns)
        rise = [0.0] * len(glyphs)
        for a, b, r in sh.rises:
            rise[a:b] = [r * size / 1000] * (b - a)
        ops = [f"BT 1 0 0 1 {x:.2f} {y:.2f} Tm"]
        if tw:
            ops.append(f"{tw:.3f} Tw")
        subset, level = None, 0.0
        arr: list[str] = []
        run = bytearray()

        def flush_run() -> None:
            if run:
                arr.append(f"<{run.hex()}>")
                run.clear()

        def flush_array() -> None:
            flush_run()
            if arr:
                ops.append(f"[{' '.join(arr)}] TJ")
                arr.clear()

        for i, (n, byte) in enumerate(glyphs):
            if n != subset or rise[i] != level:
                flush_array()
                if n != subset:
                    ops.append(f"{names[n]} {size:g} Tf")
                    subset = n
                if rise[i] != level:
                    ops.append(f"{rise[i]:.2f} Ts")
                    level = rise[i]
            k = kern.get(i)
            if k is not None:
                flush_run()
                arr.append(f"{k:.1f}")
            run += byte
        flush_array()
        if level:
            ops.append("0 Ts")
        if tw:
            ops.append("0 Tw")
        ops.append("ET")
        return " ".join(ops)

    def _text_op(
        self, x: float, y: float, vis: str, font_name: str, size: float, tw: float = 0
    ) -> str:
        """The text object that draws `vis` (glyphs left to right) from (x, y).

        What `Canvas.drawString` does for a TrueType font, without its per-call text object
        and number formatting (pure Python without ReportLab's C accelerator, and most of
        a document's time). The characters become the font subset's codes in one C call
        (see `_Codes`), written as a hex string (half the bytes of octal escapes, so the
        page compresses faster). `tw` is PDF word spacing: ReportLab's subsets keep
        code 32 a space, so Tw widens exactly the spaces, which is how lines are justified.
        """
        codes = self._codes_of(font_name)
        raw = codes.encode(vis) if vis else None
        if raw is None:
            return self._text_op_split(x, y, vis, font_name, size, tw)
        if codes.name is None:
            codes.name = codes.font.getSubsetInternalName(0, codes.doc)
        if tw:
            return (
                f"BT 1 0 0 1 {x:.2f} {y:.2f} Tm {tw:.3f} Tw "
                f"{codes.name} {size:g} Tf <{raw.hex()}> Tj 0 Tw ET"
            )
        return f"BT 1 0 0 1 {x:.2f} {y:.2f} Tm {codes.name} {size:g} Tf <{raw.hex()}> Tj ET"

    def _codes_of(self, font_name: str) -> _Codes:
        """The font's codes in this file (made when first drawn). (Not `get(…) or …`: a
        `_Codes` is a dictionary that may be empty.)"""
        codes = self._codes.get(font_name)
        if codes is None:
            codes = self._codes[font_name] = _Codes(_font(font_name), self.c._doc)
        return codes

    def _text_op_split(self, x, y, vis, font_name, size, tw) -> str:
        """`_text_op` for a font that has outgrown its first subset (over 220 glyphs in a
        file): one run per subset, as ReportLab splits it."""
        font = _font(font_name)
        doc = self.c._doc
        ops = [f"BT 1 0 0 1 {x:.2f} {y:.2f} Tm"]
        if tw:
            ops.append(f"{tw:.3f} Tw")
        for subset, chunk in font.splitString(vis, doc):
            name = font.getSubsetInternalName(subset, doc)
            ops.append(f"{name} {size:g} Tf ({chunk.decode('latin-1').translate(_ESCAPE)}) Tj")
        if tw:
            ops.append("0 Tw")
        ops.append("ET")
        return " ".join(ops)

    def para(
        self,
        text: str,
        size: float | None = None,
        bold: bool = False,
        indent: float = 0,
        align: str = "right",
        after: float = 3,
        justify: bool = True,
    ) -> None:
        """A wrapped paragraph; lines are drawn top to bottom in logical order, justified
        (but the last line of each paragraph, right-aligned)."""
        size = size or self.size
        font = BOLD if bold else REGULAR
        lead = size * 1.6
        width = self.text_width - indent
        lines = wrap(text, font, size, width)
        # never one line of a paragraph alone at the foot of a page or the head of the next:
        # a paragraph that breaks leaves at least two lines on each side (or moves whole)
        n, here = len(lines), self._lines_here(lead)
        brk = -1  # the line that starts the next page
        if n > 1 and here < n:
            if here < 2:
                self.new_page()
            elif n - here < 2:
                brk = here - 1 if here - 1 >= 2 else 0
        for k, ln in enumerate(lines):
            if k == brk:
                self.new_page()
            self.ensure(lead)
            self.y -= lead
            last = k == len(lines) - 1 or lines[k + 1] == ""
            if justify and align == "right" and not last:
                self._justified(ln, self.y + size * 0.35, font, size, self.right - indent, width)
            else:
                self._draw(ln, self.y + size * 0.35, size, bold, align, x_right=self.right - indent)
        self.y -= after

    def _justified(self, text, baseline, font, size, x_right, width) -> None:
        """Both margins straight: the extra room is shared by the spaces between words (the
        space glyphs the line draws, widened by word spacing)."""
        shaped = shape(text, font)
        gaps = shaped.spaces
        extra = width - shaped.width * size / 1000
        if gaps == 0 or extra / gaps > size * 1.2:  # a nearly empty line stays ragged
            self._emit(x_right - shaped.width * size / 1000, baseline, shaped, font, size)
            return
        self._emit(x_right - width, baseline, shaped, font, size, tw=extra / gaps)

    def heading(self, text: str, size: float = 11.5) -> None:
        self.ensure(size * 5)  # keep a heading with what follows it
        self.space(4)
        self.para(text, size=size, bold=True, after=1, justify=False)

    def rule(self, gap: float = 4) -> None:
        self.y -= gap
        self.c.setStrokeColor(MID)
        self.c.setLineWidth(0.5)
        self.c.line(self.left, self.y, self.right, self.y)
        self.c.setStrokeColor(black)
        self.y -= gap

    # ------------------------------------------------------------ tables

    def table_height(
        self,
        columns: Sequence[Column],
        rows: Sequence[Sequence[str]],
        size: float | None = None,
        header: bool = True,
        pad: float = 3.5,
        total_width: float | None = None,
    ) -> float:
        """How tall `table` would draw these rows (with its header), for keeping a caption or
        a signature block with what follows it."""
        size = size or self.size - 1
        lead = size * 1.5
        width = total_width or self.text_width
        scale = width / sum(col.width for col in columns)
        widths = [col.width * scale for col in columns]

        def h(row, font) -> float:
            n = max(
                len(wrap(str(c), font, size, w - 2 * pad)) for c, w in zip(row, widths, strict=True)
            )
            return n * lead + 2 * pad

        total = h([c.title for c in columns], BOLD) if header else 0.0
        return total + sum(h(r, REGULAR) for r in rows) + 6

    def para_height(
        self, text: str, size: float | None = None, bold: bool = False, indent: float = 0
    ) -> float:
        size = size or self.size
        lines = wrap(text, BOLD if bold else REGULAR, size, self.text_width - indent)
        return len(lines) * size * 1.6 + 3

    def table(
        self,
        columns: Sequence[Column],
        rows: Sequence[Sequence[str]],
        size: float | None = None,
        header: bool = True,
        bold_rows: frozenset[int] = frozenset(),
        shade_rows: frozenset[int] = frozenset(),
        x_right: float | None = None,
        total_width: float | None = None,
        pad: float = 3.5,
        keep_next: float = 0,
    ) -> None:
        """A bordered table; `columns` and each row in logical order (first = rightmost).

        A table that breaks leaves at least two rows on each side (never one row alone under
        its header at the foot of a page, nor alone on the next); `keep_next` points of what
        follows it stay with its last rows (a closing block never alone on a page)."""
        size = size or self.size - 1
        lead = size * 1.5
        right = self.right if x_right is None else x_right
        width = total_width or (right - self.left)
        scale = width / sum(col.width for col in columns)
        widths = [col.width * scale for col in columns]
        edges = [right]  # right edge of each column, going left
        for w in widths:
            edges.append(edges[-1] - w)

        def cells_of(row, font):
            return [
                wrap(str(cell), font, size, w - 2 * pad)
                for cell, w in zip(row, widths, strict=True)
            ]

        # a row's borders: the columns' x formatted once for the table, a row's y as it comes
        x0, x1 = edges[-1], edges[0]
        box = f"{x0:.2f} %(bottom)s {x1 - x0:.2f} %(h)s re"
        shaded = f"q 0.9 g {box} f Q"
        rules = [f"0.5 w {box}"]
        rules += [f"{xr:.2f} %(top)s m {xr:.2f} %(bottom)s l" for xr in edges[1:-1]]
        borders = " ".join(rules) + " S"

        def draw_row(row_lines, bold, shade):
            h = max(len(x) for x in row_lines) * lead + 2 * pad
            top = self.y
            code = self.c._code
            ys = {"top": f"{top:.2f}", "bottom": f"{top - h:.2f}", "h": f"{h:.2f}"}
            if shade:
                code.append(shaded % ys)
            code.append(borders % ys)
            for i, (lines, col) in enumerate(zip(row_lines, columns, strict=True)):
                xr, xl = edges[i], edges[i + 1]
                for k, ln in enumerate(lines):
                    base = top - pad - (k + 1) * lead + size * 0.45
                    align = "center" if bold else col.align
                    self._draw(ln, base, size, bold, align, x_left=xl + pad, x_right=xr - pad)
            self.y = top - h

        head = cells_of([col.title for col in columns], BOLD) if header else None
        head_h = (max(len(x) for x in head) * lead + 2 * pad) if head else 0
        body = [cells_of(row, BOLD if n in bold_rows else REGULAR) for n, row in enumerate(rows)]
        heights = [max(len(x) for x in lines) * lead + 2 * pad for lines in body]
        n, fresh = 0, False
        while n < len(body):
            k = self._rows_here(heights[n:], head_h, keep_next + 6 if keep_next else 0, fresh)
            if k == 0:
                self.new_page()
                fresh = True
                continue
            if head and (n == 0 or fresh):
                draw_row(head, True, True)
            for i in range(n, n + k):
                draw_row(body[i], i in bold_rows, i in shade_rows)
            n += k
            if n < len(body):
                self.new_page()
                fresh = True
        if not rows and head:
            self.ensure(head_h)
            draw_row(head, True, True)
        self.y -= 6

    def _rows_here(self, heights: Sequence[float], head_h: float, after: float, fresh: bool) -> int:
        """How many of the rows `heights` to draw on this page before a break: as many as fit,
        but two at least on each side of a break (when the table has them), and the last rows
        carried with the `after` points that follow the table rather than leaving those alone
        on the next page. `fresh`: this page holds nothing of the table yet after a break."""
        total, room = len(heights), self.y - self.bottom - head_h
        k, used = 0, 0.0
        while k < total and used + heights[k] <= room:
            used += heights[k]
            k += 1
        left = total - k
        if left == 0 and after and used + after > room and (k > 2 or (k > 0 and not fresh)):
            k -= min(2, k)  # the block after the table takes two rows with it
        elif left == 1 and k > 1:
            k -= 1  # never one row alone on the next page
        if 0 < k < 2 and total - k > 0 and total > 2 and not fresh:
            k = 0  # one row alone under the header: the table starts on the next page
        if k == 0 and fresh:
            k = 1  # a row taller than a page: it overflows rather than looping
        return k

    # ------------------------------------------------------------ boxes and codes

    def boxes(
        self, labels: Sequence[str], height: float = 62, size: float = 8.5, per_row: int = 0
    ) -> None:
        """Signature boxes, labels in logical order (first = rightmost), `per_row` to a row
        (default: all in one row), every box the same width."""
        per_row = per_row or len(labels)
        for k in range(0, len(labels), per_row):
            self._box_row(labels[k : k + per_row], per_row, height, size)

    def _box_row(self, labels: Sequence[str], n: int, height: float, size: float) -> None:
        self.ensure(height + 6)
        gap = 6
        w = (self.text_width - gap * (n - 1)) / n
        top = self.y
        c = self.c
        c.setLineWidth(0.5)
        for i, label in enumerate(labels):
            xr = self.right - i * (w + gap)
            c.rect(xr - w, top - height, w, height, stroke=1, fill=0)
            lines = wrap(label, REGULAR, size, w - 8)
            for k, ln in enumerate(lines):
                self._draw(ln, top - 12 - k * size * 1.45, size, False, "center", xr - w, xr)
        self.y = top - height - 6

    def qr(self, payload: str, x: float, y: float, size: float = 64) -> None:
        """A QR code (level M, with its quiet zone) with its lower-left corner at (x, y).

        Drawn from ReportLab's own encoder as filled runs of modules: the graphics widget
        would also name Helvetica, a font that is not embedded, in the page's resources.
        """
        n, path = _qr_path(payload)
        m = size / (n + 2 * _QUIET)
        o = _QUIET * m  # the modules are drawn in their own units, the quiet zone around them
        self.c._code.append(f"q 0 g {m:.6f} 0 0 {m:.6f} {x + o:.3f} {y + o:.3f} cm {path} f Q")


_QUIET = 4  # modules of white around a QR code


def qr_runs(
    payload: str, x: float, y: float, size: float
) -> list[tuple[float, float, float, float]]:
    """(y, x, width, height) of every horizontal run of dark modules of the payload's QR code."""
    n, runs = _qr_module_runs(payload)
    m = size / (n + 2 * _QUIET)
    return [(y + size - (_QUIET + r + 1) * m, x + (_QUIET + c) * m, w * m, m) for r, c, w in runs]


@lru_cache(maxsize=1024)
def _qr_path(payload: str) -> tuple[int, str]:
    """(modules a side, the runs as PDF rectangles in module units from the lower left)."""
    n, runs = _qr_module_runs(payload)
    return n, " ".join(f"{c} {n - 1 - r} {w} 1 re" for r, c, w in runs)


@lru_cache(maxsize=1024)
def _qr_module_runs(payload: str) -> tuple[int, tuple[tuple[int, int, int], ...]]:
    """(modules a side, (row from the top, first column, length) of every run of dark
    modules)."""
    dark = _qr_modules(payload)
    n = len(dark)
    runs = []
    for r, row in enumerate(dark):
        c = 0
        while c < n:
            if row[c]:
                start = c
                while c < n and row[c]:
                    c += 1
                runs.append((r, start, c - start))
            else:
                c += 1
    return n, tuple(runs)


@lru_cache(maxsize=1024)
def _qr_modules(payload: str) -> tuple[tuple[bool, ...], ...]:
    """The module matrix (level M, smallest version). The mask pattern is fixed: choosing the
    "best" of eight costs eight encodings in pure Python, and every mask decodes alike."""
    from reportlab.graphics.barcode import qrencoder

    q = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    q.addData(payload)
    q.version = q.calculate_version()
    q.makeImpl(False, 0)
    n = q.getModuleCount()
    return tuple(tuple(q.isDark(r, c) for c in range(n)) for r in range(n))

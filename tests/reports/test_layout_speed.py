"""The shortcuts `reports.layout` takes past ReportLab write what ReportLab would write."""

from __future__ import annotations

import io

import pytest
from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from reports.layout import REGULAR, Page, _font, _SubsetReusingFont, register_fonts
from reports.rtl import shape


def _lines() -> list[str]:
    """Persian, Latin, a no-break space, a character Vazirmatn lacks, and more distinct glyphs
    than one subset holds (so codes 31, 32, 127, 256 and a second subset all come up)."""
    register_fonts()
    have = sorted(c for c in _font(REGULAR).face.charToGlyph if c > 0x20 and c != 0xA0)
    many = [chr(c) for c in have[:420]]
    return [
        shape("قرارداد نظارت بر اجرای ساختمان (پلاک ۱۲/۳)", REGULAR).chars,
        "ABC xyz 0123\u00a0(a)\\b",
        "\u4e00 missing",
        *("".join(many[k : k + 37]) for k in range(0, len(many), 37)),
        shape("جمع ۱۲٬۰۰۰٬۰۰۰ ریال", REGULAR).chars,
        "".join(many[::-1]),
    ]


def test_text_codes_are_the_ones_reportlab_assigns():
    lines = _lines()
    page = Page("t")
    ops = [page._text_op(0, 0, line, REGULAR, 10) for line in lines]

    font = _font(REGULAR)
    ref = Canvas(io.BytesIO(), pagesize=A4)._doc
    runs = [font.splitString(line, ref) for line in lines]

    ours, theirs = font.state[page.c._doc], font.state[ref]
    assert ours.assignments == theirs.assignments
    assert ours.subsets == theirs.subsets and len(theirs.subsets) > 1
    assert ours.nextCode == theirs.nextCode
    for op, run in zip(ops, runs, strict=True):
        if len(run) == 1 and run[0][0] == 0:
            assert f"<{run[0][1].hex()}> Tj" in op
        else:  # several subsets: ReportLab's split
            assert op.count(" Tf ") == len(run)


@pytest.fixture
def invariant():
    saved = rl_config.invariant
    rl_config.invariant = 1
    yield
    rl_config.invariant = saved


def _document() -> bytes:
    p = Page("آزمون")
    p.heading("طرف اول — صاحب‌کار")
    p.para("متن یک بند با ارقام ۱۲۳ و Latin text برای آزمون." * 3)
    p.line("خط پررنگ", bold=True)
    return p.bytes()


def test_reused_font_objects_are_the_bytes_reportlab_writes(invariant):
    _SubsetReusingFont.reuse = False
    try:
        reportlab = _document()
    finally:
        _SubsetReusingFont.reuse = True
    assert _document() == reportlab  # formatted now
    assert _document() == reportlab  # from the cache

"""The shortcuts `reports.layout` takes past ReportLab write what ReportLab would write."""

from __future__ import annotations

import io

import pytest
from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from reports import layout
from reports.layout import REGULAR, Page, _font, _SubsetReusingFont, register_fonts
from reports.rtl import Shaped, shape


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


def _unshaped(vis: str) -> Shaped:
    """A line drawn as it is (its characters already in drawing order)."""
    uniq = tuple(dict.fromkeys(map(ord, vis)))
    return Shaped(vis, (), (), 0.0, vis.count(" "), uniq=uniq, charset=frozenset(uniq))


def test_codes_learnt_a_page_at_a_time_are_the_ones_reportlab_assigns():
    """A page's lines are encoded when it is finished, their new characters learnt in one pass
    (`_Codes.learn`, runs of plain codes at a time): the same codes, subsets and bytes as
    ReportLab's `splitString` line by line. Two flushes, so the second learns on top."""
    lines = _lines()
    page = Page("t")
    half = len(lines) // 2
    for k, line in enumerate(lines):
        page._emit(0, k, _unshaped(line), REGULAR, 10)
        if k == half:
            page._flush_text()
            learnt = page._codes_of(REGULAR)
    page._flush_text()
    assert page._codes_of(REGULAR) is learnt  # the second flush learnt on top of the first
    ops = [op for op in page.c._code if op.startswith("BT 1 0 0 1 ")]

    font = _font(REGULAR)
    ref = Canvas(io.BytesIO(), pagesize=A4)._doc
    runs = [font.splitString(line, ref) for line in lines]

    ours, theirs = font.state[page.c._doc], font.state[ref]
    assert ours.assignments == theirs.assignments
    assert ours.subsets == theirs.subsets and len(theirs.subsets) > 1
    assert ours.nextCode == theirs.nextCode
    assert len(ops) == len(lines)
    for op, run in zip(ops, runs, strict=True):
        if len(run) == 1 and run[0][0] == 0:
            assert f"<{run[0][1].hex()}> Tj" in op
        else:  # several subsets: ReportLab's split
            assert op.count(" Tf ") == len(run)


def test_kerned_and_raised_lines_from_templates_are_the_glyph_by_glyph_text(monkeypatch):
    """A kerned line (`Shaped.tj`) and a line with marks drawn raised (`layout._raised`) are
    written from templates: the same text as the glyph-by-glyph path ReportLab's subsets
    need, at any size and word spacing."""
    register_fonts()
    lines = [shape(t, REGULAR) for t in ("اجرای ساختمان", "قراردادِ نظارت بر اجرای ساختمان")]
    assert lines[0].kerns and not lines[0].rises and lines[1].rises
    page = Page("t")
    for sh in lines:  # every character learnt
        page._emit(0, 0, sh, REGULAR, 10)
    page._flush_text()
    cases = [(sh, size, tw) for sh in lines for size in (8, 9.5, 14) for tw in (0, 1.25)]
    fast = [page._shaped_op(10.5, 20.25, sh, REGULAR, size, tw) for sh, size, tw in cases]
    monkeypatch.setattr(layout._Codes, "encode", lambda self, vis: None)
    slow = [page._shaped_op(10.5, 20.25, sh, REGULAR, size, tw) for sh, size, tw in cases]
    assert fast == slow
    assert any(" Ts " in op for op in fast)


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


def test_pages_forms_and_information_are_the_bytes_reportlab_writes(invariant):
    """Page dictionaries, page-count forms and the document information written from
    `reports.layout`'s caches (`_format_page`, `_format_form`, `_format_info`) are the bytes
    ReportLab's own objects write: papers of one and of several pages, a batch of papers in
    one file (a form for each), a Persian title."""
    from reports.contract import contract_pdf, contracts_pdf
    from reports.receipt import receipt_pdf
    from reports.samples import sample_contract, sample_receipt, sample_stamp

    def papers() -> list[bytes]:
        return [
            contract_pdf(sample_contract(), sample_stamp()),
            contracts_pdf([(sample_contract(f"1405-00{i}"), sample_stamp()) for i in (1, 2)]),
            receipt_pdf(sample_receipt(), sample_stamp("receipt")),
            _document(),
        ]

    Page.cache_page_dicts = False
    try:
        reportlab = papers()
    finally:
        Page.cache_page_dicts = True
    assert papers() == reportlab  # formatted now
    assert papers() == reportlab  # from the caches

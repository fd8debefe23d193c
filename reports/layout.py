"""A small right-to-left page writer on a ReportLab canvas: paragraphs, tables, boxes, a QR code.

Platypus is not used: its paragraphs wrap left-to-right text. Everything here takes logical
(unshaped) Persian text, wraps it with `rtl.wrap`, and draws `rtl.visual` lines right-aligned.
Tables take their columns in logical order (the first column is the rightmost one).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from .rtl import fa_digits, visual, wrap

FONT_DIR = Path(__file__).resolve().parent.parent / "resources" / "fonts"
REGULAR, BOLD = "Vazirmatn", "Vazirmatn-Bold"
GREY = Color(0.9, 0.9, 0.9)
MID = Color(0.45, 0.45, 0.45)

_registered = False


def register_fonts() -> None:
    """Register Vazirmatn once per process (TrueType, embedded as a subset)."""
    global _registered
    if _registered:
        return
    pdfmetrics.registerFont(TTFont(REGULAR, str(FONT_DIR / "Vazirmatn-Regular.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(FONT_DIR / "Vazirmatn-Bold.ttf")))
    _registered = True


@dataclass(frozen=True)
class Column:
    title: str
    width: float  # share of the table's width (any unit; scaled to fit)
    align: str = "right"  # right | center | left


class Page:
    """A document being written top to bottom; `bytes()` finishes it."""

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
        self.c = Canvas(self.buf, pagesize=A4, pageCompression=1 if compress else 0)
        self.c.setTitle(title)
        self.c.setAuthor("Nezarat Desk")
        self.c.setCreator("Nezarat Desk (ReportLab)")
        self.width, self.height = A4
        self.margin = margin
        self.left, self.right = margin, self.width - margin
        self.top, self.bottom = self.height - margin, margin + 22
        self.y = self.top
        self.size = size
        self.footer = footer
        self.page_no = 1

    # ------------------------------------------------------------ page flow

    @property
    def text_width(self) -> float:
        return self.right - self.left

    def new_page(self) -> None:
        self._draw_footer()
        self.c.showPage()
        self.page_no += 1
        self.y = self.top

    def ensure(self, height: float) -> None:
        if self.y - height < self.bottom:
            self.new_page()

    def space(self, h: float) -> None:
        self.y -= h

    def _draw_footer(self) -> None:
        c = self.c
        c.setStrokeColor(MID)
        c.setLineWidth(0.4)
        c.line(self.left, self.margin + 14, self.right, self.margin + 14)
        c.setFont(REGULAR, 7.5)
        c.setFillColor(MID)
        c.drawRightString(self.right, self.margin + 4, visual(self.footer))
        c.drawString(self.left, self.margin + 4, visual(f"صفحه {fa_digits(self.page_no)}"))
        c.setFillColor(black)

    def bytes(self) -> bytes:
        self._draw_footer()
        self.c.showPage()
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
        c = self.c
        c.setFont(BOLD if bold else REGULAR, size)
        xr = self.right if x_right is None else x_right
        xl = self.left if x_left is None else x_left
        v = visual(text)
        if align == "center":
            c.drawCentredString((xl + xr) / 2, baseline, v)
        elif align == "left":
            c.drawString(xl, baseline, v)
        else:
            c.drawRightString(xr, baseline, v)

    def para(
        self,
        text: str,
        size: float | None = None,
        bold: bool = False,
        indent: float = 0,
        align: str = "right",
        after: float = 3,
    ) -> None:
        """A wrapped paragraph; lines are drawn top to bottom in logical order."""
        size = size or self.size
        font = BOLD if bold else REGULAR
        lead = size * 1.6
        for ln in wrap(text, font, size, self.text_width - indent):
            self.ensure(lead)
            self.y -= lead
            self._draw(ln, self.y + size * 0.35, size, bold, align, x_right=self.right - indent)
        self.y -= after

    def heading(self, text: str, size: float = 11.5) -> None:
        self.ensure(size * 5)  # keep a heading with what follows it
        self.space(4)
        self.para(text, size=size, bold=True, after=1)

    def rule(self, gap: float = 4) -> None:
        self.y -= gap
        self.c.setStrokeColor(MID)
        self.c.setLineWidth(0.5)
        self.c.line(self.left, self.y, self.right, self.y)
        self.c.setStrokeColor(black)
        self.y -= gap

    # ------------------------------------------------------------ tables

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
    ) -> None:
        """A bordered table; `columns` and each row in logical order (first = rightmost)."""
        size = size or self.size - 1
        pad = 3.5
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
                wrap(str(cell), font, size, w - 2 * pad) for cell, w in zip(row, widths, strict=True)
            ]

        def draw_row(row_lines, bold, shade):
            h = max(len(x) for x in row_lines) * lead + 2 * pad
            top = self.y
            c = self.c
            if shade:
                c.setFillColor(GREY)
                c.rect(edges[-1], top - h, edges[0] - edges[-1], h, stroke=0, fill=1)
                c.setFillColor(black)
            c.setLineWidth(0.5)
            c.rect(edges[-1], top - h, edges[0] - edges[-1], h, stroke=1, fill=0)
            for i, (lines, col) in enumerate(zip(row_lines, columns, strict=True)):
                xr, xl = edges[i], edges[i + 1]
                if i:
                    c.line(xr, top, xr, top - h)
                for k, ln in enumerate(lines):
                    base = top - pad - (k + 1) * lead + size * 0.45
                    align = "center" if bold else col.align
                    self._draw(ln, base, size, bold, align, x_left=xl + pad, x_right=xr - pad)
            self.y = top - h

        head = cells_of([col.title for col in columns], BOLD) if header else None
        head_h = (max(len(x) for x in head) * lead + 2 * pad) if head else 0
        for n, row in enumerate(rows):
            bold = n in bold_rows
            lines = cells_of(row, BOLD if bold else REGULAR)
            h = max(len(x) for x in lines) * lead + 2 * pad
            if self.y - h - (head_h if n == 0 else 0) < self.bottom:
                self.new_page()
                if head:
                    draw_row(head, True, True)
            elif n == 0 and head:
                draw_row(head, True, True)
            draw_row(lines, bold, n in shade_rows)
        if not rows and head:
            self.ensure(head_h)
            draw_row(head, True, True)
        self.y -= 6

    # ------------------------------------------------------------ boxes and codes

    def boxes(self, labels: Sequence[str], height: float = 62, size: float = 8.5) -> None:
        """A row of signature boxes, labels in logical order (first = rightmost)."""
        self.ensure(height + 6)
        n = len(labels)
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
        """A QR code with its lower-left corner at (x, y)."""
        from reportlab.graphics import renderPDF
        from reportlab.graphics.barcode.qr import QrCodeWidget
        from reportlab.graphics.shapes import Drawing

        w = QrCodeWidget(payload, barLevel="M")
        x0, y0, x1, y1 = w.getBounds()
        d = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
        d.add(w)
        renderPDF.draw(d, self.c, x, y)

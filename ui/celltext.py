"""Table cells painted from text laid out once.

Qt's item delegate asks the model for seven roles of every cell it paints (seven calls into
Python) and lays the cell's text out twice — once to see whether it must be elided, once to
draw it — at every paint, though a list's texts rarely change between two paints. The
engineers list repaints its rows at every keystroke in the filter; with Persian text and
digits, shaping them again was most of the paint.

`LaidOutText` paints a cell the way Qt's delegate does — the style's item panel (the
selection), then the text's `QTextLayout`, laid out as Qt's delegate lays it out, drawn
where Qt's delegate draws it — but takes the row's texts from the model in one call and
keeps each text's layout (for its font, direction, alignment and width) for the next
paint. A cell whose text does not fit on one line (Qt wraps or elides it) and the cell with
the keyboard focus are painted by Qt's delegate itself. `tests/ui/test_models.py` compares
the two pixel for pixel.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Protocol

from PySide6.QtCore import QEvent, QPointF, QRect, Qt
from PySide6.QtGui import QPalette, QTextLayout, QTextOption
from PySide6.QtWidgets import QAbstractItemView, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from .qtcompat import give_back_none


class RowTexts(Protocol):
    """A model whose cells are texts, formatted once per row: no icons, check boxes, fonts,
    colours or backgrounds of its own (the roles Qt's delegate would ask it for)."""

    def row_texts(self, row: int) -> tuple[str, ...] | None: ...  # None: no such row

    def column_alignment(self, column: int) -> int | None: ...  # None: the view's


_HAS_FOCUS = QStyle.StateFlag.State_HasFocus.value
_SELECTED = QStyle.StateFlag.State_Selected.value
_ENABLED = QStyle.StateFlag.State_Enabled.value
_ACTIVE = QStyle.StateFlag.State_Active.value
_VCENTER = Qt.AlignmentFlag.AlignVCenter.value
_BOTTOM = Qt.AlignmentFlag.AlignBottom.value
_PANEL = QStyle.PrimitiveElement.PE_PanelItemViewItem
_CLEARS = {
    QEvent.Type.FontChange,
    QEvent.Type.StyleChange,
    QEvent.Type.LayoutDirectionChange,
    QEvent.Type.ApplicationFontChange,
    QEvent.Type.PaletteChange,
}


def _round(layout: QTextLayout) -> int:
    """The layout's height as `QSizeF::toSize` rounds it (half away from zero)."""
    return int(layout.boundingRect().height() + 0.5)


class LaidOutText(QStyledItemDelegate):
    SIZE = 4_096  # layouts kept (a few screenfuls of a seven-column list)

    def __init__(self, view: QAbstractItemView, model: RowTexts):
        super().__init__(view)
        self.view, self.model = view, model
        self._layouts: OrderedDict[tuple[str, int, int], QTextLayout | None] = OrderedDict()
        self._pens: dict[tuple[int, int], object] = {}
        self._text_rect: tuple[int, int, int, int] | None = None  # style's text rect − cell
        self._align = 0  # the view's alignment of a cell's text (0: not seen yet)
        give_back_none(view.installEventFilter(self))

    def clear(self) -> None:
        self._layouts.clear()
        self._pens.clear()
        self._text_rect = None
        self._align = 0

    def eventFilter(self, obj, event) -> bool:
        if event.type() in _CLEARS:
            self.clear()
        return False

    # ------------------------------------------------------------ painting
    def paint(self, painter, option, index) -> None:
        texts = self.model.row_texts(index.row())
        state = option.state.value
        if texts is None or state & _HAS_FOCUS:
            give_back_none(super().paint(painter, option, index))  # exactly as Qt paints it
            return
        column = index.column()
        text = texts[column]
        rect = option.rect
        if text:
            dx0, dy0, dx1, dy1 = self._text_rect or self._measure(option)
            align = self.model.column_alignment(column)
            if align is None:  # the view's, the same for every cell
                align = self._align or self._view_alignment(option)
            layout = self._layout(text, rect.width() - dx0 + dx1, align)
            if layout is None:  # wider than the cell: Qt wraps or elides it
                give_back_none(super().paint(painter, option, index))
                return
        calls = 0
        if state & _SELECTED:  # the background: nothing else without a BackgroundRole
            view = self.view
            view.style().drawPrimitive(_PANEL, option, painter, view)
            calls += 1
        if text:
            painter.setPen(self._pen(state, option))
            # where QStyle::alignedRect puts it: whole pixels, C++ division
            top, spare = rect.top() + dy0, rect.height() - dy0 + dy1 - _round(layout)
            if align & _VCENTER:
                top += int(spare / 2)
            elif align & _BOTTOM:
                top += spare
            layout.draw(painter, QPointF(rect.left() + dx0, top))
            calls += 2
        give_back_none(None, calls)

    def _view_alignment(self, option) -> int:
        self._align = option.displayAlignment.value
        return self._align

    def _measure(self, option) -> tuple[int, int, int, int]:
        """Where the style puts a cell's text: its text rect inside the cell, less the text
        margin (as QCommonStyle's viewItemDrawText takes it off)."""
        opt = QStyleOptionViewItem(option)
        opt.text = "x"
        opt.features |= QStyleOptionViewItem.ViewItemFeature.HasDisplay  # a cell with text
        style = self.view.style()
        r = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, self.view)
        margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self.view) + 1
        cell: QRect = option.rect
        self._text_rect = (
            r.left() - cell.left() + margin,
            r.top() - cell.top(),
            r.right() - cell.right() - margin,
            r.bottom() - cell.bottom(),
        )
        return self._text_rect

    def _layout(self, text: str, width: int, align: int) -> QTextLayout | None:
        key = (text, width, align)
        layouts = self._layouts
        if key in layouts:
            layouts.move_to_end(key)
            return layouts[key]
        view = self.view
        direction = view.layoutDirection()
        option = QTextOption()
        wrap = QTextOption.WrapMode.WordWrap if view.wordWrap() else QTextOption.WrapMode.ManualWrap
        give_back_none(option.setWrapMode(wrap))
        give_back_none(option.setTextDirection(direction))
        give_back_none(
            option.setAlignment(QStyle.visualAlignment(direction, Qt.AlignmentFlag(align)))
        )
        layout: QTextLayout | None = QTextLayout(text, view.font())
        give_back_none(layout.setTextOption(option))
        give_back_none(layout.beginLayout())
        line = layout.createLine()  # as QCommonStyle's viewItemTextLayout: one line, 0, 0
        give_back_none(line.setLineWidth(width))
        give_back_none(line.setPosition(QPointF(0, 0)))
        fits = line.textLength() == len(text) and line.naturalTextWidth() <= width
        give_back_none(layout.endLayout())
        if not fits:
            layout = None
        layouts[key] = layout
        if len(layouts) > self.SIZE:
            layouts.popitem(last=False)
        return layout

    def _pen(self, state: int, option):
        """The text's colour, as QCommonStyle picks it: highlighted text when selected; the
        palette's inactive or disabled group as the window and the item are."""
        group = (
            QPalette.ColorGroup.Disabled
            if not state & _ENABLED
            else QPalette.ColorGroup.Normal
            if state & _ACTIVE
            else QPalette.ColorGroup.Inactive
        )
        key = (group.value, state & _SELECTED)
        pen = self._pens.get(key)
        if pen is None:
            role = QPalette.ColorRole.HighlightedText if key[1] else QPalette.ColorRole.Text
            pen = self._pens[key] = option.palette.color(group, role)
        return pen

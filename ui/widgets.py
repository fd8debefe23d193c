"""Shared widgets: a filterable, sortable, exportable list; a sparkline; a capacity gauge;
Jalali date edits; an inline message line."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QDate, QLocale, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen, QTextCharFormat
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCalendarWidget,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from . import fmt
from .message import Message  # noqa: F401  (re-exported: screens import it from here)
from .models import Column, DtoTableModel, FilterProxy
from .qtcompat import emit
from .theme import JALALI


def cell_value(column: Column, dto):
    """What an exported cell holds: an amount, a score or a count as a number (a negative one
    too); an identifier (Sheba, national code, membership number) as text in Latin digits; a
    date or anything else as the text the list shows (Jalali), without the bidi marks."""
    from app.domain.calendar import latin_digits

    raw = column.value(dto)
    text = fmt.plain(column.text(raw))
    if isinstance(raw, (int, float, Decimal)) and not isinstance(raw, bool):
        bare = latin_digits(text).replace("٬", "").replace(",", "").replace("٫", ".")
        bare = bare.replace("٪", "").replace("−", "-").strip()
        try:
            float(bare)
        except ValueError:
            return text  # shown as words («کامل», «—»): the words
        return int(raw) if isinstance(raw, int) or raw == int(raw) else float(raw)
    if (
        isinstance(raw, str)
        and raw
        and latin_digits(text) == latin_digits(raw)
        and not any("\u0600" <= ch <= "\u06ff" and not ch.isdigit() for ch in raw)
    ):
        return latin_digits(raw)  # a code shown in Persian digits: Latin digits, as text
    return text


def export_xlsx(model, path: str | Path, title: str = "فهرست") -> Path:
    """Header and rows of a model (its `columns` and `rows`, or the rows a list shows) to an
    .xlsx sheet, right-to-left: numbers as numbers (grouped), identifiers as Latin-digit text,
    dates as Jalali text; a text that starts like a formula stays text (`append_row`)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from app.services.sheets import append_row

    columns = list(model.columns)
    dtos = model.shown() if hasattr(model, "shown") else list(model.rows)
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.sheet_view.rightToLeft = True
    append_row(ws, [c.title for c in columns])
    for c in ws[1]:
        c.font = Font(bold=True)
    for dto in dtos:
        values = [cell_value(c, dto) for c in columns]
        append_row(ws, values)
        for cell, v in zip(ws[ws.max_row], values, strict=False):
            if isinstance(v, int):
                cell.number_format = "#,##0"
            elif isinstance(v, float):
                cell.number_format = "#,##0.##"
    path = Path(path)
    wb.save(path)
    return path


def confirm(parent, title: str, text: str, yes: str = "بله، ثبت شود") -> bool:
    """Ask before an action that cannot be taken back; True only on the yes button. Screens
    call it through their own `confirm(text)` method, which tests replace with an answer."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
    ok = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
    box.addButton("خیر", QMessageBox.ButtonRole.RejectRole)
    box.exec()
    return box.clickedButton() is ok


def wrap_last_column(view: QTableView) -> None:
    """A description in the last column, whole: the other columns as wide as their contents,
    the last takes the rest and wraps (the row grows) instead of eliding «…ـ»."""
    header = view.horizontalHeader()
    last = header.count() - 1
    for i in range(last):
        header.setSectionResizeMode(i, QHeaderView.ResizeMode.ResizeToContents)
    if last >= 0:  # (not `stretchLastSection`: that keeps the last at 100 px or more)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(last, QHeaderView.ResizeMode.Stretch)
    header.setMinimumSectionSize(48)  # a narrow panel: the description narrows, never off-screen
    view.setWordWrap(True)
    view.setTextElideMode(Qt.TextElideMode.ElideNone)

    # each row as tall as its wrapped description, again whenever a column's width changes
    # (the panel resized) or the rows do
    def fit_rows(*_a) -> None:
        QTimer.singleShot(0, view, view.resizeRowsToContents)

    header.sectionResized.connect(fit_rows)
    model = view.model()
    if model is not None:
        model.modelReset.connect(fit_rows)
        model.layoutChanged.connect(fit_rows)
        model.rowsInserted.connect(fit_rows)


class Table(QTableView):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self.setSortingEnabled(True)
        self.verticalHeader().setDefaultSectionSize(26)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.horizontalHeader().setStretchLastSection(True)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)


class ListPanel(QWidget):
    """A title, a filter box, a table over DTOs (sortable), the count and "Excel"."""

    selected = Signal(object)  # the DTO of the current row (None when nothing)

    def __init__(self, title: str, columns: Sequence[Column], parent=None):
        super().__init__(parent)
        self.title = title
        self.model = DtoTableModel(columns, self)
        self.proxy = FilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.view = Table(self)
        self.view.setModel(self.proxy)
        self.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # the service's order first
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText("جست‌وجو…")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.proxy.set_text)
        self.filter.textChanged.connect(lambda _t: self._count())
        self.count = QLabel(self)
        self.export_button = QPushButton("خروجی اکسل", self)
        self.export_button.clicked.connect(self.export)
        head = QHBoxLayout()
        label = QLabel(f"<b>{title}</b>", self)
        head.addWidget(label)
        head.addWidget(self.filter, 1)
        head.addWidget(self.count)
        head.addWidget(self.export_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(head)
        lay.addWidget(self.view, 1)
        self.view.selectionModel().selectionChanged.connect(lambda *_a: self._current())
        self.model.modelReset.connect(self._count)

    def set_rows(self, rows, key=None) -> bool:
        """Show new rows. With `key` (DTO → id), the row selected before (same id) stays
        selected and the list keeps its scroll; returns whether it did (False: nothing was
        selected or that row is gone — the caller picks one)."""
        before = self.current() if key is not None else None
        scroll = self.view.verticalScrollBar().value()
        self.model.set_rows(rows)
        self.view.resizeColumnsToContents()
        header = self.view.horizontalHeader()
        last = header.count() - 1
        if last < 0 or header.sectionResizeMode(last) != QHeaderView.ResizeMode.Stretch:
            header.setStretchLastSection(True)  # (a wrapped last column stretches itself)
        if before is None:
            return False
        kept = self.select_where(lambda r: key(r) == key(before))
        if kept:
            self.view.verticalScrollBar().setValue(scroll)
        return kept

    def shown(self) -> list:
        """The DTOs of the rows the filter shows, in the order shown."""
        return [self.proxy.source_row(r) for r in range(self.proxy.rowCount())]

    def select_where(self, pred) -> bool:
        """Select the first shown row whose DTO satisfies `pred`; False when none does."""
        for r in range(self.proxy.rowCount()):
            if pred(self.proxy.source_row(r)):
                self.select_row(r)
                return True
        return False

    def current(self):
        rows = self.view.selectionModel().selectedRows()
        idx = rows[0] if rows else self.view.currentIndex()
        return self.proxy.source_row(idx.row()) if idx.isValid() else None

    def select_row(self, row: int) -> None:
        """Select a visible row (QTableView.selectRow misses in a right-to-left layout when
        the viewport is narrow or not yet laid out)."""
        if not 0 <= row < self.proxy.rowCount():
            return
        from PySide6.QtCore import QItemSelectionModel as Sel

        idx = self.proxy.index(row, 0)
        self.view.selectionModel().setCurrentIndex(
            idx, Sel.SelectionFlag.ClearAndSelect | Sel.SelectionFlag.Rows
        )

    def select_first(self) -> None:
        self.select_row(0)

    def _current(self) -> None:
        emit(self.selected, self.current())

    def _count(self) -> None:
        self.count.setText(f"{fmt.fa_int(self.proxy.rowCount())} ردیف")

    def export(self, path: str | None = None) -> Path | None:
        if not path:
            path, _ = QFileDialog.getSaveFileName(self, "خروجی اکسل", "", "Excel (*.xlsx)")
        if not path:
            return None
        visible = _ProxyTable(self.proxy)
        return export_xlsx(visible, path, self.title)


class _ProxyTable:
    """The rows as the user sees them (filtered, sorted) for export."""

    def __init__(self, proxy: FilterProxy):
        self.proxy = proxy
        self.columns = proxy.sourceModel().columns

    def shown(self) -> list:
        return [self.proxy.source_row(r) for r in range(self.proxy.rowCount())]


class Sparkline(QWidget):
    """The score over time, drawn with QPainter (QtCharts is not in Essentials)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.values: list[float] = []
        self.setMinimumSize(220, 70)

    def set_values(self, values: Sequence[float]) -> None:
        self.values = [float(v) for v in values]
        self.update()

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = self.rect().adjusted(6, 6, -6, -6)
        p.fillRect(self.rect(), QColor("#fafafa"))
        p.setPen(QPen(QColor("#cfd8dc"), 1))
        p.drawRect(r)
        vals = self.values
        if len(vals) < 2:
            p.setPen(QColor("#78909c"))
            p.drawText(r, Qt.AlignmentFlag.AlignCenter, "بدون تغییر امتیاز")
            return
        lo, hi = min(vals), max(vals)
        span = (hi - lo) or 1.0
        # time runs left to right even in a right-to-left window (like a chart on paper)
        pts = [
            QPointF(
                r.left() + r.width() * i / (len(vals) - 1),
                r.bottom() - r.height() * (v - lo) / span,
            )
            for i, v in enumerate(vals)
        ]
        path = QPainterPath(pts[0])
        for q in pts[1:]:
            path.lineTo(q)
        p.setPen(QPen(QColor("#1565c0"), 2))
        p.drawPath(path)
        p.setBrush(QColor("#1565c0"))
        p.drawEllipse(pts[-1], 3, 3)
        p.setPen(QColor("#37474f"))
        p.drawText(
            r.adjusted(2, 0, 0, 0),
            Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft,
            fmt.fa(round(hi, 2)),
        )
        p.drawText(
            r.adjusted(2, 0, 0, 0),
            Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignLeft,
            fmt.fa(round(lo, 2)),
        )


class Gauge(QProgressBar):
    """Capacity used: `۳۲۰ از ۱۲۰۰ م²`."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setTextVisible(True)
        self.setMinimumWidth(200)

    def set_usage(self, used: float, total: float, unit: str = "م²") -> None:
        self.setRange(0, max(int(total), 1))
        self.setValue(min(int(used), max(int(total), 1)))
        self.setFormat(f"{fmt.fa_int(int(used))} از {fmt.fa_int(int(total))} {unit}")


def qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


def jalali_date_edit(parent=None, on: date | QDate | None = None) -> QDateEdit:
    """A date edit on Qt's Jalali calendar, left-to-right, Friday as the weekend, showing
    `on` (today by the desk's clock when not given)."""
    e = QDateEdit(parent)
    e.setCalendar(JALALI)
    e.setLocale(QLocale(QLocale.Language.Persian, QLocale.Country.Iran))
    e.setDisplayFormat("yyyy/MM/dd")
    e.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
    e.setCalendarPopup(True)
    e.setCalendarWidget(jalali_calendar(e))
    e.setDate(on if isinstance(on, QDate) else qdate(on) if on else QDate.currentDate())
    e.setDisplayFormat("yyyy/MM/dd")  # again, after the date: otherwise shown parts reversed
    return e


def jalali_calendar(parent=None) -> QCalendarWidget:
    cal = QCalendarWidget(parent)
    cal.setCalendar(JALALI)
    cal.setFirstDayOfWeek(Qt.DayOfWeek.Saturday)
    normal, weekend = QTextCharFormat(), QTextCharFormat()
    weekend.setForeground(QColor("#c62828"))
    for d in (Qt.DayOfWeek.Saturday, Qt.DayOfWeek.Sunday):
        cal.setWeekdayTextFormat(d, normal)
    cal.setWeekdayTextFormat(Qt.DayOfWeek.Friday, weekend)
    return cal


class Debounce(QTimer):
    """Fire once, `ms` after the last poke (filter as you type)."""

    def __init__(self, ms: int, slot, parent=None):
        super().__init__(parent)
        self.setSingleShot(True)
        self.setInterval(ms)
        self.timeout.connect(slot)

    def poke(self, *_a) -> None:
        self.start()

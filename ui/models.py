"""Table models over DTOs (never QTableWidget) and the lazy engineers list."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)

from app.domain.calendar import latin_digits

from . import fmt
from .qtcompat import emit
from .tasks import TaskRunner, error_text

if TYPE_CHECKING:  # the services load with the database, after the login window is shown
    from app.services import browse

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ROW_ROLE = Qt.ItemDataRole.UserRole + 2
_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column:
    title: str
    value: Callable[[Any], Any]  # DTO → raw value (sorts by it)
    text: Callable[[Any], str] = fmt.fa  # raw value → display text
    ltr: bool = False  # codes, phones: shown left-to-right
    key: str = ""  # server-side sort key (lazy models)
    tip: Callable[[Any], str] | None = None  # DTO → the cell's tooltip (e.g. the code shown)


class _ColumnHeaders:
    """Rows, columns, header texts and the Excel export, for models with `columns` and
    `rows` (the in-memory DTO model and the lazy engineers model)."""

    columns: Sequence[Column]
    rows: Sequence[Any]

    def row(self, i: int) -> Any:
        return self.rows[i]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.columns[section].title if 0 <= section < len(self.columns) else None
        return fmt.fa(section + 1)

    def table(self) -> tuple[list[str], list[list[Any]]]:
        """Header and raw rows, for the Excel export."""
        return (
            [c.title for c in self.columns],
            [[c.text(c.value(r)) for c in self.columns] for r in self.rows],
        )


def sort_value(v: Any) -> Any:
    """What QSortFilterProxyModel compares: numbers as numbers, the rest as text."""
    if isinstance(v, Decimal):
        return float(v)
    if isinstance(v, (int, float, str)):
        return v
    if isinstance(v, (tuple, list)):
        return " ".join(map(str, v))
    return "" if v is None else str(v)


class DtoTableModel(_ColumnHeaders, QAbstractTableModel):
    """Rows are frozen DTOs; columns say how to show and sort them."""

    def __init__(self, columns: Sequence[Column], parent=None):
        super().__init__(parent)
        self.columns = list(columns)
        self.rows: list[Any] = []

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        col = self.columns[index.column()]
        dto = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return col.text(col.value(dto))
        if role == SORT_ROLE:
            return sort_value(col.value(dto))
        if role == ROW_ROLE:
            return index.row()
        if role == Qt.ItemDataRole.TextAlignmentRole and col.ltr:
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and col.tip is not None:
            return col.tip(dto)
        return None


class FilterProxy(QSortFilterProxyModel):
    """Sorts by the raw value; filters on every column, Persian or Latin digits alike."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._words: list[str] = []

    def set_text(self, text: str) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt ≥ 6.9
            self.beginFilterChange()
            self._words = latin_digits(text).lower().split()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self._words = latin_digits(text).lower().split()
            self.invalidateFilter()

    def filterAcceptsRow(self, row: int, parent: _Index) -> bool:
        if not self._words:
            return True
        src = self.sourceModel()
        line = " ".join(
            latin_digits(str(src.index(row, c, parent).data() or "")).replace("٫", ".")
            for c in range(src.columnCount(parent))
        ).lower()
        return all(w in line for w in self._words)

    def source_row(self, proxy_row: int) -> Any:
        src = self.mapToSource(self.index(proxy_row, 0))
        return self.sourceModel().row(src.row())


# ---------------------------------------------------------------- 100,000 engineers


ENGINEER_COLUMNS = [
    Column("شماره عضویت", lambda r: r.membership_no, ltr=True, key="membership_no"),
    Column("نام", lambda r: r.name, key="name"),
    Column("کد ملی", lambda r: r.national_id, ltr=True, key="national_id"),
    Column("همراه", lambda r: r.mobile, ltr=True, key="mobile"),
    Column("نوع", lambda r: r.kind, lambda k: fmt.KIND_FA.get(k, k), key="kind"),
    Column("عضو از", lambda r: r.member_since, key="member_since"),
    Column("رشته‌ها", lambda r: r.disciplines, fmt.disciplines),
]


_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_ALIGN = int(Qt.ItemDataRole.TextAlignmentRole)
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)


class EngineerListModel(_ColumnHeaders, QAbstractTableModel):
    """Lazy: one page at a time, fetched off the GUI thread (fetchMore); the count after the
    first page is on the screen (`defer`); filter and sort run in the database.

    Filter keystrokes are not debounced: the query starts on the key press. While a list
    query is in flight, further keystrokes only note the text; its answer, stale by then, is
    dropped and the query runs again for the latest text — so a desk never has more than one
    list query in flight, however fast one types. Each row's texts are formatted once, on
    first show, not at every paint."""

    PAGE = 50  # the first page: a screenful and a half, quick to fetch and to show
    MAX_PAGE = 1_000  # later pages double up to this, as one scrolls on
    reset_done = Signal(float)  # seconds from the request to the model reset
    count_changed = Signal(int)  # the count, once known after the reset (`total`, `counted`)

    def __init__(self, ctx, runner: TaskRunner, parent=None):
        super().__init__(parent)
        self.ctx, self.runner = ctx, runner
        self.columns = ENGINEER_COLUMNS
        self.rows: list[browse.EngineerRow] = []
        self._texts: list[tuple[str, ...] | None] = []
        self._align = [_LEFT if c.ltr else None for c in self.columns]
        self._cells = [(c.value, c.text) for c in self.columns]
        self.total = 0  # the count; until `counted`, the rows fetched so far
        self.counted = True
        self.text = ""
        self.sort_key, self.descending = "membership_no", False
        # how the count is started after a reset: at once here; the screen passes it on to
        # after the first paint of the new rows
        self.defer: Callable[[Callable[[], None]], None] = lambda fn: fn()
        self._gen = 0
        self._loading = False  # a reset or a page is being fetched
        self._inflight = False  # a reset query is running
        self._again = False  # the filter changed while it ran
        self._more = False  # the last page was full (before the count is known)

    # ------------------------------------------------------------ queries
    def set_filter(self, text: str) -> None:
        self.text = text
        if self._inflight:
            self._again = True
        else:
            self.reload()

    def reload(self) -> None:
        self._gen += 1
        gen, started = self._gen, time.perf_counter()
        self._loading = self._inflight = True
        self._again = False
        ctx, text, key, desc, size = self.ctx, self.text, self.sort_key, self.descending, self.PAGE

        def work():
            from app.services import browse

            return browse.engineer_page(ctx, text, 0, size, key, desc)

        def done(rows):
            if gen != self._gen:
                return
            self._inflight = False
            if self._again:  # typed meanwhile: this answer is stale
                self.reload()
                return
            self.beginResetModel()
            self.rows = list(rows)
            self._texts = [None] * len(self.rows)
            self._loading = False
            self._more = len(self.rows) >= size
            self.counted = not self._more
            self.total = len(self.rows)
            self.endResetModel()  # a short page is counted: `total` (no count_changed)
            emit(self.reset_done, time.perf_counter() - started)
            if self._more:
                self.defer(lambda: self._count(gen, text))

        def failed(exc):
            if gen != self._gen:
                return
            self._inflight = self._loading = False
            if self._again:
                self.reload()
                return
            emit(self.runner.error, error_text(exc))

        self.runner.run(work, on_done=done, on_error=failed, owner=self, label="فهرست مهندسان")

    def _count(self, gen: int, text: str) -> None:
        if gen != self._gen or self.counted:
            return
        ctx = self.ctx

        def work():
            from app.services import browse

            return browse.count_engineers(ctx, text)

        def done(n):
            if gen != self._gen or self.counted:
                return
            self.total, self.counted = max(n, len(self.rows)), True
            emit(self.count_changed, self.total)

        self.runner.run(work, on_done=done, owner=self, label="فهرست مهندسان")

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008
        if parent.isValid() or self._loading:
            return False
        return len(self.rows) < self.total if self.counted else self._more

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent):
            return
        from app.services import browse

        self._loading = True
        gen, offset = self._gen, len(self.rows)
        size = min(max(self.PAGE, offset), self.MAX_PAGE)
        last = self.rows[-1].id if self.rows else None  # the next page by key, not position
        args = (self.ctx, self.text, offset, size, self.sort_key, self.descending, last)

        def done(page):
            if gen != self._gen:
                return
            self._loading = False
            if page:
                self.beginInsertRows(QModelIndex(), offset, offset + len(page) - 1)
                self.rows.extend(page)
                self._texts.extend([None] * len(page))
                self.endInsertRows()
            if not self.counted:
                self._more = len(page) >= size
                self.total = len(self.rows)
                if not self._more:
                    self.counted = True
                    emit(self.count_changed, self.total)

        def failed(exc):
            if gen == self._gen:
                self._loading = False
            emit(self.runner.error, error_text(exc))

        self.runner.run(browse.engineer_page, *args, on_done=done, on_error=failed, owner=self)

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        key = self.columns[column].key if 0 <= column < len(self.columns) else ""
        desc = order == Qt.SortOrder.DescendingOrder
        if not key or (key, desc) == (self.sort_key, self.descending):
            return  # the rows are in this order already (or are not loaded yet)
        self.sort_key, self.descending = key, desc
        self.reload()

    # ------------------------------------------------------------ the model
    def headerData(self, section: int, orientation, role=_DISPLAY) -> Any:
        if role != _DISPLAY:  # the header asks for a dozen roles per row
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.columns[section].title if 0 <= section < len(self.columns) else None
        return fmt.fa(section + 1)

    def _format(self, row: int) -> tuple[str, ...]:
        r = self.rows[row]
        t = self._texts[row] = tuple([text(value(r)) for value, text in self._cells])
        return t

    def row_texts(self, row: int) -> tuple[str, ...] | None:
        """The row's cell texts, formatted on first use (the list's delegate paints them)."""
        if not 0 <= row < len(self._texts):
            return None
        return self._texts[row] or self._format(row)

    def column_alignment(self, column: int) -> int | None:
        return self._align[column] if 0 <= column < len(self._align) else None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == _DISPLAY:
            texts = self.row_texts(index.row())
            return None if texts is None else texts[index.column()]
        if role == _ALIGN and index.isValid():
            return self._align[index.column()]
        return None

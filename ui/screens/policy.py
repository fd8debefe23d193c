"""Policy and tariff tables (administrator only, U1; issue 5).

«جدول‌های سیاستی»: every [policy] key with the value in force, the day it took effect, whether
the figure is published (with its source) or the product's default — editable either way — and
an editor for the selected key: a typed field for a number or a time, JSON for the rest, and
the Jalali day the new version takes effect. Earlier versions stay (the key's history below).

«تعرفه نظارت»: the supervision tariff (rials per m²) per building group and floor band × discipline
(and the coordinator) of the table in force on
a day; cells without a tariff are marked «باید وارد شود». Cells are edited in place and saved
together as new versions from the chosen day (F1 fees follow them).
"""

from __future__ import annotations

import json
import re
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.db.policy_store import EPOCH_DAY
from app.domain.calendar import jalali_year, latin_digits, local_date
from app.domain.codes import DISCIPLINE_FA, GRADE_FA, GROUP_FA
from app.domain.text import parse_number
from app.services import calendar, fees, policy_admin

from .. import fmt
from ..models import Column
from ..qtcompat import emit
from ..widgets import ListPanel, jalali_date_edit
from .base import Screen, ltr
from .holidays_tab import HolidaysTab

_Index = QModelIndex | QPersistentModelIndex

STATUS_BADGE = {
    "published": "منتشرشده",
    "default": "پیش‌فرض محصول — قابل ویرایش",
    "scenario": "سناریو — قابل ویرایش",
    "entered": "واردشده به‌وسیله دفتر — قابل ویرایش",
    "to_fill": "باید وارد شود",
}
WEEKDAY_FA = {
    "saturday": "شنبه",
    "sunday": "یکشنبه",
    "monday": "دوشنبه",
    "tuesday": "سه‌شنبه",
    "wednesday": "چهارشنبه",
    "thursday": "پنجشنبه",
    "friday": "جمعه",
}
WORD_FA = {
    **WEEKDAY_FA,
    **DISCIPLINE_FA,
    "coord": "هماهنگ‌کننده",
    "year": "سال شمسی",
    "none": "بدون دوره",
    "permit": "پروانه",
    "foundation": "فونداسیون",
    "frame": "اسکلت",
    "rough": "سفت‌کاری",
    "finishing": "نازک‌کاری",
    "completion": "پایان کار",
    "floors_over": "طبقات بیش از",
    "area_over": "مساحت بیش از",
    "senior": "ارشد",
}
TO_FILL_BG = QColor("#ffe8a3")
PENDING_BG = QColor("#cfe8ff")
DEFAULT_BG = QColor("#eeeeee")


def _word(v: Any) -> str:
    if isinstance(v, str):
        return WORD_FA.get(v, GROUP_FA.get(v)) or fmt.fa(v)
    return fmt.fa(v)


def readable(value: Any) -> str:
    """A policy value for people: Persian digits and names, lists joined, pairs as `a: b`."""
    if value is None or value == {} or value == []:
        return "—"
    if isinstance(value, dict):
        return "؛ ".join(f"{GRADE_FA.get(k) or _word(k)}: {readable(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        if all(isinstance(x, list | tuple) and len(x) == 2 for x in value):
            return "؛ ".join(f"{_word(a)}: {_word(b)}" for a, b in value)
        return "، ".join(_word(x) for x in value)
    return _word(value)


def effective_text(at) -> str:
    if at is None:
        return "—"
    d = local_date(at)
    return "از آغاز" if d <= EPOCH_DAY else fmt.fa(d)


def is_simple(value: Any) -> bool:
    return isinstance(value, int | float | str) and not isinstance(value, bool)


def parse_simple(text: str, like: Any) -> Any:
    """The typed text as the kind of the current value; when it does not parse, the text
    itself (the service then refuses it in Persian, naming the key)."""
    if isinstance(like, int | float) and not isinstance(like, bool):
        # the domain's reading of a typed number: «۱۲۰٬۵» is no number, nor «nan» or «inf»
        n = parse_number(text)
        if n is None:
            return text.strip()
        if isinstance(like, int):
            return int(n) if n == n.to_integral_value() else text.strip()
        return float(n)
    return latin_digits(text).strip()


WINDOW_KEYS = ("signing_window",)  # a pair of times, typed «۰۸:۰۰ تا ۱۲:۰۰»
_TIME = re.compile(r"(\d{1,2})\s*:\s*(\d{2})")
_UNTIL = re.compile(r"\s*(?:تا|الی|–|—|-)\s*")


def window_text(value: Any) -> str:
    """A stored [start, end] as the administrator types it: «۰۸:۰۰ تا ۱۲:۰۰»."""
    if isinstance(value, list | tuple) and len(value) == 2:
        return f"{fmt.fa(value[0])} تا {fmt.fa(value[1])}"
    return fmt.fa(value) if isinstance(value, str) else ""


def parse_window(text: str) -> list[str] | None:
    """«۰۸:۰۰ تا ۱۲:۰۰» (any digits; «تا»، «الی» or a dash between) → ["08:00", "12:00"];
    None when it is not two times. Whether the window opens before it closes is the
    service's check (refused in Persian, naming the key)."""
    parts = _UNTIL.split(latin_digits(text).replace("٫", ":").strip())
    if len(parts) != 2:
        return None
    out = []
    for part in parts:
        m = _TIME.fullmatch(part.strip())
        if m is None:
            return None
        out.append(f"{int(m.group(1)):02d}:{m.group(2)}")
    return out


def author(username: str | None) -> str:
    """Who set a policy version: the system's own versions (the shipped defaults) «سامانه»;
    a user's name left to right."""
    if not username or username == "system":
        return "سامانه"
    return f"<span dir='ltr'>{_esc(username)}</span>"


POLICY_COLUMNS = [
    Column("عنوان", lambda r: r.label),
    Column("مقدار", lambda r: readable(r.value), str),
    Column("تاریخ اجرا", lambda r: r.effective_from, effective_text),
    Column("وضعیت", lambda r: r.status, lambda s: STATUS_BADGE.get(s, s)),
    Column("کلید", lambda r: r.key, str, ltr=True),
    Column("منبع", lambda r: r.source),
]


class TariffModel(QAbstractTableModel):
    """The rows of a tariff table — each building group's floor bands (F1) — × its columns
    (the disciplines and the coordinator), rials per m²; edits wait in `pending`."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows = list(fees.TARIFF_ROWS)  # (group, band)
        self.groups = [g for g, _ in self.rows]  # the group of each row
        self.disciplines = list(fees.TARIFF_DISCIPLINES)
        self.cells: dict[tuple[str, str, str], fees.TariffRow] = {}
        self.pending: dict[tuple[str, str, str], int] = {}

    def set_rows(self, rows) -> None:
        self.beginResetModel()
        self.cells = {(r.group, r.band, r.discipline): r for r in rows}
        self.pending = {}
        self.endResetModel()

    def row_of(self, group: str, band: str | None = None) -> int:
        """The model row of a group's band (its first band when `band` is None)."""
        return next(i for i, (g, b) in enumerate(self.rows) if g == group and band in (None, b))

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.disciplines)

    def _key(self, index: _Index) -> tuple[str, str, str]:
        g, b = self.rows[index.row()]
        return g, b, self.disciplines[index.column()]

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (
            0 <= index.row() < len(self.rows) and 0 <= index.column() < len(self.disciplines)
        ):
            return None
        key = self._key(index)
        cell = self.cells.get(key)
        value = self.pending.get(key, cell.rials_per_m2 if cell else None)
        status = "pending" if key in self.pending else (cell.status if cell else "to_fill")
        if role == Qt.ItemDataRole.DisplayRole:
            return "باید وارد شود" if value is None else fmt.fa_int(value)
        if role == Qt.ItemDataRole.EditRole:
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.BackgroundRole:
            if status == "pending":
                return QBrush(PENDING_BG)
            if status == "to_fill":
                return QBrush(TO_FILL_BG)
            if status != "published":
                return QBrush(DEFAULT_BG)
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            if status == "pending":
                return "تغییر ثبت‌نشده"
            if cell is None or cell.rials_per_m2 is None:
                return "تعرفه این خانه هنوز وارد نشده است"
            return (
                f"{STATUS_BADGE.get(cell.status, cell.status)} — از "
                f"{fmt.fa(cell.effective_from)} — {cell.source or 'بدون منبع'}"
            )
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        t = latin_digits(str(value)).replace("٬", "").replace(",", "").strip()
        if not t.isdigit():
            return False
        key = self._key(index)
        self.pending[key] = int(t)
        emit(self.dataChanged, index, index, [Qt.ItemDataRole.DisplayRole])
        return True

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEditable

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            if 0 <= section < len(self.disciplines):
                return _word(self.disciplines[section])
            return None
        if 0 <= section < len(self.rows):
            g, b = self.rows[section]
            floors = (
                f"{b[:-1]} طبقه و بیشتر" if b.endswith("+") else f"{b.replace('-', ' تا ')} طبقه"
            )
            return f"گروه {fmt.group(g)} — {fmt.fa(floors)}"
        return None

    def to_fill(self) -> int:
        return sum(
            1
            for g, b in self.rows
            for d in self.disciplines
            if (g, b, d) not in self.pending
            and (self.cells.get((g, b, d)) is None or self.cells[(g, b, d)].rials_per_m2 is None)
        )


def _legend(color: QColor, text: str, parent) -> QLabel:
    return QLabel(
        f"<span style='background:{color.name()}; border:1px solid #999'>&nbsp;&nbsp;&nbsp;&nbsp;"
        f"</span> {text}",
        parent,
    )


class PolicyScreen(Screen):
    title = "سیاست‌ها و تعرفه"
    name = "policy"

    def __init__(self, ctx, runner, parent=None):
        super().__init__(ctx, runner, parent)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._policy_tab(), "جدول‌های سیاستی")
        self.tabs.addTab(self._tariff_tab(), "تعرفه نظارت")
        self.holidays = HolidaysTab(self)
        self.tabs.addTab(self.holidays, "تقویم تعطیلات")
        self.tabs.currentChanged.connect(self._tab_shown)
        self.tabs.currentChanged.connect(lambda _i: self.message.clear())  # one tab's answer
        self.calendar_warning = QLabel(self)  # months before the holiday table runs out
        self.calendar_warning.setWordWrap(True)
        self.calendar_warning.setStyleSheet(
            "background: #fff4e5; border: 1px solid #e0a040; padding: 6px; font-size: 11pt;"
        )
        self.calendar_warning.hide()
        lay = QVBoxLayout(self)
        lay.addWidget(self.calendar_warning)
        lay.addWidget(self.tabs, 1)
        lay.addWidget(self.message)
        self.current = None

    def _tab_shown(self, index: int) -> None:
        if index == 1:
            self.load_tariffs()
        elif index == 2:
            self.holidays.refresh()

    def _calendar(self, status) -> None:
        self.calendar_warning.setVisible(bool(status.warning))
        self.calendar_warning.setText(f"⚠ {status.warning}" if status.warning else "")

    # ---- policy tables ---------------------------------------------------------------
    def _policy_tab(self) -> QWidget:
        page = QWidget(self)
        note = QLabel(
            "هر مقدار «منتشرشده» از منبع رسمی درج‌شده آمده است؛ «پیش‌فرض محصول» انتخاب سامانه "
            "است. همه مقادیر را مدیر سامانه می‌تواند ویرایش کند؛ هر تغییر نسخه‌ای تازه از "
            "تاریخ اجرای خود است و نسخه‌های پیشین می‌مانند.",
            page,
        )
        note.setWordWrap(True)
        self.list = ListPanel("جدول‌های سیاستی", POLICY_COLUMNS, page)
        self.list.selected.connect(self._pick)

        box = QGroupBox("ویرایش مقدار", page)
        self.key_label = QLabel("—", box)
        self.key_label.setWordWrap(True)
        self.status_label = QLabel("", box)
        self.status_label.setWordWrap(True)
        self.value_line = ltr(QLineEdit(box))
        # a signing window as it is said: «۰۸:۰۰ تا ۱۲:۰۰» (right to left, so it reads so)
        self.value_window = QLineEdit(box)
        self.value_window.setPlaceholderText("مثلاً ۰۸:۰۰ تا ۱۲:۰۰")
        self.value_json = QPlainTextEdit(box)
        self.value_json.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self.value_json.setMinimumHeight(90)
        self.hint = QLabel("", box)
        self.hint.setWordWrap(True)
        self.effective = jalali_date_edit(box, local_date(self.ctx.now()))
        self.source = QLineEdit(box)
        self.source.setPlaceholderText("مثلاً: بخشنامه شماره … (خالی: پیش‌فرض محصول)")
        self.save_button = QPushButton("ثبت نسخه تازه", box)
        self.save_button.clicked.connect(self.save_policy)
        self.history = QTextBrowser(box)
        form = QFormLayout(box)
        form.addRow("کلید:", self.key_label)
        form.addRow("وضعیت:", self.status_label)
        form.addRow("مقدار تازه:", self.value_line)
        form.addRow("بازه تازه:", self.value_window)
        form.addRow("مقدار (JSON):", self.value_json)
        form.addRow("", self.hint)
        form.addRow("تاریخ اجرا:", self.effective)
        form.addRow("منبع:", self.source)
        form.addRow("", self.save_button)
        form.addRow("تاریخچه:", self.history)
        self._set_editor(None)

        split = QSplitter(page)
        split.addWidget(self.list)
        split.addWidget(box)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setSizes([1000, 420])
        lay = QVBoxLayout(page)
        lay.addWidget(note)
        lay.addWidget(split, 1)
        return page

    def refresh(self) -> None:
        self.run(calendar.calendar_status, self.ctx, on_done=self._calendar)
        self.run(policy_admin.current_policy, self.ctx, on_done=self._loaded)
        self._tab_shown(self.tabs.currentIndex())

    def _loaded(self, rows) -> None:
        keep = self.current.key if self.current else None
        self.list.set_rows(rows)
        for col, width in ((0, 200), (1, 210), (2, 75), (3, 215), (4, 175)):
            self.list.view.setColumnWidth(col, width)
        keys = [self.list.proxy.source_row(i).key for i in range(self.list.proxy.rowCount())]
        self.list.select_row(keys.index(keep) if keep in keys else 0)

    def select_key(self, key: str) -> None:
        for i in range(self.list.proxy.rowCount()):
            if self.list.proxy.source_row(i).key == key:
                self.list.select_row(i)
                return

    def _pick(self, row) -> None:
        self.current = row
        self._set_editor(row)
        if row is not None:
            self.run(policy_admin.policy_history, self.ctx, row.key, on_done=self._history)

    def _set_editor(self, row) -> None:
        enabled = row is not None
        for w in (
            self.value_line,
            self.value_window,
            self.value_json,
            self.effective,
            self.source,
        ):
            w.setEnabled(enabled)
        self.save_button.setEnabled(enabled)
        if row is None:
            self.key_label.setText("—")
            self.status_label.setText("")
            self.value_line.clear()
            self.value_window.clear()
            self.value_json.clear()
            self.history.clear()
            return
        self.key_label.setText(f"{row.label} ({fmt.code(row.key)})")
        self.status_label.setText(STATUS_BADGE.get(row.status, row.status))
        window = row.key in WINDOW_KEYS
        simple = is_simple(row.value) and not window
        shown = {self.value_line: simple, self.value_window: window}
        shown[self.value_json] = not (simple or window)
        form = self.value_line.parentWidget().layout()
        for w, on in shown.items():
            w.setVisible(on)
            form.setRowVisible(w, on)
        if window:
            self.value_window.setText(window_text(row.value))
            self.hint.setText(
                f"از ساعت تا ساعت، مثلاً ۰۸:۰۰ تا ۱۲:۰۰؛ اکنون: {window_text(row.value)}"
            )
        elif simple:
            self.value_line.setText(fmt.fa(row.value))  # Persian or Latin digits parse back
            kind = (
                "عدد صحیح"
                if isinstance(row.value, int)
                else "عدد اعشاری"
                if isinstance(row.value, float)
                else "متن یا ساعت به شکل ساعت:دقیقه (مثلاً ۰۸:۰۰)"
            )
            self.hint.setText(f"نوع مقدار: {kind}")
        else:
            self.value_json.setPlainText(json.dumps(row.value, ensure_ascii=False))
            self.hint.setText(
                f"به شکل JSON، مانند مقدار کنونی در کادر؛ اکنون: {readable(row.value)}"
            )
        self.source.setText("")

    def _history(self, rows) -> None:
        lines = [
            f"<li>{effective_text(r.effective_from)} — <b>{readable(r.value)}</b> — "
            f"{STATUS_BADGE.get(r.status, r.status)}"
            + (f" — {_esc(r.source)}" if r.source else "")
            + f" — {author(r.created_by)}</li>"
            for r in rows
        ]
        self.history.setHtml("<ul>" + "".join(lines) + "</ul>")

    def edited_value(self) -> tuple[bool, Any]:
        row = self.current
        if row.key in WINDOW_KEYS:
            window = parse_window(self.value_window.text())
            return window is not None, window
        if is_simple(row.value):
            return True, parse_simple(self.value_line.text(), row.value)
        try:
            return True, json.loads(latin_digits(self.value_json.toPlainText()))
        except json.JSONDecodeError:
            return False, None

    def save_policy(self) -> None:
        row = self.current
        if row is None:
            return
        ok, value = self.edited_value()
        if not ok and row.key in WINDOW_KEYS:
            self.message.error(
                f"«{row.label}» را به شکل ساعت آغاز تا ساعت پایان بنویسید "
                "(مثلاً ۰۸:۰۰ تا ۱۲:۰۰)؛ چیزی ثبت نشد"
            )
            return
        if not ok:
            self.message.error(
                f"مقدار «{row.label}» به شکل JSON درست نیست (مانند مقدار کنونی که در کادر "
                "آمده بود بنویسید)؛ چیزی ثبت نشد"
            )
            return
        self.save_button.setEnabled(False)
        self.run(
            policy_admin.update_policy,
            self.ctx,
            row.key,
            value,
            self.effective.date().toPython(),
            self.source.text(),
            on_done=self._saved,
            on_error=self._save_failed,
        )

    def _saved(self, row) -> None:
        self.save_button.setEnabled(True)
        self.message.ok(
            f"«{row.label}» از {effective_text(row.effective_from)} شد {readable(row.value)}"
        )
        self.refresh()

    def _save_failed(self, exc) -> None:
        self.save_button.setEnabled(True)
        self.show_error(exc)

    # ---- tariffs ----------------------------------------------------------------------
    def _tariff_tab(self) -> QWidget:
        page = QWidget(self)
        note = QLabel(
            "تعرفه حق‌الزحمه نظارت به ریال برای هر متر مربع، به تفکیک گروه ساختمانی و رشته، "
            "در تاریخ اجرای انتخاب‌شده. خانه‌ای را با دوبار کلیک ویرایش کنید و سپس «ثبت» را "
            "بزنید؛ هر خانه نسخه‌ای تازه از تاریخ اجرا می‌شود.",
            page,
        )
        note.setWordWrap(True)
        self.tariff_model = TariffModel(self)
        self.tariff_view = QTableView(page)
        self.tariff_view.setModel(self.tariff_model)
        self.tariff_view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.tariff_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.tariff_view.verticalHeader().setDefaultSectionSize(34)
        self.tariff_model.dataChanged.connect(lambda *_a: self._tariff_count())
        self.tariff_model.modelReset.connect(self._tariff_count)

        self.tariff_on = jalali_date_edit(page, local_date(self.ctx.now()))
        self.tariff_on.dateChanged.connect(lambda _d: self.load_tariffs())
        self.tariff_year = QSpinBox(page)
        self.tariff_year.setRange(1300, 1500)
        self.tariff_year.setValue(jalali_year(self.ctx.now()))
        self.tariff_source = QLineEdit(page)
        self.tariff_source.setPlaceholderText("مثلاً: جدول تعرفه استان ۱۴۰۵ (خالی: پیش‌فرض)")
        self.tariff_save = QPushButton("ثبت تعرفه‌های تغییرکرده", page)
        self.tariff_save.clicked.connect(self.save_tariffs)
        self.tariff_discard = QPushButton("کنار گذاشتن تغییرها", page)
        self.tariff_discard.clicked.connect(self.load_tariffs)
        self.tariff_status = QLabel("", page)

        bar = QHBoxLayout()
        bar.addWidget(QLabel("تاریخ اجرا:", page))
        bar.addWidget(self.tariff_on)
        bar.addWidget(QLabel("سال تعرفه:", page))
        bar.addWidget(self.tariff_year)
        bar.addWidget(QLabel("منبع:", page))
        bar.addWidget(self.tariff_source, 1)
        bar.addWidget(self.tariff_save)
        bar.addWidget(self.tariff_discard)
        legend = QHBoxLayout()
        legend.addWidget(_legend(QColor("#ffffff"), "منتشرشده", page))
        legend.addWidget(_legend(DEFAULT_BG, "واردشده به‌وسیله دفتر — قابل ویرایش", page))
        legend.addWidget(_legend(TO_FILL_BG, "باید وارد شود", page))
        legend.addWidget(_legend(PENDING_BG, "تغییر ثبت‌نشده", page))
        legend.addStretch(1)
        legend.addWidget(self.tariff_status)
        lay = QVBoxLayout(page)
        lay.addWidget(note)
        lay.addLayout(bar)
        lay.addLayout(legend)
        lay.addWidget(self.tariff_view, 1)
        return page

    def load_tariffs(self) -> None:
        self.run(
            fees.tariff_table,
            self.ctx,
            self.tariff_on.date().toPython(),
            on_done=self.tariff_model.set_rows,
        )

    def _tariff_count(self) -> None:
        m = self.tariff_model
        self.tariff_status.setText(
            f"{fmt.fa_int(m.to_fill())} خانه بی‌تعرفه — {fmt.fa_int(len(m.pending))} تغییر ثبت‌نشده"
        )

    def save_tariffs(self) -> None:
        pending = dict(self.tariff_model.pending)
        if not pending:
            self.message.error("خانه‌ای تغییر نکرده است")
            return
        on, year, source = (
            self.tariff_on.date().toPython(),
            self.tariff_year.value(),
            self.tariff_source.text().strip(),
        )

        def save_all(ctx) -> int:
            for (g, b, d), rials in sorted(pending.items()):
                fees.set_tariff(ctx, year, g, d, rials, on, source, band=b)
            return len(pending)

        self.tariff_save.setEnabled(False)
        self.run(save_all, self.ctx, on_done=self._tariffs_saved, on_error=self._tariffs_failed)

    def _tariffs_saved(self, n: int) -> None:
        self.tariff_save.setEnabled(True)
        self.message.ok(
            f"{fmt.fa_int(n)} تعرفه از {fmt.fa(self.tariff_on.date().toPython())} ثبت شد"
        )
        self.load_tariffs()

    def _tariffs_failed(self, exc) -> None:
        self.tariff_save.setEnabled(True)
        self.show_error(exc)


def _esc(s: str) -> str:
    return str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

"""Engineers: a lazy list that stays instant at 100,000 rows, and one engineer's file."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.services import browse

from .. import fmt
from ..models import Column, DtoTableModel, EngineerListModel
from ..qtcompat import emit
from ..widgets import Debounce, Gauge, Sparkline, Table, export_xlsx
from .base import Screen

LEDGER_COLUMNS = [
    Column("زمان", lambda r: r.at),
    Column("نوع", lambda r: r.kind, lambda k: fmt.LEDGER_FA.get(k, k)),
    Column("امتیاز", lambda r: r.points),
    Column("مانده", lambda r: r.balance),
    Column("شرح", lambda r: r.note),
]


class EngineerDetail(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.head = QLabel("مهندسی انتخاب نشده است", self)
        self.head.setWordWrap(True)
        form = QFormLayout()
        self.fields: dict[str, QLabel] = {}
        for key, title in (
            ("licence", "پروانه"),
            ("grade", "پایه نظارت"),
            ("competences", "صلاحیت‌ها"),
            ("membership", "سال‌های عضویت"),
            ("declaration", "اعلام آمادگی"),
            ("g_facts", "شرایط عمومی"),
            ("convictions", "محکومیت‌ها"),
            ("score", "امتیاز"),
            ("jobs", "کارهای در دست"),
        ):
            lab = QLabel(self)
            lab.setWordWrap(True)
            lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fields[key] = lab
            form.addRow(title + ":", lab)
        self.gauge = Gauge(self)
        form.addRow("ظرفیت متراژ:", self.gauge)
        self.spark = Sparkline(self)
        self.ledger = DtoTableModel(LEDGER_COLUMNS, self)
        self.ledger_view = Table(self)
        self.ledger_view.setModel(self.ledger)
        lay = QVBoxLayout(self)
        lay.addWidget(self.head)
        lay.addLayout(form)
        box = QGroupBox("دفتر امتیاز", self)
        bl = QVBoxLayout(box)
        bl.addWidget(self.spark)
        bl.addWidget(self.ledger_view, 1)
        lay.addWidget(box, 1)

    def show_file(self, f: browse.EngineerFile) -> None:
        self.head.setText(
            f"<b>{f.name or '—'}</b> — شماره عضویت {fmt.code(f.membership_no)}"
            f" — کد ملی {fmt.code(f.national_id)}"
            f" — {fmt.KIND_FA.get(f.kind, f.kind)}"
        )
        lic = fmt.code(f.licence_no) or "—"
        if f.licence_expires:
            lic += f" (اعتبار تا {fmt.fa(f.licence_expires)})"
        self.fields["licence"].setText(lic)
        self.fields["grade"].setText(fmt.grade(f.grade) or "—")
        self.fields["competences"].setText(
            "، ".join(
                f"{fmt.discipline(d)} {fmt.grade(g)}" + ("" if k == "supervision" else f" ({k})")
                for d, g, k, _e in f.competences
            )
            or "—"
        )
        recent = f.membership_years[-4:]
        years = "، ".join(f"{fmt.fa(y)} {fmt.status(s)}" for y, s in recent)
        if len(f.membership_years) > len(recent):
            years = f"{fmt.fa(len(f.membership_years))} سال ثبت‌شده؛ آخرین‌ها: " + years
        self.fields["membership"].setText(
            f"عضو از {fmt.fa(f.member_since)}؛ حق عضویت تا {fmt.fa(f.paid_through) or '—'}"
            + (f"؛ {years}" if years else "")
        )
        self.fields["declaration"].setText(
            "، ".join(
                f"{fmt.fa(y)}: {'آماده' if r else 'ناآماده'}،"
                f" گروه‌ها {'،'.join(fmt.group(x) for x in g)}، {fmt.fa(p)}٪ نظارت"
                for y, r, g, p in f.declarations
            )
            or "—"
        )
        self.fields["g_facts"].setText(
            "، ".join(f"{k} {'✔' if ok else '✘'}" for k, ok in f.g_facts.items())
        )
        self.fields["convictions"].setText(
            "، ".join(f"درجه {fmt.fa(d)} از {fmt.fa(s)}" for d, s, _e in f.convictions) or "ندارد"
        )
        self.fields["score"].setText(f"{fmt.code(f.score)} (پایه {fmt.code(f.base_score)})")
        self.fields["jobs"].setText(fmt.fa(f.active_jobs))
        self.gauge.set_usage(float(f.used_m2), float(f.capacity_m2))
        self.spark.set_values([float(f.base_score)] + [float(r.balance) for r in f.ledger])
        self.ledger.set_rows(list(reversed(f.ledger)))
        self.ledger_view.resizeColumnsToContents()


class EngineersScreen(Screen):
    title = "مهندسان"
    name = "engineers"
    filtered = Signal(float)

    def __init__(self, ctx, runner, parent=None):
        super().__init__(ctx, runner, parent)
        self.model = EngineerListModel(ctx, runner, self)
        self.view = Table(self)
        self.view.setModel(self.model)
        self.view.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText("نام، شماره عضویت، کد ملی یا همراه…")
        self.filter.setClearButtonEnabled(True)
        self.debounce = Debounce(180, self._apply_filter, self)
        self.filter.textChanged.connect(self.debounce.poke)
        self.count = QLabel(self)
        self.export_button = QPushButton("خروجی اکسل", self)
        self.export_button.clicked.connect(lambda: self.export())
        self.detail = EngineerDetail(self)
        self.model.count_changed.connect(lambda n: self.count.setText(f"{fmt.fa_int(n)} مهندس"))
        self.model.reset_done.connect(self._reset)
        self.model.modelReset.connect(self._first_row)
        self.view.selectionModel().currentRowChanged.connect(self._current)
        head = QHBoxLayout()
        head.addWidget(QLabel("<b>مهندسان</b>", self))
        head.addWidget(self.filter, 1)
        head.addWidget(self.count)
        head.addWidget(self.export_button)
        left = QWidget(self)
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addLayout(head)
        ll.addWidget(self.view, 1)
        ll.addWidget(self.message)
        split = QSplitter(self)
        split.addWidget(left)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        lay = QVBoxLayout(self)
        lay.addWidget(split)
        self.last_filter_s: float | None = None
        self._sized = False
        self._typed_at: float | None = None

    def refresh(self) -> None:
        self.model.reload()

    def _apply_filter(self) -> None:
        self.model.set_filter(self.filter.text())

    def _reset(self, seconds: float) -> None:
        self.last_filter_s = seconds
        emit(self.filtered, seconds)
        if not self._sized and self.model.rowCount():  # once: widths then stay put
            self._sized = True
            h = self.view.horizontalHeader()
            for col, width in enumerate((100, 150, 110, 120, 60, 60)):
                h.resizeSection(col, width)
            h.setStretchLastSection(True)

    def _first_row(self) -> None:
        if self.model.rowCount():
            self.view.setCurrentIndex(self.model.index(0, 0))

    def _current(self, cur, _prev) -> None:
        if not cur.isValid() or cur.row() >= len(self.model.rows):
            return
        eid = self.model.row(cur.row()).id
        self.run(browse.engineer_file, self.ctx, eid, on_done=self.detail.show_file)

    def export(self, path: str | None = None):
        if not path:
            from PySide6.QtWidgets import QFileDialog

            path, _ = QFileDialog.getSaveFileName(self, "خروجی اکسل", "", "Excel (*.xlsx)")
        return export_xlsx(self.model, path, "مهندسان") if path else None

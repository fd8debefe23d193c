"""Engineers: a lazy list that stays instant at 100,000 rows, and one engineer's file (with
his Sheba number, which finance enters or changes here: «تغییر شبا…»). The office registers
a supervising firm from here too («ثبت شخص حقوقی…», ui/screens/firm.py)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
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

from app.domain.rules_fa import COMPETENCE_KIND_FA, FACT_FA
from app.services.browse import EngineerFile, LedgerRow

from .. import fmt
from ..celltext import LaidOutText
from ..models import Column, DtoTableModel, EngineerListModel
from ..qtcompat import emit
from ..widgets import Gauge, Sparkline, Table, export_xlsx, wrap_last_column
from .base import Screen
from .firm import FirmDialog, may_register_firm
from .iban import IbanDialog, grouped, may_change_iban

# the ledger's kinds, with the lines the score reaches by time alone (browse.score_ledger)
LEDGER_KIND_FA = {
    **fmt.LEDGER_FA,
    "recovery": "بازگشت جریمه با گذشت زمان",
    "period": "پایان دوره امتیاز",
    "opening": "امتیاز پایه",
}


def ledger_rows(f: EngineerFile) -> list[LedgerRow]:
    """The ledger newest first, down to the base score it starts from: an engineer with no
    line yet still sees where his score comes from (S8)."""
    opening = LedgerRow(
        None,  # type: ignore[arg-type]  # before every line: no instant of its own
        "opening",
        f.base_score,
        "امتیاز پایه، پیش از هر انتخاب و انصراف (S8)",
        f.base_score,
    )
    return [*reversed(f.ledger), opening]


LEDGER_COLUMNS = [
    Column("زمان", lambda r: r.at),
    Column("نوع", lambda r: r.kind, lambda k: LEDGER_KIND_FA.get(k, k)),
    Column("امتیاز", lambda r: r.points),
    Column("مانده", lambda r: r.balance),
    Column("شرح", lambda r: r.note, tip=lambda r: r.note),
]


class EngineerDetail(QWidget):
    iban_requested = Signal()  # «تغییر شبا…» (finance only, U1)

    def __init__(self, parent=None, can_change_iban: bool = False):
        super().__init__(parent)
        self.file = None  # browse.EngineerFile shown
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
        # شبا: where his stage payouts are transferred (F3); finance enters or changes it
        self.iban = QLabel("—", self)
        self.iban.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.iban_button = QPushButton("تغییر شبا…", self)
        self.iban_button.setVisible(can_change_iban)
        self.iban_button.setEnabled(False)
        self.iban_button.clicked.connect(lambda: emit(self.iban_requested))
        iban_row = QHBoxLayout()
        iban_row.addWidget(self.iban, 1)
        iban_row.addWidget(self.iban_button)
        form.addRow("شماره شبا:", iban_row)
        lay = QVBoxLayout(self)
        lay.addWidget(self.head)
        lay.addLayout(form)
        box = QGroupBox("دفتر امتیاز", self)
        self.spark = Sparkline(box)
        self.ledger = DtoTableModel(LEDGER_COLUMNS, self)
        self.ledger_view = Table(box)
        self.ledger_view.setModel(self.ledger)
        wrap_last_column(self.ledger_view)  # «شرح» whole, wrapped
        bl = QVBoxLayout(box)
        bl.addWidget(self.spark)
        bl.addWidget(self.ledger_view, 1)
        lay.addWidget(box, 1)

    def show_file(self, f) -> None:  # browse.EngineerFile
        self.file = f
        self.iban.setText(grouped(f.iban) if f.iban else "ثبت نشده")
        self.iban.setStyleSheet("" if f.iban else "color: #b00020;")
        self.iban_button.setEnabled(True)
        if f.kind == "firm":  # a legal person: its national ID, registration and signatory
            place = f" ({f.registration_place})" if f.registration_place else ""
            who = (
                f" — شناسه ملی {fmt.code(f.national_id) or '—'}"
                f" — شماره ثبت {fmt.code(f.registration_no) or 'ثبت‌نشده'}{place}"
                f" — صاحب امضای مجاز: {f.signatory or 'ثبت‌نشده'}"
            )
        else:
            who = f" — کد ملی {fmt.code(f.national_id)}"
        self.head.setText(
            f"<b>{f.name or '—'}</b> — شماره عضویت {fmt.code(f.membership_no)}"
            f"{who}"
            f" — {fmt.KIND_FA.get(f.kind, f.kind)}"
        )
        lic = fmt.code(f.licence_no) or "—"
        if f.licence_expires:
            lic += f" (اعتبار تا {fmt.fa(f.licence_expires)})"
        self.fields["licence"].setText(lic)
        self.fields["grade"].setText(fmt.grade(f.grade) or "—")
        self.fields["competences"].setText(
            "، ".join(
                f"{fmt.discipline(d)} {fmt.grade(g)}"
                + ("" if k == "supervision" else f" ({COMPETENCE_KIND_FA.get(k, k)})")
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
            "، ".join(
                f"{FACT_FA.get(k, k)} ({k}) {'✔' if ok else '✘'}" for k, ok in f.g_facts.items()
            )
        )
        self.fields["convictions"].setText(
            "، ".join(f"درجه {fmt.fa(d)} از {fmt.fa(s)}" for d, s, _e in f.convictions) or "ندارد"
        )
        self.fields["score"].setText(f"{fmt.code(f.score)} (پایه {fmt.code(f.base_score)})")
        self.fields["jobs"].setText(fmt.fa(f.active_jobs))
        self.gauge.set_usage(float(f.used_m2), float(f.capacity_m2))
        self.spark.set_values([float(f.base_score)] + [float(r.balance) for r in f.ledger])
        self.ledger.set_rows(ledger_rows(f))


class EngineersScreen(Screen):
    """The list of every engineer and the file of the current one.

    A keystroke in the filter queries at once (no debounce: the model keeps one list query
    in flight and asks again for the latest text, see `EngineerListModel`). What is not the
    rows — the count of matches, the first row made current, then its engineer's file (and,
    the first time, its pane) — comes after the new rows have been painted (`after_paint`),
    so that neither a worker holding the interpreter, nor a relayout for a wider count, nor
    the selection's highlight hold them up."""

    title = "مهندسان"
    name = "engineers"
    filtered = Signal(float)
    AFTER_PAINT_MS = 100  # at the latest (a hidden or minimised window is never painted)

    def __init__(self, ctx, runner, parent=None):
        super().__init__(ctx, runner, parent)
        # every widget is made in its final parent: moving a built subtree under another
        # parent restyles all of it (the application has a style sheet)
        lay = QVBoxLayout(self)
        split = QSplitter(self)
        lay.addWidget(split)
        left = QWidget(split)
        self.model = EngineerListModel(ctx, runner, self)
        self.view = Table(left)
        self.view.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.view.setModel(self.model)  # after the indicator: setting it would sort (query)
        self.view.setItemDelegate(LaidOutText(self.view, self.model))  # text laid out once
        self._after: list[Callable[[], None]] = []
        self.model.defer = self.after_paint
        self.filter = QLineEdit(left)
        self.filter.setPlaceholderText("نام، شماره عضویت، کد ملی یا همراه…")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._apply_filter)
        self.count = QLabel(left)
        self.export_button = QPushButton("خروجی اکسل", left)
        self.export_button.clicked.connect(lambda: self.export())
        # a legal person is entered here (firm.manage, U1): hidden from who may not
        self.firm_button = QPushButton("ثبت شخص حقوقی…", left)
        self.firm_button.setVisible(may_register_firm(ctx))
        self.firm_button.clicked.connect(lambda: self.register_firm())
        self._split = split
        self._detail: EngineerDetail | None = None  # built after the list's first paint
        self._detail_slot = QWidget(split)  # its place until then
        self.model.count_changed.connect(self._show_count)
        self.model.reset_done.connect(self._reset)
        self.view.selectionModel().currentRowChanged.connect(self._current)
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        ll.addLayout(head)
        head.addWidget(QLabel("<b>مهندسان</b>", left))
        head.addWidget(self.filter, 1)
        head.addWidget(self.count)
        head.addWidget(self.firm_button)
        head.addWidget(self.export_button)
        ll.addWidget(self.view, 1)
        self.message.setParent(left)
        ll.addWidget(self.message)
        split.addWidget(left)
        split.addWidget(self._detail_slot)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([3_000, 2_000])  # 3 : 2 from the start, the file pane not yet made
        self.last_filter_s: float | None = None
        self._sized = False
        self._typed_at: float | None = None

    def refresh(self) -> None:
        self.model.reload()

    @property
    def detail(self) -> EngineerDetail:
        """The engineer's file; made when first needed, or once the rows have been painted
        (the list is painted first, the file pane and its data follow)."""
        if self._detail is None:
            # the splitter takes it into the place kept
            self._detail = EngineerDetail(can_change_iban=may_change_iban(self.ctx))
            self._detail.iban_requested.connect(self.change_iban)
            sizes = self._split.sizes()
            self._split.replaceWidget(1, self._detail)
            self._detail_slot.deleteLater()
            if total := sum(sizes):  # the 3 : 2 of the stretch factors, as if it had been there
                self._split.setSizes([total * 3 // 5, total - total * 3 // 5])
        return self._detail

    def after_paint(self, fn: Callable[[], None]) -> None:
        """Run `fn` once the list has next been painted (at once when it is not shown). The
        paint waited for is the one the change at hand scheduled (a model reset, a new current
        row): asking for another would paint every row again."""
        viewport = self.view.viewport()
        if not viewport.isVisible():
            fn()
            return
        if not self._after:
            viewport.installEventFilter(self)
            QTimer.singleShot(self.AFTER_PAINT_MS, self._run_after)
        self._after.append(fn)

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.Paint and self._after:
            QTimer.singleShot(0, self._run_after)  # once this paint has been flushed
        return False

    def _run_after(self) -> None:
        if not self._after:
            return
        self.view.viewport().removeEventFilter(self)
        todo, self._after = self._after, []
        for fn in todo:
            fn()

    def _apply_filter(self, *_a) -> None:
        self.model.set_filter(self.filter.text())

    def _reset(self, seconds: float) -> None:
        self.last_filter_s = seconds
        emit(self.filtered, seconds)
        self.after_paint(self._after_rows)
        if not self._sized and self.model.rowCount():  # once: widths then stay put
            self._sized = True
            h = self.view.horizontalHeader()
            for col, width in enumerate((100, 150, 110, 120, 60, 60)):
                h.resizeSection(col, width)
            h.setStretchLastSection(True)

    def _after_rows(self) -> None:
        """Once a new page's rows have been painted: its count (the rows so far and a «+»
        until it is counted), its first row made current — whose file then loads — and, the
        first time, the file pane."""
        self._show_count()
        if self.model.rowCount() and not self.view.currentIndex().isValid():
            self.view.setCurrentIndex(self.model.index(0, 0))
        if self._detail is None:
            self.detail  # noqa: B018 (made on first use)

    def _show_count(self, *_n) -> None:
        m = self.model
        self.count.setText(f"{fmt.fa_int(m.total)}{'' if m.counted else '+'} مهندس")

    def _current(self, cur, _prev) -> None:
        if not cur.isValid() or cur.row() >= len(self.model.rows):
            return
        eid = self.model.row(cur.row()).id
        self.after_paint(lambda: self._load_file(eid))

    def _load_file(self, eid: int) -> None:
        cur = self.view.currentIndex()
        if not cur.isValid() or cur.row() >= len(self.model.rows):
            return
        if self.model.row(cur.row()).id != eid:  # moved on meanwhile
            return
        from app.services import browse

        self.run(browse.engineer_file, self.ctx, eid, on_done=self.detail.show_file)

    def change_iban(self) -> IbanDialog | None:
        """Finance enters or changes the shown engineer's Sheba number (U1); his file is
        read again once it is saved."""
        f = self.detail.file
        if f is None:
            return None

        def saved(_stored) -> None:
            self.message.ok(f"شماره شبا {f.name or fmt.code(f.membership_no)} ثبت شد.")
            from app.services import browse

            self.run(browse.engineer_file, self.ctx, f.id, on_done=self.detail.show_file)

        return IbanDialog.open_for(self, f.id, f.name, f.membership_no, f.iban, saved)

    def register_firm(self) -> FirmDialog | None:
        """The office enters a supervising firm; once registered the list shows it (filtered
        to its membership number) and its file follows, with its national ID, registration
        and signatory."""
        if not may_register_firm(self.ctx):
            return None
        dlg = FirmDialog(self)

        def registered(_fid: int, membership_no: str) -> None:
            self.message.ok(f"شخص حقوقی با شماره عضویت {fmt.code(membership_no)} ثبت شد.")
            if self.filter.text() == membership_no:
                self.model.reload()
            else:
                self.filter.setText(membership_no)  # the list reloads for it

        dlg.registered.connect(registered)
        dlg.open()
        return dlg

    def export(self, path: str | None = None):
        if not path:
            from PySide6.QtWidgets import QFileDialog

            path, _ = QFileDialog.getSaveFileName(self, "خروجی اکسل", "", "Excel (*.xlsx)")
        return export_xlsx(self.model, path, "مهندسان") if path else None

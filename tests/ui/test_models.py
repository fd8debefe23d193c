"""Every table model of the desk passes pytest-qt's qtmodeltester; lists sort, filter and
export to .xlsx."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import openpyxl
from conftest import type_text  # at import: run-time "conftest" may be another folder's
from PySide6.QtCore import Qt

from app.services import browse
from ui import fmt
from ui.models import Column, DtoTableModel, EngineerListModel, FilterProxy
from ui.screens.audit import AuditScreen
from ui.screens.board import BoardScreen
from ui.screens.cartable import CartableScreen
from ui.screens.counter import CounterScreen
from ui.screens.engineers import EngineersScreen
from ui.screens.signing import SigningScreen
from ui.widgets import ListPanel


def _rows():
    at = datetime(2026, 11, 14, 10, tzinfo=UTC)
    return [
        browse.ProjectRow(1, "1405-0002", "12/3", Decimal("450.5"), 3, "B", "intake", at),
        browse.ProjectRow(2, "1405-0001", "7/1", Decimal(90), 1, "A", "distribution", at),
        browse.ProjectRow(3, "1405-0010", "8/1", Decimal(1200), 6, "C", "completed", at),
    ]


COLUMNS = [
    Column("شماره", lambda p: p.file_no),
    Column("پلاک", lambda p: p.plate, ltr=True),
    Column("زیربنا", lambda p: p.area),
    Column("ثبت", lambda p: p.created_at),
]


def test_dto_model_and_proxy_pass_modeltester(qtmodeltester):
    m = DtoTableModel(COLUMNS)
    m.set_rows(_rows())
    qtmodeltester.check(m)
    proxy = FilterProxy()
    proxy.setSourceModel(m)
    proxy.sort(2)
    assert [proxy.index(r, 0).data() for r in range(3)] == ["۱۴۰۵-۰۰۰۱", "۱۴۰۵-۰۰۰۲", "۱۴۰۵-۰۰۱۰"]
    proxy.set_text("1405-0010")  # Latin digits find Persian-digit text
    assert proxy.rowCount() == 1
    qtmodeltester.check(proxy)
    assert (
        fmt.plain(m.index(0, 3).data()) == "۱۴۰۵/۰۸/۲۳ ۱۳:۳۰"
    )  # Jalali, Iran time, Persian digits


def test_list_panel_exports_what_is_shown_to_xlsx(qtbot, tmp_path):
    panel = ListPanel("پرونده‌ها", COLUMNS)
    qtbot.addWidget(panel)
    panel.set_rows(_rows())
    type_into = panel.filter
    type_into.setText("0001")
    path = panel.export(str(tmp_path / "out.xlsx"))
    ws = openpyxl.load_workbook(path).active
    assert ws.sheet_view.rightToLeft
    assert [c.value for c in ws[1]] == ["شماره", "پلاک", "زیربنا", "ثبت"]
    assert ws.max_row == 2 and ws["A2"].value == "1405-0001"  # a code: Latin-digit text


def test_lazy_engineer_model_pages_filters_and_sorts(qtbot, qtmodeltester, office, runner, settle):
    for i in range(250):
        office.engineer(f"N{i:04d}", last_name=f"مهندس{i}")
    m = EngineerListModel(office.clerk, runner)
    m.PAGE = 100
    m.reload()
    settle()
    assert (m.total, m.rowCount()) == (250, 100)
    assert m.canFetchMore()
    m.fetchMore()
    settle()
    assert m.rowCount() == 200
    qtmodeltester.check(m)
    m.set_filter("N01")
    settle()
    assert (m.total, m.rowCount()) == (100, 100) and not m.canFetchMore()
    m.sort(0, Qt.SortOrder.DescendingOrder)
    settle()
    assert m.row(0).membership_no == "N0199"
    m.set_filter("مهندس۲۴")  # Persian digits typed are found too
    settle()
    assert sorted(r.membership_no for r in m.rows) == ["N0024"] + [
        f"N{i:04d}" for i in range(240, 250)
    ]
    qtmodeltester.check(m)


def test_every_screen_model_passes_modeltester(qtbot, qtmodeltester, office, runner, settle):
    e = office.engineer("E1")
    office.project()
    for cls, ctx in (
        (CounterScreen, office.clerk),
        (SigningScreen, office.clerk),
        (BoardScreen, office.manager),
        (CartableScreen, office.as_engineer[e]),
        (EngineersScreen, office.clerk),
        (AuditScreen, office.admin),
    ):
        w = cls(ctx, runner)
        qtbot.addWidget(w)
        w.refresh()
        settle()
        panels = [p for p in w.findChildren(ListPanel)]
        for p in panels:
            qtmodeltester.check(p.model)
            qtmodeltester.check(p.proxy)
        if cls is EngineersScreen:
            qtmodeltester.check(w.model)
            qtmodeltester.check(w.detail.ledger)


def _engineers_shown(qtbot, office, runner, settle, count: int = 40) -> EngineersScreen:
    for i in range(count):
        long = "عبدالحسین‌زاده خراسانی" if i % 7 == 0 else f"مهندس{i}"
        office.engineer(f"7-{12340 + i}", last_name=long, mobile=f"0912{i:07d}")
    screen = EngineersScreen(office.clerk, runner)
    qtbot.addWidget(screen)
    screen.resize(1400, 900)
    screen.refresh()
    screen.show()
    qtbot.waitExposed(screen)
    settle()
    qtbot.waitUntil(lambda: not screen._after and screen.view.currentIndex().isValid())
    return screen


def test_the_engineers_list_paints_its_cells_as_qt_does_pixel_for_pixel(
    qtbot, one_desk, runner, settle
):
    """`LaidOutText` (texts laid out once, ui/celltext.py) against Qt's own delegate on the same
    view: the selected current row, the keyboard focus in the list, another current cell,
    narrow columns (Qt elides: the cell is Qt's), a disabled list, no word wrap."""
    from PySide6.QtWidgets import QApplication, QStyledItemDelegate

    from ui.celltext import LaidOutText

    screen = _engineers_shown(qtbot, one_desk, runner, settle)
    view = screen.view
    ours = view.itemDelegate()
    assert isinstance(ours, LaidOutText)
    qts = QStyledItemDelegate(view)

    def grab(delegate):
        view.setItemDelegate(delegate)
        for _ in range(3):
            QApplication.processEvents()
        return view.viewport().grab().toImage()

    def same(what: str) -> None:
        a, b = grab(ours), grab(qts)
        assert a == b, what

    same("first row selected, focus in the filter")
    screen.activateWindow()
    view.setFocus()
    qtbot.waitUntil(view.hasFocus)
    same("focus in the list")
    view.setCurrentIndex(screen.model.index(3, 2))
    same("another current cell")
    for column, width in ((0, 55), (1, 60), (4, 30), (6, 40)):
        view.horizontalHeader().resizeSection(column, width)
    same("narrow columns, elided by Qt")
    view.setEnabled(False)
    same("disabled")
    view.setEnabled(True)
    view.setWordWrap(False)
    same("no word wrap")
    view.setItemDelegate(ours)


def test_painting_the_engineers_list_leaves_nones_reference_count_as_it_was(
    qtbot, one_desk, runner, settle
):
    """PySide6 6.12 gives `None` back one reference short from every call that returns
    nothing; the delegate makes three such calls per cell and gives them back
    (`qtcompat.give_back_none`): a list repainted a thousand times would otherwise end the
    desk with "Fatal Python error: none_dealloc"."""
    import gc
    import sys

    from PySide6.QtWidgets import QStyledItemDelegate

    from ui import qtcompat

    screen = _engineers_shown(qtbot, one_desk, runner, settle)
    view = screen.view
    ours, qts = view.itemDelegate(), QStyledItemDelegate(view)

    def drift(delegate) -> int:
        view.setItemDelegate(delegate)
        qtcompat.give_back_none(view.viewport().repaint())
        gc.collect()
        gc.disable()  # a collection in the loop frees objects that held None: noise, not paint
        try:
            before = sys.getrefcount(None)
            for _ in range(20):
                qtcompat.give_back_none(view.viewport().repaint())
            return sys.getrefcount(None) - before
        finally:
            gc.enable()

    # (other threads of the test process — an office server's — may touch None meanwhile:
    # a few references either way; the references the paint would take are thousands)
    assert drift(ours) >= min(drift(qts), 0) - 500  # a leak per cell would be thousands
    view.setItemDelegate(ours)


def test_a_filter_keystroke_paints_the_rows_then_counts_them_and_makes_the_first_current(
    qtbot, office, runner, settle
):
    """The keystroke's frame holds the new rows only: the count (a relayout of the header
    line when it grows or shrinks) and the first row made current (its highlight, then its
    file) follow their paint — and arrive: the count with «+» until counted, the file of
    the first row."""
    screen = _engineers_shown(qtbot, office, runner, settle)
    assert screen.count.text() == "۴۰ مهندس"
    at_reset: list[tuple[str, bool]] = []
    screen.model.reset_done.connect(
        lambda _s: at_reset.append((screen.count.text(), screen.view.currentIndex().isValid()))
    )
    screen.filter.setText("7-1234")
    qtbot.waitUntil(lambda: bool(at_reset) and not screen._after and runner.idle())
    assert at_reset == [("۴۰ مهندس", False)]  # when the rows were put in the model
    assert screen.count.text() == "۱۰ مهندس"
    qtbot.waitUntil(lambda: screen.view.currentIndex().row() == 0)
    qtbot.waitUntil(lambda: "۷-۱۲۳۴۰" in screen.detail.head.text(), timeout=20_000)

    screen.model.PAGE = 5  # a first page shorter than the matches: counted after the paint
    at_reset.clear()
    screen.filter.setText("7-12")
    qtbot.waitUntil(lambda: bool(at_reset) and not screen._after and runner.idle())
    type_text(screen.filter, "3")  # a key, as the clerk types
    qtbot.waitUntil(lambda: screen.model.text == "7-123" and len(at_reset) == 2)
    qtbot.waitUntil(lambda: screen.model.counted and runner.idle() and not screen._after)
    assert screen.count.text() == "۴۰ مهندس" and screen.model.total == 40
    assert screen.view.currentIndex().row() == 0


def test_a_firms_file_shows_its_national_id_registration_and_signatory(qtbot, office):
    """Issue 14: the engineers screen names a firm as a legal person (شناسه ملی, its
    registration number and place, the member who signs for it), a person by national code."""
    from app.services import engineers
    from ui.screens.engineers import EngineerDetail

    member = office.engineer("E1")
    director = office.engineer("E2")
    engineers.update_engineer(office.admin, director, {"first_name": "حمید", "last_name": "ساکی"})
    fid = office.firm(
        [member],
        director,
        first_name="شرکت مهندسین مشاور",
        last_name="کارون‌سازه",
        national_id="10861234565",
        registration_no="47218",
        registration_place="اهواز",
        licence_no=None,
        licence_expires=None,
        declaration=None,
    )
    w = EngineerDetail()
    qtbot.addWidget(w)
    w.show_file(browse.engineer_file(office.clerk, fid))
    head = fmt.plain(w.head.text())
    assert "شناسه ملی ۱۰۸۶۱۲۳۴۵۶۵" in head and "شماره ثبت ۴۷۲۱۸ (اهواز)" in head
    assert "صاحب امضای مجاز: حمید ساکی" in head and "کد ملی" not in head
    w.show_file(browse.engineer_file(office.clerk, member))
    head = fmt.plain(w.head.text())
    assert "کد ملی" in head and "شماره ثبت" not in head

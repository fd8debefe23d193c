"""Every table model of the desk passes pytest-qt's qtmodeltester; lists sort, filter and
export to .xlsx."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import openpyxl
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
        fmt.plain(m.index(0, 3).data()) == "۱۴۰۵-۰۸-۲۳ ۱۳:۳۰"
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
    assert ws.max_row == 2 and ws["A2"].value == "۱۴۰۵-۰۰۰۱"


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


def test_a_firms_file_shows_its_national_id_registration_and_signatory(qtbot, office):
    """Issue 14: the engineers screen names a firm as a legal person (شناسه ملی, its
    registration number and place, the member who signs for it), a person by national code."""
    from app.services import engineers, firms
    from app.services.dto import CompetenceIn, EngineerIn
    from ui.screens.engineers import EngineerDetail

    member = office.engineer("E1")
    director = office.engineer("E2")
    engineers.update_engineer(office.admin, director, {"first_name": "حمید", "last_name": "ساکی"})
    fid = firms.register_firm(
        office.admin,
        EngineerIn(
            membership_no="F-1",
            kind="firm",
            competences=(CompetenceIn("civil", "1"),),
            base_score=Decimal(0),
            first_name="شرکت مهندسین مشاور",
            last_name="کارون‌سازه",
            national_id="10861234567",
            membership_paid_through=1405,
            registration_no="47218",
            registration_place="اهواز",
        ),
        [member],
    )
    firms.add_member(office.admin, fid, director, role="managing_director")
    w = EngineerDetail()
    qtbot.addWidget(w)
    w.show_file(browse.engineer_file(office.clerk, fid))
    head = fmt.plain(w.head.text())
    assert "شناسه ملی ۱۰۸۶۱۲۳۴۵۶۷" in head and "شماره ثبت ۴۷۲۱۸ (اهواز)" in head
    assert "صاحب امضای مجاز: حمید ساکی" in head and "کد ملی" not in head
    w.show_file(browse.engineer_file(office.clerk, member))
    head = fmt.plain(w.head.text())
    assert "کد ملی" in head and "شماره ثبت" not in head

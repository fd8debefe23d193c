"""The policy and tariff tables through their real widgets (issue 5, U1): the administrator
sees every key with its status and Jalali effective date, changes max_extensions from a day
(a later deadline follows it), a bad value is refused inline in Persian and writes nothing;
a group B civil tariff typed into its cell gives the F1 fee; the clerk has no such section."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from conftest import type_text
from PySide6.QtCore import QDate, Qt
from sqlalchemy import select

from app.db.models import Round
from app.db.policy_store import policy_at
from app.domain.calendar import parse_jalali_datetime
from app.services import fees, policy_admin
from ui.mainwindow import MainWindow
from ui.screens.policy import STATUS_BADGE, PolicyScreen, parse_simple, readable


def _screen(qtbot, ctx, runner, settle) -> PolicyScreen:
    w = PolicyScreen(ctx, runner)
    qtbot.addWidget(w)
    w.resize(1300, 800)
    w.show()
    qtbot.waitExposed(w)
    w.refresh()
    settle()
    return w


def _cell(panel, key: str, column: int) -> str:
    for i in range(panel.proxy.rowCount()):
        if panel.proxy.source_row(i).key == key:
            return panel.proxy.index(i, column).data()
    raise AssertionError(key)


def test_admin_changes_max_extensions_from_a_day_and_the_deadline_follows(
    qtbot, qtmodeltester, office, runner, settle
):
    office.engineer("E1", discipline="arch")  # does not stand: only a forced referral
    p = office.project(disciplines=("arch",))  # nobody stands: round 1 is extended
    rid = p.referral_ids["arch"]
    office.run("1405-08-23 20:00")
    w = _screen(qtbot, office.admin, runner, settle)
    qtmodeltester.check(w.list.model)
    qtmodeltester.check(w.list.proxy)
    assert w.list.model.rowCount() == 20
    assert _cell(w.list, "max_extensions", 1) == "۲"
    assert _cell(w.list, "max_extensions", 3) == STATUS_BADGE["published"]
    assert _cell(w.list, "max_cancellations_per_day", 3) == "پیش‌فرض محصول — قابل ویرایش"
    assert "جمعه" in _cell(w.list, "weekend", 1)

    w.select_key("max_extensions")
    settle()
    assert w.current.key == "max_extensions" and w.value_line.isVisible()
    assert "max_extensions" in w.key_label.text()
    w.value_line.setText("۱")  # Persian digits are fine
    w.effective.setDate(QDate(2026, 11, 15))  # 1405-08-24
    w.source.setText("بخشنامه ۱۴۰۵/۸")
    qtbot.mouseClick(w.save_button, Qt.MouseButton.LeftButton)
    settle()
    assert "b00020" not in w.message.styleSheet(), w.message.text()
    assert _cell(w.list, "max_extensions", 1) == "۲"  # in force today (1405-08-23): still 2
    assert "۱۴۰۵" in w.history.toPlainText() and "بخشنامه" in w.history.toPlainText()
    with office.base.tx() as s:
        assert policy_at(s, parse_jalali_datetime("1405-08-24 12:00")).max_extensions == 1

    office.run("1405-08-24 20:00")
    with office.base.tx() as s:
        outcomes = list(
            s.scalars(
                select(Round.outcome)
                .where(Round.referral_id == rid, Round.outcome.is_not(None))
                .order_by(Round.no)
            )
        )
    assert outcomes[0] == "extended" and outcomes[1] == "forced"
    office.at("1405-08-25 09:00")
    w.refresh()
    settle()
    assert _cell(w.list, "max_extensions", 1) == "۱"
    assert "۱۴۰۵" in _cell(w.list, "max_extensions", 2)


def test_a_bad_value_is_refused_inline_in_persian_and_nothing_is_written(
    qtbot, office, runner, settle
):
    w = _screen(qtbot, office.admin, runner, settle)
    before = office.row_counts()
    text = _save_typed(qtbot, w, settle, "max_extensions", "abc")
    assert "b00020" in w.message.styleSheet()
    assert "حداکثر دفعات تمدید" in text and "عدد صحیح" in text
    w.select_key("payout_stages")
    settle()
    assert w.value_json.isVisible() and not w.value_line.isVisible()
    w.value_json.setPlainText('[["permit", 50], ')  # broken JSON: refused before the service
    qtbot.mouseClick(w.save_button, Qt.MouseButton.LeftButton)
    settle()
    assert "JSON" in w.message.text()
    w.value_json.setPlainText('[["permit", 60], ["completion", 10]]')  # not 100 percent
    qtbot.mouseClick(w.save_button, Qt.MouseButton.LeftButton)
    settle()
    assert "۱۰۰" in w.message.text()
    assert office.row_counts() == before


def test_admin_types_a_group_B_civil_tariff_in_place_and_the_fee_follows(
    qtbot, qtmodeltester, office, runner, settle
):
    """F1: the table's rows are the groups' floor bands (ب: 3 to 5 floors)."""
    fees.seed_tariffs(office.admin, ("fars-1405",))  # the shipped 1405 row (group A)
    w = _screen(qtbot, office.admin, runner, settle)
    w.tariff_on.setDate(QDate(2026, 3, 21))  # 1405-01-01
    w.tabs.setCurrentIndex(1)
    settle()
    m = w.tariff_model
    qtmodeltester.check(m)
    assert m.rowCount() == 7 and m.headerData(1, Qt.Orientation.Vertical) == "گروه ب — ۳ تا ۵ طبقه"
    row, col = m.row_of("B"), m.disciplines.index("civil")
    idx = m.index(row, col)
    assert idx.data() == "باید وارد شود"
    assert m.index(m.row_of("A"), col).data() == "۱٬۲۸۹٬۰۰۰"  # shipped, published
    assert not m.setData(idx, "abc")
    assert m.setData(idx, "۱٬۵۰۰٬۰۰۰")
    assert idx.data() == "۱٬۵۰۰٬۰۰۰" and "۱" in w.tariff_status.text()
    w.tariff_source.setText("جدول تعرفه استان")
    qtbot.mouseClick(w.tariff_save, Qt.MouseButton.LeftButton)
    settle()
    assert not m.pending and m.index(row, col).data() == "۱٬۵۰۰٬۰۰۰"
    qtmodeltester.check(m)
    cell = next(
        r
        for r in fees.tariff_table(office.admin, date(2026, 3, 21))
        if (r.group, r.band, r.discipline) == ("B", "3-5", "civil")
    )
    assert cell.rials_per_m2 == 1_500_000 and cell.status == "published"
    p = office.project(area=900, floors=3, ready=False)  # group B
    due = fees.fee_for(office.admin, p.id, "civil")
    assert due.fee_rials == int(Decimal(900) * 1_500_000)


def test_only_the_administrator_has_the_section(qtbot, office, runner, settle):
    admin = MainWindow(office.admin, runner)
    clerk = MainWindow(office.clerk, runner)
    for win in (admin, clerk):
        qtbot.addWidget(win)
    settle()
    assert "policy" in admin.screens and "policy" not in clerk.screens
    assert readable([[600, "A"], [2000, "B"]]) == "۶۰۰: الف؛ ۲۰۰۰: ب"
    assert policy_admin.label("max_extensions") == "حداکثر دفعات تمدید"


def test_the_administrator_is_warned_before_the_holiday_table_runs_out(
    qtbot, runner, settle, one_desk
):
    from app.db.models import Counter
    from app.db.policy_store import THROUGH
    from app.services import calendar
    from ui.screens.policy import PolicyScreen

    # a desk's file (the screen's two loads run at once on the task runner: an in-memory
    # database would have them share its one connection)
    office = one_desk
    calendar.set_holidays(office.admin, [], through_year=1405)
    with office.base.tx() as s:  # a table that ends with 1405, whatever the office had before
        s.merge(Counter(name=THROUGH, value=1405))
    office.at("1405-11-01 09:00")
    w = PolicyScreen(office.admin, runner)
    qtbot.addWidget(w)
    w.refresh()
    # both of the screen's loads back on the GUI thread (a loaded CI machine queues them)
    qtbot.waitUntil(runner.idle, timeout=90_000)
    assert not w.calendar_warning.isHidden(), w.message.text()
    assert "تعطیلات" in w.calendar_warning.text(), w.message.text()


def test_the_administrator_loads_the_official_calendar_and_adds_a_closure(
    qtbot, runner, settle, one_desk
):
    """The «تقویم تعطیلات» tab: the official calendar to the end of next year (its estimated
    lunar days said), a one-off closure added by hand, both listed, warning gone."""
    from app.domain.calendar import last_day_of_jalali_year
    from app.services import calendar

    office = one_desk
    office.at("1405-11-01 09:00")
    w = _screen(qtbot, office.admin, runner, settle)
    w.tabs.setCurrentIndex(2)
    qtbot.waitUntil(runner.idle, timeout=90_000)
    qtbot.mouseClick(w.holidays.load_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "بارگذاری شد" in w.message.text(), timeout=90_000)
    assert "تخمینی" in w.message.text()
    status = calendar.calendar_status(office.admin)
    assert status.through == last_day_of_jalali_year(1406) and status.warning is None
    w.holidays.day.setDate(QDate(2027, 3, 26))  # 1406-01-06
    type_text(w.holidays.title, "تعطیلی اعلام‌شده دولت")
    qtbot.mouseClick(w.holidays.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "افزوده شد" in w.message.text(), timeout=90_000)
    qtbot.waitUntil(lambda: "تعطیلی اعلام‌شده دولت" in w.holidays.days.toPlainText(), timeout=90_000)
    listed = w.holidays.days.toPlainText()
    assert "۱۴۰۶/۰۱/۰۶" in listed and "نوروز" in listed


def test_the_signing_window_is_typed_as_said_and_refusals_are_in_persian_digits(
    qtbot, office, runner, settle
):
    """«۰۸:۰۰ تا ۱۲:۰۰» (not JSON); a wrong one is refused with a Persian example; a refusal
    has Persian digits; the message of one tab is cleared when another is shown."""
    from ui.screens.policy import parse_window

    assert parse_window("۰۸:۰۰ تا ۱۲:۳۰") == ["08:00", "12:30"]
    assert parse_window("8:00-12:00") == ["08:00", "12:00"]
    assert parse_window("۸ تا ۱۲") is None
    w = _screen(qtbot, office.admin, runner, settle)
    w.select_key("signing_window")
    settle()
    assert w.value_window.isVisible() and not w.value_json.isVisible()
    assert w.value_window.text() == "۰۸:۰۰ تا ۱۲:۰۰"
    assert "JSON" not in w.hint.text() and "مثلاً ۰۸:۰۰ تا ۱۲:۰۰" in w.hint.text()
    w.value_window.clear()
    type_text(w.value_window, "۸ تا ۱۲")
    qtbot.mouseClick(w.save_button, Qt.MouseButton.LeftButton)
    settle()
    assert "JSON" not in w.message.text() and "مثلاً ۰۸:۰۰ تا ۱۲:۰۰" in w.message.text()
    w.value_window.clear()
    type_text(w.value_window, "۰۹:۰۰ تا ۱۳:۰۰")
    w.effective.setDate(QDate(2026, 11, 15))
    qtbot.mouseClick(w.save_button, Qt.MouseButton.LeftButton)
    settle()
    assert "b00020" not in w.message.styleSheet(), w.message.text()
    with office.base.tx() as s:
        window = policy_at(s, parse_jalali_datetime("1405-08-24 12:00")).signing_window
    assert [t.strftime("%H:%M") for t in window] == ["09:00", "13:00"]

    text = _save_typed(qtbot, w, settle, "max_extensions", "-1")
    assert "بزرگ‌تر یا مساوی ۰" in text and "0" not in text
    w.select_key("deadline_time")
    settle()
    assert "HH:MM" not in w.hint.text() and "۰۸:۰۰" in w.hint.text()
    w.tabs.setCurrentIndex(1)
    settle()
    assert w.message.text() == ""


def _save_typed(qtbot, w, settle, key: str, typed: str) -> str:
    """The administrator picks `key`, types `typed` and saves: the message the screen shows."""
    w.select_key(key)
    settle()
    w.value_line.setText(typed)
    qtbot.mouseClick(w.save_button, Qt.MouseButton.LeftButton)
    settle()
    return w.message.text()


def test_a_typed_figure_is_read_as_the_domain_reads_a_number():
    """«۱۲۰٬۵» (the thousands separator mistyped for «٫») is no number, nor «nan» or «inf»:
    the text goes to the service, which refuses it in Persian naming the key."""
    assert parse_simple("۳", 2) == 3 and parse_simple("۱۲٬۰۰۰", 2) == 12000
    assert parse_simple("۰٫۵", 1.0) == 0.5 and parse_simple("2.25", 1.0) == 2.25
    for typed, like in (("۱۲۰٬۵", 1.0), ("۱٬۲", 2), ("nan", 1.0), ("inf", 1.0), ("۲٫۵", 2)):
        assert parse_simple(typed, like) == typed, typed

"""Persian first: translator, right-to-left, Vazirmatn, Persian digits, Jalali date edits
(left-to-right, Friday as the weekend)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from PySide6.QtCore import QCalendar, QCoreApplication, QDate, QLocale, Qt
from PySide6.QtWidgets import QApplication, QLineEdit

from ui import fmt, theme
from ui.widgets import jalali_date_edit


def test_startup_is_persian_right_to_left_with_vazirmatn(qapp):
    theme.setup(qapp)
    assert QApplication.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert QLocale().language() == QLocale.Language.Persian
    assert "Vazirmatn" in QApplication.font().family()
    # Qt's own qtbase_fa translator is installed: its standard buttons speak Persian
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "انصراف"


def test_display_uses_persian_digits_and_jalali_dates():
    assert fmt.fa(1405) == "۱۴۰۵"
    assert fmt.fa("7-1234") == "۷-۱۲۳۴" and fmt.fa(True) == "بله" and fmt.fa(None) == ""
    assert fmt.fa(Decimal("450.50")) == "۴۵۰٫۵۰"
    assert fmt.fa_int(19200) == "۱۹٬۲۰۰"
    assert fmt.plain(fmt.fa(datetime(2026, 11, 14, 16, 30, tzinfo=UTC))) == "۱۴۰۵/۰۸/۲۳ ۲۰:۰۰"
    assert (
        fmt.code("1405-0150") == "\u200f\u2066۱۴۰۵-۰۱۵۰\u2069"
    )  # stays in order inside a sentence
    now = datetime(2026, 11, 14, 10, tzinfo=UTC)
    assert (
        fmt.plain(fmt.countdown(now + timedelta(hours=2, minutes=5, seconds=9), now)) == "۰۲:۰۵:۰۹"
    )
    assert fmt.countdown(now - timedelta(seconds=1), now) == "گذشته"
    assert fmt.disciplines(("arch", "civil")) == "معماری، عمران"


def test_jalali_date_edit_is_left_to_right_with_friday_weekend(qtbot):
    e = jalali_date_edit(None, QDate(2026, 11, 21))
    qtbot.addWidget(e)
    assert e.calendar().name() == QCalendar(QCalendar.System.Jalali).name()
    assert e.layoutDirection() == Qt.LayoutDirection.LeftToRight
    assert e.findChild(QLineEdit).text() == "۱۴۰۵/۰۸/۳۰"
    cal = e.calendarWidget()
    assert cal.firstDayOfWeek() == Qt.DayOfWeek.Saturday
    friday = cal.weekdayTextFormat(Qt.DayOfWeek.Friday).foreground().color().name()
    saturday = cal.weekdayTextFormat(Qt.DayOfWeek.Saturday).foreground().color().name()
    assert friday == "#c62828" and saturday != friday


def test_emit_keeps_true_alive():
    """PySide6 6.12's emit() drops a reference to True each time; ui.qtcompat.emit gives it
    back (a board's one-second countdown would otherwise abort the desk within hours)."""
    import sys

    from PySide6.QtCore import QObject, Signal

    from ui.qtcompat import emit

    class Ticker(QObject):
        tick = Signal(int)

    o = Ticker()
    o.tick.connect(lambda _n: None)
    before = sys.getrefcount(True)
    for i in range(5000):
        emit(o.tick, i)
    assert sys.getrefcount(True) >= before


def test_give_back_none_keeps_none_alive():
    """PySide6 6.12 also gives `None` back one reference short from every call that returns
    nothing (`setText`, `update`, a painter's draw calls): some thousands of them abort the
    desk ("Fatal Python error: none_dealloc"). `ui.qtcompat.give_back_none` gives it back —
    the engineers list's delegate does, for the calls of its paint (ui/celltext.py)."""
    import sys

    from PySide6.QtCore import QObject

    from ui.qtcompat import give_back_none

    o = QObject()
    give_back_none(o.setObjectName("x"))
    before = sys.getrefcount(None)
    for _ in range(20_000):
        give_back_none(o.setObjectName("x"))
    after = sys.getrefcount(None)  # (pytest's rewritten assert holds a None of its own)
    assert after == before

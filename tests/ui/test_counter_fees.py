"""F1 at the counter, through the real widgets and the service (in process on SQLite, and
through the office server): the walk-in form quotes each discipline's fee and the total as the
area, floors and disciplines change (`fees.fee_quote`); once the file exists, the fee row shows
the chosen discipline's fee by the table in force beside the amount and says plainly when the
amount typed is not what is still owed (F1, P2) — without refusing a part payment."""

from __future__ import annotations

from conftest import type_text
from PySide6.QtCore import Qt

from app.services import fees
from app.services.registry import REGISTRY


def _quoted(qtbot, w, settle, text: str) -> str:
    qtbot.waitUntil(lambda: text in w.quote_label.text(), timeout=10_000)
    settle()
    return w.quote_label.text()


def test_F1_the_walk_in_form_quotes_each_disciplines_fee_as_the_clerk_types(
    qtbot, office, counter, settle, tmp_path
):
    assert REGISTRY["fees.fee_quote"].remote  # a desk of an office asks the server
    fees.seed_tariffs(office.admin, ("fars-1405",))  # group A, 1405: arch, civil, mech, elec
    w = counter()
    assert "زیربنا و تعداد طبقات" in w.quote_label.text()
    qtbot.keyClicks(w.area, "200")
    w.floors.setValue(2)
    text = _quoted(qtbot, w, settle, "جمع")
    # F1: billable area × the tariff; the coordinator's fee rides civil (the coordinating one)
    assert "معماری: ۲۲۴٬۰۰۰٬۰۰۰ ریال" in text
    assert "عمران: ۲۸۶٬۰۰۰٬۰۰۰ ریال (با حق‌الزحمه هماهنگ‌کننده)" in text
    assert "تأسیسات مکانیکی: ۱۰۱٬۸۰۰٬۰۰۰ ریال" in text
    assert "تأسیسات برقی: ۹۵٬۰۰۰٬۰۰۰ ریال" in text
    assert "جمع: ۷۰۶٬۸۰۰٬۰۰۰ ریال" in text
    assert "جدول تعرفه ۱۴۰۵" in text and "گروه الف" in text and "۱ تا ۲ طبقه" in text
    assert "۲۰۰ م² × ۱٬۲۸۹٬۰۰۰ ریال + هماهنگ‌کننده" in w.quote_label.toolTip()

    # the area changes: below 100 m² the billable area is 100 m² (policy)
    w.area.clear()
    type_text(w.area, "۶۰")
    text = _quoted(qtbot, w, settle, "۱۱۲٬۰۰۰٬۰۰۰")
    assert "جمع: ۳۵۳٬۴۰۰٬۰۰۰ ریال" in text and "زیربنای مشمول ۱۰۰ م²" in text

    # a discipline added by the clerk: surveying has no published rate, and says so
    w.area.clear()
    qtbot.keyClicks(w.area, "200")
    _quoted(qtbot, w, settle, "۷۰۶٬۸۰۰٬۰۰۰")
    w.disc_checks["survey"].setChecked(True)
    text = _quoted(qtbot, w, settle, "نقشه‌برداری")
    assert "نقشه‌برداری: نرخ در جدول تعرفه نیست" in text
    assert "جمع: ۷۰۶٬۸۰۰٬۰۰۰ ریال (بدون رشته‌های بی‌نرخ)" in text
    w.disc_checks["survey"].setChecked(False)
    _quoted(qtbot, w, settle, "جمع: ۷۰۶٬۸۰۰٬۰۰۰ ریال<")

    # the floors change the group (P3): group B's row is not in this table
    w.floors.setValue(3)
    text = _quoted(qtbot, w, settle, "گروه ب")
    assert "عمران: نرخ در جدول تعرفه نیست" in text
    w.floors.setValue(2)
    _quoted(qtbot, w, settle, "گروه الف")
    w.resize(1400, 1000)
    w.grab().save(str(tmp_path / "counter-quote.png"))


def test_F1_P2_the_fee_row_shows_what_is_due_and_says_when_the_amount_differs(
    qtbot, office, counter, settle, tmp_path
):
    fees.seed_tariffs(office.admin, ("fars-1405",))
    w = counter()
    qtbot.keyClicks(w.owner_code, "0499370899")
    qtbot.keyClicks(w.owner_mobile, "09161234567")
    qtbot.keyClicks(w.plate, "2290/4")
    qtbot.keyClicks(w.area, "200")
    w.floors.setValue(2)
    qtbot.waitUntil(w.register_button.isEnabled, timeout=10_000)
    with qtbot.waitSignal(w.registered, timeout=10_000) as reg:
        qtbot.mouseClick(w.register_button, Qt.MouseButton.LeftButton)
    settle()
    pid = reg.args[0].id
    # every discipline of the file and the total, beside the payments
    assert "حق‌الزحمه پرونده طبق تعرفه (F1)" in w.fee_dues.text()
    assert "جمع ۷۰۶٬۸۰۰٬۰۰۰ ریال" in w.fee_dues.text()
    # the chosen discipline's fee, as the tariff computes it
    w.fee_discipline.setCurrentIndex(w.fee_discipline.findData("civil"))
    assert w.fee_due.text() == (
        "حق‌الزحمه عمران طبق تعرفه (F1): ۲۰۰ م² × ۱٬۲۸۹٬۰۰۰ ریال"
        " + هماهنگ‌کننده ۲۰۰ م² × ۱۴۱٬۰۰۰ ریال = ۲۸۶٬۰۰۰٬۰۰۰ ریال"
    )
    assert "۲۸۶٬۰۰۰٬۰۰۰" in w.fee_amount.placeholderText()
    assert w.fee_check.text() == ""
    # typed: less than due is said (not refused), with F1 and what P2 then waits for
    qtbot.keyClicks(w.fee_amount, "100000000")
    short = "۱۸۶٬۰۰۰٬۰۰۰ ریال کمتر از حق‌الزحمه طبق تعرفه (۲۸۶٬۰۰۰٬۰۰۰ ریال)"
    assert short in w.fee_check.text()
    assert "(F1)" in w.fee_check.text() and "(P2)" in w.fee_check.text()
    w.fee_amount.clear()
    type_text(w.fee_amount, "۲۸۶٬۰۰۰٬۰۰۰")  # Persian digits and separators are a number
    assert "برابر حق‌الزحمه طبق تعرفه" in w.fee_check.text()
    w.fee_amount.clear()
    qtbot.keyClicks(w.fee_amount, "300000000")
    assert "۱۴٬۰۰۰٬۰۰۰ ریال بیش از" in w.fee_check.text()
    # another discipline: its own fee
    w.fee_discipline.setCurrentIndex(w.fee_discipline.findData("arch"))
    assert "۲۰۰ م² × ۱٬۱۲۰٬۰۰۰ ریال = ۲۲۴٬۰۰۰٬۰۰۰ ریال" in w.fee_due.text()
    assert "۷۶٬۰۰۰٬۰۰۰ ریال بیش از" in w.fee_check.text()

    # a part payment is recorded; then what is left is what the row asks for
    w.fee_discipline.setCurrentIndex(w.fee_discipline.findData("civil"))
    w.fee_amount.clear()
    qtbot.keyClicks(w.fee_amount, "100000000")
    w.fee_bank.setCurrentIndex(1)
    qtbot.keyClicks(w.fee_tracking, "580001")
    qtbot.mouseClick(w.fee_button, Qt.MouseButton.LeftButton)
    settle()
    assert [f.amount_rials for f in w.fees.model.rows] == [100_000_000]
    assert w.fee_discipline.currentData() == "civil"  # kept across the reload
    assert "ثبت‌شده ۱۰۰٬۰۰۰٬۰۰۰ ریال، مانده ۱۸۶٬۰۰۰٬۰۰۰ ریال" in w.fee_due.text()
    qtbot.keyClicks(w.fee_amount, "186000000")
    assert "برابر مانده حق‌الزحمه طبق تعرفه" in w.fee_check.text()
    w.resize(1400, 1000)
    w.grab().save(str(tmp_path / "counter-fee-row.png"))
    # the same figures as the service's own (the table in force at registration)
    due = fees.fee_for(office.clerk, pid, "civil")
    assert (due.due_rials, due.pending_rials) == (286_000_000, 100_000_000)

"""The desk as the second auditor found it (a clerk, a finance officer, an engineer and an
administrator on the demo): users, payout detail, cartable, counter, finance, policy, ledgers,
exports."""

from __future__ import annotations

import pytest
from conftest import type_text  # at import: run-time "conftest" may be another folder's

from app.services import users
from ui.screens.users import UsersScreen


@pytest.fixture
def users_screen(office, shown):
    return lambda: shown(UsersScreen, office.admin)


def _fill(w, username: str, role: str, member_no: str = "") -> None:
    w.username.setText(username)
    w.full_name.setText("کاربر تازه")
    w.role.setCurrentIndex(w.role.findData(role))
    w.member_no.setText(member_no)
    w.password.setText("a-good-pass-1405")
    w.password2.setText("a-good-pass-1405")


def test_U1_a_second_login_for_an_engineer_is_refused_naming_the_first(
    office, users_screen, settle
):
    office.engineer("7-28003")  # his login: e7-28003
    w = users_screen()
    _fill(w, "eng9", "engineer", "7-28003")
    w.create()
    settle()
    assert "«e7-28003»" in w.message.text()
    assert "eng9" not in {u.username for u in w.list.model.rows}


def test_U1_an_engineer_without_a_membership_number_is_told_it_is_empty(users_screen, settle):
    w = users_screen()
    _fill(w, "eng10", "engineer", "")
    w.create()
    settle()
    assert "شماره عضویت مهندس خالی است" in w.message.text()


def test_U1_the_membership_number_is_only_for_the_engineer_role(office, users_screen, settle):
    w = users_screen()
    w.role.setCurrentIndex(w.role.findData("engineer"))
    assert w.member_no.isEnabled()
    w.member_no.setText("7-28003")
    w.role.setCurrentIndex(w.role.findData("clerk"))
    assert not w.member_no.isEnabled() and w.member_no.text() == ""
    # and even typed (the field forced on), it is refused, never silently dropped
    w.member_no.setEnabled(True)
    _fill(w, "k9", "clerk", "7-28003")
    w.create()
    settle()
    assert "فقط برای نقش مهندس" in w.message.text()
    assert "k9" not in {u.username for u in users.list_users(office.admin)}


def test_U1_disabling_a_user_asks_first_and_signed_in_reads_yes_or_no(
    office, users_screen, settle, confirmations
):
    w = users_screen()
    col = next(i for i, c in enumerate(w.list.model.columns) if c.title == "اکنون واردشده")
    shown = {u.username: w.list.model.index(r, col).data() for r, u in enumerate(w.list.model.rows)}
    assert set(shown.values()) <= {"بله", "خیر"}
    assert shown["admin"] == "بله"  # the administrator at this desk is signed in now
    w.list.select_row(
        next(
            r
            for r in range(w.list.proxy.rowCount())
            if w.list.proxy.source_row(r).username == "clerk"
        )
    )
    assert w.list.current().username == "clerk"
    confirmations.answer = False
    w.toggle_active()
    settle()
    assert confirmations.asked and "clerk" in confirmations.asked[-1]
    assert {u.username: u for u in users.list_users(office.admin)}["clerk"].active
    confirmations.answer = True
    w.toggle_active()
    settle()
    assert not {u.username: u for u in users.list_users(office.admin)}["clerk"].active


def test_F3_payout_steps_read_right_to_left_with_the_unit_after_the_result(
    qtbot, office, runner, settle
):
    """Each step's label on the right, its calculation on its left; each operation isolated
    left to right and followed by `= result ریال` (read from the right: a op b = c rials)."""
    from test_finance import _desk, _signed_referral

    from app.services import payouts
    from ui.screens.finance import FinanceScreen

    _e, rid = _signed_referral(office)
    payouts.record_stage_report(office.clerk, rid, "permit", "GZ-1")
    w = _desk(qtbot, office.finance, runner, settle, FinanceScreen)
    w.tabs.setCurrentIndex(2)
    w.payouts.select_row(0)
    settle()
    grid = w.payout_steps_grid
    assert grid.rowCount() >= 4
    for r in range(grid.rowCount()):
        name, calc = grid.itemAtPosition(r, 0).widget(), grid.itemAtPosition(r, 1).widget()
        assert name.geometry().left() > calc.geometry().right()  # the label on the right
    texts = [grid.itemAtPosition(r, 1).widget().text() for r in range(grid.rowCount())]
    assert "\u200f\u2066۵٬۰۰۰٬۰۰۰ × ۵٪\u2069 = ۲۵۰٬۰۰۰ ریال" in texts
    assert "\u200f\u2066۵٬۰۰۰٬۰۰۰ − ۲۵۰٬۰۰۰\u2069 = ۴٬۷۵۰٬۰۰۰ ریال" in texts
    assert texts[-1] == "۲٬۳۷۵٬۰۰۰ ریال"


def test_C4_standing_again_after_a_cancel_says_it_cannot_be_cancelled_this_time(
    shown, qtbot, office, runner, settle, confirmations
):
    from app.services import candidacy
    from ui.screens.cartable import CartableScreen

    e = office.engineer("E1")
    rid = office.project(area=450, floors=3).referral_ids["civil"]
    office.at("1405-08-23 10:00")
    cart = shown(CartableScreen, office.as_engineer[e], (1300, 800))
    cart.items.select_row(0)
    settle()
    cart.stand()  # the first stand: nothing to warn about
    settle()
    assert confirmations.asked == []
    assert cart.items.model.rows[0].standing
    candidacy.cancel(office.as_engineer[e], e, rid)
    cart.refresh()
    settle()
    cart.items.select_row(0)
    settle()
    assert cart.items.current().cancel_used
    confirmations.answer = False
    cart.stand()
    settle()
    assert "C4" in confirmations.asked[-1] and "نمی‌توانید" in confirmations.asked[-1]
    assert not cart.items.model.rows[0].standing  # he said no: nothing happened
    confirmations.answer = True
    cart.stand()
    settle()
    assert cart.items.model.rows[0].standing


def _form_y(w, widget) -> int:
    return widget.mapTo(w.form.parentWidget(), widget.rect().topLeft()).y()


def test_counter_tab_goes_down_the_form_and_the_reason_uses_the_labels_words(
    qtbot, counter, settle
):
    from PySide6.QtCore import Qt

    w = counter()
    assert not w.register_button.isEnabled()
    problems = w.form_problems.text()
    assert "زیربنا (م²): عدد زیربنا را بنویسید" in problems and "مساحت" not in problems
    assert "مساحت" not in w.register_button.toolTip()
    # each wrong field on a line of its own, wrapped inside the form (never clipped)
    assert len(problems.splitlines()) == 4
    assert w.form_problems.contentsRect().width() <= w.form_problems.width() - 8
    qtbot.keyClicks(w.owner_code, "0499370899")
    qtbot.keyClicks(w.plate, "7/3")
    type_text(w.area, "۲۵۰")
    qtbot.waitUntil(w.register_button.isEnabled, timeout=5000)
    # from «تعداد طبقات» to the button: every Tab lands on or below the last field
    w.floors.setFocus()
    seen, y = [], _form_y(w, w.floors)
    for _ in range(30):
        qtbot.keyClick(w.focusWidget(), Qt.Key.Key_Tab)
        f = w.focusWidget()
        seen.append(f)
        if f is w.register_button:
            break
        assert _form_y(w, f) >= y, f"Tab went back up the form to {f!r}"
        y = _form_y(w, f)
    assert seen[0] in w.disc_checks.values() and w.use in seen
    assert seen[-1] is w.register_button
    w.use.setFocus()
    qtbot.keyClick(w.use, Qt.Key.Key_Tab)  # a building of one use: on to the button
    assert w.focusWidget() is w.register_button


def test_counter_payments_show_the_bank_and_the_receipt_scan(
    qtbot, office, counter, settle, tmp_path
):
    from datetime import timedelta

    from test_finance import _intake
    from test_flows import PDF

    from app.domain.calendar import local_date
    from app.services import projects
    from app.services.dto import ReceiptIn

    p = _intake(office, ("civil",))
    day = local_date(office.clock.now) - timedelta(days=1)
    projects.record_fee_payment(
        office.clerk,
        p.id,
        "civil",
        1_000_000,
        "580001",
        day,
        "ملت",
        ReceiptIn("r.pdf", "application/pdf", PDF),
    )
    w = counter()
    w.open_project(p.id)
    settle()
    titles = [c.title for c in w.fees.model.columns]
    assert "بانک" in titles and "رسید" in titles
    row = {t: w.fees.model.index(0, i).data() for i, t in enumerate(titles)}
    assert row["بانک"] == "ملت" and row["رسید"] == "r.pdf"


def test_F2_finance_sees_the_receipt_scan_and_is_told_when_no_rate_exists(
    qtbot, office, runner, settle, confirmations
):
    from test_finance import _desk, _intake
    from test_flows import PDF

    from app.domain.calendar import local_date
    from app.services import projects
    from app.services.dto import ReceiptIn
    from ui.screens.finance import FinanceScreen

    p = _intake(office, ("civil", "arch"))  # no tariff rows: no F1 rate for either
    today = local_date(office.clock.now)
    with_scan = projects.record_fee_payment(
        office.clerk,
        p.id,
        "civil",
        2_000_000,
        "100100",
        today,
        "ملت",
        ReceiptIn("fish.pdf", "application/pdf", PDF),
    )
    projects.record_fee_payment(office.clerk, p.id, "arch", 1_000_000, "100101", today, "ملی")
    w = _desk(qtbot, office.finance, runner, settle, FinanceScreen)
    titles = [c.title for c in w.fees.model.columns]
    col = titles.index("رسید")
    shown = {f.id: w.fees.model.index(i, col).data() for i, f in enumerate(w.fees.model.rows)}
    assert shown[with_scan] == "fish.pdf" and "ندارد" in shown.values()
    row = next(i for i, f in enumerate(w.fees.model.rows) if f.id == with_scan)
    w.fees.select_row(row)
    settle()
    assert w.fee_receipt_button.isEnabled()
    w.fee_receipt_button.click()
    settle()
    assert w.fee_receipt_dialog is not None and w.fee_receipt_dialog.isVisible()
    w.fee_receipt_dialog.close()
    assert "نرخ F1 نیست" in w.fee_detail.text()
    confirmations.answer = False
    w._decide_fee(True, "")
    asked = confirmations.asked[-1]
    assert "نرخ F1 نیست" in asked and "همان مبلغ واردشده تأیید می‌شود" in asked
    other = next(i for i, f in enumerate(w.fees.model.rows) if f.id != with_scan)
    w.fees.select_row(other)
    settle()
    assert not w.fee_receipt_button.isEnabled()
    w._decide_fee(True, "")
    assert "اسکن رسید بانکی با این پرداخت پیوست نشده است" in confirmations.asked[-1]


def _whole(view, column: int) -> None:
    """Every cell of `column` shown whole: its text fits in the column's width times the
    lines its row has room for (wrapped, never elided)."""
    fm = view.fontMetrics()
    model = view.model()
    left = view.columnViewportPosition(column)
    assert left >= 0 and left + view.columnWidth(column) <= view.viewport().width() + 1
    for r in range(model.rowCount()):
        text = model.index(r, column).data()
        lines = max(1, view.rowHeight(r) // fm.lineSpacing())
        assert fm.horizontalAdvance(text) <= (view.columnWidth(column) - 8) * lines, (
            text,
            view.columnWidth(column),
            view.rowHeight(r),
        )


def test_S8_the_ledger_description_is_shown_whole_in_the_cartable_and_the_file(
    shown, qtbot, office, runner, settle
):
    from app.services import browse, candidacy
    from ui.screens.cartable import CartableScreen
    from ui.screens.engineers import EngineerDetail

    e = office.engineer("E1")
    rid = office.project(area=450).referral_ids["civil"]
    office.at("1405-08-23 10:00")
    candidacy.stand(office.as_engineer[e], e, rid)
    office.run("1405-08-23 20:00")  # selected: a charge with its description
    cart = shown(CartableScreen, office.as_engineer[e], (1000, 700))
    view = cart.ledger.view
    assert view.model().rowCount() >= 1
    note = len(cart.ledger.model.columns) - 1
    assert view.wordWrap()
    _whole(view, note)
    d = EngineerDetail()
    qtbot.addWidget(d)
    d.resize(520, 700)
    d.show()
    d.show_file(browse.engineer_file(office.finance, e))
    qtbot.waitExposed(d)
    qtbot.wait(50)  # the rows fit their wrapped text on the next turn of the event loop
    assert d.ledger.rowCount() >= 1
    _whole(d.ledger_view, len(d.ledger.columns) - 1)


def test_the_screenshot_tour_waits_for_the_counters_live_fee(counter, runner):
    """`main.py screenshots` takes the counter after the live F1 fee (150 ms debounce) came."""
    from ui.commands import _fill_counter, settle_typing

    w = counter()
    placeholder = w.quote_label.text()
    _fill_counter(w, None)
    settle_typing(w, runner)
    assert w.quote_label.text() != placeholder
    assert w.group_label.text() != "—"


def test_S8_an_engineer_with_no_line_yet_sees_the_base_his_score_starts_from(
    shown, qtbot, office, runner, settle
):
    """The ledger ends (oldest) at the base score: without any selection or withdrawal the
    score shown is not a bare number above an empty list."""
    from ui.screens.cartable import CartableScreen

    e = office.engineer("E2", score=961)
    cart = shown(CartableScreen, office.as_engineer[e], None)
    rows = cart.ledger.model.rows
    assert [(r.kind, r.points, r.balance) for r in rows] == [("opening", 961, 961)]
    assert "امتیاز پایه" in rows[0].note

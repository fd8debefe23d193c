"""The office's day through the real widgets over a real database: a clerk registers a
walk-in from the keyboard, attaches a scan and sends the file to distribution; an engineer
stands from the cartable; the manager runs the deadline; the clerk records the signature."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import type_text
from PySide6.QtCore import Qt
from sqlalchemy import select

from app.db.models import FeePayment, Project, ProjectDocument, Referral
from app.services import candidacy, projects, users
from ui.app import LoginDialog
from ui.mainwindow import MainWindow, sections_for
from ui.screens import counter as counter_mod
from ui.screens.board import BoardScreen
from ui.screens.cartable import CartableScreen
from ui.screens.counter import CounterScreen
from ui.screens.signing import SigningScreen
from ui.settings import Settings

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj "
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF"
)


def test_clerk_registers_walk_in_from_keyboard_attaches_and_sends(
    qtbot, office, runner, settle, tmp_path, monkeypatch
):
    w = CounterScreen(office.clerk, runner)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.refresh()
    settle()

    w.owner_code.setFocus()
    qtbot.keyClicks(w.owner_code, "049937089")  # one digit short
    assert "۹ از ۱۰" in w.owner_state.text()
    qtbot.keyClicks(w.owner_code, "8")  # wrong check digit: said inline, as typed
    assert "نامعتبر" in w.owner_state.text()
    qtbot.keyClick(w.owner_code, Qt.Key.Key_Backspace)
    qtbot.keyClicks(w.owner_code, "9")
    assert "معتبر" in w.owner_state.text() and "نامعتبر" not in w.owner_state.text()
    qtbot.keyClick(w.owner_code, Qt.Key.Key_Return)  # Enter moves on
    assert w.focusWidget() is w.owner_first
    type_text(w.owner_first, "مریم")
    qtbot.keyClick(w.owner_first, Qt.Key.Key_Return)
    type_text(w.owner_last, "احمدی")
    qtbot.keyClick(w.owner_last, Qt.Key.Key_Return)
    assert w.focusWidget() is w.owner_father  # the contract names him by his father too
    type_text(w.owner_father, "علی")
    qtbot.keyClick(w.owner_father, Qt.Key.Key_Return)
    assert w.focusWidget() is w.owner_mobile  # a company's rows are hidden, and skipped
    qtbot.keyClicks(w.owner_mobile, "09161234567")
    qtbot.keyClick(w.owner_mobile, Qt.Key.Key_Tab)
    assert w.focusWidget() is w.brought_role
    qtbot.keyClick(w.brought_role, Qt.Key.Key_Down)  # P1: a design office brought it
    assert w.brought_role.currentData() == "design_office"
    qtbot.keyClick(w.brought_role, Qt.Key.Key_Tab)
    type_text(w.brought_name, "دفتر نقش")
    qtbot.keyClick(w.brought_name, Qt.Key.Key_Return)
    assert w.focusWidget() is w.brought_id  # the office's شناسه ملی, checked by the service
    qtbot.keyClicks(w.brought_id, "10861234565")
    qtbot.keyClick(w.brought_id, Qt.Key.Key_Return)
    assert w.focusWidget() is w.plate
    qtbot.keyClicks(w.plate, "1450/12")
    qtbot.keyClick(w.plate, Qt.Key.Key_Return)
    type_text(w.address, "اهواز، کیانپارس")
    qtbot.keyClick(w.address, Qt.Key.Key_Return)
    qtbot.keyClicks(w.area, "450")
    qtbot.keyClick(w.area, Qt.Key.Key_Return)
    assert w.focusWidget() is w.floors
    qtbot.keyClick(w.floors, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(w.floors, "3")
    qtbot.waitUntil(lambda: w.group_label.text() != "—", timeout=5000)
    settle()
    assert w.group_label.text() == "گروه ب"  # P3, live
    required = [d for d, cb in w.disc_checks.items() if cb.isChecked()]
    assert required == ["arch", "civil", "mech", "elec"]  # P4 defaults
    assert not w.disc_checks["civil"].isEnabled()  # a required one cannot be removed
    qtbot.keyClick(w.floors, Qt.Key.Key_Tab)  # down the form: the disciplines to add
    assert w.focusWidget() in w.disc_checks.values()
    w.use.setFocus()
    qtbot.keyClick(w.use, Qt.Key.Key_Tab)  # then, below the use, the form's button
    assert w.focusWidget() is w.register_button and w.register_button.isEnabled()
    with qtbot.waitSignal(w.registered, timeout=10_000) as reg:
        qtbot.keyClick(w.register_button, Qt.Key.Key_Space)
    settle()
    summary = reg.args[0]
    assert summary.group == "B" and summary.file_no.startswith("1405-")
    assert "ثبت شد" in w.form_message.text()
    assert not w.send_button.isEnabled()  # P2 does not hold yet, and says why
    assert "P2" in w.gaps.text() and "معماری" in w.gaps.text()

    # P5: a second open file on the same plate is refused inline, as typed
    w.plate.clear()
    qtbot.keyClicks(w.plate, "1450/12")
    qtbot.waitUntil(lambda: "P5" in w.plate_state.text(), timeout=5000)
    assert not w.register_button.isEnabled()

    # the checklist: a scan for the first document, the rest received on paper
    scan = tmp_path / "deed.pdf"
    scan.write_bytes(PDF)
    monkeypatch.setattr(
        counter_mod.QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(scan), ""))
    )
    w.docs.select_row(0)
    qtbot.mouseClick(w.attach_button, Qt.MouseButton.LeftButton)
    settle()
    doc = w.docs.proxy.source_row(0)
    assert (doc.kind, doc.filename, doc.size) == ("drawings_arch", "deed.pdf", len(PDF))
    assert w.docs.current().kind == "drawings_structure"  # moved on to the next one
    for i, doc in enumerate(w.docs.model.rows):
        if doc.required and doc.received_at is None:
            w.docs.select_row(i)
            qtbot.mouseClick(w.received_button, Qt.MouseButton.LeftButton)
            settle()
    qtbot.mouseClick(w.drawings_button, Qt.MouseButton.LeftButton)
    settle()
    for i in range(w.fee_discipline.count()):
        w.fee_discipline.setCurrentIndex(i)
        w.fee_amount.clear()
        qtbot.keyClicks(w.fee_amount, "5000000")
        w.fee_bank.setCurrentIndex(1 + i)  # F2: the bank from the list
        qtbot.keyClicks(w.fee_tracking, f"58000{i}")
        qtbot.mouseClick(w.fee_button, Qt.MouseButton.LeftButton)
        settle()
    assert [f.status for f in w.fees.model.rows] == ["pending"] * 4
    assert not w.send_button.isEnabled()  # F2: finance has not approved yet
    with office.base.tx() as s:
        fee_ids = s.scalars(select(FeePayment.id).where(FeePayment.project_id == summary.id)).all()
    for fid in fee_ids:
        projects.decide_fee_payment(office.finance, fid, approve=True)
    w.refresh()
    settle()
    assert w.send_button.isEnabled(), w.gaps.text()
    with qtbot.waitSignal(w.sent, timeout=10_000):
        qtbot.keyClick(w.send_button, Qt.Key.Key_Space)
    settle()
    with office.base.tx() as s:
        p = s.get(Project, summary.id)
        assert p.status == "distribution"
        assert p.brought_by_role == "design_office" and p.address == "اهواز، کیانپارس"
        kinds = s.scalars(
            select(ProjectDocument.kind).where(ProjectDocument.content.is_not(None))
        ).all()
        assert kinds == ["drawings_arch"]
    assert not w.send_button.isEnabled() and "در توزیع" in w.gaps.text()


def test_counter_form_says_what_is_wrong_moves_on_and_starts_empty_after_register(
    qtbot, office, runner, settle, tmp_path
):
    """The disabled «ثبت پرونده» names the wrong fields (domain/validation.py); Tab from
    «تعداد طبقات» goes on, never back up; after registering the next walk-in starts from an
    empty form (he does not inherit the last owner's mobile); the fee row takes a bank from
    the list, a tracking number of digits and the receipt's scan."""
    w = CounterScreen(office.clerk, runner)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    settle()
    assert not w.register_button.isEnabled()
    assert "کد ملی مالک" in w.register_button.toolTip()
    assert "زیربنا (م²)" in w.form_problems.text()  # the field's label, not «مساحت»
    qtbot.keyClicks(w.owner_code, "0499370899")
    qtbot.keyClicks(w.owner_mobile, "0916-111-2233")
    assert "تلفن همراه مالک" in w.form_problems.text() and "همراه" in w.form_message.text()
    w.owner_mobile.clear()
    qtbot.keyClicks(w.owner_mobile, "09161234567")
    qtbot.keyClicks(w.plate, "7/3")
    w.floors.setFocus()
    qtbot.keyClick(w.floors, Qt.Key.Key_Tab)  # the button is disabled (no area): on down
    assert w.focusWidget() in w.disc_checks.values()
    type_text(w.area, "۲۵۰٫۵")  # the Persian decimal separator is a number
    qtbot.waitUntil(w.register_button.isEnabled, timeout=5000)
    assert w.form_problems.text() == ""
    with qtbot.waitSignal(w.registered, timeout=10_000):
        qtbot.mouseClick(w.register_button, Qt.MouseButton.LeftButton)
    settle()
    for field in (w.owner_code, w.owner_mobile, w.plate, w.area, w.owner_first):
        assert field.text() == ""
    assert w.floors.value() == 1 and "ثبت شد" in w.form_message.text()
    assert not w.register_button.isEnabled()
    # the fee row
    w.fee_amount.setText("1000")
    w.fee_tracking.setText("T-1")
    assert "بانک" in w.fee_state.text()
    w.fee_bank.setCurrentIndex(2)
    assert "رقم" in w.fee_state.text()
    w.fee_tracking.setText("۵۸۰۰۰۱")
    assert w.fee_state.text() == ""
    bad = tmp_path / "r.png"
    bad.write_bytes(b"not a png")
    w.set_receipt(bad)
    assert "نمی‌خواند" in w.fee_state.text() and w.fee_receipt is None
    good = tmp_path / "r.pdf"
    good.write_bytes(PDF)
    w.set_receipt(good)
    assert w.fee_receipt is not None
    qtbot.mouseClick(w.fee_button, Qt.MouseButton.LeftButton)
    settle()
    with office.base.tx() as s:
        fee = s.scalars(select(FeePayment)).one()
        assert (fee.bank, fee.tracking_no, fee.receipt_filename) == ("ملت", "580001", "r.pdf")
    w.resize(1400, 900)
    w.grab().save(str(tmp_path / "counter.png"))


def test_cartable_says_what_keeps_me_out_confirms_a_cancel_and_shows_deadline_and_ledger(
    qtbot, office, runner, settle, tmp_path
):
    """G3: an engineer whose membership is unpaid sees why his cartable is empty and what to
    do; a cancel asks first and says it is allowed once (C4); the absolute deadline and the
    score's ledger are shown; one word for candidacy (کاندیداتوری)."""
    unpaid = office.engineer("E9", paid_through=1404)
    ok = office.engineer("E1")
    p = office.project(area=450, floors=3)
    rid = p.referral_ids["civil"]
    office.at("1405-08-23 10:00")
    cart = CartableScreen(office.as_engineer[unpaid], runner)
    qtbot.addWidget(cart)
    cart.refresh()
    settle()
    assert cart.items.model.rowCount() == 0 and not cart.blocks.isHidden()
    assert "G3" in cart.blocks.text() and "تمدید" in cart.blocks.text()
    cart.resize(1300, 800)
    cart.grab().save(str(tmp_path / "cartable-empty.png"))

    cart = CartableScreen(office.as_engineer[ok], runner)
    qtbot.addWidget(cart)
    cart.refresh()
    settle()
    assert cart.blocks.isHidden() and [i.referral_id for i in cart.items.model.rows] == [rid]
    headers = [c.title for c in cart.items.model.columns]
    assert "مهلت (C3)" in headers and "کاندیداها" in headers
    assert not any("داوطلب" in h for h in headers)
    cart.items.select_row(0)
    settle()
    qtbot.mouseClick(cart.stand_button, Qt.MouseButton.LeftButton)
    settle()
    asked = []
    cart.confirm = lambda text: asked.append(text) or False  # the engineer says no
    qtbot.mouseClick(cart.cancel_button, Qt.MouseButton.LeftButton)
    settle()
    assert "یک بار" in asked[0] and "C4" in asked[0]
    assert cart.items.model.rows[0].standing  # nothing happened
    cart.confirm = lambda text: True
    qtbot.mouseClick(cart.cancel_button, Qt.MouseButton.LeftButton)
    settle()
    assert not cart.items.model.rows[0].standing and "C4" in cart.message.text()
    office.run("1405-08-23 20:00")  # nobody stands: extended; a charge shows in the ledger
    candidacy.stand(office.as_engineer[ok], ok, rid)
    office.run("1405-08-24 20:00")
    cart.refresh()
    settle()
    assert cart.ledger.model.rowCount() == 2  # the charge, above the base it starts from
    cart.grab().save(str(tmp_path / "cartable.png"))


def test_engineer_stands_manager_runs_deadline_clerk_records_signature(
    qtbot, office, runner, settle
):
    e1, e2 = office.engineer("E1", score=120), office.engineer("E2", score=100)
    p = office.project(area=450, floors=3)
    rid = p.referral_ids["civil"]
    office.at("1405-08-23 10:00")
    candidacy.stand(office.as_engineer[e2], e2, rid)

    # the engineer stands from the cartable
    cart = CartableScreen(office.as_engineer[e1], runner)
    qtbot.addWidget(cart)
    cart.refresh()
    settle()
    assert [i.referral_id for i in cart.items.model.rows] == [rid]
    cart.items.select_row(0)
    settle()
    assert cart.stand_button.isEnabled()
    with qtbot.waitSignal(cart.stood, timeout=10_000):
        qtbot.mouseClick(cart.stand_button, Qt.MouseButton.LeftButton)
    settle()
    assert cart.items.model.rows[0].standing and cart.cancel_button.isEnabled()
    assert [c[1].membership_no for c in cart.candidates.model.rows] == ["E1", "E2"]  # C6
    assert "کاندیداتوری شما" in cart.message.text()

    # the manager runs the due deadline from the board, off the GUI thread
    office.at("1405-08-23 20:00")
    board = BoardScreen(office.manager, runner)
    qtbot.addWidget(board)
    board.refresh()
    settle()
    assert [r.id for r in board.open.model.rows] == [rid]
    with qtbot.waitSignal(board.ran, timeout=20_000) as ran:
        qtbot.mouseClick(board.run_button, Qt.MouseButton.LeftButton)
        assert not board.run_button.isEnabled() and board.progress.maximum() == 0  # busy
    settle()
    assert ran.args[0].selected == 1
    assert board.open.model.rowCount() == 0
    ref, rnd = board.decisions.model.rows[0]
    assert (ref.id, rnd.outcome, [r.membership_no for r in rnd.ranking]) == (
        rid,
        "selected",
        ["E1", "E2"],
    )

    # why not, for the loser
    board.decisions.select_row(0)
    qtbot.keyClicks(board.why_no, "E2")
    qtbot.keyClick(board.why_no, Qt.Key.Key_Return)
    settle()
    assert "C3" in board.why_result.text()

    # the clerk records the signature next morning at the signing desk
    office.at("1405-08-24 09:00")
    desk = SigningScreen(office.clerk, runner)
    qtbot.addWidget(desk)
    desk.refresh()
    settle()
    assert [a.referral_id for a in desk.list.model.rows] == [rid]
    assert desk.sign_button.isEnabled()
    with qtbot.waitSignal(desk.signed, timeout=10_000):
        qtbot.mouseClick(desk.sign_button, Qt.MouseButton.LeftButton)
    settle()
    with office.base.tx() as s:
        assert s.get(Referral, rid).status == "signed"
    row = desk.list.model.rows[0]
    assert row.status == "signed"


def test_refusal_in_the_cartable_names_the_rule_in_persian(qtbot, office, runner, settle):
    e = office.engineer("E1")
    rid = office.project().referral_ids["civil"]
    office.at("1405-08-23 10:00")
    cart = CartableScreen(office.as_engineer[e], runner)
    qtbot.addWidget(cart)
    cart.refresh()
    settle()
    cart.items.select_row(0)
    candidacy.stand(office.as_engineer[e], e, rid)  # meanwhile, on another desk
    qtbot.mouseClick(cart.stand_button, Qt.MouseButton.LeftButton)
    settle()
    text = cart.message.text()
    assert text and any("\u0600" <= ch <= "\u06ff" for ch in text)


def test_login_opens_the_sections_of_the_role(qtbot, office, runner, settle, tmp_path):
    users.create_user(office.admin, "k1", "کارشناس", "clerk", password="secret-1405")
    url = str(office.engine.url)
    from PySide6.QtCore import QSettings

    settings = Settings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    dlg = LoginDialog(settings, runner, url)
    qtbot.addWidget(dlg)
    settle()
    assert dlg.login_button.isEnabled()
    qtbot.keyClicks(dlg.username, "k1")
    qtbot.keyClicks(dlg.password, "wrong")
    qtbot.keyClick(dlg.password, Qt.Key.Key_Return)
    settle()
    assert "نادرست" in dlg.message.text() and dlg.actor is None
    dlg.password.clear()
    qtbot.keyClicks(dlg.password, "secret-1405")
    with qtbot.waitSignal(dlg.accepted, timeout=10_000):
        qtbot.keyClick(dlg.password, Qt.Key.Key_Return)
    assert dlg.actor.role == "clerk"
    win = MainWindow(dlg.ctx.as_actor(dlg.actor), runner)
    qtbot.addWidget(win)
    settle()
    titles = [win.tabs.tabText(i) for i in range(win.tabs.count())]
    assert titles == ["پیشخوان", "میز امضا", "گزارش مراحل نظارت", "مهندسان"]
    assert [c.name for c in sections_for("engineer")] == ["cartable"]
    assert [c.name for c in sections_for("admin")] == [
        "engineers",
        "audit",
        "policy",
        "organization",
        "users",
    ]
    assert [c.name for c in sections_for("manager")] == [
        "counter",
        "signing",
        "stages",
        "board",
        "engineers",
    ]
    assert win.layoutDirection() == Qt.LayoutDirection.RightToLeft


def test_settings_keep_no_database_password(tmp_path):
    """A desk keeps the server's address, never database credentials; a desk once set up for
    direct PostgreSQL forgets its password and is pointed at the office server."""
    from PySide6.QtCore import QSettings

    ini = tmp_path / "s.ini"
    q = QSettings(str(ini), QSettings.Format.IniFormat)
    legacy = {"kind": "postgresql", "host": "10.0.0.5", "user": "desk", "password": "p@ss"}
    for k, v in legacy.items():
        q.setValue(f"db/{k}", v)
    q.sync()
    s = Settings(q)
    conn = s.connection()
    assert conn["kind"] == "server" and conn["server"] == "https://10.0.0.5:8443"
    assert "p@ss" not in ini.read_text() and "password" not in ini.read_text()
    s.set_connection({"kind": "server", "server": "https://office:8443", "password": "x"})
    assert "password" not in ini.read_text()
    s.set_connection({"kind": "sqlite", "path": "/data/nz.sqlite"})
    assert s.database_url() == "sqlite:////data/nz.sqlite"


def test_the_desk_says_on_screen_when_it_sends_a_call_to_the_server_again(qtbot, runner, pg_url):
    import threading

    from support import ServedOffice

    office = ServedOffice(pg_url)
    try:
        win = MainWindow(office.clerk, runner)
        qtbot.addWidget(win)
        # the client retries on its worker thread; the words reach the GUI thread by signal
        threading.Thread(target=office.clerk.on_retry, args=(1, "browse.recent_projects")).start()
        qtbot.waitUntil(lambda: "دوباره فرستاده" in win.statusBar().currentMessage(), timeout=5000)
    finally:
        office.close()


def test_U1_the_administrator_makes_a_user_sets_a_password_and_disables_one(
    qtbot, office, runner, settle
):
    """From the desk (through the office server in the served mode): a new engineer user with
    a first password; a too-short password refused naming the rule; disabling a user ends
    their sessions at once."""
    from app.services import engineers
    from app.services.dto import CompetenceIn, EngineerIn
    from ui.screens.users import UsersScreen

    engineers.register_engineer(  # an engineer without a login yet
        office.system,
        EngineerIn(
            membership_no="E7",
            competences=(CompetenceIn("civil", "1"),),
            first_name="E7",
            base_score=Decimal(0),
        ),
    )
    w = UsersScreen(office.admin, runner)
    qtbot.addWidget(w)
    w.refresh()
    settle()
    before = len(w.list.model.rows)
    w.username.setText("e7web")
    w.full_name.setText("مهندس هفت")
    w.role.setCurrentIndex(w.role.findData("engineer"))
    w.member_no.setText("E7")
    w.password.setText("short")
    w.password2.setText("short")
    w.create()
    settle()
    assert "دست‌کم" in w.message.text()  # the password rule, in Persian
    w.password.setText("a-good-pass-1405")
    w.password2.setText("a-good-pass-1405")
    w.username.setText("e7web2")
    w.create()
    settle()
    rows = {u.username: u for u in w.list.model.rows}
    assert rows["e7web2"].role == "engineer" and rows["e7web2"].membership_no == "E7"
    assert len(rows) >= before + 1
    clerk = rows["clerk"]
    w.list.view.selectRow(w.list.model.rows.index(clerk))
    settle()
    w.toggle_active()
    settle()
    assert not {u.username: u for u in w.list.model.rows}["clerk"].active
    if getattr(office.clerk, "remote", False):  # the clerk's desk is signed out at once
        from app.services.wire import Unauthenticated

        with pytest.raises(Unauthenticated):
            candidacy.candidates(office.clerk, 1)

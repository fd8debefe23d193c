"""The database going away under a desk: the engineer presses "stand" in the cartable while the
LAN server is down — the screen says so in Persian, nothing is written, and the same button
works once the server is back, with no restart of the desk."""

from __future__ import annotations

from PySide6.QtCore import Qt
from sqlalchemy import func, select

from app.db.models import Candidacy
from support import Office
from ui.screens.cartable import CartableScreen


def _candidacies(office: Office) -> int:
    with office.base.tx() as s:
        return s.scalar(select(func.count()).select_from(Candidacy))


def test_stand_while_the_server_is_down_says_so_writes_nothing_then_works(
    qtbot, runner, settle, own_pg_server
):
    office = Office(own_pg_server.url)
    e = office.engineer("E1")
    office.project()
    office.at("1405-08-23 10:00")
    cart = CartableScreen(office.as_engineer[e], runner)
    qtbot.addWidget(cart)
    cart.refresh()
    settle()
    cart.items.select_row(0)
    assert cart.stand_button.isEnabled()

    own_pg_server.pause()
    qtbot.mouseClick(cart.stand_button, Qt.MouseButton.LeftButton)
    settle()
    said = cart.message.text()
    assert "ارتباط با پایگاه داده برقرار نیست" in said and "ثبت نشد" in said, said

    own_pg_server.resume()
    assert _candidacies(office) == 0  # nothing of the refused action was written
    cart.items.select_row(0)
    qtbot.mouseClick(cart.stand_button, Qt.MouseButton.LeftButton)
    settle()
    assert _candidacies(office) == 1  # the same desk, the same pool: it works again
    assert "پایگاه داده" not in cart.message.text()

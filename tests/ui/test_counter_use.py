"""The counter takes the building's use (کاربری) and, for a mixed building, its area by use
(documents.md §3: the contract states the total area and the area by use): the rows appear
for «مختلط» only, the register button says which of them is wrong, Persian digits are read,
and the next walk-in starts residential with no split — in process and through the office
server."""

from __future__ import annotations

from conftest import type_text
from PySide6.QtCore import Qt

from app.db.models import Project


def test_a_mixed_building_is_registered_with_its_area_by_use(
    qtbot, office, counter, settle, tmp_path
):
    w = counter()
    rows = w.use_areas
    assert [w.use.itemText(i) for i in range(w.use.count())] == [
        "مسکونی",
        "تجاری",
        "اداری",
        "مختلط",
    ]
    assert w.use.currentData() == "residential"
    assert not any(e.isVisible() for e in rows.values())
    assert w.form.labelForField(rows["commercial"]).text() == "زیربنای تجاری (مترمربع):"
    qtbot.keyClicks(w.owner_code, "0499370899")
    type_text(w.owner_first, "مریم")
    type_text(w.owner_last, "کاظمی")
    qtbot.keyClicks(w.plate, "515/3")
    type_text(w.area, "۲۱۲۹٫۷")
    qtbot.waitUntil(w.register_button.isEnabled, timeout=10_000)

    # from the keyboard: the use after the disciplines, then a mixed building's rows
    last = list(w.disc_checks.values())[-1]
    last.setFocus()
    qtbot.keyClick(last, Qt.Key.Key_Tab)
    assert w.focusWidget() is w.use
    w.use.setCurrentIndex(w.use.findData("mixed"))
    assert all(e.isVisible() for e in rows.values())
    qtbot.keyClick(w.use, Qt.Key.Key_Tab)
    assert w.focusWidget() is rows["residential"]
    assert not w.register_button.isEnabled()
    why = w.register_button.toolTip()
    assert "زیربنا به تفکیک کاربری" in why and "دست‌کم دو کاربری" in why
    type_text(rows["residential"], "۱۵۰۰")
    type_text(rows["commercial"], "۶۰۰")
    assert not w.register_button.isEnabled()
    assert "(۲٬۱۰۰ مترمربع) با زیربنای کل (۲٬۱۲۹٫۷ مترمربع) برابر نیست" in w.form_problems.text()
    type_text(rows["office"], "۰")
    assert "زیربنای اداری: باید بیشتر از صفر باشد" in w.form_problems.text()
    rows["office"].clear()
    rows["commercial"].clear()
    type_text(rows["commercial"], "۶۲۹٫۷")
    qtbot.waitUntil(w.register_button.isEnabled, timeout=10_000)
    assert w.form_problems.text() == ""
    w.grab().save(str(tmp_path / "counter-mixed.png"))

    with qtbot.waitSignal(w.registered, timeout=10_000):  # Ctrl+Enter from the last row
        qtbot.keyClick(rows["commercial"], Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    settle()
    with office.base.read() as s:
        row = s.query(Project).one()
        assert (row.use, row.use_areas) == (
            "mixed",
            {"residential": "1500.00", "commercial": "629.70"},
        )
    # the next walk-in: residential, no split, the rows hidden and empty
    assert w.use.currentData() == "residential"
    assert not any(e.isVisible() or e.text() for e in rows.values())


def test_a_building_of_one_use_sends_no_split(qtbot, office, counter, settle):
    """Rows typed for «مختلط» and then the use changed back: hidden, not checked, not sent."""
    w = counter()
    qtbot.keyClicks(w.owner_code, "0499370899")
    qtbot.keyClicks(w.plate, "44/2")
    qtbot.keyClicks(w.area, "300")
    w.use.setCurrentIndex(w.use.findData("mixed"))
    type_text(w.use_areas["residential"], "۱۰۰")
    assert not w.register_button.isEnabled()
    w.use.setCurrentIndex(w.use.findData("commercial"))
    assert not w.use_areas["residential"].isVisible()
    qtbot.waitUntil(w.register_button.isEnabled, timeout=10_000)
    with qtbot.waitSignal(w.registered, timeout=10_000):
        qtbot.mouseClick(w.register_button, Qt.MouseButton.LeftButton)
    settle()
    with office.base.read() as s:
        row = s.query(Project).one()
        assert (row.use, row.use_areas) == ("commercial", None)

"""Start-up once: Persian locale and Qt's own translator, right-to-left, Vazirmatn."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCalendar, QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

FONTS = Path(__file__).resolve().parent.parent / "resources" / "fonts"
JALALI = QCalendar(QCalendar.System.Jalali)
PERSIAN = QLocale(QLocale.Language.Persian, QLocale.Country.Iran)


def setup(app: QApplication) -> None:
    """Idempotent: the translator, direction, font and style, set once per process."""
    if app.property("nezarat_setup"):
        return
    app.setProperty("nezarat_setup", True)
    QLocale.setDefault(PERSIAN)
    tr = QTranslator(app)  # owned by the application, no module-level reference
    if tr.load(
        PERSIAN, "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    ):
        app.installTranslator(tr)
    if not app.isRightToLeft():  # Qt's Persian translation has set it already, mostly
        # (imported here: PySide6 builds all of the `Qt` namespace's enums at its first use,
        # 40-60 ms that the login window does not wait for — see `ui/app.py`)
        from PySide6.QtCore import Qt

        app.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
    family = "Vazirmatn"
    for f in sorted(FONTS.glob("*.ttf")):
        fid = QFontDatabase.addApplicationFont(str(f))
        fams = QFontDatabase.applicationFontFamilies(fid) if fid >= 0 else []
        if fams:
            family = fams[0]
    font = QFont(family, 10)
    app.setFont(font)
    if app.style().name().lower() != "fusion":  # a new style object costs ~15 ms at start
        app.setStyle("Fusion")
    app.setStyleSheet(
        "QTableView { gridline-color: #e0e0e0; }"
        "QHeaderView::section { padding: 4px; font-weight: bold; }"
        "QTabBar::tab { padding: 6px 14px; }"
    )

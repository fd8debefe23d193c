"""The policy screen's «تقویم تعطیلات» tab: the office's holidays from today, the official
calendar loaded to the end of next year (the lunar days it estimates listed to confirm), and
the one-off closures the government announces (reference-data.md, issue 15)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.domain.calendar import jalali_year, local_date
from app.services import calendar

from .. import fmt
from ..widgets import jalali_date_edit


class HolidaysTab(QWidget):
    def __init__(self, screen) -> None:
        super().__init__(screen)
        self.desk = screen
        self.next_year = jalali_year(screen.ctx.now()) + 1
        note = QLabel(
            "روزهای تعطیل رسمی، که مهلت‌ها و پنجره‌های امضا بر آن‌ها نمی‌افتند. تقویم رسمی "
            "(با نام‌های فارسی) بارگذاری می‌شود؛ روزهای قمری «تخمینی» را با تقویم رسمی کشور "
            "بسنجید و تعطیلی‌های اعلام‌شده دولت را جداگانه بیفزایید.",
            self,
        )
        note.setWordWrap(True)
        self.load_button = QPushButton(
            f"بارگذاری تقویم رسمی تا پایان سال {fmt.fa(self.next_year)}", self
        )
        self.load_button.clicked.connect(self.load_official)
        self.day = jalali_date_edit(self, local_date(screen.ctx.now()))
        self.title = QLineEdit(self)
        self.title.setPlaceholderText("مثلاً: تعطیلی اعلام‌شده هیئت دولت")
        self.add_button = QPushButton("افزودن روز تعطیل", self)
        self.add_button.clicked.connect(self.add_closure)
        self.days = QTextBrowser(self)
        add = QHBoxLayout()
        add.addWidget(QLabel("روز:", self))
        add.addWidget(self.day)
        add.addWidget(self.title, 1)
        add.addWidget(self.add_button)
        lay = QVBoxLayout(self)
        lay.addWidget(note)
        lay.addWidget(self.load_button)
        lay.addLayout(add)
        lay.addWidget(self.days, 1)

    def refresh(self) -> None:
        today = local_date(self.desk.ctx.now())
        self.desk.run(calendar.holidays_from, self.desk.ctx, today, on_done=self._shown)

    def _shown(self, rows) -> None:
        self.days.setPlainText(
            "\n".join(f"{fmt.fa(d)}   {title}" for d, title in rows)
            or "از امروز به بعد روز تعطیلی در تقویم دفتر نیست"
        )

    def load_official(self) -> None:
        self.load_button.setEnabled(False)
        self.desk.run(
            calendar.load_official_calendar,
            self.desk.ctx,
            self.next_year,
            on_done=self._loaded,
            on_error=self._failed,
        )

    def _loaded(self, got) -> None:
        self.load_button.setEnabled(True)
        estimated = "، ".join(fmt.fa(d) for d, _t in got.estimated)
        self.desk.message.ok(
            f"تقویم رسمی تا {fmt.fa(got.through)} بارگذاری شد "
            f"({fmt.fa(got.added)} روز تازه)"
            + (f"؛ روزهای تخمینی برای سنجیدن: {estimated}" if estimated else "")
        )
        self.desk.refresh()

    def add_closure(self) -> None:
        title = self.title.text().strip()
        if not title:
            self.desk.message.error("عنوان روز تعطیل را بنویسید؛ چیزی ثبت نشد")
            return
        self.add_button.setEnabled(False)
        self.desk.run(
            calendar.set_holidays,
            self.desk.ctx,
            [(self.day.date().toPython(), title)],
            on_done=lambda moved: self._added(title, moved),
            on_error=self._failed,
        )

    def _added(self, title: str, moved: calendar.ClosureMoves) -> None:
        self.add_button.setEnabled(True)
        self.title.clear()
        shifted = (
            f"؛ به روز کاری بعد رفت: مهلت {fmt.fa(moved.deadlines)} دور ارجاع و امضای "
            f"{fmt.fa(moved.signing_windows)} ناظر منتخب (با پیامک به آنان)"
            if moved.deadlines or moved.signing_windows
            else ""
        )
        self.desk.message.ok(f"«{title}» به تقویم تعطیلات افزوده شد{shifted}")
        self.desk.refresh()

    def _failed(self, exc) -> None:
        self.load_button.setEnabled(True)
        self.add_button.setEnabled(True)
        self.desk.show_error(exc)

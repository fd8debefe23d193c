"""«پروانه و مشخصات ملک»: a file's particulars from the permit body, from the counter (issue 14)
— the city (its municipality is the letter's addressee), municipal district and structure type
the contract prints, and the building permit's number and date once the owner brings it.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
)

from app.domain.calendar import local_date
from app.services import organization, permits

from ..tasks import error_text
from ..widgets import Message, jalali_date_edit, qdate
from .base import ltr


class PermitDialog(QDialog):
    def __init__(self, screen, project_id: int):
        super().__init__(screen)
        self.screen, self.project_id = screen, project_id
        self.setWindowTitle("پروانه و مشخصات ملک")
        self.city = QComboBox(self)
        self.city.setEditable(True)
        self.district = ltr(QLineEdit(self))
        self.structure = QComboBox(self)
        self.structure.addItem("— انتخاب کنید —", "")
        for code, fa in permits.STRUCTURE_FA.items():
            self.structure.addItem(fa, code)
        self.issued = QCheckBox("پروانه ساختمان صادر شده است", self)
        self.permit_no = ltr(QLineEdit(self))
        # the office's day (Tehran), not the UTC date: they differ from 00:00 to 03:30
        self.permit_date = jalali_date_edit(self, local_date(screen.ctx.now()))
        self.issued.toggled.connect(self._toggle)
        form = QFormLayout()
        form.addRow("شهر", self.city)
        form.addRow("منطقه شهرداری", self.district)
        form.addRow("نوع سازه", self.structure)
        form.addRow("", self.issued)
        form.addRow("شماره پروانه", self.permit_no)
        form.addRow("تاریخ پروانه", self.permit_date)
        self.message = Message(self)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.message)
        lay.addWidget(buttons)
        self._toggle(False)
        screen.run(self._load, screen.ctx, project_id, on_done=self._show)

    @staticmethod
    def _load(ctx, project_id: int):
        cities = [m.city for m in organization.organization_settings(ctx).settings.municipalities]
        return cities, permits.project_permit(ctx, project_id)

    def _show(self, loaded) -> None:
        cities, p = loaded
        self.city.addItems(cities)
        if p is None:
            return
        self.city.setCurrentText(p.city)
        self.district.setText(p.municipal_district)
        self.structure.setCurrentIndex(max(0, self.structure.findData(p.structure_type)))
        if p.permit_no:
            self.issued.setChecked(True)
            self.permit_no.setText(p.permit_no)
            d = p.permit_date
            self.permit_date.setDate(qdate(d))

    def _toggle(self, on: bool) -> None:
        self.permit_no.setEnabled(on)
        self.permit_date.setEnabled(on)

    def value(self) -> permits.PermitIn:
        issued = self.issued.isChecked()
        d: date | None = self.permit_date.date().toPython() if issued else None
        return permits.PermitIn(
            self.city.currentText(),
            self.district.text(),
            self.structure.currentData() or "",
            self.permit_no.text() if issued else "",
            d,
        )

    def save(self) -> None:
        self.screen.run(
            permits.record_permit,
            self.screen.ctx,
            self.project_id,
            self.value(),
            on_done=lambda _r: self._saved(),
            on_error=lambda exc: self.message.error(error_text(exc)),
        )

    def _saved(self) -> None:
        self.screen.message.ok("مشخصات ملک و پروانه ثبت شد")
        self.accept()

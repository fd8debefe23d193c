"""The organization's settings (administrator only, U1; issue 14): what every paper prints about
the organization — its name with the province, unit, address and postal code, telephone,
website, the public address papers are checked at (`/verify/<code>`), the bank, account and
IBAN fees are paid into, the contract's and the letters' signers by name and title, and the
municipality of each city the letters are addressed to.

The values are checked as they are typed (the domain's Persian reasons under the form, the
IBAN's check digits among them); «ثبت تنظیمات» saves them in one go. While a value is missing,
malformed or still a sample, every paper refuses to print and says so.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain import organization as org
from app.services import organization as settings_svc
from app.services import web_auth

from ..qtcompat import emit
from .base import Screen, ltr

_Index = QModelIndex | QPersistentModelIndex

LTR = frozenset({"postal_code", "phone", "website", "public_url", "account_no", "iban"})
FIELDS = tuple(  # (key, label, left-to-right): the labels the papers' refusals name too
    (key, label, key in LTR)
    for key, label in org.FIELD_FA.items()
    if key not in ("contract_signer", "letter_signer", "municipalities")
)
SIGNERS = tuple((key, org.FIELD_FA[key]) for key in ("contract_signer", "letter_signer"))


class MunicipalityModel(QAbstractTableModel):
    """City, municipality and the letters' addressee, one row per city; editable."""

    HEADERS = ("شهر", "شهرداری", "گیرنده نامه (سمت و واحد)")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[list[str]] = []

    def set_rows(self, items) -> None:
        self.beginResetModel()
        self.rows = [[m.city, m.name, m.addressee] for m in items]
        self.endResetModel()

    def add(self) -> None:
        n = len(self.rows)
        self.beginInsertRows(QModelIndex(), n, n)
        self.rows.append(["", "", ""])
        self.endInsertRows()

    def remove(self, row: int) -> None:
        if 0 <= row < len(self.rows):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self.rows[row]
            self.endRemoveRows()

    def items(self) -> tuple[org.Municipality, ...]:
        return tuple(org.Municipality(*r) for r in self.rows if any(x.strip() for x in r))

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 3

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self.rows)):
            return None
        if not 0 <= index.column() < 3:
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self.rows[index.row()][index.column()]
        return None

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        self.rows[index.row()][index.column()] = str(value)
        emit(self.dataChanged, index, index, [Qt.ItemDataRole.DisplayRole])
        return True

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEditable

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < 3:
            return self.HEADERS[section]
        return None


class OrganizationScreen(Screen):
    title = "تنظیمات سازمان"
    name = "organization"

    def __init__(self, ctx, runner, parent=None):
        super().__init__(ctx, runner, parent)
        self.edits: dict[str, QLineEdit] = {}
        form = QFormLayout()
        for key, label, left in FIELDS:
            e = QLineEdit(self)
            e.setObjectName(key)
            if left:
                ltr(e)
            e.textChanged.connect(self._check)
            self.edits[key] = e
            form.addRow(label, e)
        for key, label in SIGNERS:
            name, title = QLineEdit(self), QLineEdit(self)
            name.setPlaceholderText("نام و نام خانوادگی")
            title.setPlaceholderText("سمت")
            name.textChanged.connect(self._check)
            title.textChanged.connect(self._check)
            self.edits[f"{key}.name"], self.edits[f"{key}.title"] = name, title
            row = QHBoxLayout()
            row.addWidget(name, 1)
            row.addWidget(title, 1)
            form.addRow(label, row)
        self.demo = QCheckBox("مقادیر استان نمایشی (اوراق با نشان «نسخه نمایشی» چاپ می‌شوند)")
        self.demo.toggled.connect(self._check)
        form.addRow("", self.demo)

        self.municipalities = MunicipalityModel(self)
        self.municipalities.dataChanged.connect(lambda *_a: self._check())
        self.municipalities.rowsInserted.connect(lambda *_a: self._check())
        self.municipalities.rowsRemoved.connect(lambda *_a: self._check())
        self.muni_view = QTableView(self)
        self.muni_view.setModel(self.municipalities)
        self.muni_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.muni_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.muni_view.setMinimumHeight(160)
        add, remove = QPushButton("افزودن شهر", self), QPushButton("حذف شهر انتخاب‌شده", self)
        add.clicked.connect(self.municipalities.add)
        remove.clicked.connect(
            lambda: self.municipalities.remove(self.muni_view.currentIndex().row())
        )
        munis = QGroupBox("شهرداری هر شهر (گیرنده معرفی‌نامه ناظران)", self)
        mlay = QVBoxLayout(munis)
        mlay.addWidget(self.muni_view)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        mlay.addLayout(buttons)

        # issue 13: the engineers' web sign-in asks for an SMS code after the password
        web = QGroupBox("کارتابل وب مهندسان", self)
        wlay = QVBoxLayout(web)
        self.web_sms = QCheckBox(
            "ورود دومرحله‌ای: پس از گذرواژه، کد یک‌بارمصرف به همراه ثبت‌شده مهندس پیامک شود", self
        )
        self.web_sms.setObjectName("web_sms_code")
        self.web_sms.clicked.connect(self._set_web_sms)
        wlay.addWidget(self.web_sms)

        self.problems = QLabel("", self)
        self.problems.setWordWrap(True)
        self.problems.setObjectName("problems")
        self.save = QPushButton("ثبت تنظیمات", self)
        self.save.clicked.connect(self.save_settings)

        inner = QWidget(self)
        lay = QVBoxLayout(inner)
        lay.addLayout(form)
        lay.addWidget(munis)
        lay.addWidget(web)
        lay.addWidget(self.problems)
        bar = QHBoxLayout()
        bar.addWidget(self.save)
        bar.addStretch(1)
        lay.addLayout(bar)
        lay.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        outer = QVBoxLayout(self)
        outer.addWidget(self.message)
        outer.addWidget(scroll, 1)

    # ---- values
    def value(self) -> org.Organization:
        e = self.edits
        return org.Organization(
            **{key: e[key].text() for key, _l, _r in FIELDS},
            contract_signer=org.Signer(
                e["contract_signer.name"].text(), e["contract_signer.title"].text()
            ),
            letter_signer=org.Signer(
                e["letter_signer.name"].text(), e["letter_signer.title"].text()
            ),
            municipalities=self.municipalities.items(),
            demo=self.demo.isChecked(),
        )

    def show_value(self, o: org.Organization) -> None:
        for key, _l, _r in FIELDS:
            self.edits[key].setText(getattr(o, key))
        for key, _l in SIGNERS:
            s = getattr(o, key)
            self.edits[f"{key}.name"].setText(s.name)
            self.edits[f"{key}.title"].setText(s.title)
        self.demo.setChecked(o.demo)
        self.municipalities.set_rows(o.municipalities)
        self._check()

    def _check(self, *_a) -> None:
        """The Persian reasons the papers would refuse with, as the administrator types."""
        bad = org.problems(org.normalize(self.value()))
        for key, e in self.edits.items():
            e.setToolTip(bad.get(key.split(".")[0], ""))
            e.setStyleSheet("background:#fde8e8" if key.split(".")[0] in bad else "")
        if bad:
            self.problems.setText(
                "اوراق تا اصلاح این موارد چاپ نمی‌شوند:\n"
                + "\n".join(f"• {v}" for v in bad.values())
            )
        else:
            self.problems.setText("همه موارد کامل است؛ اوراق با این مشخصات چاپ می‌شوند.")
        self.save.setEnabled(not bad)

    # ---- load and save
    def refresh(self) -> None:
        self.run(
            settings_svc.organization_settings,
            self.ctx,
            on_done=lambda out: self.show_value(out.settings),
        )
        self.run(web_auth.web_sms_code_on, self.ctx, on_done=self.web_sms.setChecked)

    def _set_web_sms(self, on: bool) -> None:
        def done(_r) -> None:
            self.message.ok(
                "ورود دومرحله‌ای کارتابل وب روشن شد" if on else "ورود دومرحله‌ای کارتابل وب خاموش شد"
            )

        self.run(web_auth.set_web_sms_code, self.ctx, on, on_done=done)

    def save_settings(self) -> None:
        self.save.setEnabled(False)
        self.run(
            settings_svc.save_organization_settings,
            self.ctx,
            self.value(),
            on_done=self._saved,
            on_error=self._failed,
        )

    def _saved(self, out) -> None:
        self.show_value(out.settings)
        self.message.ok("تنظیمات سازمان ثبت شد")

    def _failed(self, exc: BaseException) -> None:
        self._check()
        self.show_error(exc)

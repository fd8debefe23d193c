"""The office's users (administrator, U1): who may sign in, in which role, whether they are
signed in now; a new user with a first password, a new password (every session of the user
ends), disabling a user (at once: their sessions end and no sign-in succeeds)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.services import browse, users

from .. import fmt
from ..models import Column
from ..tasks import error_text
from ..widgets import ListPanel, Message
from .base import Screen, ltr

# least privileged first: a new user starts as an engineer (never as the administrator)
ROLE_FA = {
    "engineer": "مهندس",
    "clerk": "کارشناس پیشخوان",
    "finance": "امور مالی",
    "manager": "مدیر ارجاع",
    "admin": "مدیر سامانه",
}


def _create(ctx, username: str, full_name: str, role: str, member_no: str, password: str):
    """A new user, then their first password (checked as any new password is)."""
    from app.domain.errors import InputError

    engineer_id = None
    if role == "engineer":
        if not member_no:
            raise InputError("membership_no", "شماره عضویت مهندس خالی است")
        engineer_id = browse.engineer_id_by_no(ctx, member_no)
        if engineer_id is None:
            raise InputError("membership_no", "مهندسی با این شماره عضویت پیدا نشد")
    elif member_no:
        raise InputError(
            "membership_no",
            "شماره عضویت فقط برای نقش مهندس است؛ آن را پاک کنید یا نقش را مهندس کنید",
        )
    users.check_new_password(password)  # before the user exists: no user left without one
    actor = users.create_user(ctx, username, full_name, role, None, engineer_id)
    users.set_password(ctx, actor.user_id, password)
    return actor


class UsersScreen(Screen):
    title = "کاربران"
    name = "users"

    def __init__(self, ctx, runner, parent=None):
        super().__init__(ctx, runner, parent)
        self.list = ListPanel(
            "کاربران دفتر",
            [
                Column("نام کاربری", lambda u: u.username, str, ltr=True),
                Column("نام", lambda u: u.full_name, str),
                Column("نقش", lambda u: ROLE_FA.get(u.role, u.role), str),
                Column("شماره عضویت", lambda u: u.membership_no or "", fmt.fa, ltr=True),
                Column("فعال", lambda u: "بله" if u.active else "خیر", str),
                # signed in now: a session of the office server, or this desk's own login
                # (the one desk keeps no session rows)
                Column("اکنون واردشده", self._signed_in),
                Column("ساخته‌شده", lambda u: u.created_at),
            ],
        )
        self.list.selected.connect(self._selected)
        self.password_button = QPushButton("گذرواژه تازه…", self)
        self.password_button.clicked.connect(self.new_password)
        self.active_button = QPushButton("غیرفعال کردن", self)
        self.active_button.clicked.connect(self.toggle_active)
        for b in (self.password_button, self.active_button):
            b.setEnabled(False)
        actions = QHBoxLayout()
        actions.addWidget(self.password_button)
        actions.addWidget(self.active_button)
        actions.addStretch(1)
        left = QWidget(self)
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.list, 1)
        ll.addLayout(actions)

        box = QGroupBox("کاربر تازه", self)
        form = QFormLayout(box)
        self.username = ltr(QLineEdit(box))
        self.full_name = QLineEdit(box)
        self.role = QComboBox(box)
        for code, fa in ROLE_FA.items():
            self.role.addItem(fa, code)
        self.role.setCurrentIndex(0)  # the least privileged role
        self.member_no = ltr(QLineEdit(box))
        self.member_no.setPlaceholderText("فقط برای نقش مهندس")
        self.role.currentIndexChanged.connect(self._role_changed)
        self._role_changed()
        self.password = ltr(QLineEdit(box))
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password2 = ltr(QLineEdit(box))
        self.password2.setEchoMode(QLineEdit.EchoMode.Password)
        self.create_button = QPushButton("ساختن کاربر", box)
        self.create_button.clicked.connect(self.create)
        form.addRow("نام کاربری:", self.username)
        form.addRow("نام و نام خانوادگی:", self.full_name)
        form.addRow("نقش:", self.role)
        form.addRow("شماره عضویت مهندس:", self.member_no)
        form.addRow("گذرواژه نخست:", self.password)
        form.addRow("تکرار گذرواژه:", self.password2)
        form.addRow(self.create_button)

        split = QSplitter(self)
        split.addWidget(left)
        split.addWidget(box)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setChildrenCollapsible(False)
        self.split = split
        lay = QVBoxLayout(self)
        lay.addWidget(split, 1)
        lay.addWidget(self.message)

    def _signed_in(self, u) -> bool:
        return u.live_sessions > 0 or u.id == self.ctx.actor.user_id

    def _role_changed(self, *_a) -> None:
        """The membership number is only an engineer's: for another role the field is
        disabled (and emptied), never filled and silently ignored."""
        engineer = self.role.currentData() == "engineer"
        if not engineer:
            self.member_no.clear()
        self.member_no.setEnabled(engineer)

    def refresh(self) -> None:
        self.run(users.list_users, self.ctx, on_done=self._loaded)

    def _loaded(self, rows) -> None:
        self.list.set_rows(rows)
        # every column whole (the last, «ساخته‌شده», was clipped): the list is as wide as
        # its columns, the form beside it the rest (at least 320 px)
        header = self.list.view.horizontalHeader()
        need = sum(header.sectionSize(i) for i in range(header.count()))
        need += self.list.view.verticalHeader().width() + 2 * self.list.view.frameWidth() + 24
        total = sum(self.split.sizes())
        if total > 0:
            self.split.setSizes([min(need, total - 320), max(total - need, 320)])

    def _selected(self, u) -> None:
        self.password_button.setEnabled(u is not None)
        self.active_button.setEnabled(u is not None and u.id != self.ctx.actor.user_id)
        self.active_button.setText(
            "فعال کردن" if u is not None and not u.active else "غیرفعال کردن"
        )

    def create(self) -> None:
        if self.password.text() != self.password2.text():
            self.message.error("دو گذرواژه یکی نیستند")
            return
        role = self.role.currentData()
        name = self.username.text().strip()

        def done(_actor) -> None:
            self.message.ok(f"کاربر {name} ساخته شد")
            for w in (self.username, self.full_name, self.member_no, self.password, self.password2):
                w.clear()
            self.refresh()

        self.run(
            _create,
            self.ctx,
            name,
            self.full_name.text().strip(),
            role,
            self.member_no.text().strip(),
            self.password.text(),
            on_done=done,
        )

    def new_password(self) -> None:
        u = self.list.current()
        if u is None:
            return
        pw, ok = QInputDialog.getText(
            self,
            "گذرواژه تازه",
            f"گذرواژه تازه {u.username} (همه نشست‌های او پایان می‌یابد):",
            QLineEdit.EchoMode.Password,
        )
        if not ok:
            return

        def done(_r) -> None:
            self.message.ok(f"گذرواژه {u.username} عوض شد؛ نشست‌های او پایان یافت")
            self.refresh()

        self.run(users.set_password, self.ctx, u.id, pw, on_done=done)

    def confirm(self, text: str) -> bool:
        from .. import widgets

        return widgets.confirm(self, "کاربران", text, "بله، غیرفعال شود")

    def toggle_active(self) -> None:
        u = self.list.current()
        if u is None:
            return
        if u.active and not self.confirm(
            f"کاربر «{u.username}» غیرفعال شود؟ همه نشست‌های او همین حالا پایان می‌یابد "
            "و تا دوباره فعال نشود نمی‌تواند وارد شود."
        ):
            return

        def done(_r) -> None:
            what = "فعال شد" if not u.active else "غیرفعال شد و نشست‌هایش پایان یافت"
            self.message.ok(f"{u.username} {what}")
            self.refresh()

        self.run(users.set_active, self.ctx, u.id, not u.active, on_done=done)


class OwnPasswordDialog(QDialog):
    """Anyone's own password, knowing the old one; with an office server every session of the
    user ends, this desk's too (sign in again with the new one)."""

    def __init__(self, ctx, runner, parent=None):
        super().__init__(parent)
        self.ctx, self.runner = ctx, runner
        self.setWindowTitle("تغییر گذرواژه")
        self.old = ltr(QLineEdit(self))
        self.new = ltr(QLineEdit(self))
        self.new2 = ltr(QLineEdit(self))
        for w in (self.old, self.new, self.new2):
            w.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = Message(self)
        self.ok_button = QPushButton("تغییر", self)
        self.ok_button.clicked.connect(self.change)
        form = QFormLayout(self)
        form.addRow("گذرواژه کنونی:", self.old)
        form.addRow(f"گذرواژه تازه (دست‌کم {fmt.fa(users.MIN_PASSWORD)} نویسه):", self.new)
        form.addRow("تکرار گذرواژه تازه:", self.new2)
        form.addRow(self.message)
        form.addRow(self.ok_button)
        self.changed = False

    def change(self) -> None:
        if self.new.text() != self.new2.text():
            self.message.error("دو گذرواژه تازه یکی نیستند")
            return
        self.ok_button.setEnabled(False)

        def done(_r) -> None:
            self.changed = True
            self.accept()

        def failed(exc) -> None:
            self.ok_button.setEnabled(True)
            self.message.error(error_text(exc))

        self.runner.run(
            users.change_own_password,
            self.ctx,
            self.old.text(),
            self.new.text(),
            on_done=done,
            on_error=failed,
            owner=self,
        )

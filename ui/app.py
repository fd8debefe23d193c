"""Start-up: Persian first, the database opened (upgraded after a backup) off the GUI thread,
the login, then the main window with the sections the role may use."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import text

from app.db.engine import make_engine
from app.db.migrate import open_database
from app.services import users
from app.services.context import ServiceContext

from . import theme
from .settings import Settings, url_of
from .tasks import TaskRunner, error_text
from .widgets import Message


def application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    theme.setup(app)
    return app


def test_connection(url: str) -> str:
    engine = make_engine(url)
    try:
        with engine.connect() as c:
            c.execute(text("SELECT 1"))
        return engine.dialect.name
    finally:
        engine.dispose()


class ConnectionDialog(QDialog):
    """The local SQLite file, or PostgreSQL on the LAN, with "test connection"."""

    def __init__(self, settings: Settings, runner: TaskRunner, parent=None):
        super().__init__(parent)
        self.settings, self.runner = settings, runner
        self.setWindowTitle("اتصال به پایگاه داده")
        conn = settings.connection()
        self.sqlite = QRadioButton("پرونده محلی SQLite (یک میز)", self)
        self.pg = QRadioButton("سرور PostgreSQL در شبکه", self)
        self.stack = QStackedWidget(self)
        s_page = QWidget(self)
        sf = QFormLayout(s_page)
        self.path = _ltr(QLineEdit(conn["path"], s_page))
        browse = QPushButton("انتخاب…", s_page)
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        sf.addRow("پرونده:", row)
        p_page = QWidget(self)
        pf = QFormLayout(p_page)
        self.host = _ltr(QLineEdit(conn["host"], p_page))
        self.port = QSpinBox(p_page)
        self.port.setRange(1, 65535)
        self.port.setValue(int(conn["port"] or 5432))
        self.port.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self.database = _ltr(QLineEdit(conn["database"], p_page))
        self.user = _ltr(QLineEdit(conn["user"], p_page))
        self.password = _ltr(QLineEdit(conn["password"], p_page))
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        pf.addRow("میزبان:", self.host)
        pf.addRow("درگاه:", self.port)
        pf.addRow("پایگاه داده:", self.database)
        pf.addRow("کاربر:", self.user)
        pf.addRow("گذرواژه:", self.password)
        self.stack.addWidget(s_page)
        self.stack.addWidget(p_page)
        self.sqlite.toggled.connect(lambda on: self.stack.setCurrentIndex(0 if on else 1))
        (self.pg if conn["kind"] == "postgresql" else self.sqlite).setChecked(True)
        self.stack.setCurrentIndex(1 if conn["kind"] == "postgresql" else 0)
        self.test_button = QPushButton("آزمایش اتصال", self)
        self.test_button.clicked.connect(self.test)
        self.result = Message(self)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.sqlite)
        lay.addWidget(self.pg)
        lay.addWidget(self.stack)
        tr = QHBoxLayout()
        tr.addWidget(self.test_button)
        tr.addWidget(self.result, 1)
        lay.addLayout(tr)
        lay.addWidget(buttons)
        self.resize(520, 320)

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self,
            "پرونده پایگاه داده",
            self.path.text(),
            "SQLite (*.sqlite *.db)",
            options=QFileDialog.Option.DontConfirmOverwrite,
        )
        if path:
            self.path.setText(path)

    def values(self) -> dict[str, str]:
        return {
            "kind": "sqlite" if self.sqlite.isChecked() else "postgresql",
            "path": self.path.text().strip(),
            "host": self.host.text().strip(),
            "port": str(self.port.value()),
            "database": self.database.text().strip(),
            "user": self.user.text().strip(),
            "password": self.password.text(),
        }

    def test(self) -> None:
        self.test_button.setEnabled(False)
        self.result.setStyleSheet("")
        self.result.setText("در حال آزمایش…")

        def done(dialect: str) -> None:
            self.test_button.setEnabled(True)
            self.result.ok(f"اتصال برقرار شد ({dialect})")

        def failed(exc) -> None:
            self.test_button.setEnabled(True)
            self.result.error(f"اتصال برقرار نشد: {str(exc).splitlines()[0][:160]}")

        self.runner.run(
            test_connection, url_of(self.values()), on_done=done, on_error=failed, owner=self
        )

    def save(self) -> None:
        self.settings.set_connection(self.values())
        self.accept()


class LoginDialog(QDialog):
    """Opens the database in the background (upgrade after backup), then signs in (U1)."""

    def __init__(self, settings: Settings, runner: TaskRunner, url: str | None = None, parent=None):
        super().__init__(parent)
        self.settings, self.runner = settings, runner
        self.url = url
        self.engine = None
        self.ctx: ServiceContext | None = None
        self.actor = None
        self.setWindowTitle("ورود به میز ارجاع نظارت")
        title = QLabel("<h2>میز ارجاع نظارت</h2>سازمان نظام مهندسی ساختمان استان", self)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.username = _ltr(QLineEdit(self))
        self.password = _ltr(QLineEdit(self))
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.db_label = QLabel(self)
        self.db_label.setWordWrap(True)
        self.connection_button = QPushButton("اتصال…", self)
        self.connection_button.clicked.connect(self.edit_connection)
        self.login_button = QPushButton("ورود", self)
        self.login_button.setDefault(True)
        self.login_button.setEnabled(False)
        self.login_button.clicked.connect(self.login)
        self.password.returnPressed.connect(self.login)
        self.username.returnPressed.connect(self.password.setFocus)
        self.message = Message(self)
        form = QFormLayout()
        form.addRow("نام کاربری:", self.username)
        form.addRow("گذرواژه:", self.password)
        db_row = QHBoxLayout()
        db_row.addWidget(self.db_label, 1)
        db_row.addWidget(self.connection_button)
        form.addRow("پایگاه داده:", db_row)
        lay = QVBoxLayout(self)
        lay.addWidget(title)
        lay.addLayout(form)
        lay.addWidget(self.message)
        lay.addWidget(self.login_button)
        self.resize(460, 300)
        self.username.setFocus()
        self.open_db()

    def open_db(self) -> None:
        url = self.url or self.settings.database_url()
        self.db_label.setText(_safe(url))
        self.login_button.setEnabled(False)
        self.message.setStyleSheet("")
        self.message.setText("در حال باز کردن پایگاه داده (پشتیبان و به‌روزرسانی ساختار)…")

        def done(engine) -> None:
            self.engine = engine
            self.ctx = ServiceContext(engine)
            self.message.clear()
            self.login_button.setEnabled(True)

        def failed(exc) -> None:
            self.message.error(f"پایگاه داده باز نشد: {str(exc).splitlines()[0][:200]}")

        self.runner.run(
            open_database, url, on_done=done, on_error=failed, owner=self, label="پایگاه داده"
        )

    def edit_connection(self) -> None:
        dlg = ConnectionDialog(self.settings, self.runner, self)
        if dlg.exec() == QDialog.DialogCode.Accepted:
            self.url = None
            self.open_db()

    def login(self) -> None:
        if self.ctx is None or not self.login_button.isEnabled():
            return
        self.login_button.setEnabled(False)
        ctx, name, pw = self.ctx, self.username.text().strip(), self.password.text()

        def done(actor) -> None:
            self.actor = actor
            self.accept()

        def failed(exc) -> None:
            self.login_button.setEnabled(True)
            self.message.error(error_text(exc))
            self.password.selectAll()
            self.password.setFocus()

        self.runner.run(
            users.authenticate, ctx, name, pw, on_done=done, on_error=failed, owner=self
        )


def _ltr(edit: QLineEdit) -> QLineEdit:
    edit.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
    return edit


def _safe(url: str) -> str:
    """The URL without its password."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        cred, host = rest.rsplit("@", 1)
        return f"{scheme}://{cred.split(':', 1)[0]}@{host}"
    return url


class SmsOutbox(QObject):
    """A8: every minute, the outbox's due messages go out through the task runner (never on
    the GUI thread), as the system (the sender is the application, not the signed-in user).
    The default gateway is the file gateway in the data folder; settings `sms/timer` = 0 turns
    the timer off, `sms/file` names another file."""

    INTERVAL_MS = 60_000

    def __init__(self, ctx: ServiceContext, runner: TaskRunner, path, parent=None):
        super().__init__(parent)
        from app.services.context import SYSTEM

        self.ctx, self.runner, self.path = ctx.as_actor(SYSTEM), runner, path
        self.gateway = None
        self.last = None  # the last SendSummary, or the exception
        self._running = False
        self.timer = QTimer(self)
        self.timer.setInterval(self.INTERVAL_MS)
        self.timer.timeout.connect(self.tick)

    def start(self) -> None:
        self.timer.start()

    def tick(self) -> None:
        if self._running:  # the previous round is still sending
            return
        self._running = True
        ctx, path = self.ctx, self.path

        def work():
            from pathlib import Path

            from app.services import sms

            if self.gateway is None:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
                self.gateway = sms.FileGateway(path)
            return sms.send_pending(ctx, self.gateway)

        def done(summary) -> None:
            self._running = False
            self.last = summary

        def failed(exc) -> None:  # the messages stay in the outbox for the next round
            self._running = False
            self.last = exc

        self.runner.run(work, on_done=done, on_error=failed, owner=self, label="")


def sms_outbox(ctx: ServiceContext, runner: TaskRunner, settings: Settings, parent=None):
    """The outbox timer, started; None when turned off in the settings (`sms/timer` = 0)."""
    if settings.get("sms/timer", "1").strip().lower() in ("0", "false", "no", "off"):
        return None
    from app.db.engine import default_data_dir

    path = settings.get("sms/file", "") or str(default_data_dir() / "sms-outbox.jsonl")
    box = SmsOutbox(ctx, runner, path, parent)
    box.start()
    return box


def run_desktop(argv: list[str], url: str | None = None) -> int:
    from .mainwindow import MainWindow

    app = application(argv)
    settings = Settings()
    runner = TaskRunner(app)
    login = LoginDialog(settings, runner, url)
    if login.exec() != QDialog.DialogCode.Accepted:
        return 0
    ctx = login.ctx.as_actor(login.actor)
    win = MainWindow(ctx, runner)
    win.outbox = sms_outbox(ctx, runner, settings, win)
    win.show()
    return app.exec()

"""Start-up: Persian first, the database opened (upgraded after a backup) off the GUI thread,
the login, then the main window with the sections the role may use."""

from __future__ import annotations

import os
import sys
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from . import (
    qtcompat,  # noqa: F401  (the binding's reference work-arounds, before any widget)
    theme,
)
from .message import Message
from .settings import Settings, url_of
from .tasks import TaskRunner, error_text

if TYPE_CHECKING:  # the database layer is imported after the login window is painted
    from app.services.context import ServiceContext

# `main.py` with this set prints `painted <ms>` once the login window is first painted, and
# exits (the cold-start figure of `main.py bench`); never set it on a desk.
EXIT_ON_PAINT = "NEZARAT_EXIT_ON_PAINT"


def settle_heap() -> None:
    """Once the desk is up (the database layer imported, the main window built): the objects
    made so far live as long as the process, so the cyclic collector stops walking them
    (`gc.freeze`). With SQLAlchemy's and Qt's hundreds of thousands of them, each full
    collection was a 100 ms pause in whatever one was doing — typing in a filter, scrolling."""
    import gc

    gc.collect()
    gc.freeze()


SWITCH_INTERVAL_S = 0.001


def application(argv: list[str] | None = None) -> QApplication:
    # Workers (the task runner) run Python too; the GUI thread waits for the interpreter
    # lock up to one switch interval each time it wants it back — 5 ms by default, a stall
    # at every signal from a worker. 1 ms keeps the GUI thread's waits short.
    sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL_S))
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    theme.setup(app)
    return app


def test_server(url: str, ca_file: str) -> str:
    """The office server's health answer (its schema and time), over HTTPS as the desk will."""
    from .office_link import OfficeLink

    with OfficeLink(url, ca_file or None, timeout=10) as c:
        r = c.get("/healthz")
        body = r.json()
    if r.status != 200:
        raise RuntimeError(body.get("status", f"HTTP {r.status}"))
    return f"نسخه ساختار {body.get('schema')}"


class ConnectionDialog(QDialog):
    """This desk's own SQLite file (one user, no server), or the office server on the LAN,
    with "test connection". No database password is asked for or kept: on a LAN only the
    office server holds one."""

    def __init__(self, settings: Settings, runner: TaskRunner, parent=None):
        super().__init__(parent)
        self.settings, self.runner = settings, runner
        self.setWindowTitle("اتصال")
        conn = settings.connection()
        self.sqlite = QRadioButton("پرونده محلی SQLite (یک میز، تک‌کاربره، بدون سرور)", self)
        self.server = QRadioButton("سرور دفتر در شبکه", self)
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
        self.address = _ltr(QLineEdit(conn["server"], p_page))
        self.address.setPlaceholderText("https://nezarat.office.local:8443")
        self.ca_file = _ltr(QLineEdit(conn["ca_file"], p_page))
        self.ca_file.setPlaceholderText("office-ca.crt")
        ca_browse = QPushButton("انتخاب…", p_page)
        ca_browse.clicked.connect(self._browse_ca)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_file, 1)
        ca_row.addWidget(ca_browse)
        pf.addRow("نشانی سرور:", self.address)
        pf.addRow("گواهی مرجع دفتر:", ca_row)
        self.stack.addWidget(s_page)
        self.stack.addWidget(p_page)
        self.sqlite.toggled.connect(lambda on: self.stack.setCurrentIndex(0 if on else 1))
        (self.server if conn["kind"] == "server" else self.sqlite).setChecked(True)
        self.stack.setCurrentIndex(1 if conn["kind"] == "server" else 0)
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
        lay.addWidget(self.server)
        lay.addWidget(self.stack)
        tr = QHBoxLayout()
        tr.addWidget(self.test_button)
        tr.addWidget(self.result, 1)
        lay.addLayout(tr)
        lay.addWidget(buttons)
        self.resize(560, 280)

    def _browse(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getSaveFileName(
            self,
            "پرونده پایگاه داده",
            self.path.text(),
            "SQLite (*.sqlite *.db)",
            options=QFileDialog.Option.DontConfirmOverwrite,
        )
        if path:
            self.path.setText(path)

    def _browse_ca(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getOpenFileName(
            self, "گواهی مرجع دفتر", self.ca_file.text(), "PEM (*.crt *.pem)"
        )
        if path:
            self.ca_file.setText(path)

    def values(self) -> dict[str, str]:
        return {
            "kind": "sqlite" if self.sqlite.isChecked() else "server",
            "path": self.path.text().strip(),
            "server": self.address.text().strip().rstrip("/"),
            "ca_file": self.ca_file.text().strip(),
        }

    def test(self) -> None:
        self.test_button.setEnabled(False)
        self.result.setStyleSheet("")
        self.result.setText("در حال آزمایش…")
        v = self.values()

        def done(what: str) -> None:
            self.test_button.setEnabled(True)
            self.result.ok(f"اتصال برقرار شد ({what})")

        def failed(exc) -> None:
            self.test_button.setEnabled(True)
            self.result.error(f"اتصال برقرار نشد: {str(exc).splitlines()[0][:160]}")

        if v["kind"] == "server":
            self.runner.run(
                test_server, v["server"], v["ca_file"], on_done=done, on_error=failed, owner=self
            )
        else:
            self.runner.run(test_connection, url_of(v), on_done=done, on_error=failed, owner=self)

    def save(self) -> None:
        self.settings.set_connection(self.values())
        self.accept()


def _refuse_missing_file(url: str) -> None:
    """A SQLite file that is not there is named, never quietly made; only the desk's own
    default file is made on the first run — the one-desk zero-setup."""
    from app.db.engine import default_url, missing_file, sqlite_path

    path = sqlite_path(url)
    if path is not None and url != default_url() and not path.is_file():
        raise FileNotFoundError(missing_file(path))


def test_connection(url: str) -> str:
    from sqlalchemy import text

    from app.db.engine import make_engine

    _refuse_missing_file(url)
    engine = make_engine(url)
    try:
        with engine.connect() as c:
            c.execute(text("SELECT 1"))
        return engine.dialect.name
    finally:
        engine.dispose()


def _open_database(url: str):
    """The worker's half of opening (SQLAlchemy, Alembic and the services are imported here,
    off the GUI thread, once the login window is on the screen)."""
    from pathlib import Path

    from app.db.migrate import open_database
    from app.services import users  # noqa: F401  (loaded now, not at the first sign-in)
    from app.services.context import ServiceContext

    _refuse_missing_file(url)
    head = (
        Path(url.split("///", 1)[1] + ".audit-head.json") if url.startswith("sqlite:///") else None
    )
    return ServiceContext(open_database(url), audit_head=head)


def _sign_in_remote(url: str, ca_file: str, name: str, password: str):
    from .remote import RemoteContext

    return RemoteContext.sign_in(url, name, password, ca_file or None)


def _authenticate(ctx, name: str, password: str):
    from app.services import users

    return users.authenticate(ctx, name, password)


class LoginDialog(QDialog):
    """Opens the database in the background (upgrade after backup), then signs in (U1).

    The opening starts once the window has been painted (or at the first turn of the event
    loop when the dialog is not shown): the login window never waits for SQLAlchemy, nor for
    PySide's `Qt` namespace (the two fields turn left-to-right right after that paint)."""

    OPEN_AT_THE_LATEST_MS = 300

    def __init__(self, settings: Settings, runner: TaskRunner, url: str | None = None, parent=None):
        super().__init__(parent)
        self.settings, self.runner = settings, runner
        self.url = url
        self.engine = None
        self.ctx: ServiceContext | None = None
        self.actor = None
        self.setWindowTitle("ورود به میز ارجاع نظارت")
        title = QLabel(
            '<h2 align="center">میز ارجاع نظارت</h2>'
            '<p align="center">سازمان نظام مهندسی ساختمان استان</p>',
            self,
        )
        self.username = QLineEdit(self)  # left-to-right once painted (`_open_first`)
        self.password = QLineEdit(self)
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
        self._show_opening()
        self._open_pending = True
        self.installEventFilter(self)
        QTimer.singleShot(0, self._open_if_hidden)

    def eventFilter(self, obj, event) -> bool:
        if obj is self and event.type() == QEvent.Type.Paint and self._open_pending:
            self.removeEventFilter(self)
            QTimer.singleShot(0, self._open_first)  # after this paint has reached the screen
        return False

    def _open_if_hidden(self) -> None:
        if self._open_pending and not self.isVisible():
            self._open_first()
        elif self._open_pending:  # shown but not painted yet (minimised?): not for long
            QTimer.singleShot(self.OPEN_AT_THE_LATEST_MS, self._open_first)

    def _open_first(self) -> None:
        if self._open_pending:
            self._open_pending = False
            self.removeEventFilter(self)
            _ltr(self.username)
            _ltr(self.password)
            self.open_db()

    def _target(self) -> tuple[str, str, str]:
        """("sqlite", url, "") for this desk's own file, ("server", address, CA file) for the
        office server. A `url` given to the dialog that starts with http(s) is a server."""
        if self.url:
            if self.url.startswith(("https://", "http://")):
                return "server", self.url, ""
            return "sqlite", self.url, ""
        conn = self.settings.connection()
        if conn["kind"] == "server":
            return "server", conn["server"], conn["ca_file"]
        return "sqlite", self.settings.database_url(), ""

    def _show_opening(self) -> str:
        kind, url, _ = self._target()
        self.db_label.setText(f"سرور دفتر: {url}" if kind == "server" else _safe(url))
        self.login_button.setEnabled(False)
        self.message.setStyleSheet("")
        self.message.setText("در حال باز کردن پایگاه داده (پشتیبان و به‌روزرسانی ساختار)…")
        return url

    def open_db(self) -> None:
        self._open_pending = False
        url = self._show_opening()
        if self._target()[0] == "server":  # nothing to open: the server holds the database
            self.ctx = None
            self.message.clear()
            self.login_button.setEnabled(True)
            return

        def done(ctx) -> None:
            self.engine = ctx.engine
            self.ctx = ctx
            self.message.clear()
            self.login_button.setEnabled(True)

        def failed(exc) -> None:
            self.message.error(f"پایگاه داده باز نشد: {str(exc).splitlines()[0][:200]}")

        self.runner.run(
            _open_database, url, on_done=done, on_error=failed, owner=self, label="پایگاه داده"
        )

    def edit_connection(self) -> None:
        dlg = ConnectionDialog(self.settings, self.runner, self)
        if dlg.exec() == QDialog.DialogCode.Accepted:
            self.url = None
            self.open_db()

    def login(self) -> None:
        kind, url, ca_file = self._target()
        if not self.login_button.isEnabled() or (kind == "sqlite" and self.ctx is None):
            return
        self.login_button.setEnabled(False)
        ctx, name, pw = self.ctx, self.username.text().strip(), self.password.text()

        def failed(exc) -> None:
            self.login_button.setEnabled(True)
            self.message.error(error_text(exc))
            self.password.selectAll()
            self.password.setFocus()

        if kind == "server":

            def signed_in(remote) -> None:
                self.ctx, self.actor = remote, remote.actor
                self.accept()

            self.runner.run(
                _sign_in_remote,
                url,
                ca_file,
                name,
                pw,
                on_done=signed_in,
                on_error=failed,
                owner=self,
            )
            return

        def done(actor) -> None:
            self.actor = actor
            self.accept()

        self.runner.run(_authenticate, ctx, name, pw, on_done=done, on_error=failed, owner=self)


def _ltr(edit: QWidget) -> QWidget:
    # `Qt` is imported here, not at the top: PySide6 builds every enum of the `Qt` namespace
    # at its first use (40-60 ms), and the login window is painted before that (cold start)
    from PySide6.QtCore import Qt

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


class _ExitOnPaint(QObject):
    """`NEZARAT_EXIT_ON_PAINT`: once `window` is first painted, print the milliseconds since
    `started` (a `time.perf_counter()` taken at the top of `main.py`) and end the process."""

    def __init__(self, window: QWidget, started: float | None):
        super().__init__(window)
        self.started = time.perf_counter() if started is None else started
        window.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.Paint:
            obj.removeEventFilter(self)
            QTimer.singleShot(0, self._exit)  # after the paint has been flushed
        return False

    def _exit(self) -> None:
        print(f"painted {(time.perf_counter() - self.started) * 1000:.1f}", flush=True)
        os._exit(0)  # nothing to tear down: measured is the start, not the exit


def run_desktop(argv: list[str], url: str | None = None, started: float | None = None) -> int:
    app = application(argv)
    settings = Settings()
    runner = TaskRunner(app)
    login = LoginDialog(settings, runner, url)
    if os.environ.get(EXIT_ON_PAINT):
        _ExitOnPaint(login, started)
    if login.exec() != QDialog.DialogCode.Accepted:
        return 0
    from .mainwindow import MainWindow

    ctx = login.ctx.as_actor(login.actor)
    win = MainWindow(ctx, runner)
    # the one desk sends its own outbox; with an office server, the server does (A8)
    win.outbox = None if ctx.remote else sms_outbox(ctx, runner, settings, win)
    win.show()
    QTimer.singleShot(0, settle_heap)
    return app.exec()

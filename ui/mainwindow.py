"""The main window: the sections the user's role may use (U1), a status bar with progress."""

from __future__ import annotations

import time

from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTabWidget,
)

from app.services.permissions import ALLOWED

from . import fmt
from .qtcompat import emit
from .screens.audit import AuditScreen
from .screens.board import BoardScreen
from .screens.cartable import CartableScreen
from .screens.counter import CounterScreen
from .screens.engineers import EngineersScreen
from .screens.finance import FinanceScreen, StageReportScreen
from .screens.organization import OrganizationScreen
from .screens.policy import PolicyScreen
from .screens.signing import SigningScreen
from .screens.users import OwnPasswordDialog, UsersScreen
from .tasks import TaskRunner

ROLE_FA = {
    "admin": "مدیر سامانه",
    "clerk": "کارشناس پذیرش",
    "finance": "کارشناس مالی",
    "manager": "مدیر ارجاع",
    "engineer": "مهندس",
}

# (screen, the U1 action that opens it); None: every staff role (not engineers)
SECTIONS = (
    (CounterScreen, "project.register"),
    (SigningScreen, "referral.sign"),
    (StageReportScreen, "payout.report"),  # F3: the clerk records; finance approves
    (FinanceScreen, "fee.decide"),  # U1: the finance officer only
    (BoardScreen, "deadline.run"),
    (CartableScreen, "candidacy.stand"),
    (EngineersScreen, None),
    (AuditScreen, "audit.read"),
    (PolicyScreen, "policy.edit"),  # U1: the administrator only (issue 5)
    (OrganizationScreen, "organization.edit"),  # the papers' particulars (issue 14)
    (UsersScreen, "user.manage"),  # who may sign in (issue 12: users, passwords, disabling)
)


def sections_for(role: str) -> list[type]:
    return [
        cls
        for cls, action in SECTIONS
        if (role != "engineer" if action is None else role in ALLOWED[action])
    ]


class MainWindow(QMainWindow):
    def __init__(self, ctx, runner: TaskRunner, full_name: str = ""):
        super().__init__()
        self.ctx, self.runner = ctx, runner
        actor = ctx.actor
        role = ROLE_FA.get(actor.role, actor.role)
        self.setWindowTitle(f"میز ارجاع نظارت — {full_name or actor.username} ({role})")
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.screens: dict[str, object] = {}
        for cls in sections_for(actor.role):
            screen = cls(ctx, runner, self.tabs)
            self.screens[cls.name] = screen
            self.tabs.addTab(screen, cls.title)
        self.setCentralWidget(self.tabs)
        self.tabs.currentChanged.connect(self._shown)
        self.busy = QProgressBar(self)
        self.busy.setMaximumWidth(180)
        self.busy.setRange(0, 0)
        self.busy.setVisible(False)
        self.who = QLabel(f"کاربر: {actor.username} — {ROLE_FA.get(actor.role, actor.role)}", self)
        self.password_button = QPushButton("تغییر گذرواژه", self)
        self.password_button.setFlat(True)
        self.password_button.clicked.connect(self.change_password)
        self.statusBar().addPermanentWidget(self.password_button)
        self.statusBar().addPermanentWidget(self.who)
        self.statusBar().addPermanentWidget(self.busy)
        runner.busy_changed.connect(self._busy)
        runner.progress.connect(self._progress)
        runner.error.connect(lambda text: self.statusBar().showMessage(text, 10_000))
        runner.notice.connect(self._notice)
        self._notice_until = 0.0
        if getattr(ctx, "remote", False):  # the office server: say so when a call is retried
            ctx.on_retry = lambda attempt, _name: emit(
                runner.notice,
                f"ارتباط با سرور دفتر قطع شد؛ همان درخواست دوباره فرستاده می‌شود "
                f"(بار {fmt.fa(attempt)})…",
            )
        self._loaded: set[int] = set()
        self.resize(1280, 800)
        self._shown(self.tabs.currentIndex())

    def change_password(self) -> None:
        dlg = OwnPasswordDialog(self.ctx, self.runner, self)
        if dlg.exec() and dlg.changed:
            if getattr(self.ctx, "remote", False):  # every session ended, this one too
                QMessageBox.information(
                    self, "گذرواژه عوض شد", "گذرواژه عوض شد. با گذرواژه تازه دوباره وارد شوید."
                )
                self.close()
            else:
                self.statusBar().showMessage("گذرواژه عوض شد", 8000)

    def _busy(self, n: int) -> None:
        self.busy.setVisible(n > 0)
        if n == 0 and time.monotonic() > self._notice_until:
            self.statusBar().clearMessage()

    def _notice(self, text: str) -> None:
        self._notice_until = time.monotonic() + 8
        self.statusBar().showMessage(text, 8000)

    def _progress(self, label: str, done: int, total: int) -> None:
        if total:
            self.busy.setRange(0, total)
            self.busy.setValue(done)
        else:
            self.busy.setRange(0, 0)
        if label and time.monotonic() > self._notice_until:
            self.statusBar().showMessage(f"در حال بارگذاری: {label}…", 2000)

    def _shown(self, i: int) -> None:
        if i < 0:
            return
        w = self.tabs.widget(i)
        if id(w) not in self._loaded:
            self._loaded.add(id(w))
            w.refresh()

    def show_screen(self, name: str):
        w = self.screens[name]
        self.tabs.setCurrentWidget(w)
        return w

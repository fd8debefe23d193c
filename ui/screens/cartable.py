"""The engineer's cartable: matching open referrals with their deadline (the day and hour, and
the time left), stand and cancel (C1–C5, a refusal names every rule in Persian; a cancel is
confirmed first, saying it is allowed once), the public candidate lists (C6), my selections,
my score with its ledger and my capacity. An engineer who qualifies for nothing sees what
keeps him out and what to do (`domain/candidacy.out_of_everything`). One word throughout:
کاندیداتوری (rules.md)."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.domain.rules_fa import RULE_TEXT_FA
from app.services import browse, candidacy, queries

from .. import fmt, widgets
from ..models import Column
from ..qtcompat import emit
from ..widgets import Gauge, ListPanel
from .base import Screen
from .engineers import LEDGER_COLUMNS, ledger_rows

CANCEL_ONCE = (
    "لغو کاندیداتوری برای هر ارجاع تنها یک بار مجاز است (C4): پس از آن می‌توانید دوباره "
    "کاندیدا شوید، ولی دیگر نمی‌توانید لغو کنید. شمار لغوهای هر روز نیز سقف دارد (C5)."
)


class CartableScreen(Screen):
    title = "کارتابل من"
    name = "cartable"
    stood = Signal(int)

    def __init__(self, ctx, runner, parent=None):
        super().__init__(ctx, runner, parent)
        self.me = ctx.actor.engineer_id
        # C4: the referrals whose one cancel has been used since the rows were read (a row
        # read after it carries `cancel_used` itself)
        self.cancel_used: set[int] = set()
        now = ctx.now
        self.items = ListPanel(
            "ارجاع‌های باز متناسب با من",
            [
                Column("پرونده", lambda i: i.file_no),
                Column("رشته", lambda i: i.discipline, fmt.discipline),
                Column("گروه", lambda i: i.group, fmt.group),
                Column("متراژ", lambda i: i.area),
                Column("دور", lambda i: i.round_no),
                Column("کاندیداها", lambda i: i.candidates),
                Column("کاندیدا هستم", lambda i: i.standing),
                Column("مهلت (C3)", lambda i: i.deadline),
                Column("مانده تا مهلت", lambda i: i.deadline, lambda d: fmt.countdown(d, now())),
            ],
        )
        self.candidates = ListPanel(
            "فهرست عمومی کاندیداها (C6)",
            [
                Column("رتبه", lambda c: c[0]),
                Column("شماره عضویت", lambda c: c[1].membership_no, ltr=True),
                Column("نام", lambda c: c[1].name),
                Column("امتیاز", lambda c: float(c[1].score), lambda v: fmt.fa(round(v, 2))),
            ],
        )
        self.selections = ListPanel(
            "ارجاع‌های من",
            [
                Column("پرونده", lambda r: r.file_no),
                Column("رشته", lambda r: r.discipline, fmt.discipline),
                Column("متراژ", lambda r: r.area),
                Column("وضعیت", lambda r: r.status, fmt.status),
                Column("امضا تا", lambda r: r.sign_until),
            ],
        )
        self.ledger = ListPanel("دفتر امتیاز من (S8)", LEDGER_COLUMNS)
        widgets.wrap_last_column(self.ledger.view)  # «شرح» whole, wrapped
        self.blocks = QLabel(self)  # what keeps me out of every referral, and what to do
        self.blocks.setWordWrap(True)
        self.blocks.setStyleSheet(
            "background: #fff4e5; border: 1px solid #e0a040; padding: 8px; font-size: 11pt;"
        )
        self.blocks.hide()
        self.stand_button = QPushButton("کاندیدا می‌شوم (Ctrl+Enter)", self)
        self.stand_button.setShortcut("Ctrl+Return")
        self.cancel_button = QPushButton("لغو کاندیداتوری…", self)
        self.cancel_button.setToolTip("تنها یک بار برای هر ارجاع (C4)")
        self.stand_button.clicked.connect(self.stand)
        self.cancel_button.clicked.connect(self.cancel)
        self.items.selected.connect(self._selected)
        self.score = QLabel(self)
        self.jobs = QLabel(self)
        self.gauge = Gauge(self)

        me_box = QGroupBox("وضعیت من", self)
        mf = QFormLayout(me_box)
        mf.addRow("امتیاز:", self.score)
        mf.addRow("ظرفیت متراژ:", self.gauge)
        mf.addRow("کارهای در دست:", self.jobs)
        buttons = QHBoxLayout()
        buttons.addWidget(self.stand_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        left = QWidget(self)
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.blocks)
        ll.addWidget(self.items, 1)
        ll.addLayout(buttons)
        ll.addWidget(self.message)
        right = QWidget(self)
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(me_box)
        rl.addWidget(self.candidates, 1)
        rl.addWidget(self.selections, 1)
        rl.addWidget(self.ledger, 1)
        split = QSplitter(self)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        QVBoxLayout(self).addWidget(split)
        self._enable(None)
        self.clock = QTimer(self)
        self.clock.setInterval(1000)
        self.clock.timeout.connect(self._tick)
        self.clock.start()

    def refresh(self) -> None:
        ctx, me = self.ctx, self.me

        def work():
            items = candidacy.cartable(ctx, me)
            standing = queries.engineer_standings(ctx, [me])[me]
            overview = queries.referrals_overview(ctx)
            mine = [r for r in overview if r.engineer_id == me]
            # (with an empty cartable: why; past a deadline the run has yet to decide, his
            # candidacies awaiting it are the service's C3 block)
            blocks = candidacy.cartable_blocks(ctx, me) if not items else []
            ledger = ledger_rows(browse.engineer_file(ctx, me))
            now = ctx.now()
            overdue = 0
            if not items:
                overdue = sum(
                    1
                    for r in overview
                    if r.status == "open" and r.deadline is not None and r.deadline <= now
                )
            return items, standing, mine, blocks, ledger, overdue

        self.run(work, on_done=self._loaded)

    def _loaded(self, result) -> None:
        items, st, mine, blocks, ledger, overdue = result
        cur = self.items.current()
        self.items.set_rows(items)
        self.selections.set_rows(mine)
        self.ledger.set_rows(ledger)
        self._show_blocks(items, blocks, overdue)
        self.score.setText(fmt.code(round(st.score, 2)))
        self.jobs.setText(fmt.fa(st.active_jobs))
        self.gauge.set_usage(float(st.used_m2), float(st.capacity_m2))
        row = next(
            (i for i, it in enumerate(items) if cur and it.referral_id == cur.referral_id), 0
        )
        if items:
            self.items.select_row(row)
        self._selected(self.items.current())

    def _show_blocks(self, items, blocks, overdue: int = 0) -> None:
        """An empty cartable says why: each rule that keeps me out, and what to do; after a
        deadline, that the run decides (my candidacies awaiting it: the C3 block)."""
        if items:
            self.blocks.hide()
            return
        if overdue:
            self.message.clear()  # an earlier refusal no longer applies
        if overdue and not blocks:
            text = (
                "<b>مهلت کاندیداتوری (C3) گذشته است</b>؛ اجرای مهلت، ارجاع‌ها را تصمیم "
                "می‌گیرد و نتیجه پس از آن در «ارجاع‌های من» و فهرست‌های عمومی می‌آید."
            )
            self.blocks.setText(text)
            self.blocks.show()
            return
        if blocks:
            lines = [
                f"<li><b>{RULE_TEXT_FA.get(b.rule, b.rule)} ({b.rule})</b> — {b.message}</li>"
                for b in blocks
            ]
            self.blocks.setText(
                "<b>هیچ ارجاعی در کارتابل شما نیست، زیرا:</b><ul>" + "".join(lines) + "</ul>"
            )
        else:
            self.blocks.setText(
                "اکنون ارجاع بازی با صلاحیت، پایه و گروه‌های اعلام‌شده شما نیست؛ "
                "ارجاع‌های تازه پس از ورود پرونده‌ها به توزیع اینجا می‌آیند."
            )
        self.blocks.show()

    def _tick(self) -> None:
        m = self.items.model
        if m.rowCount():
            col = len(m.columns) - 1
            emit(m.dataChanged, m.index(0, col), m.index(m.rowCount() - 1, col))

    def _enable(self, item) -> None:
        spent = item is not None and (item.cancel_used or item.referral_id in self.cancel_used)
        self.stand_button.setEnabled(item is not None and not item.standing)
        self.cancel_button.setEnabled(item is not None and item.standing and not spent)
        self.cancel_button.setToolTip(
            "لغو این کاندیداتوری یک بار انجام شده است؛ لغو دوباره مجاز نیست (C4)"
            if spent
            else "تنها یک بار برای هر ارجاع (C4)"
        )

    def _selected(self, item) -> None:
        self._enable(item)
        if item is None:
            self.candidates.set_rows([])
            return
        self.run(
            candidacy.candidates,
            self.ctx,
            item.referral_id,
            on_done=lambda cs: self.candidates.set_rows(list(enumerate(cs, 1))),
        )

    def stand(self) -> None:
        item = self.items.current()
        if item is None or item.standing:
            return
        spent = item.cancel_used or item.referral_id in self.cancel_used
        if spent and not widgets.confirm(
            self,
            "کاندیداتوری دوباره",
            f"شما کاندیداتوری {fmt.code(item.file_no)} ({fmt.discipline(item.discipline)}) را "
            "یک بار لغو کرده‌اید. اگر دوباره کاندیدا شوید، این بار نمی‌توانید آن را لغو کنید "
            "(C4: لغو برای هر ارجاع تنها یک بار). کاندیدا می‌شوید؟",
            "بله، کاندیدا می‌شوم",
        ):
            return

        def done(_r) -> None:
            self.message.ok(
                f"کاندیداتوری شما برای {fmt.code(item.file_no)} "
                f"({fmt.discipline(item.discipline)}) ثبت شد"
            )
            emit(self.stood, item.referral_id)
            self.refresh()

        self.run(candidacy.stand, self.ctx, self.me, item.referral_id, on_done=done)

    def confirm(self, text: str) -> bool:
        """Ask before an action that cannot be taken back (tests answer it themselves)."""
        box = QMessageBox(QMessageBox.Icon.Question, "لغو کاندیداتوری", text, parent=self)
        yes = box.addButton("بله، لغو شود", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("خیر", QMessageBox.ButtonRole.RejectRole)
        box.exec()
        return box.clickedButton() is yes

    def cancel(self) -> None:
        item = self.items.current()
        if item is None or not item.standing:
            return
        text = (
            f"کاندیداتوری {fmt.code(item.file_no)} ({fmt.discipline(item.discipline)}) لغو "
            "شود؟\n\n" + CANCEL_ONCE
        )
        if not self.confirm(text):
            return

        def done(_r) -> None:
            self.cancel_used.add(item.referral_id)
            self.message.ok("کاندیداتوری لغو شد؛ برای این ارجاع دیگر لغوی ندارید (C4)")
            self.refresh()

        def failed(exc) -> None:
            if "C4" in getattr(exc, "rules", ()):
                self.cancel_used.add(item.referral_id)
                self._enable(self.items.current())
            self.show_error(exc)

        self.run(
            candidacy.cancel, self.ctx, self.me, item.referral_id, on_done=done, on_error=failed
        )

"""Distribution board (referral manager): open referrals counting down to the deadline,
their candidates (C6), "why not", running the due deadlines, decisions, unassigned (A7)."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.services import browse, candidacy, deadlines, queries

from .. import fmt
from ..models import Column
from ..print_preview import daily_job, letter_job, open_document
from ..qtcompat import emit
from ..widgets import ListPanel
from .base import Screen, ltr


def _exclusions(ex: dict) -> str:
    return "، ".join(f"{k}: {fmt.fa(v)}" for k, v in sorted(ex.items(), key=lambda kv: -kv[1]))


class BoardScreen(Screen):
    title = "میز توزیع"
    name = "board"
    ran = Signal(object)  # RunSummary

    def __init__(self, ctx, runner, parent=None):
        super().__init__(ctx, runner, parent)
        now = ctx.now
        self.open = ListPanel(
            "ارجاع‌های باز",
            [
                Column("پرونده", lambda r: r.file_no),
                Column("رشته", lambda r: r.discipline, fmt.discipline),
                Column("گروه", lambda r: r.group, fmt.group),
                Column("متراژ", lambda r: r.area),
                Column("دور", lambda r: r.round_no),
                Column("مهلت", lambda r: r.deadline),
                Column("مانده", lambda r: r.deadline, lambda d: fmt.countdown(d, now())),
            ],
        )
        self.candidates = ListPanel(
            "کاندیداها و امتیازها",
            [
                Column("رتبه", lambda c: c[0]),
                Column("شماره عضویت", lambda c: c[1].membership_no, ltr=True),
                Column("نام", lambda c: c[1].name),
                Column("امتیاز", lambda c: float(c[1].score), lambda v: fmt.fa(round(v, 2))),
                Column("زمان کاندیداتوری", lambda c: c[1].stood_at),
            ],
        )
        self.decisions = ListPanel(
            "تصمیم‌ها",
            [
                Column("پرونده", lambda r: r[0].file_no),
                Column("رشته", lambda r: r[0].discipline, fmt.discipline),
                Column("دور", lambda r: r[1].no),
                Column("نوع", lambda r: r[1].kind, lambda k: fmt.KIND_FA.get(k, k)),
                Column("نتیجه", lambda r: r[1].outcome, lambda o: fmt.OUTCOME_FA.get(o, o)),
                Column("ناظر", lambda r: _winner(r), ltr=True),
                Column("مهلت", lambda r: r[1].deadline),
            ],
        )
        self.unassigned = ListPanel(
            "بدون ناظر (A7)",
            [
                Column("پرونده", lambda r: r.file_no),
                Column("رشته", lambda r: r.discipline, fmt.discipline),
                Column("گروه", lambda r: r.group, fmt.group),
                Column("دورها", lambda r: len(r.rounds)),
                Column(
                    "کنار گذاشته‌ها به تفکیک قاعده",
                    lambda r: _exclusions(r.rounds[-1].exclusions) if r.rounds else "",
                    str,
                ),
            ],
        )
        self.ranking = QTextBrowser(self)
        self.decisions.selected.connect(self._show_ranking)
        self.open.selected.connect(self._load_candidates)

        self.run_button = QPushButton("اجرای مهلت‌های سررسیده", self)
        self.run_button.setShortcut("Ctrl+R")
        self.run_button.clicked.connect(self.run_deadlines)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setFormat("")
        self.progress.setVisible(False)  # shown only while the run works (idle: an empty box)
        self.summary = QLabel(self)
        self.print_dialog = None  # the open print preview
        self.daily_button = QPushButton("چاپ گزارش توزیع روز", self)
        self.daily_button.setToolTip("گزارش عمومی آخرین اجرای مهلت")
        self.daily_button.clicked.connect(self.print_daily)
        self.letter_button = QPushButton("چاپ معرفی‌نامه پرونده", self)
        self.letter_button.setToolTip("معرفی‌نامه ناظران پرونده ارجاع انتخاب‌شده به مرجع صدور پروانه")
        self.letter_button.clicked.connect(self.print_letter)

        self.why_no = ltr(QLineEdit(self))
        self.why_no.setPlaceholderText("شماره عضویت")
        self.why_button = QPushButton("چرا نه؟", self)
        self.why_button.clicked.connect(self.why_not)
        self.why_no.returnPressed.connect(self.why_not)
        self.why_result = QLabel(self)
        self.why_result.setWordWrap(True)

        top = QHBoxLayout()
        top.addWidget(self.run_button)
        top.addWidget(self.progress, 1)
        top.addWidget(self.summary, 2)
        top.addWidget(self.daily_button)
        top.addWidget(self.letter_button)
        why = QHBoxLayout()
        why.addWidget(QLabel("چرا این مهندس برای ارجاع انتخاب‌شده نمی‌تواند؟", self))
        why.addWidget(self.why_no)
        why.addWidget(self.why_button)
        right = QWidget(self)
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.candidates, 1)
        rl.addLayout(why)
        rl.addWidget(self.why_result)
        upper = QSplitter(self)
        upper.addWidget(self.open)
        upper.addWidget(right)
        upper.setStretchFactor(0, 3)
        upper.setStretchFactor(1, 2)
        lower_dec = QSplitter(self)
        lower_dec.addWidget(self.decisions)
        lower_dec.addWidget(self.ranking)
        lower_dec.setStretchFactor(0, 3)
        lower_dec.setStretchFactor(1, 2)
        tabs = QTabWidget(self)
        tabs.addTab(lower_dec, "تصمیم‌ها و فهرست رتبه‌بندی")
        tabs.addTab(self.unassigned, "بدون ناظر")
        self.tabs = tabs
        vs = QSplitter(Qt.Orientation.Vertical, self)
        vs.addWidget(upper)
        vs.addWidget(tabs)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(vs, 1)
        lay.addWidget(self.message)

        self.clock = QTimer(self)
        self.clock.setInterval(1000)
        self.clock.timeout.connect(self._tick)
        self.clock.start()

    # ------------------------------------------------------------ loading
    def refresh(self) -> None:
        self.run(queries.referrals_overview, self.ctx, on_done=self._loaded)

    def _loaded(self, refs) -> None:
        self.referrals = refs
        self.open.set_rows([r for r in refs if r.status == "open" and r.deadline])
        self.decisions.set_rows(
            sorted(
                ((r, rnd) for r in refs for rnd in r.rounds),
                key=lambda x: (x[1].deadline, x[0].file_no),
                reverse=True,
            )
        )
        self.unassigned.set_rows([r for r in refs if r.status == "unassigned"])
        if self.open.current() is None:
            self.open.select_first()
        if self.decisions.current() is None:
            self.decisions.select_first()

    def _tick(self) -> None:
        m = self.open.model
        if m.rowCount():
            col = len(m.columns) - 1
            emit(m.dataChanged, m.index(0, col), m.index(m.rowCount() - 1, col))

    def _load_candidates(self, ref) -> None:
        if ref is None:
            self.candidates.set_rows([])
            return
        self.run(
            candidacy.candidates,
            self.ctx,
            ref.id,
            on_done=lambda cs: self.candidates.set_rows(list(enumerate(cs, 1))),
        )

    def _show_ranking(self, row) -> None:
        if row is None:
            self.ranking.clear()
            return
        ref, rnd = row
        lines = [
            f"<b>{fmt.code(ref.file_no)} — {fmt.discipline(ref.discipline)} — دور {fmt.fa(rnd.no)}"
            f" ({fmt.OUTCOME_FA.get(rnd.outcome, rnd.outcome)})</b>",
        ]
        for i, r in enumerate(rnd.ranking, 1):
            mark = " ✔" if r.engineer_id == rnd.engineer_id else ""
            lines.append(
                f"<p>{fmt.fa(i)}. {fmt.code(r.membership_no)} — امتیاز {fmt.fa(r.score)}{mark}</p>"
            )
        if rnd.set_aside:
            lines.append("<p>کنار گذاشته شدند:</p><ul>")
            for _eid, no, rules in rnd.set_aside:
                lines.append(f"<li>{fmt.code(no)}: {'، '.join(rules)}</li>")
            lines.append("</ul>")
        if rnd.exclusions:
            lines.append(f"<p>شمار مستثنی‌شدگان (A7): {_exclusions(rnd.exclusions)}</p>")
        self.ranking.setHtml("".join(lines))

    # ------------------------------------------------------------ actions
    def run_deadlines(self) -> None:
        self.run_button.setEnabled(False)
        self.progress.setRange(0, 0)  # busy until the summary comes back
        self.progress.setVisible(True)
        self.summary.setText("در حال اجرای مهلت‌ها…")

        def done(summary) -> None:
            self.progress.setRange(0, 1)
            self.progress.setValue(1)
            self.progress.setVisible(False)
            self.run_button.setEnabled(True)
            self.summary.setText(
                f"مهلت‌ها: {fmt.fa(summary.deadlines)}، تصمیم: {fmt.fa(summary.decided)}،"
                f" انتخاب: {fmt.fa(summary.selected)}، تمدید: {fmt.fa(summary.extended)}،"
                f" اجباری: {fmt.fa(summary.forced)}، بدون ناظر: {fmt.fa(summary.unassigned)}،"
                f" عدم حضور: {fmt.fa(summary.no_shows)}"
            )
            emit(self.ran, summary)
            self.refresh()

        def failed(exc) -> None:
            self.progress.setRange(0, 1)
            self.progress.setValue(0)
            self.progress.setVisible(False)
            self.run_button.setEnabled(True)
            self.summary.clear()
            self.show_error(exc)

        self.run(deadlines.run_due, self.ctx, on_done=done, on_error=failed)

    def why_not(self) -> None:
        ref = self.open.current() or (self.decisions.current() or (None,))[0]
        no = self.why_no.text().strip()
        if ref is None or not no:
            self.why_result.setText("ارجاع و شماره عضویت را انتخاب کنید")
            return
        ctx = self.ctx

        def work():
            eid = browse.engineer_id_by_no(ctx, no)
            if eid is None:
                return None
            return candidacy.why_not(ctx, eid, ref.id)

        def done(reasons) -> None:
            if reasons is None:
                self.why_result.setText("مهندسی با این شماره عضویت پیدا نشد")
            elif not reasons:
                self.why_result.setText("هیچ قاعده‌ای مانع نیست.")
            else:
                self.why_result.setText(
                    "<br>".join(f"<b>{w.rule}</b>: {w.message}" for w in reasons)
                )

        self.run(work, on_done=done)

    # ------------------------------------------------------------ printing
    def print_daily(self) -> None:
        """The public distribution sheet of the latest deadline run."""
        open_document(self, daily_job, self.ctx)

    def print_letter(self) -> None:
        """The introduction letter of the selected referral's file; a refusal (unapproved
        fee, no plate, no coordinating supervisor) is said inline, in Persian."""
        ref = (self.decisions.current() or (None,))[0] or self.open.current()
        if ref is None:
            self.message.error("یک ارجاع از فهرست تصمیم‌ها انتخاب کنید")
            return
        open_document(self, letter_job, self.ctx, ref.project_id)


def _winner(row) -> str:
    _ref, rnd = row
    for r in rnd.ranking:
        if r.engineer_id == rnd.engineer_id:
            return r.membership_no
    return ""

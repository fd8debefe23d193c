"""`main.py screenshots OUTDIR [--db URL | --server URL]`: every screen on demo data, offscreen,
to PNG — from the database itself, or through an office server as a desk of the office."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def register(sub: argparse._SubParsersAction) -> None:
    from app.db.engine import default_url

    p = sub.add_parser("screenshots", help="render every screen of the desk to PNG files")
    p.add_argument("outdir")
    p.add_argument("--db", default=default_url())
    p.add_argument(
        "--server",
        help="draw every screen through this office server (https://…), signed in "
        "as the demo's people",
    )
    p.add_argument("--ca-file", help="the office's CA certificate, for --server over HTTPS")
    p.add_argument(
        "--money-sample",
        action="store_true",
        help="first record sample money work (owner payments, renewals, stage reports) so "
        "every finance queue has rows; WRITES to the database: use on a demo copy only",
    )
    p.set_defaults(func=cmd_screenshots)
    b = sub.add_parser(
        "bench-desk",
        help="the engineers list (first paint, one filter keystroke) on the database and the "
        "cold start, each against a bare Qt limit measured in the same run",
    )
    b.add_argument("--db", default=default_url())
    b.add_argument("--repeats", type=int, default=7, help="runs per figure (medians)")
    b.add_argument("--no-cold-start", action="store_true", help="only the engineers list")
    b.set_defaults(func=_bench)
    from .bench import register_measures

    register_measures()  # the same figures in `main.py bench`


def _bench(args) -> int:
    from .bench import cmd_bench_desk

    return cmd_bench_desk(args)


def settle(runner, timeout: float = 60.0) -> None:
    """Process events until the task runner has been idle for a moment."""
    from PySide6.QtCore import QCoreApplication, QEventLoop

    end = time.monotonic() + timeout
    quiet = 0
    while time.monotonic() < end and quiet < 5:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.02)
        quiet = quiet + 1 if runner.idle() else 0


def settle_typing(widget, runner, timeout: float = 60.0) -> None:
    """`settle`, after every debounce of the screen has fired: what was typed has reached its
    live answers (the counter's group and F1 fee come 150 ms after the last key)."""
    from PySide6.QtCore import QCoreApplication, QEventLoop

    from .widgets import Debounce

    end = time.monotonic() + timeout
    while time.monotonic() < end and any(t.isActive() for t in widget.findChildren(Debounce)):
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.02)
    settle(runner, max(0.0, end - time.monotonic()))


DEMO_PASSWORDS = {
    "admin": "admin1405",
    "clerk": "clerk1405",
    "finance": "finance1405",
    "manager": "manager1405",
    "eng": "eng1405",
}


class _Tour:
    """The demo's people, each signed in once with the demo's password."""

    _signed: dict[str, Any]

    def _sign_in_as(self, name: str, password: str) -> Any:
        raise NotImplementedError

    def _sign_in(self, name: str):
        if name not in self._signed:
            password = DEMO_PASSWORDS.get(name.rstrip("0123456789")) or DEMO_PASSWORDS["eng"]
            self._signed[name] = self._sign_in_as(name, password)
        return self._signed[name]

    def ctx_for(self, name: str, role: str):
        if role != "engineer":
            return self._sign_in(name)
        from app.domain.errors import RuleViolation
        from app.services import candidacy

        for i in range(1, 10):  # the first demo engineer with something to stand for
            try:
                ctx = self._sign_in(f"eng{i}")
            except RuleViolation:  # the demo's engineers with a login are fewer: none has
                break
            if candidacy.cartable(ctx, ctx.actor.engineer_id):
                return ctx
        return self._sign_in(name)


class _LocalTour(_Tour):
    """The demo's people on the database itself (`--db`), each signed in with the demo's
    password (`users.authenticate`): the tour acts as people who proved who they are, so on an
    office's own database — whose people have other passwords — it stops before anything."""

    def __init__(self, url: str, money: bool):
        from sqlalchemy import select

        from app.cli.errors import open_existing, require_demo
        from app.db.models import Project
        from app.services.context import ServiceContext

        engine = open_existing(url)
        require_demo(engine, "screenshots")  # an empty database: say how to build the demo
        self.base = ServiceContext(engine)
        self._signed: dict[str, object] = {}
        self._sign_in("clerk")  # another office's people: refused before anything is drawn
        if money:
            money_sample(self._sign_in)
        with self.base.tx() as s:
            self.intake = s.scalar(
                select(Project.id).where(Project.status == "intake").order_by(Project.id.desc())
            )

    def _sign_in_as(self, name: str, password: str):
        from app.cli.errors import CommandError
        from app.domain.errors import RuleViolation
        from app.services import users

        try:
            actor = users.authenticate(self.base, name, password)
        except RuleViolation:
            actor = None
        if actor is None:
            raise CommandError(
                f"«{name}» با گذرواژه نمایشی وارد نشد؛ screenshots تنها روی پایگاه داده "
                "نمایشی (`main.py demo`) با آدم‌های آن کار می‌کند"
            )
        return self.base.as_actor(actor)

    def some_member(self) -> str:
        return _some_member(self.base)

    def pick_engineer(self, w) -> None:
        _pick_engineer_with_ledger(w, self.base)


class _ServedTour(_Tour):
    """The demo's people signed in to an office server (`--server`): every screen is drawn
    from what the server answers, as a desk of the office sees it."""

    def __init__(self, url: str, ca_file: str | None):
        self.url, self.ca_file = url, ca_file
        self._signed: dict[str, object] = {}
        clerk = self.ctx_for("clerk", "clerk")
        from app.services import browse

        rows = browse.recent_projects(clerk, 200)
        self.intake = next((r.id for r in rows if r.status == "intake"), None)

    def _sign_in_as(self, name: str, password: str):
        from .remote import RemoteContext

        return RemoteContext.sign_in(self.url, name, password, self.ca_file)

    def some_member(self) -> str:
        from app.services import browse

        rows = browse.engineer_page(
            self.ctx_for("clerk", "clerk"), "", 0, 1, "membership_no", False
        )
        return rows[0].membership_no if rows else ""

    def pick_engineer(self, w) -> None:
        pass  # the list's first engineer: the server is not asked for every ledger

    def close(self) -> None:
        for ctx in self._signed.values():
            ctx.sign_out()


def cmd_screenshots(args) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from .app import ConnectionDialog, LoginDialog, application
    from .mainwindow import MainWindow
    from .settings import Settings
    from .tasks import TaskRunner

    served = bool(getattr(args, "server", None))
    if served and getattr(args, "money_sample", False):
        print("screenshots: --money-sample writes to the database: only with --db", file=sys.stderr)
        return 2
    from app.cli.errors import CommandError, output_folder, writable_folder

    writable_folder(Path(args.outdir))  # before the tour signs in (and --money-sample writes)
    tour = (  # before anything is made: an empty database is refused with nothing written
        _ServedTour(args.server, getattr(args, "ca_file", None))
        if served
        else _LocalTour(args.db, getattr(args, "money_sample", False))
    )
    app = application(["main.py"])
    out = output_folder(Path(args.outdir))
    runner = TaskRunner(app)

    def save(widget, name: str) -> None:
        settle(runner)
        path = out / f"{name}.png"
        if not widget.grab().save(str(path)):  # Qt says only False, never why
            raise CommandError(f"در {path} نوشته نشد")
        print(path)

    settings = Settings()
    login = LoginDialog(settings, runner, args.server if served else args.db)
    login.username.setText("clerk")
    login.password.setText("clerk1405")
    login.show()
    save(login, "login")
    login.close()
    conn = ConnectionDialog(settings, runner)
    conn.server.setChecked(True)
    conn.address.setText(args.server if served else "https://nezarat.office.local:8443")
    conn.show()
    save(conn, "connection")
    conn.close()

    shots = (
        ("clerk", "clerk", "counter"),
        ("clerk", "clerk", "signing"),
        ("clerk", "clerk", "stages"),
        ("finance", "finance", "finance"),
        ("manager", "manager", "board"),
        ("eng1", "engineer", "cartable"),
        ("clerk", "clerk", "engineers"),
        ("admin", "admin", "audit"),
        ("admin", "admin", "policy"),
        ("admin", "admin", "organization"),
        ("admin", "admin", "users"),
    )
    for user, role, screen in shots:
        win = MainWindow(tour.ctx_for(user, role), runner)
        win.resize(1440, 900)
        win.show()
        w = win.show_screen(screen)
        settle(runner)
        if screen == "counter":
            _fill_counter(w, tour.intake)
            settle_typing(w, runner)  # the live group and F1 fee shown before the picture
        if screen == "engineers":
            tour.pick_engineer(w)
            settle(runner)
        if screen == "board":
            w.why_no.setText(tour.some_member())
            w.why_not()
        if screen == "finance":  # one picture per queue of the desk
            for tab, shot in ((1, "finance-renewals"), (2, "finance-payouts"), (3, "payouts")):
                w.tabs.setCurrentIndex(tab)
                save(win, shot)
            w.tabs.setCurrentIndex(0)
        if screen == "policy":  # the tariff table first, then a key in the editor
            w.tabs.setCurrentIndex(1)
            save(win, "tariffs")
            w.tabs.setCurrentIndex(0)
            w.select_key("max_extensions")
        save(win, screen)
        if screen == "engineers" and (firm := _fill_firm(w, runner)) is not None:
            save(firm, "firm-register")
            firm.close()
        win.close()
        win.deleteLater()
    from .print_preview import demo_preview  # the print preview of a demo contract

    if (preview := demo_preview(tour.ctx_for("clerk", "clerk"))) is not None:
        save(preview, "print-preview")
        preview.close()
    settle(runner)
    if served:
        tour.close()
    return 0


def _fill_counter(w, intake_id) -> None:
    """A walk-in half typed: valid national code, plate, area and floors (the group and each
    discipline's F1 fee show live); the intake file in hand with an amount typed."""
    w.owner_code.setText("0499370899")
    w.owner_first.setText("مریم")
    w.owner_last.setText("احمدی")
    w.owner_mobile.setText("09161234567")
    w.brought_name.setText("دفتر طراحی نقش‌آفرین")
    w.brought_role.setCurrentIndex(1)
    w.plate.setText("1450/12")
    w.address.setText("اهواز، کیانپارس، خیابان ۵ غربی، پلاک ۱۲")
    w.area.setText("1250")
    w.floors.setValue(6)
    if intake_id is not None:
        w.fee_amount.setText("5000000")  # told against the file's F1 fee once it is shown
        w.open_project(intake_id)


def _fill_firm(w, runner):
    """«ثبت شخص حقوقی» half done: a firm's particulars typed (a legal ID with its right check
    digit), a competence, the list's first two engineers added as members, the second its
    managing director. Nothing is saved. None when the role has no such button."""
    from app.services import browse

    dlg = w.register_firm()
    if dlg is None:
        return None
    dlg.name.setText("شرکت مهندسین مشاور نمونه‌سازان جنوب")
    dlg.membership_no.setText("7-2-190")
    dlg.national_id.setText("10861234565")
    dlg.registration_no.setText("52817")
    dlg.registration_place.setText("اداره ثبت شرکت‌ها و مؤسسات غیرتجاری اهواز")
    dlg.licence_no.setText("2-17-3190")
    for d, g in (("civil", "1"), ("arch", "2")):
        dlg.discipline.setCurrentIndex(dlg.discipline.findData(d))
        dlg.grade.setCurrentIndex(dlg.grade.findData(g))
        dlg.add_competence()
    people = [r for r in browse.engineer_page(w.ctx, "", 0, 20) if r.kind == "person"][:2]
    for r in people:
        dlg.member_no.setText(r.membership_no)
        dlg.add_member()
        settle(runner)
    dlg.director.setCurrentIndex(dlg.director.count() - 1)
    dlg.resize(680, 620)
    return dlg


def _some_member(ctx) -> str:
    from sqlalchemy import select

    from app.db.models import Engineer

    with ctx.tx() as s:
        return s.scalar(select(Engineer.membership_no).order_by(Engineer.id).limit(1)) or ""


def _pick_engineer_with_ledger(w, ctx) -> None:
    """Show the file of a listed engineer whose score has moved (the chart has a line)."""
    from sqlalchemy import func, select

    from app.db.models import ScoreEntry

    with ctx.tx() as s:
        moved = dict(
            s.execute(
                select(ScoreEntry.engineer_id, func.count()).group_by(ScoreEntry.engineer_id)
            ).all()
        )
    best = max(
        range(w.model.rowCount()), key=lambda i: moved.get(w.model.row(i).id, 0), default=None
    )
    if best is not None:
        w.view.setCurrentIndex(w.model.index(best, 0))


def money_sample(sign_in: Callable[[str], Any]) -> None:
    """Sample work for the finance desk on a demo database: the shipped tariffs; the clerk
    records the owners' payments of a group A walk-in and of an intake file (one short of
    the fee), renewals are requested (one amount approved, waiting for its payment),
    permit-stage reports are recorded (two approved: the payment list). Renewals a rule
    refuses are skipped."""
    from decimal import Decimal

    from sqlalchemy import select

    from app.db.models import Engineer, Project
    from app.domain.calendar import jalali_year, local_date
    from app.domain.errors import InputError, RuleViolation
    from app.services import browse, engineers, fees, finance, payouts, projects
    from app.services.dto import OwnerIn, ProjectIn

    clerk, fin = sign_in("clerk"), sign_in("finance")  # the demo's people, by their passwords
    base = clerk
    fees.seed_tariffs(sign_in("admin"))  # F1 (a desk database has them from migration 0002)
    today = local_date(base.now())
    with base.tx() as s:
        intake = s.scalars(
            select(Project.id).where(Project.status == "intake").order_by(Project.id)
        ).all()
        owing = s.execute(
            select(Engineer.id, Engineer.membership_paid_through)
            .where(Engineer.membership_paid_through < jalali_year(today))
            .order_by(Engineer.id)
        ).all()
    with base.tx() as s:
        taken = projects.open_plates(s)
    plate = next(f"1452/{n}" for n in range(3, 10_000) if f"1452/{n}" not in taken)  # P5
    walk_in = projects.register_project(  # a group A walk-in: the shipped tariffs cover it
        clerk,
        ProjectIn(
            plate=plate,
            area=Decimal(180),
            floors=2,
            owners=(OwnerIn("0499370899", "مریم", "احمدی", mobile="09161234567"),),
            address="اهواز، کیانپارس، خیابان ۵ غربی",
        ),
    )
    for pid in [walk_in.id, *intake[:1]]:
        st = browse.intake_status(clerk, pid)
        for i, d in enumerate(st.disciplines):
            due = fees.fee_for(clerk, pid, d).due_rials or 5_000_000
            amount = due - 1_500_000 if i == 1 else due
            projects.record_fee_payment(clerk, pid, d, amount, f"58{pid:03d}{i:04d}", today, "ملت")
    done = 0
    for eid, through in owing:
        try:
            engineers.request_renewal(clerk, eid, (through or 1400) + 1)
        except (RuleViolation, InputError):
            continue
        if done == 0:
            engineers.approve_renewal(fin, eid, (through or 1400) + 1, 3_850_000)
        done += 1
        if done == 3:
            break
    reported = 0
    for r in finance.stage_reports_due(clerk):
        if r.next_stage != "permit" or not r.fee_rials:
            continue
        pid = payouts.record_stage_report(clerk, r.referral_id, "permit", f"GZ-{r.referral_id}")
        if reported < 2:
            payouts.decide_payout(fin, pid, approve=True)
        reported += 1
        if reported == 5:
            break

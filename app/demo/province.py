"""`main.py demo`: a believable province built through the services on a simulated clock.

The clock starts about fourteen days before the real current time. The administrator
creates the office's users and imports the membership (every engineer through
`register_engineer`); then the walk goes through the days in time order: clerks register
walk-in projects, record their documents and fees, finance approves the fees, projects
enter distribution, engineers stand for (and sometimes cancel) referrals, every 20:00
deadline and every 12:00 end of a signing window is run by the system actor with
`deadlines.run_due`, clerks record signatures and written withdrawals, the manager records
completion certificates, members renew their membership (F5), declarations and licences
change. The walk ends at the real current time after everything due has been run, so the
desk shows live countdowns.

Each project follows a small plan (which rounds get candidates, whether the selected
supervisor signs, withdraws or does not turn up, whether the project is completed), chosen so
that every state of the rulebook occurs; the rules themselves decide the outcome. Everything
is drawn from `random.Random(seed)`; only the real current time differs between two runs.
"""

from __future__ import annotations

import contextlib
import heapq
import random
import sys
import time as _time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TextIO

from sqlalchemy import func, inspect, select

from ..db import models as m
from ..db.bootstrap import open_fresh
from ..db.engine import make_engine
from ..domain.calendar import (
    CalendarError,
    WorkCalendar,
    at_local,
    format_jalali_datetime,
    jalali_to_date,
    jalali_year,
    local_date,
)
from ..domain.codes import FORCED
from ..domain.errors import RuleViolation
from ..domain.policy import Policy
from ..resources import policy_defaults
from ..services import calendar as office_calendar
from ..services import candidacy, deadlines, firms, payouts, queries, users
from ..services import engineers as engineer_svc
from ..services import projects as project_svc
from ..services.context import SYSTEM, Actor, ServiceContext, SimClock
from ..services.document_dto import DocumentRefused
from ..services.dto import CompetenceIn, DeclarationIn, EngineerIn, ReferralOut
from .ids import IdFactory, demo_iban
from .names import BANKS, SUPERVISION_FIRMS
from .population import (
    DEMO_ENGINEERS,
    DemoEngineer,
    DemoProject,
    RefPlan,
    fee_rials,
    make_engineers,
    make_high_rise,
    make_projects,
)

REFUSED: Any = object()  # what `Province.call` returns for a refused action
WALK_DAYS = 14
OFFICE = (time(7, 30), time(14, 0))
EVENING_DESK = (time(20, 5), time(22, 30))
ONLINE = (time(7, 0), time(19, 55))
MEMBERSHIP_FEE = 3_850_000  # rials, demo figure

# Staff logins (username, full name, role, password). Printed at the end.
STAFF = (
    ("clerk", "زهرا کریمی", "clerk", "clerk1405"),
    ("clerk2", "حمید ساکی", "clerk", "clerk1405"),
    ("finance", "مریم نیسی", "finance", "finance1405"),
    ("manager", "مهندس کاظم دهداری", "manager", "manager1405"),
)
ADMIN = ("admin", "مدیر سامانه", "admin1405")
ENGINEER_PASSWORD = "eng1405"

# Fixed solar public holidays (month, day, title), for the year before the official calendar's
# first (a deadline early in the walk may look back into it).
SOLAR_HOLIDAYS = (
    (1, 1, "نوروز"),
    (1, 2, "نوروز"),
    (1, 3, "نوروز"),
    (1, 4, "نوروز"),
    (1, 12, "روز جمهوری اسلامی"),
    (1, 13, "روز طبیعت"),
    (3, 14, "رحلت امام خمینی"),
    (3, 15, "قیام ۱۵ خرداد"),
    (11, 22, "پیروزی انقلاب اسلامی"),
    (12, 29, "ملی شدن صنعت نفت"),
)


def build_demo(
    url: str,
    engineers: int = 2400,
    projects: int = 150,
    seed: int = 1405,
    reset: bool = False,
    now: datetime | None = None,
    out: TextIO | None = None,
) -> int:
    """Build the demo province in the database at `url`; returns an exit code.

    A demo database already built is left untouched (exit 0, said in Persian: running the
    README's first command again opens the same demo) unless `reset` is true, which drops
    every table of the schema first. A database holding an office's own engineers, projects
    or users is never a demo's to fill or drop: refused in Persian (exit 2), naming another
    file to build the demo in. `now` (default: the real current time, UTC) is where the
    simulated clock stops.
    """
    out = out or sys.stdout
    if engineers < 10 or projects < 1:
        wrong = "--engineers دست‌کم ۱۰" if engineers < 10 else "--projects دست‌کم ۱"
        print(
            f"demo: {wrong} باید باشد ({engineers} مهندس و {projects} پروژه داده شد)؛ "
            "چیزی ساخته نشد",
            file=sys.stderr,
        )
        return 2
    started = _time.perf_counter()
    probe = make_engine(url)
    try:
        held = _existing_rows(probe)
        if held and not _is_demo(probe):
            # an office's own database (users, engineers, the trail) is never filled nor
            # dropped by a command that asks no password: only a database the demo built
            print(
                f"demo: پایگاه داده داده‌های یک دفتر را دارد ({held}) و پایگاه نمایشی نیست؛ "
                "چیزی تغییر نکرد. نمایشی را در پرونده‌ای دیگر بسازید: "
                "main.py demo --db sqlite:///…/demo.sqlite",
                file=sys.stderr,
            )
            return 2
        if held and not reset:
            print(
                f"demo: پایگاه نمایشی از پیش ساخته شده است ({held})؛ چیزی تغییر نکرد. "
                "برای ساختن دوباره، همین فرمان را با --reset اجرا کنید",
                file=out,
            )
            return 0
        if held or reset:
            m.Base.metadata.drop_all(probe)
    finally:
        probe.dispose()
    now = (now or datetime.now(UTC)).astimezone(UTC)
    demo = Province(url, now, seed, engineers, projects, out)
    try:
        demo.build()
        demo.summary(_time.perf_counter() - started)
    finally:
        demo.engine.dispose()
    return 0


def _is_demo(engine) -> bool:
    """The database was built by `demo` (its organization settings say so)."""
    with engine.connect() as c:
        if not inspect(c).has_table(m.OrganizationSettings.__tablename__):
            return False
        return bool(c.scalar(select(m.OrganizationSettings.demo).limit(1)))


def _existing_rows(engine) -> str:
    with engine.connect() as c:
        insp = inspect(c)
        found = []
        for model, label in ((m.Engineer, "مهندس"), (m.Project, "پروژه"), (m.User, "کاربر")):
            if insp.has_table(model.__tablename__):
                n = c.scalar(select(func.count()).select_from(model))
                if n:
                    found.append(f"{n} {label}")
    return "، ".join(found)


def _policy() -> Policy:
    return Policy.from_mapping({k: row["value"] for k, row in policy_defaults().items()})


def mixed_split(area: Decimal, floors: int, idx: int) -> tuple[tuple[str, Decimal], ...]:
    """A mixed building's area by use as such files come in: shops on the ground floor (a
    little less than a floor: the entrance and stairs are residential), on a taller building
    now and then a floor of offices, the rest flats; adding up to `area` to the hundredth.
    Drawn from the file's own number, not the demo's random stream (the province stays as
    it was)."""
    rng = random.Random(f"mixed-{idx}")
    cent = Decimal("0.01")
    floor = area / max(floors, 1)
    if floors == 1:  # a one-storey building: a shop in front, a flat behind
        shops = (area * Decimal(str(rng.uniform(0.35, 0.55)))).quantize(cent)
        return (("residential", area - shops), ("commercial", shops))
    shops = (floor * Decimal(str(rng.uniform(0.75, 0.95)))).quantize(cent)
    offices = floor.quantize(cent) if floors >= 4 and rng.random() < 0.3 else Decimal(0)
    split = [("residential", area - shops - offices), ("commercial", shops)]
    if offices:
        split.append(("office", offices))
    return tuple(split)


class Province:
    def __init__(
        self, url: str, now: datetime, seed: int, n_engineers: int, n_projects: int, out: TextIO
    ):
        self.url, self.now, self.seed, self.out = url, now, seed, out
        self.n_engineers, self.n_projects = n_engineers, n_projects
        self.rng = random.Random(seed)
        self.policy = _policy()
        self.today = local_date(now)
        self.year = jalali_year(now)
        self.t0 = at_local(self.today - timedelta(days=WALK_DAYS), time(6, 0))
        self.year0 = jalali_year(self.t0)
        self.holidays = self._holidays()
        self.cal = WorkCalendar.of(self.policy.weekend, [d for d, _ in self.holidays])
        self.clock = SimClock(self.t0)
        self.engine = open_fresh(url, self.t0)
        self.base = ServiceContext(self.engine, clock=self.clock)
        self.system = self.base.as_actor(SYSTEM)
        self.heap: list[tuple[datetime, int, Callable[..., None], tuple]] = []
        self.seq = 0
        self.calls: Counter[str] = Counter()
        self.refusals: Counter[str] = Counter()
        self.timing: Counter[str] = Counter()  # wall-clock seconds per service
        self.cpu: Counter[str] = Counter()  # CPU seconds per service (this process)
        self.phases: dict[str, float] = {}
        self.runs: Counter[str] = Counter()
        self.pools: dict[tuple[str, str, int], tuple[list[DemoEngineer], list[float]]] = {}
        self.ref_by_id: dict[int, tuple[DemoProject, RefPlan]] = {}
        self.eng_by_id: dict[int, DemoEngineer] = {}
        self.standing_firm: DemoEngineer | None = None

    # ------------------------------------------------------------------ calendar and time
    def _holidays(self) -> list[tuple[date, str]]:
        """The official calendar as `init` loads it (reference-data.md: lunar days included,
        the estimated ones marked), over the fixed solar days of the year before too."""
        from ..services.calendar import official_holidays

        days: dict[date, str] = {}
        for y in range(self.year0 - 1, self.year + 2):
            for mo, d, title in SOLAR_HOLIDAYS:
                with contextlib.suppress(CalendarError):
                    days[jalali_to_date(y, mo, d)] = title
        days.update(official_holidays(self.year0, self.year + 1))
        return sorted(days.items())

    def _deadlines(self) -> list[datetime]:
        """Every round deadline (20:00 of a working day) in (t0, now]."""
        out, d = [], self.cal.next_deadline(self.t0, self.policy.deadline_time)
        while d <= self.now:
            out.append(d)
            d = self.cal.next_deadline(d, self.policy.deadline_time)
        return out

    def _due_instants(self) -> list[datetime]:
        """Every instant something may fall due: deadlines and ends of signing windows."""
        out = []
        d = local_date(self.t0)
        while d <= self.today:
            if self.cal.is_working_day(d):
                for t in (self.policy.signing_window[1], self.policy.deadline_time):
                    at = at_local(d, t)
                    if self.t0 < at <= self.now:
                        out.append(at)
            d += timedelta(days=1)
        return sorted(out)

    def pick_time(
        self, lo: datetime, hi: datetime, *bands: tuple[time, time], working: bool = True
    ) -> datetime | None:
        """A random instant in (lo, hi), inside the first daily band that overlaps it."""
        if hi <= lo:
            return None
        for band in bands:
            spans = []
            d = local_date(lo)
            while d <= local_date(hi):
                if not working or self.cal.is_working_day(d):
                    a, b = max(lo, at_local(d, band[0])), min(hi, at_local(d, band[1]))
                    if (b - a).total_seconds() > 60:
                        spans.append((a, b))
                d += timedelta(days=1)
            if spans:
                break
        else:
            spans = [(lo, hi)]
        total = sum((b - a).total_seconds() for a, b in spans)
        x = self.rng.random() * total
        for a, b in spans:
            length = (b - a).total_seconds()
            if x <= length:
                break
            x -= length
        t = a + timedelta(seconds=x)
        whole = t.replace(microsecond=0)
        return whole if lo < whole < hi else t

    def at(self, t: datetime | None, fn: Callable[..., None], *args: Any) -> None:
        """Schedule fn(*args) at t (dropped when t is missing or after the real now)."""
        if t is None or t > self.now:
            return
        self.seq += 1
        heapq.heappush(self.heap, (t, self.seq, fn, args))

    def call(self, name: str, fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
        """One service call; a refusal is counted by rule and returns REFUSED."""
        t, cpu = _time.perf_counter(), _time.process_time()
        try:
            result = fn(*args, **kw)
            self.calls[name] += 1
            return result
        except RuleViolation as exc:
            self.refusals[f"{name}: {','.join(exc.rules)}"] += 1
            return REFUSED
        finally:
            self.timing[name] += _time.perf_counter() - t
            self.cpu[name] += _time.process_time() - cpu

    # ------------------------------------------------------------------ the build
    def build(self) -> None:
        for phase, step in (
            ("generate", self._generate),
            ("users", self._setup_users),
            ("import engineers", self._register_engineers),
            ("firms", self._register_firms),
            ("plan", self._plan_projects),
            ("plan members", self._plan_members),
            ("walk", self._walk),
            ("payouts", self._payouts),
        ):
            t = _time.perf_counter()
            step()
            self.phases[phase] = _time.perf_counter() - t

    def _generate(self) -> None:
        ids = IdFactory(self.rng)
        self.engineers = make_engineers(
            self.rng,
            ids,
            self.n_engineers,
            self.policy,
            self.today,
            self.year,
            self.year0,
            local_date(self.t0),
        )
        self.projects = make_projects(self.rng, ids, self.n_projects, self.policy, self.engineers)

    def _setup_users(self) -> None:
        self.clock.now = self.t0
        # the members and firms come from the national member system with their base scores
        # and paid years: facts given by the import, the system's alone (issue 15)
        self.member_system = self.base.as_actor(Actor("member-system", "system"))
        self.admin = self.base.as_actor(
            self.call(
                "users.bootstrap_admin",
                users.bootstrap_admin,
                self.base,
                ADMIN[0],
                ADMIN[2],
                ADMIN[1],
            )
        )
        self.staff: dict[str, ServiceContext] = {}
        for i, (name, full, role, password) in enumerate(STAFF):
            self.clock.now = self.t0 + timedelta(minutes=1 + i)
            self.staff[name] = self.base.as_actor(
                self.call(
                    "users.create_user", users.create_user, self.admin, name, full, role, password
                )
            )
        self.clock.now = self.t0 + timedelta(minutes=8)
        self.call(  # the official holidays, complete to the end of next year
            "calendar.set_holidays",
            office_calendar.set_holidays,
            self.admin,
            self.holidays,
            self.year + 1,
        )
        self._office_setup()

    def _office_setup(self) -> None:
        """Issue 14: the organization's settings and a complete tariff table (app/demo/office)."""
        from ..services import fees, organization
        from . import office

        self.clock.now = self.t0 + timedelta(minutes=9)
        self.call(
            "organization.save_organization_settings",
            organization.save_organization_settings,
            self.admin,
            office.DEMO_ORGANIZATION,
        )
        self.call("fees.seed_tariffs", fees.seed_tariffs, self.admin, (office.DEMO_TARIFF,))
        for discipline, rates in office.DEMO_ENTERED_RIALS.items():
            for (group, band), rials in rates.items():
                self.call(
                    "fees.set_tariff",
                    fees.set_tariff,
                    self.admin,
                    1403,
                    group,
                    discipline,
                    rials,
                    office.DEMO_TARIFF_FROM,
                    "",
                    band,
                )

    def _register_engineers(self) -> None:
        """The membership import: one `register_engineer` per member, by the member system."""
        start = self.t0 + timedelta(minutes=10)
        step = min(1.0, 2400 / max(1, len(self.engineers)))
        for i, e in enumerate(self.engineers):
            self.clock.now = start + timedelta(seconds=i * step)
            e.id = self.call(
                "engineers.register_engineer",
                engineer_svc.register_engineer,
                self.member_system,
                e.engineer_in(),
            )
            self.eng_by_id[e.id] = e
            e.used = sum((j.area for j in e.jobs), Decimal(0))
            e.active_jobs = len(e.jobs)
        self.clock.now = start + timedelta(seconds=len(self.engineers) * step + 60)
        for k, (username, _d, _g) in enumerate(DEMO_ENGINEERS[: len(self.engineers)]):
            e = self.engineers[k]
            actor = self.call(
                "users.create_user",
                users.create_user,
                self.admin,
                username,
                e.name,
                "engineer",
                ENGINEER_PASSWORD,
                e.id,
            )
            e.ctx = self.base.as_actor(actor)
        self.projects_from = self.clock.now + timedelta(minutes=5)

    def _register_firms(self) -> None:
        """A few supervising firms (legal persons) with their registration, two or three
        member engineers each and a managing director who signs for them (F6: members with
        complete data and this year's membership). The first, whose members are supervisors
        of civil works with this year's declaration, files its own declaration and stands
        for one referral (`standing_firm`, a story of `_plan_projects`): it is chosen and
        signs, so its contract, commitment form and letter are the demo's papers of a firm.
        Drawn from their own random stream (that one project's story changes the draws of
        the projects planned after it)."""
        rng = random.Random(self.seed * 7919 + 14)
        ids = IdFactory(rng)
        year = jalali_year(self.clock.now)
        fit = [
            e
            for e in self.engineers
            if e.id is not None and e.paid_through >= year and "F5" not in e.flags
        ]
        if len(fit) < 12:  # a tiny demo: no firm
            return
        civil = [
            e
            for e in fit
            if "civil" in e.disciplines
            and e.grade in ("1", "senior")
            and e.licence_expires > self.today
            and self._static_ok(e, "A", self.year0)
        ]
        taken: set[int] = set()
        for k, (name, city) in enumerate(SUPERVISION_FIRMS, 1):
            stands = k == 1 and len(civil) >= 3
            drawn = rng.sample(civil if stands else fit, 3 if stands else 8)
            people = [e for e in drawn if e.id not in taken][:3]
            taken.update(e.id for e in people)
            director, members = people[0], people[1:]
            firm = EngineerIn(
                membership_no=f"7-2-{100 + k}",
                kind="firm",
                competences=(CompetenceIn("civil", "1"), CompetenceIn("arch", "2")),
                base_score=Decimal(0),
                first_name="",
                last_name=name,
                national_id=ids.legal_id(),
                licence_no=f"2-17-{3100 + 7 * k}",
                licence_expires=self.today + timedelta(days=rng.randint(400, 1400)),
                member_since=year - rng.randint(3, 12),
                membership_paid_through=year,
                registration_no=str(rng.randint(12000, 68000)),
                registration_place=f"اداره ثبت شرکت‌ها و مؤسسات غیرتجاری {city}",
                iban=demo_iban(f"7-2-{100 + k}"),  # a firm's payouts go to its account (F3)
                mobile=director.mobile if stands else None,  # its SMS reach its director
                declaration=DeclarationIn(self.year0, True, True, ("A", "B", "C"), Decimal(100))
                if stands
                else None,
            )
            ids_ = [e.id for e in members]
            fid = self.call(
                "firms.register_firm", firms.register_firm, self.member_system, firm, ids_
            )
            if fid is REFUSED:
                continue
            if stands:
                self.standing_firm = f = DemoEngineer(
                    idx=len(self.engineers) + 100_000,  # not a person's idx
                    membership_no=firm.membership_no,
                    first_name="",
                    last_name=name,
                    father_name="",
                    national_id=firm.national_id,
                    mobile=firm.mobile or "",
                    disciplines=("civil",),
                    grade="1",
                    member_since=firm.member_since or year,
                    paid_through=year,
                    licence_no=firm.licence_no,
                    licence_expires=firm.licence_expires or self.today,
                    base_score=Decimal(0),
                    declaration=firm.declaration,
                    weight=0.0,  # stands only for its story
                    id=fid,
                )
                self.eng_by_id[fid] = f
            self.call(
                "firms.add_member",
                firms.add_member,
                self.admin,
                fid,
                director.id,
                "managing_director",
            )

    def engineer_ctx(self, e: DemoEngineer) -> ServiceContext:
        """The engineer's own login (created the first time they act; no password)."""
        if e.ctx is None:
            actor = self.call(
                "users.create_user",
                users.create_user,
                self.admin,
                e.membership_no,
                e.name,
                "engineer",
                None,
                e.id,
            )
            e.ctx = self.base.as_actor(actor)
        return e.ctx

    # ------------------------------------------------------------------ the plans
    def _plan_projects(self) -> None:
        """Give every project a story; a few showcase projects make sure each state occurs."""
        rng = self.rng
        dl = self.dl = self._deadlines()
        k = len(dl)
        ps = list(self.projects)
        rng.shuffle(ps)
        n_intake = max(1, round(len(ps) * 0.08)) if len(ps) >= 12 else 0
        intake, pool = ps[:n_intake], ps[n_intake:]
        taken: list[DemoProject] = []

        def take(pred: Callable[[DemoProject], bool] = lambda p: True) -> DemoProject | None:
            for p in pool:
                if p not in taken and pred(p):
                    taken.append(p)
                    return p
            return None

        def story(
            p: DemoProject | None,
            i: int,
            label: str,
            stand: dict[int, int] | None = None,
            post: list[str] | None = None,
            which: str | None = None,
        ) -> DemoProject | None:
            """Round 1 closes at deadline i (k + 1: after the last one, still open now)."""
            if p is None:
                return None
            p.label, p.ready_i = label, max(1, min(k + 1, i))
            p.refs = {d: RefPlan(d) for d in p.data.disciplines}
            for d, r in p.refs.items():  # `which`: only that discipline; others as usual
                if which is None or d == which:
                    r.stand = dict(stand or {})
                    r.post = list(post or [])
            return p

        small = lambda p: p.group in ("A", "B") and len(p.data.disciplines) == 4  # noqa: E731
        big_d = take(lambda p: p.group == "D" and "traffic" in p.data.disciplines)
        if big_d is None:
            big_d = take(lambda p: p.group == "D")
            if big_d is not None:
                _add_discipline(big_d, "traffic")
            else:
                big_d = take()
                if big_d is not None:
                    make_high_rise(big_d, rng, self.policy)
        story(big_d, k - 4, "unassigned (traffic, group D)")
        for n in range(2):
            p = story(take(small), 1 + n, "completed", {1: rng.randint(2, 5)})
            if p:
                p.complete = True
        story(take(), k + 1, "round 1 open")
        story(take(), k + 1, "round 1 open")
        story(take(small), k, "round 2 open (extended once)", {1: 0, 2: 3}, which="civil")
        story(take(small), k - 1, "round 3 open (extended twice)", {1: 0, 2: 0, 3: 2}, which="mech")
        story(take(small), k, "selected, waiting for signature", {1: 3})
        story(take(small), k - 2, "signed", {1: 3})
        story(
            take(small),
            k - 3,
            "forced (no candidate in 3 rounds)",
            {1: 0, 2: 0, 3: 0},
            which="elec",
        )
        story(
            take(small),
            k - 4,
            "withdrawn in writing, re-referred",
            {1: 3, 2: 2},
            ["withdraw"],
            which="civil",
        )
        story(take(small), k - 3, "no-show, re-referred", {1: 3, 2: 2}, ["no_show"], which="arch")
        story(
            take(small),
            k - 5,
            "withdrawn in round 2, forced round",
            {1: 0, 2: 2},
            ["withdraw"],
            which="mech",
        )
        a5 = take(lambda p: "urban" in p.data.disciplines and p.group != "D")
        if a5 is not None:
            story(a5, k - 3, "A5: one engineer, one discipline")
            dual = self._dual_engineer(a5)
            if dual is not None:  # stands alone for arch (wins it), then also for urban
                a5.refs["arch"].stand, a5.refs["arch"].pick = {1: 0}, [dual]
                a5.refs["urban"].stand, a5.refs["urban"].pick = {1: 2}, [dual]
        firm = self.standing_firm
        if firm is not None:  # a firm stands alone for civil works, is chosen and signs
            fp = story(take(small), k - 2, "signed by a firm (F6)", {1: 0}, which="civil")
            if fp is not None:
                fp.refs["civil"].pick = [firm]

        for p in pool:
            if p in taken:
                continue
            story(p, rng.choices(range(1, k + 2), [1.0] * k + [0.8])[0], "")
            for r in p.refs.values():
                x = rng.random()
                if x < 0.80:
                    r.stand = {1: _n_candidates(rng)}
                elif x < 0.90:
                    r.stand = {1: 0, 2: _n_candidates(rng)}
                elif x < 0.95:
                    r.stand = {1: 0, 2: 0, 3: _n_candidates(rng)}
                else:
                    r.stand = {1: 0, 2: 0, 3: 0}
                x = rng.random()
                r.post = [] if x < 0.88 else (["no_show"] if x < 0.94 else ["withdraw"])
            p.complete = p.ready_i <= k - 3 and rng.random() < 0.12
        for p in pool:
            p.reject_first_fee = rng.random() < 0.05
            self._schedule_intake(p)
        gaps = ["fresh", "missing_doc", "fee_pending", "fee_rejected", "drawings"]
        for n, p in enumerate(intake):
            p.label, p.gap = f"intake ({gaps[n % len(gaps)]})", gaps[n % len(gaps)]
            self._schedule_intake(p)

    def _dual_engineer(self, p: DemoProject) -> DemoEngineer | None:
        """An arch + urban member who could win both referrals of `p` (A5 shows)."""
        best = [
            e
            for e in self.engineers
            if {"arch", "urban"} <= set(e.disciplines)
            and self._static_ok(e, p.group, self.year0)
            and e.paid_through >= self.year
            and e.licence_expires >= self.today
            and e.active_jobs < self.policy.max_active_jobs - 2
            and e.used + 2 * p.data.area <= e.capacity(self.policy)
        ]
        return max(best, key=lambda e: e.base_score) if best else None

    def _ready_time(self, p: DemoProject) -> datetime:
        i, dl = p.ready_i, self.dl
        lo = max(
            self.projects_from + timedelta(minutes=40),
            dl[i - 2] if 2 <= i <= len(dl) + 1 else self.t0,
        )
        if i <= len(dl):
            day = local_date(dl[i - 1])
            t = self.pick_time(
                max(lo, at_local(day, time(8, 30))), at_local(day, time(14, 0)), OFFICE
            )
        else:
            t = self.pick_time(lo, self.now - timedelta(minutes=3), OFFICE, EVENING_DESK)
        return t or lo + (self.now - lo) / 3

    def _schedule_intake(self, p: DemoProject) -> None:
        """Registration, documents, drawings, fees and finance at the counter, in order."""
        rng = self.rng
        if p.ready_i is not None:
            p.ready_at = self._ready_time(p)
            back = timedelta(days=rng.choice((0, 0, 1, 2, 3, 5, 7)))
            lo = max(self.projects_from, p.ready_at - back - timedelta(hours=6))
            p.reg_at = self.pick_time(lo, p.ready_at - timedelta(minutes=40), OFFICE) or lo
            end = p.ready_at
        else:
            lo = max(self.projects_from, self.now - timedelta(days=rng.choice((1, 2, 3, 5))))
            p.reg_at = self.pick_time(lo, self.now - timedelta(minutes=20), OFFICE) or lo
            end = self.now - timedelta(minutes=5)
        self.at(p.reg_at, self.ev_register, p)
        docs = project_svc.required_documents()
        if p.data.brought_by_role != "owner":
            docs.append("power_of_attorney")
        if "survey" in p.data.disciplines:
            docs.append("survey_map")
        fees = list(p.data.disciplines)
        drawings = True
        if p.gap == "fresh":
            return
        if p.gap == "missing_doc":
            for _ in range(rng.randint(1, 2)):
                docs.remove(rng.choice(docs[:7]))
        if p.gap == "drawings":
            drawings = False
            docs = docs[: rng.randint(2, 5)]
        steps: list[tuple[str, Any]] = [("doc", d) for d in docs]
        if drawings:
            steps.append(("drawings", None))
        steps += [("fee", d) for d in fees]
        # The counter's steps take the first three quarters; finance decides in the rest.
        last = p.reg_at + (end - p.reg_at) * 3 / 4
        times = sorted(
            self.pick_time(p.reg_at + timedelta(seconds=30), last, OFFICE) or last for _ in steps
        )
        for (kind, arg), t in zip(steps, times, strict=True):
            if kind == "doc":
                self.at(t, self.ev_document, p, arg)
            elif kind == "drawings":
                self.at(t, self.ev_drawings, p)
            else:
                decide = "approve"
                if p.gap == "fee_pending" and arg == fees[-1]:
                    decide = "pending"
                elif p.gap == "fee_rejected" and arg == fees[0]:
                    decide = "reject"
                elif p.reject_first_fee and arg == fees[0]:
                    decide = "reject_then_repay"
                self.at(t, self.ev_fee, p, arg, decide, end)
        if p.ready_at is not None:
            self.at(p.ready_at, self.ev_ready, p)
        elif p.gap == "fee_pending":
            self.at(end, self.ev_ready, p)  # the clerk tries anyway: refused with P2

    def _plan_members(self) -> None:
        """Membership renewals (F5), declarations and licences that change during the walk."""
        rng = self.rng
        lo, hi = self.projects_from, self.now - timedelta(hours=1)
        for e in self.engineers[3:]:
            if e.paid_through < self.year and "F5" not in e.flags and rng.random() < 0.35:
                self.at(self.pick_time(lo, hi, OFFICE), self.ev_renew_request, e)
            if e.licence_expires < self.today and rng.random() < 0.3:
                self.at(self.pick_time(lo, hi, OFFICE), self.ev_licence, e)
            d = e.declaration
            if d is not None and d.ready and rng.random() < 0.01:
                self.at(self.pick_time(lo, hi, ONLINE, working=False), self.ev_declare, e, False)
            elif (d is None or not d.ready) and rng.random() < 0.2:
                self.at(self.pick_time(lo, hi, ONLINE, working=False), self.ev_declare, e, True)
        if self.year != self.year0:  # the walk crosses Nowruz: this year's declarations
            first = at_local(jalali_to_date(self.year, 1, 1), time(9, 0))
            for e in self.engineers:
                if e.declaration is not None and e.declaration.ready and rng.random() < 0.8:
                    self.at(
                        self.pick_time(
                            first, min(hi, first + timedelta(days=3)), ONLINE, working=False
                        ),
                        self.ev_declare,
                        e,
                        True,
                    )
        # The demo logins look at their cartables twice a working day.
        d = local_date(self.projects_from)
        while d <= self.today:
            if self.cal.is_working_day(d):
                for k in range(min(2, len(self.engineers))):
                    for hh in (10, 18):
                        self.at(
                            at_local(d, time(hh, 10 + 7 * k)), self.ev_cartable, self.engineers[k]
                        )
            d += timedelta(days=1)

    # ------------------------------------------------------------------ the walk
    def _walk(self) -> None:
        dues = self._due_instants()
        j = 0
        while True:
            t_ev = self.heap[0][0] if self.heap else None
            t_due = dues[j] if j < len(dues) else None
            if t_ev is None and t_due is None:
                break
            if t_due is not None and (t_ev is None or t_due <= t_ev):
                self.clock.now = t_due
                summary = self.call("deadlines.run_due", deadlines.run_due, self.system, t_due)
                for k, v in vars(summary).items():
                    self.runs[k] += v
                j += 1
                self._review()
                continue
            t, _s, fn, args = heapq.heappop(self.heap)
            self.clock.now = max(self.clock.now, t)
            fn(*args)
        self.clock.now = self.now
        summary = self.call("deadlines.run_due", deadlines.run_due, self.system, self.now)
        for k, v in vars(summary).items():
            self.runs[k] += v

    def _payouts(self) -> None:
        """F3 at the end of the walk: supervisors of signed files have reported their first
        stages; finance has approved most, rejected one with a reason, paid some by one
        transfer, and left the latest waiting — so the finance screen, the payment list and the
        bank's group-transfer sheet have something true to show. Chosen by referral id (no
        random draw: the rest of the demo is the same with or without it)."""
        with self.base.read() as s:
            signed = list(
                s.scalars(
                    select(m.Referral.id)
                    .where(m.Referral.status.in_(("signed", "completed")))
                    .order_by(m.Referral.id)
                    .limit(14)
                )
            )
        clerk, finance = self.staff["clerk"], self.staff["finance"]
        reported = []
        for k, rid in enumerate(signed):
            for stage in ("permit", "foundation")[: 2 if k < 6 else 1]:
                pid = self.call(
                    "payouts.record_stage_report",
                    payouts.record_stage_report,
                    clerk,
                    rid,
                    stage,
                    f"گ-{rid}-{stage[:2]}",
                )
                if pid is not REFUSED:
                    reported.append(pid)
        approved = []
        for k, pid in enumerate(reported[:-4]):  # the last four wait for finance
            if k == 3:
                self.call(
                    "payouts.decide_payout",
                    payouts.decide_payout,
                    finance,
                    pid,
                    False,
                    "گزارش مرحله بدون امضای ناظر هماهنگ‌کننده رسیده است",
                )
                continue
            r = self.call("payouts.decide_payout", payouts.decide_payout, finance, pid, True)
            if r is not REFUSED:
                approved.append(pid)
        if approved[:6]:
            self.call("payouts.mark_paid", payouts.mark_paid, finance, approved[:6], "سند ۱۴۰۵/۴۲۱")

    # ---- the counter
    def ev_register(self, p: DemoProject) -> None:
        clerk = self._clerk()
        if p.data.use == "mixed" and not p.data.use_areas:  # the counter takes its split
            p.data = replace(p.data, use_areas=mixed_split(p.data.area, p.data.floors, p.idx))
        s = self.call("projects.register_project", project_svc.register_project, clerk, p.data)
        if s is REFUSED:
            p.active = False
            return
        p.id, p.file_no = s.id, s.file_no
        self._record_permit(p, clerk)
        for d, rid in s.referral_ids.items():
            r = p.refs.setdefault(d, RefPlan(d))
            r.id, r.area = rid, p.data.area * self.policy.area_factor(d)
            self.ref_by_id[rid] = (p, r)

    def _record_permit(self, p: DemoProject, clerk: ServiceContext, issued: date | None = None):
        """The file's city, municipal district and structure type (and, once the municipality
        has issued it, the building permit)."""
        from ..services import permits
        from .office import demo_permit

        if p.id is None:
            return
        if p.permit is None:
            p.permit = demo_permit(self.rng, p.city, p.data.floors)
        district, structure = p.permit
        number = f"{self.year}/{self.rng.randint(1000, 9899)}" if issued else ""
        self.call(
            "permits.record_permit",
            permits.record_permit,
            clerk,
            p.id,
            permits.PermitIn(p.city, district, structure, number, issued),
        )

    def ev_permit(self, p: DemoProject) -> None:
        """The owner brings the building permit, issued after the introduction letter."""
        self._record_permit(p, self._clerk(), local_date(self.clock.now))

    def ev_document(self, p: DemoProject, kind: str) -> None:
        if p.id is not None:
            self.call(
                "projects.record_document",
                project_svc.record_document,
                self._clerk(),
                p.id,
                kind,
                f"{kind}-{p.file_no}.pdf",
                "application/pdf",
            )

    def ev_drawings(self, p: DemoProject) -> None:
        if p.id is not None:
            self.call(
                "projects.approve_drawings", project_svc.approve_drawings, self._clerk(), p.id
            )

    def ev_fee(self, p: DemoProject, discipline: str, decide: str, end: datetime) -> None:
        if p.id is None:
            return
        amount = self._due(p, discipline)
        if decide == "reject_then_repay":
            amount = amount // 10 * 9 // 1000 * 1000  # paid short: finance sends it back
        fee = self.call(
            "projects.record_fee_payment",
            project_svc.record_fee_payment,
            self._clerk(),
            p.id,
            discipline,
            amount,
            f"{self.rng.randrange(10**11, 10**12)}",
            local_date(self.clock.now),
            self.rng.choice(BANKS),
        )
        if fee is REFUSED or decide == "pending":
            return
        t = self.pick_time(self.clock.now, end - timedelta(seconds=30), OFFICE)
        self.at(t, self.ev_fee_decision, p, fee, decide, end, discipline)

    def _due(self, p: DemoProject, discipline: str) -> int:
        """F1: what the tariff asks for this discipline (its fee and the coordinator's)."""
        from ..services import fees

        due = self.call("fees.fee_for", fees.fee_for, self._clerk(), p.id, discipline)
        if due is REFUSED or due.due_rials is None:
            return p.fees[discipline]
        return due.due_rials

    def ev_fee_decision(
        self, p: DemoProject, fee: int, decide: str, end: datetime, discipline: str
    ) -> None:
        finance = self.staff["finance"]
        if decide == "approve":
            self.call(
                "projects.decide_fee_payment", project_svc.decide_fee_payment, finance, fee, True
            )
            return
        self.call(
            "projects.decide_fee_payment",
            project_svc.decide_fee_payment,
            finance,
            fee,
            False,
            "مبلغ واریزی با تعرفه نظارت همخوانی ندارد",
        )
        if decide == "reject_then_repay":
            t = self.pick_time(self.clock.now, end - timedelta(seconds=60), OFFICE)
            self.at(t, self.ev_fee, p, discipline, "approve", end)

    def ev_ready(self, p: DemoProject) -> None:
        if p.id is None:
            return
        actor = self.staff["manager"] if self.rng.random() < 0.2 else self._clerk()
        s = self.call("projects.mark_ready", project_svc.mark_ready, actor, p.id)
        if s is REFUSED:
            return
        self._print_receipt(p, actor)
        deadline = self.cal.next_deadline(self.clock.now, self.policy.deadline_time)
        for r in p.refs.values():
            r.deadline = deadline
            r.seen_rounds.add(1)
            for who in r.pick:
                self.at(
                    self.clock.now + timedelta(minutes=self.rng.randint(5, 50)),
                    self.ev_stand,
                    p,
                    r,
                    1,
                    who,
                )
            self._schedule_stands(p, r, 1, self.clock.now, deadline)

    def _print_receipt(self, p: DemoProject, clerk: ServiceContext) -> None:
        """The counter's receipt, handed to the owner as the file enters distribution."""
        from ..services import papers

        try:
            self.call("papers.issue_receipt", papers.issue_receipt, clerk, p.id)
        except DocumentRefused as exc:
            self.refusals[f"papers: {exc.reasons[0]}"] += 1

    def _clerk(self) -> ServiceContext:
        return self.staff["clerk"] if self.rng.random() < 0.7 else self.staff["clerk2"]

    # ---- candidacy
    def _schedule_stands(
        self, p: DemoProject, r: RefPlan, round_no: int, lo: datetime, deadline: datetime
    ) -> None:
        n = r.stand.get(round_no)
        if n is None:
            n = _n_candidates(self.rng)
        hi = min(deadline - timedelta(minutes=2), self.now)
        for _ in range(n):
            self.at(
                self.pick_time(lo + timedelta(minutes=1), hi, ONLINE, working=False),
                self.ev_stand,
                p,
                r,
                round_no,
                None,
            )

    def ev_stand(self, p: DemoProject, r: RefPlan, round_no: int, who: DemoEngineer | None) -> None:
        """One engineer stands (C1–C4); a random one is drawn from those the books allow."""
        if r.deadline is None or self.clock.now >= r.deadline:
            return
        for _attempt in range(1 if who else 3):
            e = who or self._candidate(p, r)
            if e is None or e.idx in r.standing:
                return
            got = self.call("candidacy.stand", candidacy.stand, self.engineer_ctx(e), e.id, r.id)
            if got is REFUSED:
                continue
            r.standing.add(e.idx)
            if e.idx not in r.cancelled and self.rng.random() < 0.06:  # C4: cancels once
                t = self.pick_time(
                    self.clock.now, r.deadline - timedelta(minutes=3), ONLINE, working=False
                )
                self.at(t, self.ev_cancel, p, r, e, round_no)
            return

    def ev_cancel(self, p: DemoProject, r: RefPlan, e: DemoEngineer, round_no: int) -> None:
        got = self.call("candidacy.cancel", candidacy.cancel, self.engineer_ctx(e), e.id, r.id)
        if got is REFUSED:
            return
        r.standing.discard(e.idx)
        r.cancelled.add(e.idx)
        if self.rng.random() < 0.4 and r.deadline is not None:  # and stands again
            t = self.pick_time(
                self.clock.now, r.deadline - timedelta(minutes=2), ONLINE, working=False
            )
            self.at(t, self.ev_stand, p, r, round_no, e)

    def _candidate(self, p: DemoProject, r: RefPlan) -> DemoEngineer | None:
        """A member who, as far as the office's books go, may stand for this referral."""
        year = jalali_year(self.clock.now)
        engs, cum = self._pool(r.discipline, p.group, year)
        if not engs:
            return None
        on = local_date(self.clock.now)
        owners = p.owner_codes
        for _ in range(12):
            e = self.rng.choices(engs, cum_weights=cum)[0]
            if (
                e.idx in r.standing
                or e.idx in r.withdrawn
                or e.national_id in owners
                or owners.intersection(e.ties)
                or e.licence_expires < on
                or e.paid_through < year
                or e.used + r.area > e.capacity(self.policy)
                or e.active_jobs >= self.policy.max_active_jobs
            ):
                continue
            return e
        return None

    def _static_ok(self, e: DemoEngineer, group: str, year: int) -> bool:
        d = e.declaration
        return (
            d is not None
            and d.year == year
            and d.ready
            and d.rules_accepted
            and group in d.groups
            and not (e.flags - {"F5"})
            and group in self.policy.grade_groups.get(e.grade, frozenset())
            and not e.convicted_on(self.today, self.policy)
        )

    def _pool(
        self, discipline: str, group: str, year: int
    ) -> tuple[list[DemoEngineer], list[float]]:
        key = (discipline, group, year)
        if key not in self.pools:
            engs = [
                e
                for e in self.engineers
                if discipline in e.disciplines and e.weight > 0 and self._static_ok(e, group, year)
            ]
            cum, acc = [], 0.0
            for e in engs:
                acc += e.weight
                cum.append(acc)
            self.pools[key] = (engs, cum)
        return self.pools[key]

    def ev_cartable(self, e: DemoEngineer) -> None:
        """A demo login opens the cartable and stands for one referral it offers."""
        items = self.call("candidacy.cartable", candidacy.cartable, e.ctx, e.id)
        if items is REFUSED:
            return
        free = [
            i
            for i in items
            if not i.standing
            and i.referral_id in self.ref_by_id
            and self.ref_by_id[i.referral_id][1].stand.get(i.round_no, 1) > 0
        ]
        if free:
            item = self.rng.choice(free)
            p, r = self.ref_by_id[item.referral_id]
            self.ev_stand(p, r, item.round_no, e)

    # ---- after each deadline and each end of a signing window
    def _review(self, only: list[DemoProject] | None = None) -> None:
        """Read the referrals back and let each plan react: signatures, withdrawals, stands."""
        active = [
            p
            for p in (only or self.projects)
            if p.id is not None
            and p.active
            and p.ready_at is not None
            and p.ready_at <= self.clock.now
        ]
        if not active:
            return
        refs = self.call(
            "queries.referrals_overview",
            queries.referrals_overview,
            self.system,
            [p.id for p in active],
        )
        by_project: dict[int, list[ReferralOut]] = {}
        for x in refs:
            by_project.setdefault(x.project_id, []).append(x)
            p, r = self.ref_by_id[x.id]
            self._reconcile(x, r)
            if x.status == "selected" and x.decided_at not in r.seen_selections:
                r.seen_selections.add(x.decided_at)
                self._after_selection(p, r, x)
            elif x.status == "open" and x.deadline is not None and x.round_no not in r.seen_rounds:
                r.seen_rounds.add(x.round_no)
                r.deadline = x.deadline
                if _running_kind(x) != FORCED:
                    self._schedule_stands(p, r, x.round_no, self.clock.now, x.deadline)
        for p in active:
            xs = by_project.get(p.id, [])
            if xs and all(x.status in ("signed", "unassigned", "completed") for x in xs):
                if p.complete and all(x.status == "signed" for x in xs):
                    if not p.completion_scheduled:
                        p.completion_scheduled = True
                        self._schedule_completion(p)
                else:
                    p.active = False  # nothing more will happen to it in the demo

    def _reconcile(self, x: ReferralOut, r: RefPlan) -> None:
        """Keep the walk's idea of each engineer's held area in step with the database."""
        for rnd in x.rounds:
            if rnd.outcome in ("withdrawn", "no_show") and rnd.engineer_id in self.eng_by_id:
                r.withdrawn.add(self.eng_by_id[rnd.engineer_id].idx)
        holder = (
            self.eng_by_id[x.engineer_id]
            if x.status in ("selected", "signed") and x.engineer_id
            else None
        )
        if holder is not r.holder:
            if r.holder is not None:
                r.holder.used -= r.area
                r.holder.active_jobs -= 1
            if holder is not None:
                holder.used += r.area
                holder.active_jobs += 1
                r.standing.discard(holder.idx)
            r.holder = holder

    def _after_selection(self, p: DemoProject, r: RefPlan, x: ReferralOut) -> None:
        action = r.post.pop(0) if r.post else "sign"
        if x.sign_from is None or x.sign_until is None:
            return
        if action == "sign":
            t = self.pick_time(
                x.sign_from + timedelta(minutes=5), x.sign_until - timedelta(minutes=10), OFFICE
            )
            self.at(t, self.ev_sign, p, r)
        elif action == "withdraw":
            t = self.pick_time(x.sign_from, x.sign_until - timedelta(minutes=45), OFFICE)
            self.at(t, self.ev_withdraw, p, r)
        # no_show: nobody comes; at the window's end run_due records it (A9)

    def ev_sign(self, p: DemoProject, r: RefPlan) -> None:
        actor = self.staff["manager"] if self.rng.random() < 0.15 else self._clerk()
        self._print_for_signing(p, r, actor)
        self.call("deadlines.record_signature", deadlines.record_signature, actor, r.id)
        with self.base.tx() as s:
            statuses = set(
                s.scalars(select(m.Referral.status).where(m.Referral.project_id == p.id))
            )
        if statuses == {"signed"} and self.rng.random() < 0.7:  # the permit follows the letter
            day = self.cal.next_working_day(self.cal.next_working_day(local_date(self.clock.now)))
            t = self.pick_time(at_local(day, time(8, 0)), at_local(day, time(13, 30)), OFFICE)
            if t < self.now:
                self.at(t, self.ev_permit, p)

    def _print_for_signing(self, p: DemoProject, r: RefPlan, clerk: ServiceContext) -> None:
        """What the supervisor signs that morning, printed at the desk: the project's contract
        (dated that morning; kept as signed once he signs), or — chosen after it was signed —
        the addendum by which he joins it; and his commitment form."""
        from ..services import addenda, papers

        try:
            if self.call("addenda.addendum_due", addenda.addendum_due, clerk, p.id) is True:
                self.call("addenda.issue_addendum", addenda.issue_addendum, clerk, p.id)
            else:
                self.call("papers.issue_contract", papers.issue_contract, clerk, p.id)
            self.call("papers.issue_commitment", papers.issue_commitment, clerk, r.id)
        except DocumentRefused as exc:  # said in the demo's report, as a refusal is
            self.refusals[f"papers: {exc.reasons[0]}"] += 1

    def ev_withdraw(self, p: DemoProject, r: RefPlan) -> None:
        letter = f"{self.year}/{self.rng.randint(1000, 9999)}"
        got = self.call(
            "deadlines.record_withdrawal", deadlines.record_withdrawal, self._clerk(), r.id, letter
        )
        if got is not REFUSED:
            self._review([p])

    def _schedule_completion(self, p: DemoProject) -> None:
        day = self.cal.next_working_day(local_date(self.clock.now))
        for _ in range(self.rng.randint(0, 2)):
            day = self.cal.next_working_day(day)
        t = self.pick_time(at_local(day, time(8, 0)), at_local(day, time(13, 30)), OFFICE)
        self.at(t, self.ev_complete, p)

    def ev_complete(self, p: DemoProject) -> None:
        cert = f"پ-{self.year}-{self.rng.randint(100, 999)}"
        got = self.call(
            "projects.complete_project",
            project_svc.complete_project,
            self.staff["manager"],
            p.id,
            cert,
        )
        if got is REFUSED:
            return
        p.active = False
        for r in p.refs.values():
            if r.holder is not None:
                r.holder.used -= r.area
                r.holder.active_jobs -= 1
                r.holder = None

    # ---- members
    def ev_renew_request(self, e: DemoEngineer) -> None:
        """F5: the oldest owed year first — request, finance approves, the member pays."""
        year = e.paid_through + 1
        if year > self.year:
            return
        actor = self.engineer_ctx(e) if self.rng.random() < 0.5 else self._clerk()
        got = self.call(
            "engineers.request_renewal", engineer_svc.request_renewal, actor, e.id, year
        )
        if got is REFUSED:
            return
        t = self.pick_time(self.clock.now, self.clock.now + timedelta(days=2), OFFICE)
        self.at(t, self.ev_renew_approve, e, year)

    def ev_renew_approve(self, e: DemoEngineer, year: int) -> None:
        got = self.call(
            "engineers.approve_renewal",
            engineer_svc.approve_renewal,
            self.staff["finance"],
            e.id,
            year,
            MEMBERSHIP_FEE,
        )
        if got is REFUSED:
            return
        t = self.pick_time(self.clock.now, self.clock.now + timedelta(days=2), OFFICE)
        self.at(t, self.ev_renew_pay, e, year)

    def ev_renew_pay(self, e: DemoEngineer, year: int) -> None:
        ref = f"{self.rng.randrange(10**11, 10**12)}"
        got = self.call(
            "engineers.record_membership_payment",
            engineer_svc.record_membership_payment,
            self.staff["finance"],  # F5: finance records the payment it confirmed
            e.id,
            year,
            ref,
        )
        if got is REFUSED:
            return
        e.paid_through = year
        if year < self.year:  # another year still owed
            t = self.pick_time(self.clock.now, self.clock.now + timedelta(days=1), OFFICE)
            self.at(t, self.ev_renew_request, e)

    def ev_licence(self, e: DemoEngineer) -> None:
        new = self.today + timedelta(days=5 * 365)
        self.call(
            "engineers.update_engineer",
            engineer_svc.update_engineer,
            self._clerk(),
            e.id,
            {"licence_expires": new},
        )
        e.licence_expires = new

    def ev_declare(self, e: DemoEngineer, ready: bool) -> None:
        year = jalali_year(self.clock.now)
        old = e.declaration
        groups = (
            old.groups
            if old is not None and old.groups
            else tuple(sorted(self.policy.grade_groups.get(e.grade, ("A",))))
        )
        pct = old.supervision_percent if old is not None else Decimal(60)
        d = DeclarationIn(year, ready, True, groups, pct)
        actor = self.engineer_ctx(e) if self.rng.random() < 0.7 else self._clerk()
        got = self.call(
            "engineers.submit_declaration", engineer_svc.submit_declaration, actor, e.id, d
        )
        if got is not REFUSED:
            e.declaration = d
            self.pools.clear()

    # ------------------------------------------------------------------ the summary
    def summary(self, took: float) -> None:
        w = self.out.write
        with self.base.tx() as s:

            def by(*cols) -> dict[Any, int]:
                rows = s.execute(select(*cols, func.count()).group_by(*cols)).all()
                return {(r[0] if len(cols) == 1 else tuple(r[:-1])): r[-1] for r in rows}

            n_eng = s.scalar(select(func.count()).select_from(m.Engineer))
            projects_by = by(m.Project.status)
            groups = by(m.Project.group)
            refs_by = by(m.Referral.status)
            methods = by(m.Referral.method)
            open_rounds = dict(
                s.execute(
                    select(m.Round.no, func.count())
                    .where(m.Round.outcome.is_(None))
                    .group_by(m.Round.no)
                ).all()
            )
            outcomes = by(m.Round.outcome)
            withdrawals = by(m.Withdrawal.kind)
            cands_by = by(m.Candidacy.status)
            runs = by(m.DeadlineRun.kind)
            roles = by(m.User.role)
            n_owners = s.scalar(select(func.count()).select_from(m.Owner))
            n_notes = s.scalar(select(func.count()).select_from(m.Notification))
            n_audit = s.scalar(select(func.count()).select_from(m.AuditEntry))
            next_deadline = s.scalar(
                select(func.min(m.Round.deadline)).where(m.Round.outcome.is_(None))
            )
            window = s.execute(
                select(func.min(m.Referral.sign_from), func.min(m.Referral.sign_until)).where(
                    m.Referral.status == "selected"
                )
            ).one()
        disc = Counter(e.disciplines[-1] for e in self.engineers)
        w(
            f"\nDemo province built in {took:.1f}s (seed {self.seed}; simulated clock "
            f"{format_jalali_datetime(self.t0)} → {format_jalali_datetime(self.now)} Tehran)\n"
        )
        w(f"  engineers    {n_eng}  by discipline {_fmt(disc)}\n")
        w(f"               by grade {_fmt(Counter(e.grade for e in self.engineers))}\n")
        w(
            f"  projects     {sum(projects_by.values())}  {_fmt(projects_by)}; "
            f"groups {_fmt(groups)}; owners {n_owners}\n"
        )
        w(f"  referrals    {sum(refs_by.values())}  {_fmt(refs_by)}\n")
        w(
            f"               method {_fmt({k or '-': v for k, v in methods.items()})}; "
            f"open rounds by round no {_fmt(open_rounds)}\n"
        )
        w(f"  rounds       {_fmt({k or 'running': v for k, v in outcomes.items()})}\n")
        w(f"  withdrawals  {_fmt(withdrawals)}\n")
        w(f"  candidacies  {sum(cands_by.values())}  {_fmt(cands_by)}\n")
        w(f"  runs         {_fmt(runs)}\n")
        w(f"  users        {_fmt(roles)}; notifications {n_notes}; audit entries {n_audit}\n")
        if next_deadline:
            w(f"  next deadline {format_jalali_datetime(next_deadline)}")
            if window[0] is not None:
                sign_from, sign_until = (_aware(t) for t in window)
                w(
                    f"; signing window {format_jalali_datetime(sign_from)}–"
                    f"{format_jalali_datetime(sign_until)[-5:]}"
                    + (" (open now)" if sign_from <= self.now else "")
                )
            w("\n")
        if not refs_by.get("selected"):
            w(
                "  (no selection waits for its signature right now: between 12:00 and 20:00 of a "
                "working day every window of the last decision has closed, A9)\n"
            )
        if self.refusals:
            w(f"  refused by the rules {_fmt(self.refusals)}\n")
        self._showcase(w)
        self._why_not(w)
        w("  phases: " + ", ".join(f"{k} {v:.1f}s" for k, v in self.phases.items()) + "\n")
        w("  time per service (wall s / CPU s / calls):\n")
        for name, secs in sorted(self.timing.items(), key=lambda kv: -kv[1])[:10]:
            n = self.calls[name] + sum(
                v for k, v in self.refusals.items() if k.startswith(name + ":")
            )
            w(
                f"    {name:<38} {secs:6.1f} {self.cpu[name]:6.1f} {n:6d}"
                f"   {1000 * secs / max(1, n):6.1f} ms each\n"
            )
        w("\nLogins (demo passwords):\n")
        w(f"  {ADMIN[0]:<10} {ADMIN[2]:<12} admin\n")
        for name, _full, role, password in STAFF:
            w(f"  {name:<10} {password:<12} {role}\n")
        for k, (username, disc_, grade) in enumerate(DEMO_ENGINEERS[: len(self.engineers)]):
            e = self.engineers[k]
            note = ", membership fee owed: G3" if e.paid_through < self.year else ""
            w(
                f"  {username:<10} {ENGINEER_PASSWORD:<12} engineer {e.membership_no} "
                f"({disc_}, grade {grade}{note})\n"
            )

    def _why_not(self, w: Callable[[str], Any]) -> None:
        """A few members the rules keep out of an open referral, and why (C2's conditions)."""
        refs = [
            x
            for x in queries.referrals_overview(self.system)
            if x.status == "open" and x.deadline is not None and x.round_no == 1
        ]
        if not refs:
            return
        ref = min(refs, key=lambda x: (x.discipline != "mech", x.group, x.id))
        today, year = self.today, self.year
        probes: list[tuple[str, DemoEngineer | None]] = [
            ("eng3", self.engineers[2] if len(self.engineers) > 2 else None)
        ]

        def fits(e: DemoEngineer) -> bool:  # otherwise a candidate for this referral
            d = e.declaration
            return (
                ref.discipline in e.disciplines
                and d is not None
                and d.ready
                and d.rules_accepted
                and ref.group in d.groups
            )

        def clean(e: DemoEngineer) -> bool:  # no general condition fails
            return (
                not e.flags
                and e.licence_expires >= today
                and e.paid_through >= year
                and not e.convicted_on(today, self.policy)
            )

        for label, pred in (
            ("licence expired", lambda e: fits(e) and e.licence_expires < today),
            ("conviction", lambda e: fits(e) and e.convicted_on(today, self.policy)),
            ("membership owed", lambda e: fits(e) and e.paid_through < year),
            ("execution project", lambda e: fits(e) and "G5" in e.flags),
            ("municipality", lambda e: fits(e) and "S6" in e.flags),
            ("not ready", lambda e: ref.discipline in e.disciplines and not _ready(e) and clean(e)),
            ("other discipline", lambda e: ref.discipline not in e.disciplines and clean(e)),
        ):
            probes.append((label, next((e for e in self.engineers[3:] if pred(e)), None)))
        w(f"  why not ({ref.file_no} {ref.discipline}, group {ref.group}, round 1):\n")
        for label, e in probes:
            if e is None:
                continue
            rules = self.call("candidacy.why_not", candidacy.why_not, self.system, e.id, ref.id)
            if rules is not REFUSED:
                w(f"    {e.membership_no} {label:<17} {' '.join(x.rule for x in rules) or '-'}\n")

    def _showcase(self, w: Callable[[str], Any]) -> None:
        shown = [p for p in self.projects if p.label and p.id is not None]
        if not shown:
            return
        refs = queries.referrals_overview(self.system, [p.id for p in shown])
        by_project: dict[int, list[ReferralOut]] = {}
        for x in refs:
            by_project.setdefault(x.project_id, []).append(x)
        w("  where to look:\n")
        for p in sorted(shown, key=lambda p: p.file_no):
            parts = []
            for x in by_project.get(p.id, []):
                st = x.status + (f" r{x.round_no}" if x.status == "open" else "")
                if x.method == "forced":
                    st += " (forced)"
                parts.append(f"{x.discipline} {st}")
            w(f"    {p.file_no} {p.group}  {p.label:<36} {', '.join(parts)}\n")


def _ready(e: DemoEngineer) -> bool:
    d = e.declaration
    return d is not None and d.ready and d.rules_accepted


def _aware(t: datetime) -> datetime:
    """SQLite hands back naive UTC datetimes from an aggregate."""
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def _fmt(d: dict[Any, int] | Counter) -> str:
    return ", ".join(f"{k}: {v}" for k, v in sorted(d.items(), key=lambda kv: str(kv[0])))


def _n_candidates(rng: random.Random) -> int:
    return rng.choices((1, 2, 3, 4, 5, 6), (24, 30, 22, 12, 7, 5))[0]


def _running_kind(x: ReferralOut) -> str:
    """W4: a round opened by a lost selection from round 2 on (or a forced one) is forced."""
    last = x.rounds[-1] if x.rounds else None
    if (
        last is not None
        and last.outcome in ("withdrawn", "no_show")
        and (last.no >= 2 or last.kind == FORCED)
    ):
        return FORCED
    return "candidacy"


def _add_discipline(p: DemoProject, discipline: str) -> None:
    """A clerk may add a discipline to the P4 defaults (never remove one)."""
    p.fees[discipline] = fee_rials(p.data.area, p.group, discipline)
    p.data = replace(p.data, disciplines=(*p.data.disciplines, discipline))

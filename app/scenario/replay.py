"""Replaying a scenario through the same services the desktop calls, on a simulated clock."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import inspect

from ..db.bootstrap import open_fresh
from ..domain.calendar import format_jalali_datetime, jalali_year, local_date
from ..domain.codes import DISCIPLINE_ORDER, GRADE_ORDER
from ..domain.errors import InputError, RuleViolation
from ..domain.policy import PolicyError
from ..services import calendar as office_calendar
from ..services import candidacy, deadlines, engineers, firms, projects, queries, users
from ..services.context import SYSTEM, Actor, ServiceContext, SimClock
from ..services.dto import CompetenceIn, EngineerIn, OwnerIn, ProjectIn
from .schema import DatabaseRefused, Event, Scenario, ScenarioError

NO_SUCH_REFERRAL = 0  # ids start at 1

FORMAT_OUT = "referral-result/1"


class Replay:
    def __init__(self, sc: Scenario, url: str | None = None):
        self.sc = sc
        self.t0 = min([sc.start, *(p.ready_at for p in sc.projects if p.ready_at)])
        self.clock = SimClock(self.t0)
        url = url or "sqlite://"
        if url not in ("sqlite://", "sqlite:///:memory:"):
            _refuse_unless_blank(url)  # before anything is written to it
        try:
            engine = open_fresh(url, self.t0, sc.policy)
        except PolicyError as exc:
            raise ScenarioError(f"policy: {exc}") from None
        self.base = ServiceContext(engine, clock=self.clock)
        self.system = self.base.as_actor(SYSTEM)
        self.eng_ids: dict[str, int] = {}
        self.eng_users: dict[str, ServiceContext] = {}
        self.proj_ids: dict[str, int] = {}
        self.ref_ids: dict[tuple[str, str], int] = {}

    # ------------------------------------------------------------ set-up at t0
    def setup(self) -> None:
        admin = users.bootstrap_admin(self.base, "admin")
        self.admin = self.base.as_actor(admin)
        # the scenario's starting state (and its update_engineer facts) is given, not typed:
        # recorded by the system, the only actor its waivers (codes, P4, F6, scores) are for
        self.given = self.base.as_actor(Actor("scenario", "system"))
        self.clerk = self.base.as_actor(
            users.create_user(self.admin, "clerk", "کارشناس پذیرش", "clerk")
        )
        self.finance = self.base.as_actor(
            users.create_user(self.admin, "finance", "امور مالی", "finance")
        )
        if self.sc.holidays:
            office_calendar.set_holidays(self.admin, ((d, "") for d in self.sc.holidays))
        start_year = jalali_year(self.sc.start)
        for i, e in enumerate(self.sc.engineers):
            fields = {k: v for k, v in e.items() if k != "id"}
            fields.setdefault("membership_paid_through", start_year)
            try:
                eid = engineers.register_engineer(
                    self.given,
                    EngineerIn(
                        membership_no=e["id"], first_name=e["id"], validate_ids=False, **fields
                    ),
                )
            except InputError as exc:
                raise ScenarioError(_where("engineers", i, e["id"], exc)) from None
            self.eng_ids[e["id"]] = eid
            actor = users.create_user(
                self.admin, f"eng-{e['id']}", e["id"], "engineer", engineer_id=eid
            )
            self.eng_users[e["id"]] = self.base.as_actor(actor)
        for i, f in enumerate(self.sc.firms):
            self._firm(i, f, start_year)
        for i, p in enumerate(self.sc.projects):
            try:
                summary = projects.register_project(
                    self.given,
                    ProjectIn(
                        plate=p.plate,
                        area=p.area,
                        floors=p.floors,
                        file_no=p.file_no,
                        owners=tuple(OwnerIn(o.national_code, mobile=o.mobile) for o in p.owners),
                        disciplines=p.disciplines,
                        enforce_p4=False,
                        validate_ids=False,
                    ),
                )
            except (RuleViolation, InputError) as exc:
                raise ScenarioError(_where("projects", i, p.id, exc)) from None
            self.proj_ids[p.id] = summary.id
            for d, rid in summary.referral_ids.items():
                self.ref_ids[(p.id, d)] = rid
            self._intake(summary.id, p.disciplines)

    def _members_best(self, members: list[str]) -> tuple[CompetenceIn, ...]:
        """A firm's default competences: per discipline, the highest supervision grade among
        its members' competences valid at the start, with that competence's expiry (an
        expired one gives the firm nothing; of equal grades, the one valid longest)."""
        on = local_date(self.sc.start)

        def rank(c: CompetenceIn) -> tuple:  # grade first, then how long it stays valid
            return (GRADE_ORDER[c.grade], c.expires is None, c.expires or on)

        best: dict[str, CompetenceIn] = {}
        for m in self.sc.engineers:
            if m["id"] not in members:
                continue
            for c in m.get("competences", ()):
                if c.kind != "supervision" or (c.expires is not None and c.expires < on):
                    continue
                if c.discipline not in best or rank(c) > rank(best[c.discipline]):
                    best[c.discipline] = CompetenceIn(c.discipline, c.grade, expires=c.expires)
        return tuple(best[d] for d in sorted(best))

    def _firm(self, i: int, f: dict[str, Any], start_year: int) -> None:
        """A legal entity at t0, taken as given (F6 applies to its later processes)."""
        members = [self.eng_ids[m] for m in f["members"]]
        fields = {k: v for k, v in f.items() if k not in ("id", "members")}
        fields.setdefault("membership_paid_through", start_year)
        fields.setdefault("base_score", Decimal(0))
        if "competences" not in fields:  # default: the members' best supervision grades
            fields["competences"] = self._members_best(f["members"])
        try:
            fid = firms.register_firm(
                self.given,
                EngineerIn(
                    membership_no=f["id"],
                    kind="firm",
                    first_name=f["id"],
                    validate_ids=False,
                    **fields,
                ),
                members,
                enforce_f6=False,
            )
        except InputError as exc:
            raise ScenarioError(_where("firms", i, f["id"], exc)) from None
        self.eng_ids[f["id"]] = fid
        actor = users.create_user(
            self.admin, f"eng-{f['id']}", f["id"], "engineer", engineer_id=fid
        )
        self.eng_users[f["id"]] = self.base.as_actor(actor)

    def _intake(self, project_id: int, disciplines: tuple[str, ...]) -> None:
        # the fees are not part of a scenario: a token payment, one bank receipt per file (F2)
        projects.complete_intake(
            self.clerk, self.finance, project_id, disciplines, 1, f"{project_id:04d}"
        )

    # ------------------------------------------------------------ the timeline
    def run(self) -> dict[str, Any]:
        self.setup()
        # A project ready only after `until` stays waiting: the clock stops at `until`.
        timeline: list[tuple[datetime, int, int, Any]] = [
            (p.ready_at, 0, i, p)
            for i, p in enumerate(self.sc.projects)
            if p.ready_at and p.ready_at <= self.sc.until
        ]
        timeline += [(e.at, 1, e.index, e) for e in self.sc.events]
        results: dict[int, dict[str, Any]] = {}
        for at, kind, _i, item in sorted(timeline, key=lambda t: t[:3]):
            self._advance(at)
            if kind == 0:
                projects.mark_ready(self.clerk, self.proj_ids[item.id])
            else:
                results[item.index] = self._apply(item)
        self._advance(self.sc.until)
        return self.result([results[i] for i in range(len(self.sc.events))])

    def _advance(self, at: datetime) -> None:
        self.clock.now = max(self.clock.now, at)
        deadlines.run_due(self.system, until=at)

    def _apply(self, ev: Event) -> dict[str, Any]:
        d = ev.data
        ref = self.ref_ids.get((d.get("project"), d.get("discipline")))
        try:
            match ev.type:
                case "nominate":  # a discipline the project lacks: no referral has id 0,
                    # and the service names C2 beside what keeps him out of every referral
                    eid = self.eng_ids[d["engineer"]]
                    candidacy.stand(self.eng_users[d["engineer"]], eid, ref or NO_SUCH_REFERRAL)
                case "cancel":
                    if ref is None:
                        raise RuleViolation({"C4"}, "کاندیداتوری‌ای برای این ارجاع نیست (C4)")
                    candidacy.cancel(
                        self.eng_users[d["engineer"]], self.eng_ids[d["engineer"]], ref
                    )
                case "sign":
                    if ref is None:
                        raise RuleViolation({"A9"})
                    deadlines.record_signature(self.clerk, ref)
                case "withdraw":
                    if ref is None:
                        raise RuleViolation({"W1"})
                    deadlines.record_withdrawal(self.clerk, ref, d.get("letter_no", ""))
                case "complete":
                    projects.complete_project(  # a scenario may leave the number out
                        self.clerk,
                        self.proj_ids[d["project"]],
                        d.get("certificate_no") or f"scenario-{d['project']}",
                    )
                case "pay_membership":
                    eid, year = self.eng_ids[d["engineer"]], d["year"]
                    engineers.request_renewal(self.clerk, eid, year)
                    engineers.approve_renewal(self.finance, eid, year, 1)  # a token amount
                    engineers.record_membership_payment(self.finance, eid, year, f"scenario-{eid}")
                case "update_engineer":
                    engineers.update_engineer(
                        self.given, self.eng_ids[d["engineer"]], d["set"], validate_ids=False
                    )
        except RuleViolation as exc:
            return {
                "index": ev.index,
                "ok": False,
                "rules": list(exc.rules),
                "message": exc.message,
            }
        except InputError as exc:
            raise ScenarioError(f"events[{ev.index}].{exc.field}: {exc.message}") from None
        return {"index": ev.index, "ok": True}

    # ------------------------------------------------------------ the result
    def result(self, events: list[dict[str, Any]]) -> dict[str, Any]:
        ctx = self.system
        number = {v: k for k, v in self.eng_ids.items()}
        pid_of = {v: k for k, v in self.proj_ids.items()}
        refs = queries.referrals_overview(ctx)
        where = {r.id: (pid_of[r.project_id], r.discipline) for r in refs}
        referrals = []
        for r in sorted(refs, key=lambda r: (pid_of[r.project_id], DISCIPLINE_ORDER[r.discipline])):
            referrals.append(
                {
                    "project": pid_of[r.project_id],
                    "discipline": r.discipline,
                    "status": r.status,
                    "engineer": number.get(r.engineer_id),
                    "method": r.method,
                    "round": r.selected_round,
                    "decided_at": format_jalali_datetime(r.decided_at) if r.decided_at else None,
                    "rounds": [
                        {
                            "round": x.no,
                            "deadline": format_jalali_datetime(x.deadline),
                            "kind": x.kind,
                            "outcome": x.outcome,
                            "engineer": number.get(x.engineer_id),
                            "ranking": [
                                {"engineer": number[y.engineer_id], "score": _num(y.score)}
                                for y in x.ranking
                            ],
                            "set_aside": [
                                {"engineer": number[e], "rules": list(rules)}
                                for e, _no, rules in x.set_aside
                            ],
                        }
                        for x in r.rounds
                    ],
                }
            )
        standing = queries.engineer_standings(ctx, at=self.sc.until)
        engineers_out = {
            number[eid]: {
                "score": _num(st.score),
                "capacity_m2": _num(st.capacity_m2),
                "used_m2": _num(st.used_m2),
                "active_jobs": st.active_jobs,
            }
            for eid, st in sorted(standing.items(), key=lambda kv: number[kv[0]])
        }
        notes = [
            {
                "at": format_jalali_datetime(n.created_at),
                "engineer": number[n.engineer_id],
                "kind": n.kind,
                "project": where[n.referral_id][0],
                "discipline": where[n.referral_id][1],
            }
            for n in queries.outbox(ctx)
        ]
        return {
            "format": FORMAT_OUT,
            "events": events,
            "referrals": referrals,
            "engineers": engineers_out,
            "notifications": notes,
        }


def _refuse_unless_blank(url: str) -> None:
    """`--db`: a database with no table at all (a new SQLite file is made). One that holds
    anything is refused before it is touched: no schema made, no revision stamped."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, SQLAlchemyError

    from ..db.engine import make_engine

    try:
        u = make_url(url)
        if u.get_backend_name() not in ("sqlite", "postgresql"):
            raise DatabaseRefused(
                f"--db: نشانی پایگاه داده باید sqlite:///… یا postgresql+psycopg://… باشد: {url}"
            )
        where = u.render_as_string(hide_password=True)
        if u.get_backend_name() == "sqlite" and u.database and not Path(u.database).exists():
            folder = Path(u.database).absolute().parent
            if not folder.is_dir():  # a typo is not a new folder tree (make_engine would make it)
                raise DatabaseRefused(
                    f"--db: پوشه {folder} نیست؛ simulate پرونده تازه پایگاه داده را تنها در "
                    "پوشه‌ای که هست می‌سازد"
                )
            return  # a new file: simulate makes it
        engine = make_engine(url)
        try:
            tables = inspect(engine).get_table_names()
        finally:
            engine.dispose()
    except (ArgumentError, NoSuchModuleError):
        raise DatabaseRefused(f"--db: نشانی پایگاه داده نامعتبر است: {url}") from None
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        raise DatabaseRefused(
            f"--db: به پایگاه داده {where} وصل نشد — سرور در دسترس نیست یا نام کاربر، "
            f"گذرواژه یا پایگاه نادرست است ({reason})"
        ) from None
    except SQLAlchemyError as exc:
        raise DatabaseRefused(
            f"--db: پایگاه داده {where} باز نشد؛ پرونده پایگاه داده نیست ({type(exc).__name__})"
        ) from None
    if tables:
        raise DatabaseRefused(
            f"--db: پایگاه داده {where} خالی نیست ({len(tables)} جدول دارد)؛ "
            "simulate تنها در پایگاه داده خالی یا تازه اجرا می‌شود"
        )


# the replay's service fields by the scenario's own keys (scenario.md)
_SCENARIO_KEY = {
    "membership_no": "id",
    "national_id": "national_code",
    "competences": "competencies",
}


def _where(part: str, i: int, given_id: str, exc: InputError | RuleViolation) -> str:
    """A refusal of a scenario's engineer, firm or project as one line naming its place in
    the file (`engineers[1].id`) and its id (cut short: a hostile id is not echoed whole)."""
    field = getattr(exc, "field", "") or ""
    key = f".{_SCENARIO_KEY.get(field, field)}" if field else ""
    return f"{part}[{i}]{key} ({str(given_id)[:40]}): {exc.message}"


def _num(d: Decimal) -> float:
    return float(round(d, 2))


def simulate(sc: Scenario, url: str | None = None) -> dict[str, Any]:
    return Replay(sc, url).run()

"""A small office on a simulated clock, for service tests on either dialect."""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from app.db.bootstrap import open_fresh
from app.db.engine import make_engine
from app.db.models import Base
from app.domain.calendar import parse_jalali_datetime
from app.services import deadlines, engineers, firms, projects, users
from app.services.context import SYSTEM, ServiceContext, SimClock
from app.services.dto import CompetenceIn, DeclarationIn, EngineerIn, OwnerIn, ProjectIn

OWNER = "5260181591"


def firm_in(no: str = "F-1", **kw: Any) -> EngineerIn:
    """A civil supervising firm of grade 1, licensed and paid for 1405, ready for every group;
    `kw` overrides any field (national_id, registration_no, …)."""
    fields: dict[str, Any] = {
        "first_name": "شرکت",
        "last_name": "نظارت‌گستر",
        "licence_no": "L-77",
        "licence_expires": date(2030, 1, 1),
        "membership_paid_through": 1405,
        "declaration": DeclarationIn(1405, True, True, tuple("ABCD"), Decimal(100)),
        **kw,
    }
    return EngineerIn(
        membership_no=no,
        kind="firm",
        competences=fields.pop("competences", (CompetenceIn("civil", "1"),)),
        base_score=fields.pop("base_score", Decimal(0)),
        **fields,
    )


class Office:
    def __init__(
        self, url: str, start: str = "1405-08-23 08:00", policy: dict[str, Any] | None = None
    ):
        self.clock = SimClock(parse_jalali_datetime(start))
        self.engine = open_fresh(url, self.clock.now, policy)
        self.base = ServiceContext(self.engine, clock=self.clock)
        self.admin = self.base.as_actor(users.bootstrap_admin(self.base))
        self.clerk = self.base.as_actor(users.create_user(self.admin, "clerk", "کارشناس", "clerk"))
        self.finance = self.base.as_actor(users.create_user(self.admin, "fin", "مالی", "finance"))
        self.manager = self.base.as_actor(users.create_user(self.admin, "mgr", "مدیر", "manager"))
        self.system = self.base.as_actor(SYSTEM)
        self.as_engineer: dict[int, ServiceContext] = {}

    def on(self, url: str) -> Office:
        """The same office (people, clock) working through another connection URL."""
        other = copy.copy(self)
        other.engine = make_engine(url)
        other.base = ServiceContext(other.engine, clock=self.clock)
        for name in ("admin", "clerk", "finance", "manager", "system"):
            setattr(other, name, other.base.as_actor(getattr(self, name).actor))
        other.as_engineer = {k: other.base.as_actor(v.actor) for k, v in self.as_engineer.items()}
        return other

    def at(self, text: str) -> None:
        self.clock.now = parse_jalali_datetime(text)

    def engineer(
        self,
        no: str,
        discipline: str = "civil",
        grade: str = "1",
        score: float = 100,
        groups: str = "ABCD",
        percent: int = 50,
        **kw: Any,
    ) -> int:
        eid = engineers.register_engineer(
            self.system,  # the test's given state: paid-through and base score as facts
            EngineerIn(
                membership_no=no,
                competences=(CompetenceIn(discipline, grade),),
                base_score=Decimal(str(score)),
                first_name=no,
                membership_paid_through=kw.pop("paid_through", 1405),
                declaration=DeclarationIn(
                    1405, kw.pop("ready", True), True, tuple(groups), Decimal(percent)
                ),
                **kw,
            ),
        )
        self.as_engineer[eid] = self.base.as_actor(
            users.create_user(self.admin, f"e{no}", no, "engineer", engineer_id=eid)
        )
        return eid

    def firm(self, members: list[int], director: int | None = None, **kw: Any) -> int:
        """A supervising firm registered with its members and managing director (signatory)."""
        return firms.register_firm(self.system, firm_in(**kw), members, director_id=director)

    def project(
        self,
        area: float = 450,
        floors: int = 3,
        disciplines=("civil",),
        plate: str | None = None,
        owners=(OWNER,),
        ready: bool = True,
    ):
        p = projects.register_project(
            self.system,  # given, with P4 waived (a test's one-discipline files): the system's
            ProjectIn(
                plate=plate or f"{next_plate()}/1",
                area=Decimal(str(area)),
                floors=floors,
                owners=tuple(OwnerIn(o, mobile="09161234567") for o in owners),
                disciplines=tuple(disciplines),
                enforce_p4=False,
            ),
        )
        self.intake(p.id, p.disciplines)
        if ready:
            p = projects.mark_ready(self.clerk, p.id)
        return p

    def intake(self, project_id: int, disciplines) -> None:
        projects.complete_intake(  # one bank receipt per file (F2)
            self.clerk, self.finance, project_id, disciplines, 5_000_000, f"{10_000 + project_id}"
        )

    def papers_ready(self, *project_ids: int, permit: bool = False) -> None:
        """Issue 14: the organization's settings (the demo's, as the administrator enters
        them) and each project's city, municipal district and structure type (and permit)."""
        from app.demo.office import DEMO_ORGANIZATION
        from app.domain.calendar import local_date
        from app.services import organization, permits

        organization.save_organization_settings(self.admin, DEMO_ORGANIZATION)
        for pid in project_ids:
            permits.record_permit(
                self.clerk,
                pid,
                permits.PermitIn(
                    "اهواز",
                    "2",
                    "concrete",
                    "1405/2231" if permit else "",
                    local_date(self.clock.now) if permit else None,
                ),
            )

    def intake_paid(self, project_id: int, amounts: dict[str, int]) -> None:
        """P2 with a tariff: every document, the drawings, each discipline paid what F1 asks."""
        for kind in projects.required_documents():
            projects.record_document(self.clerk, project_id, kind)
        projects.approve_drawings(self.clerk, project_id)
        for d, amount in amounts.items():
            fee = projects.record_fee_payment(
                self.clerk, project_id, d, amount, "10001", self.clock.now.date(), "ملت"
            )
            projects.decide_fee_payment(self.finance, fee, approve=True)

    def run(self, until: str) -> None:
        self.at(until)
        deadlines.run_due(self.system)

    def chosen_and_signed(self, engineer_id: int, referral_id: int) -> None:
        """He stands alone on the 23rd, is chosen at 20:00 and signs the next morning."""
        from app.services import candidacy

        self.at("1405-08-23 10:00")
        candidacy.stand(self.as_engineer[engineer_id], engineer_id, referral_id)
        self.run("1405-08-23 20:00")
        self.at("1405-08-24 09:00")
        deadlines.record_signature(self.clerk, referral_id)

    def row_counts(self) -> dict[str, int]:
        with self.base.tx() as s:
            return {
                t.name: s.scalar(select(func.count()).select_from(t))
                for t in Base.metadata.sorted_tables
            }


_plates = iter(range(100, 10_000_000))


def next_plate() -> int:
    return next(_plates)


class ServedOffice(Office):
    """The same office, with its people working through a real office server on loopback:
    `admin`, `clerk`, `finance`, `manager` and `as_engineer[...]` are desks signed in over
    HTTP (ui/remote.py); `base` and `system` stay in-process (the test's own look at the
    database, and the server's clockwork). The server's clock is the office's simulated one;
    moving it with `at()` signs the desks in again (a simulated day would end their sessions)."""

    PASSWORD = "served-pass-1405"

    def __init__(self, url: str, start: str = "1405-08-23 08:00", policy=None):
        from ui.remote import RemoteContext  # noqa: F401  (fails early without httpx)
        from web.server import OfficeServer

        super().__init__(url, start, policy)
        self.local = {n: getattr(self, n) for n in ("admin", "clerk", "finance", "manager")}
        for ctx in self.local.values():
            users.set_password(self.local["admin"], ctx.actor.user_id, self.PASSWORD)
        self.server = OfficeServer(
            self.engine, self.base.server_key(), clock=self.clock, max_skew=None
        )
        self.url = self.server.start(clockwork=False)
        self.remotes: list[Any] = []
        for name, ctx in self.local.items():
            setattr(self, name, self.login(ctx.actor.username))

    def login(self, username: str, password: str | None = None):
        from ui.remote import RemoteContext

        remote = RemoteContext.sign_in(self.url, username, password or self.PASSWORD)
        self.remotes.append(remote)
        return remote

    def engineer(self, no: str, *args: Any, **kw: Any) -> int:
        remote_admin, self.admin = self.admin, self.local["admin"]
        try:
            eid = super().engineer(no, *args, **kw)
        finally:
            self.admin = remote_admin
        local = self.as_engineer[eid]
        users.set_password(self.local["admin"], local.actor.user_id, self.PASSWORD)
        self.as_engineer[eid] = self.login(local.actor.username)
        return eid

    def at(self, text: str) -> None:
        super().at(text)
        for remote in self.remotes:  # the same desks, with sessions of the new day
            fresh = remote.sign_in(self.url, remote.actor.username, self.PASSWORD)
            remote.token = fresh.token
            remote._offset = fresh._offset
            fresh.client.close()

    def close(self) -> None:
        for remote in self.remotes:
            remote.client.close()
        self.server.stop()
        self.engine.dispose()


def self_signed(folder, name: str) -> tuple[Path, Path]:
    """(certificate, key) of a self-signed certificate for localhost and 127.0.0.1."""
    import subprocess

    key, crt = folder / f"{name}.key", folder / f"{name}.crt"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout",
            str(key),
            "-out",
            str(crt),
        ],
        check=True,
        capture_output=True,
    )
    return crt, key

"""A small office on a simulated clock, for service tests on either dialect."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from app.db.bootstrap import open_fresh
from app.db.engine import make_engine
from app.db.models import Base
from app.domain.calendar import parse_jalali_datetime
from app.services import deadlines, engineers, projects, users
from app.services.context import SYSTEM, ServiceContext, SimClock
from app.services.dto import CompetenceIn, DeclarationIn, EngineerIn, OwnerIn, ProjectIn

OWNER = "5260181591"


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
            self.admin,
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
            self.clerk,
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
        projects.complete_intake(
            self.clerk, self.finance, project_id, disciplines, 5_000_000, "10001"
        )

    def run(self, until: str) -> None:
        self.at(until)
        deadlines.run_due(self.system)

    def row_counts(self) -> dict[str, int]:
        with self.base.tx() as s:
            return {
                t.name: s.scalar(select(func.count()).select_from(t))
                for t in Base.metadata.sorted_tables
            }


_plates = iter(range(100, 10_000_000))


def next_plate() -> int:
    return next(_plates)

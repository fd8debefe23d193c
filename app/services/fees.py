"""F1: supervision fees from the versioned tariff table; what each discipline of a project owes.

P2 (decision of issue 5): when a tariff exists for the project's group and a discipline on the
day the file was opened, the approved payments of that discipline must add up to at least the
F1 fee (area × tariff) before the project may enter distribution. Without a tariff row the
fee is not known and only an approved payment is required (the rule as before).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..db.models import FeePayment, Project, Referral, Tariff
from ..domain.calendar import local_date, parse_jalali_date
from ..domain.codes import DISCIPLINE_FA, DISCIPLINES
from ..domain.errors import InputError
from ..domain.money import fee_rials
from ..domain.text import day_ok, year_ok
from ..resources import ROOT
from .context import ServiceContext, audit
from .permissions import require
from .registry import use_case

GROUPS = ("A", "B", "C", "D")
TARIFF_DISCIPLINES = (*DISCIPLINES, "coord")  # coord: the coordinator (هماهنگ‌کننده)


@dataclass(frozen=True)
class TariffRow:
    group: str
    discipline: str
    year: int | None
    rials_per_m2: int | None  # None: to be filled by the administrator
    effective_from: date | None
    status: str  # published | default | to_fill
    source: str


@dataclass(frozen=True)
class FeeDue:
    """F1/F2 for one discipline of a project."""

    discipline: str
    area_m2: Decimal
    rials_per_m2: int | None
    fee_rials: int | None  # None: no tariff for (group, discipline)
    approved_rials: int
    pending_rials: int
    approved_count: int = 0

    @property
    def covered(self) -> bool:
        """P2: an approved payment, and (when the fee is known) enough of them for F1."""
        if self.approved_count == 0:
            return False
        return self.fee_rials is None or self.approved_rials >= self.fee_rials

    @property
    def outstanding_rials(self) -> int | None:
        return None if self.fee_rials is None else max(0, self.fee_rials - self.approved_rials)


def shipped_tariffs() -> list[dict]:
    """The rows shipped in resources/tariffs/*.json (year, group, discipline, rials, date)."""
    out = []
    for f in sorted((ROOT / "tariffs").glob("*.json")):
        table = json.loads(f.read_text(encoding="utf-8"))
        eff = parse_jalali_date(table["effective_from"])
        for r in table["rows"]:
            out.append(
                {
                    "year": table["year"],
                    "group": r["group"],
                    "discipline": r["discipline"],
                    "rials_per_m2": int(r["rials_per_m2"]),
                    "effective_from": eff,
                    "status": r.get("status", "default"),
                    "source": table.get("source", ""),
                }
            )
    return out


@use_case(writes=True)
def seed_tariffs(ctx: ServiceContext) -> int:
    """Load the shipped rows that are not in the database yet (administrator; migration 0002
    does this for a desk database). Returns how many rows were added."""
    require(ctx, "policy.edit")
    now = ctx.now()
    added = 0
    with ctx.tx() as s:
        have = {
            (g, d, e)
            for g, d, e in s.execute(select(Tariff.group, Tariff.discipline, Tariff.effective_from))
        }
        for r in shipped_tariffs():
            if (r["group"], r["discipline"], r["effective_from"]) in have:
                continue
            s.add(Tariff(**r, created_at=now, created_by=ctx.actor.username))
            added += 1
        if added:
            audit(s, ctx, "tariff.seed", "tariff", "shipped", after={"rows": added})
    return added


@use_case(writes=True)
def set_tariff(
    ctx: ServiceContext,
    year: int,
    group: str,
    discipline: str,
    rials_per_m2: int,
    effective_from: date,
    source: str = "",
) -> int:
    """A new version of one tariff cell (administrator only, U1); earlier versions stay."""
    require(ctx, "policy.edit")
    if group not in GROUPS:
        raise InputError("group", "گروه ساختمانی باید یکی از الف، ب، ج، د باشد")
    if discipline not in TARIFF_DISCIPLINES:
        raise InputError("discipline", "رشته ناشناخته است")
    if not isinstance(rials_per_m2, int) or isinstance(rials_per_m2, bool) or rials_per_m2 < 0:
        raise InputError("rials_per_m2", "تعرفه باید عدد صحیح نامنفی به ریال باشد")
    if not year_ok(year):
        raise InputError("year", "سال تعرفه نامعتبر است")
    if not day_ok(effective_from):
        raise InputError("effective_from", "تاریخ اجرای تعرفه بیرون از بازه تقویم دفتر است")
    now = ctx.now()
    with ctx.tx() as s:
        row = s.scalar(
            select(Tariff).where(
                Tariff.group == group,
                Tariff.discipline == discipline,
                Tariff.effective_from == effective_from,
            )
        )
        before = None
        if row is None:
            row = Tariff(
                year=year,
                group=group,
                discipline=discipline,
                effective_from=effective_from,
                rials_per_m2=rials_per_m2,
                created_at=now,
            )
            s.add(row)
        else:
            before = {"rials_per_m2": row.rials_per_m2, "year": row.year}
        row.year, row.rials_per_m2 = year, rials_per_m2
        row.status = "published" if source else "default"
        row.source, row.created_by = source, ctx.actor.username
        s.flush()
        audit(
            s,
            ctx,
            "tariff.set",
            "tariff",
            f"{group}/{discipline}/{effective_from.isoformat()}",
            before=before,
            after={"year": year, "rials_per_m2": rials_per_m2, "source": source},
        )
        return row.id


def tariff_at(s: Session, group: str, discipline: str, on: date) -> Tariff | None:
    return s.scalar(
        select(Tariff)
        .where(Tariff.group == group, Tariff.discipline == discipline, Tariff.effective_from <= on)
        .order_by(Tariff.effective_from.desc())
        .limit(1)
    )


@use_case(writes=False)
def tariff_table(ctx: ServiceContext, on: date | None = None) -> list[TariffRow]:
    """Every (group, discipline) cell in force on `on`, the missing ones marked to_fill."""
    require(ctx, "tariff.read")
    on = on or local_date(ctx.now())
    with ctx.read() as s:
        out = []
        for g in GROUPS:
            for d in TARIFF_DISCIPLINES:
                t = tariff_at(s, g, d, on)
                out.append(
                    TariffRow(g, d, None, None, None, "to_fill", "")
                    if t is None
                    else TariffRow(
                        g, d, t.year, t.rials_per_m2, t.effective_from, t.status, t.source
                    )
                )
        return out


def project_fees(s: Session, project: Project) -> dict[str, FeeDue]:
    """F1 per discipline of the project, with the approved and pending payments (F2)."""
    on = local_date(project.created_at)
    sums: dict[tuple[str, str], int] = {}
    counts: dict[str, int] = {}
    for d, status, total, n in s.execute(
        select(
            FeePayment.discipline,
            FeePayment.status,
            func.sum(FeePayment.amount_rials),
            func.count(),
        )
        .where(FeePayment.project_id == project.id)
        .group_by(FeePayment.discipline, FeePayment.status)
    ):
        sums[(d, status)] = int(total or 0)
        if status == "approved":
            counts[d] = int(n)
    out = {}
    for d, area in s.execute(
        select(Referral.discipline, Referral.area).where(Referral.project_id == project.id)
    ):
        t = tariff_at(s, project.group, d, on)
        out[d] = FeeDue(
            d,
            area,
            t.rials_per_m2 if t else None,
            fee_rials(area, t.rials_per_m2) if t else None,
            sums.get((d, "approved"), 0),
            sums.get((d, "pending"), 0),
            counts.get(d, 0),
        )
    return out


def fee_gaps(s: Session, project: Project) -> list[str]:
    """P2 + F1: disciplines whose approved payments do not cover the fee (Persian)."""
    gaps = []
    for d, due in project_fees(s, project).items():
        if due.fee_rials is not None and due.approved_count and not due.covered:
            gaps.append(
                f"حق‌الزحمه نظارت رشته {DISCIPLINE_FA.get(d, d)} کامل پرداخت نشده است: "
                f"تعرفه {due.fee_rials:,} ریال، تأییدشده {due.approved_rials:,} ریال (F1)"
            )
    return gaps


@use_case(writes=False)
def fee_for(ctx: ServiceContext, project_id: int, discipline: str) -> FeeDue:
    require(ctx, "people.read")
    with ctx.read() as s:
        p = s.get(Project, project_id)
        if p is None:
            raise InputError("project", "پرونده پیدا نشد")
        fees = project_fees(s, p)
        if discipline not in fees:
            raise InputError("discipline", "این رشته در پرونده نیست")
        return fees[discipline]

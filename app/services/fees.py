"""F1: supervision fees from the tariff tables; what each discipline of a project owes.

A tariff table (one per Jalali year, or half-year, with its source and activation date) has a
row per building group and floor band (الف 1–2; ب 3–5; ج 6–7, 8–10; د 11–12, 13–15, 16+) and a
column per discipline (arch, civil, mech, elec, survey) and the coordinator (coord). The table
in force on the day a file was registered applies for the life of the file; the file's row is
its group's band by floors, or the group's first band when the group came from the area. Each
discipline's fee = billable area (the project's area, at least `minimum_billable_area_m2`) ×
its column; the coordinator's fee = billable area × the coordinator column, paid by the owner
with the coordinating discipline's fee (civil, else architecture) and paid out to that
discipline's supervisor (F3/F4, app/services/payouts.py).

P2 (decision of issue 5, kept): when the table has the cell for a discipline, the approved
payments of that discipline must add up to at least what is due for it (its fee, and the
coordinator's for the coordinating discipline) before the project may enter distribution.
Without the cell the fee is not known and only an approved payment is required.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..db.models import FeePayment, Project, Referral, Tariff, TariffTable
from ..db.policy_store import policy_at
from ..domain.calendar import local_date, parse_jalali_date
from ..domain.codes import DISCIPLINE_FA, DISCIPLINES
from ..domain.digits import grouped
from ..domain.errors import InputError
from ..domain.money import (
    FLOOR_BANDS,
    TARIFF_COLUMNS,
    TARIFF_ROWS,
    bands_of,
    billable_area,
    coordinating_discipline,
    supervision_fees,
    tariff_band,
)
from ..domain.projects import building_group
from ..domain.text import day_ok, year_ok
from ..resources import ROOT
from .context import ServiceContext, audit
from .permissions import require
from .registry import use_case

GROUPS = tuple(FLOOR_BANDS)
TARIFF_DISCIPLINES = TARIFF_COLUMNS  # the table's columns; coord: the coordinator
CELL_STATUSES = ("published", "entered")


@dataclass(frozen=True)
class TariffRow:
    """One cell of the table in force (or `to_fill`: the table lacks it)."""

    group: str
    band: str
    discipline: str
    year: int | None
    rials_per_m2: int | None  # None: to be filled by the administrator
    effective_from: date | None
    status: str  # published | entered | to_fill
    source: str


@dataclass(frozen=True)
class TariffTableOut:
    id: int
    year: int
    effective_from: date
    title: str
    source: str
    status: str  # published | entered
    cells: int
    published: int
    missing: int  # of the table's 7 rows × 6 columns


@dataclass(frozen=True)
class FeeDue:
    """F1/F2 for one discipline of a project (or of a quote at the counter)."""

    discipline: str
    area_m2: Decimal  # the project's area
    rials_per_m2: int | None
    fee_rials: int | None  # None: the table lacks (row, discipline)
    approved_rials: int
    pending_rials: int
    approved_count: int = 0
    billable_m2: Decimal = Decimal(0)  # F1: the area charged (at least the policy minimum)
    group: str = ""
    band: str = ""  # the tariff row: "3-5"
    coordinator_per_m2: int | None = None  # the coordinating discipline only
    coordinator_rials: int = 0  # F1: the coordinator's fee, paid with this discipline's
    table_year: int | None = None
    table_from: date | None = None
    table_source: str = ""
    table_title: str = ""

    @property
    def due_rials(self) -> int | None:
        """What the owner pays for this discipline: its fee and the coordinator's."""
        return None if self.fee_rials is None else self.fee_rials + self.coordinator_rials

    @property
    def covered(self) -> bool:
        """P2: an approved payment, and (when the fee is known) enough of them for F1."""
        if self.approved_count == 0:
            return False
        due = self.due_rials
        return due is None or self.approved_rials >= due

    @property
    def outstanding_rials(self) -> int | None:
        due = self.due_rials
        return None if due is None else max(0, due - self.approved_rials)


# ---------------------------------------------------------------- the shipped tables


def shipped_tables() -> list[dict]:
    """The tables shipped in resources/tariffs/*.json: name, year, activation date, source,
    status, and their cells (group, band, discipline, rials, status)."""
    out = []
    for f in sorted((ROOT / "tariffs").glob("*.json")):
        table = json.loads(f.read_text(encoding="utf-8"))
        cells = []
        for r in table["rows"]:
            bands = [r["band"]] if r.get("band") else list(bands_of(r["group"]))
            for band in bands:
                for d, rials in r["rials_per_m2"].items():
                    if rials is None:
                        continue
                    cells.append(
                        {
                            "group": r["group"],
                            "band": band,
                            "discipline": d,
                            "rials_per_m2": int(rials),
                            "status": r.get("status", table.get("status", "entered")),
                        }
                    )
        out.append(
            {
                "name": f.stem,
                "year": int(table["year"]),
                "effective_from": parse_jalali_date(table["effective_from"]),
                "title": table.get("title", ""),
                "source": table.get("source", ""),
                "status": table.get("status", "entered"),
                "cells": cells,
            }
        )
    return out


def shipped_table_names() -> tuple[str, ...]:
    return tuple(t["name"] for t in shipped_tables())


@use_case(writes=True)
def seed_tariffs(ctx: ServiceContext, names: tuple[str, ...] = ()) -> int:
    """Load the shipped tables (all, or those named: "tehran-1403", "fars-1405") and the cells
    of them the database lacks (administrator). Returns how many cells were added."""
    require(ctx, "policy.edit")
    now = ctx.now()
    tables = [t for t in shipped_tables() if not names or t["name"] in names]
    unknown = set(names) - {t["name"] for t in tables}
    if unknown:
        raise InputError("names", f"جدول تعرفه‌ای با این نام همراه برنامه نیست: {sorted(unknown)}")
    added = 0
    with ctx.tx() as s:
        for t in tables:
            table = s.scalar(
                select(TariffTable).where(TariffTable.effective_from == t["effective_from"])
            )
            if table is None:
                table = TariffTable(
                    year=t["year"],
                    effective_from=t["effective_from"],
                    title=t["title"],
                    source=t["source"],
                    status=t["status"],
                    created_at=now,
                    created_by=ctx.actor.username,
                )
                s.add(table)
                s.flush()
            have = set(
                s.execute(
                    select(Tariff.group, Tariff.band, Tariff.discipline).where(
                        Tariff.table_id == table.id
                    )
                ).all()
            )
            for c in t["cells"]:
                if (c["group"], c["band"], c["discipline"]) in have:
                    continue
                s.add(
                    Tariff(
                        table_id=table.id,
                        group=c["group"],
                        band=c["band"],
                        discipline=c["discipline"],
                        rials_per_m2=c["rials_per_m2"],
                        status=c["status"],
                        source=t["source"] if c["status"] == "published" else "",
                        created_at=now,
                        created_by=ctx.actor.username,
                    )
                )
                added += 1
        if added:
            audit(
                s,
                ctx,
                "tariff.seed",
                "tariff",
                "shipped",
                after={"tables": [t["name"] for t in tables], "cells": added},
            )
    return added


# ---------------------------------------------------------------- the administrator's cells


@use_case(writes=True)
def set_tariff(
    ctx: ServiceContext,
    year: int,
    group: str,
    discipline: str,
    rials_per_m2: int,
    effective_from: date,
    source: str = "",
    band: str = "",
) -> int:
    """One cell of the table that takes effect on `effective_from` (made if new), for one
    floor band or, with `band` empty, every band of the group (administrator only, U1). A
    cell with a source is published; without, entered by this office. Earlier tables stay."""
    require(ctx, "policy.edit")
    if group not in GROUPS:
        raise InputError("group", "گروه ساختمانی باید یکی از الف، ب، ج، د باشد")
    bands = bands_of(group)
    if band and band not in bands:
        raise InputError("band", "ردیف طبقات با گروه ساختمانی نمی‌خواند")
    if discipline not in TARIFF_DISCIPLINES:
        raise InputError("discipline", "رشته ناشناخته است")
    if not isinstance(rials_per_m2, int) or isinstance(rials_per_m2, bool) or rials_per_m2 < 0:
        raise InputError("rials_per_m2", "تعرفه باید عدد صحیح نامنفی به ریال باشد")
    if not year_ok(year):
        raise InputError("year", "سال تعرفه نامعتبر است")
    if not day_ok(effective_from):
        raise InputError("effective_from", "تاریخ اجرای تعرفه بیرون از بازه تقویم دفتر است")
    source = source.strip()
    now = ctx.now()
    with ctx.tx() as s:
        table = s.scalar(select(TariffTable).where(TariffTable.effective_from == effective_from))
        if table is None:
            table = TariffTable(
                year=year,
                effective_from=effective_from,
                source=source,
                status="published" if source else "entered",
                created_at=now,
                created_by=ctx.actor.username,
            )
            s.add(table)
            s.flush()
        last = None
        for b in [band] if band else bands:
            row = s.scalar(
                select(Tariff).where(
                    Tariff.table_id == table.id,
                    Tariff.group == group,
                    Tariff.band == b,
                    Tariff.discipline == discipline,
                )
            )
            before = None
            if row is None:
                row = Tariff(
                    table_id=table.id,
                    group=group,
                    band=b,
                    discipline=discipline,
                    rials_per_m2=rials_per_m2,
                    created_at=now,
                )
                s.add(row)
            else:
                before = {"rials_per_m2": row.rials_per_m2, "status": row.status}
            row.rials_per_m2 = rials_per_m2
            row.status = "published" if source else "entered"
            row.source, row.created_by = source, ctx.actor.username
            s.flush()
            audit(
                s,
                ctx,
                "tariff.set",
                "tariff",
                f"{effective_from.isoformat()}/{group}/{b}/{discipline}",
                before=before,
                after={"year": table.year, "rials_per_m2": rials_per_m2, "source": source},
            )
            last = row.id
        return int(last)  # type: ignore[arg-type]


# ---------------------------------------------------------------- reading the tables


def table_at(s: Session, on: date) -> TariffTable | None:
    """F1: the table in force on `on` (the newest activated on or before it)."""
    return s.scalar(
        select(TariffTable)
        .where(TariffTable.effective_from <= on)
        .order_by(TariffTable.effective_from.desc())
        .limit(1)
    )


def _cells(s: Session, table: TariffTable | None) -> dict[tuple[str, str, str], Tariff]:
    if table is None:
        return {}
    return {
        (t.group, t.band, t.discipline): t
        for t in s.scalars(select(Tariff).where(Tariff.table_id == table.id))
    }


def _row_rates(
    cells: dict[tuple[str, str, str], Tariff], group: str, band: str
) -> dict[str, int | None]:
    return {
        d: (c.rials_per_m2 if (c := cells.get((group, band, d))) else None) for d in TARIFF_COLUMNS
    }


@use_case(writes=False)
def tariff_table(ctx: ServiceContext, on: date | None = None) -> list[TariffRow]:
    """Every (group, band, column) cell of the table in force on `on` (today), the missing
    ones marked to_fill."""
    require(ctx, "tariff.read")
    on = on or local_date(ctx.now())
    with ctx.read() as s:
        table = table_at(s, on)
        cells = _cells(s, table)
        out = []
        for g, b in TARIFF_ROWS:
            for d in TARIFF_COLUMNS:
                t = cells.get((g, b, d))
                out.append(
                    TariffRow(g, b, d, None, None, None, "to_fill", "")
                    if t is None or table is None
                    else TariffRow(
                        g,
                        b,
                        d,
                        table.year,
                        t.rials_per_m2,
                        table.effective_from,
                        t.status,
                        t.source or table.source,
                    )
                )
        return out


@use_case(writes=False)
def tariff_tables(ctx: ServiceContext) -> list[TariffTableOut]:
    """Every table with its source and activation date, and how complete it is."""
    require(ctx, "tariff.read")
    with ctx.read() as s:
        counts = {
            (tid, st): int(n)
            for tid, st, n in s.execute(
                select(Tariff.table_id, Tariff.status, func.count()).group_by(
                    Tariff.table_id, Tariff.status
                )
            )
        }
        full = len(TARIFF_ROWS) * len(TARIFF_COLUMNS)
        out = []
        for t in s.scalars(select(TariffTable).order_by(TariffTable.effective_from)):
            n = sum(v for (tid, _), v in counts.items() if tid == t.id)
            out.append(
                TariffTableOut(
                    t.id,
                    t.year,
                    t.effective_from,
                    t.title,
                    t.source,
                    t.status,
                    n,
                    counts.get((t.id, "published"), 0),
                    full - n,
                )
            )
        return out


# ---------------------------------------------------------------- what a file owes


def coordinator_order() -> tuple[str, ...]:
    """[policy] which supervisor coordinates: civil, else architecture
    (resources/documents/contract_fa.json)."""
    t = json.loads((ROOT / "documents" / "contract_fa.json").read_text(encoding="utf-8"))
    return tuple(t["policy"]["coordinating_supervisor_order"])


def _dues(
    s: Session,
    area: Decimal,
    floors: int,
    group: str,
    disciplines: list[str],
    registered: date,
    at_policy,
) -> dict[str, FeeDue]:
    policy = policy_at(s, at_policy)
    table = table_at(s, registered)
    band = tariff_band(group, floors)
    billable = billable_area(area, policy.minimum_billable_area_m2)
    rates = _row_rates(_cells(s, table), group, band)
    coord = coordinating_discipline(disciplines, coordinator_order())
    fees = supervision_fees(billable, rates, disciplines, coord)
    return {
        d: FeeDue(
            d,
            area,
            f.rials_per_m2,
            f.fee_rials,
            0,
            0,
            0,
            billable,
            group,
            band,
            f.coordinator_per_m2,
            f.coordinator_rials,
            table.year if table else None,
            table.effective_from if table else None,
            table.source if table else "",
            table.title if table else "",
        )
        for d, f in fees.items()
    }


def project_fees(s: Session, project: Project) -> dict[str, FeeDue]:
    """F1 per discipline of the project (the table in force when it was registered), with
    the approved and pending payments (F2)."""
    registered = local_date(project.created_at)
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
    disciplines = list(
        s.scalars(select(Referral.discipline).where(Referral.project_id == project.id))
    )
    dues = _dues(
        s,
        project.area,
        project.floors,
        project.group,
        disciplines,
        registered,
        project.created_at,
    )
    out = {}
    for d in disciplines:
        due = dues[d]
        out[d] = FeeDue(
            **{
                **due.__dict__,
                "approved_rials": sums.get((d, "approved"), 0),
                "pending_rials": sums.get((d, "pending"), 0),
                "approved_count": counts.get(d, 0),
            }
        )
    return out


def fee_gaps(s: Session, project: Project) -> list[str]:
    """P2 + F1: disciplines whose approved payments do not cover what is due (Persian)."""
    gaps = []
    for d, due in project_fees(s, project).items():
        if due.due_rials is not None and due.approved_count and not due.covered:
            coord = (
                f" با حق‌الزحمه ناظر هماهنگ‌کننده {grouped(due.coordinator_rials)} ریال"
                if due.coordinator_rials
                else ""
            )
            gaps.append(
                f"حق‌الزحمه نظارت رشته {DISCIPLINE_FA.get(d, d)} کامل پرداخت نشده است: "
                f"تعرفه {grouped(due.due_rials)} ریال{coord}، "
                f"تأییدشده {grouped(due.approved_rials)} ریال (F1)"
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


@use_case(writes=False)
def fee_quote(
    ctx: ServiceContext, area: Decimal, floors: int, disciplines: tuple[str, ...] = ()
) -> list[FeeDue]:
    """F1 before a file is registered: what each discipline would owe at the counter today
    (the table in force today, the group derived by P3, the disciplines given or P4's)."""
    require(ctx, "tariff.read")
    from ..domain.projects import required_disciplines

    if not isinstance(area, Decimal) or not area.is_finite() or area <= 0 or area > 10**7:
        raise InputError("area", "زیربنا باید عددی مثبت به متر مربع باشد")
    if isinstance(floors, bool) or not isinstance(floors, int) or not 0 < floors < 300:
        raise InputError("floors", "تعداد طبقات باید عددی مثبت باشد")
    if any(d not in DISCIPLINES for d in disciplines):
        raise InputError("disciplines", "رشته ناشناخته است")
    now = ctx.now()
    with ctx.read() as s:
        policy = policy_at(s, now)
        group = building_group(floors, area, policy)
        chosen = list(dict.fromkeys(disciplines)) or list(
            required_disciplines(floors, area, policy)
        )
        dues = _dues(s, area, floors, group, chosen, local_date(now), now)
    return [dues[d] for d in chosen]


def coordinator_line(dues: dict[str, FeeDue]) -> FeeDue | None:
    """The discipline that carries the coordinator's fee, if any."""
    return next((f for f in dues.values() if f.coordinator_rials), None)

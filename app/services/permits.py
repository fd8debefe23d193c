"""A file's particulars from the permit body (issue 14), printed on its papers: the city (whose
municipality the introduction letter is addressed to), the municipal district, the structure
type, and — once the municipality has issued it — the building permit's number and date. The
clerk records them at the counter (U1: clerk or manager), with the audit trail.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db.models import Project, ProjectPermit, Referral
from ..domain.calendar import format_jalali_date, local_date
from ..domain.errors import InputError
from ..domain.text import check_texts, day_ok, normalize_digits, normalize_text
from . import notify
from .context import ServiceContext, audit
from .permissions import require
from .registry import use_case

STRUCTURE_FA = {
    "concrete": "اسکلت بتن‌آرمه",
    "steel": "اسکلت فولادی",
    "masonry": "بنایی با کلاف",
    "wood": "اسکلت چوبی",
    "mixed": "ترکیبی (بتن و فولاد)",
}


@dataclass(frozen=True)
class PermitIn:
    city: str
    municipal_district: str = ""
    structure_type: str = ""  # one of STRUCTURE_FA
    permit_no: str = ""
    permit_date: date | None = None


@dataclass(frozen=True)
class PermitOut:
    project_id: int
    city: str
    municipal_district: str
    structure_type: str
    structure_fa: str
    permit_no: str
    permit_date: date | None
    updated_at: datetime
    updated_by: str


def _out(row: ProjectPermit) -> PermitOut:
    return PermitOut(
        row.project_id,
        row.city,
        row.municipal_district,
        row.structure_type,
        STRUCTURE_FA.get(row.structure_type, ""),
        row.permit_no,
        row.permit_date,
        row.updated_at,
        row.updated_by,
    )


@use_case(writes=True)
def record_permit(ctx: ServiceContext, project_id: int, p: PermitIn) -> PermitOut:
    """The file's city, municipal district and structure type; the permit's number and date
    when issued (both or neither; the date not after today)."""
    require(ctx, "permit.record")
    city = normalize_text(p.city)
    district = normalize_digits(normalize_text(p.municipal_district))
    permit_no = normalize_digits(p.permit_no.strip())
    check_texts(
        ("city", city, 60),
        ("municipal_district", district, 20),
        ("structure_type", p.structure_type, 20),
        ("permit_no", permit_no, 40),
    )
    if not city:
        raise InputError("city", "شهر محل پروژه را وارد کنید")
    if p.structure_type and p.structure_type not in STRUCTURE_FA:
        raise InputError("structure_type", "نوع سازه ناشناخته است")
    if bool(permit_no) != (p.permit_date is not None):
        raise InputError("permit_date", "شماره و تاریخ پروانه ساختمان با هم وارد می‌شوند")
    now = ctx.now()
    if p.permit_date is not None and (not day_ok(p.permit_date) or p.permit_date > local_date(now)):
        raise InputError("permit_date", "تاریخ پروانه ساختمان نمی‌تواند پس از امروز باشد")
    with ctx.tx() as s:
        if s.get(Project, project_id) is None:
            raise InputError("project", "پرونده پیدا نشد")
        row = s.get(ProjectPermit, project_id)
        before = None
        if row is None:
            row = ProjectPermit(project_id=project_id, updated_at=now)
            s.add(row)
        else:
            before = {k: v for k, v in asdict(_out(row)).items() if k not in ("updated_at",)}
        row.city, row.municipal_district, row.structure_type = city, district, p.structure_type
        row.permit_no, row.permit_date = permit_no, p.permit_date
        row.updated_at, row.updated_by = now, ctx.actor.username
        s.flush()
        out = _out(row)
        if permit_no and (before is None or before.get("permit_no") != permit_no):
            _tell_supervisors(s, project_id, permit_no, p.permit_date, now)
        audit(
            s,
            ctx,
            "project.permit",
            "project",
            project_id,
            before=before,
            after={k: v for k, v in asdict(out).items() if k not in ("updated_at",)},
        )
        return out


@use_case(writes=False)
def project_permit(ctx: ServiceContext, project_id: int) -> PermitOut | None:
    require(ctx, "people.read")
    with ctx.read() as s:
        row = s.get(ProjectPermit, project_id)
        return None if row is None else _out(row)


def _tell_supervisors(
    s: Session, project_id: int, permit_no: str, permit_date: date | None, now: datetime
) -> None:
    """Clause 2-1: a permit issued after the contract is made known to its parties — an SMS
    to each supervisor who has signed (the owner's notice is the contract's next print)."""
    signed = dict(
        s.execute(
            select(Referral.id, Referral.engineer_id).where(
                Referral.project_id == project_id,
                Referral.status == "signed",
                Referral.engineer_id.is_not(None),
            )
        ).all()
    )
    if not signed:
        return
    fields, phones = notify.message_fields(s, signed, signed.values())
    extra = {
        "permit_no": permit_no,
        "permit_date": format_jalali_date(permit_date).replace("-", "/") if permit_date else "",
    }
    for rid, eid in signed.items():
        notify.queue(s, "permit", rid, eid, now, {**fields[rid], **extra}, phones.get(eid))

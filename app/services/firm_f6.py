"""F6: no process of a firm goes ahead unless every current member has complete registration
data and valid membership for the current Jalali year. Below both `engineers` (every change
of a supervisor checks it) and `firms` (registration and membership)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..db.models import Engineer, FirmMember
from ..domain.calendar import jalali_year, local_date
from ..domain.errors import RuleViolation


@dataclass(frozen=True)
class MemberBlock:
    member_id: int
    membership_no: str
    reason: str  # Persian


def current_members(s: Session, firm_id: int, on: date) -> list[Engineer]:
    return list(
        s.scalars(
            select(Engineer)
            .join(FirmMember, FirmMember.member_id == Engineer.id)
            .where(
                FirmMember.firm_id == firm_id,
                or_(FirmMember.left_on.is_(None), FirmMember.left_on > on),
            )
            .order_by(Engineer.membership_no)
        )
    )


def member_blocks(members: list[Engineer], year: int) -> list[MemberBlock]:
    out = []
    for m in members:
        if not m.data_complete:
            out.append(MemberBlock(m.id, m.membership_no, "ثبت‌نام و اطلاعات عضو کامل نیست"))
        if m.membership_paid_through is None or m.membership_paid_through < year:
            out.append(MemberBlock(m.id, m.membership_no, f"عضویت سال {year} معتبر نیست"))
    return out


def f6_failures(s: Session, firm_id: int, at: datetime) -> list[MemberBlock]:
    return member_blocks(current_members(s, firm_id, local_date(at)), jalali_year(at))


def f6_violation(blocks: list[MemberBlock]) -> RuleViolation | None:
    """F6's refusal naming each blocked member (None: none is blocked)."""
    if not blocks:
        return None
    detail = "؛ ".join(f"{b.membership_no}: {b.reason}" for b in blocks)
    return RuleViolation(
        {"F6"},
        f"تا همه اعضای شخص حقوقی ثبت‌نام کامل و عضویت معتبر نداشته باشند، "
        f"هیچ فرایندی از آن انجام نمی‌شود: {detail} (F6)",
    )


def raise_f6(blocks: list[MemberBlock]) -> None:
    if (refusal := f6_violation(blocks)) is not None:
        raise refusal


def f6_refusal(s: Session, engineer_id: int, at: datetime) -> RuleViolation | None:
    """F6's refusal for a firm with a blocked member (None for a person or a clear firm): for
    a process that names its own rules beside it (every rule that refuses, scenario.md)."""
    kind = s.scalar(select(Engineer.kind).where(Engineer.id == engineer_id))
    return f6_violation(f6_failures(s, engineer_id, at)) if kind == "firm" else None


def check_f6(s: Session, engineer_id: int, at: datetime) -> None:
    """Called by every process on a supervisor: nothing for a person; F6 for a firm."""
    if (refusal := f6_refusal(s, engineer_id, at)) is not None:
        raise refusal

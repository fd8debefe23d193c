"""Legal-entity supervisors (G2, G3, F6): a firm (Engineer kind='firm') with its member
engineers (FirmMember).

* F6: no process of a firm — registration, adding a member, renewal request, approval or
  payment of its membership, any change of its data — goes ahead unless every current member
  has complete registration data (`data_complete`) and valid membership for the current Jalali
  year (`membership_paid_through`); `firm_f6.f6_failures` lists who blocks it, in Persian.
* G2/G3 at referral time are read by app/domain/eligibility.py from the members loaded by
  app/db/snapshot.py; capacity and score of a firm come from app/domain/money.py (default: sum
  of the members' capacity in the referral's discipline; mean of their scores).
* A member may not stand for a referral their firm stands for, nor the firm for one a member
  stands for: refused with C2 and the message MEMBER_CONFLICT (decided with every other
  refusal of a candidacy in `app/domain/candidacy.py`).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..db.models import Engineer, FirmMember
from ..domain import candidacy as candidacy_rules
from ..domain.calendar import jalali_year, local_date
from ..domain.errors import InputError
from . import engineers
from .context import ServiceContext, audit
from .dto import EngineerIn
from .firm_f6 import MemberBlock, current_members, f6_failures, member_blocks, raise_f6
from .permissions import require, require_system_for_given
from .registry import use_case

MEMBER_CONFLICT = f"{candidacy_rules.MEMBER_CONFLICT} (C2)"


@use_case(writes=True)
def register_firm(
    ctx: ServiceContext,
    firm: EngineerIn,
    member_ids: list[int],
    enforce_f6: bool = True,
    director_id: int | None = None,
) -> int:
    """A firm with its members (F6 checked on the members first). `firm.kind` must be 'firm'.
    `director_id`: the member who signs for it (its managing director, صاحب امضای مجاز, whom
    the papers name), made a member if not among `member_ids` — in the same transaction, so
    the desk's one «ثبت» never leaves a firm without its signatory.
    `enforce_f6=False` only for a replayed scenario, whose starting state is taken as given."""
    require(ctx, "firm.manage")
    if firm.kind != "firm":
        raise InputError("kind", "نوع باید شخص حقوقی باشد")
    if not member_ids:
        raise InputError("members", "شخص حقوقی دست‌کم یک عضو مهندس لازم دارد")
    if len(set(member_ids)) != len(member_ids):
        raise InputError("members", "هر مهندس تنها یک بار عضو شخص حقوقی می‌شود")
    if director_id is not None and (
        isinstance(director_id, bool) or not isinstance(director_id, int)
    ):
        raise InputError("director_id", "مدیرعامل باید یکی از مهندسان ثبت‌شده باشد")
    require(ctx, "engineer.register")
    require_system_for_given(ctx, not enforce_f6, "ثبت شخص حقوقی بی‌بررسی F6")
    firm = engineers._validate(firm)
    engineers._check_given_facts(ctx, firm.__dict__, firm.validate_ids, firm.base_score != 0)
    all_ids = list(member_ids)
    if director_id is not None and director_id not in all_ids:
        all_ids.append(director_id)
    now = ctx.now()
    with ctx.tx() as s:  # one transaction: a firm never exists without its members
        members = list(s.scalars(select(Engineer).where(Engineer.id.in_(all_ids))))
        found = {m.id: m.kind for m in members}
        if director_id is not None and found.get(director_id) != "person":
            raise InputError("director_id", "مدیرعامل باید مهندس حقیقی ثبت‌شده باشد")
        if len(found) != len(all_ids) or any(k != "person" for k in found.values()):
            raise InputError("members", "اعضا باید مهندسان حقیقی ثبت‌شده باشند")
        if enforce_f6:
            raise_f6(member_blocks(members, jalali_year(now)))
        fid = engineers.add_engineer(s, ctx, firm)
        for mid in all_ids:
            role = "managing_director" if mid == director_id else "member"
            s.add(FirmMember(firm_id=fid, member_id=mid, role=role, joined_on=local_date(now)))
        after: dict[str, object] = {"members": sorted(all_ids)}
        if director_id is not None:
            after["director"] = director_id
        audit(s, ctx, "firm.register", "engineer", fid, after=after)
    return fid


@use_case(writes=True)
def add_member(ctx: ServiceContext, firm_id: int, member_id: int, role: str = "member") -> None:
    require(ctx, "firm.manage")
    now = ctx.now()
    with ctx.tx() as s:
        firm, m = s.get(Engineer, firm_id), s.get(Engineer, member_id)
        if firm is None or firm.kind != "firm":
            raise InputError("firm", "شخص حقوقی پیدا نشد")
        if m is None or m.kind != "person":
            raise InputError("member", "مهندس حقیقی پیدا نشد")
        members = current_members(s, firm_id, local_date(now))
        if any(x.id == member_id for x in members):
            raise InputError("member", "این مهندس از قبل عضو است")
        raise_f6(member_blocks([*members, m], jalali_year(now)))
        link = s.get(FirmMember, (firm_id, member_id))
        if link is None:
            s.add(
                FirmMember(
                    firm_id=firm_id, member_id=member_id, role=role, joined_on=local_date(now)
                )
            )
        else:
            link.left_on, link.joined_on, link.role = None, local_date(now), role
        audit(s, ctx, "firm.add_member", "engineer", firm_id, after={"member": member_id})


@use_case(writes=True)
def remove_member(ctx: ServiceContext, firm_id: int, member_id: int) -> None:
    """A member leaves (today). Leaving is not blocked by F6: it is how a firm gets unblocked."""
    require(ctx, "firm.manage")
    now = ctx.now()
    with ctx.tx() as s:
        link = s.get(FirmMember, (firm_id, member_id))
        if link is None or link.left_on is not None:
            raise InputError("member", "این مهندس عضو فعال این شخص حقوقی نیست")
        link.left_on = local_date(now)
        audit(s, ctx, "firm.remove_member", "engineer", firm_id, after={"member": member_id})


@use_case(writes=False)
def firm_status(ctx: ServiceContext, firm_id: int) -> list[MemberBlock]:
    """F6 for the desk: who blocks the firm's processes (empty: it may proceed)."""
    require(ctx, "people.read")
    with ctx.tx() as s:
        return f6_failures(s, firm_id, ctx.now())


# the roles of a firm's member who signs for it (its managing director, the authorised
# signatory of its last notice in the official gazette)
SIGNATORY_ROLES = ("managing_director", "ceo", "signatory", "مدیرعامل", "صاحب امضا")


def signatories(s: Session, firm_ids: list[int]) -> dict[int, str]:
    """Each firm's signatory: the name of its first current member (by joining date) whose
    role is a signatory's; a firm without one is not in the answer."""
    out: dict[int, str] = {}
    if not firm_ids:
        return out
    for firm_id, role, first, last in s.execute(
        select(FirmMember.firm_id, FirmMember.role, Engineer.first_name, Engineer.last_name)
        .join(Engineer, Engineer.id == FirmMember.member_id)
        .where(FirmMember.firm_id.in_(firm_ids), FirmMember.left_on.is_(None))
        .order_by(FirmMember.firm_id, FirmMember.joined_on, Engineer.membership_no)
    ):
        if role in SIGNATORY_ROLES and firm_id not in out:
            out[firm_id] = f"{first} {last}".strip()
    return out


def related_supervisors(s: Session, engineer_id: int, on: date) -> set[int]:
    """The firms of a member, or the members of a firm (current links only)."""
    active = or_(FirmMember.left_on.is_(None), FirmMember.left_on > on)
    firms = set(
        s.scalars(select(FirmMember.firm_id).where(FirmMember.member_id == engineer_id, active))
    )
    members = set(
        s.scalars(select(FirmMember.member_id).where(FirmMember.firm_id == engineer_id, active))
    )
    return firms | members

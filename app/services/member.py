"""What an engineer reads about himself (issue 13, the web cartable; the desk may use it too):
his score and how it was reached (W2's penalties day by day), his capacity and jobs, licence
and membership with what to do, his referrals (selected with the signing window, signed,
withdrawn), the messages he was sent, his membership years (F5) and his declaration (C1).

Every function is his own (U1: `engineer.file`, an engineer for himself only); set-based, a
few queries each, DTOs out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from ..db.models import (
    Candidacy,
    CapacityHold,
    DeclarationRow,
    Engineer,
    Licence,
    MembershipYear,
    Notification,
    OrganizationSettings,
    Project,
    Referral,
    ScoreEntry,
    Withdrawal,
)
from ..db.policy_store import policy_at
from ..db.snapshot import load_supervisors
from ..domain.calendar import at_local, jalali_year, local_date
from ..domain.candidacy import REMEDY_FA, out_of_everything
from ..domain.errors import NotFound
from ..domain.membership import renewal_failures
from ..domain.scoring import capacity_m2, penalty_value, score_at, supervision_grade
from .context import ServiceContext
from .dto import NotificationOut, WhyNot
from .permissions import require
from .registry import use_case

# What the chosen supervisor brings to the signing (A9): the office's counter asks for these.
TO_BRING = (
    "اصل کارت ملی",
    "اصل پروانه اشتغال به کار مهندسی",
    "مهر نظارت",
)


@dataclass(frozen=True)
class PenaltyDay:
    day: date  # a Jalali day shown; the penalty left at its start
    left: Decimal


@dataclass(frozen=True)
class PenaltyOut:
    """W2: a withdrawal's penalty, what is left of it now and the day it is gone."""

    at: datetime
    file_no: str
    discipline: str
    reason: str  # written withdrawal | no-show
    base: Decimal
    per_day: Decimal
    left: Decimal
    cleared_on: date | None  # the first day nothing is left (None: no recovery)
    days: tuple[PenaltyDay, ...]  # from today, one line a day, until it is gone (at most 14)


@dataclass(frozen=True)
class LedgerLine:
    at: datetime
    kind: str  # charge | refund | penalty
    points: Decimal  # signed: what it did to the score
    file_no: str
    discipline: str


@dataclass(frozen=True)
class JobOut:
    file_no: str
    discipline: str
    area: Decimal
    status: str  # selected | signed | earlier (work held before the product)
    since: datetime


@dataclass(frozen=True)
class MemberState:
    engineer_id: int
    membership_no: str
    name: str
    score: Decimal
    base_score: Decimal
    ledger: tuple[LedgerLine, ...]
    penalties: tuple[PenaltyOut, ...]
    capacity_m2: Decimal
    used_m2: Decimal
    free_m2: Decimal
    active_jobs: int
    max_jobs: int
    grade: str | None
    jobs: tuple[JobOut, ...]
    licence_no: str | None
    licence_expires: date | None
    membership_paid_through: int | None
    year: int  # the current Jalali year
    blocks: tuple[WhyNot, ...]  # what keeps him out of every referral, and what to do
    renewal: MembershipYearOut | None = None  # F5: his renewal request not yet paid


@dataclass(frozen=True)
class MyReferral:
    referral_id: int
    file_no: str
    discipline: str
    group: str
    area: Decimal
    state: str  # selected | signed | withdrawn | no_show | completed
    method: str | None  # competitive | forced
    decided_at: datetime | None
    sign_from: datetime | None  # A9: the window on the first working day after the decision
    sign_until: datetime | None
    signed_at: datetime | None
    withdrawn_at: datetime | None
    letter_no: str | None


@dataclass(frozen=True)
class Signing:
    """Where the chosen supervisor signs (A9), from the organization's settings."""

    place: str
    to_bring: tuple[str, ...]


@dataclass(frozen=True)
class MembershipYearOut:
    year: int
    status: str  # requested | approved | paid
    amount_rials: int | None  # what finance approved
    requested_at: datetime
    approved_at: datetime | None
    paid_at: datetime | None
    # taken from the organization's members' file (an import, `payment_ref` "import"): no
    # request was made and no amount approved here; its dates are the import's
    imported: bool = False


@dataclass(frozen=True)
class MembershipStatus:
    year: int  # the current Jalali year
    member_since: int
    paid_through: int | None
    data_complete: bool
    years: tuple[MembershipYearOut, ...]
    owed: tuple[int, ...]  # unpaid years up to the current one, oldest first
    may_request: int | None  # the year a renewal request may be recorded for now (F5)


@dataclass(frozen=True)
class DeclarationOut:
    year: int
    ready: bool
    rules_accepted: bool
    groups: tuple[str, ...]
    supervision_percent: Decimal
    submitted_at: datetime  # when it was recorded, with the rules accepted (C1)


def _name(e: Engineer) -> str:
    return f"{e.first_name} {e.last_name}".strip()


def _badge(ctx: ServiceContext, engineer_id: int) -> tuple[str, str]:
    """(name, membership number) of the signed-in engineer, for the web site's header: the
    session's own engineer (U1), one indexed read. Not a use case of its own (the header of
    every page, not something a desk asks for); `web.site_base.badge` remembers it a minute."""
    require(ctx, "engineer.file", engineer_id)
    with ctx.read() as s:
        row = s.execute(
            select(Engineer.first_name, Engineer.last_name, Engineer.membership_no).where(
                Engineer.id == engineer_id
            )
        ).first()
    if row is None:
        raise NotFound("engineer", "مهندس پیدا نشد")
    return f"{row.first_name or ''} {row.last_name or ''}".strip(), row.membership_no or ""


def _cancels_today(ctx: ServiceContext, engineer_id: int) -> tuple[int, int]:
    """C5 for his cartable: (his cancellations on today's Tehran day, the policy's limit a
    day), counted as `db.snapshot.candidacy_snapshot` counts them for `cancel`'s refusal. Not
    a use case of its own (the cartable page's, beside `candidacy.cartable`), as `_badge`."""
    require(ctx, "cartable.read", engineer_id)
    now = ctx.now()
    start = at_local(local_date(now), datetime.min.time())
    with ctx.read() as s:
        limit = policy_at(s, now).max_cancellations_per_day
        used = s.scalar(
            select(func.count()).where(
                Candidacy.engineer_id == engineer_id,
                Candidacy.status == "cancelled",
                Candidacy.cancelled_at >= start,
                Candidacy.cancelled_at < start + timedelta(days=1),
            )
        )
    return int(used or 0), int(limit)


def renewal_waiting(years: tuple[MembershipYearOut, ...]) -> MembershipYearOut | None:
    """F5: his oldest renewal request not yet paid — waiting for finance to approve its amount
    (requested) or for his payment (approved) — or None."""
    return next((y for y in years if y.status in ("requested", "approved")), None)


def renewal_remedy(waiting: MembershipYearOut | None) -> str:
    """What to do about G3 when a renewal request is already on file (F5): wait for finance,
    or pay what it approved; else the domain's own advice (`REMEDY_FA["G3"]`)."""
    if waiting is None:
        return REMEDY_FA["G3"]
    if waiting.status == "requested":
        return (
            f"درخواست تمدید عضویت سال {waiting.year} ثبت شده و در انتظار تأیید مبلغ در امور "
            "مالی است؛ پس از تأیید، حق عضویت را بپردازید"
        )
    return (
        f"امور مالی مبلغ حق عضویت سال {waiting.year} را تأیید کرده است؛ آن را بپردازید تا "
        "عضویت معتبر شود"
    )


def _years(s, engineer_id: int) -> tuple[MembershipYearOut, ...]:
    rows = s.scalars(
        select(MembershipYear)
        .where(MembershipYear.engineer_id == engineer_id)
        .order_by(MembershipYear.year)
    ).all()
    return tuple(
        MembershipYearOut(
            m.year,
            m.status,
            m.amount_rials,
            m.requested_at,
            m.approved_at,
            m.paid_at,
            m.payment_ref == "import",
        )
        for m in rows
    )


@use_case(writes=False)
def member_state(ctx: ServiceContext, engineer_id: int) -> MemberState:
    """His score with its ledger and penalties (W2), capacity and jobs (S2, S3, S7), licence
    and membership, and what keeps him out of the cartable."""
    require(ctx, "engineer.file", engineer_id)
    now = ctx.now()
    on = local_date(now)
    with ctx.read() as s:
        e = s.get(Engineer, engineer_id)
        if e is None:
            raise NotFound("engineer", "مهندس پیدا نشد")
        policy = policy_at(s, now)
        st = load_supervisors(s, [engineer_id], now)[engineer_id]
        lic = s.scalar(
            select(Licence).where(Licence.engineer_id == engineer_id, Licence.is_current)
        )
        entries = s.execute(
            select(
                ScoreEntry.at,
                ScoreEntry.kind,
                ScoreEntry.points,
                ScoreEntry.per_day,
                ScoreEntry.referral_id,
            )
            .where(ScoreEntry.engineer_id == engineer_id)
            .order_by(ScoreEntry.at, ScoreEntry.id)
        ).all()
        holds = s.execute(
            select(CapacityHold.referral_id, CapacityHold.area, CapacityHold.held_from)
            .where(CapacityHold.engineer_id == engineer_id, CapacityHold.released_at.is_(None))
            .order_by(CapacityHold.held_from)
        ).all()
        ref_ids = {r for _, _, _, _, r in entries if r} | {r for r, _, _ in holds if r}
        refs = {
            rid: (file_no, disc, status)
            for rid, file_no, disc, status in s.execute(
                select(Referral.id, Project.file_no, Referral.discipline, Referral.status)
                .join(Project, Project.id == Referral.project_id)
                .where(Referral.id.in_(ref_ids))
            )
        }
        kinds = dict(
            s.execute(
                select(Withdrawal.referral_id, Withdrawal.kind).where(
                    Withdrawal.engineer_id == engineer_id
                )
            ).all()
        )
        waiting = renewal_waiting(_years(s, engineer_id))
    ledger = []
    penalties = []
    for at, kind, points, per_day, rid in entries:
        file_no, disc, _ = refs.get(rid, ("", "", ""))
        signed = Decimal(points) if kind == "refund" else -Decimal(points)
        ledger.append(LedgerLine(at, kind, signed, file_no, disc))
        if kind == "penalty":
            penalties.append(_penalty(at, Decimal(points), per_day, file_no, disc, kinds, rid, now))
    jobs = []
    for rid, area, at in holds:
        if rid in refs:
            file_no, disc, status = refs[rid]
            jobs.append(JobOut(file_no, disc, area, status, at))
        else:  # work held before the product knew him
            jobs.append(JobOut("", "", area, "earlier", at))
    capacity = capacity_m2(st, policy, on)
    return MemberState(
        engineer_id=engineer_id,
        membership_no=e.membership_no,
        name=_name(e),
        score=score_at(st, now, policy),
        base_score=Decimal(e.base_score),
        ledger=tuple(reversed(ledger)),
        penalties=tuple(reversed(penalties)),
        capacity_m2=capacity,
        used_m2=st.used_m2,
        free_m2=max(Decimal(0), capacity - st.used_m2),
        active_jobs=st.active_jobs,
        max_jobs=policy.max_active_jobs,
        grade=supervision_grade(st, on),
        jobs=tuple(jobs),
        licence_no=lic.number if lic else None,
        licence_expires=lic.expires_on if lic else None,
        membership_paid_through=e.membership_paid_through,
        year=jalali_year(on),
        blocks=tuple(
            WhyNot(r, renewal_remedy(waiting) if r == "G3" else t)
            for r, t in out_of_everything(st, now, policy).reasons
        ),
        renewal=waiting,
    )


def _penalty(at, base, per_day, file_no, disc, kinds, rid, now) -> PenaltyOut:
    from ..domain.state import Penalty

    p = Penalty(at, base, Decimal(per_day or 0))
    left = penalty_value(p, now)
    cleared = None
    days: list[PenaltyDay] = []
    if p.per_day > 0:
        whole = -(-base // p.per_day)  # full days until nothing is left
        cleared = local_date(at + timedelta(days=int(whole)))
        day = local_date(now)
        moment = now
        while len(days) < 14 and day <= cleared:
            days.append(PenaltyDay(day, penalty_value(p, moment)))
            day += timedelta(days=1)
            moment += timedelta(days=1)
    reason = "no_show" if kinds.get(rid) == "no_show" else "written"
    return PenaltyOut(at, file_no, disc, reason, base, p.per_day, left, cleared, tuple(days))


@use_case(writes=False)
def my_referrals(ctx: ServiceContext, engineer_id: int) -> list[MyReferral]:
    """The referrals he was chosen for (waiting for his signature, signed, completed) and those
    he withdrew from or did not come to sign (W1, A9), newest first."""
    require(ctx, "engineer.file", engineer_id)
    with ctx.read() as s:
        chosen = s.execute(
            select(Referral, Project.file_no, Project.group)
            .join(Project, Project.id == Referral.project_id)
            .where(Referral.engineer_id == engineer_id)
        ).all()
        gone = s.execute(
            select(Withdrawal, Referral, Project.file_no, Project.group)
            .join(Referral, Referral.id == Withdrawal.referral_id)
            .join(Project, Project.id == Referral.project_id)
            .where(Withdrawal.engineer_id == engineer_id)
        ).all()
        out = [
            MyReferral(
                r.id,
                file_no,
                r.discipline,
                group,
                r.area,
                r.status,
                r.method,
                r.decided_at,
                r.sign_from,
                r.sign_until,
                r.signed_at,
                None,
                None,
            )
            for r, file_no, group in chosen
        ]
        out += [
            MyReferral(
                r.id,
                file_no,
                r.discipline,
                group,
                r.area,
                "no_show" if w.kind == "no_show" else "withdrawn",
                None,
                None,
                None,
                None,
                None,
                w.at,
                w.letter_no,
            )
            for w, r, file_no, group in gone
        ]
    return sorted(out, key=lambda m: m.decided_at or m.withdrawn_at or datetime.min, reverse=True)


@use_case(writes=False)
def signing_place(ctx: ServiceContext) -> Signing:
    """Where the chosen supervisor signs (A9) and what he brings."""
    require(ctx, "engineer.file")
    with ctx.read() as s:
        row = s.execute(
            select(
                OrganizationSettings.name, OrganizationSettings.unit, OrganizationSettings.address
            )
            .order_by(OrganizationSettings.id)
            .limit(1)
        ).first()
    place = "، ".join(x for x in (row or ()) if x) if row else ""
    return Signing(place or "واحد ارجاع نظارت سازمان", TO_BRING)


@use_case(writes=False)
def my_notifications(ctx: ServiceContext, engineer_id: int) -> list[NotificationOut]:
    """The messages he was sent (selected, no-show, withdrawn: A8, A9, W1), newest first."""
    require(ctx, "engineer.file", engineer_id)
    with ctx.read() as s:
        rows = s.execute(
            select(Notification, Engineer.membership_no)
            .join(Engineer, Engineer.id == Notification.engineer_id)
            .where(Notification.engineer_id == engineer_id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(200)
        ).all()
    return [
        NotificationOut(n.id, n.created_at, n.engineer_id, no, n.kind, n.referral_id, n.body)
        for n, no in rows
    ]


@use_case(writes=False)
def membership_status(ctx: ServiceContext, engineer_id: int) -> MembershipStatus:
    """F5 (seed 000): his years — requested, approved by finance with the amount, paid — what
    he owes, and the year a renewal request may be recorded for now."""
    require(ctx, "engineer.file", engineer_id)
    now = ctx.now()
    year = jalali_year(local_date(now))
    with ctx.read() as s:
        e = s.get(Engineer, engineer_id)
        if e is None:
            raise NotFound("engineer", "مهندس پیدا نشد")
        years = _years(s, engineer_id)
        member_since, paid_through, complete = (
            e.member_since,
            e.membership_paid_through,
            (e.data_complete),
        )
    paid = {y.year for y in years if y.status == "paid"}
    owed = tuple(y for y in range(member_since, year + 1) if y not in paid)
    known = {y.year for y in years}
    may = next(
        (
            y
            for y in (*owed, year + 1)
            if y not in known and not renewal_failures(y, member_since, paid, complete)
        ),
        None,
    )
    return MembershipStatus(year, member_since, paid_through, complete, years, owed, may)


@use_case(writes=False)
def my_declaration(ctx: ServiceContext, engineer_id: int) -> DeclarationOut | None:
    """His self-declaration of the current Jalali year (C1), or None."""
    require(ctx, "engineer.file", engineer_id)
    year = jalali_year(local_date(ctx.now()))
    with ctx.read() as s:
        d = s.scalar(
            select(DeclarationRow).where(
                DeclarationRow.engineer_id == engineer_id, DeclarationRow.year == year
            )
        )
        if d is None:
            return None
        return DeclarationOut(
            d.year,
            d.ready,
            d.rules_accepted,
            tuple(d.groups),
            Decimal(d.supervision_percent),
            d.submitted_at,
        )

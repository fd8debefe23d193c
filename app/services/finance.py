"""Read models of the finance desk (issue 5, item 7): pending approvals, today's totals,
payouts due, exports. The desk screens call only these (and the deciding services in
projects.py, engineers.py and payouts.py)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from ..db.models import Engineer, FeePayment, MembershipYear, Project, StagePayout
from ..domain.calendar import at_local, jalali_text, local_date
from ..domain.codes import DISCIPLINE_FA
from ..domain.errors import InputError
from ..domain.money import Stage, split_fee
from ..domain.text import day_ok
from .context import ServiceContext
from .fees import project_fees
from .payouts import PayoutOut, list_payouts
from .permissions import require
from .registry import use_case
from .sheets import append_row


@dataclass(frozen=True)
class PendingFee:
    id: int
    project_id: int
    file_no: str
    discipline: str
    amount_rials: int
    fee_rials: int | None  # F1: what is due (area × tariff, and the coordinator's), or None
    bank: str
    tracking_no: str
    paid_on: date
    receipt_filename: str | None = None  # the bank receipt's scan the clerk attached (F2)


@dataclass(frozen=True)
class PendingRenewal:
    engineer_id: int
    membership_no: str
    name: str
    kind: str
    year: int
    requested_at: datetime


@dataclass(frozen=True)
class Approvals:
    fees: list[PendingFee]
    renewals: list[PendingRenewal]  # requested, waiting for finance to approve the amount
    payouts: list[PayoutOut]


@dataclass(frozen=True)
class DayTotals:
    day: date
    fees_approved_rials: int
    fees_approved_count: int
    fees_rejected_count: int
    organization_share_rials: int  # F3 share of the fees approved that day
    memberships_paid_rials: int
    memberships_paid_count: int
    payouts_approved_rials: int
    payouts_paid_rials: int


@use_case(writes=False)
def pending_approvals(ctx: ServiceContext) -> Approvals:
    require(ctx, "finance.read")
    with ctx.read() as s:
        fees = []
        rows = s.execute(
            select(FeePayment, Project)
            .join(Project, Project.id == FeePayment.project_id)
            .where(FeePayment.status == "pending")
            .order_by(FeePayment.id)
        ).all()
        due_cache: dict[int, dict] = {}
        for f, p in rows:
            if p.id not in due_cache:
                due_cache[p.id] = project_fees(s, p)
            due = due_cache[p.id].get(f.discipline)
            fees.append(
                PendingFee(
                    f.id,
                    p.id,
                    p.file_no,
                    f.discipline,
                    f.amount_rials,
                    due.due_rials if due else None,
                    f.bank,
                    f.tracking_no,
                    f.paid_on,
                    f.receipt_filename if f.receipt_content is not None else None,
                )
            )
        renewals = [
            PendingRenewal(
                e.id,
                e.membership_no,
                f"{e.first_name} {e.last_name}".strip(),
                e.kind,
                m.year,
                m.requested_at,
            )
            for m, e in s.execute(
                select(MembershipYear, Engineer)
                .join(Engineer, Engineer.id == MembershipYear.engineer_id)
                .where(MembershipYear.status == "requested")
                .order_by(MembershipYear.requested_at, MembershipYear.id)
            ).all()
        ]
    return Approvals(fees, renewals, list_payouts(ctx, status="pending"))


@use_case(writes=False)
def day_totals(ctx: ServiceContext, day: date | None = None) -> DayTotals:
    """Today's (or `day`'s) money at the desk, by local (Tehran) day."""
    require(ctx, "finance.read")
    if day is not None and not day_ok(day):
        raise InputError("day", "روز بیرون از بازه تقویم دفتر است (۱۳۵۸ تا ۱۵۰۰)")
    day = day or local_date(ctx.now())
    start = at_local(day, datetime.min.time())
    end = start + timedelta(days=1)
    with ctx.read() as s:
        from ..db.policy_store import policy_at

        policy = policy_at(s, start)
        stages = tuple(Stage(n, pc) for n, pc in policy.payout_stages)
        fee_rows = s.execute(
            select(
                FeePayment.status, func.count(), func.coalesce(func.sum(FeePayment.amount_rials), 0)
            )
            .where(FeePayment.decided_at >= start, FeePayment.decided_at < end)
            .group_by(FeePayment.status)
        ).all()
        by = {st: (int(n), int(total)) for st, n, total in fee_rows}
        approved_n, approved_total = by.get("approved", (0, 0))
        org = 0
        for (amount,) in s.execute(
            select(FeePayment.amount_rials).where(
                FeePayment.status == "approved",
                FeePayment.decided_at >= start,
                FeePayment.decided_at < end,
            )
        ):
            org += split_fee(amount, policy.organization_share, stages).organization  # F3/F4
        mem_n, mem_total = s.execute(
            select(func.count(), func.coalesce(func.sum(MembershipYear.amount_rials), 0)).where(
                MembershipYear.status == "paid",
                MembershipYear.amount_rials.is_not(None),  # not the imported member-system state
                MembershipYear.paid_at >= start,
                MembershipYear.paid_at < end,
            )
        ).one()
        pay_ok = s.scalar(
            select(func.coalesce(func.sum(StagePayout.amount_rials), 0)).where(
                StagePayout.decided_at >= start,
                StagePayout.decided_at < end,
                StagePayout.status.in_(("approved", "paid")),
            )
        )
        paid = s.scalar(
            select(func.coalesce(func.sum(StagePayout.amount_rials), 0)).where(
                StagePayout.paid_at >= start, StagePayout.paid_at < end
            )
        )
    return DayTotals(
        day,
        approved_total,
        approved_n,
        by.get("rejected", (0, 0))[0],
        org,
        int(mem_total),
        int(mem_n),
        int(pay_ok or 0),
        int(paid or 0),
    )


@use_case(writes=False)
def payouts_due(ctx: ServiceContext) -> list[PayoutOut]:
    """Approved and not yet paid: the next payment list."""
    require(ctx, "finance.read")
    return list_payouts(ctx, status="approved")


@use_case(writes=False)
def approvals_xlsx(ctx: ServiceContext) -> bytes:
    """The pending fee payments as an .xlsx workbook (bytes) for the finance desk's export."""
    require(ctx, "finance.read")
    from openpyxl import Workbook

    a = pending_approvals(ctx)
    wb = Workbook()
    ws = wb.active
    ws.title = "در انتظار تأیید"
    ws.sheet_view.rightToLeft = True
    append_row(
        ws, ["شماره پرونده", "رشته", "مبلغ (ریال)", "تعرفه (ریال)", "بانک", "پیگیری", "تاریخ"]
    )
    for f in a.fees:
        append_row(
            ws,
            [
                f.file_no,
                DISCIPLINE_FA.get(f.discipline, f.discipline),
                f.amount_rials,
                f.fee_rials if f.fee_rials is not None else "—",
                f.bank,
                f.tracking_no,
                jalali_text(f.paid_on),
            ],
        )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------- read helpers of the desk


@dataclass(frozen=True)
class FeePaymentRow:
    """One owner's payment recorded on a file, as the counter lists them: the bank, its
    tracking number and whether the receipt's scan is kept with it."""

    id: int
    discipline: str
    amount_rials: int
    bank: str
    tracking_no: str
    paid_on: date
    status: str
    receipt_filename: str | None  # None: no scan attached


@use_case(writes=False)
def project_fee_payments(ctx: ServiceContext, project_id: int) -> list[FeePaymentRow]:
    """The owners' payments recorded on one file, oldest first (F2)."""
    require(ctx, "finance.read")
    with ctx.read() as s:
        rows = s.execute(
            select(
                FeePayment.id,
                FeePayment.discipline,
                FeePayment.amount_rials,
                FeePayment.bank,
                FeePayment.tracking_no,
                FeePayment.paid_on,
                FeePayment.status,
                FeePayment.receipt_filename,
                FeePayment.receipt_content.is_not(None),
            )
            .where(FeePayment.project_id == project_id)
            .order_by(FeePayment.id)
        ).all()
    return [FeePaymentRow(*r[:7], r[7] if r[8] else None) for r in rows]


@use_case(writes=False)
def fee_receipt(ctx: ServiceContext, fee_id: int) -> tuple[str, bytes] | None:
    """The bank receipt's scan kept with an owner's payment: (mime, content), or None when
    the clerk attached none (F2: finance checks it before approving)."""
    require(ctx, "finance.read")
    with ctx.read() as s:
        row = s.execute(
            select(FeePayment.receipt_mime, FeePayment.receipt_content).where(
                FeePayment.id == fee_id
            )
        ).first()
    if row is None or row.receipt_content is None:
        return None
    return (row.receipt_mime or "", row.receipt_content)


@dataclass(frozen=True)
class RenewalToPay:
    """F5: a renewal whose amount finance has approved, waiting for its payment."""

    engineer_id: int
    membership_no: str
    name: str
    kind: str
    year: int
    amount_rials: int
    approved_at: datetime | None


@use_case(writes=False)
def renewals_to_pay(ctx: ServiceContext) -> list[RenewalToPay]:
    require(ctx, "finance.read")
    with ctx.read() as s:
        return [
            RenewalToPay(
                e.id,
                e.membership_no,
                f"{e.first_name} {e.last_name}".strip(),
                e.kind,
                m.year,
                int(m.amount_rials or 0),
                m.approved_at,
            )
            for m, e in s.execute(
                select(MembershipYear, Engineer)
                .join(Engineer, Engineer.id == MembershipYear.engineer_id)
                .where(MembershipYear.status == "approved")
                .order_by(MembershipYear.approved_at, MembershipYear.id)
            ).all()
        ]


@dataclass(frozen=True)
class StageDue:
    """F3: a signed referral and the next stage its supervisor may report (None: all done)."""

    referral_id: int
    file_no: str
    discipline: str
    engineer_id: int
    engineer_name: str
    membership_no: str
    fee_rials: int  # the approved fee (F2) the payouts are split from
    reported: tuple[str, ...]
    next_stage: str | None
    next_stage_fa: str
    next_percent: int
    next_amount_rials: int


@use_case(writes=False)
def stage_reports_due(ctx: ServiceContext) -> list[StageDue]:
    """Signed (or completed) referrals with the next stage report each may take (F3/F4)."""
    from ..db.models import Referral
    from ..db.policy_store import policy_at
    from .payouts import STAGE_FA, split_for

    require(ctx, "finance.read")
    now = ctx.now()
    out = []
    with ctx.read() as s:
        order = [n for n, _ in policy_at(s, now).payout_stages]
        percents = dict(policy_at(s, now).payout_stages)
        reported: dict[int, set[str]] = {}
        for rid, st in s.execute(select(StagePayout.referral_id, StagePayout.stage)):
            reported.setdefault(rid, set()).add(st)
        rows = s.execute(
            select(Referral, Project.file_no, Engineer)
            .join(Project, Project.id == Referral.project_id)
            .join(Engineer, Engineer.id == Referral.engineer_id)
            .where(Referral.status.in_(("signed", "completed")))
            .order_by(Referral.signed_at, Referral.id)
        ).all()
        for ref, file_no, e in rows:
            done = reported.get(ref.id, set())
            nxt = next((n for n in order if n not in done), None)
            split = split_for(s, ref, now)
            out.append(
                StageDue(
                    ref.id,
                    file_no,
                    ref.discipline,
                    e.id,
                    f"{e.first_name} {e.last_name}".strip(),
                    e.membership_no,
                    split.fee,
                    tuple(n for n in order if n in done),
                    nxt,
                    STAGE_FA.get(nxt, nxt) if nxt else "",
                    percents.get(nxt, 0) if nxt else 0,
                    split.stage(nxt) if nxt and split.fee and nxt in dict(split.stages) else 0,
                )
            )
    return out

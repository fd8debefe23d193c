"""F3/F4: staged payouts to the supervisor. The clerk records a stage report; its payout is
computed from the fee the owner paid (approved payments, F2) with the organization's share
(policy `organization_share`) and the stage percents (policy `payout_stages`); a finance
officer approves or rejects it; approved payouts form the payment list (Excel) and are then
marked paid.

Decisions: stages are reported in policy order (a stage before the previous one is refused
with F3); only a signed (or completed) referral has payouts; the fee basis and the split of the
first stage report are kept for the later stages, so the six payouts and the organization's
share add up exactly to the fee (F4) even if the policy changes half-way.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..db.models import Engineer, FeePayment, Project, Referral, StagePayout
from ..db.policy_store import policy_at
from ..domain.calendar import format_jalali_date, jalali_text, local_date
from ..domain.codes import DISCIPLINE_FA
from ..domain.errors import InputError, RuleViolation
from ..domain.money import FeeSplit, Stage, split_fee
from ..domain.text import day_ok, iban_problem, mask_iban, normalize_digits, text_problem
from .context import ServiceContext, audit
from .permissions import ALLOWED, require
from .registry import use_case
from .sheets import append_row

PAYOUT_STATUSES = ("pending", "approved", "rejected", "paid")
STAGE_FA = {
    "permit": "پروانه",
    "foundation": "فونداسیون",
    "frame": "اسکلت",
    "rough": "سفت‌کاری",
    "finishing": "نازک‌کاری",
    "completion": "پایان کار",
}


@dataclass(frozen=True)
class PayoutOut:
    id: int
    referral_id: int
    file_no: str
    discipline: str
    engineer_id: int
    engineer_name: str
    membership_no: str
    stage: str
    stage_fa: str
    fee_rials: int
    percent: int
    amount_rials: int
    status: str
    reported_at: datetime
    decided_at: datetime | None
    paid_at: datetime | None
    reason: str
    org_share: Decimal = Decimal("0.05")  # the organization's share the split used (F3)
    national_id: str | None = None  # the supervisor's, for the bank (staff only)
    iban: str | None = None  # شبا, where the bank transfers the amount
    coordinator_rials: int = 0  # the coordinator's fee inside fee_rials (F1), split on its own


def fee_paid(s: Session, project_id: int, discipline: str) -> int:
    return int(
        s.scalar(
            select(func.coalesce(func.sum(FeePayment.amount_rials), 0)).where(
                FeePayment.project_id == project_id,
                FeePayment.discipline == discipline,
                FeePayment.status == "approved",
            )
        )
        or 0
    )


def coordinator_part(s: Session, ref: Referral, paid: int) -> int:
    """F1: how much of the referral's approved payments is the coordinator's fee — the tariff's
    coordinator fee when this is the coordinating discipline (at most what was paid)."""
    from .fees import project_fees

    project = s.get(Project, ref.project_id)
    due = project_fees(s, project).get(ref.discipline) if project is not None else None
    return min(due.coordinator_rials, paid) if due is not None else 0


def split_for(s: Session, ref: Referral, at: datetime) -> FeeSplit:
    """F3/F4: the split of this referral's fee (frozen by the first stage report), with the
    coordinator's fee (F1) paid in the same stages to the coordinating supervisor."""
    policy = policy_at(s, at)
    stages = tuple(Stage(n, p) for n, p in policy.payout_stages)
    fee, coord = basis(s, ref)
    return split_fee(fee, policy.organization_share, stages, coord)


def basis(s: Session, ref: Referral) -> tuple[int, int]:
    """(fee, the coordinator's part of it) the payouts are split from: frozen by the first
    stage report, else the approved payments now."""
    first = s.scalar(
        select(StagePayout).where(StagePayout.referral_id == ref.id).order_by(StagePayout.seq)
    )
    if first is not None:
        return first.fee_rials, first.coordinator_rials
    fee = fee_paid(s, ref.project_id, ref.discipline)
    return fee, coordinator_part(s, ref, fee)


@use_case(writes=True)
def record_stage_report(
    ctx: ServiceContext, referral_id: int, stage: str, report_no: str = ""
) -> int:
    """F3: the clerk records the supervisor's report of a stage; its payout waits for finance."""
    require(ctx, "payout.report")
    now = ctx.now()
    with ctx.tx() as s:
        ref = s.get(Referral, referral_id)
        if ref is None:
            raise InputError("referral", "ارجاع پیدا نشد")
        if ref.status not in ("signed", "completed") or ref.engineer_id is None:
            raise RuleViolation({"F3"}, "گزارش مرحله تنها برای ارجاعِ امضاشده ثبت می‌شود (F3)")
        policy = policy_at(s, now)
        order = [n for n, _ in policy.payout_stages]
        if stage not in order:
            raise InputError("stage", "مرحله ناشناخته است")
        done = set(s.scalars(select(StagePayout.stage).where(StagePayout.referral_id == ref.id)))
        if stage in done:
            raise RuleViolation({"F3"}, "گزارش این مرحله قبلاً ثبت شده است (F3)")
        missing = [n for n in order[: order.index(stage)] if n not in done]
        if missing:
            raise RuleViolation(
                {"F3"},
                f"گزارش مرحله‌های پیشین ثبت نشده است: "
                f"{'، '.join(STAGE_FA.get(m, m) for m in missing)} (F3)",
            )
        split = split_for(s, ref, now)
        if split.fee == 0:
            raise RuleViolation({"F3"}, "حق‌الزحمه‌ای برای این رشته پرداخت و تأیید نشده است (F3)")
        report_no = report_no.strip() if isinstance(report_no, str) else ""
        problem = text_problem(report_no, 40)
        if problem or not any(ch.isalnum() for ch in report_no):  # what the payout is traced by
            raise InputError(
                "report_no", f"شماره گزارش مرحله {problem or 'را بنویسید'}؛ چیزی ثبت نشد"
            )
        percent = dict(policy.payout_stages)[stage]
        row = StagePayout(
            referral_id=ref.id,
            engineer_id=ref.engineer_id,
            stage=stage,
            seq=order.index(stage),
            fee_rials=split.fee,
            coordinator_rials=basis(s, ref)[1],
            percent=percent,
            amount_rials=split.stage(stage),
            report_no=normalize_digits(report_no),
            reported_at=now,
            reported_by=ctx.actor.user_id,
        )
        s.add(row)
        s.flush()
        audit(
            s,
            ctx,
            "payout.report",
            "stage_payout",
            row.id,
            after={"referral": ref.id, "stage": stage, "amount": row.amount_rials},
        )
        return row.id


@use_case(writes=True)
def decide_payout(ctx: ServiceContext, payout_id: int, approve: bool, reason: str = "") -> None:
    """F3: only a finance officer approves or rejects a payout (a rejection with a reason).
    A rejected stage may be reported again after correction (the row is removed)."""
    require(ctx, "payout.decide")
    if not approve and not reason.strip():
        raise InputError("reason", "دلیل رد پرداخت را بنویسید")
    now = ctx.now()
    with ctx.tx() as s:
        p = s.get(StagePayout, payout_id)
        if p is None or p.status != "pending":
            raise InputError("payout", "پرداخت مرحله‌ای در انتظار تصمیم پیدا نشد")
        p.status = "approved" if approve else "rejected"
        p.decided_by, p.decided_at, p.reason = ctx.actor.user_id, now, reason.strip()
        audit(
            s,
            ctx,
            "payout.decide",
            "stage_payout",
            payout_id,
            before={"status": "pending"},
            after={"status": p.status, "reason": p.reason},
        )
        if not approve:
            s.flush()
            s.delete(p)  # the audit trail keeps it; the stage may be reported again


@use_case(writes=True)
def mark_paid(ctx: ServiceContext, payout_ids: list[int], paid_ref: str) -> int:
    """The approved payouts of a payment list have been transferred (finance)."""
    require(ctx, "payout.pay")
    if not paid_ref.strip():
        raise InputError("paid_ref", "شماره سند پرداخت را بنویسید")
    now = ctx.now()
    with ctx.tx() as s:
        rows = list(s.scalars(select(StagePayout).where(StagePayout.id.in_(payout_ids))))
        if len(rows) != len(set(payout_ids)) or any(r.status != "approved" for r in rows):
            raise RuleViolation({"F3"}, "تنها پرداخت‌های تأییدشده مالی پرداخت می‌شوند (F3)")
        for r in rows:
            r.status, r.paid_at, r.paid_ref = "paid", now, paid_ref.strip()
            audit(s, ctx, "payout.paid", "stage_payout", r.id, after={"ref": paid_ref})
        return len(rows)


@use_case(writes=False)
def list_payouts(
    ctx: ServiceContext, status: str | None = None, referral_id: int | None = None
) -> list[PayoutOut]:
    require(ctx, "finance.read")
    if status and status not in PAYOUT_STATUSES:
        raise InputError("status", "وضعیت پرداخت مرحله‌ای ناشناخته است")
    with ctx.tx() as s:
        q = (
            select(StagePayout, Referral.discipline, Project.file_no, Engineer)
            .join(Referral, Referral.id == StagePayout.referral_id)
            .join(Project, Project.id == Referral.project_id)
            .join(Engineer, Engineer.id == StagePayout.engineer_id)
            .order_by(StagePayout.reported_at, StagePayout.id)
        )
        if status:
            q = q.where(StagePayout.status == status)
        if referral_id:
            q = q.where(StagePayout.referral_id == referral_id)
        shares: dict[datetime, Decimal] = {}

        def share(at: datetime) -> Decimal:  # the share in force when the stage was reported
            if at not in shares:
                shares[at] = policy_at(s, at).organization_share
            return shares[at]

        # the payee's Sheba in full only for whoever pays (finance, U1); masked for the rest
        # of the office, as in the engineer's file (browse.engineer_file)
        pays = ctx.actor.role in ALLOWED["payout.pay"]
        return [
            PayoutOut(
                p.id,
                p.referral_id,
                file_no,
                d,
                e.id,
                f"{e.first_name} {e.last_name}".strip(),
                e.membership_no,
                p.stage,
                STAGE_FA.get(p.stage, p.stage),
                p.fee_rials,
                p.percent,
                p.amount_rials,
                p.status,
                p.reported_at,
                p.decided_at,
                p.paid_at,
                p.reason,
                share(p.reported_at),
                e.national_id,
                e.iban if pays else mask_iban(e.iban),
                p.coordinator_rials or 0,
            )
            for p, d, file_no, e in s.execute(q).all()
        ]


@use_case(writes=False)
def payment_list_xlsx(ctx: ServiceContext, on: date | None = None) -> bytes:
    """The payment list of approved, unpaid payouts as an .xlsx workbook (bytes)."""
    from openpyxl import Workbook

    require(ctx, "finance.read")
    if on is not None and not day_ok(on):
        raise InputError("on", "روز بیرون از بازه تقویم دفتر است (۱۳۵۸ تا ۱۵۰۰)")
    rows = list_payouts(ctx, status="approved")
    on = on or local_date(ctx.now())
    wb = Workbook()
    ws = wb.active
    ws.title = "فهرست پرداخت"
    ws.sheet_view.rightToLeft = True
    append_row(ws, [f"فهرست پرداخت حق‌الزحمه نظارت — {jalali_text(on)}"])
    append_row(
        ws,
        [
            "ردیف",
            "شماره پرونده",
            "رشته",
            "شماره عضویت",
            "نام ناظر",
            "کد ملی",
            "شماره شبا",
            "مرحله",
            "درصد",
            "حق‌الزحمه (ریال)",
            "مبلغ (ریال)",
        ],
    )
    for i, p in enumerate(rows, 1):
        append_row(
            ws,
            [
                i,
                p.file_no,
                DISCIPLINE_FA.get(p.discipline, p.discipline),
                p.membership_no,
                p.engineer_name,
                p.national_id or "",
                p.iban or "— (ثبت نشده)",
                p.stage_fa,
                p.percent,
                p.fee_rials,
                p.amount_rials,
            ],
        )
    append_row(ws, ["", "", "", "", "", "", "", "", "", "جمع", sum(p.amount_rials for p in rows)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@dataclass(frozen=True)
class Transfer:
    """One line of the bank's group transfer: everything approved for one supervisor."""

    iban: str
    amount_rials: int
    name: str
    national_id: str | None
    membership_no: str
    description: str  # the files and stages it pays


@use_case(writes=False)
def transfers_due(ctx: ServiceContext) -> list[Transfer]:
    """The approved, unpaid payouts as bank transfers, one per supervisor, to their Sheba
    number. Refused (InputError, Persian) while a supervisor has no valid Sheba number: a
    bank cannot pay a line without one, so finance completes the data first."""
    require(ctx, "finance.read")
    by: dict[int, list[PayoutOut]] = {}
    for p in list_payouts(ctx, status="approved"):
        by.setdefault(p.engineer_id, []).append(p)
    missing = sorted(
        ps[0].membership_no for ps in by.values() if ps[0].iban is None or iban_problem(ps[0].iban)
    )
    if missing:
        raise InputError(
            "iban",
            "شماره شبای این ناظران ثبت نشده یا نادرست است؛ پیش از پرداخت گروهی ثبت کنید: "
            + "، ".join(missing),
        )
    return [
        Transfer(
            ps[0].iban or "",
            sum(p.amount_rials for p in ps),
            ps[0].engineer_name,
            ps[0].national_id,
            ps[0].membership_no,
            "حق‌الزحمه نظارت: "
            + "، ".join(f"{p.file_no} {DISCIPLINE_FA.get(p.discipline)} {p.stage_fa}" for p in ps),
        )
        for ps in sorted(by.values(), key=lambda ps: ps[0].membership_no)
    ]


@use_case(writes=False)
def transfer_sheet_xlsx(ctx: ServiceContext, on: date | None = None) -> bytes:
    """The bank's group-transfer sheet (انتقال گروهی): Sheba, amount, name, national code,
    payment id and description, one row per supervisor; every text cell is text (never a
    formula, `sheets.append_row`)."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment

    require(ctx, "finance.read")
    if on is not None and not day_ok(on):
        raise InputError("on", "روز بیرون از بازه تقویم دفتر است (۱۳۵۸ تا ۱۵۰۰)")
    rows = transfers_due(ctx)
    on = on or local_date(ctx.now())
    wb = Workbook()
    ws = wb.active
    ws.title = "انتقال گروهی"
    ws.sheet_view.rightToLeft = True
    append_row(
        ws,
        ["ردیف", "شماره شبا", "مبلغ (ریال)", "نام صاحب حساب", "کد ملی", "شناسه واریز", "شرح"],
    )
    stamp = format_jalali_date(on).replace("-", "")
    for i, t in enumerate(rows, 1):
        append_row(
            ws,
            [
                i,
                t.iban,
                t.amount_rials,
                t.name,
                t.national_id or "",
                f"{stamp}{i:04d}",
                t.description[:200],
            ],
        )
    for (amount,) in ws.iter_rows(min_row=2, min_col=3, max_col=3):
        amount.number_format = "#,##0"  # a number, grouped (the bank reads the value)
    # the total is not a transfer row: the bank's importer reads every row of the first sheet,
    # so the count and the sum go on a sheet of their own, which it does not read
    ws.cell(1, 1).comment = Comment(
        "ردیف‌های این برگه تنها انتقال‌ها هستند؛ جمع و شمار در برگه «جمع» است "
        "(سامانه بانک آن برگه را نمی‌خواند).",
        "نظارت",
    )
    summary = wb.create_sheet("جمع")
    summary.sheet_view.rightToLeft = True
    append_row(summary, ["روز", jalali_text(on)])
    append_row(summary, ["شمار انتقال‌ها", len(rows)])
    append_row(summary, ["جمع مبلغ (ریال)", sum(t.amount_rials for t in rows)])
    summary.cell(3, 2).number_format = "#,##0"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()

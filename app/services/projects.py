"""The counter: registering a walk-in project (P1, P3–P5), its documents and fees (P2, F2),
sending it to distribution, and closing it with a completion certificate (S3)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..db.locks import lock_deadline
from ..db.models import (
    CapacityHold,
    Counter,
    DeadlineRun,
    FeePayment,
    Owner,
    Project,
    ProjectDocument,
    ProjectOwner,
    Referral,
    Round,
)
from ..db.policy_store import calendar_at, check_covered, policy_at
from ..domain.calendar import WorkCalendar, jalali_year, local_date
from ..domain.codes import DISCIPLINE_FA, DISCIPLINE_ORDER
from ..domain.errors import InputError, RuleViolation
from ..domain.policy import Policy
from ..domain.projects import (
    building_group,
    disciplines_failures,
    normalize_plate,
    required_disciplines,
)
from ..domain.text import (
    amount_problem,
    check_texts,
    day_ok,
    legal_id_ok,
    mobile_problem,
    national_code_ok,
    normalize_code,
    normalize_digits,
    normalize_mobile,
    normalize_text,
    text_problem,
    whole_ok,
)
from ..domain.uses import USE_FIELDS_FA, use_areas_stored, use_problems
from ..domain.validation import (
    attorney_problems,
    bank_problem,
    bringer_problems,
    receipt_problem,
    tracking_problem,
)
from ..resources import reference
from .context import ServiceContext, audit
from .dto import OwnerIn, ProjectIn, ProjectSummary, ReceiptIn
from .permissions import require, require_system_for_given
from .registry import use_case

OPEN_PROJECT = ("intake", "distribution")


def required_documents() -> list[str]:
    return [d["kind"] for d in reference("document_checklist")["documents"] if d["required"]]


def document_titles(s: Session, project_id: int) -> dict[str, str]:
    """Each checklist document's title for this file: a legal owner (company, institution)
    has no national card and signs through its managing director, so its lines name the
    official gazette's notice and the director's card instead (`fa_legal`)."""
    legal = s.scalar(
        select(func.count())
        .select_from(ProjectOwner)
        .join(Owner, Owner.id == ProjectOwner.owner_id)
        .where(ProjectOwner.project_id == project_id, Owner.kind != "person")
    )
    docs = reference("document_checklist")["documents"]
    return {d["kind"]: (d.get("fa_legal") if legal else None) or d["fa"] for d in docs}


def _normalized(p: ProjectIn) -> ProjectIn:
    """The input boundary: the plate in its canonical form (P5), codes without invisible
    marks in Latin digits, names and addresses as one Persian text (text.py)."""
    texts = (p.plate, p.file_no, p.address, p.municipal_file_no, p.brought_by_name, p.poa_no)
    owners_ok = all(
        isinstance(o, OwnerIn)
        and all(isinstance(v, str | None) for v in (o.national_id, o.first_name, o.last_name))
        and all(isinstance(v, str | None) for v in (o.father_name, o.mobile, o.address))
        for o in p.owners
    )
    if not all(isinstance(v, str | None) for v in texts) or not owners_ok:
        return p  # `check_texts` names the field that is not text
    if not isinstance(p.brought_by_national_id, str | None) or not isinstance(p.poa_notary, str):
        return p
    return replace(
        p,
        poa_no=normalize_code(p.poa_no) or None if p.poa_no is not None else None,
        poa_notary=normalize_text(p.poa_notary),
        plate=normalize_plate(p.plate),
        file_no=normalize_code(p.file_no) or None if p.file_no is not None else None,
        address=normalize_text(p.address),
        municipal_file_no=normalize_code(p.municipal_file_no),
        brought_by_name=normalize_text(p.brought_by_name),
        brought_by_national_id=(
            normalize_code(p.brought_by_national_id) or None
            if p.brought_by_national_id is not None
            else None
        ),
        owners=tuple(
            replace(
                o,
                national_id=normalize_code(o.national_id),
                first_name=normalize_text(o.first_name),
                last_name=normalize_text(o.last_name),
                father_name=normalize_text(o.father_name),
                mobile=o.mobile if o.mobile and o.mobile.strip() else None,
                address=normalize_text(o.address),
            )
            for o in p.owners
        ),
    )


def _validate(p: ProjectIn) -> ProjectIn:
    """`p` normalised (`_normalized`), or InputError naming the first wrong field."""
    p = _normalized(p)
    check_texts(
        ("plate", p.plate, 40),
        ("file_no", p.file_no, 20),
        ("address", p.address, None),
        ("municipal_file_no", p.municipal_file_no, 40),
        ("use", p.use, 40),
        ("brought_by_name", p.brought_by_name, 200),
        ("brought_by_national_id", p.brought_by_national_id, 11),
        ("poa_no", p.poa_no, 40),
        ("poa_notary", p.poa_notary, 120),
    )
    if p.poa_date is not None and (
        not isinstance(p.poa_date, date) or isinstance(p.poa_date, datetime)
    ):
        raise InputError("poa_date", "تاریخ وکالت‌نامه باید تاریخ باشد")
    if p.poa_date is not None and not day_ok(p.poa_date):
        raise InputError("poa_date", "تاریخ وکالت‌نامه بیرون از بازه تقویم دفتر است")
    for o in p.owners:
        check_texts(
            ("national_id", o.national_id, 11),
            ("first_name", o.first_name, 100),
            ("last_name", o.last_name, 100),
            ("father_name", o.father_name, 100),
            ("mobile", o.mobile, 16),
            ("address", o.address, None),
            ("kind", o.kind, 8),
            ("registration_no", o.registration_no, 20),
            ("registration_place", o.registration_place, 100),
        )
        if o.kind not in ("person", "legal"):
            raise InputError("owners", "نوع مالک باید حقیقی یا حقوقی باشد")
        if o.kind == "legal" and not normalize_text(o.first_name + o.last_name):
            raise InputError("owners", "نام مالک حقوقی خالی است")
        if o.kind != "legal" and (o.registration_no or o.registration_place):
            raise InputError("owners", "شماره و محل ثبت تنها برای مالک حقوقی است")
        reg = normalize_code(o.registration_no or "")
        if reg and not (reg.isascii() and reg.isdigit()):
            raise InputError("owners", "شماره ثبت مالک حقوقی باید تنها رقم باشد")
    why = amount_problem(p.area, positive=True)
    if why:
        raise InputError("area", f"مساحت {why}")
    if not whole_ok(p.floors, 10_000) or p.floors <= 0:
        raise InputError("floors", "تعداد طبقات باید عدد صحیح بیشتر از صفر باشد")
    for field, why in use_problems(p.use, p.area, p.use_areas).items():
        # a mixed building's area by use adds up to the total area (documents.md §3)
        raise InputError("use" if field == "use" else "use_areas", f"{USE_FIELDS_FA[field]}: {why}")
    if not normalize_plate(p.plate):
        raise InputError("plate", "پلاک ثبتی خالی است")
    for o in p.owners:
        if not p.validate_ids:
            continue
        if o.kind == "person" and not national_code_ok(o.national_id):
            raise InputError("owners", f"کد ملی مالک نامعتبر است: {o.national_id}")
        if o.kind == "legal" and not legal_id_ok(o.national_id):
            raise InputError("owners", f"شناسه ملی مالک حقوقی نامعتبر است: {o.national_id}")
        why = mobile_problem(o.mobile) if o.mobile else None
        if why:
            raise InputError("owners", f"شماره همراه مالک نامعتبر است: {o.mobile} — {why}")
    if p.brought_by_role not in ("owner", "design_office", "legal_rep"):
        raise InputError("brought_by_role", "آورنده پرونده باید مالک، دفتر طراحی یا نماینده باشد")
    if not p.owners and p.validate_ids:  # at the counter (a replay's files may name none)
        raise InputError("owners", "دست‌کم یک مالک لازم است (P1)")
    codes = [o.national_id for o in p.owners]
    twice = next((c for c in codes if codes.count(c) > 1), None)
    if twice is not None:
        raise InputError("owners", f"مالک با شناسه {twice} دو بار در پرونده آمده است")
    problems = bringer_problems(
        p.brought_by_role, p.brought_by_name, any(o.kind == "legal" for o in p.owners)
    )
    legal_owner = any(o.kind == "legal" for o in p.owners)
    problems |= attorney_problems(
        p.brought_by_role, legal_owner, p.poa_no or "", p.poa_date.isoformat() if p.poa_date else ""
    )
    if problems and p.validate_ids:  # P1 at the counter (a replay's given files name no one)
        field, why = next(iter(problems.items()))
        raise InputError(field, f"{why} (P1)")
    if p.brought_by_role != "legal_rep" or legal_owner:  # no power of attorney: none kept
        p = replace(p, poa_no=None, poa_date=None, poa_notary="")
    code = p.brought_by_national_id
    if code and p.validate_ids:  # the receipt names the bringer by it (issue 14)
        if p.brought_by_role == "design_office" and not legal_id_ok(code):
            raise InputError(
                "brought_by_national_id", "شناسه ملی دفتر طراحی نامعتبر است (یازده رقم)"
            )
        if p.brought_by_role != "design_office" and not national_code_ok(code):
            raise InputError("brought_by_national_id", "کد ملی آورنده پرونده نامعتبر است")
    return replace(
        p,
        owners=tuple(
            replace(o, mobile=normalize_mobile(o.mobile) if o.mobile else None) for o in p.owners
        ),
    )


@use_case(writes=True)
def register_project(ctx: ServiceContext, p: ProjectIn) -> ProjectSummary:
    """P1 who brought it, P3 derived group, P4 disciplines, P5 one open file per plate."""
    require(ctx, "project.register")
    require_system_for_given(ctx, not p.validate_ids, "ثبت کد ملی و همراه مالک بی‌بررسی")
    require_system_for_given(ctx, not p.enforce_p4, "رشته‌های پرونده بی‌بررسی P4")
    p = _validate(p)
    if p.poa_date is not None and p.poa_date > local_date(ctx.now()):
        raise InputError("poa_date", "تاریخ وکالت‌نامه نمی‌تواند پس از امروز باشد")
    now = ctx.now()
    with ctx.tx() as s:
        policy = policy_at(s, now)
        group = building_group(p.floors, p.area, policy)  # P3
        disciplines = tuple(sorted(set(p.disciplines), key=lambda d: DISCIPLINE_ORDER.get(d, 99)))
        if p.enforce_p4:
            if not disciplines:
                disciplines = required_disciplines(p.floors, p.area, policy)
            if disciplines_failures(disciplines, p.floors, p.area, policy):
                raise RuleViolation({"P4"})
        elif any(d not in DISCIPLINE_ORDER for d in disciplines) or not disciplines:
            raise RuleViolation({"P4"})
        key = normalize_plate(p.plate)
        if s.scalar(
            select(Project.id).where(Project.plate_key == key, Project.status.in_(OPEN_PROJECT))
        ):
            raise RuleViolation({"P5"})
        file_no = p.file_no or _next_file_no(s, jalali_year(now))
        if s.scalar(select(Project.id).where(Project.file_no == file_no)):
            raise InputError("file_no", "این شماره پرونده قبلاً ثبت شده است")
        row = Project(
            file_no=file_no,
            plate=p.plate,
            plate_key=key,
            address=normalize_text(p.address),
            municipal_file_no=p.municipal_file_no,
            area=p.area,
            floors=p.floors,
            group=group,
            use=p.use,
            use_areas=use_areas_stored(p.use_areas),
            brought_by_role=p.brought_by_role,
            brought_by_name=normalize_text(p.brought_by_name),
            brought_by_national_id=p.brought_by_national_id,
            poa_no=p.poa_no,
            poa_date=p.poa_date,
            poa_notary=p.poa_notary or None,
            created_at=now,
        )
        s.add(row)
        s.flush()
        for o in p.owners:
            owner = _owner(s, o)
            s.add(ProjectOwner(project_id=row.id, owner_id=owner.id))
        refs = {}
        for d in disciplines:
            ref = Referral(
                project_id=row.id,
                discipline=d,
                area=_area(p.area, d, policy),
                status="waiting",
                created_at=now,
            )
            s.add(ref)
            s.flush()
            refs[d] = ref.id
        audit(
            s,
            ctx,
            "project.register",
            "project",
            row.id,
            after={
                "file_no": file_no,
                "plate": row.plate,
                "area": p.area,
                "floors": p.floors,
                "group": group,
                "disciplines": list(disciplines),
                "brought_by": p.brought_by_role,
                # a mixed building's use and area by use (one use: as before, not written)
                **({"use": p.use, "use_areas": row.use_areas} if row.use_areas else {}),
            },
        )
        return ProjectSummary(
            row.id,
            file_no,
            row.plate,
            row.area,
            row.floors,
            group,
            row.status,
            None,
            disciplines,
            refs,
        )


def _area(area: Decimal, discipline: str, policy: Policy) -> Decimal:
    return (area * policy.area_factor(discipline)).quantize(Decimal("0.01"))


def _owner(s: Session, o: OwnerIn) -> Owner:
    code = normalize_code(o.national_id)
    row = s.scalar(select(Owner).where(Owner.national_id == code))
    if row is None:
        row = Owner(
            national_id=code,
            kind=o.kind,
            first_name=normalize_text(o.first_name),
            last_name=normalize_text(o.last_name),
            father_name=normalize_text(o.father_name),
            mobile=o.mobile,
            address=normalize_text(o.address),
            registration_no=normalize_code(o.registration_no or "") or None,
            registration_place=normalize_text(o.registration_place or "") or None,
        )
        s.add(row)
        s.flush()
    else:  # what the counter adds to a known owner (never overwrites it)
        typed = normalize_text(f"{o.first_name} {o.last_name}")
        known = normalize_text(f"{row.first_name} {row.last_name}")
        if typed and known and typed != known:  # one code, one person: a typo or another's
            raise InputError(
                "owners",
                f"مالک با شناسه {code} به نام «{known}» ثبت است، نه «{typed}»؛ "
                "کد یا نام را بررسی کنید",
            )
        if o.mobile and not row.mobile:
            row.mobile = o.mobile
        if row.kind == "person" and o.father_name and not row.father_name:
            row.father_name = normalize_text(o.father_name)
        if row.kind == "legal" and o.registration_no and not row.registration_no:
            row.registration_no = normalize_code(o.registration_no)
            row.registration_place = normalize_text(o.registration_place or "") or None
    return row


def _next_file_no(s: Session, year: int) -> str:
    name = f"file_no:{year}"
    c = s.get(Counter, name)
    if c is None:
        c = Counter(name=name, value=0)
        s.add(c)
    while True:
        c.value += 1
        file_no = f"{year}-{c.value:04d}"
        if not s.scalar(select(Project.id).where(Project.file_no == file_no)):
            return file_no


@use_case(writes=True)
def record_document(
    ctx: ServiceContext,
    project_id: int,
    kind: str,
    filename: str | None = None,
    mime: str | None = None,
    content: bytes | None = None,
) -> None:
    require(ctx, "project.document")
    if kind not in {d["kind"] for d in reference("document_checklist")["documents"]}:
        raise InputError("kind", f"نوع مدرک نامعتبر: {kind}")
    now = ctx.now()
    with ctx.tx() as s:
        _project(s, project_id)
        doc = s.scalar(
            select(ProjectDocument).where(
                ProjectDocument.project_id == project_id, ProjectDocument.kind == kind
            )
        )
        if doc is None:
            doc = ProjectDocument(project_id=project_id, kind=kind, received_at=now)
            s.add(doc)
        doc.received_at, doc.received_by = now, ctx.actor.user_id
        doc.filename, doc.mime, doc.content = filename, mime, content
        audit(
            s,
            ctx,
            "project.document",
            "project",
            project_id,
            after={"kind": kind, "filename": filename},
        )


@use_case(writes=True)
def approve_drawings(ctx: ServiceContext, project_id: int) -> None:
    """P2: the drawings are designed, checked and approved (recorded by the counter)."""
    require(ctx, "project.document")
    with ctx.tx() as s:
        row = _project(s, project_id)
        row.drawings_approved = True
        audit(
            s,
            ctx,
            "project.drawings_approved",
            "project",
            project_id,
            after={"drawings_approved": True},
        )


@use_case(writes=True)
def record_fee_payment(
    ctx: ServiceContext,
    project_id: int,
    discipline: str,
    amount_rials: int,
    tracking_no: str,
    paid_on: date,
    bank: str = "",
    receipt: ReceiptIn | None = None,
) -> int:
    """F2: the owner's payment as the counter receives it — the bank (from the list), its
    tracking number (digits), the amount (more than nothing), the day (not after today) and
    the receipt's scan; finance decides it later. One bank receipt pays once: its bank and
    tracking number recorded for another file (and not rejected there) are refused. The
    checks are the counter form's own (`domain/validation.py`)."""
    require(ctx, "fee.record")
    check_texts(("discipline", discipline, 8), ("tracking_no", tracking_no, 64), ("bank", bank, 80))
    if not whole_ok(amount_rials):
        raise InputError("amount_rials", "مبلغ باید عدد صحیح نامنفی به ریال باشد")
    if amount_rials == 0:
        raise InputError("amount_rials", "مبلغ پرداخت باید بیشتر از صفر باشد (F2)")
    why = tracking_problem(tracking_no)
    if why:
        raise InputError("tracking_no", why)
    why = bank_problem(bank)
    if why:
        raise InputError("bank", why)
    tracking_no, bank = normalize_code(tracking_no), normalize_text(bank)
    if receipt is not None:
        check_texts(("filename", receipt.filename, 200), ("mime", receipt.mime, 60))
        why = receipt_problem(receipt.filename, receipt.mime, receipt.content)
        if why:
            raise InputError("receipt", why)
    if not day_ok(paid_on):
        raise InputError("paid_on", "تاریخ پرداخت بیرون از بازه تقویم دفتر است")
    if paid_on > local_date(ctx.now()):
        raise InputError("paid_on", "تاریخ پرداخت نمی‌تواند پس از امروز باشد")
    with ctx.tx() as s:
        _project(s, project_id)
        if not s.scalar(
            select(Referral.id).where(
                Referral.project_id == project_id, Referral.discipline == discipline
            )
        ):
            raise InputError("discipline", "این رشته در پرونده نیست")
        _refuse_reused_receipt(s, project_id, bank, tracking_no, discipline)
        fee = FeePayment(
            project_id=project_id,
            discipline=discipline,
            amount_rials=amount_rials,
            tracking_no=tracking_no,
            paid_on=paid_on,
            bank=bank,
            recorded_by=ctx.actor.user_id,
            receipt_filename=receipt.filename if receipt else None,
            receipt_mime=receipt.mime if receipt else None,
            receipt_content=receipt.content if receipt else None,
        )
        s.add(fee)
        s.flush()
        audit(
            s,
            ctx,
            "fee.record",
            "fee_payment",
            fee.id,
            after={"project": project_id, "discipline": discipline, "amount": amount_rials},
        )
        return fee.id


@use_case(writes=True)
def decide_fee_payment(ctx: ServiceContext, fee_id: int, approve: bool, reason: str = "") -> None:
    """F2: only a finance officer approves or rejects, a rejection with a reason."""
    require(ctx, "fee.decide")
    if not approve and not reason.strip():
        raise InputError("reason", "دلیل رد پرداخت را بنویسید")
    now = ctx.now()
    with ctx.tx() as s:
        fee = s.get(FeePayment, fee_id)
        if fee is None or fee.status != "pending":
            raise InputError("fee", "پرداخت در انتظار تصمیم پیدا نشد")
        before = fee.status
        fee.status = "approved" if approve else "rejected"
        fee.decided_by, fee.decided_at, fee.reason = ctx.actor.user_id, now, reason
        audit(
            s,
            ctx,
            "fee.decide",
            "fee_payment",
            fee_id,
            before={"status": before},
            after={"status": fee.status, "reason": reason},
        )


def p2_gaps(s: Session, project: Project) -> list[str]:
    """P2: what still keeps the project out of distribution, in Persian (empty: ready)."""
    gaps = []
    if not project.drawings_approved:
        gaps.append("نقشه‌ها طراحی، کنترل و تأیید نشده‌اند")
    have = set(
        s.scalars(select(ProjectDocument.kind).where(ProjectDocument.project_id == project.id))
    )
    names = document_titles(s, project.id)
    gaps += [f"مدرک دریافت نشده: {names[k]}" for k in required_documents() if k not in have]
    approved = set(
        s.scalars(
            select(FeePayment.discipline).where(
                FeePayment.project_id == project.id, FeePayment.status == "approved"
            )
        )
    )
    for d in s.scalars(select(Referral.discipline).where(Referral.project_id == project.id)):
        if d not in approved:
            gaps.append(f"حق‌الزحمه نظارت رشته {DISCIPLINE_FA[d]} پرداخت و تأیید مالی نشده است")
    from .fees import fee_gaps  # F1: the approved payments cover area × tariff

    return gaps + fee_gaps(s, project)


@use_case(writes=True)
def mark_ready(ctx: ServiceContext, project_id: int) -> ProjectSummary:
    """P2: into distribution; round 1 of each referral ends at the first deadline after now."""
    require(ctx, "project.ready")
    now = ctx.now()
    with ctx.tx() as s:
        row = _project(s, project_id)
        if row.status != "intake":
            raise RuleViolation({"P2"}, "پرونده قبلاً به توزیع رفته یا بسته شده است (P2)")
        gaps = p2_gaps(s, row)
        if gaps:
            raise RuleViolation({"P2"}, "پرونده آماده توزیع نیست (P2): " + "؛ ".join(gaps))
        policy = policy_at(s, now)
        deadline = open_deadline(s, calendar_at(s, policy), policy, now)
        check_covered(s, deadline)  # never a round ending on a day the calendar does not know
        row.status, row.ready_at = "distribution", now
        refs = s.scalars(select(Referral).where(Referral.project_id == project_id)).all()
        for ref in refs:
            ref.status, ref.round_no = "open", 1
            s.add(
                Round(referral_id=ref.id, no=1, kind="candidacy", opened_at=now, deadline=deadline)
            )
        audit(
            s,
            ctx,
            "project.ready",
            "project",
            project_id,
            after={"ready_at": now.isoformat(), "deadline": deadline.isoformat()},
        )
        return ProjectSummary(
            row.id,
            row.file_no,
            row.plate,
            row.area,
            row.floors,
            row.group,
            row.status,
            now,
            tuple(r.discipline for r in refs),
            {r.discipline: r.id for r in refs},
        )


def open_deadline(s: Session, cal: WorkCalendar, policy: Policy, after) -> object:
    """The first deadline after `after` that no desk has already run (see db/locks.py)."""
    deadline = cal.next_deadline(after, policy.deadline_time)
    while True:
        lock_deadline(s, "deadline", deadline, shared=True)
        if not s.scalar(
            select(DeadlineRun.id).where(
                DeadlineRun.kind == "deadline", DeadlineRun.deadline == deadline
            )
        ):
            return deadline
        deadline = cal.next_deadline(deadline, policy.deadline_time)


@use_case(writes=True)
def complete_project(ctx: ServiceContext, project_id: int, certificate_no: str = "") -> None:
    """S3: a completion certificate returns every supervisor's area and job. The certificate's
    number is what the completion is traced by: required."""
    require(ctx, "project.complete")
    certificate_no = certificate_no.strip() if isinstance(certificate_no, str) else ""
    problem = text_problem(certificate_no, 60)
    if problem or not any(ch.isalnum() for ch in certificate_no):
        raise InputError(
            "certificate_no",
            f"شماره پایان کار {problem or 'را بنویسید'}؛ چیزی ثبت نشد",
        )
    certificate_no = normalize_digits(certificate_no)
    now = ctx.now()
    with ctx.tx() as s:
        row = _project(s, project_id)
        statuses = s.scalars(select(Referral.status).where(Referral.project_id == project_id)).all()
        if row.status != "distribution" or not statuses or any(st != "signed" for st in statuses):
            raise RuleViolation({"S3"})
        ref_ids = select(Referral.id).where(Referral.project_id == project_id)
        s.execute(
            update(CapacityHold)
            .where(CapacityHold.referral_id.in_(ref_ids), CapacityHold.released_at.is_(None))
            .values(released_at=now, release_reason="completed")
        )
        s.execute(
            update(Referral).where(Referral.project_id == project_id).values(status="completed")
        )
        row.status, row.completed_at = "completed", now
        audit(
            s,
            ctx,
            "project.complete",
            "project",
            project_id,
            after={"certificate_no": certificate_no},
        )


def _project(s: Session, project_id: int) -> Project:
    row = s.get(Project, project_id)
    if row is None:
        raise InputError("project", "پرونده پیدا نشد")
    return row


def open_plates(s: Session) -> set[str]:
    return set(s.scalars(select(Project.plate_key).where(Project.status.in_(OPEN_PROJECT))))


def count_projects(s: Session) -> int:
    return s.scalar(select(func.count()).select_from(Project)) or 0


def _refuse_reused_receipt(
    s: Session, project_id: int, bank: str, tracking_no: str, discipline: str
) -> None:
    """One bank receipt pays once: the same bank and tracking number on another file, or for
    the same discipline of this file (not rejected there), is refused, naming where. On one
    file it may stand for several disciplines (one deposit, split at the counter)."""
    where = s.execute(
        select(Project.file_no, FeePayment.project_id == project_id)
        .join(FeePayment, FeePayment.project_id == Project.id)
        .where(
            FeePayment.tracking_no == tracking_no,
            FeePayment.bank == bank,
            (FeePayment.project_id != project_id) | (FeePayment.discipline == discipline),
            FeePayment.status != "rejected",
        )
        .limit(1)
    ).first()
    if where is not None:
        there = (
            f"برای رشته {DISCIPLINE_FA.get(discipline, discipline)} همین پرونده"
            if where[1]
            else f"برای پرونده {where[0]}"
        )
        raise InputError(
            "tracking_no",
            f"این رسید بانکی (بانک {bank}، شماره پیگیری {tracking_no}) پیش‌تر {there} ثبت شده "
            "است؛ هر رسید یک بار پرداخت است (F2)",
        )


def complete_intake(
    clerk: ServiceContext,
    finance: ServiceContext,
    project_id: int,
    disciplines: tuple[str, ...],
    amount_rials: int,
    tracking_no: str,
    bank: str = "ملی",
) -> None:
    """P2 at the counter in one go (a replay, tests): every required document, the drawings
    approved, and each discipline's fee recorded by the clerk and approved by finance."""
    for kind in required_documents():
        record_document(clerk, project_id, kind)
    approve_drawings(clerk, project_id)
    for d in disciplines:
        fee = record_fee_payment(
            clerk, project_id, d, amount_rials, tracking_no, local_date(clerk.now()), bank
        )
        decide_fee_payment(finance, fee, approve=True)

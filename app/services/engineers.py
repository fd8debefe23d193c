"""Registering and updating supervisors, their declarations and membership years (F5)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from ..db.models import (
    CapacityHold,
    Competence,
    Conviction,
    DeclarationRow,
    Engineer,
    FinancialTie,
    Licence,
    MembershipYear,
)
from ..domain.calendar import jalali_year
from ..domain.codes import COMPETENCE_KINDS, DISCIPLINES, GRADES, GROUPS, SUPERVISOR_KINDS
from ..domain.digits import persian_digits
from ..domain.errors import InputError, RuleViolation
from ..domain.membership import paid_through, renewal_failures
from ..domain.text import (
    amount_problem,
    check_texts,
    iban_problem,
    legal_id_ok,
    mask_iban,
    mobile_problem,
    national_code_ok,
    normalize_code,
    normalize_iban,
    normalize_mobile,
    normalize_text,
    whole_ok,
    year_ok,
)
from .context import ServiceContext, audit
from .dto import UPDATABLE, CompetenceIn, ConvictionIn, DeclarationIn, EngineerIn, JobIn
from .firm_f6 import check_f6, f6_refusal  # F6: no process of a firm with a blocked member
from .permissions import require, require_system_for_given
from .registry import use_case


def normalized(e: EngineerIn) -> EngineerIn:
    """The input boundary: every name, code and number in its one stored form (text.py)."""
    if not all(
        isinstance(v, str | None)
        for v in (e.membership_no, e.national_id, e.first_name, e.last_name, e.father_name)
    ) or not all(
        isinstance(v, str | None)
        for v in (e.mobile, e.licence_no, e.registration_no, e.registration_place)
    ):
        return e  # `check_texts` names the field that is not text

    def code(v: str | None) -> str | None:
        return None if v is None else (normalize_code(v) or None)

    def words(v: str | None) -> str | None:
        return None if v is None else (normalize_text(v) or None)

    return replace(
        e,
        membership_no=normalize_code(e.membership_no),
        national_id=code(e.national_id),
        first_name=normalize_text(e.first_name),
        last_name=normalize_text(e.last_name),
        father_name=normalize_text(e.father_name),
        mobile=None if not e.mobile or not e.mobile.strip() else e.mobile,
        licence_no=code(e.licence_no),
        registration_no=code(e.registration_no),
        registration_place=words(e.registration_place),
        iban=None if not isinstance(e.iban, str) or not e.iban.strip() else normalize_iban(e.iban),
        financial_ties=tuple(
            normalize_code(c) if isinstance(c, str) else c for c in e.financial_ties
        ),
    )


def _validate(e: EngineerIn, new: bool = True) -> EngineerIn:
    """`e` normalised (`normalized`), or InputError naming the first wrong field; `new`: a
    member registered, who needs a name (a change is checked field by field instead)."""
    e = normalized(e)
    check_texts(
        ("membership_no", e.membership_no, 32),
        ("national_id", e.national_id, 11),
        ("first_name", e.first_name, 100),
        ("last_name", e.last_name, 100),
        ("father_name", e.father_name, 100),
        ("mobile", e.mobile, 16),
        ("licence_no", e.licence_no, 40),
        ("registration_no", e.registration_no, 20),
        ("registration_place", e.registration_place, 100),
        *(("financial_ties", c, 11) for c in e.financial_ties),
    )
    if not e.membership_no.strip():
        raise InputError("membership_no", "شماره عضویت خالی است")
    if not any(c.isalnum() for c in e.membership_no):  # «-»: no number at all
        raise InputError("membership_no", "شماره عضویت باید رقم یا حرفی داشته باشد")
    if new and not (e.first_name or e.last_name):  # normalised: invisible marks are nothing
        raise InputError(
            "last_name",
            "نام شخص حقوقی خالی است" if e.kind == "firm" else "نام و نام خانوادگی خالی است",
        )
    if e.kind not in SUPERVISOR_KINDS:
        raise InputError("kind", "نوع ناظر باید حقیقی یا حقوقی باشد")
    if (
        e.validate_ids
        and e.national_id
        and e.kind == "person"
        and not national_code_ok(e.national_id)
    ):
        raise InputError("national_id", "کد ملی نامعتبر است")
    if e.validate_ids and e.national_id and e.kind == "firm" and not legal_id_ok(e.national_id):
        # the papers name a firm by it (contract, commitment, letter): a wrong one is refused
        raise InputError(
            "national_id", "شناسه ملی شخص حقوقی نامعتبر است (یازده رقم با رقم کنترل درست)"
        )
    if e.kind == "person" and (e.registration_no or e.registration_place):
        raise InputError("registration_no", "شماره و محل ثبت تنها برای شخص حقوقی است")
    if e.registration_no and not (e.registration_no.isascii() and e.registration_no.isdigit()):
        raise InputError("registration_no", "شماره ثبت شخص حقوقی باید تنها رقم باشد")
    if e.mobile and e.validate_ids:
        why = mobile_problem(e.mobile)
        if why:
            raise InputError("mobile", f"شماره همراه نامعتبر است: {why}")
    if e.mobile:
        e = replace(e, mobile=normalize_mobile(e.mobile))
    if e.iban is not None:
        if not isinstance(e.iban, str):
            raise InputError("iban", "شبا باید متن باشد")
        why = iban_problem(e.iban)
        if why:
            raise InputError("iban", why)
    why = amount_problem(e.base_score, signed=True)
    if why:
        raise InputError("base_score", f"امتیاز پایه {why}")
    for name, year in (
        ("member_since", e.member_since),
        ("membership_paid_through", e.membership_paid_through),
    ):
        if year is not None and not year_ok(year):
            raise InputError(name, "سال عضویت باید سالی شمسی میان ۱۳۰۰ و ۱۵۰۰ باشد")
    _validate_parts(e.competences, e.convictions, e.declaration, e.jobs)
    return e


def _validate_parts(
    comps: tuple[CompetenceIn, ...],
    convs: tuple[ConvictionIn, ...],
    decl: DeclarationIn | None,
    jobs: tuple[JobIn, ...],
) -> None:
    for c in comps:
        if c.discipline not in DISCIPLINES:
            raise InputError("competencies", f"رشته نامعتبر: {c.discipline}")
        if c.grade not in GRADES:
            raise InputError("competencies", f"پایه نامعتبر: {c.grade}")
        if c.kind not in COMPETENCE_KINDS:
            raise InputError("competencies", f"نوع صلاحیت نامعتبر: {c.kind}")
    kinds = [(c.discipline, c.kind) for c in comps]
    if len(set(kinds)) != len(kinds):  # one competence (its grade) per discipline and kind
        raise InputError("competencies", "برای هر رشته تنها یک صلاحیت (با بالاترین پایه) ثبت کنید")
    for v in convs:
        if (
            not whole_ok(v.degree, 7)
            or v.degree < 1
            or not isinstance(v.start, date)
            or (v.end is not None and (not isinstance(v.end, date) or v.end < v.start))
        ):
            raise InputError("convictions", "درجه یا بازه محکومیت نامعتبر است")
    if decl is not None:
        if not year_ok(decl.year):
            raise InputError("declaration", "سال خوداظهاری باید سالی شمسی میان ۱۳۰۰ و ۱۵۰۰ باشد")
        if not set(decl.groups) <= set(GROUPS):
            raise InputError("declaration", "گروه ساختمانی نامعتبر در خوداظهاری")
        if (
            amount_problem(decl.supervision_percent) is not None
            or not 0 <= decl.supervision_percent <= 100
        ):
            raise InputError("declaration", "درصد نظارت باید بین ۰ و ۱۰۰ باشد")
    for j in jobs:
        if j.kind not in ("supervision", "design") or amount_problem(j.area) is not None:
            raise InputError("jobs", "کار جاری نامعتبر است")


def _check_given_facts(
    ctx: ServiceContext, values: dict[str, Any], validate_ids: bool, sets_score: bool
) -> None:
    """What a person at a desk never types into an engineer's file (issue 15): membership paid
    (F5: only renewal → finance's approval → finance's payment), the base score (S8's input:
    the administrator's, never the clerk's), and codes taken unchecked. A replayed scenario,
    the demo and the bench data give them as facts, in-process, as the system."""
    role = ctx.actor.role
    if role == "system":
        return
    require_system_for_given(ctx, not validate_ids, "ثبت کد ملی و همراه بی‌بررسی")
    if values.get("membership_paid_through") is not None:
        raise RuleViolation(
            {"F5"},
            "حق عضویت را تنها درخواست تمدید، تأیید و پرداخت امور مالی ثبت می‌کند (F5)؛ "
            "«عضویت تا سال» در پرونده مهندس نوشته نمی‌شود",
        )
    if sets_score and role != "admin":
        raise RuleViolation(
            {"U1", "S8"}, "امتیاز پایه را تنها مدیر سامانه ثبت یا تغییر می‌دهد (U1، S8)"
        )


@use_case(writes=True)
def register_engineer(ctx: ServiceContext, e: EngineerIn) -> int:
    require(ctx, "engineer.register")
    e = _validate(e)  # (first: a base score of NaN is an input error, not a comparison)
    _check_given_facts(ctx, e.__dict__, e.validate_ids, e.base_score != 0)
    with ctx.tx() as s:
        return add_engineer(s, ctx, e)


def add_engineer(s: Session, ctx: ServiceContext, e: EngineerIn) -> int:
    """Register inside the caller's transaction (a firm and its members go in together)."""
    now = ctx.now()
    if s.scalar(select(Engineer.id).where(Engineer.membership_no == e.membership_no)):
        raise InputError("membership_no", "این شماره عضویت قبلاً ثبت شده است")
    if e.national_id and s.scalar(select(Engineer.id).where(Engineer.national_id == e.national_id)):
        raise InputError("national_id", "این کد ملی قبلاً ثبت شده است")
    year = jalali_year(now)
    row = Engineer(
        kind=e.kind,
        membership_no=e.membership_no,
        national_id=e.national_id,
        first_name=e.first_name,
        last_name=e.last_name,
        father_name=e.father_name,
        mobile=e.mobile,
        resident_in_province=e.resident_in_province,
        legal_incapacity=e.legal_incapacity,
        active_execution_project=e.active_execution_project,
        design_build_qualified=e.design_build_qualified,
        employed_by_permit_authority=e.employed_by_permit_authority,
        data_complete=e.data_complete,
        base_score=e.base_score,
        iban=e.iban,
        registration_no=e.registration_no,
        registration_place=e.registration_place,
        member_since=e.member_since or min(year, e.membership_paid_through or year),
        created_at=now,
        updated_at=now,
    )
    s.add(row)
    s.flush()
    _apply(s, row, e.__dict__, now, new=True)
    audit(s, ctx, "engineer.register", "engineer", row.id, after=_public(e.__dict__))
    return row.id


@use_case(writes=True)
def update_engineer(
    ctx: ServiceContext, engineer_id: int, changes: dict[str, Any], validate_ids: bool = True
) -> None:
    """S8: any change applies from this moment on (scores, eligibility, capacity)."""
    require(ctx, "engineer.update")
    if isinstance(changes, dict) and "iban" in changes:
        raise RuleViolation(
            {"U1"},
            "شماره شبا حساب ناظر را تنها کارشناس مالی ثبت یا تغییر می‌دهد (U1)؛ "
            "از «میز مالی» یا پرونده مهندس، «تغییر شبا».",
        )
    bad = set(changes) - UPDATABLE
    if bad:
        raise InputError(
            "changes", f"این فیلد قابل ویرایش نیست: {'، '.join(map(repr, sorted(bad)))}"
        )
    _check_given_facts(ctx, changes, validate_ids, "base_score" in changes)
    with ctx.read() as s:  # (a supervisor's kind never changes: it decides what is valid)
        kind = _get(s, engineer_id).kind
    probe = EngineerIn(
        membership_no="x",
        competences=(),
        base_score=Decimal(0),
        kind=kind,
        validate_ids=validate_ids,
    )
    merged = {**probe.__dict__, **changes}
    clean = _validate(EngineerIn(**merged), new=False)
    changes = {k: getattr(clean, k) for k in changes}
    for k in ("first_name", "last_name"):  # corrected, never erased (nor made invisible)
        if k in changes and not changes[k] and (k == "last_name" or kind == "person"):
            raise InputError(k, f"{'نام' if k == 'first_name' else 'نام خانوادگی'} خالی است")
    now = ctx.now()
    with ctx.tx() as s:
        row = _get(s, engineer_id)
        check_f6(s, row.id, now)
        code = changes.get("national_id")
        if code and s.scalar(
            select(Engineer.id).where(Engineer.national_id == code, Engineer.id != row.id)
        ):
            raise InputError("national_id", "این کد ملی برای عضو دیگری ثبت شده است")
        before = {k: _current(s, row, k) for k in changes}
        _apply(s, row, changes, now)
        row.updated_at = now
        audit(
            s,
            ctx,
            "engineer.update",
            "engineer",
            engineer_id,
            before=before,
            after=_public(changes),
        )


@use_case(writes=True)
def set_iban(ctx: ServiceContext, engineer_id: int, iban: str | None) -> str | None:
    """The Sheba number (شبا) a supervisor's stage payouts are transferred to (F3): a payee's
    bank account, so finance's alone (U1). `IR` and 24 digits, typed in any digit script,
    spaces and dashes allowed, with the ISO 7064 mod 97-10 check; empty removes it. The trail
    keeps the old and the new number masked (U2). Returns the number as stored."""
    require(ctx, "engineer.iban")
    if iban is not None:
        check_texts(("iban", iban, 64))
    new = None if iban is None or not iban.strip() else normalize_iban(iban)
    if new is not None:
        why = iban_problem(new)
        if why:
            raise InputError("iban", f"شماره شبا نادرست است: {why}")
    now = ctx.now()
    with ctx.tx() as s:
        row = _get(s, engineer_id)
        old = row.iban
        if old == new:
            return new
        row.iban = new
        row.updated_at = now
        audit(
            s,
            ctx,
            "engineer.iban",
            "engineer",
            engineer_id,
            before={"iban": mask_iban(old)},
            after={"iban": mask_iban(new)},
        )
    return new


@use_case(writes=True)
def submit_declaration(ctx: ServiceContext, engineer_id: int, d: DeclarationIn) -> None:
    """C1: the yearly self-declaration (replaces that year's earlier one)."""
    require(ctx, "engineer.declare", engineer_id)
    _validate_parts((), (), d, ())
    now = ctx.now()
    if ctx.actor.role == "engineer":
        # his own word is for this year, under this year's rules, accepted: he neither
        # rewrites a year the office has on record nor files next year's before its rules
        # (the staff enter a paper form of any year, as the office received it)
        if d.year != (this_year := jalali_year(now)):
            words = f"خوداظهاری تنها برای سال جاری ({persian_digits(this_year)}) است (C1)"
            raise InputError("year", words)
        if not d.rules_accepted:
            raise InputError("rules_accepted", "بدون پذیرش قوانین، خوداظهاری ثبت نمی‌شود (C1)")
    with ctx.tx() as s:
        row = _get(s, engineer_id)
        _apply(s, row, {"declaration": d}, now)
        audit(
            s, ctx, "engineer.declare", "engineer", engineer_id, after=_public({"declaration": d})
        )


# ---------------------------------------------------------------- membership (F5, G3)


def _membership(s: Session, row: Engineer) -> tuple[set[int], dict[int, MembershipYear]]:
    years = {
        m.year: m
        for m in s.scalars(select(MembershipYear).where(MembershipYear.engineer_id == row.id))
    }
    return {y for y, m in years.items() if m.status == "paid"}, years


def _check_year(year: object) -> None:
    if not year_ok(year):
        raise InputError("year", "سال عضویت باید سالی شمسی میان ۱۳۰۰ و ۱۵۰۰ باشد (F5)")


@use_case(writes=True)
def request_renewal(ctx: ServiceContext, engineer_id: int, year: int) -> None:
    require(ctx, "membership.request", engineer_id)
    _check_year(year)
    now = ctx.now()
    with ctx.tx() as s:
        row = _get(s, engineer_id)
        f6 = f6_refusal(s, row.id, now)
        paid, years = _membership(s, row)
        failed = renewal_failures(year, row.member_since, paid, row.data_complete)
        if not failed and year in years and years[year].status != "requested":
            failed = {"F5"}
        _refuse_with(f6, failed, _renewal_refused(row, year, paid) if failed else "")
        if year not in years:
            s.add(
                MembershipYear(engineer_id=row.id, year=year, status="requested", requested_at=now)
            )
        audit(s, ctx, "membership.request", "engineer", engineer_id, after={"year": year})


def _refuse_with(f6: RuleViolation | None, rules: set[str], message: str = "") -> None:
    """Refuse with every rule that refuses (scenario.md): the membership's own (F5, `rules`
    with `message`) and a firm's blocked member (F6) together, each one's words; nothing
    when neither refuses."""
    if not rules and f6 is None:
        return
    words = [message or RuleViolation(rules).message] if rules else []
    if f6 is not None:
        words.append(f6.message)
    raise RuleViolation(set(rules) | set(f6.rules if f6 else ()), "؛ ".join(words))


def _renewal_refused(row: Engineer, year: int, paid: set[int]) -> str:
    """F5's refusal naming its one cause (the rule lists three: data incomplete, the year
    paid, an earlier year owed), in the order the rule checks them."""
    if year < row.member_since:
        return (
            f"سال {year} پیش از آغاز عضویت ({row.member_since}) است؛ تمدید برای سال‌های "
            "عضویت درخواست می‌شود (F5)"
        )
    if not row.data_complete:
        return (
            "اطلاعات عضویت شما کامل نیست؛ نخست آن را در واحد عضویت سازمان کامل و اصلاح کنید، "
            "سپس درخواست تمدید ثبت کنید (F5)"
        )
    if year in paid:
        return f"حق عضویت سال {year} پیش‌تر پرداخت شده است؛ درخواست تازه‌ای لازم نیست (F5)"
    owed = [y for y in range(row.member_since, year) if y not in paid]
    if owed:
        listed = "، ".join(str(y) for y in owed)
        return (
            f"حق عضویت سال پیشین پرداخت نشده است ({listed})؛ نخست تمدید سال {owed[0]} را "
            "درخواست و پرداخت کنید (F5)"
        )
    return (
        f"درخواست تمدید سال {year} پیش‌تر ثبت و مبلغ آن از سوی امور مالی تأیید شده است؛ "
        "اکنون پرداخت آن مانده است (F5)"
    )


MAX_MEMBERSHIP_RIALS = 10**10  # a year's fee is millions of rials: ten billion is a typo


@use_case(writes=True)
def approve_renewal(ctx: ServiceContext, engineer_id: int, year: int, amount_rials: int) -> None:
    require(ctx, "membership.approve")
    _check_year(year)
    if not whole_ok(amount_rials) or not 0 < amount_rials < MAX_MEMBERSHIP_RIALS:
        raise InputError(
            "amount_rials",
            "مبلغ حق عضویت باید عدد صحیح بیشتر از صفر و کمتر از ده میلیارد ریال باشد",
        )
    now = ctx.now()
    with ctx.tx() as s:
        f6 = f6_refusal(s, engineer_id, now)
        m = s.scalar(
            select(MembershipYear).where(
                MembershipYear.engineer_id == engineer_id, MembershipYear.year == year
            )
        )
        waiting = m is not None and m.status == "requested"
        words = "درخواست تمدید در انتظار تأیید برای این سال نیست (F5)"
        _refuse_with(f6, set() if waiting else {"F5"}, "" if waiting else words)
        assert m is not None  # refused above otherwise
        m.status, m.amount_rials, m.approved_at = "approved", amount_rials, now
        m.approved_by = ctx.actor.user_id
        audit(
            s,
            ctx,
            "membership.approve",
            "engineer",
            engineer_id,
            after={"year": year, "amount_rials": amount_rials},
        )


@use_case(writes=True)
def record_membership_payment(
    ctx: ServiceContext, engineer_id: int, year: int, payment_ref: str
) -> None:
    """F5: only an approved request is paid, oldest owed year first; G3 reads the result.
    Recorded by finance (seed 000) with the bank's payment reference, never left empty."""
    require(ctx, "membership.pay", engineer_id)
    _check_year(year)
    check_texts(("payment_ref", payment_ref, 64))
    payment_ref = normalize_code(payment_ref)
    if not any(c.isalnum() for c in payment_ref):  # "-" or "." is no bank's reference
        raise InputError(
            "payment_ref", "شماره پرداخت (رسید بانکی) حق عضویت خالی یا بی‌رقم و حرف است (F5)"
        )
    now = ctx.now()
    with ctx.tx() as s:
        row = _get(s, engineer_id)
        _refuse_reused_payment(s, row.id, payment_ref)
        f6 = f6_refusal(s, row.id, now)
        paid, years = _membership(s, row)
        failed = renewal_failures(year, row.member_since, paid, row.data_complete)
        m = years.get(year)
        if not failed and (m is None or m.status != "approved"):
            failed = {"F5"}
        _refuse_with(f6, failed)
        assert m is not None  # refused above otherwise
        m.status, m.paid_at, m.payment_ref = "paid", now, payment_ref
        row.membership_paid_through = paid_through(row.member_since, paid | {year})
        audit(
            s,
            ctx,
            "membership.pay",
            "engineer",
            engineer_id,
            after={"year": year, "paid_through": row.membership_paid_through},
        )


# ---------------------------------------------------------------- helpers


def _refuse_reused_payment(s: Session, engineer_id: int, payment_ref: str) -> None:
    """One bank payment pays one member (F5): its reference, in any letter case, already
    paying another member's year is refused, naming him (his own owed years may share it)."""
    other = s.scalar(
        select(Engineer.membership_no)
        .join(MembershipYear, MembershipYear.engineer_id == Engineer.id)
        .where(
            func.upper(MembershipYear.payment_ref) == payment_ref.upper(),
            MembershipYear.engineer_id != engineer_id,
        )
        .limit(1)
    )
    if other is not None:
        raise InputError(
            "payment_ref",
            f"شماره پرداخت {payment_ref} پیش‌تر حق عضویت عضو {persian_digits(other)} را "
            "پرداخته است؛ هر رسید بانکی یک بار پرداخت است (F5)",
        )


def _get(s: Session, engineer_id: int) -> Engineer:
    row = s.get(Engineer, engineer_id)
    if row is None:
        raise InputError("engineer", "مهندس پیدا نشد")
    return row


_SCALARS = (
    "iban",
    "registration_no",
    "registration_place",
    "national_id",
    "first_name",
    "last_name",
    "father_name",
    "mobile",
    "resident_in_province",
    "legal_incapacity",
    "active_execution_project",
    "design_build_qualified",
    "employed_by_permit_authority",
    "data_complete",
    "base_score",
    "member_since",
)


_CLEARABLE = ("national_id", "mobile", "iban", "registration_no", "registration_place")


def _apply(
    s: Session, row: Engineer, values: dict[str, Any], now: datetime, new: bool = False
) -> None:
    """Write the given EngineerIn fields; list fields replace what was there."""
    for k in _SCALARS:
        if k in values and (values[k] is not None or k in _CLEARABLE):
            setattr(row, k, values[k])
    s.flush()
    eid = row.id
    if "licence_expires" in values or "licence_no" in values:
        lic = s.scalar(select(Licence).where(Licence.engineer_id == eid, Licence.is_current))
        if lic is None:
            lic = Licence(
                engineer_id=eid, number=values.get("licence_no") or f"L-{row.membership_no}"
            )
            s.add(lic)
        if values.get("licence_no"):
            lic.number = values["licence_no"]
        if "licence_expires" in values:
            lic.expires_on = values["licence_expires"]
    if "competences" in values:
        if not new:
            s.execute(delete(Competence).where(Competence.engineer_id == eid))
        s.add_all(
            Competence(
                engineer_id=eid,
                discipline=c.discipline,
                grade=c.grade,
                kind=c.kind,
                expires_on=c.expires,
            )
            for c in values["competences"]
        )
    if "convictions" in values:
        if not new:
            s.execute(delete(Conviction).where(Conviction.engineer_id == eid))
        s.add_all(
            Conviction(engineer_id=eid, degree=c.degree, starts_on=c.start, ends_on=c.end)
            for c in values["convictions"]
        )
    if values.get("declaration") is not None:
        d: DeclarationIn = values["declaration"]
        if not new:
            s.execute(
                delete(DeclarationRow).where(
                    DeclarationRow.engineer_id == eid, DeclarationRow.year == d.year
                )
            )
        s.add(
            DeclarationRow(
                engineer_id=eid,
                year=d.year,
                ready=d.ready,
                rules_accepted=d.rules_accepted,
                groups="".join(g for g in "ABCD" if g in d.groups),
                supervision_percent=d.supervision_percent,
                submitted_at=now,
            )
        )
    if "financial_ties" in values:
        if not new:
            s.execute(delete(FinancialTie).where(FinancialTie.engineer_id == eid))
        s.add_all(
            FinancialTie(engineer_id=eid, national_code=normalize_code(c))
            for c in sorted(set(values["financial_ties"]))
        )
    if "jobs" in values:  # earlier work: replaces the holds that are not referrals
        if not new:
            s.execute(
                update(CapacityHold)
                .where(
                    CapacityHold.engineer_id == eid,
                    CapacityHold.referral_id.is_(None),
                    CapacityHold.released_at.is_(None),
                )
                .values(released_at=now, release_reason="replaced")
            )
        s.add_all(
            CapacityHold(
                engineer_id=eid,
                kind=j.kind,
                area=j.area if j.kind == "supervision" else Decimal(0),
                held_from=now,
                note="earlier work",
            )
            for j in values["jobs"]
        )
    if values.get("membership_paid_through") is not None:
        _set_paid_through(s, row, values["membership_paid_through"], now, new)
    s.flush()


def _set_paid_through(
    s: Session, row: Engineer, through: int, now: datetime, new: bool = False
) -> None:
    """An import of the member system's state: every year up to `through` paid, none after."""
    row.member_since = min(row.member_since, through)
    have: set[int] = set()
    if not new:
        s.execute(
            delete(MembershipYear).where(
                MembershipYear.engineer_id == row.id, MembershipYear.year > through
            )
        )
        have = set(
            s.scalars(select(MembershipYear.year).where(MembershipYear.engineer_id == row.id))
        )
    s.add_all(
        MembershipYear(
            engineer_id=row.id,
            year=y,
            status="paid",
            requested_at=now,
            paid_at=now,
            payment_ref="import",
        )
        for y in range(row.member_since, through + 1)
        if y not in have
    )
    if not new:
        s.execute(
            update(MembershipYear)
            .where(MembershipYear.engineer_id == row.id, MembershipYear.year <= through)
            .values(status="paid")
        )
    row.membership_paid_through = through


def _current(s: Session, row: Engineer, key: str) -> Any:
    if key in _SCALARS:
        return getattr(row, key)
    if key == "membership_paid_through":
        return row.membership_paid_through
    return f"<{key}>"


def _public(values: dict[str, Any]) -> dict[str, Any]:
    """What the trail keeps of the given fields: the empty ones left out, a Sheba number
    masked (U2 records that it changed, not the account itself)."""
    out = {k: v for k, v in values.items() if v not in (None, (), "")}
    if "iban" in out:
        out["iban"] = mask_iban(out["iban"])
    return out

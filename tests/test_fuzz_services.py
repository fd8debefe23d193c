"""Issue 6: hostile input to every service that takes input (found by reading app/services, as
tests/test_roles.py finds the guarded ones, so a new service must be added here or the
coverage test fails). Each example runs on a fresh in-memory copy of one seeded office, as a
permitted actor: the call succeeds (and what it wrote would also fit PostgreSQL's columns) or
it is refused with the product's refusal — Persian, naming the field or the rule — and every
table, the audit trail included, is exactly as it was.

NZ_FUZZ_EXAMPLES=N sets the examples per service (CI: a few, derandomized)."""

from __future__ import annotations

import ast
import importlib
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fuzz_support import (
    FUZZ,
    REFUSALS,
    Seed,
    call_checked,
    day,
    decimal,
    ident,
    integer,
    maybe,
    number,
    resolve,
    text,
)
from hypothesis import event, given
from hypothesis import strategies as st

from app.demo.office import DEMO_ORGANIZATION
from app.domain.codes import COMPETENCE_KINDS, DISCIPLINES, GRADES
from app.domain.errors import InputError, RuleViolation
from app.domain.policy import POLICY_KEYS
from app.services import candidacy, engineers, firms, payouts, sms, users
from app.services.dto import (
    UPDATABLE,
    CompetenceIn,
    ConvictionIn,
    DeclarationIn,
    EngineerIn,
    JobIn,
    OwnerIn,
    ProjectIn,
)
from app.services.permits import PermitIn
from support import OWNER, Office

SERVICES = Path(__file__).resolve().parent.parent / "app" / "services"


# ---------------------------------------------------------------- which services take input


def _services() -> set[str]:
    """`module.function` of every public top-level function of app/services whose first
    parameter is a ServiceContext (what a desk, the CLI or a replay calls)."""
    found = set()
    for path in sorted(SERVICES.glob("*.py")):
        for fn in ast.parse(path.read_text(encoding="utf-8")).body:
            if not isinstance(fn, ast.FunctionDef) or fn.name.startswith("_"):
                continue
            first = fn.args.args[0] if fn.args.args else None
            if first is not None and ast.unparse(first.annotation or ast.Constant("")) == (
                "ServiceContext"
            ):
                found.add(f"{path.stem}.{fn.name}")
    return found


# Services with no input but the context, and those fuzzed elsewhere or not by a person.
NOT_HERE = {
    "permissions.require": "the U1 check itself (tests/test_roles.py)",
    "permissions.require_system_for_given": "the replay waivers' U1 check (tests/test_roles.py)",
    "audit_trail.check_trail_key": "no input (serve's start; tests/test_cli_databases.py)",
    "papers.foreign_key_of": "verify-paper's hint, never remote (tests/reports/test_papers.py)",
    "audit_trail.verify_chain": "no input (batch is the code's own page size)",
    "documents.demo_choice": "no input",
    "fees.seed_tariffs": "the names of the shipped tables (a choice, not typed input)",
    "fees.tariff_tables": "no input",
    "organization.organization_settings": "no input",
    "finance.approvals_xlsx": "no input",
    "finance.payouts_due": "no input",
    "finance.pending_approvals": "no input",
    "finance.renewals_to_pay": "no input",
    "finance.stage_reports_due": "no input",
    "queries.outbox": "no input",
    "users.list_users": "no input",
    "web_auth.web_sms_code_on": "no input",
    "member.signing_place": "no input",
    "public.referral_board": "no input",
    "permissions.only_own": "a check the services call, not a service",
    "members_import.import_members": "fuzzed in tests/test_fuzz_import.py",
    "projects.complete_intake": "a replay/test shortcut over four services fuzzed here",
    "deadlines.run_due": "the clock's instants, not a person's input (A1-A7 property tests)",
    "deadlines.decide_due": "the clock's instants, not a person's input",
    "deadlines.end_signing_window": "the clock's instants, not a person's input",
}


@dataclass(frozen=True)
class Case:
    who: str  # the permitted actor: admin, clerk, finance, manager, system, engineer, anyone
    args: st.SearchStrategy[dict[str, Any]]
    reader: bool = False  # writes nothing, even on success
    refusal_writes: tuple[str, ...] = ()  # tables a refusal may change by design


def args(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(fields)


def optional(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional=fields)


# ---------------------------------------------------------------- building the input objects

DISCIPLINE = text(*DISCIPLINES, "coord", size=8)
GRADE = text(*GRADES, size=8)
NATIONAL_ID = text("0013542419", "0084575948", "۰۰۱۳۵۴۲۴۱۹", "1111111111", "001354241")
MOBILE = text("09121234567", "۰۹۱۲۱۲۳۴۵۶۷", "+989121234567", "0912")
YEAR = integer(1404, 1405, 1406, 1300, 1500)

competence = st.builds(
    CompetenceIn,
    DISCIPLINE,
    GRADE,
    text(*COMPETENCE_KINDS, size=12),
    maybe(day(date(2028, 1, 1))),
)
conviction = st.builds(ConvictionIn, integer(1, 3, 7, 8), day(date(2025, 1, 1)), maybe(day()))
declaration = st.builds(
    DeclarationIn,
    YEAR,
    st.booleans(),
    st.booleans(),
    st.lists(text("A", "B", "C", "D", size=2), max_size=5).map(tuple),
    decimal("50", "0", "100", "100.5", "-1"),
)
job = st.builds(JobIn, text("supervision", "design", size=12), decimal("100", "0", "-3"))

ENGINEER_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "national_id": maybe(NATIONAL_ID),
    "first_name": text("علي", "رضا"),
    "last_name": text("كريمي"),
    "father_name": text("حسن"),
    "mobile": maybe(MOBILE),
    "licence_no": maybe(text("P-1")),
    "licence_expires": maybe(day(date(2028, 1, 1))),
    "member_since": maybe(YEAR),
    "membership_paid_through": maybe(YEAR),
    "resident_in_province": st.booleans(),
    "legal_incapacity": st.booleans(),
    "active_execution_project": st.booleans(),
    "design_build_qualified": st.booleans(),
    "employed_by_permit_authority": st.booleans(),
    "data_complete": st.booleans(),
    "competences": st.lists(competence, max_size=3).map(tuple),
    "base_score": decimal("100", "0", "12.34", "-1"),
    "convictions": st.lists(conviction, max_size=2).map(tuple),
    "declaration": maybe(declaration),
    "jobs": st.lists(job, max_size=2).map(tuple),
    "financial_ties": st.lists(NATIONAL_ID, max_size=3).map(tuple),
    "iban": maybe(text("IR062960000000100324200001", "ir06 2960 0000 0010 0324 2000 01")),
    "registration_no": maybe(text("12345", "۴۵۶۷۸", "12-34", size=30)),
    "registration_place": maybe(text("اهواز", "اداره ثبت شركت‌ها", size=120)),
}
# the Sheba number is registered with the engineer, changed only by finance (`set_iban`)
assert set(ENGINEER_FIELDS) == set(UPDATABLE) | {"iban"}, set(UPDATABLE) ^ set(ENGINEER_FIELDS)


def engineer_in(kind: st.SearchStrategy[str]) -> st.SearchStrategy[EngineerIn]:
    return st.builds(
        lambda no, k, validate, extra: EngineerIn(
            membership_no=no,
            kind=k,
            validate_ids=validate,
            **{"competences": (), "base_score": Decimal(0), **extra},
        ),
        text("N-1", "۱۲-۳۴", "E1", size=40),
        kind,
        st.sampled_from([True, True, True, False]),
        optional(**ENGINEER_FIELDS),
    )


organization_in = st.builds(
    lambda base, extra: replace(base, **extra),
    st.just(DEMO_ORGANIZATION),
    optional(
        name=text("سازمان نظام مهندسی ساختمان استان", size=200),
        phone=text("۰۰۰-۰۰۰۰۰۰۰۰", "06133381240", size=32),
        iban=text("IR550170000000103456789004", "IR540170000000103456789004", size=40),
        public_url=text("https://x.ir", "ftp://x", size=200),
        website=text("nezam.example.ir", size=120),
        address=text("کوتاه", size=2000),
        postal_code=text("6155783341", "123", size=20),
    ),
)
permit_in = st.builds(
    PermitIn,
    text("اهواز", "", size=80),
    text("2", "۳", size=30),
    text("concrete", "steel", "adobe", "", size=30),
    text("", "1405/12", size=60),
    maybe(day(date(2026, 11, 1), date(2030, 1, 1))),
)

owner = st.builds(
    OwnerIn,
    NATIONAL_ID,
    text("علی"),
    text("كاظمي"),
    text(""),
    maybe(MOBILE),
    text("تهران"),
    text("person", "company", size=8),
)
project_in = st.builds(
    lambda plate, area, floors, owners, disc, file_no, extra: ProjectIn(
        plate=plate,
        area=area,
        floors=floors,
        owners=owners,
        disciplines=disc,
        file_no=file_no,
        **extra,
    ),
    text("123/4", "۱۲۳/۴", "/", size=50),
    decimal("450", "0", "12.345", "-1"),
    integer(3, 0, 200),
    st.lists(owner, max_size=3).map(tuple),
    st.lists(DISCIPLINE, max_size=4).map(tuple),
    maybe(text("1405-9999", size=25)),
    optional(
        address=text("خیابان"),
        municipal_file_no=text("M-1"),
        use=text("residential", "mixed", "office", size=50),
        use_areas=st.one_of(
            st.lists(
                st.tuples(text("residential", "commercial", "office", size=20), decimal("225")),
                max_size=4,
            ).map(tuple),
            st.just((("residential", Decimal("225")), ("commercial", Decimal("225")))),
        ),
        brought_by_role=text("owner", "design_office", "legal_rep", size=20),
        brought_by_name=text("دفتر"),
        brought_by_national_id=maybe(NATIONAL_ID),
        enforce_p4=st.booleans(),
        validate_ids=st.sampled_from([True, True, False]),
    ),
)

POLICY_VALUE = st.one_of(
    number(1, 0, 10, 3),
    text("20:00", "25:61", "08:00-12:00"),
    st.lists(st.one_of(integer(), text(size=5)), max_size=4),
    st.dictionaries(text(*GRADES, *DISCIPLINES, size=6), number(1, 0.5), max_size=4),
    st.lists(st.tuples(text("A", size=2), integer(100)).map(list), max_size=4),
    st.none(),
    st.booleans(),
)

ENGINEER_IDS = ("e1", "e2", "e3", "firm")
PROJECT_IDS = ("p_intake", "p_open", "p_signed", "p_selected")
REFERRAL_IDS = ("r_intake", "r_open", "r_signed", "r_selected")

CASES: dict[str, Case] = {
    # -------------------------------------------------------- engineers (F5, C1, S8)
    "engineers.register_engineer": Case(
        "clerk", args(e=engineer_in(text("person", "firm", size=8)))
    ),
    "engineers.update_engineer": Case(
        "clerk",
        args(
            engineer_id=ident(*ENGINEER_IDS),
            changes=st.one_of(
                optional(**ENGINEER_FIELDS),
                st.dictionaries(text("membership_no", "kind", size=20), text(), max_size=2),
            ),
            validate_ids=st.booleans(),
        ),
    ),
    "engineers.set_iban": Case(
        "finance",
        args(
            engineer_id=ident(*ENGINEER_IDS),
            iban=maybe(
                text(
                    "IR062960000000100324200001",
                    "ir۰۶ ۲۹۶۰ ۰۰۰۰ ۰۰۱۰ ۰۳۲۴ ۲۰۰۰ ۰۱",
                    "IR062960000000100324200002",
                    "IR٨٢-٠٥٤٠-١٠٢٦-٨٠٠٢-٠٨١٧-٩٠٩٠-٠٢",
                    size=40,
                )
            ),
        ),
    ),
    "engineers.submit_declaration": Case(
        "clerk", args(engineer_id=ident(*ENGINEER_IDS), d=declaration)
    ),
    "engineers.request_renewal": Case("clerk", args(engineer_id=ident(*ENGINEER_IDS), year=YEAR)),
    "engineers.approve_renewal": Case(
        "finance",
        args(engineer_id=ident(*ENGINEER_IDS), year=YEAR, amount_rials=number(1_000_000)),
    ),
    "engineers.record_membership_payment": Case(
        "finance",
        args(engineer_id=ident(*ENGINEER_IDS), year=YEAR, payment_ref=text("B-12", size=80)),
    ),
    # -------------------------------------------------------- the counter (P1-P5, F2, S3)
    "projects.register_project": Case("clerk", args(p=project_in)),
    "projects.record_document": Case(
        "clerk",
        args(
            project_id=ident(*PROJECT_IDS),
            kind=text("ownership_deed", "drawings_arch", "owner_id", size=45),
            filename=maybe(text("نقشه.pdf", size=250)),
            mime=maybe(text("application/pdf", size=70)),
            content=maybe(st.binary(max_size=64)),
        ),
    ),
    "projects.approve_drawings": Case("clerk", args(project_id=ident(*PROJECT_IDS))),
    "projects.record_fee_payment": Case(
        "clerk",
        args(
            project_id=ident(*PROJECT_IDS),
            discipline=DISCIPLINE,
            amount_rials=number(5_000_000),
            tracking_no=text("T-1", size=80),
            paid_on=day(date(2025, 11, 14)),
            bank=text("ملت", size=90),
        ),
    ),
    "projects.decide_fee_payment": Case(
        "finance",
        args(fee_id=ident("fee_pending"), approve=st.booleans(), reason=text("رسید نامعتبر")),
    ),
    "projects.mark_ready": Case("clerk", args(project_id=ident(*PROJECT_IDS))),
    "projects.complete_project": Case(
        "clerk", args(project_id=ident(*PROJECT_IDS), certificate_no=text("C-1", size=80))
    ),
    # -------------------------------------------------------- candidacy (C1-C6)
    "candidacy.stand": Case(  # E1 and E3 may stand for the open referral, E2 stands already
        "engineer",
        args(
            engineer_id=ident("e1", "e3", *ENGINEER_IDS), referral_id=ident("r_open", *REFERRAL_IDS)
        ),
    ),
    "candidacy.cancel": Case(
        "engineer",
        args(engineer_id=ident("e2", *ENGINEER_IDS), referral_id=ident("r_open", *REFERRAL_IDS)),
    ),
    "candidacy.candidates": Case("anyone", args(referral_id=ident(*REFERRAL_IDS)), reader=True),
    "candidacy.cartable": Case("anyone", args(engineer_id=ident(*ENGINEER_IDS)), reader=True),
    "candidacy.cartable_blocks": Case(
        "anyone", args(engineer_id=ident(*ENGINEER_IDS)), reader=True
    ),
    "candidacy.why_not": Case(
        "anyone",
        args(engineer_id=ident(*ENGINEER_IDS), referral_id=ident(*REFERRAL_IDS)),
        reader=True,
    ),
    # -------------------------------------------------------- signing desk (A9, W1, A10)
    "deadlines.record_signature": Case("clerk", args(referral_id=ident(*REFERRAL_IDS))),
    "deadlines.record_withdrawal": Case(
        "clerk", args(referral_id=ident(*REFERRAL_IDS), letter_no=text("L-7", size=80))
    ),
    "deadlines.recheck_run": Case("manager", args(run_id=ident("run")), reader=True),
    # -------------------------------------------------------- money (F1-F6)
    "fees.set_tariff": Case(
        "admin",
        args(
            year=YEAR,
            group=text("A", "B", "C", "D", size=3),
            discipline=DISCIPLINE,
            rials_per_m2=number(150_000),
            effective_from=day(date(2026, 3, 21)),
            source=text("مصوبه", size=300),
            band=text("", "3-5", "16+", "9-9", size=5),
        ),
    ),
    "fees.tariff_table": Case("admin", optional(on=maybe(day())), reader=True),
    "fees.fee_quote": Case(
        "anyone",
        args(
            area=decimal("450", "80", "0", "-5", "1e9"),
            floors=integer(3, 1, 0, 16, 400),
            disciplines=st.lists(DISCIPLINE, max_size=3).map(tuple),
        ),
        reader=True,
    ),
    "fees.fee_for": Case(
        "finance", args(project_id=ident(*PROJECT_IDS), discipline=DISCIPLINE), reader=True
    ),
    "payouts.record_stage_report": Case(
        "clerk",
        args(
            referral_id=ident(*REFERRAL_IDS),
            stage=text("permit", "foundation", "frame", "completion", size=20),
            report_no=text("GZ-1", size=80),
        ),
    ),
    "payouts.decide_payout": Case(
        "finance",
        args(
            payout_id=ident("payout_pending", "payout_approved"),
            approve=st.booleans(),
            reason=text("گزارش ناقص"),
        ),
    ),
    "payouts.mark_paid": Case(
        "finance",
        args(
            payout_ids=st.lists(ident("payout_pending", "payout_approved"), max_size=3),
            paid_ref=text("S-1", size=80),
        ),
    ),
    "payouts.list_payouts": Case(
        "finance",
        optional(
            status=maybe(text("pending", "approved", "paid")),
            referral_id=maybe(ident(*REFERRAL_IDS)),
        ),
        reader=True,
    ),
    "payouts.payment_list_xlsx": Case("finance", optional(on=maybe(day())), reader=True),
    "payouts.transfer_sheet_xlsx": Case("finance", optional(on=maybe(day())), reader=True),
    "payouts.transfers_due": Case("finance", args(), reader=True),
    "finance.day_totals": Case("finance", optional(day=maybe(day())), reader=True),
    "finance.project_fee_payments": Case(
        "clerk", args(project_id=ident(*PROJECT_IDS)), reader=True
    ),
    "finance.fee_receipt": Case("finance", args(fee_id=ident("fee_pending")), reader=True),
    "firms.register_firm": Case(
        "clerk",
        args(
            firm=engineer_in(text("firm", "firm", "person", size=8)),
            member_ids=st.lists(ident(*ENGINEER_IDS), max_size=3),
            enforce_f6=st.sampled_from([True, True, False]),
        ),
    ),
    "firms.add_member": Case(
        "clerk",
        args(
            firm_id=ident(*ENGINEER_IDS),
            member_id=ident(*ENGINEER_IDS),
            role=text("member", "director", size=60),
        ),
    ),
    "firms.remove_member": Case(
        "clerk", args(firm_id=ident(*ENGINEER_IDS), member_id=ident(*ENGINEER_IDS))
    ),
    "firms.firm_status": Case("clerk", args(firm_id=ident(*ENGINEER_IDS)), reader=True),
    # -------------------------------------------------------- users (U1)
    "users.create_user": Case(
        "admin",
        args(
            username=text("sara", "clerk", "ساره", size=80),
            full_name=text("سارا كريمي", size=250),
            role=text(*users.ROLES, size=10),
            password=maybe(text("pass-1405")),
            engineer_id=maybe(ident(*ENGINEER_IDS)),
        ),
    ),
    "users.set_password": Case(
        "admin",
        args(user_id=integer(2, 3), password=text("a-new-pass-1405", "گذرواژه‌نو۱۴۰۵۱۲")),
        refusal_writes=(),
    ),
    "users.set_active": Case("admin", args(user_id=integer(2, 3), active=st.booleans())),
    "users.change_own_password": Case(
        "admin",
        args(old=text("wrong-pass-1405"), new=text("a-new-pass-1405")),
        refusal_writes=("login_throttle", "audit_log"),
    ),
    "users.authenticate": Case(  # U1: a wrong password is counted (committed), then refused
        "anyone",
        args(
            username=text("sara", "ساره", "clerk", size=80),
            password=text("pass-1405", "pass-۱۴۰۵"),
        ),
        refusal_writes=("users", "login_throttle", "audit_log"),
    ),
    "sessions.check_credentials": Case(
        "anyone",
        args(
            username=text("sara", "ساره", "clerk", size=80),
            password=text("pass-1405", "pass-۱۴۰۵"),
            source=text("127.0.0.1", "::1"),
        ),
        refusal_writes=("users", "login_throttle", "audit_log"),
    ),
    "sessions.sign_in": Case(
        "anyone",
        args(
            username=text("sara", "ساره", "clerk", size=80),
            password=text("pass-1405", "pass-۱۴۰۵"),
            source=text("127.0.0.1", "::1"),
        ),
        refusal_writes=("users", "login_throttle", "audit_log"),
    ),
    "sessions.resolve": Case("anyone", args(token=text("x" * 43, size=120))),
    "sessions.resolve_session": Case("anyone", args(token=text("x" * 43, size=120))),
    "sessions.sign_out": Case("anyone", args(token=text("x" * 43, size=120))),
    "users.bootstrap_admin": Case(
        "anyone",
        optional(username=text("root"), password=maybe(text()), full_name=text("مدیر")),
    ),
    # -------------------------------------------------------- the web's sign-in (issue 13)
    "web_auth.member_sign_in": Case(
        "anyone",
        args(
            membership_no=text("E1", "۱۲۳", "", size=80),
            password=text("pass-1405", "pass-۱۴۰۵"),
            source=text("127.0.0.1", "::1"),
        ),
        refusal_writes=("users", "login_throttle", "audit_log"),
    ),
    "web_auth.confirm_sign_in": Case(
        "anyone",
        args(token=text("x" * 43, size=120), code=text("123456", "۱۲۳۴۵۶", size=20)),
        refusal_writes=("login_throttle", "one_time_codes"),
    ),
    "web_auth.resend_sign_in_code": Case(
        "anyone",
        args(token=text("x" * 43, size=120), source=text("127.0.0.1")),
        refusal_writes=("login_throttle",),
    ),
    "web_auth.request_reset": Case(
        "anyone",
        args(membership_no=text("E1", "E2", "۱۲۳", size=80), source=text("127.0.0.1")),
        refusal_writes=("login_throttle", "one_time_codes", "audit_log"),
    ),
    "web_auth.reset_password": Case(
        "anyone",
        args(
            membership_no=text("E1", size=80),
            code=text("123456", size=20),
            new_password=text("a-new-pass-1405", "short"),
            source=text("127.0.0.1"),
        ),
        refusal_writes=("login_throttle", "one_time_codes"),
    ),
    "web_auth.set_web_sms_code": Case("admin", args(on=st.one_of(st.booleans(), text("on")))),
    "web_auth.pace": Case(
        "engineer",
        args(engineer_id=ident("e1", *ENGINEER_IDS), source=text("127.0.0.1", "::1")),
        refusal_writes=("login_throttle",),
    ),
    # -------------------------------------------------------- an engineer's own (issue 13)
    "member.member_state": Case("clerk", args(engineer_id=ident(*ENGINEER_IDS)), reader=True),
    "member.my_referrals": Case("clerk", args(engineer_id=ident(*ENGINEER_IDS)), reader=True),
    "member.my_notifications": Case("clerk", args(engineer_id=ident(*ENGINEER_IDS)), reader=True),
    "member.membership_status": Case("clerk", args(engineer_id=ident(*ENGINEER_IDS)), reader=True),
    "member.my_declaration": Case("clerk", args(engineer_id=ident(*ENGINEER_IDS)), reader=True),
    "candidacy.why_not_file": Case(
        "clerk",
        args(engineer_id=ident(*ENGINEER_IDS), file_no=text("1405-0001", "۱۴۰۵-۰۰۰۱", size=45)),
        reader=True,
    ),
    # -------------------------------------------------------- public pages (C6, A10)
    "public.published_runs": Case("anyone", optional(offset=integer(0, 1, 50)), reader=True),
    "public.run_sheet": Case("anyone", args(run_id=ident("run")), reader=True),
    "public.run_decisions": Case("anyone", args(run_id=ident("run")), reader=True),
    # -------------------------------------------------------- policy and calendar (admin)
    "policy_admin.update_policy": Case(
        "admin",
        args(
            key=st.one_of(st.sampled_from(POLICY_KEYS), text(size=20)),
            value=POLICY_VALUE,
            effective_from=st.one_of(
                day(date(2026, 3, 21)),
                st.sampled_from([datetime(2026, 3, 21, 12, tzinfo=UTC), datetime(2026, 3, 21)]),
            ),
            source=text("مصوبه هیئت مدیره", size=300),
        ),
    ),
    "policy_admin.current_policy": Case(
        "admin",
        optional(at=maybe(st.sampled_from([datetime(1, 1, 1, tzinfo=UTC), datetime(2026, 1, 1)]))),
        reader=True,
    ),
    "policy_admin.policy_history": Case(
        "admin", args(key=st.one_of(st.sampled_from(POLICY_KEYS), text())), reader=True
    ),
    "calendar.set_holidays": Case(
        "admin",
        args(
            days=st.lists(st.tuples(day(date(2025, 11, 20)), text("عید", size=250)), max_size=3),
            through_year=st.none() | number(1406),
        ),
    ),
    "calendar.calendar_status": Case("anyone", args(), reader=True),
    "calendar.load_official_calendar": Case("admin", args(through_year=YEAR)),
    "calendar.holidays_from": Case("anyone", args(first=day(date(2026, 3, 21))), reader=True),
    # -------------------------------------------------------- documents (their ids)
    "documents.contract_dto": Case("clerk", args(project_id=ident(*PROJECT_IDS)), reader=True),
    "documents.commitment_dto": Case("clerk", args(referral_id=ident(*REFERRAL_IDS)), reader=True),
    "documents.receipt_dto": Case("clerk", args(project_id=ident(*PROJECT_IDS)), reader=True),
    "documents.letter_dto": Case(
        "clerk", args(project_id=ident(*PROJECT_IDS), strict=st.booleans()), reader=True
    ),
    "documents.daily_report_dto": Case("clerk", optional(run_id=maybe(ident("run"))), reader=True),
    # -------------------------------------------------------- papers as records (issue 14)
    "papers.issue_contract": Case("clerk", args(project_id=ident(*PROJECT_IDS))),
    "addenda.addendum_due": Case("clerk", args(project_id=ident(*PROJECT_IDS)), reader=True),
    "addenda.issue_addendum": Case("clerk", args(project_id=ident(*PROJECT_IDS))),
    "papers.issue_commitment": Case("clerk", args(referral_id=ident(*REFERRAL_IDS))),
    "papers.issue_receipt": Case("clerk", args(project_id=ident(*PROJECT_IDS))),
    "papers.issue_letter": Case("clerk", args(project_id=ident(*PROJECT_IDS))),
    "papers.issue_daily": Case("clerk", optional(run_id=maybe(ident("run")))),
    "papers.verify_paper": Case(
        "anyone", args(code=text("K7QM-2XWD-9RPA", "k7qm2xwd9rpa", "", size=200)), reader=True
    ),
    "papers.papers_issued": Case("clerk", args(file_no=text("1405-0001", size=20)), reader=True),
    "organization.save_organization_settings": Case("admin", args(settings=organization_in)),
    "permits.record_permit": Case("clerk", args(project_id=ident(*PROJECT_IDS), p=permit_in)),
    "permits.project_permit": Case("clerk", args(project_id=ident(*PROJECT_IDS)), reader=True),
    # -------------------------------------------------------- SMS outbox (A8)
    "sms.send_pending": Case(
        "system",
        args(
            gateway=st.sampled_from(["ok", "fail"]),
            limit=integer(200, 1, 0),
            max_attempts=integer(8, 1, 0),
        ),
    ),
    "sms.retry_failed": Case("admin", args(notification_id=ident("sms_failed", "sms_sent"))),
    # -------------------------------------------------------- what the desk's lists search
    "browse.count_engineers": Case("clerk", optional(text=text("E1", "كريمي")), reader=True),
    "browse.engineer_page": Case(
        "clerk",
        optional(
            text=text("E1"),
            offset=integer(0, 10),
            limit=integer(200, 1),
            sort=text("membership_no", "name", "score"),
            descending=st.booleans(),
        ),
        reader=True,
    ),
    "browse.engineer_file": Case("clerk", args(engineer_id=ident(*ENGINEER_IDS)), reader=True),
    "browse.intake_preview": Case(
        "clerk",
        args(plate=text("123/4"), area=maybe(decimal("450")), floors=maybe(integer(3))),
        reader=True,
    ),
    "browse.owner_by_code": Case("clerk", args(national_id=text(OWNER)), reader=True),
    "browse.intake_status": Case("clerk", args(project_id=ident(*PROJECT_IDS)), reader=True),
    "browse.document_content": Case(
        "clerk", args(project_id=ident(*PROJECT_IDS), kind=text("owner_id")), reader=True
    ),
    "browse.recent_projects": Case("clerk", optional(limit=integer(500, 1)), reader=True),
    "browse.appointments": Case(
        "clerk", optional(day=maybe(day()), completable=st.booleans()), reader=True
    ),
    "browse.audit_page": Case(
        "admin",
        optional(text=text("engineer"), limit=integer(2000, 1), before_id=maybe(integer(5))),
        reader=True,
    ),
    "browse.engineer_id_by_no": Case("clerk", args(membership_no=text("E1")), reader=True),
    "queries.referrals_overview": Case(
        "clerk",
        optional(project_ids=maybe(st.lists(ident(*PROJECT_IDS), max_size=3))),
        reader=True,
    ),
    "queries.engineer_standings": Case(
        "clerk",
        optional(
            ids=maybe(st.lists(ident(*ENGINEER_IDS), max_size=3)),
            at=maybe(st.sampled_from([datetime(2026, 1, 1, tzinfo=UTC), datetime(1, 1, 2)])),
        ),
        reader=True,
    ),
}


def test_every_service_with_input_is_fuzzed():
    found = _services()
    assert len(found) >= 60
    assert found == set(CASES) | set(NOT_HERE), {
        "not fuzzed": sorted(found - set(CASES) - set(NOT_HERE)),
        "gone": sorted((set(CASES) | set(NOT_HERE)) - found),
    }


# ---------------------------------------------------------------- the seeded office


def _seed(tmp: Path) -> Seed:
    """Three engineers and a firm; a project at the counter with a pending fee, one open for
    candidacy (E2 standing), one signed with a pending and an approved payout, one selected
    waiting for its signature; a deadline run, a sent and a failed SMS."""
    path = tmp / "seed.sqlite"
    o = Office(f"sqlite:///{path}")
    ids: dict[str, int] = {}
    ids["e1"] = o.engineer("E1", mobile="09121234567")
    ids["e2"] = o.engineer("E2", discipline="civil", grade="2", score=90)
    ids["e3"] = o.engineer("E3", discipline="arch", grade="1", score=80)
    ids["firm"] = firms.register_firm(
        o.clerk,
        EngineerIn(
            membership_no="F1", competences=(), base_score=Decimal(0), kind="firm", last_name="F1"
        ),
        [ids["e2"], ids["e3"]],
    )
    engineers.request_renewal(o.clerk, ids["e1"], 1406)
    users.create_user(o.admin, "sara", "سارا", "clerk", password="pass-1405")
    o.at("1405-08-23 10:00")
    signed, selected = o.project(), o.project(disciplines=("arch",))
    candidacy.stand(o.as_engineer[ids["e1"]], ids["e1"], signed.referral_ids["civil"])
    candidacy.stand(o.as_engineer[ids["e3"]], ids["e3"], selected.referral_ids["arch"])
    o.run("1405-08-23 20:00")
    o.at("1405-08-24 09:00")
    from app.services import deadlines, projects

    deadlines.record_signature(o.clerk, signed.referral_ids["civil"])
    ids["payout_approved"] = payouts.record_stage_report(
        o.clerk, signed.referral_ids["civil"], "permit", "GZ-1"
    )
    payouts.decide_payout(o.finance, ids["payout_approved"], approve=True)
    ids["payout_pending"] = payouts.record_stage_report(
        o.clerk, signed.referral_ids["civil"], "foundation", "GZ-2"
    )
    intake = projects.register_project(
        o.system,
        ProjectIn(
            plate="77/7",
            area=Decimal(300),
            floors=2,
            owners=(OwnerIn(OWNER, mobile="09161234567"),),
            disciplines=("civil",),
            enforce_p4=False,
        ),
    )
    ids["fee_pending"] = projects.record_fee_payment(
        o.clerk, intake.id, "civil", 5_000_000, "10009", date(2025, 11, 14), "ملی"
    )
    opened = o.project()
    candidacy.stand(o.as_engineer[ids["e2"]], ids["e2"], opened.referral_ids["civil"])

    class Flaky:
        name = "flaky"

        def send(self, mobile, body, key):
            if mobile:
                return "ok"
            raise RuntimeError("down")

    sms.send_pending(o.system, Flaky(), max_attempts=1)
    with o.base.tx() as s:
        from sqlalchemy import select

        from app.db.models import DeadlineRun, Notification

        ids["run"] = s.scalar(select(DeadlineRun.id).where(DeadlineRun.kind == "deadline"))
        by = dict(s.execute(select(Notification.status, Notification.id)).all())
    ids["sms_sent"] = by.get("sent", 999)
    ids["sms_failed"] = by.get("failed", 999)
    ids.update(
        p_intake=intake.id,
        r_intake=intake.referral_ids["civil"],
        p_open=opened.id,
        r_open=opened.referral_ids["civil"],
        p_signed=signed.id,
        r_signed=signed.referral_ids["civil"],
        p_selected=selected.id,
        r_selected=selected.referral_ids["arch"],
    )
    o.papers_ready(signed.id, selected.id)  # issue 14: the organization's settings, permits
    actors = {n: getattr(o, n).actor for n in ("admin", "clerk", "finance", "manager", "system")}
    actors.update({f"eng{eid}": ctx.actor for eid, ctx in o.as_engineer.items()})
    now = o.clock.now
    o.engine.dispose()  # the WAL is folded into the file before it is copied
    return Seed(str(path), now, actors, ids)


@pytest.fixture(scope="module")
def seed(tmp_path_factory) -> Seed:
    return _seed(tmp_path_factory.mktemp("fuzz"))


class _Gateway:
    def __init__(self, ok: bool):
        self.name, self.ok = "fuzz", ok

    def send(self, mobile, body, key):
        if not self.ok:
            raise RuntimeError("gateway down")
        return key


def _actor(case: Case, name: str, a: dict[str, Any], seed: Seed) -> str:
    if case.who != "engineer":
        return case.who
    eid = a.get("engineer_id")  # an engineer acts for themself; any other id: as E1
    return f"eng{eid}" if f"eng{eid}" in seed.actors else f"eng{seed.ids['e1']}"


@pytest.mark.parametrize("name", sorted(CASES))
@FUZZ
@given(data=st.data())
def test_hostile_input_is_refused_in_persian_and_writes_nothing(seed: Seed, name: str, data):
    case = CASES[name]
    module, function = name.split(".")
    fn = getattr(importlib.import_module(f"app.services.{module}"), function)
    a = resolve(data.draw(case.args, label="args"), seed.ids)
    if name == "sms.send_pending":
        a["gateway"] = _Gateway(a["gateway"] == "ok")
    if name in (
        "web_auth.member_sign_in",
        "web_auth.resend_sign_in_code",
        "web_auth.request_reset",
    ):
        a["gateway"] = _Gateway(True)
    desk = seed.desk()
    try:
        out = call_checked(
            desk,
            fn,
            desk.ctx(_actor(case, name, a, seed)),
            a,
            reader=case.reader,
            refusal_writes=case.refusal_writes,
        )
    finally:
        desk.close()
    # --hypothesis-show-statistics: how often each service accepts, and why it refuses
    if isinstance(out, InputError):
        event(f"refused: field {out.field}")
    elif isinstance(out, RuleViolation):
        event(f"refused: {','.join(out.rules)}")
    else:
        event("accepted" if not isinstance(out, REFUSALS) else "refused: document")


def test_the_seed_is_what_the_cases_expect(seed: Seed):
    """The seeded rows the strategies name exist, in the states the docstring of _seed says."""
    desk = seed.desk()
    try:
        state = desk.state()
        assert len(state["engineers"]) == 4 and len(state["stage_payouts"]) == 2
        assert seed.ids["sms_failed"] != 999 and seed.ids["sms_sent"] != 999
        out = call_checked(
            desk,
            payouts.mark_paid,
            desk.ctx("finance"),
            {"payout_ids": [seed.ids["payout_approved"]], "paid_ref": "S-1"},
            reader=False,
        )
        assert out == 1
    finally:
        desk.close()

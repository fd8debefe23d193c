"""Build the printed papers' DTOs from the database (set-based: a few queries per paper).

    contract_dto(ctx, project_id)        → ContractDTO     (reports.contract.contract_pdf)
    commitment_dto(ctx, referral_id)     → CommitmentDTO   (reports.commitment.commitment_pdf)
    receipt_dto(ctx, project_id)         → ReceiptDTO      (reports.receipt.receipt_pdf)
    letter_dto(ctx, project_id)          → LetterDTO       (reports.letter.letter_pdf)
    daily_report_dto(ctx, run_id=None)   → DailyReportDTO  (reports.daily.daily_report_pdf)

A DTO states facts with the dates of the events behind them (registration, selection,
signature, the decision) and never the moment it is built: built twice from the same facts it
is the same (the same content digest: a reprint). Papers are issued as records through
`app.services.papers`; these builders refuse (DocumentRefused, Persian reasons) while a paper
must not be printed: the organization's settings missing or still the samples; a contract
without the file's city, municipal district and structure type; an introduction letter
while a fee is unapproved, a supervisor has not signed, or the city's municipality is unknown.

Fees (F1): each discipline's due amount from the tariff table in force when the file was
registered (app/services/fees.py), beside the owner's approved payments (F2).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db.models import (
    AuditEntry,
    Competence,
    DeadlineRun,
    Engineer,
    FeePayment,
    IssuedPaper,
    Licence,
    Owner,
    Project,
    ProjectDocument,
    ProjectOwner,
    ProjectPermit,
    Referral,
    Round,
    Tariff,
    User,
    Withdrawal,
)
from ..db.policy_store import policy_at
from ..domain.calendar import jalali_text, local_date
from ..domain.codes import DISCIPLINE_FA, DISCIPLINE_ORDER
from ..domain.digest import digest
from ..domain.errors import NotFound
from ..domain.organization import (
    municipality_of,
    normalize,
    problems,
    problems_text,
    tariff_of_another_province,
)
from ..domain.published import ranking_lines, set_aside_lines
from ..domain.rules_fa import disciplines_phrase
from ..domain.uses import USES_FA, use_areas_read
from ..resources import ROOT, reference
from . import firms
from . import organization as org_settings
from .context import ServiceContext
from .document_dto import (
    Article,
    AttorneyParty,
    ChecklistLine,
    CommitmentDTO,
    ContractDTO,
    DailyReportDTO,
    DecisionBlock,
    DocumentRefused,
    FeeLine,
    LaterEvent,
    LetterDTO,
    OrganizationInfo,
    OwnerParty,
    PropertyInfo,
    RankedLine,
    ReceiptDTO,
    SetAsideLine,
    StageLine,
    SupervisorRow,
    TariffRef,
    Undertaking,
)
from .fees import project_fees, table_at
from .paper_records import SIGNED, signed_papers
from .permissions import require
from .permits import STRUCTURE_FA
from .projects import document_titles
from .queries import engineer_standings
from .registry import use_case

ASSIGNED = ("selected", "signed", "completed")

__all__ = [
    "DocumentRefused",
    "commitment_dto",
    "contract_dto",
    "daily_report_dto",
    "demo_choice",
    "letter_dto",
    "receipt_dto",
]


# ---------------------------------------------------------------- resources


@cache
def template(name: str) -> dict[str, Any]:
    """`resources/documents/<name>.json` (clause texts and the documents' [policy] choices)."""
    return json.loads((ROOT / "documents" / f"{name}.json").read_text(encoding="utf-8"))


def organization_info(s: Session, paper: str) -> OrganizationInfo:
    """The organization's particulars for a paper; refused in Persian while any is missing,
    malformed or still a sample (issue 14)."""
    o = normalize(org_settings.load(s))
    bad = problems(o)
    if bad:
        raise DocumentRefused(
            paper,
            (
                "تنظیمات سازمان کامل نیست یا هنوز مقدار نمونه دارد (مدیر سامانه، بخش «تنظیمات "
                "سازمان»): " + problems_text(bad),
            ),
        )
    return organization_from(o)


def organization_from(o) -> OrganizationInfo:
    return OrganizationInfo(
        name=o.name,
        province=o.province,
        unit=o.unit,
        address=o.address,
        postal_code=o.postal_code,
        phone=o.phone,
        website=o.website,
        public_url=o.public_url,
        bank=o.bank,
        account_no=o.account_no,
        iban=o.iban,
        representative_name=o.contract_signer.name,
        representative_title=o.contract_signer.title,
        letter_signer_name=o.letter_signer.name,
        letter_signer_title=o.letter_signer.title,
        demo=o.demo,
    )


def coordinating_discipline(disciplines: Iterable[str]) -> str | None:
    """[policy] the civil supervisor, else the architecture one (resources/documents)."""
    present = set(disciplines)
    for d in template("contract_fa")["policy"]["coordinating_supervisor_order"]:
        if d in present:
            return d
    return None


def project_coordinator(referrals: Iterable[Referral]) -> str | None:
    """The coordinating discipline of a project: over its referrals that are not unassigned."""
    return coordinating_discipline(r.discipline for r in referrals if r.status != "unassigned")


# ---------------------------------------------------------------- shared loaders


def _property(s: Session, p: Project) -> PropertyInfo:
    # the use's Persian name: the template's wording (an administrator's), else the domain's
    uses = {**USES_FA, **template("receipt_fa").get("uses", {})}
    permit = s.get(ProjectPermit, p.id)
    return PropertyInfo(
        file_no=p.file_no,
        plate=p.plate,
        address=p.address,
        municipal_file_no=p.municipal_file_no,
        group=p.group,
        floors=p.floors,
        area_m2=p.area,
        use=p.use,
        use_fa=uses.get(p.use, p.use),
        registered_on=local_date(p.created_at),
        city=permit.city if permit else "",
        municipal_district=permit.municipal_district if permit else "",
        structure_fa=STRUCTURE_FA.get(permit.structure_type, "") if permit else "",
        permit_no=permit.permit_no if permit else "",
        permit_date=permit.permit_date if permit else None,
        use_areas=tuple(
            (code, uses.get(code, code), m2) for code, m2 in use_areas_read(p.use_areas)
        ),
    )


def _owners(s: Session, p: Project) -> tuple[OwnerParty, ...]:
    rows = s.execute(
        select(Owner, ProjectOwner.share)
        .join(ProjectOwner, ProjectOwner.owner_id == Owner.id)
        .where(ProjectOwner.project_id == p.id)
        .order_by(Owner.id)
    ).all()
    out = []
    for o, share in rows:
        legal = o.kind != "person"
        # P1: a legal owner is brought, and signed for, by its managing director
        rep = legal and p.brought_by_role == "legal_rep" and bool(p.brought_by_name)
        out.append(
            OwnerParty(
                name=f"{o.first_name} {o.last_name}".strip(),
                father_name="" if legal else o.father_name,
                national_id=o.national_id,
                mobile=o.mobile or "",
                address=o.address,
                share=share,
                kind="legal" if legal else "person",
                signatory_name=p.brought_by_name if rep else "",
                signatory_national_id=(p.brought_by_national_id or "") if rep else "",
                signatory_title="مدیرعامل و صاحب امضای مجاز" if rep else "",
                registration_no=(o.registration_no or "") if legal else "",
                registration_place=(o.registration_place or "") if legal else "",
            )
        )
    return tuple(out)


def _attorney(p: Project, owners: tuple[OwnerParty, ...]) -> AttorneyParty | None:
    """The natural-person owners' attorney (P1 legal_rep); a legal owner's managing director
    signs as its signatory (OwnerParty), and a design office that brought the file is no
    party at all."""
    if p.brought_by_role != "legal_rep" or not p.brought_by_name:
        return None
    if any(o.kind == "legal" for o in owners):
        return None
    roles = template("receipt_fa")["roles"]
    return AttorneyParty(
        name=p.brought_by_name,
        national_id=p.brought_by_national_id or "",
        role=p.brought_by_role,
        role_fa=roles.get(p.brought_by_role, p.brought_by_role),
        poa_no=p.poa_no or "",
        poa_date=p.poa_date,
        poa_notary=p.poa_notary or "",
    )


def _entered_rates(s: Session, p: Project, dues: dict) -> set[str]:
    """The disciplines whose cell of the file's tariff row is the organization's own entry
    (status «entered», as the survey column: no published amount), not a published figure."""
    due = next((f for f in dues.values() if f.table_from is not None), None)
    if due is None:
        return set()
    table = table_at(s, local_date(p.created_at))
    if table is None:
        return set()
    return set(
        s.scalars(
            select(Tariff.discipline).where(
                Tariff.table_id == table.id,
                Tariff.group == due.group,
                Tariff.band == due.band,
                Tariff.status == "entered",
            )
        )
    )


def _fees(s: Session, p: Project, disciplines: Iterable[str]) -> tuple[FeeLine, ...]:
    """One line per discipline: F1's due amount (the tariff) and F2's payments; a rate the
    organization entered rather than published is marked (`rate_entered`)."""
    dues = project_fees(s, p)
    entered = _entered_rates(s, p, dues)
    by: dict[str, list[FeePayment]] = defaultdict(list)
    for f in s.scalars(
        select(FeePayment).where(FeePayment.project_id == p.id).order_by(FeePayment.id)
    ):
        by[f.discipline].append(f)
    out = []
    for d in sorted(set(disciplines), key=DISCIPLINE_ORDER.__getitem__):
        due = dues.get(d)
        rows = by.get(d, [])
        ok = [f for f in rows if f.status == "approved"]
        pending = [f for f in rows if f.status == "pending"]
        approved = sum(f.amount_rials for f in ok)
        owed = due.due_rials if due is not None else None
        if ok and (owed is None or approved >= owed):
            status = "approved"
        elif ok:
            status = "short"
        elif pending:
            status = "pending"
        else:
            status = "rejected" if rows else "missing"
        out.append(
            FeeLine(
                discipline=d,
                billable_m2=due.billable_m2 if due else p.area,
                rials_per_m2=due.rials_per_m2 if due else None,
                fee_rials=due.fee_rials if due else None,
                coordinator_per_m2=due.coordinator_per_m2 if due else None,
                coordinator_rials=due.coordinator_rials if due else 0,
                approved_rials=approved,
                pending_rials=sum(f.amount_rials for f in pending),
                status=status,
                tracking_nos=tuple(f.tracking_no for f in ok or pending),
                paid_on=max((f.paid_on for f in ok), default=None),
                bank=ok[-1].bank if ok else "",
                rate_entered=bool(due and due.rials_per_m2 is not None and d in entered),
            )
        )
    return tuple(out)


def _tariff_due(s: Session, p: Project, paper: str):
    """A due amount read from the file's tariff table (None: no table rate), refused
    (DocumentRefused) while that table is another province's (F1)."""
    due = next((f for f in project_fees(s, p).values() if f.table_year is not None), None)
    if due is not None:
        why = tariff_of_another_province(normalize(org_settings.load(s)), due.table_title)
        if why:
            raise DocumentRefused(paper, (why,))
    return due


def _tariff_ref(s: Session, p: Project, paper: str) -> TariffRef | None:
    due = _tariff_due(s, p, paper)
    if due is None:
        return None
    policy = policy_at(s, p.created_at)
    return TariffRef(
        due.table_year,  # type: ignore[arg-type]
        due.table_from,  # type: ignore[arg-type]
        due.table_source,
        due.group,
        due.band,
        policy.minimum_billable_area_m2,
        due.table_title,
    )


def _supervisors(
    s: Session, referrals: list[Referral], statuses: tuple[str, ...] = ASSIGNED
) -> tuple[SupervisorRow, ...]:
    refs = [r for r in referrals if r.engineer_id is not None and r.status in statuses]
    ids = {r.engineer_id for r in refs}
    engineers = {e.id: e for e in s.scalars(select(Engineer).where(Engineer.id.in_(ids)))}
    licences = dict(
        s.execute(
            select(Licence.engineer_id, Licence.number).where(
                Licence.engineer_id.in_(ids), Licence.is_current.is_(True)
            )
        ).all()
    )
    grades = {
        (eid, d): g
        for eid, d, g in s.execute(
            select(Competence.engineer_id, Competence.discipline, Competence.grade).where(
                Competence.engineer_id.in_(ids), Competence.kind == "supervision"
            )
        )
    }
    signatories = firms.signatories(s, sorted(i for i in ids if engineers[i].kind == "firm"))
    # [policy] the coordinator is decided over every referral of the project that can still
    # have a supervisor (a civil referral still open is not replaced by the architect)
    coord = project_coordinator(referrals)
    rows = []
    for r in sorted(refs, key=lambda r: DISCIPLINE_ORDER[r.discipline]):
        e = engineers[r.engineer_id]
        rows.append(
            SupervisorRow(
                referral_id=r.id,
                discipline=r.discipline,
                engineer_id=e.id,
                name=f"{e.first_name} {e.last_name}".strip(),
                father_name="" if e.kind == "firm" else e.father_name,
                national_id=e.national_id or "",
                membership_no=e.membership_no,
                licence_no=licences.get(e.id, ""),
                grade=grades.get((e.id, r.discipline)),
                area_m2=r.area,
                coordinating=r.discipline == coord,
                status=r.status,
                kind=e.kind,
                signatory=signatories.get(e.id, ""),
                selected_on=local_date(r.decided_at) if r.decided_at else None,
                signed_on=local_date(r.signed_at) if r.signed_at else None,
                registration_no=(e.registration_no or "") if e.kind == "firm" else "",
                registration_place=(e.registration_place or "") if e.kind == "firm" else "",
            )
        )
    return tuple(rows)


def _project(s: Session, project_id: int) -> Project:
    p = s.get(Project, project_id)
    if p is None:
        raise NotFound("project", f"پرونده‌ای با شناسه {project_id} وجود ندارد")
    return p


def _referrals(s: Session, project_id: int) -> list[Referral]:
    return list(s.scalars(select(Referral).where(Referral.project_id == project_id)))


def _property_refusals(prop: PropertyInfo) -> list[str]:
    r = template("contract_fa")["refusals"]
    out = []
    if not prop.plate.strip():
        out.append(r["plate"])
    if not prop.city:
        out.append(r["city"])
    if not prop.municipal_district:
        out.append(r["district"])
    if not prop.structure_fa:
        out.append(r["structure"])
    return out


# ---------------------------------------------------------------- the contract


@use_case(writes=False)
def contract_dto(ctx: ServiceContext, project_id: int) -> ContractDTO:
    """The supervision contract of a project: every referral with a selected (or signed)
    supervisor, the fee of each discipline from the tariff, one original for each signer."""
    require(ctx, "documents.print")
    t = template("contract_fa")
    pol = t["policy"]
    with ctx.tx() as s:
        organization = organization_info(s, "قرارداد نظارت")
        p = _project(s, project_id)
        refs = _referrals(s, project_id)
        # the parties, not the state of their signatures: recording a signature does not
        # change the contract (nor make a reprint a new paper)
        sups = tuple(replace(x, status="", signed_on=None) for x in _supervisors(s, refs))
        coord = project_coordinator(refs)
        fees = _fees(s, p, [r.discipline for r in refs if r.status != "unassigned"])
        tariff = _tariff_ref(s, p, "قرارداد نظارت")
        policy = policy_at(s, p.created_at)
        prop, owners = _property(s, p), _owners(s, p)
        attorney = _attorney(p, owners)
    reasons = _property_refusals(prop)
    if not sups:
        reasons.append(t["refusals"]["none"])
    if reasons:
        raise DocumentRefused("قرارداد نظارت", tuple(reasons))
    total = sum((f.due_rials if f.due_rials is not None else f.approved_rials) for f in fees)
    share_rials = int((Decimal(total) * policy.organization_share).to_integral_value())
    stages = []
    left = total
    for i, (key, pct) in enumerate(policy.payout_stages):
        amount = left if i == len(policy.payout_stages) - 1 else total * pct // 100
        left -= amount
        stages.append(StageLine(key, t["stage_titles"].get(key, key), pct, amount))
    holders = [f"صاحب‌کار: {o.name}" for o in owners]
    if attorney is not None:
        holders = [f"صاحب‌کار (به وکالت {attorney.name})"]
    holders += [f"ناظر {DISCIPLINE_FA[x.discipline]}: {x.name}" for x in sups]
    holders.append(f"سازمان ({organization.unit})")
    return ContractDTO(
        organization=organization,
        owners=owners,
        attorney=attorney,
        supervisors=sups,
        property=prop,
        fees=fees,
        tariff=tariff,
        total_fee_rials=total,
        organization_share=policy.organization_share,
        organization_share_rials=share_rials,
        stages=tuple(stages),
        duration_months=int(pol["duration_months"]),
        articles=tuple(Article(a["title"], tuple(a["paragraphs"])) for a in t["articles"]),
        copy_holders=tuple(holders),
        coordinator_pending=(
            coord if coord and not any(x.discipline == coord for x in sups) else None
        ),
        pending_disciplines=tuple(
            sorted(
                {r.discipline for r in refs if r.status not in (*ASSIGNED, "unassigned")}
                - {x.discipline for x in sups},
                key=DISCIPLINE_ORDER.__getitem__,
            )
        ),
        values={
            "suspension_share": pol["suspension_share"],
            "no_start_months": pol["no_start_months"],
            "permit_wait_months": pol["permit_wait_months"],
            "preamble": t["preamble"],
            "title": t["title"],
        },
    )


# ---------------------------------------------------------------- the commitment form


@use_case(writes=False)
def commitment_dto(ctx: ServiceContext, referral_id: int) -> CommitmentDTO:
    """One supervisor's undertaking for one referral, dated by its signature (A9)."""
    require(ctx, "documents.print")
    t = template("commitment_fa")
    with ctx.tx() as s:
        organization = organization_info(s, "تعهدنامه ناظر")
        ref = s.get(Referral, referral_id)
        if ref is None or ref.engineer_id is None:
            raise DocumentRefused("تعهدنامه ناظر", ("برای این ارجاع ناظری انتخاب نشده است",))
        p = _project(s, ref.project_id)
        all_refs = _referrals(s, ref.project_id)
        sup = [x for x in _supervisors(s, all_refs) if x.referral_id == referral_id]
        if not sup:
            raise DocumentRefused("تعهدنامه ناظر", ("برای این ارجاع ناظری انتخاب نشده است",))
        prop, owners = _property(s, p), _owners(s, p)
        at = ref.decided_at or p.created_at  # the figures as charged at the selection
        policy = policy_at(s, at)
        row = replace(sup[0], status="", signed_on=None)  # what the form states, not its state
        sign_on = local_date(ref.sign_from) if ref.sign_from else None
    # the figures as they stood when the supervisor was selected: a reprint states the same
    st = engineer_standings(ctx, [row.engineer_id], at)[row.engineer_id]
    firm = row.kind == "firm"
    exempt = row.discipline in policy.penalty_exempt_disciplines
    undertakings = []
    for u in t["undertakings"]:
        if u.get("only") == "penalty" and exempt:
            u = t["penalty_exempt"]
        text = u["firm"] if firm else u["person"]
        undertakings.append(Undertaking(u["clause"], text))
    return CommitmentDTO(
        organization=organization,
        supervisor=row,
        discipline_fa=DISCIPLINE_FA[row.discipline],
        capacity_m2=st.capacity_m2,
        used_m2=st.used_m2,
        remaining_m2=st.capacity_m2 - st.used_m2,
        active_jobs=st.active_jobs,
        max_active_jobs=policy.max_active_jobs,
        property=prop,
        owner_names=tuple(o.name for o in owners),
        undertakings=tuple(undertakings),
        intro=t["intro_firm" if firm else "intro_person"],
        closing=t["closing"],
        # A9: a signature is recorded only inside the window of the first working day after
        # the selection, so the form is dated by that day, before and after it is signed
        signed_on=None,
        sign_on=sign_on,
        sign_from=policy.signing_window[0].strftime("%H:%M"),
        sign_until=policy.signing_window[1].strftime("%H:%M"),
    )


# ---------------------------------------------------------------- the counter receipt


def _registered_by(s: Session, project_id: int) -> str:
    """The full name of whoever registered the file (the trail's line), else his username."""
    row = s.execute(
        select(AuditEntry.actor, User.full_name)
        .outerjoin(User, User.id == AuditEntry.user_id)
        .where(
            AuditEntry.entity == "project",
            AuditEntry.entity_id == str(project_id),
            AuditEntry.action == "project.register",
        )
        .order_by(AuditEntry.id)
        .limit(1)
    ).first()
    return "" if row is None else (row.full_name or row.actor)


@use_case(writes=False)
def receipt_dto(ctx: ServiceContext, project_id: int) -> ReceiptDTO:
    """What the counter received (P1–P5, F2), dated by the file's registration."""
    require(ctx, "documents.print")
    t = template("receipt_fa")
    with ctx.tx() as s:
        organization = organization_info(s, "رسید پذیرش پرونده")
        p = _project(s, project_id)
        _tariff_due(s, p, "رسید پذیرش پرونده")  # refused under another province's table
        refs = _referrals(s, project_id)
        received = set(
            s.scalars(select(ProjectDocument.kind).where(ProjectDocument.project_id == project_id))
        )
        fees = _fees(s, p, [r.discipline for r in refs])
        prop, owners = _property(s, p), _owners(s, p)
        attorney = _attorney(p, owners)
        policy = policy_at(s, p.created_at)
        created = p.created_at
        registered_by = _registered_by(s, project_id)
        titles = document_titles(s, project_id)
    checklist = tuple(
        ChecklistLine(titles[d["kind"]], bool(d["required"]), d["kind"] in received)
        for d in reference("document_checklist")["documents"]
    )
    fmt = {
        "deadline_time": policy.deadline_time.strftime("%H:%M"),
        "signing_from": policy.signing_window[0].strftime("%H:%M"),
        "signing_until": policy.signing_window[1].strftime("%H:%M"),
        "public_url": organization.public_url,
    }
    tracking = f"{int(digest({'file_no': p.file_no, 'id': p.id, 'at': created}), 16) % 10**8:08d}"
    owner0 = owners[0] if owners else None
    return ReceiptDTO(
        organization=organization,
        file_no=p.file_no,
        tracking_code=f"{p.file_no}-{tracking}",
        received_at=created,
        registered_by=registered_by,
        owners=owners,
        brought_by_role=p.brought_by_role,
        brought_by_role_fa=t["roles"].get(p.brought_by_role, p.brought_by_role),
        brought_by_name=p.brought_by_name or (owner0.name if owner0 else ""),
        # a design office: its own identifier when the counter recorded one, never the owner's
        brought_by_national_id=_bringer_code(p, owner0),
        # what the receipt prints of the property, not the permit section recorded later
        # (CONTENT_DROPPED: left out of its content)
        property=replace(
            prop,
            permit_no="",
            permit_date=None,
            city="",
            municipal_district="",
            structure_fa="",
            municipal_file_no="",
        ),
        disciplines=tuple(sorted({r.discipline for r in refs}, key=DISCIPLINE_ORDER.__getitem__)),
        documents=checklist,
        fees=fees,
        next_steps=tuple(x.format(**fmt) for x in t["next_steps"]),
        signing_step=_signing_step(t["signing_step"], owners, attorney, fmt),
    )


def _signing_step(
    texts: dict[str, str],
    owners: tuple[OwnerParty, ...],
    attorney: AttorneyParty | None,
    fmt: dict[str, str],
) -> str:
    """Who must come to the office to sign the contract, when, and with what: the owner (each
    of them), his attorney, or a company owner's managing director with the company's seal."""
    legal = [o for o in owners if o.kind != "person"]
    if legal:
        o = legal[0]
        who = (
            f"{o.signatory_title or 'مدیرعامل'} {o.name}، {o.signatory_name}،"
            if o.signatory_name
            else f"صاحبان امضای مجاز {o.name}"
        )
        return texts["legal"].format(who=who, **fmt)
    if attorney is not None:
        return texts["attorney"].format(who=attorney.name, **fmt)
    names = "، ".join(o.name for o in owners)
    who = f"مالک ({names})" if len(owners) == 1 else f"هر یک از مالکان ({names})"
    return texts["person"].format(who=who, **fmt)


def _bringer_code(p: Project, owner0: OwnerParty | None) -> str:
    if p.brought_by_national_id:
        return p.brought_by_national_id
    return owner0.national_id if owner0 and p.brought_by_role == "owner" else ""


# ---------------------------------------------------------------- the introduction letter


def letter_refusals(
    plate: str,
    fees: Iterable[FeeLine],
    supervisors: Iterable[SupervisorRow],
    unsigned: Iterable[str] = (),
    municipality: str | None = "",
    completed: date | None = None,
) -> tuple[str, ...]:
    """Why the introduction letter cannot be issued (empty: it can), in Persian."""
    r = template("letter_fa")["refusals"]
    out = []
    if completed is not None:  # supervision has ended: a letter now would introduce nobody
        out.append(r["completed"].format(day=jalali_text(completed)))
    unpaid = [f.discipline for f in fees if f.status != "approved" or f.pending_rials]
    if unpaid:
        names = disciplines_phrase([DISCIPLINE_FA[d] for d in unpaid])
        out.append(r["fee"].format(disciplines=names))
    if not plate.strip():
        out.append(r["plate"])
    waiting = list(unsigned)
    if waiting:
        one = len(waiting) == 1
        out.append(
            r["unsigned"].format(
                supervisors=("ناظر " if one else "ناظران ")
                + disciplines_phrase([DISCIPLINE_FA[d] for d in waiting]),
                verb="نکرده است" if one else "نکرده‌اند",
            )
        )
    sups = list(supervisors)
    if not sups:
        out.append(r["none"])
    elif not any(x.coordinating for x in sups):
        out.append(r["coordinator"])
    if municipality is None:
        out.append(r["municipality"])
    return tuple(out)


def _letter_attachments(s: Session, project_id: int, listed: list[str]) -> tuple[str, ...]:
    """The template's attachments, the contract named by its number with its addenda (the
    municipality gets every paper the supervisors signed, not a contract naming one who left)."""
    contract, addenda = signed_papers(s, project_id)
    if contract is None:
        return tuple(listed)
    named = f"رونوشت قرارداد نظارت شماره {contract.number}"
    if addenda:
        numbers = " و ".join(a.number for a in addenda)
        named += f" و {'الحاقیه' if len(addenda) == 1 else 'الحاقیه‌های'} شماره {numbers}"
    return (named, *(x for x in listed if not x.startswith("رونوشت قرارداد")))


@use_case(writes=False)
def letter_dto(ctx: ServiceContext, project_id: int, strict: bool = True) -> LetterDTO:
    """The letter introducing the file's supervisors to its city's municipality — every
    discipline's supervisor signed, every fee approved.

    With `strict` (the default) a letter that must not be issued raises `DocumentRefused`;
    otherwise the DTO carries the reasons in `refusals` (and `letter_pdf` refuses it).
    """
    require(ctx, "documents.print")
    t = template("letter_fa")
    with ctx.tx() as s:
        organization = organization_info(s, "معرفی‌نامه ناظران")
        settings = normalize(org_settings.load(s))
        p = _project(s, project_id)
        refs = _referrals(s, project_id)
        live = [r for r in refs if r.status != "unassigned"]
        sups = _supervisors(s, refs, statuses=SIGNED)
        unsigned = [r.discipline for r in live if r.status not in SIGNED]
        fees = _fees(s, p, [r.discipline for r in live])
        prop, owners = _property(s, p), _owners(s, p)
        done = p.completed_at if p.status == "completed" else None
        completed = local_date(done) if done is not None else None
        attachments = _letter_attachments(s, project_id, t["attachments"])
    muni = municipality_of(settings, prop.city) if prop.city else None
    refusals = letter_refusals(
        prop.plate,
        fees,
        sups,
        sorted(unsigned, key=DISCIPLINE_ORDER.__getitem__),
        muni.name if muni else None,
        completed,
    )
    if refusals and strict:
        raise DocumentRefused("معرفی‌نامه ناظران", refusals)
    return LetterDTO(
        organization=organization,
        municipality=muni.name if muni else "",
        addressee=muni.addressee if muni else "",
        property=prop,
        owner_names=tuple(o.name for o in owners),
        fees=fees,
        supervisors=sups,
        body=tuple(t["body"]),
        salutation=t["salutation"],
        # the permit issued: the supervisors are introduced for it, named; none yet: for its issue
        closing=t["closing"] if prop.permit_no else t["closing_no_permit"],
        attachments=attachments,
        copies_to=tuple(
            x.format(owner="، ".join(o.name for o in owners) or "صاحب‌کار") for x in t["copies_to"]
        ),
        seal_note=t["seal_note"],
        refusals=refusals,
    )


# ---------------------------------------------------------------- the daily distribution report


def _decided_again(run: DeadlineRun):
    """A10: the run's decisions from its stored inputs, in the order it made them (A3), and
    whether they give the recorded output digest; None without stored inputs."""
    from .deadlines import replay_shown

    again = replay_shown(run)
    if again is None:
        return None
    return again.decisions, again.stood, again.outputs_match


def _later_events(
    s: Session, run: DeadlineRun, refs: dict[int, Referral], rounds: dict[int, Round]
) -> dict[int, list[LaterEvent]]:
    """What happened to each decided referral after the run, as dated notes."""
    out: dict[int, list[LaterEvent]] = defaultdict(list)
    ids = list(refs)
    for w in s.scalars(
        select(Withdrawal).where(Withdrawal.referral_id.in_(ids), Withdrawal.at > run.deadline)
    ):
        text = (
            "انصراف کتبی ناظر منتخب ثبت شد؛ ارجاع دوباره به توزیع رفت"
            if w.kind == "written"
            else "ناظر منتخب در مهلت امضا حاضر نشد (حکم انصراف)؛ ارجاع دوباره به توزیع رفت"
        )
        out[w.referral_id].append(LaterEvent(w.at, text))
    for rid, ref in refs.items():
        rnd = rounds[rid]
        if (
            ref.signed_at is not None
            and ref.signed_at > run.deadline
            and (ref.engineer_id == rnd.engineer_id)
        ):
            out[rid].append(
                LaterEvent(ref.signed_at, "قرارداد و تعهدنامه به‌وسیله ناظر منتخب امضا شد")
            )
    later_rounds = s.execute(
        select(
            Round.referral_id,
            Round.no,
            Round.decided_at,
            Round.outcome,
            Engineer.first_name,
            Engineer.last_name,
        )
        .outerjoin(Engineer, Engineer.id == Round.engineer_id)
        .where(
            Round.referral_id.in_(ids),
            Round.decided_at.is_not(None),
            Round.decided_at > run.deadline,
        )
    ).all()
    for rid, no, at, outcome, first, last in later_rounds:
        if no <= rounds[rid].no:
            continue
        who = " ".join(x for x in (first, last) if x)
        who = f": {who}" if who else ""
        word = {
            "selected": f"ناظر انتخاب شد{who}",
            "forced": f"ناظر به‌صورت اجباری تعیین شد{who}",
            "extended": "مهلت دوباره تمدید شد",
            "unassigned": "ناظری یافت نشد",
            "withdrawn": f"ناظر انتخاب شد{who}؛ سپس انصراف داد",
            "no_show": f"ناظر انتخاب شد{who}؛ سپس برای امضا حاضر نشد",
        }.get(outcome or "", outcome or "")
        out[rid].append(LaterEvent(at, f"در دور {no} ارجاع: {word}"))
    for events in out.values():
        events.sort(key=lambda e: e.at)
    return out


@use_case(writes=False)
def daily_report_dto(ctx: ServiceContext, run_id: int | None = None) -> DailyReportDTO:
    """The public sheet of one deadline run (A10): every referral it decided, in the order
    it decided them (A3), as decided — with the tie-break figures (A2) — and what happened
    later as dated notes."""
    require(ctx, "documents.print")
    return _daily_sheet(ctx, run_id, paper=True)


def _daily_sheet(ctx: ServiceContext, run_id: int | None, paper: bool) -> DailyReportDTO:
    """The daily report's content; `paper`: for printing (the organization's particulars must
    be complete), else for the public web page (they are shown as they stand)."""
    with ctx.tx() as s:
        organization = (
            organization_info(s, "گزارش نتایج ارجاع")
            if paper
            else organization_from(normalize(org_settings.load(s)))
        )
        q = select(DeadlineRun).where(DeadlineRun.kind == "deadline")
        run = (
            s.scalar(q.order_by(DeadlineRun.deadline.desc()).limit(1))
            if run_id is None
            else s.scalar(q.where(DeadlineRun.id == run_id))
        )
        if run is None:
            raise NotFound("run", "هیچ اجرای مهلتی ثبت نشده است")
        rows = s.execute(
            select(Round, Referral, Project.file_no, Project.group)
            .join(Referral, Referral.id == Round.referral_id)
            .join(Project, Project.id == Referral.project_id)
            .where(Round.run_id == run.id)
        ).all()
        refs = {ref.id: ref for _, ref, _, _ in rows}
        rounds = {ref.id: rnd for rnd, ref, _, _ in rows}
        entered = dict(
            s.execute(
                select(Referral.id, Project.ready_at)
                .join(Project, Project.id == Referral.project_id)
                .where(Referral.id.in_(list(refs)))
            ).all()
        )
        following = {
            (r.referral_id, r.no): r.deadline
            for r in s.scalars(select(Round).where(Round.referral_id.in_(list(refs))))
        }
        again = _decided_again(run)
        eids: set[int] = set()
        for rnd, *_ in rows:
            eids |= {x.engineer_id for x in ranking_lines(rnd.ranking)}
            eids |= {x.engineer_id for x in set_aside_lines(rnd.set_aside)}
            if rnd.engineer_id is not None:
                eids.add(rnd.engineer_id)
        if again is not None:
            for d in again[0]:
                eids |= {r.engineer_id for r in d.ranking}
                if d.engineer_id is not None:
                    eids.add(d.engineer_id)
        people = {
            e.id: (f"{e.first_name} {e.last_name}".strip(), e.membership_no)
            for e in s.execute(
                select(
                    Engineer.id, Engineer.first_name, Engineer.last_name, Engineer.membership_no
                ).where(Engineer.id.in_(eids))
            )
        }
        firms = set(
            s.scalars(select(Engineer.id).where(Engineer.id.in_(eids), Engineer.kind == "firm"))
        )
        grades = {
            (eid, d): g
            for eid, d, g in s.execute(
                select(Competence.engineer_id, Competence.discipline, Competence.grade).where(
                    Competence.engineer_id.in_(eids), Competence.kind == "supervision"
                )
            )
        }
        later = _later_events(s, run, refs, rounds)
        info = (run.id, run.deadline, run.finished_at, run.decided)
        digests = (run.input_digest, run.output_digest)
    meta = {rid: (file_no, group) for _, ref, file_no, group in rows for rid in [ref.id]}
    blocks = []
    if again is not None:
        decisions, stood, same = again
        for seq, d in enumerate(decisions, 1):
            ref = refs.get(d.referral_id)
            if ref is None:
                continue
            file_no, group = meta[d.referral_id]
            ranked = tuple(
                RankedLine(
                    rank=i + 1,
                    engineer_id=x.engineer_id,
                    membership_no=people.get(x.engineer_id, ("", ""))[1],
                    name=people.get(x.engineer_id, ("", ""))[0],
                    grade=grades.get((x.engineer_id, ref.discipline)),
                    firm=x.engineer_id in firms,
                    score=x.score,
                    winner=x.engineer_id == d.engineer_id,
                    remaining_m2=x.remaining_m2,
                    active_jobs=x.active_jobs,
                    stood_at=stood.get((d.referral_id, x.engineer_id)),
                )
                for i, x in enumerate(d.ranking)
            )
            winner = next((x for x in ranked if x.winner), None)
            if winner is None and d.engineer_id is not None:
                name, no = people.get(d.engineer_id, ("", ""))
                winner = RankedLine(0, d.engineer_id, no, name, None, Decimal(0), True)
            blocks.append(
                DecisionBlock(
                    referral_id=d.referral_id,
                    file_no=file_no,
                    discipline=ref.discipline,
                    group=group,
                    area_m2=d.area_m2 or ref.area,
                    round_no=d.round_no,
                    round_kind=d.round_kind,
                    outcome=d.outcome,
                    winner=winner,
                    next_deadline=d.next_deadline,
                    ranked=ranked,
                    set_aside=tuple(
                        SetAsideLine(e, people.get(e, ("", ""))[1], people.get(e, ("", ""))[0], r)
                        for e, r in d.set_aside
                    ),
                    exclusions=dict(d.exclusions) if d.outcome == "unassigned" else {},
                    seq=seq,
                    later=tuple(later.get(d.referral_id, ())),
                    entered_at=entered.get(d.referral_id),
                )
            )
        rechecked: bool | None = same
    else:  # a run recorded without its inputs: the rounds as stored, in A3's order
        rechecked = None
        for rnd, ref, file_no, group in rows:
            outcome = rnd.outcome or ""
            if outcome in ("withdrawn", "no_show"):
                outcome = "forced" if rnd.kind == "forced" else "selected"
            ranked = tuple(
                RankedLine(
                    rank=i + 1,
                    engineer_id=x.engineer_id,
                    membership_no=x.membership_no or people.get(x.engineer_id, ("", ""))[1],
                    name=people.get(x.engineer_id, ("", ""))[0],
                    grade=grades.get((x.engineer_id, ref.discipline)),
                    firm=x.engineer_id in firms,
                    score=x.score,
                    winner=x.engineer_id == rnd.engineer_id,
                    remaining_m2=x.remaining_m2,
                    active_jobs=x.active_jobs,
                )
                for i, x in enumerate(ranking_lines(rnd.ranking))
            )
            blocks.append(
                DecisionBlock(
                    referral_id=ref.id,
                    file_no=file_no,
                    discipline=ref.discipline,
                    group=group,
                    area_m2=ref.area,
                    round_no=rnd.no,
                    round_kind=rnd.kind,
                    outcome=outcome,
                    winner=next((x for x in ranked if x.winner), None),
                    next_deadline=following.get((ref.id, rnd.no + 1))
                    if outcome == "extended"
                    else None,
                    ranked=ranked,
                    set_aside=tuple(
                        SetAsideLine(
                            x.engineer_id,
                            x.membership_no or people.get(x.engineer_id, ("", ""))[1],
                            people.get(x.engineer_id, ("", ""))[0],
                            x.rules,
                        )
                        for x in set_aside_lines(rnd.set_aside)
                    ),
                    exclusions=dict(rnd.exclusions or {}),
                    later=tuple(later.get(ref.id, ())),
                    entered_at=entered.get(ref.id),
                )
            )
        blocks.sort(  # A3: entered distribution, file number, discipline
            key=lambda b: (
                b.entered_at is None,
                b.entered_at.timestamp() if b.entered_at else 0.0,
                b.file_no,
                DISCIPLINE_ORDER[b.discipline],
            )
        )
        blocks = [DecisionBlock(**{**b.__dict__, "seq": i}) for i, b in enumerate(blocks, 1)]
    return DailyReportDTO(
        organization=organization,
        run_id=info[0],
        deadline=info[1],
        finished_at=info[2],
        decided=info[3],
        input_digest=digests[0],
        output_digest=digests[1],
        blocks=tuple(blocks),
        inputs_url=f"{organization.public_url}/runs/{info[0]}",
        rechecked=rechecked,
    )


# ---------------------------------------------------------------- what the demo prints


@use_case(writes=False)
def demo_choice(ctx: ServiceContext) -> dict[str, Any]:
    """Ids worth printing in a demo database: a project whose referrals are all signed (with
    approved fees), one of them by a firm, one owned by a company (if the demo has them), a
    referral waiting for signature, a fresh project, the latest deadline run."""
    require(ctx, "documents.print")
    with ctx.tx() as s:
        refs = s.execute(
            select(Referral.id, Referral.project_id, Referral.status, Referral.discipline)
        ).all()
        projects = dict(s.execute(select(Project.id, Project.file_no)).all())
        by_firm = set(
            s.scalars(
                select(Referral.project_id)
                .join(Engineer, Engineer.id == Referral.engineer_id)
                .where(Engineer.kind == "firm", Referral.status == "signed")
            )
        )
        by_company = set(
            s.scalars(
                select(ProjectOwner.project_id)
                .join(Owner, Owner.id == ProjectOwner.owner_id)
                .where(Owner.kind == "legal")
            )
        )
        pending = set(
            s.scalars(select(FeePayment.project_id).where(FeePayment.status != "approved"))
        )
        permits = set(
            s.scalars(
                select(ProjectPermit.project_id).where(
                    ProjectPermit.structure_type != "", ProjectPermit.municipal_district != ""
                )
            )
        )
        issued = set(
            s.scalars(select(ProjectPermit.project_id).where(ProjectPermit.permit_no != ""))
        )
        runs = list(
            s.scalars(
                select(DeadlineRun.id)
                .where(DeadlineRun.kind == "deadline", DeadlineRun.decided > 0)
                .order_by(DeadlineRun.deadline.desc())
            )
        )
        aside: set[int] = set()
        unusual: set[int] = set()
        for run_id, set_aside, outcome in s.execute(
            select(Round.run_id, Round.set_aside, Round.outcome).where(Round.run_id.in_(runs))
        ):
            if set_aside:
                aside.add(run_id)
            if outcome in ("forced", "unassigned", "withdrawn", "no_show"):
                unusual.add(run_id)
        documents = defaultdict(set)
        for pid, kind in s.execute(select(ProjectDocument.project_id, ProjectDocument.kind)):
            documents[pid].add(kind)
        # an addendum its supervisor signed: one that replaces a supervisor first, if any
        signed_pairs = set(
            s.execute(
                select(Referral.id, Referral.engineer_id).where(Referral.status.in_(SIGNED))
            ).all()
        )  # one read for every addendum, not one per paper
        addenda = sorted(
            (not row.content.get("replaced"), row.id, row.subject)
            for row in s.scalars(select(IssuedPaper).where(IssuedPaper.kind == "addendum"))
            if any(
                (x["referral_id"], x["engineer_id"]) in signed_pairs
                for x in row.content["supervisors"]
            )
        )
    by: dict[int, list[Any]] = defaultdict(list)
    for r in refs:
        by[r.project_id].append(r)

    def all_signed(pid: int) -> bool:
        return all(r.status == "signed" for r in by[pid]) and pid not in pending

    signed = sorted(
        (pid for pid in by if all_signed(pid) and pid in permits),
        key=lambda p: (p not in issued, -len(by[p]), projects[p]),  # a permit issued first
    )
    selected = sorted(
        (r for r in refs if r.status == "selected" and r.project_id in permits),
        key=lambda r: (projects[r.project_id], r.id),
    )
    waiting = sorted(
        (pid for pid in by if all(r.status == "waiting" for r in by[pid])), key=projects.get
    )
    # a file whose documents and fees the counter is still waiting for
    short = [pid for pid in waiting if len(documents[pid]) < 3 or pid in pending]
    return {
        "signed_project": signed[0] if signed else None,
        "firm_project": next((p for p in signed if p in by_firm), None),
        "company_project": next((p for p in signed if p in by_company), None),
        "selected_referral": selected[0].id if selected else None,
        "selected_project": selected[0].project_id if selected else None,
        "fresh_project": waiting[0] if waiting else None,
        # (project, n) of a signed addendum: project:<id>:addendum:<n>
        "addendum": (
            (int(addenda[0][2].split(":")[1]), int(addenda[0][2].split(":")[3]))
            if addenda
            else None
        ),
        "short_project": short[0] if short else None,
        "run": runs[0] if runs else None,
        # the latest run that shows set-aside candidates or a forced/unassigned outcome
        "rich_run": next((r for r in runs if r in aside), None)
        or next((r for r in runs if r in unusual), None),
        "file_nos": projects,
    }

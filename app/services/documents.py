"""Build the printed documents' DTOs from the database (set-based: a few queries per document).

    contract_dto(ctx, project_id)        → ContractDTO     (reports.contract.contract_pdf)
    commitment_dto(ctx, referral_id)     → CommitmentDTO   (reports.commitment.commitment_pdf)
    receipt_dto(ctx, project_id)         → ReceiptDTO      (reports.receipt.receipt_pdf)
    letter_dto(ctx, project_id)          → LetterDTO       (reports.letter.letter_pdf);
                                           raises DocumentRefused (Persian reasons) when a fee
                                           is unapproved, the plate is missing or there is no
                                           coordinating supervisor
    daily_report_dto(ctx, run_id=None)   → DailyReportDTO  (reports.daily.daily_report_pdf);
                                           the latest deadline run when run_id is None

Fees: the tariff tables are not in the database yet, so a discipline's fee is the sum of the
project's *approved* `fee_payments` rows for it (`FeeLine.source == "fee_payments"`).
Clause texts and the contract's [policy] choices (coordinating supervisor order, duration,
copies) are data in `resources/documents/`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db.models import (
    Competence,
    DeadlineRun,
    Engineer,
    FeePayment,
    Licence,
    Owner,
    Project,
    ProjectDocument,
    ProjectOwner,
    Referral,
    Round,
)
from ..db.policy_store import policy_at
from ..domain.calendar import local_date
from ..domain.codes import DISCIPLINE_FA, DISCIPLINE_ORDER
from ..domain.digest import digest
from ..domain.errors import NotFound
from ..resources import ROOT, reference
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
    LetterDTO,
    OrganizationInfo,
    OwnerParty,
    PropertyInfo,
    RankedLine,
    ReceiptDTO,
    SetAsideLine,
    StageLine,
    SupervisorRow,
    Undertaking,
)
from .permissions import require
from .queries import engineer_standings
from .registry import use_case

ASSIGNED = ("selected", "signed", "completed")
SIGNED = ("signed", "completed")

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


def organization() -> OrganizationInfo:
    o = template("organization")
    return OrganizationInfo(
        name=o["name"],
        unit=o["unit"],
        address=o["address"],
        phone=o["phone"],
        website=o["website"],
        account=o["account"],
        representative_title=o["representative_title"],
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


def qr_payload(file_no: str, referral_ids: Iterable[int], facts: Any) -> str:
    """File number + referral ids + the first 16 hex of a digest of what the paper states."""
    ids = sorted(referral_ids)
    d = digest({"file_no": file_no, "referrals": ids, "facts": facts})[:16]
    return f"NZD|{file_no}|{','.join(map(str, ids))}|{d}"


# ---------------------------------------------------------------- shared loaders


def _property(p: Project) -> PropertyInfo:
    uses = template("receipt_fa")["uses"]
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
    )


def _owners(s: Session, project_id: int) -> tuple[OwnerParty, ...]:
    rows = s.execute(
        select(Owner, ProjectOwner.share)
        .join(ProjectOwner, ProjectOwner.owner_id == Owner.id)
        .where(ProjectOwner.project_id == project_id)
        .order_by(Owner.id)
    ).all()
    return tuple(
        OwnerParty(
            name=f"{o.first_name} {o.last_name}".strip(),
            father_name=o.father_name,
            national_id=o.national_id,
            mobile=o.mobile or "",
            address=o.address,
            share=share,
        )
        for o, share in rows
    )


def _attorney(p: Project) -> AttorneyParty | None:
    """The owners' attorney (P1 legal_rep); a design office that brought the file is not one."""
    if p.brought_by_role != "legal_rep" or not p.brought_by_name:
        return None
    roles = template("receipt_fa")["roles"]
    return AttorneyParty(
        name=p.brought_by_name,
        national_id=p.brought_by_national_id or "",
        role=p.brought_by_role,
        role_fa=roles.get(p.brought_by_role, p.brought_by_role),
    )


def _fees(s: Session, project_id: int, disciplines: Iterable[str]) -> tuple[FeeLine, ...]:
    """One line per discipline: the approved amount, or the best state found."""
    by: dict[str, list[FeePayment]] = defaultdict(list)
    for f in s.scalars(
        select(FeePayment).where(FeePayment.project_id == project_id).order_by(FeePayment.id)
    ):
        by[f.discipline].append(f)
    out = []
    for d in sorted(set(disciplines), key=DISCIPLINE_ORDER.__getitem__):
        rows = by.get(d, [])
        ok = [f for f in rows if f.status == "approved"]
        if ok:
            out.append(
                FeeLine(
                    discipline=d,
                    amount_rials=sum(f.amount_rials for f in ok),
                    tracking_nos=tuple(f.tracking_no for f in ok),
                    paid_on=max(f.paid_on for f in ok),
                    bank=ok[-1].bank,
                    status="approved",
                    pending_rials=sum(f.amount_rials for f in rows if f.status == "pending"),
                )
            )
        else:
            state = "pending" if any(f.status == "pending" for f in rows) else None
            state = state or ("rejected" if rows else "missing")
            out.append(
                FeeLine(
                    discipline=d,
                    amount_rials=sum(f.amount_rials for f in rows if f.status == "pending"),
                    tracking_nos=tuple(f.tracking_no for f in rows),
                    status=state,
                )
            )
    return tuple(out)


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
                father_name=e.father_name,
                national_id=e.national_id or "",
                membership_no=e.membership_no,
                licence_no=licences.get(e.id, ""),
                grade=grades.get((e.id, r.discipline)),
                area_m2=r.area,
                coordinating=r.discipline == coord,
                status=r.status,
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


# ---------------------------------------------------------------- the contract


@use_case(writes=False)
def contract_dto(ctx: ServiceContext, project_id: int) -> ContractDTO:
    """The four-supervisor contract of a project: every referral with a selected supervisor."""
    require(ctx, "documents.print")
    t = template("contract_fa")
    pol = t["policy"]
    with ctx.tx() as s:
        p = _project(s, project_id)
        refs = _referrals(s, project_id)
        sups = _supervisors(s, refs)
        coord = project_coordinator(refs)
        fees = _fees(s, project_id, [r.discipline for r in sups])
        policy = policy_at(s, ctx.now())
        prop, owners, attorney = _property(p), _owners(s, project_id), _attorney(p)
        signed = [r.signed_at for r in refs if r.signed_at is not None]
    on = local_date(max(signed)) if signed else local_date(ctx.now())
    total = sum(f.amount_rials for f in fees if f.status == "approved")
    share_rials = int((Decimal(total) * policy.organization_share).to_integral_value())
    stages = []
    left = total
    for i, (key, pct) in enumerate(policy.payout_stages):
        amount = left if i == len(policy.payout_stages) - 1 else total * pct // 100
        left -= amount
        stages.append(StageLine(key, t["stage_titles"].get(key, key), pct, amount))
    facts = {
        "supervisors": [(x.discipline, x.membership_no) for x in sups],
        "fees": [(f.discipline, f.amount_rials) for f in fees],
        "plate": prop.plate,
    }
    return ContractDTO(
        organization=organization(),
        contract_no=f"{pol['number_prefix']}-{p.file_no}",
        on=on,
        owners=owners,
        attorney=attorney,
        supervisors=sups,
        property=prop,
        fees=fees,
        total_fee_rials=total,
        organization_share=policy.organization_share,
        organization_share_rials=share_rials,
        stages=tuple(stages),
        duration_months=int(pol["duration_months"]),
        articles=tuple(Article(a["title"], tuple(a["paragraphs"])) for a in t["articles"]),
        copies=int(pol["copies"]),
        qr_payload=qr_payload(p.file_no, [x.referral_id for x in sups], facts),
        fee_source_note=(
            "مبالغ حق‌الزحمه از پرداخت‌های تأییدشده پرونده خوانده شده است (جدول تعرفه هنوز ثبت نشده)"
        ),
        coordinator_pending=(
            coord if coord and not any(x.discipline == coord for x in sups) else None
        ),
        values={
            "suspension_share": pol["suspension_share"],
            "no_start_months": pol["no_start_months"],
            "preamble": t["preamble"],
            "title": t["title"],
        },
    )


# ---------------------------------------------------------------- the commitment form


@use_case(writes=False)
def commitment_dto(ctx: ServiceContext, referral_id: int) -> CommitmentDTO:
    require(ctx, "documents.print")
    t = template("commitment_fa")
    with ctx.tx() as s:
        ref = s.get(Referral, referral_id)
        if ref is None or ref.engineer_id is None:
            raise DocumentRefused("تعهدنامه ناظر", ("برای این ارجاع ناظری انتخاب نشده است",))
        p = _project(s, ref.project_id)
        all_refs = _referrals(s, ref.project_id)
        sup = [x for x in _supervisors(s, all_refs) if x.referral_id == referral_id]
        if not sup:
            raise DocumentRefused("تعهدنامه ناظر", ("برای این ارجاع ناظری انتخاب نشده است",))
        prop, owners = _property(p), _owners(s, ref.project_id)
        policy = policy_at(s, ctx.now())
        row = sup[0]
    st = engineer_standings(ctx, [row.engineer_id])[row.engineer_id]
    return CommitmentDTO(
        organization=organization(),
        on=local_date(ctx.now()),
        supervisor=row,
        discipline_fa=DISCIPLINE_FA[row.discipline],
        capacity_m2=st.capacity_m2,
        used_m2=st.used_m2,
        remaining_m2=st.capacity_m2 - st.used_m2,
        active_jobs=st.active_jobs,
        max_active_jobs=policy.max_active_jobs,
        property=prop,
        owner_names=tuple(o.name for o in owners),
        undertakings=tuple(Undertaking(u["rule"], u["text"]) for u in t["undertakings"]),
        closing=t["closing"],
        qr_payload=qr_payload(p.file_no, [referral_id], {"engineer": row.membership_no}),
    )


# ---------------------------------------------------------------- the counter receipt


@use_case(writes=False)
def receipt_dto(ctx: ServiceContext, project_id: int) -> ReceiptDTO:
    require(ctx, "documents.print")
    t = template("receipt_fa")
    with ctx.tx() as s:
        p = _project(s, project_id)
        refs = _referrals(s, project_id)
        received = set(
            s.scalars(select(ProjectDocument.kind).where(ProjectDocument.project_id == project_id))
        )
        fees = _fees(s, project_id, [r.discipline for r in refs])
        prop, owners = _property(p), _owners(s, project_id)
        policy = policy_at(s, ctx.now())
        created = p.created_at
    checklist = tuple(
        ChecklistLine(d["fa"], bool(d["required"]), d["kind"] in received)
        for d in reference("document_checklist")["documents"]
    )
    fmt = {
        "deadline_time": policy.deadline_time.strftime("%H:%M"),
        "signing_from": policy.signing_window[0].strftime("%H:%M"),
        "signing_until": policy.signing_window[1].strftime("%H:%M"),
    }
    tracking = f"{int(digest({'file_no': p.file_no, 'id': p.id, 'at': created}), 16) % 10**8:08d}"
    return ReceiptDTO(
        organization=organization(),
        file_no=p.file_no,
        tracking_code=f"{p.file_no}-{tracking}",
        received_at=created,
        owners=owners,
        brought_by_role=p.brought_by_role,
        brought_by_role_fa=t["roles"].get(p.brought_by_role, p.brought_by_role),
        brought_by_name=p.brought_by_name or (owners[0].name if owners else ""),
        brought_by_national_id=p.brought_by_national_id
        or (owners[0].national_id if owners else ""),
        property=prop,
        disciplines=tuple(sorted({r.discipline for r in refs}, key=DISCIPLINE_ORDER.__getitem__)),
        documents=checklist,
        fees=fees,
        next_steps=tuple(x.format(**fmt) for x in t["next_steps"]),
        qr_payload=qr_payload(p.file_no, [r.id for r in refs], {"tracking": tracking}),
    )


# ---------------------------------------------------------------- the introduction letter


def letter_refusals(
    plate: str, fees: Iterable[FeeLine], supervisors: Iterable[SupervisorRow]
) -> tuple[str, ...]:
    """Why the introduction letter cannot be printed (empty: it can), in Persian."""
    r = template("letter_fa")["refusals"]
    out = []
    unpaid = [f.discipline for f in fees if f.status != "approved" or f.pending_rials]
    if unpaid:
        names = "، ".join(DISCIPLINE_FA[d] for d in unpaid)
        out.append(r["fee"].format(disciplines=names))
    if not plate.strip():
        out.append(r["plate"])
    sups = list(supervisors)
    if not sups:
        out.append(r["none"])
    elif not any(x.coordinating for x in sups):
        out.append(r["coordinator"])
    return tuple(out)


@use_case(writes=False)
def letter_dto(ctx: ServiceContext, project_id: int, strict: bool = True) -> LetterDTO:
    """The letter introducing the signed supervisors to the permit body.

    With `strict` (the default) a letter that must not be printed raises `DocumentRefused`;
    otherwise the DTO carries the reasons in `refusals` (and `letter_pdf` refuses it).
    """
    require(ctx, "documents.print")
    t = template("letter_fa")
    with ctx.tx() as s:
        p = _project(s, project_id)
        refs = _referrals(s, project_id)
        sups = _supervisors(s, refs, statuses=SIGNED)  # a missing civil signature shows
        fees = _fees(s, project_id, [r.discipline for r in refs if r.status != "unassigned"])
        prop, owners = _property(p), _owners(s, project_id)
    refusals = letter_refusals(prop.plate, fees, sups)
    if refusals and strict:
        raise DocumentRefused("معرفی‌نامه ناظران", refusals)
    on = local_date(ctx.now())
    return LetterDTO(
        organization=organization(),
        letter_no=f"{t['number_prefix']}-{p.file_no}",
        on=on,
        addressee=t["addressee"],
        property=prop,
        owner_names=tuple(o.name for o in owners),
        fees=fees,
        supervisors=sups,
        body=tuple(t["body"]),
        salutation=t["salutation"],
        closing=t["closing"],
        signer_title=t["signer_title"],
        seal_note=t["seal_note"],
        qr_payload=qr_payload(
            p.file_no,
            [x.referral_id for x in sups],
            [(x.discipline, x.membership_no) for x in sups],
        ),
        refusals=refusals,
    )


# ---------------------------------------------------------------- the daily distribution report


@use_case(writes=False)
def daily_report_dto(ctx: ServiceContext, run_id: int | None = None) -> DailyReportDTO:
    """The public sheet of one deadline run (A10): every referral decided at it."""
    require(ctx, "documents.print")
    with ctx.tx() as s:
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
        ref_ids = [ref.id for _, ref, _, _ in rows]
        following = {
            (r.referral_id, r.no): r.deadline
            for r in s.scalars(select(Round).where(Round.referral_id.in_(ref_ids)))
        }
        eids: set[int] = set()
        for rnd, *_ in rows:
            eids |= {x["engineer_id"] for x in rnd.ranking or ()}
            eids |= {x["engineer_id"] for x in rnd.set_aside or ()}
        names = {
            e.id: f"{e.first_name} {e.last_name}".strip()
            for e in s.execute(
                select(Engineer.id, Engineer.first_name, Engineer.last_name).where(
                    Engineer.id.in_(eids)
                )
            )
        }
        grades = {
            (eid, d): g
            for eid, d, g in s.execute(
                select(Competence.engineer_id, Competence.discipline, Competence.grade).where(
                    Competence.engineer_id.in_(eids), Competence.kind == "supervision"
                )
            )
        }
        info = (run.id, run.deadline, run.finished_at, run.decided)
        digests = (run.input_digest, run.output_digest)
    blocks = []
    for rnd, ref, file_no, group in rows:
        ranked = tuple(
            RankedLine(
                rank=i + 1,
                engineer_id=x["engineer_id"],
                membership_no=x["membership_no"],
                name=names.get(x["engineer_id"], ""),
                grade=grades.get((x["engineer_id"], ref.discipline)),
                score=Decimal(x["score"]),
                winner=x["engineer_id"] == rnd.engineer_id,
            )
            for i, x in enumerate(rnd.ranking or ())
        )
        winner = next((x for x in ranked if x.winner), None)
        if winner is None and rnd.engineer_id is not None:  # forced from outside the list
            winner = RankedLine(
                0, rnd.engineer_id, "", names.get(rnd.engineer_id, ""), None, Decimal(0), True
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
                outcome=rnd.outcome or "",
                winner=winner,
                next_deadline=following.get((ref.id, rnd.no + 1))
                if rnd.outcome == "extended"
                else None,
                ranked=ranked,
                set_aside=tuple(
                    SetAsideLine(
                        x["engineer_id"],
                        x["membership_no"],
                        names.get(x["engineer_id"], ""),
                        tuple(x["rules"]),
                    )
                    for x in rnd.set_aside or ()
                ),
                exclusions=dict(rnd.exclusions or {}),
            )
        )
    blocks.sort(key=lambda b: (b.file_no, DISCIPLINE_ORDER[b.discipline]))
    return DailyReportDTO(
        organization=organization(),
        run_id=info[0],
        deadline=info[1],
        finished_at=info[2],
        decided=info[3],
        input_digest=digests[0],
        output_digest=digests[1],
        blocks=tuple(blocks),
    )


# ---------------------------------------------------------------- what the demo prints


@use_case(writes=False)
def demo_choice(ctx: ServiceContext) -> dict[str, Any]:
    """Ids worth printing in a demo database: a project whose referrals are all signed (with
    approved fees), a referral waiting for signature, a fresh project, the latest deadline run.
    """
    require(ctx, "documents.print")
    with ctx.tx() as s:
        refs = s.execute(
            select(Referral.id, Referral.project_id, Referral.status, Referral.discipline)
        ).all()
        projects = dict(s.execute(select(Project.id, Project.file_no)).all())
        pending = set(
            s.scalars(select(FeePayment.project_id).where(FeePayment.status != "approved"))
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
            if outcome in ("forced", "unassigned"):
                unusual.add(run_id)
    by: dict[int, list[Any]] = defaultdict(list)
    for r in refs:
        by[r.project_id].append(r)

    def all_signed(pid: int) -> bool:
        return all(r.status == "signed" for r in by[pid]) and pid not in pending

    signed = sorted(
        (pid for pid in by if all_signed(pid)), key=lambda p: (-len(by[p]), projects[p])
    )
    selected = sorted(
        (r for r in refs if r.status == "selected"), key=lambda r: (projects[r.project_id], r.id)
    )
    waiting = sorted(
        (pid for pid in by if all(r.status == "waiting" for r in by[pid])), key=projects.get
    )
    return {
        "signed_project": signed[0] if signed else None,
        "selected_referral": selected[0].id if selected else None,
        "selected_project": selected[0].project_id if selected else None,
        "fresh_project": waiting[0] if waiting else None,
        "run": runs[0] if runs else None,
        # the latest run that shows set-aside candidates or a forced/unassigned outcome
        "rich_run": next((r for r in runs if r in aside), None)
        or next((r for r in runs if r in unusual), None),
        "file_nos": projects,
    }

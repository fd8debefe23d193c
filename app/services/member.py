"""What an engineer reads about himself (issue 13, the web cartable; the desk may use it too):
his score and how it was reached (W2's penalties day by day), his capacity and jobs, licence
and membership with what to do, his referrals (selected with the signing window, signed,
withdrawn), the messages he was sent, his membership years (F5) and his declaration (C1).

Every function is his own (U1: `engineer.file`, an engineer for himself only); set-based, a
few queries each, DTOs out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from ..db.models import (
    Candidacy,
    CapacityHold,
    DeclarationRow,
    Engineer,
    Licence,
    MembershipYear,
    Notification,
    OrganizationSettings,
    Owner,
    Project,
    ProjectOwner,
    Referral,
    Round,
    ScoreEntry,
    Withdrawal,
)
from ..db.policy_store import policy_at
from ..db.snapshot import cancellations_on, chosen_by_project, load_supervisors, referral_facts
from ..domain.calendar import jalali_year, local_date
from ..domain.candidacy import REMEDY_FA, out_of_everything
from ..domain.codes import DISCIPLINE_ORDER, GROUP_FA
from ..domain.eligibility import distribution_failures
from ..domain.errors import NotFound
from ..domain.membership import renewal_failures
from ..domain.policy import Policy
from ..domain.published import RankedLine, ranking_lines, set_aside_lines
from ..domain.rules_fa import RULE_TEXT_FA
from ..domain.scoring import capacity_m2, penalty_value, score_at, supervision_grade
from ..domain.state import SupervisorState
from . import candidacy
from .browse import score_ledger
from .context import ServiceContext
from .dto import CartableItem, NotificationOut, WhyNot
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
    """One line of S8's ledger, oldest first, from the base score to the score shown: what
    an entry did to the score (signed) and the balance after it. Besides the recorded entries
    (charge A4, refund, penalty W2) come the lines time alone writes: a penalty's recovery to
    date (W2, `recovery`), the charges of an earlier score period no longer counted
    (`period`), and for a firm the gap its members' scores make (`base`)."""

    at: datetime
    kind: str  # charge | refund | penalty | recovery | period | base
    points: Decimal  # signed: what it did to the score
    note: str  # what it was for, with the file and discipline (`browse.score_ledger`)
    balance: Decimal  # the score after this line


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
    ledger: tuple[LedgerLine, ...]  # oldest first; the last balance is `score`
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
class OwnerContact:
    """An owner of a project as the chosen supervisor reaches him (A8): name and mobile."""

    name: str
    mobile: str  # "" when none is on file


@dataclass(frozen=True)
class ProjectFile:
    """A8: the project's file for its chosen supervisor — what the selection's SMS tells him
    (the owner's mobile) and where the building is. Only on his own referrals while he is
    the selected or signed supervisor; never on any other page."""

    plate: str
    address: str
    owners: tuple[OwnerContact, ...]


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
    project: ProjectFile | None = None  # A8: while he is its selected or signed supervisor


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
    # where an approved fee is paid: the organization's bank and IBAN as its settings give
    # them ("" while they are not fit to print)
    pay_bank: str = ""
    pay_iban: str = ""


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


@dataclass(frozen=True)
class AtRisk:
    """A1: one of his candidacies in force, its round waiting for its deadline, that the
    deadline's re-check would set aside as things stand now — with every rule that would
    (the same decision as the run's: `domain.eligibility.distribution_failures`, and A5)."""

    referral_id: int
    file_no: str
    discipline: str
    group: str
    deadline: datetime
    reasons: tuple[WhyNot, ...]


def _set_aside_words(rule: str, st, group: str, area: Decimal, policy, on: date) -> str:
    """Why `rule` would set his candidacy aside, in his own terms (C1, C2, S7), else the
    rule's words."""
    decl = st.declaration_for(jalali_year(on))
    if rule == "C1":
        if decl is None:
            return "خوداظهاری سال جاری ثبت نشده است"
        if not decl.ready:
            return "در خوداظهاری «آماده به کار نیستم» ثبت شده است"
        return "قوانین در خوداظهاری پذیرفته نشده است"
    if rule == "C2":
        return f"گروه {GROUP_FA.get(group, group)} در گروه‌های خوداظهاری شما نیست"
    if rule == "S7":
        if decl is not None and decl.supervision_percent <= 0:
            return "سهم نظارت در خوداظهاری صفر است، پس ظرفیت نظارت شما صفر است (S2)"
        if st.active_jobs >= policy.max_active_jobs:
            return f"کارهای در دست شما به سقف {policy.max_active_jobs} کار رسیده است"
        return f"ظرفیت آزاد نظارت شما از متراژ این ارجاع ({area.normalize():f} مترمربع) کمتر است"
    return RULE_TEXT_FA.get(rule, rule)


def _candidacies_at_risk(ctx: ServiceContext, engineer_id: int) -> list[AtRisk]:
    """A1 for his cartable and his declaration: his candidacies in force whose candidacy round
    waits for its deadline (running, or past 20:00 and not yet decided) and that the
    deadline's re-check would set aside as things stand now — his declaration no longer ready
    or without the project's group (C1, C2), no capacity (S2, S7), any other rule of C2's
    conditions, or chosen for another discipline of the project (A5). Not a use case of its
    own (the cartable's and the declaration page's, as `_badge`); a few queries."""
    require(ctx, "cartable.read", engineer_id)
    now = ctx.now()
    with ctx.read() as s:
        policy, st = _state_now(s, engineer_id, now)
        return _at_risk_in(s, st, now, policy)


def _state_now(s: Session, engineer_id: int, now: datetime) -> tuple[Policy, SupervisorState]:
    """The policy in force and the engineer's state at `now` (NotFound: no such engineer)."""
    st = load_supervisors(s, [engineer_id], now).get(engineer_id)
    if st is None:
        raise NotFound("engineer", "مهندس پیدا نشد")
    return policy_at(s, now), st


@dataclass(frozen=True)
class CartablePage:
    """What the web cartable shows, read in one transaction (`_cartable_page`)."""

    items: list[CartableItem]
    blocks: list[WhyNot]  # an empty cartable: what keeps him out (`candidacy.cartable_blocks`)
    at_risk: list[AtRisk]  # A1: his candidacies the 20:00 re-check would set aside
    cancels: tuple[int, int] | None  # C5: (cancellations today, the day's limit)
    results: list[RoundResult]  # his candidacies' rounds decided in the last day, newest first


@dataclass(frozen=True)
class RoundResult:
    """A round he stood in, decided by a deadline run: what it means for him."""

    referral_id: int
    file_no: str
    discipline: str
    deadline: datetime
    run_id: int | None
    # won (to sign) | signed | written | no_show (since) | lost (a higher score) | tie_capacity
    # | tie_jobs | tie_time (the scores equal: A2's tie-break) | set_aside | extended | unassigned
    outcome: str


def _cartable_page(ctx: ServiceContext, engineer_id: int) -> CartablePage:
    """The web cartable's reads in one transaction, his state loaded once: the rows
    (`candidacy.cartable`), what keeps him out when there are none, his candidacies at risk
    (when he stands for any) and, when a cancel could be offered, C5's count. Not a use case
    of its own (the cartable page's, as `_badge`)."""
    require(ctx, "cartable.read", engineer_id)
    now = ctx.now()
    with ctx.read() as s:
        policy, st = _state_now(s, engineer_id, now)
        items = candidacy.cartable_in(s, st, now, policy)
        blocks = [] if items else candidacy.cartable_blocks_in(s, st, now, policy)
        at_risk = _at_risk_in(s, st, now, policy) if any(i.standing for i in items) else []
        cancels = None
        if any(i.standing and not i.cancel_used for i in items):
            cancels = (cancellations_on(s, engineer_id, now), policy.max_cancellations_per_day)
        results = _recent_results(s, engineer_id, now)
    return CartablePage(items, blocks, at_risk, cancels, results)


RESULTS_FOR = timedelta(days=1)  # the cartable says the outcome of a day's deadlines


def _recent_results(s: Session, engineer_id: int, now: datetime) -> list[RoundResult]:
    """His candidacies' rounds decided in the last day (one query, a handful of rows): he
    was chosen, another was, he was set aside at the deadline (A1), or the round was
    extended (he still stands, A6) — what the 20:00 card promised to tell him."""
    rows = s.execute(
        select(
            Round.referral_id,
            Project.file_no,
            Referral.discipline,
            Round.deadline,
            Round.run_id,
            Round.outcome,
            Round.engineer_id,
            Round.ranking,
            Round.set_aside,
            Referral.status,
            Referral.engineer_id,
            select(Withdrawal.kind)  # his withdrawal or no-show since, if any
            .where(Withdrawal.referral_id == Round.referral_id)
            .where(Withdrawal.engineer_id == engineer_id)
            .limit(1)
            .scalar_subquery(),
        )
        .join(Referral, Referral.id == Round.referral_id)
        .join(Project, Project.id == Referral.project_id)
        .where(
            exists().where(  # a candidacy of his that stood at the deadline (once per round)
                Candidacy.referral_id == Round.referral_id,
                Candidacy.engineer_id == engineer_id,
                Candidacy.stood_at <= Round.deadline,
                (Candidacy.cancelled_at.is_(None)) | (Candidacy.cancelled_at > Round.deadline),
            ),
            Round.kind == "candidacy",
            Round.outcome.is_not(None),
            Round.deadline > now - RESULTS_FOR,
            Round.deadline <= now,
        )
        .order_by(Round.deadline.desc(), Project.file_no, Referral.discipline)
    ).all()
    out = []
    for row in rows:
        rid, file_no, disc, deadline, run_id, outcome, winner, ranking, aside = row[:9]
        status, holder, left = row[9:]
        # he stood in this round if its published lists name him (ranked, or set aside): a
        # candidacy chosen in an earlier round of the referral is not one of this round's
        lines = {x.engineer_id: x for x in ranking_lines(ranking)}
        set_aside = {x.engineer_id for x in set_aside_lines(aside)}
        if engineer_id not in lines.keys() | set_aside:
            continue
        if winner == engineer_id:  # and what became of it since
            if left is not None:
                mine = left  # written | no_show
            elif holder == engineer_id and status in ("signed", "completed"):
                mine = "signed"
            else:
                mine = "won"
        elif engineer_id in set_aside:
            mine = "set_aside"
        elif outcome in ("extended", "unassigned"):
            mine = outcome
        else:
            mine = _lost_how(lines.get(engineer_id), lines.get(winner))
        out.append(RoundResult(rid, file_no, disc, deadline, run_id, mine))
    return out


def _lost_how(his: RankedLine | None, won: RankedLine | None) -> str:
    """How another was chosen over him (A2): a higher score, or — the scores equal — the
    tie-break that decided: larger free capacity, fewer active jobs, else the earlier
    candidacy (or the smaller membership number), which the lists do not print."""
    if his is None or won is None or his.score != won.score:
        return "lost"
    if his.remaining_m2 is not None and his.remaining_m2 != won.remaining_m2:
        return "tie_capacity"
    if his.active_jobs is not None and his.active_jobs != won.active_jobs:
        return "tie_jobs"
    return "tie_time"


def _at_risk_in(s: Session, st: SupervisorState, now: datetime, policy: Policy) -> list[AtRisk]:
    """A1 (see `_candidacies_at_risk`) in a transaction that has loaded his state."""
    engineer_id, on = st.id, local_date(now)
    rows = s.execute(
        select(Referral.id, Round.deadline)
        .select_from(Candidacy)
        .join(Referral, Referral.id == Candidacy.referral_id)
        .join(Round, (Round.referral_id == Referral.id) & (Round.no == Referral.round_no))
        .where(
            Candidacy.engineer_id == engineer_id,
            Candidacy.status == "active",
            Referral.status == "open",
            Round.kind == "candidacy",
            Round.outcome.is_(None),
        )
    ).all()
    if not rows:
        return []
    facts = referral_facts(s, [rid for rid, _ in rows])
    chosen = chosen_by_project(s, {f.project_id for f, _ in facts.values()})
    out = []
    for rid, deadline in rows:
        if rid not in facts:
            continue
        f, row = facts[rid]
        failed = distribution_failures(st, f, now, policy)
        if engineer_id in chosen.get(f.project_id, frozenset()):
            failed.add("A5")
        if not failed:
            continue
        reasons = tuple(
            WhyNot(r, _set_aside_words(r, st, f.group, Decimal(f.area_m2), policy, on))
            for r in sorted(failed)
        )
        out.append(AtRisk(rid, row.file_no, f.discipline, f.group, deadline, reasons))
    return sorted(out, key=lambda a: (a.deadline, a.file_no, DISCIPLINE_ORDER[a.discipline]))


@dataclass(frozen=True)
class RulesFigures:
    """The policy's figures the declaration's rules text names ([policy] in rules.md), read
    from the policy in force: the text stays true when an administrator changes them."""

    deadline: time  # C3: the deadline's hour
    max_cancellations_per_day: int  # C5
    project_score_per_m2: Decimal  # A4
    max_extensions: int  # A6
    signing_window: tuple[time, time]  # A9
    withdrawal_recovery_per_day: Decimal  # W2
    penalty_exempt: tuple[str, ...]  # W2: disciplines a withdrawal costs nothing in
    max_active_jobs: int  # S7
    conviction_bar_degree: int  # G7


def _rules_figures(ctx: ServiceContext) -> RulesFigures:
    """The figures of the policy in force now, for the declaration's rules text (C1). Not a
    use case of its own (the declaration page's, as `_badge`)."""
    require(ctx, "engineer.file")
    now = ctx.now()
    with ctx.read() as s:
        p = policy_at(s, now)
    return RulesFigures(
        p.deadline_time,
        p.max_cancellations_per_day,
        p.project_score_per_m2,
        p.max_extensions,
        p.signing_window,
        p.withdrawal_recovery_per_day,
        tuple(sorted(p.penalty_exempt_disciplines, key=lambda d: DISCIPLINE_ORDER.get(d, 99))),
        p.max_active_jobs,
        p.conviction_bar_degree,
    )


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
                ScoreEntry.note,
                ScoreEntry.period_year,
            )
            .where(ScoreEntry.engineer_id == engineer_id)
            .order_by(ScoreEntry.at, ScoreEntry.id)
        ).all()
        holds = s.execute(
            select(CapacityHold.referral_id, CapacityHold.area, CapacityHold.held_from)
            .where(CapacityHold.engineer_id == engineer_id, CapacityHold.released_at.is_(None))
            .order_by(CapacityHold.held_from)
        ).all()
        ref_ids = {x.referral_id for x in entries if x.referral_id} | {r for r, _, _ in holds if r}
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
    penalties = []
    lines = []
    for at, kind, points, per_day, rid, note, period_year in entries:
        file_no, disc, _ = refs.get(rid, ("", "", ""))
        lines.append((at, kind, points, note, period_year, per_day, file_no, disc))
        if kind == "penalty":
            penalties.append(_penalty(at, Decimal(points), per_day, file_no, disc, kinds, rid, now))
    score = score_at(st, now, policy)
    # S8: the desk's own ledger (`browse.score_ledger`), with W2's recovery to date and a
    # score period's end as lines of their own, so that its last balance is the score shown
    ledger = score_ledger(Decimal(e.base_score), lines, now, policy.score_period, score)
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
        score=score,
        base_score=Decimal(e.base_score),
        ledger=tuple(LedgerLine(r.at, r.kind, r.points, r.note, r.balance) for r in ledger),
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


FILE_SHOWN = ("selected", "signed")  # A8: the referrals whose project file he is shown


@use_case(writes=False)
def my_referrals(ctx: ServiceContext, engineer_id: int) -> list[MyReferral]:
    """The referrals he was chosen for (waiting for his signature, signed, completed) and those
    he withdrew from or did not come to sign (W1, A9), newest first."""
    require(ctx, "engineer.file", engineer_id)
    with ctx.read() as s:
        chosen = s.execute(
            select(Referral, Project.file_no, Project.group, Project.plate, Project.address)
            .join(Project, Project.id == Referral.project_id)
            .where(Referral.engineer_id == engineer_id)
        ).all()
        # A8: the owners of the projects he is the selected or signed supervisor of — one
        # query for all of them
        held = {r.project_id for r, *_ in chosen if r.status in FILE_SHOWN}
        owners: dict[int, list[OwnerContact]] = {}
        if held:
            for pid, first, last, mobile in s.execute(
                select(ProjectOwner.project_id, Owner.first_name, Owner.last_name, Owner.mobile)
                .join(Owner, Owner.id == ProjectOwner.owner_id)
                .where(ProjectOwner.project_id.in_(held))
                .order_by(ProjectOwner.project_id, Owner.id)
            ):
                name = f"{first} {last}".strip()
                owners.setdefault(pid, []).append(OwnerContact(name, mobile or ""))
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
                ProjectFile(plate, address or "", tuple(owners.get(r.project_id, ())))
                if r.status in FILE_SHOWN
                else None,
            )
            for r, file_no, group, plate, address in chosen
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


@dataclass(frozen=True)
class MyMessage(NotificationOut):
    """One of his messages with its delivery: "sent" (at `sent_at`), "waiting" (in the
    outbox, or being sent) or "failed" (the gateway refused it to the end, or no mobile)."""

    delivery: str = "waiting"
    sent_at: datetime | None = None


@use_case(writes=False)
def my_notifications(ctx: ServiceContext, engineer_id: int) -> list[MyMessage]:
    """The messages written for him (selected, no-show, withdrawn: A8, A9, W1), newest first,
    each with its delivery as the SMS outbox records it: sent (and when), waiting in the
    outbox, or given up on (`sms.send_pending`)."""
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
        MyMessage(
            n.id,
            n.created_at,
            n.engineer_id,
            no,
            n.kind,
            n.referral_id,
            n.body,
            _delivery(n.status),
            n.sent_at if n.status == "sent" else None,
        )
        for n, no in rows
    ]


def _delivery(status: str | None) -> str:
    return {"sent": "sent", "failed": "failed"}.get(status or "", "waiting")


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
        pay_to = _pay_to(s)
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
    return MembershipStatus(year, member_since, paid_through, complete, years, owed, may, *pay_to)


def _pay_to(s: Session) -> tuple[str, str]:
    """The organization's bank and IBAN, or ("", "") while either is missing or a sample (the
    papers' own check, `organization.problems`)."""
    from ..domain import organization as org
    from .organization import load

    o = org.normalize(load(s))
    bad = org.problems(o)
    if {"bank", "iban"} & set(bad):
        return "", ""
    return o.bank, o.iban


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

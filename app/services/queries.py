"""Read-only views for the desk, the board and the replay: referrals with their rounds,
engineers' standing (score, capacity), the outbox. Set-based: a few queries per call."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Select, String, func, literal_column, or_, select, type_coerce
from sqlalchemy.orm import Session

from ..db.models import (
    Candidacy,
    Engineer,
    Notification,
    Owner,
    Project,
    ProjectOwner,
    Referral,
    Round,
    Withdrawal,
)
from ..db.policy_store import policy_at
from ..db.snapshot import load_supervisors
from ..db.types import UTCDateTime
from ..domain.calendar import local_date
from ..domain.codes import DISCIPLINE_ORDER
from ..domain.digits import persian_digits
from ..domain.errors import InputError
from ..domain.published import ranking_lines, set_aside_lines
from ..domain.scoring import capacity_m2, score_at, supervision_grade
from ..domain.text import day_ok
from .context import ServiceContext
from .dto import (
    CartableItem,
    EngineerSummary,
    NotificationOut,
    RankedOut,
    ReferralOut,
    RoundOut,
)
from .permissions import MAX_IDS, STAFF, only_own, require
from .registry import use_case


@use_case(writes=False)
def referrals_overview(
    ctx: ServiceContext, project_ids: Iterable[int] | None = None
) -> list[ReferralOut]:
    require(ctx, "referrals.read")
    if project_ids is not None and len(project_ids := list(project_ids)) > MAX_IDS:
        raise InputError("project_ids", f"حداکثر {persian_digits(MAX_IDS)} پرونده در یک درخواست")
    with ctx.read() as s:
        q = select(Referral, Project.file_no, Project.group).join(
            Project, Project.id == Referral.project_id
        )
        if project_ids is not None:
            q = q.where(Referral.project_id.in_(project_ids))
        rows = s.execute(q).all()
        ids = [r[0].id for r in rows]
        rounds: dict[int, list[Round]] = defaultdict(list)
        for rnd in s.scalars(
            select(Round).where(Round.referral_id.in_(ids)).order_by(Round.referral_id, Round.no)
        ):
            rounds[rnd.referral_id].append(rnd)
        lines = {  # each decided round's published lines, read once
            rnd.id: (ranking_lines(rnd.ranking), set_aside_lines(rnd.set_aside))
            for rs in rounds.values()
            for rnd in rs
            if rnd.outcome is not None
        }
        wanted = {r[0].engineer_id for r in rows} - {None}
        for ranked, aside in lines.values():  # a line that names the engineer only by id
            wanted.update(x.engineer_id for x in (*ranked, *aside) if x.membership_no is None)
        numbers = membership_numbers(s, wanted)
    # who was set aside is public (C6); by which rules (G4, G7, S4…) only to the office's
    # people and to the engineer himself: the others' reasons are withheld (empty)
    private = None if ctx.actor.role in STAFF | {"system"} else (ctx.actor.engineer_id or -1)
    out = []
    for ref, file_no, group in rows:
        rs = rounds[ref.id]
        running = rs[-1] if rs and rs[-1].outcome is None else None
        out.append(
            ReferralOut(
                id=ref.id,
                project_id=ref.project_id,
                file_no=file_no,
                discipline=ref.discipline,
                group=group,
                area=ref.area,
                status=ref.status,
                round_no=ref.round_no,
                engineer_id=ref.engineer_id,
                membership_no=numbers.get(ref.engineer_id),
                method=ref.method,
                selected_round=ref.selected_round,
                decided_at=ref.decided_at,
                sign_from=ref.sign_from,
                sign_until=ref.sign_until,
                deadline=running.deadline if running else None,
                rounds=tuple(
                    _round_out(r, *lines[r.id], numbers, private)
                    for r in rs
                    if r.outcome is not None
                ),
            )
        )
    return sorted(out, key=lambda r: (r.file_no, DISCIPLINE_ORDER[r.discipline]))


def active_candidates():
    """A referral's active candidacies counted from their partial index (a literal 'active',
    so that SQLite uses it), correlated to the referral of the outer query."""
    return (
        select(func.count())
        .where(Candidacy.referral_id == Referral.id, Candidacy.status == literal_column("'active'"))
        .correlate(Referral)
        .scalar_subquery()
    )


def running_rounds(query: Select, now: datetime) -> Select:
    """`query` over the open referrals whose candidacy round runs at `now` (C3), joined to
    that round and to the project."""
    return (
        query.join(Round, (Round.referral_id == Referral.id) & (Round.no == Referral.round_no))
        .join(Project, Project.id == Referral.project_id)
        .where(
            Referral.status == "open",
            Round.kind == "candidacy",
            Round.outcome.is_(None),
            Round.deadline > now,
        )
    )


def cartable_items(
    s: Session,
    engineer_id: int,
    now: datetime,
    offers: dict[str, tuple[frozenset[str], Decimal | None]],
    blocked_codes: frozenset[str] = frozenset(),
) -> list[CartableItem]:
    """The cartable, unsorted: the referrals whose candidacy round runs at `now` (C3) that the
    engineer stands for, and the others it may be offered — `offers[discipline]` = (the
    project groups offered, the largest area offered or None: any), not withdrawn from (W4),
    not owned by one of `blocked_codes` (S4, S5).

    One indexed query: the running rounds by deadline, each count from the active
    candidacies' partial index (a literal 'active', so that SQLite uses it). Rows as tuples
    (no ORM); the deadlines, a few distinct values, converted once each."""
    active = literal_column("'active'")
    standing = Referral.id.in_(
        select(Candidacy.referral_id).where(
            Candidacy.engineer_id == engineer_id, Candidacy.status == active
        )
    )
    offered = []
    for discipline, (groups, max_area) in offers.items():
        if groups:
            cond = (Referral.discipline == discipline) & Project.group.in_(sorted(groups))
            if max_area is not None:
                cond &= Referral.area <= max_area
            offered.append(cond)
    wanted = standing
    if offered:
        withdrawn = (
            select(Withdrawal.id)
            .where(Withdrawal.referral_id == Referral.id, Withdrawal.engineer_id == engineer_id)
            .correlate(Referral)
            .exists()
        )
        may = or_(*offered) & ~withdrawn
        if blocked_codes:
            may &= Referral.project_id.not_in(
                select(ProjectOwner.project_id)
                .join(Owner, Owner.id == ProjectOwner.owner_id)
                .where(Owner.national_id.in_(sorted(blocked_codes)))
            )
        wanted = or_(standing, may)
    query = running_rounds(
        select(
            Referral.id,
            Referral.discipline,
            Referral.area,
            Project.group,
            Project.file_no,
            Round.no,
            Round.kind,
            type_coerce(Round.deadline, String),  # as the driver gives it: see `instant`
            active_candidates().label("candidates"),
            standing.label("standing"),
        ),
        now,
    ).where(wanted)
    conn = s.connection()
    convert = UTCDateTime().dialect_impl(conn.dialect).result_processor(conn.dialect, None)
    instants: dict = {}

    def instant(raw):
        at = instants.get(raw)
        if at is None:
            at = instants[raw] = convert(raw) if convert else raw
        return at

    rows = conn.execute(query).all()
    # C4's spent cancels: his cancelled candidacies, few, from the (engineer, cancelled_at) index
    spent = (
        set(
            conn.execute(
                select(Candidacy.referral_id).where(
                    Candidacy.engineer_id == engineer_id, Candidacy.cancelled_at.is_not(None)
                )
            ).scalars()
        )
        if rows
        else set()
    )
    return [
        CartableItem(
            rid, file_no, disc, group, area, no, kind, instant(raw), bool(mine), count, rid in spent
        )
        for rid, disc, area, group, file_no, no, kind, raw, count, mine in rows
    ]


def membership_numbers(s, ids: set[int]) -> dict[int, str]:
    """Engineers' membership numbers by id (all of them when most are wanted)."""
    if not ids:
        return {}
    q = select(Engineer.id, Engineer.membership_no)
    if len(ids) <= 5_000:
        q = q.where(Engineer.id.in_(sorted(ids)))
    return dict(s.execute(q).all())


def _round_out(
    r: Round, ranked, aside, numbers: dict[int, str], private: int | None = None
) -> RoundOut:
    """A decided round; with `private` (an engineer's id, or -1 for nobody) the set-aside
    lines keep their rules only for that engineer."""
    return RoundOut(
        no=r.no,
        kind=r.kind,
        opened_at=r.opened_at,
        deadline=r.deadline,
        outcome=r.outcome,
        engineer_id=r.engineer_id,
        ranking=tuple(
            RankedOut(x.engineer_id, x.membership_no or numbers.get(x.engineer_id, ""), x.score)
            for x in ranked
        ),
        set_aside=tuple(
            (
                x.engineer_id,
                x.membership_no or numbers.get(x.engineer_id, ""),
                x.rules if private is None or x.engineer_id == private else (),
            )
            for x in aside
        ),
        exclusions=dict(r.exclusions or {}),
    )


@use_case(writes=False, server=("at",))
def engineer_standings(
    ctx: ServiceContext, ids: Iterable[int] | None = None, at: datetime | None = None
) -> dict[int, EngineerSummary]:
    """Score, capacity, area used and jobs of each engineer at `at` (S2, S3, S7, S8)."""
    require(ctx, "standing.read")
    ids = only_own(ctx, ids)
    if at is not None and not day_ok(at):
        raise InputError("at", "زمان باید با منطقه زمانی و در بازه تقویم دفتر باشد")
    at = at or ctx.now()
    on = local_date(at)
    with ctx.read() as s:
        policy = policy_at(s, at)
        wanted = select(Engineer.id) if ids is None else list(ids)
        states = load_supervisors(s, wanted, at)
        names = {
            r.id: r
            for r in s.execute(
                select(Engineer.id, Engineer.first_name, Engineer.last_name, Engineer.mobile).where(
                    Engineer.id.in_(list(states))
                )
            )
        }
    return {
        eid: EngineerSummary(
            id=eid,
            membership_no=st.membership_no,
            name=f"{names[eid].first_name} {names[eid].last_name}".strip(),
            kind=st.kind,
            national_id=st.national_id,
            mobile=names[eid].mobile,
            score=score_at(st, at, policy),
            capacity_m2=capacity_m2(st, policy, on),
            used_m2=st.used_m2,
            active_jobs=st.active_jobs,
            grade=supervision_grade(st, on),
            disciplines=tuple(
                sorted({c.discipline for c in st.competences}, key=DISCIPLINE_ORDER.__getitem__)
            ),
        )
        for eid, st in states.items()
    }


@use_case(writes=False)
def outbox(ctx: ServiceContext) -> list[NotificationOut]:
    require(ctx, "sms.read")
    with ctx.read() as s:
        rows = s.execute(
            select(Notification, Engineer.membership_no)
            .join(Engineer, Engineer.id == Notification.engineer_id)
            .order_by(Notification.created_at, Notification.id)
        ).all()
    return [
        NotificationOut(n.id, n.created_at, n.engineer_id, no, n.kind, n.referral_id, n.body)
        for n, no in rows
    ]

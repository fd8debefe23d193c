"""Set-based queries that build the domain's snapshots.

Each function issues a fixed number of queries whatever the number of engineers or
referrals (never one per candidate): the engineers wanted are given as a subquery of ids.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import (
    Column,
    Connection,
    Integer,
    MetaData,
    Select,
    Table,
    bindparam,
    func,
    insert,
    or_,
    select,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import BindParameter, Selectable

from ..domain.calendar import jalali_year, local_date
from ..domain.candidacy import CandidacySnapshot
from ..domain.eligibility import ReferralFacts
from ..domain.state import (
    Charge,
    Competence,
    Conviction,
    Declaration,
    Penalty,
    SupervisorState,
)
from .models import (
    CapacityHold,
    DeclarationRow,
    Engineer,
    FinancialTie,
    FirmMember,
    Licence,
    Owner,
    Project,
    ProjectOwner,
    Referral,
    ScoreEntry,
    Withdrawal,
)
from .models import (
    Competence as CompetenceRow,
)
from .models import (
    Conviction as ConvictionRow,
)

Ids = Selectable | Iterable[int]


def _in(column, ids: Ids):
    """`column IN (subquery)` for a selectable (national scale: never a 100,000-item list)."""
    return column.in_(ids if isinstance(ids, Selectable) else list(ids))


# One name, one Table object: its statements compile once and stay in the engine's cache.
_WANTED = Table(
    "nz_wanted", MetaData(), Column("id", Integer, primary_key=True), prefixes=["TEMPORARY"]
)
_WANTED_IDS = select(_WANTED.c.id)


@contextmanager
def materialized(session: Session, ids: Ids) -> Iterator[Ids]:
    """SQLite: the ids of a subquery put once into a temporary table for the statements that
    follow. SQLite evaluates `IN (subquery)` again in every statement, and a deadline run's
    "engineers standing" subquery reads every candidacy (10⁵–10⁶ rows) each time. PostgreSQL
    plans it as a hash semi-join and keeps the subquery (the desks' role has no TEMP right)."""
    if not isinstance(ids, Selectable) or session.get_bind().dialect.name != "sqlite":
        yield ids
        return
    conn = session.connection()
    _WANTED.create(conn)
    try:
        conn.execute(insert(_WANTED).prefix_with("OR IGNORE").from_select(["id"], ids))
        yield _WANTED_IDS
    finally:
        _WANTED.drop(conn)


def load_supervisors(session: Session, ids: Ids, at: datetime) -> dict[int, SupervisorState]:
    """Every fact the rules read about the given supervisors, at instant `at`."""
    with materialized(session, ids) as wanted:
        return _load_supervisors(session.connection(), session, wanted, at)


class _Reads(NamedTuple):
    """The statements `load_supervisors` runs, for one way of naming the engineers wanted;
    the instant, its day and its Jalali year are bound parameters (`at`, `on`, `year`)."""

    base: Select[Any]
    licence: Select[Any]
    competences: Select[Any]
    convictions: Select[Any]
    declarations: Select[Any]
    ties: Select[Any]
    held: Select[Any]
    entries: Select[Any]


def _reads(ids: Selectable | BindParameter[Any]) -> _Reads:
    at, on, year = bindparam("at"), bindparam("on"), bindparam("year")
    return _Reads(
        base=select(
            Engineer.id,
            Engineer.membership_no,
            Engineer.kind,
            Engineer.national_id,
            Engineer.resident_in_province,
            Engineer.legal_incapacity,
            Engineer.active_execution_project,
            Engineer.design_build_qualified,
            Engineer.employed_by_permit_authority,
            Engineer.membership_paid_through,
            Engineer.base_score,
        ).where(Engineer.id.in_(ids)),
        licence=select(Licence.engineer_id, Licence.expires_on).where(
            Licence.is_current, Licence.engineer_id.in_(ids)
        ),
        competences=select(
            CompetenceRow.engineer_id,
            CompetenceRow.discipline,
            CompetenceRow.grade,
            CompetenceRow.kind,
            CompetenceRow.expires_on,
        ).where(CompetenceRow.engineer_id.in_(ids)),
        convictions=select(
            ConvictionRow.engineer_id,
            ConvictionRow.degree,
            ConvictionRow.starts_on,
            ConvictionRow.ends_on,
        ).where(
            ConvictionRow.engineer_id.in_(ids),
            or_(ConvictionRow.ends_on.is_(None), ConvictionRow.ends_on >= on),
        ),
        declarations=select(
            DeclarationRow.engineer_id,
            DeclarationRow.ready,
            DeclarationRow.rules_accepted,
            DeclarationRow.groups,
            DeclarationRow.supervision_percent,
        ).where(DeclarationRow.year == year, DeclarationRow.engineer_id.in_(ids)),
        ties=select(FinancialTie.engineer_id, FinancialTie.national_code).where(
            FinancialTie.engineer_id.in_(ids)
        ),
        held=select(CapacityHold.engineer_id, func.sum(CapacityHold.area), func.count())
        .where(
            CapacityHold.released_at.is_(None),
            CapacityHold.held_from <= at,
            CapacityHold.engineer_id.in_(ids),
        )
        .group_by(CapacityHold.engineer_id),
        entries=select(
            ScoreEntry.engineer_id,
            ScoreEntry.kind,
            ScoreEntry.at,
            ScoreEntry.period_year,
            ScoreEntry.points,
            ScoreEntry.per_day,
        )
        .where(
            ScoreEntry.engineer_id.in_(ids),
            ScoreEntry.at <= at,
            or_(ScoreEntry.kind == "penalty", ScoreEntry.period_year == year),
        )
        .order_by(ScoreEntry.id),
    )


# A desk's cartable reads one engineer at a time: building and keying nine statements was a
# tenth of its cost, so the two fixed ways of naming engineers (a list; SQLite's table of
# ids) keep theirs. Any other subquery (PostgreSQL's deadline run) builds its own, once.
_LISTED = bindparam("ids", expanding=True)
_BY_LIST = _reads(_LISTED)
_BY_TABLE = _reads(_WANTED_IDS)


def _load_supervisors(
    session: Connection, orm: Session, ids: Ids, at: datetime
) -> dict[int, SupervisorState]:
    """The queries run on the connection itself: rows as tuples, not through the ORM."""
    year = jalali_year(at)
    on = local_date(at)
    params: dict[str, Any] = {"at": at, "on": on, "year": year}
    if ids is _WANTED_IDS:
        reads = _BY_TABLE
    elif isinstance(ids, Selectable):
        reads = _reads(ids)
    else:
        reads, params["ids"] = _BY_LIST, list(ids)
    base = {r.id: r for r in session.execute(reads.base, params).all()}
    if not base:
        return {}
    licence = dict(session.execute(reads.licence, params).all())
    comps: dict[int, list[Competence]] = defaultdict(list)
    for r in session.execute(reads.competences, params).all():
        comps[r[0]].append(Competence(r[1], r[2], r[3], r[4]))
    convs: dict[int, list[Conviction]] = defaultdict(list)
    for r in session.execute(reads.convictions, params).all():
        convs[r[0]].append(Conviction(r[1], r[2], r[3]))
    decls = {
        r[0]: Declaration(year, r[1], r[2], frozenset(r[3]), r[4])
        for r in session.execute(reads.declarations, params).all()
    }
    ties: dict[int, set[str]] = defaultdict(set)
    for eid, code in session.execute(reads.ties, params).all():
        ties[eid].add(code)
    held = {r[0]: (r[1] or Decimal(0), r[2]) for r in session.execute(reads.held, params).all()}
    charges: dict[int, list[Charge]] = defaultdict(list)
    penalties: dict[int, list[Penalty]] = defaultdict(list)
    for r in session.execute(reads.entries, params).all():
        if r[1] == "penalty":
            penalties[r[0]].append(Penalty(r[2], r[4], r[5]))
        else:
            charges[r[0]].append(Charge(r[2], r[3], r[4]))
    out: dict[int, SupervisorState] = {}
    for eid, r in base.items():
        used, jobs = held.get(eid, (Decimal(0), 0))
        out[eid] = SupervisorState(
            id=eid,
            membership_no=r.membership_no,
            kind=r.kind,
            national_id=r.national_id,
            resident_in_province=r.resident_in_province,
            legal_incapacity=r.legal_incapacity,
            active_execution_project=r.active_execution_project,
            design_build_qualified=r.design_build_qualified,
            employed_by_permit_authority=r.employed_by_permit_authority,
            licence_expires=licence.get(eid),
            membership_paid_through=r.membership_paid_through,
            convictions=tuple(convs[eid]),
            competences=tuple(comps[eid]),
            declaration=decls.get(eid),
            financial_ties=frozenset(ties[eid]),
            base_score=r.base_score,
            charges=tuple(charges[eid]),
            penalties=tuple(penalties[eid]),
            used_m2=Decimal(used),
            active_jobs=int(jobs),
        )
    firms = [eid for eid, s in out.items() if s.kind == "firm"]
    if firms:
        links = session.execute(
            select(FirmMember.firm_id, FirmMember.member_id).where(
                FirmMember.firm_id.in_(firms),
                or_(FirmMember.left_on.is_(None), FirmMember.left_on > on),
            )
        ).all()
        members = load_supervisors(orm, {m for _, m in links}, at) if links else {}
        by_firm: dict[int, list[SupervisorState]] = defaultdict(list)
        for f, m in links:
            by_firm[f].append(members[m])
        for f in firms:
            out[f] = replace(out[f], members=tuple(by_firm[f]))
    return out


def _grouped(session: Session, query: Select[Any]) -> dict[Any, frozenset[Any]]:
    """(key, value) rows → {key: frozenset of values}."""
    got: dict[Any, set[Any]] = defaultdict(set)
    for key, value in session.execute(query).all():
        got[key].add(value)
    return {k: frozenset(v) for k, v in got.items()}


def owner_codes(session: Session, project_ids: Ids) -> dict[int, frozenset[str]]:
    return _grouped(
        session,
        select(ProjectOwner.project_id, Owner.national_id)
        .join(Owner, Owner.id == ProjectOwner.owner_id)
        .where(_in(ProjectOwner.project_id, project_ids)),
    )


def withdrawn_by_referral(session: Session, referral_ids: Ids) -> dict[int, frozenset[int]]:
    """W4: who withdrew from (or failed to sign for) each referral."""
    return _grouped(
        session,
        select(Withdrawal.referral_id, Withdrawal.engineer_id).where(
            _in(Withdrawal.referral_id, referral_ids)
        ),
    )


def chosen_by_project(session: Session, project_ids: Ids) -> dict[int, frozenset[int]]:
    """A5: engineers currently selected or signed on each project."""
    return _grouped(
        session,
        select(Referral.project_id, Referral.engineer_id).where(
            Referral.status.in_(("selected", "signed", "completed")),
            Referral.engineer_id.is_not(None),
            _in(Referral.project_id, project_ids),
        ),
    )


def referral_facts(session: Session, referral_ids: Ids) -> dict[int, tuple[ReferralFacts, Any]]:
    """Facts of the given referrals, with their project row (file no, ready_at, …)."""
    rows = session.execute(
        select(
            Referral.id,
            Referral.project_id,
            Referral.discipline,
            Referral.area,
            Project.group,
            Project.file_no,
            Project.ready_at,
            Referral.status,
            Referral.engineer_id,
        )
        .join(Project, Project.id == Referral.project_id)
        .where(_in(Referral.id, referral_ids))
    ).all()
    if not rows:
        return {}
    owners = owner_codes(session, {r.project_id for r in rows})
    withdrawn = withdrawn_by_referral(session, [r.id for r in rows])
    return {
        r.id: (
            ReferralFacts(
                r.id,
                r.project_id,
                r.discipline,
                r.group,
                r.area,
                owners.get(r.project_id, frozenset()),
                withdrawn.get(r.id, frozenset()),
            ),
            r,
        )
        for r in rows
    }


def cancellations_on(session: Session, engineer_id: int, at: datetime) -> int:
    """C5: the engineer's cancellations on `at`'s Tehran day."""
    from ..domain.calendar import at_local
    from .models import Candidacy

    start = at_local(local_date(at), datetime.min.time())
    return int(
        session.scalar(
            select(func.count()).where(
                Candidacy.engineer_id == engineer_id,
                Candidacy.status == "cancelled",
                Candidacy.cancelled_at >= start,
                Candidacy.cancelled_at < start + timedelta(days=1),
            )
        )
        or 0
    )


def candidacy_snapshot(
    session: Session, engineer_id: int, referral_id: int, at: datetime
) -> CandidacySnapshot | None:
    """Everything `domain.candidacy.refusals` reads about one engineer and one referral at
    `at`, in a fixed number of queries (None: no such engineer)."""
    from .models import Candidacy, Round

    state = load_supervisors(session, [engineer_id], at).get(engineer_id)
    if state is None:
        return None
    got = referral_facts(session, [referral_id]).get(referral_id)
    if got is None:
        return CandidacySnapshot(at, state, None)
    facts, row = got
    rnd = session.execute(
        select(Round.kind, Round.outcome, Round.deadline)
        .join(Referral, (Referral.id == Round.referral_id) & (Referral.round_no == Round.no))
        .where(Referral.id == referral_id)
    ).first()
    running = (
        row.status == "open"
        and rnd is not None
        and rnd.kind == "candidacy"
        and rnd.outcome is None
        and at < rnd.deadline
    )
    mine = session.execute(
        select(Candidacy.status, func.count())
        .where(Candidacy.engineer_id == engineer_id, Candidacy.referral_id == referral_id)
        .group_by(Candidacy.status)
    ).all()
    by_status = dict(mine)
    today = cancellations_on(session, engineer_id, at)
    on = local_date(at)
    current = or_(FirmMember.left_on.is_(None), FirmMember.left_on > on)
    related = (
        select(FirmMember.firm_id)
        .where(FirmMember.member_id == engineer_id, current)
        .union(select(FirmMember.member_id).where(FirmMember.firm_id == engineer_id, current))
    )
    related_standing = session.scalar(
        select(func.count()).where(
            Candidacy.referral_id == referral_id,
            Candidacy.status == "active",
            Candidacy.engineer_id.in_(related),
        )
    )
    chosen = chosen_by_project(session, [facts.project_id]).get(facts.project_id, frozenset())
    return CandidacySnapshot(
        at=at,
        supervisor=state,
        referral=facts,
        round_running=running,
        standing=bool(by_status.get("active")),
        cancelled_before=bool(by_status.get("cancelled")),
        cancelled_today=today,
        related_standing=bool(related_standing),
        chosen_on_project=engineer_id in chosen and row.engineer_id != engineer_id,
    )

"""The deadline run's snapshot as `app/services/deadlines.build_snapshot` built it at commit
22e6c81 (objects: `SupervisorState` per engineer, `Candidate` per candidacy)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from operator import attrgetter

from sqlalchemy import select, union
from sqlalchemy.orm import Session

from app.db.models import Candidacy, Competence, Round
from app.db.snapshot import chosen_by_project, load_supervisors, referral_facts
from app.domain.allocation import Candidate, DeadlineSnapshot, DueReferral
from app.domain.codes import FORCED
from app.domain.policy import Policy

_stood_order = attrgetter("stood_at", "engineer_id")


def build_snapshot_old(
    s: Session, at: datetime, policy: Policy
) -> tuple[DeadlineSnapshot, dict[int, int]]:
    due_rows = s.execute(
        select(Round.id, Round.referral_id, Round.no, Round.kind).where(
            Round.outcome.is_(None), Round.deadline == at
        )
    ).all()
    due_ids = select(Round.referral_id).where(Round.outcome.is_(None), Round.deadline == at)
    facts = referral_facts(s, due_ids)
    cands: dict[int, list[Candidate]] = defaultdict(list)
    for rid, eid, stood in (
        s.connection()
        .execute(
            select(Candidacy.referral_id, Candidacy.engineer_id, Candidacy.stood_at).where(
                Candidacy.status == "active", Candidacy.referral_id.in_(due_ids)
            )
        )
        .all()
    ):
        cands[rid].append(Candidate(eid, stood))
    forced_disc = {
        facts[r.referral_id][0].discipline
        for r in due_rows
        if r.kind == FORCED or r.no > policy.max_extensions
    }
    pools: dict[str, list[int]] = defaultdict(list)
    wanted = select(Candidacy.engineer_id).where(
        Candidacy.status == "active", Candidacy.referral_id.in_(due_ids)
    )
    if forced_disc:
        in_pool = select(Competence.engineer_id, Competence.discipline).where(
            Competence.kind == "supervision", Competence.discipline.in_(forced_disc)
        )
        for eid, disc in s.execute(in_pool.order_by(Competence.engineer_id)):
            pools[disc].append(eid)
        wanted = union(wanted, select(in_pool.subquery().c.engineer_id))
    people = load_supervisors(s, wanted, at)
    projects = {f.project_id for f, _ in facts.values()}
    snap = DeadlineSnapshot(
        at=at,
        referrals=tuple(
            DueReferral(
                facts[r.referral_id][0],
                facts[r.referral_id][1].file_no,
                facts[r.referral_id][1].ready_at,
                r.no,
                r.kind,
                tuple(sorted(cands.get(r.referral_id, ()), key=_stood_order)),
            )
            for r in sorted(due_rows, key=lambda r: r.referral_id)
        ),
        supervisors=people,
        pools={d: tuple(p) for d, p in sorted(pools.items())},
        chosen=chosen_by_project(s, projects) if projects else {},
    )
    return snap, {r.referral_id: r.id for r in due_rows}

"""A deadline run as `app/services/deadlines.decide_due` made and recorded it at commit
22e6c81: the snapshot of objects, the old decision, the record as the zlib of the canonical
JSON of `{"snapshot", "policy", "calendar"}` with its digests, each round's lists as lists of
objects, the effects and the audit lines — to make in a test a run "recorded before issue 17"
that `verify-run` must still re-check. It writes only columns that existed then (a database
at revision 0006 takes it)."""

from __future__ import annotations

import hashlib
import zlib
from datetime import datetime

from sqlalchemy import insert, select, update

from app.db.locks import lock_deadline
from app.db.models import (
    Candidacy,
    CapacityHold,
    DeadlineRun,
    Notification,
    Referral,
    Round,
    ScoreEntry,
)
from app.db.policy_store import calendar_at, check_covered, policy_at
from app.domain.calendar import jalali_year
from app.domain.codes import CANDIDACY
from app.domain.digest import digest
from app.services.context import ServiceContext, audit
from app.services.notify import message_fields, notification_row

from .decide import decide_deadline_old
from .record import old_inputs_bytes, old_ranking_json
from .snapshot import build_snapshot_old


def decide_due_old(ctx: ServiceContext, at: datetime) -> bool:
    started = ctx.now()
    with ctx.tx() as s:
        lock_deadline(s, "deadline", at)
        if s.scalar(
            select(DeadlineRun.id).where(DeadlineRun.kind == "deadline", DeadlineRun.deadline == at)
        ):
            return False
        policy = policy_at(s, at)
        cal = calendar_at(s, policy)
        snap, round_ids = build_snapshot_old(s, at, policy)
        decisions = decide_deadline_old(snap, policy, cal)
        text = old_inputs_bytes(snap, policy, cal)
        run_id = s.execute(
            insert(DeadlineRun.__table__)
            .values(
                kind="deadline",
                deadline=at,
                started_at=started,
                finished_at=ctx.now(),
                decided=len(decisions),
                input_digest=hashlib.sha256(text).hexdigest(),
                output_digest=digest(decisions),
                snapshot=zlib.compress(text, 1),
                actor=ctx.actor.username,
            )
            .returning(DeadlineRun.__table__.c.id)
        ).scalar_one()
        _write_decisions_old(s, ctx, snap, decisions, round_ids, run_id, policy, cal)
    return True


def _write_decisions_old(s, ctx, snap, decisions, round_ids, run_id, policy, cal) -> None:
    at = snap.at
    year = jalali_year(at)
    people = snap.supervisors
    winners = [d for d in decisions if d.engineer_id is not None]
    fields, phones = message_fields(
        s, [d.referral_id for d in winners], [d.engineer_id for d in winners]
    )
    sign_from, sign_until = cal.signing_window(at, *policy.signing_window)
    check_covered(
        s,
        sign_from if winners else None,
        *(d.next_deadline for d in decisions if d.outcome == "extended"),
    )
    rounds, selected, extended, unassigned = [], [], [], []
    holds, charges, messages, new_rounds = [], [], [], []
    for d in decisions:
        rounds.append(
            {
                "id": round_ids[d.referral_id],
                "outcome": d.outcome,
                "decided_at": at,
                "run_id": run_id,
                "engineer_id": d.engineer_id,
                "ranking": old_ranking_json(d, snap),
                "set_aside": [
                    {"engineer_id": e, "membership_no": people[e].membership_no, "rules": [*r]}
                    for e, r in d.set_aside
                ],
                "exclusions": dict(d.exclusions) if d.outcome == "unassigned" else None,
            }
        )
        if d.engineer_id is not None:
            selected.append(
                {
                    "id": d.referral_id,
                    "status": "selected",
                    "engineer_id": d.engineer_id,
                    "method": d.method,
                    "selected_round": d.round_no,
                    "decided_at": at,
                    "sign_from": sign_from,
                    "sign_until": sign_until,
                }
            )
            holds.append(
                {
                    "engineer_id": d.engineer_id,
                    "referral_id": d.referral_id,
                    "kind": "referral",
                    "area": d.area_m2,
                    "held_from": at,
                }
            )
            charges.append(
                {
                    "engineer_id": d.engineer_id,
                    "at": at,
                    "kind": "charge",
                    "points": d.points,
                    "period_year": year,
                    "referral_id": d.referral_id,
                }
            )
            messages.append(
                notification_row(
                    "selected",
                    d.referral_id,
                    d.engineer_id,
                    at,
                    fields[d.referral_id],
                    phones.get(d.engineer_id),
                    sign_from,
                    sign_until,
                )
            )
        elif d.outcome == "extended":
            extended.append({"id": d.referral_id, "round_no": d.round_no + 1})
            new_rounds.append(
                {
                    "referral_id": d.referral_id,
                    "no": d.round_no + 1,
                    "kind": CANDIDACY,
                    "opened_at": at,
                    "deadline": d.next_deadline,
                }
            )
        else:
            unassigned.append({"id": d.referral_id, "status": "unassigned"})
        audit(
            s,
            ctx,
            f"deadline.{d.outcome}",
            "referral",
            d.referral_id,
            at=at,
            after={
                "round": d.round_no,
                "engineer_id": d.engineer_id,
                "method": d.method,
                "run_id": run_id,
            },
            flush=False,
        )
    s.flush()
    for model, rows in (
        (Round, rounds),
        (Referral, selected),
        (Referral, extended),
        (Referral, unassigned),
    ):
        if rows:
            s.execute(update(model), rows)
    for model, rows in (
        (CapacityHold, holds),
        (ScoreEntry, charges),
        (Notification, messages),
        (Round, new_rounds),
    ):
        if rows:
            s.execute(insert(model), rows)
    if winners:
        s.execute(
            update(Candidacy)
            .where(
                Candidacy.status == "active",
                Candidacy.referral_id.in_([d.referral_id for d in winners]),
                Candidacy.engineer_id
                == select(Referral.engineer_id)
                .where(Referral.id == Candidacy.referral_id)
                .scalar_subquery(),
            )
            .values(status="chosen")
        )

"""What the run of commit 22e6c81 recorded and published: the canonical JSON of its inputs
(A10, zlib-compressed in `deadline_runs.snapshot`) and each round's ranked and set-aside
lines."""

from __future__ import annotations

from app.domain.allocation import DeadlineSnapshot, Decision
from app.domain.calendar import WorkCalendar
from app.domain.digest import canonical_bytes
from app.domain.policy import Policy


def old_inputs_bytes(snap: DeadlineSnapshot, policy: Policy, cal: WorkCalendar) -> bytes:
    return canonical_bytes({"snapshot": snap, "policy": policy, "calendar": cal})


def old_ranking_json(d: Decision, snap: DeadlineSnapshot) -> list[dict]:
    people = snap.supervisors
    return [
        {
            "engineer_id": r.engineer_id,
            "membership_no": people[r.engineer_id].membership_no,
            "score": str(r.score),
            "remaining_m2": str(r.remaining_m2),
            "active_jobs": r.active_jobs,
        }
        for r in d.ranking
    ]


def old_set_aside_json(d: Decision, snap: DeadlineSnapshot) -> list[dict]:
    people = snap.supervisors
    return [
        {"engineer_id": e, "membership_no": people[e].membership_no, "rules": [*r]}
        for e, r in d.set_aside
    ]

"""A frozen copy of the deadline run's decision path as it was before issue 17 (commit
22e6c81): the per-candidate `RunEligibility` memo, `decide_deadline` over object snapshots,
the snapshot built by `load_supervisors`, the published ranked lines and the canonical-JSON
run record. The equivalence tests decide with it and with the columnar run and compare.

Only the rule functions it calls (`app.domain.eligibility`'s G/S/C checks, `scoring`) and the
data types (`SupervisorState`, `DeadlineSnapshot`, `Decision`, …) are imported from the
application: they are the reference the old path was checked against, and unchanged.
"""

from .decide import decide_deadline_old
from .record import old_inputs_bytes, old_ranking_json, old_set_aside_json
from .run import decide_due_old
from .snapshot import build_snapshot_old

__all__ = [
    "build_snapshot_old",
    "decide_deadline_old",
    "decide_due_old",
    "old_inputs_bytes",
    "old_ranking_json",
    "old_set_aside_json",
]

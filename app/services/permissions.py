"""U1: which role may do what. Checked in every service, not only by hiding buttons."""

from __future__ import annotations

from ..domain.errors import RuleViolation
from .context import ServiceContext

ALLOWED: dict[str, frozenset[str]] = {
    "engineer.register": frozenset({"admin", "clerk"}),
    "engineer.update": frozenset({"admin", "clerk"}),
    "engineer.declare": frozenset({"admin", "clerk", "engineer"}),
    "membership.request": frozenset({"admin", "clerk", "engineer"}),
    "membership.approve": frozenset({"finance"}),
    "membership.pay": frozenset({"finance", "clerk", "engineer"}),
    "project.register": frozenset({"clerk", "manager"}),
    "project.document": frozenset({"clerk", "manager"}),
    "fee.record": frozenset({"clerk"}),
    "fee.decide": frozenset({"finance"}),
    "project.ready": frozenset({"clerk", "manager"}),
    "candidacy.stand": frozenset({"engineer"}),
    "candidacy.cancel": frozenset({"engineer"}),
    "deadline.run": frozenset({"manager", "system"}),
    "referral.sign": frozenset({"clerk", "manager"}),
    "referral.withdraw": frozenset({"clerk", "manager"}),
    "project.complete": frozenset({"clerk", "manager"}),
    "policy.edit": frozenset({"admin"}),
    "user.manage": frozenset({"admin"}),
    "audit.read": frozenset({"admin"}),
    # issue 5: money, legal entities, SMS, members import
    "payout.report": frozenset({"clerk", "manager"}),
    "payout.decide": frozenset({"finance"}),
    "payout.pay": frozenset({"finance"}),
    "finance.read": frozenset({"finance", "admin", "manager", "clerk"}),
    "firm.manage": frozenset({"admin", "clerk"}),
    "members.import": frozenset({"admin", "clerk"}),
    "sms.send": frozenset({"admin", "manager", "system"}),
    "sms.retry": frozenset({"admin", "manager"}),
}


def require(ctx: ServiceContext, action: str, engineer_id: int | None = None) -> None:
    """Refuse with U1 unless the actor's role may do `action` (an engineer only for themself)."""
    role = ctx.actor.role
    ok = role in ALLOWED[action]
    if ok and role == "engineer" and engineer_id is not None:
        ok = ctx.actor.engineer_id == engineer_id
    if not ok:
        raise RuleViolation({"U1"})

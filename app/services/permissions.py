"""U1: which role may do what. Checked in every service, not only by hiding buttons."""

from __future__ import annotations

from collections.abc import Iterable

from ..domain.digits import persian_digits
from ..domain.errors import InputError, RuleViolation
from .context import ServiceContext

STAFF = frozenset({"admin", "clerk", "finance", "manager"})  # the office's own people
EVERYONE = STAFF | {"engineer", "system"}
# issue 13: a visitor of the public web pages, signed in as no one. Only what rules.md makes
# public: C6's candidates and scores, the referrals board, the published runs (A10), and the
# check of a printed paper's code.
PUBLIC = EVERYONE | {"public"}

ALLOWED: dict[str, frozenset[str]] = {
    "engineer.register": frozenset({"admin", "clerk", "system"}),
    "engineer.update": frozenset({"admin", "clerk", "system"}),
    "engineer.declare": frozenset({"admin", "clerk", "engineer"}),
    "membership.request": frozenset({"admin", "clerk", "engineer"}),
    "membership.approve": frozenset({"finance"}),
    # F5, seed 000: the payment is finance's word (the bank's receipt it confirms), never the
    # member's own: an engineer or a clerk cannot mark a membership paid.
    "membership.pay": frozenset({"finance"}),
    # the account a supervisor's stage payouts are transferred to (شبا, F3): a payee's bank
    # account is changed by finance alone, never by the clerk's general edit of the file
    "engineer.iban": frozenset({"finance"}),
    "project.register": frozenset({"clerk", "manager", "system"}),
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
    "policy.edit": frozenset({"admin", "system"}),  # system: `init`'s official calendar
    "user.manage": frozenset({"admin"}),
    "password.own": STAFF | {"engineer"},  # one's own password, knowing the old one
    "audit.read": frozenset({"admin"}),
    # issue 5: money, legal entities, SMS, members import
    "payout.report": frozenset({"clerk", "manager"}),
    "payout.decide": frozenset({"finance"}),
    "payout.pay": frozenset({"finance"}),
    "finance.read": frozenset({"finance", "admin", "manager", "clerk"}),
    "firm.manage": frozenset({"admin", "clerk", "system"}),
    "members.import": frozenset({"admin", "clerk"}),
    "sms.send": frozenset({"admin", "manager", "system"}),
    "sms.retry": frozenset({"admin", "manager"}),
    # reads: personal data (national ids, mobiles, owners) stays with the office; what the
    # rulebook makes public (C6 candidates and scores, the referrals board, tariffs) does not
    "people.read": STAFF,
    "documents.print": STAFF | {"system"},
    "engineer.file": STAFF | {"engineer"},  # an engineer: their own file
    "cartable.read": STAFF | {"engineer", "system"},  # an engineer: their own cartable
    "standing.read": STAFF | {"engineer", "system"},  # an engineer: their own figures
    "referrals.read": PUBLIC,
    "candidates.read": PUBLIC,
    "runs.read": PUBLIC,  # A10: published runs, their ranked lists and digests
    "tariff.read": EVERYONE,
    "sms.read": frozenset({"admin", "manager", "system"}),
    "deadline.verify": frozenset({"admin", "manager", "system"}),
    # issue 14: papers as records, the organization's particulars, a file's permit
    "paper.issue": STAFF,  # issuing (and reprinting) a paper: the office's people only
    "paper.verify": PUBLIC,  # anyone holding a paper may check its code
    "organization.read": STAFF | {"system"},
    "organization.edit": frozenset({"admin"}),
    "permit.record": frozenset({"clerk", "manager"}),
}


def require(ctx: ServiceContext, action: str, engineer_id: int | None = None) -> None:
    """Refuse with U1 unless the actor's role may do `action` (an engineer only for themself)."""
    role = ctx.actor.role
    ok = role in ALLOWED[action]
    if ok and role == "engineer" and engineer_id is not None:
        ok = ctx.actor.engineer_id == engineer_id
    if not ok:
        raise RuleViolation({"U1"})


def require_system_for_given(ctx: ServiceContext, waived: bool, what: str) -> None:
    """A replay's waivers — codes taken unchecked, P4's disciplines or F6's firm as given —
    and facts from outside the desk are the in-process system's alone (a scenario replay, the
    demo, the bench data): a person at a desk or a client of the office server gets U1."""
    if waived and ctx.actor.role != "system":
        raise RuleViolation({"U1"}, f"{what} تنها در بازپخش سناریو پذیرفته است (U1)؛ چیزی ثبت نشد")


MAX_IDS = 10_000  # ids named in one request (a page of a list is far fewer)


def only_own(ctx: ServiceContext, ids: Iterable[int] | None) -> list[int] | None:
    """An engineer reads figures of no one but themself (U1); `ids` as a list (at most
    MAX_IDS: more is asked as all, `None`)."""
    ids = None if ids is None else list(ids)
    if ids is not None and len(ids) > MAX_IDS:
        raise InputError("ids", f"حداکثر {persian_digits(MAX_IDS)} شناسه در یک درخواست")
    if ctx.actor.role == "engineer" and ids != [ctx.actor.engineer_id]:
        raise RuleViolation({"U1"})
    return ids

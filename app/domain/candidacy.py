"""Every refusal of a candidacy, decided in one place (C1–C5, C2's conditions, W4, A5).

Standing, cancelling, the cartable's "why not?" and the web all ask `refusals`, fed by one
snapshot (`app/db/snapshot.candidacy_snapshot`): a refused event names every rule that
refuses it (scenario.md), never only the first one found, and desk, web and papers say the
same words (`Refusal.message`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from .calendar import jalali_year, local_date
from .digits import persian_digits
from .eligibility import (
    ReferralFacts,
    competence_ok,
    distribution_failures,
    general_failures,
    readiness_failures,
)
from .policy import Policy
from .rules_fa import RULE_TEXT_FA
from .scoring import capacity_m2, remaining_m2
from .state import SupervisorState

Action = Literal["stand", "cancel", "why_not"]

# Words that say more than the rule's own text, for the cases a person meets most.
NO_REFERRAL = "این ارجاع وجود ندارد"
ALREADY_STANDING = "کاندیداتوری شما برای این ارجاع از قبل برقرار است"
NOTHING_TO_CANCEL = "کاندیداتوری فعالی برای لغو وجود ندارد"
CANCELLED_ONCE = "لغو کاندیداتوری برای هر ارجاع تنها یک بار مجاز است"
MEMBER_CONFLICT = "عضو شخص حقوقی و خود آن شخص حقوقی نمی‌توانند برای یک ارجاع هم‌زمان کاندیدا شوند"

# What an engineer can do about each rule that keeps them out (the cartable shows it).
REMEDY_FA: dict[str, str] = {
    "C1": "فرم خوداظهاری سال جاری را با اعلام آمادگی به کار و پذیرش قوانین ثبت کنید",
    "G1": "مدارک اقامت و اشتغال در استان را به واحد عضویت ارائه کنید",
    "G2": "پروانه اشتغال به کار را تمدید کنید",
    "G3": ("درخواست تمدید عضویت ثبت کنید؛ پس از تأیید مبلغ در امور مالی، حق عضویت را بپردازید"),
    "G4": "با واحد حقوقی سازمان تماس بگیرید",
    "G5": "پروژه اجرایی فعال خود را تعیین تکلیف کنید",
    "G6": "صلاحیت طرح و ساخت با نظارت هم‌زمان ممکن نیست؛ با واحد عضویت تماس بگیرید",
    "G7": "تا پایان محکومیت انتظامی امکان ارجاع نیست",
    "S1": "صلاحیت نظارت معتبر در رشته خود را در پروانه ثبت کنید",
    "S6": "شاغلان مرجع صدور پروانه نمی‌توانند ناظر شوند",
    "S7": (
        "ظرفیت نظارت شما صفر یا پر است: درصد نظارت در خوداظهاری را اصلاح کنید "
        "یا منتظر پایان کار پروژه‌های جاری بمانید"
    ),
}


@dataclass(frozen=True)
class CandidacySnapshot:
    """What the candidacy rules read about one engineer and one referral at one moment."""

    at: datetime
    supervisor: SupervisorState
    referral: ReferralFacts | None  # None: no such referral
    round_running: bool = False  # C3: a candidacy round of the referral runs at `at`
    standing: bool = False  # C4: the engineer's candidacy is in force
    cancelled_before: bool = False  # C4: the one cancellation is spent
    cancelled_today: int = 0  # C5: the engineer's cancellations on `at`'s day
    related_standing: bool = False  # C2: a related firm or member stands for it
    chosen_on_project: bool = False  # A5: chosen for another discipline of the project


@dataclass(frozen=True)
class Refusal:
    """The rules that refuse an action (empty: allowed) and one Persian reason per rule."""

    reasons: tuple[tuple[str, str], ...] = ()

    @property
    def rules(self) -> frozenset[str]:
        return frozenset(r for r, _ in self.reasons)

    def __bool__(self) -> bool:
        return bool(self.reasons)

    @property
    def message(self) -> str:
        return "؛ ".join(f"{text} ({rule})" for rule, text in self.reasons)


def _refusal(found: dict[str, str]) -> Refusal:
    return Refusal(tuple(sorted((r, t or RULE_TEXT_FA.get(r, r)) for r, t in found.items())))


def refusals(snap: CandidacySnapshot, action: Action, policy: Policy) -> Refusal:
    """Every rule refusing `action` ("stand", "cancel" or "why_not": what keeps the engineer
    from standing for or being chosen for the referral), with its Persian reason."""
    found: dict[str, str] = {}
    r = snap.referral
    if r is None:  # of a referral that does not exist only C2 (or C4) is judged, beside
        if action == "cancel":  # what keeps him out of every referral, whichever it were
            return _refusal({"C4": NO_REFERRAL})
        anywhere = dict(out_of_everything(snap.supervisor, snap.at, policy).reasons)
        return _refusal({**anywhere, "C2": NO_REFERRAL})
    if not snap.round_running:
        found["C3"] = ""
    if action == "cancel":
        if not snap.standing:
            found["C4"] = NOTHING_TO_CANCEL
        elif snap.cancelled_before:
            found["C4"] = CANCELLED_ONCE
        if snap.cancelled_today >= policy.max_cancellations_per_day:
            found["C5"] = ""
        return _refusal(found)
    if snap.supervisor.id in r.withdrawn:
        found["W4"] = ""
    if action == "stand" and snap.standing:
        found["C4"] = ALREADY_STANDING
    if action == "why_not" and snap.chosen_on_project:
        found["A5"] = ""
    failed = distribution_failures(snap.supervisor, r, snap.at, policy)
    for rule in failed:
        found[rule] = ""
    if snap.related_standing:
        found["C2"] = MEMBER_CONFLICT
    elif failed:
        found["C2"] = ""
    return _refusal(found)


def out_of_everything(s: SupervisorState, at: datetime, policy: Policy) -> Refusal:
    """What keeps an engineer out of every referral, whatever its group or area: C1, G1–G7,
    S6, S1 (no valid supervision competence), S7 (no capacity or no free job), with what to
    do about each (`REMEDY_FA`). Empty when some referral could reach the cartable."""
    on = local_date(at)
    year = jalali_year(on)
    failed = readiness_failures(s, year) | general_failures(s, on, policy)
    if s.employed_by_permit_authority:
        failed.add("S6")
    groups = set().union(*policy.grade_groups.values())
    disciplines = {
        c.discipline for c in s.competences if c.kind == "supervision" and c.valid_on(on)
    }
    if not any(competence_ok(s, d, g, on, policy) for d in disciplines for g in groups):
        failed.add("S1")
    s7 = _no_room(s, policy, on, disciplines)
    if s7:
        failed.add("S7")
    return Refusal(
        tuple(
            (r, s7 if r == "S7" else REMEDY_FA.get(r, RULE_TEXT_FA.get(r, r)))
            for r in sorted(failed)
        )
    )


def _m2(x) -> str:
    return persian_digits(f"{x:,.2f}".rstrip("0").rstrip(".")).replace(",", "٬").replace(".", "٫")


def _no_room(s: SupervisorState, policy: Policy, on, disciplines: set[str]) -> str:
    """S7 for every referral, in the engineer's own figures: which limit is reached and what
    to do (empty: there is room). Jobs first — a free square metre does not help then."""
    held, most = s.active_jobs, policy.max_active_jobs
    if held >= most:
        return (
            f"{persian_digits(held)} کار از {persian_digits(most)} کار هم‌زمان مجاز را در دست "
            "دارید؛ تا پایان یا تحویل یکی از کارهای جاری ارجاع تازه‌ای به شما نمی‌رسد"
        )
    total = capacity_m2(s, policy, on)
    if total <= 0:
        return (
            "ظرفیت نظارت شما صفر است (سهم نظارت در خوداظهاری امسال صفر است یا خوداظهاری "
            "ندارید): درصد نظارت را در خوداظهاری اصلاح کنید"
        )
    if all(remaining_m2(s, policy, on, d) <= 0 for d in disciplines):
        return (
            f"ظرفیت نظارت شما پر است: {_m2(s.used_m2)} از {_m2(total)} مترمربع در کارهای جاری "
            "است؛ تا پایان یکی از آن‌ها یا افزایش درصد نظارت در خوداظهاری ارجاع تازه‌ای نمی‌رسد"
        )
    return ""

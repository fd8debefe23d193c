"""U1 + issue 5: the administrator's view of the versioned policy tables ([policy] in rules.md).

Every key with the value in force, the instant it took effect, whether the figure is published
(with its source) or the product's default (editable), and each key's history. A change is a
new version from a date (earlier versions stay); the whole policy is validated through
`policy_store.set_policy` and a bad value is refused in Persian, naming the key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import select

from ..db.models import PolicyVersion
from ..db.policy_store import policy_values, set_policy
from ..domain.calendar import at_local, local_date
from ..domain.digits import persian_digits
from ..domain.errors import InputError
from ..domain.policy import POLICY_KEYS, Policy, PolicyError
from ..domain.text import day_ok
from .context import ServiceContext, audit
from .permissions import require
from .registry import use_case

POLICY_FA = {
    "capacity_total_m2": "ظرفیت کل (متر مربع) به تفکیک پایه",
    "conviction_bar_degree": "درجه محکومیت انتظامی مانع ارجاع",
    "deadline_time": "ساعت پایان مهلت کاندیداتوری",
    "discipline_area_factor": "ضریب مساحت هر رشته",
    "grade_groups": "گروه‌های مجاز هر پایه",
    "group_by_area": "گروه ساختمانی بر اساس مساحت",
    "group_by_floors": "گروه ساختمانی بر اساس تعداد طبقات",
    "max_active_jobs": "حداکثر کار هم‌زمان",
    "max_cancellations_per_day": "حداکثر انصراف در روز",
    "max_extensions": "حداکثر دفعات تمدید",
    "minimum_billable_area_m2": "حداقل مساحت مبنای حق‌الزحمه (متر مربع)",
    "organization_share": "سهم سازمان",
    "payout_stages": "مراحل پرداخت حق‌الزحمه (درصد)",
    "penalty_exempt_disciplines": "رشته‌های معاف از جریمه",
    "project_score_per_m2": "کسر امتیاز به ازای هر متر مربع",
    "score_period": "دوره کسر امتیاز",
    "signing_window": "بازه مراجعه برای امضا",
    "survey_required_when": "شرط لزوم نقشه‌برداری",
    "weekend": "تعطیلی آخر هفته",
    "withdrawal_recovery_per_day": "بازگشت امتیاز انصراف در روز",
}


@dataclass(frozen=True)
class PolicyRow:
    key: str
    label: str
    value: Any
    effective_from: datetime
    status: str  # published | default | scenario
    source: str
    created_by: str
    created_at: datetime | None = None


def label(key: str) -> str:
    return POLICY_FA.get(key, key)


def _row(v: PolicyVersion) -> PolicyRow:
    return PolicyRow(
        v.key,
        label(v.key),
        v.value,
        v.effective_from,
        v.status,
        v.source or "",
        v.created_by or "",
        v.created_at,
    )


@use_case(writes=False, server=("at",))
def current_policy(ctx: ServiceContext, at: datetime | None = None) -> list[PolicyRow]:
    """Each key's version in force at `at` (now), in the order of the rulebook's keys."""
    require(ctx, "policy.edit")
    if at is not None and not day_ok(at):
        raise InputError("at", "زمان باید با منطقه زمانی و در بازه تقویم دفتر باشد")
    at = at or ctx.now()
    with ctx.tx() as s:
        best: dict[str, PolicyVersion] = {}
        for v in s.scalars(
            select(PolicyVersion)
            .where(PolicyVersion.effective_from <= at)
            .order_by(PolicyVersion.effective_from)
        ):
            best[v.key] = v
        return [_row(best[k]) for k in POLICY_KEYS if k in best]


@use_case(writes=False)
def policy_history(ctx: ServiceContext, key: str) -> list[PolicyRow]:
    """Every version of one key, the newest effective date first (future ones included)."""
    require(ctx, "policy.edit")
    if key not in POLICY_KEYS:
        raise InputError("key", f"کلید سیاستی «{key}» شناخته نیست")
    with ctx.tx() as s:
        return [
            _row(v)
            for v in s.scalars(
                select(PolicyVersion)
                .where(PolicyVersion.key == key)
                .order_by(PolicyVersion.effective_from.desc())
            )
        ]


# the refusals in Persian, their figures in Persian digits and a Persian example (a Latin
# «HH:MM» or «≥ 0» means nothing to the office)
_DETAIL_FA = (
    (
        re.compile(r"a whole number ≥ (\d+) and below 10\^12 is expected"),
        "عدد صحیح بزرگ‌تر یا مساوی {0} و کمتر از ۱۰۰۰ میلیارد لازم است",
    ),
    (re.compile(r"a whole number ≥ (\d+) is expected"), "عدد صحیح بزرگ‌تر یا مساوی {0} لازم است"),
    (
        re.compile(r"a number ≥ 0 and below 10\^12 is expected"),
        "عددی بزرگ‌تر یا مساوی ۰ و کمتر از ۱۰۰۰ میلیارد لازم است",
    ),
    (re.compile(r"a number ≥ (\d+) is expected"), "عددی بزرگ‌تر یا مساوی {0} لازم است"),
    (re.compile(r"at most (\d+) decimal places"), "عددی با دست‌بالا {0} رقم اعشار لازم است"),
    (re.compile(r"a number is expected"), "عدد لازم است"),
    (
        re.compile(r"a time HH:MM is expected"),
        "ساعت به شکل ساعت:دقیقه لازم است (مثلاً ۰۸:۰۰)",
    ),
    (
        re.compile(r"\[start, end\] is expected"),
        "بازه به شکل ساعت آغاز تا ساعت پایان لازم است (مثلاً ۰۸:۰۰ تا ۱۲:۰۰)",
    ),
    (re.compile(r"percents must add up to 100"), "جمع درصدها باید ۱۰۰ باشد"),
    (re.compile(r"list of \[limit, group\] pairs"), "فهرستی از جفت‌های [حد، گروه] لازم است"),
    (re.compile(r"must open before it closes"), "آغاز بازه امضا باید پیش از پایان آن باشد"),
    (re.compile(r"groups among A–D"), "گروه‌های هر پایه باید از میان الف تا د باشد"),
    (re.compile(r"unknown discipline"), "رشته شناخته‌شده‌ای نیست"),
    (
        re.compile(r"fraction from 0 up to 1"),
        "کسری از صفر تا کمتر از یک لازم است (۰٫۰۵ یعنی ۵ درصد)",
    ),
)


def _persian_detail(exc: Exception) -> str:
    text = str(exc)
    for pattern, fa in _DETAIL_FA:
        m = pattern.search(text)
        if m:
            return fa.format(*(persian_digits(g) for g in m.groups()))
    return "با قواعد جدول سیاستی سازگار نیست"


def _instant(effective_from: date | datetime) -> datetime:
    if isinstance(effective_from, datetime):
        return effective_from
    return at_local(effective_from, time.min)


@use_case(writes=True)
def update_policy(
    ctx: ServiceContext,
    key: str,
    value: Any,
    effective_from: date | datetime,
    source: str = "",
) -> PolicyRow:
    """A new version of `key` from `effective_from` (a Jalali day starts at local midnight).
    With a source the figure is «published», without one the product's default. A version
    takes effect from now on (today's date: from this moment; an earlier instant is refused, as
    the runs already decided under the old one stand), and one not yet in effect is replaced
    by another on the same instant. Nothing is written when the value is refused."""
    require(ctx, "policy.edit")
    if key not in POLICY_KEYS:
        raise InputError("key", f"کلید سیاستی «{key}» شناخته نیست")
    if not day_ok(effective_from):
        raise InputError(
            "effective_from",
            "تاریخ اجرا باید روزی از تقویم دفتر (۱۳۵۸ تا ۱۵۰۰) با منطقه زمانی باشد",
        )
    at = _instant(effective_from)
    source = (source or "").strip()
    now = ctx.now()
    if not isinstance(effective_from, datetime) and effective_from == local_date(now):
        at = max(at, now)  # "from today": from this moment, not back to this morning
    if at < now:  # what was decided under a version stays decided under it (A10)
        raise InputError(
            "effective_from",
            "سیاست از این پس اجرا می‌شود: تاریخ اجرا نمی‌تواند پیش از اکنون باشد "
            "(آنچه با نسخه پیشین تصمیم گرفته شده با همان نسخه می‌ماند)؛ چیزی تغییر نکرد",
        )
    with ctx.tx() as s:
        before = policy_values(s, at).get(key)
        same = s.scalar(
            select(PolicyVersion).where(
                PolicyVersion.key == key, PolicyVersion.effective_from == at
            )
        )
        try:
            if same is None:
                set_policy(s, key, value, at, ctx.actor.username, source, now)
            else:
                raw = policy_values(s, at)
                raw[key] = value
                Policy.from_mapping(raw)
                same.value, same.source = value, source
                same.status = "published" if source else "default"
                same.created_by, same.created_at = ctx.actor.username, now
                s.flush()
        except (PolicyError, TypeError, ValueError, AttributeError) as exc:
            raise InputError(
                key,
                f"مقدار «{label(key)}» ({key}) پذیرفته نشد: {_persian_detail(exc)}؛ "
                "چیزی تغییر نکرد",
            ) from exc
        audit(
            s,
            ctx,
            "policy.set",
            "policy",
            key,
            before={"value": before},
            after={"value": value, "effective_from": at.isoformat(), "source": source},
        )
        v = s.scalar(
            select(PolicyVersion).where(
                PolicyVersion.key == key, PolicyVersion.effective_from == at
            )
        )
        return _row(v)

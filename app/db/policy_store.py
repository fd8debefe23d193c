"""Versioned policy tables: the value of each key in force at an instant, plus holidays."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session

from ..domain.calendar import (
    WorkCalendar,
    at_local,
    coverage_problem,
    last_day_of_jalali_year,
    local_date,
    parse_jalali_date,
)
from ..domain.errors import InputError
from ..domain.policy import Policy
from ..resources import policy_defaults
from .models import Counter, Holiday, PolicyVersion

EPOCH_DAY = date(1979, 3, 21)  # 1358-01-01: before any data the product will hold


def seed_policy(session: Session, now: datetime, overrides: dict[str, Any] | None = None) -> int:
    """Insert the shipped defaults once (a fresh database), with a scenario's overrides in
    their place; the whole policy is validated first. Returns how many keys were added."""
    overrides = overrides or {}
    values = {k: overrides.get(k, row["value"]) for k, row in policy_defaults().items()}
    Policy.from_mapping(values)  # PolicyError on a bad override
    have = set(session.scalars(select(PolicyVersion.key).distinct()))
    added = 0
    for key, row in policy_defaults().items():
        if key in have:
            continue
        session.add(
            PolicyVersion(
                key=key,
                value=values[key],
                status="scenario" if key in overrides else row.get("status", "default"),
                source="scenario" if key in overrides else row.get("source", ""),
                created_at=now,
                created_by="system",
                effective_from=at_local(EPOCH_DAY, datetime.min.time()),
            )
        )
        added += 1
    return added


def set_policy(
    session: Session,
    key: str,
    value: Any,
    effective_from: datetime,
    by: str,
    source: str = "",
    now: datetime | None = None,
) -> None:
    """A new version of one key; the full policy is validated before it is accepted."""
    raw = policy_values(session, effective_from)
    raw[key] = value
    Policy.from_mapping(raw)  # raises PolicyError on a bad value
    session.add(
        PolicyVersion(
            key=key,
            value=value,
            effective_from=effective_from,
            status="published" if source else "default",
            source=source,
            created_at=now or effective_from,
            created_by=by,
        )
    )
    session.flush()


def _values_at() -> Select[Any]:
    latest = (
        select(PolicyVersion.key, func.max(PolicyVersion.effective_from).label("eff"))
        .where(PolicyVersion.effective_from <= bindparam("at"))
        .group_by(PolicyVersion.key)
        .subquery()
    )
    return select(PolicyVersion.key, PolicyVersion.value).join(
        latest,
        (PolicyVersion.key == latest.c.key) & (PolicyVersion.effective_from == latest.c.eff),
    )


_VALUES_AT = _values_at()  # built once: every service call reads the policy


def policy_values(session: Session, at: datetime) -> dict[str, Any]:
    return {k: v for k, v in session.execute(_VALUES_AT, {"at": at})}


def policy_at(session: Session, at: datetime) -> Policy:
    return Policy.from_mapping(policy_values(session, at))


def add_holidays(session: Session, days: Iterable[tuple[date, str]]) -> int:
    """Days not yet in the table added (a day already there, or given twice, keeps its first
    title); how many. One read of the days already there, one insert."""
    wanted: dict[date, str] = {}
    for d, title in days:
        wanted.setdefault(d, title[:200])
    there = set(session.scalars(select(Holiday.day).where(Holiday.day.in_(list(wanted)))))
    new = [Holiday(day=d, title=t) for d, t in wanted.items() if d not in there]
    session.add_all(new)
    session.flush()
    return len(new)


THROUGH = "holidays:through"  # a Counter row: the last Jalali year the holiday table covers


def holidays_through(session: Session) -> date | None:
    """The last day the office's holiday table covers (None: no official calendar loaded, as
    in a replay, whose calendar is exactly Fridays and its holidays)."""
    year = session.scalar(select(Counter.value).where(Counter.name == THROUGH))
    return None if year is None else last_day_of_jalali_year(year)


def set_holidays_through(session: Session, year: int) -> None:
    row = session.get(Counter, THROUGH)
    if row is None:
        session.add(Counter(name=THROUGH, value=year))
    else:
        row.value = max(row.value, year)


def check_covered(session: Session, *instants: datetime | None) -> None:
    """Refuse (InputError, Persian) to put a deadline or a signing window on a day the
    holiday table does not cover: after its end Nowruz would be taken for a working day."""
    why = coverage_problem(
        [local_date(i) for i in instants if i is not None], holidays_through(session)
    )
    if why:
        raise InputError("calendar", why)


def calendar_at(session: Session, policy: Policy) -> WorkCalendar:
    return WorkCalendar.of(policy.weekend, session.scalars(select(Holiday.day)))


def holiday_from_jalali(text: str, title: str = "") -> tuple[date, str]:
    return parse_jalali_date(text), title

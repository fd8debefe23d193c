"""Fixtures and small factories for the pure domain tests (no database, no Qt, no clock).

The default policy is built from the shipped `resources/policy/*.json` files, read directly.
Factories are exposed as session-scoped fixtures returning plain functions, so they also work
inside hypothesis tests.

Calendar anchors used throughout (Jalali 1405, Iran time):
    1405-08-26 Tuesday, 1405-08-27 Wednesday, 1405-08-28 Thursday,
    1405-08-29 Friday (weekend), 1405-08-30 Saturday.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from app.domain.allocation import Candidate, DeadlineSnapshot, DueReferral
from app.domain.calendar import WorkCalendar, parse_jalali_date, parse_jalali_datetime
from app.domain.codes import DISCIPLINES
from app.domain.eligibility import ReferralFacts
from app.domain.policy import Policy
from app.domain.state import Competence, Declaration, SupervisorState

POLICY_DIR = Path(__file__).resolve().parents[2] / "resources" / "policy"

YEAR = 1405
# A Tuesday deadline: 1405-08-26 20:00 Iran time.
DEADLINE = "1405-08-26 20:00"


def T(text: str) -> datetime:
    """Jalali `YYYY-MM-DD HH:MM`, Iran time → aware datetime."""
    return parse_jalali_datetime(text)


def load_policy_values() -> dict[str, Any]:
    values: dict[str, Any] = {}
    for f in sorted(POLICY_DIR.glob("*.json")):
        row = json.loads(f.read_text(encoding="utf-8"))
        values[row["key"]] = row["value"]
    return values


def make_engineer(
    eid: int,
    *,
    membership_no: str | None = None,
    grade: str = "1",
    disciplines: Iterable[str] = DISCIPLINES,
    competences=None,
    declaration: Declaration | str | None = "default",
    groups: Iterable[str] = "ABCD",
    percent: Decimal | int = 100,
    base_score: Decimal | int | str = 100,
    used_m2: Decimal | int | str = 0,
    **kw: Any,
) -> SupervisorState:
    """An engineer who passes every rule unless told otherwise.

    Grade 1 supervision in every discipline (19,200 m² × percent), membership paid for 1405,
    a ready 1405 declaration with the rules accepted, listing groups A–D.
    """
    if competences is None:
        competences = tuple(Competence(d, grade) for d in disciplines)
    if declaration == "default":
        declaration = Declaration(YEAR, True, True, frozenset(groups), Decimal(percent))
    kw.setdefault("membership_paid_through", YEAR)
    return SupervisorState(
        id=eid,
        membership_no=membership_no if membership_no is not None else f"M{eid:03d}",
        competences=tuple(competences),
        declaration=declaration,
        base_score=Decimal(base_score),
        used_m2=Decimal(used_m2),
        **kw,
    )


def make_referral(
    referral_id: int = 1,
    project_id: int = 1,
    discipline: str = "civil",
    *,
    group: str = "B",
    area: Decimal | int | str = 300,
    owners: Iterable[str] = (),
    withdrawn: Iterable[int] = (),
) -> ReferralFacts:
    return ReferralFacts(
        referral_id,
        project_id,
        discipline,
        group,
        Decimal(area),
        frozenset(owners),
        frozenset(withdrawn),
    )


def make_due(
    facts: ReferralFacts,
    candidates: Iterable[tuple[int, str]] = (),
    *,
    file_no: str = "1405-0001",
    entered_at: str = "1405-08-25 09:00",
    round_no: int = 1,
    round_kind: str = "candidacy",
) -> DueReferral:
    """`candidates` are (engineer id, Jalali time they stood)."""
    return DueReferral(
        facts,
        file_no,
        T(entered_at),
        round_no,
        round_kind,
        tuple(Candidate(e, T(at)) for e, at in candidates),
    )


def make_snapshot(
    referrals: Iterable[DueReferral],
    supervisors: Iterable[SupervisorState],
    *,
    at: str = DEADLINE,
    pools: dict[str, tuple[int, ...]] | None = None,
    chosen: dict[int, frozenset[int]] | None = None,
) -> DeadlineSnapshot:
    """Pools default to every supervisor, for every discipline."""
    people = {s.id: s for s in supervisors}
    if pools is None:
        pools = {d: tuple(sorted(people)) for d in DISCIPLINES}
    return DeadlineSnapshot(T(at), tuple(referrals), people, pools, chosen or {})


@pytest.fixture(scope="session")
def policy_values() -> dict[str, Any]:
    """A fresh deep copy is not needed by readers; use `make_policy` to override."""
    return load_policy_values()


@pytest.fixture(scope="session")
def policy(policy_values) -> Policy:
    return Policy.from_mapping(copy.deepcopy(policy_values))


@pytest.fixture(scope="session")
def make_policy(policy_values):
    def _make(**overrides: Any) -> Policy:
        raw = copy.deepcopy(policy_values)
        raw.update(overrides)
        return Policy.from_mapping(raw)

    return _make


@pytest.fixture(scope="session")
def cal(policy) -> WorkCalendar:
    """The policy's weekend, no holidays."""
    return WorkCalendar.of(policy.weekend, ())


@pytest.fixture(scope="session")
def cal_with_holidays(policy):
    def _make(*jalali_days: str) -> WorkCalendar:
        return WorkCalendar.of(policy.weekend, [parse_jalali_date(d) for d in jalali_days])

    return _make


@pytest.fixture(scope="session")
def engineer():
    return make_engineer


@pytest.fixture(scope="session")
def referral():
    return make_referral


@pytest.fixture(scope="session")
def due():
    return make_due


@pytest.fixture(scope="session")
def snapshot():
    return make_snapshot


@pytest.fixture(scope="session")
def factories():
    """All factories in one namespace, for hypothesis strategies (`f.engineer(...)`)."""
    return SimpleNamespace(
        engineer=make_engineer, referral=make_referral, due=make_due, snapshot=make_snapshot
    )

"""Immutable facts about a supervisor (engineer or firm) at the moment of a check.

The database layer builds these with set-based queries; the rules below only read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True)
class Competence:
    discipline: str
    grade: str
    kind: str = "supervision"
    expires: date | None = None

    def valid_on(self, on: date) -> bool:
        return self.expires is None or on <= self.expires


@dataclass(frozen=True)
class Conviction:
    degree: int
    start: date
    end: date | None = None  # None: in force until lifted

    def in_force(self, on: date) -> bool:
        return self.start <= on and (self.end is None or on <= self.end)


@dataclass(frozen=True)
class Declaration:
    """The yearly self-declaration (C1): ready, groups wanted, supervision share (S2)."""

    year: int
    ready: bool
    rules_accepted: bool
    groups: frozenset[str]
    supervision_percent: Decimal


@dataclass(frozen=True)
class Charge:
    """A project score taken at selection (A4); negative when given back (W2, surveyors)."""

    at: datetime
    year: int
    points: Decimal


@dataclass(frozen=True)
class Penalty:
    """A withdrawal penalty (W2): worth `base` at `at`, shrinking by `per_day` each full day."""

    at: datetime
    base: Decimal
    per_day: Decimal


@dataclass(frozen=True)
class SupervisorState:
    id: int
    membership_no: str
    kind: str = "person"  # person | firm
    national_id: str | None = None
    resident_in_province: bool = True
    legal_incapacity: bool = False
    active_execution_project: bool = False
    design_build_qualified: bool = False
    employed_by_permit_authority: bool = False
    licence_expires: date | None = None  # None: no expiry recorded (valid)
    membership_paid_through: int | None = None
    convictions: tuple[Conviction, ...] = ()
    competences: tuple[Competence, ...] = ()
    declaration: Declaration | None = None  # the declaration of the check's Jalali year
    financial_ties: frozenset[str] = frozenset()
    base_score: Decimal = Decimal(0)
    charges: tuple[Charge, ...] = ()
    penalties: tuple[Penalty, ...] = ()
    used_m2: Decimal = Decimal(0)
    active_jobs: int = 0
    members: tuple[SupervisorState, ...] = field(default=())  # a firm's member engineers (G2, G3)

    def declaration_for(self, year: int) -> Declaration | None:
        d = self.declaration
        return d if d is not None and d.year == year else None

"""Plain data the services take and return (never ORM objects)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True)
class CompetenceIn:
    discipline: str
    grade: str
    kind: str = "supervision"
    expires: date | None = None


@dataclass(frozen=True)
class ConvictionIn:
    degree: int
    start: date
    end: date | None = None


@dataclass(frozen=True)
class DeclarationIn:
    year: int
    ready: bool
    rules_accepted: bool
    groups: tuple[str, ...]
    supervision_percent: Decimal


@dataclass(frozen=True)
class JobIn:
    """Work held before the product knew the engineer: a job slot, and area when supervision."""

    kind: str = "supervision"
    area: Decimal = Decimal(0)


@dataclass(frozen=True)
class EngineerIn:
    membership_no: str
    competences: tuple[CompetenceIn, ...]
    base_score: Decimal
    kind: str = "person"
    national_id: str | None = None
    first_name: str = ""
    last_name: str = ""
    father_name: str = ""
    mobile: str | None = None
    licence_no: str | None = None
    licence_expires: date | None = None
    member_since: int | None = None
    membership_paid_through: int | None = None
    resident_in_province: bool = True
    legal_incapacity: bool = False
    active_execution_project: bool = False
    design_build_qualified: bool = False
    employed_by_permit_authority: bool = False
    data_complete: bool = True
    convictions: tuple[ConvictionIn, ...] = ()
    declaration: DeclarationIn | None = None
    jobs: tuple[JobIn, ...] = ()
    financial_ties: tuple[str, ...] = ()
    iban: str | None = None  # شبا: the account stage payouts are transferred to (F3)
    # a firm's registration (شماره ثبت) and where it was registered (city or office); a
    # person has neither
    registration_no: str | None = None
    registration_place: str | None = None
    validate_ids: bool = True  # False for a replayed scenario: its codes are taken as given


# Fields `update_engineer` may change (everything but identity, and the Sheba number: finance
# changes a payee's account through `engineers.set_iban`).
UPDATABLE = frozenset(EngineerIn.__dataclass_fields__) - {
    "membership_no",
    "kind",
    "validate_ids",
    "iban",
}


@dataclass(frozen=True)
class EngineerSummary:
    id: int
    membership_no: str
    name: str
    kind: str
    national_id: str | None
    mobile: str | None
    score: Decimal
    capacity_m2: Decimal
    used_m2: Decimal
    active_jobs: int
    grade: str | None
    disciplines: tuple[str, ...]


@dataclass(frozen=True)
class OwnerIn:
    national_id: str
    first_name: str = ""
    last_name: str = ""
    father_name: str = ""
    mobile: str | None = None
    address: str = ""
    kind: str = "person"
    # a legal owner's registration number (digits) and registration office; a person has none
    registration_no: str | None = None
    registration_place: str | None = None


@dataclass(frozen=True)
class ReceiptIn:
    """The scan of an owner's bank receipt, kept with the fee payment (F2)."""

    filename: str
    mime: str  # image/jpeg, image/png or application/pdf
    content: bytes


@dataclass(frozen=True)
class ProjectIn:
    plate: str
    area: Decimal
    floors: int
    owners: tuple[OwnerIn, ...]
    disciplines: tuple[str, ...] = ()  # empty: the P4 defaults
    file_no: str | None = None  # None: generated
    address: str = ""
    municipal_file_no: str = ""
    use: str = "residential"  # app/domain/uses.py: residential | commercial | office | mixed
    # a mixed building's area by use, (code, area) each, adding up to `area`; () for one use
    use_areas: tuple[tuple[str, Decimal], ...] = ()
    brought_by_role: str = "owner"  # P1: owner | design_office | legal_rep
    brought_by_name: str = ""
    brought_by_national_id: str | None = None
    # a representative who brings natural-person owners' file on their power of attorney
    # (P1 legal_rep): its number, date and notary office (دفترخانه), printed on the contract
    poa_no: str | None = None
    poa_date: date | None = None
    poa_notary: str = ""
    enforce_p4: bool = True  # a replayed scenario describes its referrals as given
    validate_ids: bool = True  # False for a replayed scenario: its codes are taken as given


@dataclass(frozen=True)
class ProjectSummary:
    id: int
    file_no: str
    plate: str
    area: Decimal
    floors: int
    group: str
    status: str
    ready_at: datetime | None
    disciplines: tuple[str, ...]
    referral_ids: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class RankedOut:
    engineer_id: int
    membership_no: str
    score: Decimal


@dataclass(frozen=True)
class RoundOut:
    no: int
    kind: str
    opened_at: datetime
    deadline: datetime
    outcome: str | None
    engineer_id: int | None
    ranking: tuple[RankedOut, ...]
    set_aside: tuple[tuple[int, str, tuple[str, ...]], ...]  # (id, membership no, rules)
    exclusions: dict[str, int]


@dataclass(frozen=True)
class ReferralOut:
    id: int
    project_id: int
    file_no: str
    discipline: str
    group: str
    area: Decimal
    status: str
    round_no: int
    engineer_id: int | None
    membership_no: str | None
    method: str | None
    selected_round: int | None
    decided_at: datetime | None
    sign_from: datetime | None
    sign_until: datetime | None
    deadline: datetime | None  # of the running round
    rounds: tuple[RoundOut, ...] = ()


@dataclass(frozen=True)
class CandidateOut:
    """C6: a candidate and their current score, public to everyone."""

    engineer_id: int
    membership_no: str
    name: str
    score: Decimal
    stood_at: datetime


@dataclass(frozen=True)
class CartableItem:
    referral_id: int
    file_no: str
    discipline: str
    group: str
    area: Decimal
    round_no: int
    round_kind: str
    deadline: datetime
    standing: bool
    candidates: int
    cancel_used: bool = False  # C4: his one cancel for this referral is spent


@dataclass(frozen=True)
class WhyNot:
    rule: str
    message: str


@dataclass(frozen=True)
class NotificationOut:
    id: int
    created_at: datetime
    engineer_id: int
    membership_no: str
    kind: str
    referral_id: int | None
    body: str


@dataclass(frozen=True)
class RunSummary:
    deadlines: int = 0
    signing_ends: int = 0
    decided: int = 0
    selected: int = 0
    extended: int = 0
    forced: int = 0
    unassigned: int = 0
    no_shows: int = 0
    skipped: int = 0  # already run by another desk

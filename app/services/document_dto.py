"""The plain data each printed document is drawn from (built by `app.services.documents`).

Values are raw (integers in rials, Decimal areas, `date`/`datetime`, Latin digits); the
report layer formats them (Jalali, Persian digits, words). Clause texts come from
`resources/documents/` with `{placeholders}` that the report fills from the same DTO.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any


class DocumentRefused(ValueError):
    """A document that must not be printed yet; `reasons` are Persian sentences."""

    def __init__(self, document: str, reasons: tuple[str, ...]):
        self.document = document
        self.reasons = tuple(reasons)
        super().__init__(f"{document} قابل چاپ نیست: " + "؛ ".join(self.reasons))


@dataclass(frozen=True)
class OrganizationInfo:
    name: str
    unit: str
    address: str
    phone: str
    website: str
    account: str  # the organization's account for supervision fees
    representative_title: str


@dataclass(frozen=True)
class OwnerParty:
    name: str
    father_name: str
    national_id: str
    mobile: str
    address: str
    share: Decimal | None = None


@dataclass(frozen=True)
class AttorneyParty:
    name: str
    national_id: str
    role: str  # P1: design_office | legal_rep (Persian label in `role_fa`)
    role_fa: str
    poa_no: str = ""  # power-of-attorney number and date: not kept in the database yet
    poa_date: date | None = None


@dataclass(frozen=True)
class PropertyInfo:
    file_no: str
    plate: str
    address: str
    municipal_file_no: str
    group: str  # A..D
    floors: int
    area_m2: Decimal
    use: str  # e.g. residential (Persian in `use_fa`)
    use_fa: str
    structure_type: str = ""  # not kept in the database yet
    permit_no: str = ""  # not kept in the database yet
    municipal_district: str = ""  # not kept in the database yet


@dataclass(frozen=True)
class SupervisorRow:
    referral_id: int
    discipline: str
    engineer_id: int
    name: str
    father_name: str
    national_id: str
    membership_no: str
    licence_no: str
    grade: str | None  # 3 | 2 | 1 | senior
    area_m2: Decimal  # charged to capacity
    coordinating: bool = False
    municipal_code: str = ""  # municipal supervision code: not kept in the database yet
    status: str = "signed"


@dataclass(frozen=True)
class FeeLine:
    discipline: str
    amount_rials: int
    # Where the figure comes from: "fee_payments" (the approved payments) until the tariff
    # tables exist; then "tariff" (area × tariff).
    source: str = "fee_payments"
    tracking_nos: tuple[str, ...] = ()
    paid_on: date | None = None
    bank: str = ""
    status: str = "approved"  # approved | pending | rejected | missing
    pending_rials: int = 0  # payments recorded but not yet decided by finance (F2)


@dataclass(frozen=True)
class StageLine:
    key: str  # permit | foundation | …
    title: str  # Persian
    percent: int
    amount_rials: int


@dataclass(frozen=True)
class Article:
    title: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class ContractDTO:
    organization: OrganizationInfo
    contract_no: str
    on: date
    owners: tuple[OwnerParty, ...]
    attorney: AttorneyParty | None
    supervisors: tuple[SupervisorRow, ...]
    property: PropertyInfo
    fees: tuple[FeeLine, ...]
    total_fee_rials: int
    organization_share: Decimal  # e.g. 0.05
    organization_share_rials: int
    stages: tuple[StageLine, ...]
    duration_months: int
    articles: tuple[Article, ...]
    copies: int
    qr_payload: str
    fee_source_note: str = ""
    values: dict[str, Any] = field(default_factory=dict)  # extra placeholders for articles
    # the coordinating discipline when its supervisor is not selected yet (e.g. civil still open)
    coordinator_pending: str | None = None


@dataclass(frozen=True)
class Undertaking:
    rule: str  # S4, S5, …
    text: str


@dataclass(frozen=True)
class CommitmentDTO:
    organization: OrganizationInfo
    on: date
    supervisor: SupervisorRow
    discipline_fa: str
    capacity_m2: Decimal
    used_m2: Decimal  # including this referral's hold
    remaining_m2: Decimal  # after this referral
    active_jobs: int
    max_active_jobs: int
    property: PropertyInfo
    owner_names: tuple[str, ...]
    undertakings: tuple[Undertaking, ...]
    closing: str
    qr_payload: str


@dataclass(frozen=True)
class ChecklistLine:
    title: str
    required: bool
    received: bool


@dataclass(frozen=True)
class ReceiptDTO:
    organization: OrganizationInfo
    file_no: str
    tracking_code: str
    received_at: datetime
    owners: tuple[OwnerParty, ...]
    brought_by_role: str
    brought_by_role_fa: str
    brought_by_name: str
    brought_by_national_id: str
    property: PropertyInfo
    disciplines: tuple[str, ...]
    documents: tuple[ChecklistLine, ...]
    fees: tuple[FeeLine, ...]
    next_steps: tuple[str, ...]
    qr_payload: str


@dataclass(frozen=True)
class LetterDTO:
    organization: OrganizationInfo
    letter_no: str
    on: date
    addressee: str
    property: PropertyInfo
    owner_names: tuple[str, ...]
    fees: tuple[FeeLine, ...]
    supervisors: tuple[SupervisorRow, ...]
    body: tuple[str, ...]
    closing: str
    signer_title: str
    qr_payload: str
    salutation: str = "با سلام و احترام،"
    seal_note: str = "این نامه بدون مهر سازمان و امضای صادرکننده فاقد اعتبار است."
    refusals: tuple[str, ...] = ()  # non-empty: the letter must not be printed


@dataclass(frozen=True)
class RankedLine:
    rank: int
    engineer_id: int
    membership_no: str
    name: str
    grade: str | None
    score: Decimal
    winner: bool = False


@dataclass(frozen=True)
class SetAsideLine:
    engineer_id: int
    membership_no: str
    name: str
    rules: tuple[str, ...]


@dataclass(frozen=True)
class DecisionBlock:
    referral_id: int
    file_no: str
    discipline: str
    group: str
    area_m2: Decimal
    round_no: int
    round_kind: str  # candidacy | forced
    outcome: str  # selected | extended | forced | unassigned
    winner: RankedLine | None
    next_deadline: datetime | None
    ranked: tuple[RankedLine, ...]
    set_aside: tuple[SetAsideLine, ...]
    exclusions: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class DailyReportDTO:
    organization: OrganizationInfo
    run_id: int
    deadline: datetime
    finished_at: datetime
    decided: int
    input_digest: str
    output_digest: str
    blocks: tuple[DecisionBlock, ...]

"""The plain data each printed paper is drawn from (built by `app.services.documents`, issued as
a record by `app.services.papers`).

Values are raw (integers in rials, Decimal areas, `date`/`datetime`, Latin digits); the
report layer formats them (Jalali, Persian digits, words). Clause texts come from
`resources/documents/` with `{placeholders}` that the report fills from the same DTO.

A DTO holds what the paper states and nothing of the moment it is printed: the same facts give
the same DTO, hence the same content digest, the same issued paper (a reprint). What belongs
to the issue and the print — number, issue date, verification code, «چاپ دوباره», print time — is
the `PaperStamp` beside it.
"""

from __future__ import annotations

from collections.abc import Iterable
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
class AddendumChange:
    """What an addendum did to its contract for one discipline: the supervisor who joined it
    and, when he took the place of one named before, who left and why."""

    discipline: str
    name: str  # the joining supervisor
    replaced: str = ""  # the supervisor he replaced ("" none: the discipline was still open)
    reason: str = ""  # why the replaced one left: written | no_show | "" (not recorded)
    on: date | None = None  # when


@dataclass(frozen=True)
class AddendumNote:
    """An addendum issued for a contract and in force, as the contract's reprint notes it."""

    seq: int
    number: str
    issued_at: datetime
    signed: bool  # a party has signed it (unsigned: issued, waiting for its signatures)
    changes: tuple[AddendumChange, ...] = ()


@dataclass(frozen=True)
class PermitNote:
    """A building permit recorded after a contract was signed without one (clause 2-1: its
    number and date are made known to the parties and become part of the contract)."""

    permit_no: str
    permit_date: date
    recorded_at: datetime


@dataclass(frozen=True)
class PaperStamp:
    """An issued paper's identity (app/services/papers.py): its number in the outgoing
    register, when and by whom it was issued, its verification code and check address, the
    paper it replaces; and this print: a reprint with its own print time, a copy («رونوشت»)
    once nobody has still to sign it."""

    number: str
    kind: str
    issued_at: datetime
    issued_by: str  # the issuing user's name
    code: str  # K7QM-2XWD-9RPA
    check_url: str  # <public URL>/verify/<code>
    replaces_number: str = ""
    replaces_issued_at: datetime | None = None
    reprint: bool = False
    # a reprint no one still signs (every signature it asks for given, or no longer due): a
    # copy of the record, marked «رونوشت». A reprint for a supervisor still due to sign it
    # (the signing day's batch) is one of the originals he signs.
    copy: bool = False
    printed_at: datetime | None = None
    print_no: int = 1
    # a contract's print: the addenda issued for it since it was signed (a note the print adds
    # under its heading; the contract's own text stays as signed). Not part of any content.
    addenda: tuple[AddendumNote, ...] = ()
    # a contract signed before its permit was issued: the permit recorded since (clause 2-1)
    permit: PermitNote | None = None


@dataclass(frozen=True)
class OrganizationInfo:
    name: str  # with its province
    province: str
    unit: str
    address: str
    postal_code: str
    phone: str
    website: str
    public_url: str
    bank: str
    account_no: str
    iban: str
    representative_name: str  # signs contracts for the organization
    representative_title: str
    letter_signer_name: str
    letter_signer_title: str
    demo: bool = False


@dataclass(frozen=True)
class OwnerParty:
    name: str
    father_name: str
    national_id: str  # a person's national code, a legal person's national ID
    mobile: str
    address: str
    share: Decimal | None = None
    kind: str = "person"  # person | legal
    # a legal person signs through its managing director / authorised signatory (P1)
    signatory_name: str = ""
    signatory_national_id: str = ""
    signatory_title: str = ""
    # a legal person's registration number (شماره ثبت) and registration office, printed
    # beside its national ID; left out of an issued paper's content while empty
    # (`CONTENT_ADDED_LATER`). Without one the paper says it is not recorded.
    registration_no: str = ""
    registration_place: str = ""


@dataclass(frozen=True)
class AttorneyParty:
    """Who signs for natural-person owners under a power of attorney (P1 legal_rep)."""

    name: str
    national_id: str
    role: str
    role_fa: str
    # his power of attorney (documents.md, Parties): number, date, notary office; left out
    # of an issued paper's content while empty (`CONTENT_ADDED_LATER`)
    poa_no: str = ""
    poa_date: date | None = None
    poa_notary: str = ""


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
    registered_on: date | None = None  # the file's registration at the counter
    city: str = ""
    municipal_district: str = ""
    structure_fa: str = ""
    permit_no: str = ""
    permit_date: date | None = None
    # a mixed building's area by use (code, Persian name, m²) in the papers' order; () for a
    # building of one use (`CONTENT_ADDED_LATER`: left out of an issued paper's content then)
    use_areas: tuple[tuple[str, str, Decimal], ...] = ()


@dataclass(frozen=True)
class SupervisorRow:
    referral_id: int
    discipline: str
    engineer_id: int
    name: str
    father_name: str
    national_id: str  # a person's national code, a firm's national ID
    membership_no: str
    licence_no: str
    grade: str | None  # 3 | 2 | 1 | senior
    area_m2: Decimal  # charged to capacity
    coordinating: bool = False
    status: str = "signed"
    kind: str = "person"  # person | firm
    signatory: str = ""  # a firm's authorised signatory (its managing director)
    selected_on: date | None = None
    signed_on: date | None = None
    # a firm's registration number (شماره ثبت) and where it was registered; left out of an
    # issued paper's content while empty (`CONTENT_ADDED_LATER`)
    registration_no: str = ""
    registration_place: str = ""


# Fields added to the DTOs after papers were first issued: an issued paper's content (hence
# its digest, app/services/papers.py) leaves them out while they are empty, so a paper issued
# before they existed, unchanged since, is reprinted — not issued anew with a new number.
CONTENT_ADDED_LATER = frozenset(
    {
        "registration_no",
        "registration_place",
        "pending_disciplines",
        "firm",
        "rate_entered",
        "use_areas",
        "poa_no",
        "poa_date",
        "poa_notary",
    }
)

# Fields a kind of paper no longer holds because it does not print them (kind → (parent key,
# field)): they are left out of its content, and left out of an issued paper's stored content
# before it is compared with a new one — so a paper issued with them, unchanged in what it
# prints, is reprinted with its number. The counter receipt prints none of the permit section
# (permit number and date, city, district, structure) nor the municipal file number: a permit
# recorded after it does not make it a new paper.
CONTENT_DROPPED: dict[str, tuple[tuple[str, str], ...]] = {
    "receipt": tuple(
        ("property", k)
        for k in (
            "permit_no",
            "permit_date",
            "city",
            "municipal_district",
            "structure_fa",
            "municipal_file_no",
        )
    ),
}


# Fields added to a kind's content that always hold a value once they exist (kind → top-level
# keys): a paper issued before one existed lacks it, and is compared with a new content
# without it — unchanged otherwise, it is reprinted with its number (and prints the field from
# then on). The counter receipt's step telling the owner to come and sign the contract, and
# the clerk who registered the file.
RECEIPT_FA = "رسید پذیرش پرونده"
INCOMPLETE_RECEIPT_FA = "رسید دریافت مدارک (پرونده ناقص)"
NOTHING_RECEIVED_FA = "اعلام کسری مدارک پرونده"  # no document received: a list of what to bring


def receipt_title(documents: Iterable[tuple[bool, bool]]) -> str:
    """A receipt's title from its documents' (required, received): accepted when every
    required one is in, a receipt of documents while one is missing, and no receipt at all —
    a list of what to bring — when none has been received."""
    docs = list(documents)
    if not any(received for _, received in docs):
        return NOTHING_RECEIVED_FA
    if any(required and not received for required, received in docs):
        return INCOMPLETE_RECEIPT_FA
    return RECEIPT_FA


CONTENT_ADDED_SINCE: dict[str, tuple[str, ...]] = {"receipt": ("signing_step", "registered_by")}


@dataclass(frozen=True)
class FeeLine:
    """F1/F2 for one discipline: what the tariff asks (with the coordinator's fee for the
    coordinating discipline) and what the owner paid and finance approved."""

    discipline: str
    billable_m2: Decimal
    rials_per_m2: int | None  # None: the table in force has no such cell
    fee_rials: int | None
    coordinator_per_m2: int | None = None
    coordinator_rials: int = 0
    approved_rials: int = 0
    pending_rials: int = 0
    status: str = "approved"  # approved | short | pending | rejected | missing
    tracking_nos: tuple[str, ...] = ()
    paid_on: date | None = None
    bank: str = ""
    # the rate is the organization's own entry in the tariff table (status «entered»: the
    # survey column has no published amount), not a published figure; the papers attribute it
    # to the organization's approved rate (CONTENT_ADDED_LATER: left out while False)
    rate_entered: bool = False

    @property
    def due_rials(self) -> int | None:
        return None if self.fee_rials is None else self.fee_rials + self.coordinator_rials

    @property
    def outstanding_rials(self) -> int | None:
        due = self.due_rials
        return None if due is None else max(0, due - self.approved_rials)

    @property
    def to_pay_rials(self) -> int:
        """The balance less what was paid and waits for finance's approval."""
        return max(0, (self.outstanding_rials or 0) - self.pending_rials)


@dataclass(frozen=True)
class TariffRef:
    """F1: the table a file's fees come from, and its row."""

    year: int
    effective_from: date
    source: str
    group: str
    band: str
    minimum_m2: Decimal
    title: str = ""  # the table's printed name


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
    owners: tuple[OwnerParty, ...]
    attorney: AttorneyParty | None
    supervisors: tuple[SupervisorRow, ...]
    property: PropertyInfo
    fees: tuple[FeeLine, ...]
    tariff: TariffRef | None
    total_fee_rials: int  # Σ due by the tariff (or, without a tariff cell, what was paid)
    organization_share: Decimal  # e.g. 0.05
    organization_share_rials: int
    stages: tuple[StageLine, ...]
    duration_months: int
    articles: tuple[Article, ...]
    copy_holders: tuple[str, ...]  # one original for each signer
    values: dict[str, Any] = field(default_factory=dict)  # extra placeholders for articles
    # the coordinating discipline when its supervisor is not selected yet (e.g. civil still open)
    coordinator_pending: str | None = None
    # the disciplines whose supervisor is still to be chosen: they join by addendum (their fee
    # lines are in article 3 already); left out of the content while empty
    pending_disciplines: tuple[str, ...] = ()

    @property
    def copies(self) -> int:
        return len(self.copy_holders)


@dataclass(frozen=True)
class ReplacedSupervisor:
    """A supervisor named in the contract (or an earlier addendum) who never signed and whose
    referral went round again (W1 written withdrawal, A9 no-show)."""

    discipline: str
    name: str
    membership_no: str
    reason: str  # written | no_show | "" (not recorded)
    on: date | None = None
    named_in_seq: int = 0  # the paper that named him: 0 the contract, n addendum n
    named_in_number: str = ""  # that paper's number


@dataclass(frozen=True)
class AddendumDTO:
    """الحاقیه: a supervisor chosen after the project's contract was signed joins that contract
    (which stays as signed) by an addendum that names it; signed by the owners, the joining
    supervisors and the organization (app/services/addenda.py)."""

    organization: OrganizationInfo
    seq: int  # الحاقیه شماره n of this contract
    contract_number: str
    contract_issued_at: datetime
    owners: tuple[OwnerParty, ...]
    attorney: AttorneyParty | None
    supervisors: tuple[SupervisorRow, ...]  # the joining ones
    replaced: tuple[ReplacedSupervisor, ...]
    property: PropertyInfo
    fees: tuple[FeeLine, ...]  # the joining disciplines' lines of the contract's article 3
    tariff: TariffRef | None
    total_fee_rials: int
    articles: tuple[Article, ...]
    copy_holders: tuple[str, ...]
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def copies(self) -> int:
        return len(self.copy_holders)


@dataclass(frozen=True)
class Undertaking:
    clause: str  # the guideline's / Topic 2's clause it restates, in Persian
    text: str


@dataclass(frozen=True)
class CommitmentDTO:
    organization: OrganizationInfo
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
    intro: str
    closing: str
    signed_on: date | None  # A9: the day the clerk recorded the signature
    sign_on: date | None  # the signing window's day (before the signature is recorded)
    sign_from: str = ""  # 08:00
    sign_until: str = ""  # 12:00


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
    # a person's national code; a design office's own identifier (its national ID, or its
    # registration or licence number) as the counter recorded it — never the owner's; "" none
    brought_by_national_id: str
    property: PropertyInfo
    disciplines: tuple[str, ...]
    documents: tuple[ChecklistLine, ...]
    fees: tuple[FeeLine, ...]
    next_steps: tuple[str, ...]
    # who must come to sign the contract, when and with what (the owner; his attorney; a
    # company owner's managing director with the seal): a step of its own, added after
    # receipts were first issued (CONTENT_ADDED_SINCE)
    signing_step: str = ""
    registered_by: str = ""  # who registered the file at the counter (the trail's actor)

    @property
    def missing_required(self) -> tuple[str, ...]:
        return tuple(d.title for d in self.documents if d.required and not d.received)

    @property
    def title(self) -> str:
        """A file still missing a required document is not accepted: its receipt says so."""
        return receipt_title((d.required, d.received) for d in self.documents)

    @property
    def outstanding_rials(self) -> int:
        return sum(f.outstanding_rials or 0 for f in self.fees)

    @property
    def pending_rials(self) -> int:
        """Paid at the bank and brought to the counter, waiting for finance's approval."""
        return sum(f.pending_rials for f in self.fees)

    @property
    def to_pay_rials(self) -> int:
        """What the owner still has to pay: the balance less what is waiting for approval."""
        return sum(f.to_pay_rials for f in self.fees)


@dataclass(frozen=True)
class LetterDTO:
    organization: OrganizationInfo
    municipality: str  # شهرداری اهواز
    addressee: str
    property: PropertyInfo
    owner_names: tuple[str, ...]
    fees: tuple[FeeLine, ...]
    supervisors: tuple[SupervisorRow, ...]
    body: tuple[str, ...]
    closing: str
    attachments: tuple[str, ...]
    copies_to: tuple[str, ...]
    salutation: str = "با سلام و احترام،"
    seal_note: str = ""
    refusals: tuple[str, ...] = ()  # non-empty: the letter must not be issued


@dataclass(frozen=True)
class RankedLine:
    rank: int
    engineer_id: int
    membership_no: str
    name: str
    grade: str | None
    score: Decimal
    winner: bool = False
    # A2's tie-breaks, as they stood at the decision
    remaining_m2: Decimal | None = None
    active_jobs: int | None = None
    stood_at: datetime | None = None
    firm: bool = False  # a firm holds a rank (رتبه), not a grade (CONTENT_ADDED_LATER)


@dataclass(frozen=True)
class SetAsideLine:
    engineer_id: int
    membership_no: str
    name: str
    rules: tuple[str, ...]


@dataclass(frozen=True)
class LaterEvent:
    """Something that happened to a decided referral after its run (a dated note)."""

    at: datetime
    text: str


@dataclass(frozen=True)
class DecisionBlock:
    referral_id: int
    file_no: str
    discipline: str
    group: str
    area_m2: Decimal
    round_no: int
    round_kind: str  # candidacy | forced
    outcome: str  # as decided: selected | extended | forced | unassigned
    winner: RankedLine | None
    next_deadline: datetime | None
    ranked: tuple[RankedLine, ...]
    set_aside: tuple[SetAsideLine, ...]
    exclusions: dict[str, int] = field(default_factory=dict)
    seq: int = 0  # A3: the order the run decided it in (1 first)
    later: tuple[LaterEvent, ...] = ()
    entered_at: datetime | None = None  # A3's first key: when the file entered distribution


@dataclass(frozen=True)
class DailyReportDTO:
    organization: OrganizationInfo
    run_id: int
    deadline: datetime
    finished_at: datetime
    decided: int
    input_digest: str
    output_digest: str
    blocks: tuple[DecisionBlock, ...]  # in decision order (A3)
    inputs_url: str = ""  # where members get the run's inputs to re-check it (A10)
    rechecked: bool | None = None  # the stored inputs decided again gave the same digest

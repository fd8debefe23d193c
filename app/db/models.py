"""The data model (typed SQLAlchemy 2). Money in integer rials, areas and scores in hundredths,
instants in UTC. Supervisors are one table for engineers and firms (`kind`), so that a firm
can stand for a referral through the same candidacy, hold and ledger tables.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import (
    DDL,
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Double,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    event,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from .types import Hundredths, PublishedJSON, UTCDateTime

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        Decimal: Hundredths(),
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


def _fk(target: str, **kw: Any) -> Any:
    return mapped_column(ForeignKey(target, ondelete=kw.pop("ondelete", "RESTRICT")), **kw)


# ---------------------------------------------------------------- people and trust (U1, U2)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    engineer_id: Mapped[int | None] = _fk("engineers.id")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    created_at: Mapped[datetime]
    __table_args__ = (
        CheckConstraint(
            "role IN ('admin','clerk','finance','manager','engineer','system')", name="role"
        ),
    )


class AuditEntry(Base):
    """U2: who did what, when, before and after; chained by hash so a rewrite shows."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime]
    user_id: Mapped[int | None] = _fk("users.id")
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str | None] = mapped_column(String(40))
    before: Mapped[dict[str, Any] | None]
    after: Mapped[dict[str, Any] | None]
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))
    # the fingerprint of the key the line's hash is an HMAC under (app/keys.py); None: a line
    # from before the trail was keyed, chained by plain SHA-256
    key_id: Mapped[str | None] = mapped_column(String(16))
    __table_args__ = (Index(None, "entity", "entity_id"),)


# ---------------------------------------------------------------- policy and calendar


class PolicyVersion(Base):
    """A [policy] value with the instant it took effect; the newest effective one applies."""

    __tablename__ = "policy_versions"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    value: Mapped[Any] = mapped_column(JSON)
    effective_from: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="default")  # published | default
    source: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(120), default="system")
    __table_args__ = (UniqueConstraint("key", "effective_from"),)


class Holiday(Base):
    __tablename__ = "holidays"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    title: Mapped[str] = mapped_column(String(200), default="")


class Counter(Base):
    """Sequential numbers (file numbers per Jalali year)."""

    __tablename__ = "counters"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


# ---------------------------------------------------------------- supervisors


class Engineer(Base):
    """A supervisor: a natural-person engineer (`person`) or a legal entity (`firm`)."""

    __tablename__ = "engineers"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), default="person")
    membership_no: Mapped[str] = mapped_column(String(32), unique=True)
    national_id: Mapped[str | None] = mapped_column(String(11), unique=True)
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    father_name: Mapped[str] = mapped_column(String(100), default="")
    mobile: Mapped[str | None] = mapped_column(String(16))
    resident_in_province: Mapped[bool] = mapped_column(Boolean, default=True)  # G1
    legal_incapacity: Mapped[bool] = mapped_column(Boolean, default=False)  # G4
    active_execution_project: Mapped[bool] = mapped_column(Boolean, default=False)  # G5
    design_build_qualified: Mapped[bool] = mapped_column(Boolean, default=False)  # G6
    employed_by_permit_authority: Mapped[bool] = mapped_column(Boolean, default=False)  # S6
    data_complete: Mapped[bool] = mapped_column(Boolean, default=True)  # F5
    member_since: Mapped[int] = mapped_column(Integer)  # Jalali year
    membership_paid_through: Mapped[int | None] = mapped_column(Integer)  # G3, kept by F5 service
    base_score: Mapped[Decimal] = mapped_column(default=Decimal(0))
    iban: Mapped[str | None] = mapped_column(String(26))  # شبا, IR + 24 digits (mod 97-10)
    # a firm's registration (شماره ثبت, Latin digits) and where it was registered (the city or
    # registration office); a person has neither (app/services/engineers.py)
    registration_no: Mapped[str | None] = mapped_column(String(20))
    registration_place: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    __table_args__ = (CheckConstraint("kind IN ('person','firm')", name="kind"),)


class FirmMember(Base):
    """A legal entity's member engineers (G2, G3, F6)."""

    __tablename__ = "firm_members"
    firm_id: Mapped[int] = _fk("engineers.id", ondelete="CASCADE", primary_key=True)
    member_id: Mapped[int] = _fk("engineers.id", primary_key=True)
    role: Mapped[str] = mapped_column(String(40), default="member")
    joined_on: Mapped[date | None] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)


class Licence(Base):
    __tablename__ = "licences"
    id: Mapped[int] = mapped_column(primary_key=True)
    engineer_id: Mapped[int] = _fk("engineers.id", ondelete="CASCADE")
    number: Mapped[str] = mapped_column(String(40))
    issued_on: Mapped[date | None] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)  # None: no expiry
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    __table_args__ = (
        Index(
            "uq_licences_current",
            "engineer_id",
            unique=True,
            sqlite_where=text("is_current"),
            postgresql_where=text("is_current"),
        ),
    )


class Competence(Base):
    __tablename__ = "competences"
    id: Mapped[int] = mapped_column(primary_key=True)
    engineer_id: Mapped[int] = _fk("engineers.id", ondelete="CASCADE", index=True)
    discipline: Mapped[str] = mapped_column(String(8))
    grade: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(12), default="supervision")
    expires_on: Mapped[date | None] = mapped_column(Date)
    __table_args__ = (
        UniqueConstraint("engineer_id", "discipline", "kind"),
        Index(None, "discipline", "kind", "engineer_id"),
    )


class Conviction(Base):
    __tablename__ = "convictions"
    id: Mapped[int] = mapped_column(primary_key=True)
    engineer_id: Mapped[int] = _fk("engineers.id", ondelete="CASCADE", index=True)
    degree: Mapped[int] = mapped_column(Integer)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(String(80), default="")


class MembershipYear(Base):
    """F5: request → finance approval of the amount → payment; only then the year is valid."""

    __tablename__ = "membership_years"
    id: Mapped[int] = mapped_column(primary_key=True)
    engineer_id: Mapped[int] = _fk("engineers.id", ondelete="CASCADE")
    year: Mapped[int] = mapped_column(Integer)
    amount_rials: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(12))  # requested | approved | paid
    requested_at: Mapped[datetime]
    approved_at: Mapped[datetime | None]
    approved_by: Mapped[int | None] = _fk("users.id")
    paid_at: Mapped[datetime | None]
    payment_ref: Mapped[str | None] = mapped_column(String(64))
    __table_args__ = (UniqueConstraint("engineer_id", "year"),)


class DeclarationRow(Base):
    """The yearly self-declaration (C1, S2)."""

    __tablename__ = "declarations"
    id: Mapped[int] = mapped_column(primary_key=True)
    engineer_id: Mapped[int] = _fk("engineers.id", ondelete="CASCADE")
    year: Mapped[int] = mapped_column(Integer)
    ready: Mapped[bool] = mapped_column(Boolean)
    rules_accepted: Mapped[bool] = mapped_column(Boolean)
    groups: Mapped[str] = mapped_column(String(4))  # e.g. "ABC"
    supervision_percent: Mapped[Decimal]
    submitted_at: Mapped[datetime]
    __table_args__ = (UniqueConstraint("engineer_id", "year"), Index(None, "year", "ready"))


class FinancialTie(Base):
    """S5: a declared financial relationship between an engineer and a national code."""

    __tablename__ = "financial_ties"
    id: Mapped[int] = mapped_column(primary_key=True)
    engineer_id: Mapped[int] = _fk("engineers.id", ondelete="CASCADE")
    national_code: Mapped[str] = mapped_column(String(11))
    note: Mapped[str] = mapped_column(String(200), default="")
    __table_args__ = (
        UniqueConstraint("engineer_id", "national_code"),
        Index(None, "national_code"),
    )


class CapacityHold(Base):
    """S3/S7: area and a job slot held by a supervisor until completion or withdrawal."""

    __tablename__ = "capacity_holds"
    id: Mapped[int] = mapped_column(primary_key=True)
    engineer_id: Mapped[int] = _fk("engineers.id")
    referral_id: Mapped[int | None] = _fk("referrals.id")
    kind: Mapped[str] = mapped_column(String(12))  # referral | supervision | design
    area: Mapped[Decimal]
    held_from: Mapped[datetime]
    released_at: Mapped[datetime | None]
    release_reason: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(String(200), default="")
    __table_args__ = (
        Index(
            "ix_capacity_holds_active",
            "engineer_id",
            sqlite_where=text("released_at IS NULL"),
            postgresql_where=text("released_at IS NULL"),
        ),
        Index(None, "referral_id"),
    )


class ScoreEntry(Base):
    """The score ledger: project-score charges (A4), refunds and withdrawal penalties (W2)."""

    __tablename__ = "score_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    engineer_id: Mapped[int] = _fk("engineers.id", index=True)
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(12))  # charge | refund | penalty | base
    points: Mapped[Decimal]
    period_year: Mapped[int] = mapped_column(Integer)
    per_day: Mapped[Decimal | None]
    referral_id: Mapped[int | None] = _fk("referrals.id")
    note: Mapped[str] = mapped_column(String(200), default="")


# ---------------------------------------------------------------- owners and projects


class Owner(Base):
    __tablename__ = "owners"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), default="person")
    national_id: Mapped[str] = mapped_column(String(11), unique=True)
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    father_name: Mapped[str] = mapped_column(String(100), default="")
    mobile: Mapped[str | None] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(Text, default="")
    # a legal owner's registration (شماره ثبت) and registration office, as its contract states
    registration_no: Mapped[str | None] = mapped_column(String(20))
    registration_place: Mapped[str | None] = mapped_column(String(100))


class Project(Base):
    __tablename__ = "projects"
    id: Mapped[int] = mapped_column(primary_key=True)
    file_no: Mapped[str] = mapped_column(String(20), unique=True)
    plate: Mapped[str] = mapped_column(String(40))
    plate_key: Mapped[str] = mapped_column(String(40))  # normalised for P5
    address: Mapped[str] = mapped_column(Text, default="")
    municipal_file_no: Mapped[str] = mapped_column(String(40), default="")
    area: Mapped[Decimal]
    floors: Mapped[int] = mapped_column(Integer)
    group: Mapped[str] = mapped_column(String(1))  # P3, derived
    use: Mapped[str] = mapped_column(String(40), default="residential")
    # a mixed building's area by use (app/domain/uses.py): code → the area as a decimal
    # string, e.g. {"residential": "1500.00", "commercial": "629.70"}; None for one use
    use_areas: Mapped[dict[str, str] | None] = mapped_column(JSON)
    brought_by_role: Mapped[str] = mapped_column(String(16), default="owner")  # P1
    brought_by_name: Mapped[str] = mapped_column(String(200), default="")
    brought_by_national_id: Mapped[str | None] = mapped_column(String(11))
    # the natural-person owners' attorney's power of attorney (P1 legal_rep; documents.md)
    poa_no: Mapped[str | None] = mapped_column(String(40))
    poa_date: Mapped[date | None] = mapped_column(Date)
    poa_notary: Mapped[str | None] = mapped_column(String(120))
    drawings_approved: Mapped[bool] = mapped_column(Boolean, default=False)  # P2
    status: Mapped[str] = mapped_column(
        String(12), default="intake"
    )  # intake|distribution|completed|cancelled
    ready_at: Mapped[datetime | None]  # P2: when it entered distribution
    completed_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    __table_args__ = (
        Index(
            "uq_projects_open_plate",
            "plate_key",
            unique=True,
            sqlite_where=text("status IN ('intake','distribution')"),
            postgresql_where=text("status IN ('intake','distribution')"),
        ),
        CheckConstraint("area > 0", name="area_positive"),
        CheckConstraint("floors > 0", name="floors_positive"),
    )


class ProjectOwner(Base):
    __tablename__ = "project_owners"
    project_id: Mapped[int] = _fk("projects.id", ondelete="CASCADE", primary_key=True)
    owner_id: Mapped[int] = _fk("owners.id", primary_key=True, index=True)
    share: Mapped[Decimal | None]


class ProjectDocument(Base):
    """P2: the counter's document checklist, with the scan kept in the database."""

    __tablename__ = "project_documents"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = _fk("projects.id", ondelete="CASCADE", index=True)
    kind: Mapped[str] = mapped_column(String(40))
    received_at: Mapped[datetime]
    received_by: Mapped[int | None] = _fk("users.id")
    filename: Mapped[str | None] = mapped_column(String(200))
    mime: Mapped[str | None] = mapped_column(String(60))
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    __table_args__ = (UniqueConstraint("project_id", "kind"),)


class FeePayment(Base):
    """F2: an owner's supervision-fee payment, approved or rejected only by finance."""

    __tablename__ = "fee_payments"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = _fk("projects.id", ondelete="CASCADE", index=True)
    discipline: Mapped[str] = mapped_column(String(8))
    amount_rials: Mapped[int] = mapped_column(BigInteger)
    bank: Mapped[str] = mapped_column(String(80), default="")
    tracking_no: Mapped[str] = mapped_column(String(64))
    paid_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending|approved|rejected
    recorded_by: Mapped[int | None] = _fk("users.id")
    decided_by: Mapped[int | None] = _fk("users.id")
    decided_at: Mapped[datetime | None]
    reason: Mapped[str] = mapped_column(Text, default="")
    # the bank receipt's scan, kept with the payment for finance to check (F2)
    receipt_filename: Mapped[str | None] = mapped_column(String(200))
    receipt_mime: Mapped[str | None] = mapped_column(String(60))
    receipt_content: Mapped[bytes | None] = mapped_column(LargeBinary)
    __table_args__ = (CheckConstraint("amount_rials >= 0", name="amount_nonnegative"),)


# ---------------------------------------------------------------- referrals and decisions


class Referral(Base):
    """The supervision of one project in one discipline, with its current selection."""

    __tablename__ = "referrals"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = _fk("projects.id", ondelete="CASCADE")
    discipline: Mapped[str] = mapped_column(String(8))
    area: Mapped[Decimal]  # project area × discipline factor
    status: Mapped[str] = mapped_column(String(12), default="waiting")
    round_no: Mapped[int] = mapped_column(Integer, default=0)  # current (or last) round
    engineer_id: Mapped[int | None] = _fk("engineers.id", index=True)  # current selection
    method: Mapped[str | None] = mapped_column(String(12))
    selected_round: Mapped[int | None] = mapped_column(Integer)
    decided_at: Mapped[datetime | None]
    sign_from: Mapped[datetime | None]  # A9 window
    sign_until: Mapped[datetime | None]
    signed_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    __table_args__ = (
        UniqueConstraint("project_id", "discipline"),
        Index(None, "status", "sign_until"),
    )


class Round(Base):
    """One candidacy or forced round; outcome and ranked lists once its deadline is decided."""

    __tablename__ = "rounds"
    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = _fk("referrals.id", ondelete="CASCADE")
    no: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))  # candidacy | forced
    opened_at: Mapped[datetime]
    deadline: Mapped[datetime]
    outcome: Mapped[str | None] = mapped_column(String(12))
    decided_at: Mapped[datetime | None]
    run_id: Mapped[int | None] = _fk("deadline_runs.id")
    engineer_id: Mapped[int | None] = _fk("engineers.id")
    # the published lists (A10, C6): the JSON text hashed into the run's output digest
    ranking: Mapped[list[Any] | dict[str, Any] | None] = mapped_column(PublishedJSON)
    set_aside: Mapped[list[Any] | dict[str, Any] | None] = mapped_column(PublishedJSON)
    exclusions: Mapped[dict[str, Any] | None]
    __table_args__ = (
        UniqueConstraint("referral_id", "no"),
        Index(
            "ix_rounds_due",
            "deadline",
            sqlite_where=text("outcome IS NULL"),
            postgresql_where=text("outcome IS NULL"),
        ),
    )


class Candidacy(Base):
    __tablename__ = "candidacies"
    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = _fk("referrals.id", ondelete="CASCADE")
    engineer_id: Mapped[int] = _fk("engineers.id")
    stood_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(10), default="active")  # active|cancelled|chosen
    cancelled_at: Mapped[datetime | None]
    __table_args__ = (
        Index(
            "uq_candidacies_active",
            "referral_id",
            "engineer_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
        Index(None, "engineer_id", "cancelled_at"),
    )


class Withdrawal(Base):
    """W1–W4: a written withdrawal or a no-show (A9)."""

    __tablename__ = "withdrawals"
    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = _fk("referrals.id", ondelete="CASCADE", index=True)
    engineer_id: Mapped[int] = _fk("engineers.id")
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(10))  # written | no_show
    letter_no: Mapped[str | None] = mapped_column(String(64))
    round_no: Mapped[int] = mapped_column(Integer)
    __table_args__ = (UniqueConstraint("referral_id", "engineer_id"),)


class DeadlineRun(Base):
    """A10: one record per deadline (or signing-window end), written once, with digests."""

    __tablename__ = "deadline_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))  # deadline | signing_end
    deadline: Mapped[datetime]
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime]
    decided: Mapped[int] = mapped_column(Integer, default=0)
    input_digest: Mapped[str] = mapped_column(String(64))
    output_digest: Mapped[str] = mapped_column(String(64))
    snapshot: Mapped[bytes | None] = mapped_column(LargeBinary)  # the inputs, packed (A10)
    actor: Mapped[str] = mapped_column(String(120), default="system")
    # how `snapshot` is written: 1 — the canonical JSON of the objects of the decision
    # (`domain.digest`, runs before issue 17 and signing-window ends); 2 — the rows the run
    # read, as columns (`domain.run_inputs.encode_record`)
    snapshot_format: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    __table_args__ = (UniqueConstraint("kind", "deadline"),)


class Notification(Base):
    """A8: the outbox; written in the decision's transaction, delivered by a sender later."""

    __tablename__ = "notifications"
    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime]
    engineer_id: Mapped[int] = _fk("engineers.id", index=True)
    referral_id: Mapped[int | None] = _fk("referrals.id")
    kind: Mapped[str] = mapped_column(String(16))  # selected | withdrawn | no_show
    mobile: Mapped[str | None] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    gateway_ref: Mapped[str | None] = mapped_column(String(64))
    __table_args__ = (Index(None, "status", "next_attempt_at"),)


# ---------------------------------------------------------------- money (issue 5: F1, F3, F4, A8)


class TariffTable(Base):
    """F1: one supervision tariff table (a Jalali year's, or a half-year's), with its source and
    the day it took effect. The table in force on the day a file was registered applies for
    the life of the file."""

    __tablename__ = "tariff_tables"
    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)  # the Jalali year it was published for
    effective_from: Mapped[date] = mapped_column(Date, unique=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="entered")  # published | entered
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(120), default="system")


class Tariff(Base):
    """F1: one cell of a tariff table — rials per m² for a building group's floor band
    ("1-2", "3-5", "6-7", "8-10", "11-12", "13-15", "16+") and a discipline (arch, civil,
    mech, elec, survey) or the coordinator (coord). `status`: published (from the table's
    source) or entered (by this office's administrator). A missing cell has no row."""

    __tablename__ = "tariffs"
    id: Mapped[int] = mapped_column(primary_key=True)
    table_id: Mapped[int] = _fk("tariff_tables.id", ondelete="CASCADE")
    group: Mapped[str] = mapped_column(String(1))
    band: Mapped[str] = mapped_column(String(5))
    discipline: Mapped[str] = mapped_column(String(8))
    rials_per_m2: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16), default="entered")
    source: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(120), default="system")
    __table_args__ = (
        UniqueConstraint("table_id", "group", "band", "discipline"),
        CheckConstraint("rials_per_m2 >= 0", name="rials_nonnegative"),
    )


class StagePayout(Base):
    """F3: one payout stage of one referral: the clerk records the stage report, the amount is
    computed then (F4), finance approves or rejects it, and it is marked paid once transferred."""

    __tablename__ = "stage_payouts"
    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = _fk("referrals.id", ondelete="CASCADE")
    engineer_id: Mapped[int] = _fk("engineers.id", index=True)
    stage: Mapped[str] = mapped_column(String(16))
    seq: Mapped[int] = mapped_column(Integer)
    fee_rials: Mapped[int] = mapped_column(BigInteger)
    percent: Mapped[int] = mapped_column(Integer)
    amount_rials: Mapped[int] = mapped_column(BigInteger)
    report_no: Mapped[str] = mapped_column(String(64), default="")
    reported_at: Mapped[datetime]
    reported_by: Mapped[int | None] = _fk("users.id")
    # pending | approved | paid (a rejected stage is removed so it can be reported again)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    decided_by: Mapped[int | None] = _fk("users.id")
    decided_at: Mapped[datetime | None]
    reason: Mapped[str] = mapped_column(Text, default="")
    paid_at: Mapped[datetime | None]
    paid_ref: Mapped[str | None] = mapped_column(String(64))
    # F1/F4: how much of `fee_rials` is the coordinator's fee (the coordinating supervisor's)
    coordinator_rials: Mapped[int] = mapped_column(BigInteger, default=0)
    __table_args__ = (
        UniqueConstraint("referral_id", "stage"),
        Index(None, "status"),
        CheckConstraint("amount_rials >= 0", name="amount_nonnegative"),
    )


class SmsAttempt(Base):
    """A8: every delivery attempt of an outbox message with the gateway's answer."""

    __tablename__ = "sms_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = _fk("notifications.id", ondelete="CASCADE", index=True)
    attempt: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime]
    gateway: Mapped[str] = mapped_column(String(40))
    ok: Mapped[bool] = mapped_column(Boolean)
    answer: Mapped[str] = mapped_column(Text, default="")


# ---------------------------------------------------------------- the office server (issue 12)


class AuthSession(Base):
    """A signed-in desk or browser: the token itself is never stored, only its SHA-256. Ended
    by sign-out, a password change, the user's disabling, or its expiry (both judged by the
    database's clock)."""

    __tablename__ = "auth_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = _fk("users.id", index=True)
    kind: Mapped[str] = mapped_column(String(8))  # desk | web
    source: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]  # absolute end
    idle_until: Mapped[datetime]  # pushed on with use
    verified: Mapped[bool] = mapped_column(Boolean, default=True)  # False: SMS code awaited
    revoked_at: Mapped[datetime | None]
    revoked_why: Mapped[str | None] = mapped_column(String(32))


class LoginThrottle(Base):
    """Failed sign-ins per account name ("user:…", known or not) and per source address
    ("addr:…"), counted by one atomic statement and judged by the database's clock (epoch
    seconds), so parallel guesses and several server processes all count."""

    __tablename__ = "login_throttle"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[float] = mapped_column(Double)
    locked_until: Mapped[float | None] = mapped_column(Double)


class OneTimeCode(Base):
    """A one-time SMS code (issue 13): the web's second sign-in step (`sign_in`, tied to the
    session waiting for it) or a forgotten password (`reset`). Only an HMAC of the code under
    the server's key is kept (a six-digit code's plain hash is guessed from the database in a
    moment); it expires, allows a few attempts (counted atomically) and is used once."""

    __tablename__ = "one_time_codes"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = _fk("users.id", ondelete="CASCADE")
    purpose: Mapped[str] = mapped_column(String(12))  # sign_in | reset
    session_id: Mapped[int | None] = _fk("auth_sessions.id", ondelete="CASCADE", index=True)
    salt: Mapped[str] = mapped_column(String(32))
    code_mac: Mapped[str] = mapped_column(String(64))
    mobile_hint: Mapped[str] = mapped_column(String(16))  # 0912•••4567: where it went
    source: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[datetime | None]
    gateway_ref: Mapped[str | None] = mapped_column(String(64))
    __table_args__ = (Index(None, "user_id", "purpose"),)


class RequestKey(Base):
    """A desk's idempotency key with the answer it got, written in the same transaction as the
    write it answers: a retry after a dropped connection gets the same answer, and the write
    is never made twice."""

    __tablename__ = "request_keys"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = _fk("users.id")
    use_case: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(index=True)
    status: Mapped[int] = mapped_column(Integer, default=200)
    answer: Mapped[bytes | None] = mapped_column(LargeBinary)
    # the SHA-256 of the body it answered: the key sent again with another body is refused
    body_digest: Mapped[str | None] = mapped_column(String(64))


# ---------------------------------------------------------------- papers (issue 14)


class OrganizationSettings(Base):
    """The organization's particulars every paper prints, entered by the administrator (one
    row): name with its province, address, telephone, website, the public address papers are
    checked at, the account fees are paid into (IBAN), the signers by name and title, and the
    municipality of each city. `demo`: the values are the demo province's."""

    __tablename__ = "organization_settings"
    id: Mapped[int] = mapped_column(primary_key=True)
    province: Mapped[str] = mapped_column(String(60), default="")
    name: Mapped[str] = mapped_column(String(200), default="")
    unit: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    postal_code: Mapped[str] = mapped_column(String(10), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    website: Mapped[str] = mapped_column(String(120), default="")
    public_url: Mapped[str] = mapped_column(String(200), default="")
    bank: Mapped[str] = mapped_column(String(80), default="")
    account_no: Mapped[str] = mapped_column(String(40), default="")
    iban: Mapped[str] = mapped_column(String(26), default="")
    signers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    municipalities: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    demo: Mapped[bool] = mapped_column(Boolean, default=False)
    # issue 13: the web's sign-in asks for a one-time SMS code after the password
    web_sms_code: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(120), default="system")


class ProjectPermit(Base):
    """A file's particulars from the permit body, printed on its papers: the city (whose
    municipality the letter goes to), municipal district, structure type, and the building
    permit's number and date once the municipality has issued it."""

    __tablename__ = "project_permits"
    project_id: Mapped[int] = _fk("projects.id", ondelete="CASCADE", primary_key=True)
    city: Mapped[str] = mapped_column(String(60), default="")
    municipal_district: Mapped[str] = mapped_column(String(20), default="")
    structure_type: Mapped[str] = mapped_column(String(20), default="")
    permit_no: Mapped[str] = mapped_column(String(40), default="")
    permit_date: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(120), default="system")


class IssuedPaper(Base):
    """An issued paper is a record: its number in the office's outgoing register (per Jalali
    year), what was issued (the content as printed, and its digest), when and by whom, and the
    paper it replaces. Its verification code is an HMAC of all that under the installation's
    key; `code` is kept only to find the row — a check recomputes it from the stored content."""

    __tablename__ = "issued_papers"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(
        String(12)
    )  # contract | commitment | receipt | letter | daily
    subject: Mapped[str] = mapped_column(String(40))  # project:12 | referral:55 | run:3
    file_no: Mapped[str | None] = mapped_column(String(20))
    issued_at: Mapped[datetime]
    issued_by: Mapped[str] = mapped_column(String(120))
    user_id: Mapped[int | None] = _fk("users.id")
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_digest: Mapped[str] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(20), unique=True)
    key_id: Mapped[str] = mapped_column(String(16))
    replaces_id: Mapped[int | None] = _fk("issued_papers.id")
    prints: Mapped[int] = mapped_column(Integer, default=1)
    last_printed_at: Mapped[datetime]
    __table_args__ = (
        UniqueConstraint("year", "seq"),
        Index(None, "kind", "subject"),
    )


# ------------------------------------------------------- the audit trail is append-only (U2)

AUDIT_APPEND_ONLY_SQLITE = (
    "CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
)
AUDIT_APPEND_ONLY_POSTGRESQL = (
    "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$",
    "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()",
)

for _sql in AUDIT_APPEND_ONLY_SQLITE:
    event.listen(AuditEntry.__table__, "after_create", DDL(_sql).execute_if(dialect="sqlite"))
for _sql in AUDIT_APPEND_ONLY_POSTGRESQL:
    event.listen(AuditEntry.__table__, "after_create", DDL(_sql).execute_if(dialect="postgresql"))


# ------------------------------------------- a run's published lists and record (issue 17)

# PostgreSQL compresses a large value with pglz by default: the published lists of a national
# run (tens of MB of JSON) took ~3× longer to write that way than with lz4. The run's record is
# packed already (`record_blob`): stored as it is.
RUN_STORAGE_POSTGRESQL = (
    "DO $$ BEGIN "
    "ALTER TABLE rounds ALTER COLUMN ranking SET COMPRESSION lz4, "
    "ALTER COLUMN set_aside SET COMPRESSION lz4; "
    "EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN "
    "ALTER TABLE rounds ALTER COLUMN ranking SET STORAGE EXTERNAL, "
    "ALTER COLUMN set_aside SET STORAGE EXTERNAL; END $$",
)
RUN_RECORD_STORAGE_POSTGRESQL = (
    "ALTER TABLE deadline_runs ALTER COLUMN snapshot SET STORAGE EXTERNAL",
)
for _sql in RUN_STORAGE_POSTGRESQL:
    event.listen(Round.__table__, "after_create", DDL(_sql).execute_if(dialect="postgresql"))
for _sql in RUN_RECORD_STORAGE_POSTGRESQL:
    event.listen(DeadlineRun.__table__, "after_create", DDL(_sql).execute_if(dialect="postgresql"))

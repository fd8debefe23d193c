"""The organization's settings (issue 14): what every paper prints about the organization —
its name with the province, address, telephone, website, the public address papers are checked
at, the account fees are paid into (IBAN), the signers by name and title, the municipality of
each city. Entered by the administrator (U1), validated (app/domain/organization.py), kept in
one row with the audit trail's before/after; papers refuse to print while they are missing or
still the samples.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db.models import OrganizationSettings
from ..domain import organization as org
from ..domain.errors import InputError
from ..domain.organization import Municipality, Organization, Signer
from ..domain.text import check_texts
from .context import ServiceContext, audit
from .permissions import require
from .registry import use_case

__all__ = ["Municipality", "Organization", "OrganizationOut", "Signer"]


@dataclass(frozen=True)
class OrganizationOut:
    settings: Organization
    problems: dict[str, str]  # field → Persian reason; empty: papers may be printed
    updated_at: datetime | None
    updated_by: str

    @property
    def printable(self) -> bool:
        return not self.problems


def _from_row(row: OrganizationSettings | None) -> Organization:
    if row is None:
        return Organization()
    signers = row.signers or {}

    def signer(key: str) -> Signer:
        s = signers.get(key) or {}
        return Signer(str(s.get("name", "")), str(s.get("title", "")))

    return Organization(
        province=row.province,
        name=row.name,
        unit=row.unit,
        address=row.address,
        postal_code=row.postal_code,
        phone=row.phone,
        website=row.website,
        public_url=row.public_url,
        bank=row.bank,
        account_no=row.account_no,
        iban=row.iban,
        contract_signer=signer("contract"),
        letter_signer=signer("letter"),
        municipalities=tuple(
            Municipality(
                str(m.get("city", "")), str(m.get("name", "")), str(m.get("addressee", ""))
            )
            for m in (row.municipalities or {}).get("cities", [])
        ),
        demo=row.demo,
    )


def load(s: Session) -> Organization:
    """The settings as stored (empty values when never entered)."""
    return _from_row(s.scalar(select(OrganizationSettings).order_by(OrganizationSettings.id)))


def print_problems(s: Session) -> dict[str, str]:
    """Why papers may not be printed now (empty: they may)."""
    return org.problems(org.normalize(load(s)))


@use_case(writes=False)
def organization_settings(ctx: ServiceContext) -> OrganizationOut:
    require(ctx, "organization.read")
    with ctx.read() as s:
        row = s.scalar(select(OrganizationSettings).order_by(OrganizationSettings.id))
        settings = _from_row(row)
        return OrganizationOut(
            settings,
            org.problems(org.normalize(settings)),
            row.updated_at if row else None,
            row.updated_by if row else "",
        )


@use_case(writes=True)
def save_organization_settings(ctx: ServiceContext, settings: Organization) -> OrganizationOut:
    """The administrator's settings, validated: a malformed value is refused (InputError
    naming the field, in Persian) and nothing is written."""
    require(ctx, "organization.edit")
    o = org.normalize(settings)
    check_texts(
        ("province", o.province, 60),
        ("name", o.name, 200),
        ("unit", o.unit, 200),
        ("address", o.address, 1000),
        ("website", o.website, 120),
        ("public_url", o.public_url, 200),
        ("bank", o.bank, 80),
        ("contract_signer", o.contract_signer.name + o.contract_signer.title, 300),
        ("letter_signer", o.letter_signer.name + o.letter_signer.title, 300),
        *(("municipalities", m.city + m.name + m.addressee, 600) for m in o.municipalities),
    )
    bad = org.problems(o)
    if bad:
        key = next(iter(bad))
        raise InputError(key, bad[key])
    now = ctx.now()
    with ctx.tx() as s:
        row = s.scalar(select(OrganizationSettings).order_by(OrganizationSettings.id))
        before = asdict(_from_row(row)) if row is not None else None
        if row is None:
            row = OrganizationSettings(updated_at=now)
            s.add(row)
        row.province, row.name, row.unit = o.province, o.name, o.unit
        row.address, row.postal_code, row.phone = o.address, o.postal_code, o.phone
        row.website, row.public_url = o.website, o.public_url
        row.bank, row.account_no, row.iban = o.bank, o.account_no, o.iban
        row.signers = {
            "contract": asdict(o.contract_signer),
            "letter": asdict(o.letter_signer),
        }
        row.municipalities = {"cities": [asdict(m) for m in o.municipalities]}
        row.demo = o.demo
        row.updated_at, row.updated_by = now, ctx.actor.username
        s.flush()
        audit(s, ctx, "organization.save", "organization", row.id, before=before, after=asdict(o))
    return OrganizationOut(o, {}, now, ctx.actor.username)

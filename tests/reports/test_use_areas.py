"""A mixed-use building's area by use, from the counter to the papers (documents.md §3: the
property section states "total area and area by use"): the service refuses a split that does
not add up and writes nothing; the contract, the commitment form and the counter receipt
print the split; a paper
of a building of one use holds nothing new, so a paper issued before reprints with its
number."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from pdftools import NEEDS_POPPLER, has, pdf_text
from sqlalchemy import func, select

from app.db.models import AuditEntry, Project
from app.domain.errors import InputError
from app.services import candidacy, deadlines, papers, projects
from app.services.dto import OwnerIn, ProjectIn
from reports.commitment import commitment_pdf
from reports.common import use_text
from reports.contract import contract_pdf
from reports.receipt import receipt_pdf
from reports.samples import sample_contract, sample_receipt
from support import OWNER, Office

SPLIT = (("residential", Decimal("1500")), ("commercial", Decimal("629.7")))
LINE = "مختلط — مسکونی ۱٬۵۰۰ و تجاری ۶۲۹٫۷۰ مترمربع"


@pytest.fixture
def office(tmp_path) -> Office:
    return Office(f"sqlite:///{tmp_path / 'nz.sqlite'}")


def _mixed(office: Office, split=SPLIT, use: str = "mixed"):
    return projects.register_project(
        office.clerk,
        ProjectIn(
            plate="515/3",
            area=Decimal("2129.70"),
            floors=5,
            owners=(OwnerIn(OWNER, mobile="09161234567"),),
            use=use,
            use_areas=split,
        ),
    )


def test_a_mixed_building_is_registered_with_its_area_by_use(office: Office):
    p = _mixed(office)
    with office.base.read() as s:
        row = s.get(Project, p.id)
        assert (row.use, row.use_areas) == (
            "mixed",
            {"residential": "1500.00", "commercial": "629.70"},
        )
        audit = s.scalars(select(AuditEntry).where(AuditEntry.action == "project.register")).one()
        assert audit.after["use_areas"] == row.use_areas


@pytest.mark.parametrize(
    ("use", "split", "field", "words"),
    [
        ("mixed", (), "use_areas", "دست‌کم دو کاربری"),
        (
            "mixed",
            (("residential", Decimal(1500)), ("commercial", Decimal(600))),
            "use_areas",
            "برابر نیست",
        ),
        (
            "mixed",
            (("residential", Decimal("2129.7")), ("office", Decimal(0))),
            "use_areas",
            "زیربنای اداری",
        ),
        ("residential", SPLIT, "use_areas", "تنها برای ساختمان مختلط"),
        ("hotel", (), "use", "کاربری"),
    ],
)
def test_a_wrong_use_or_split_is_refused_naming_the_field_and_nothing_is_written(
    office: Office, use, split, field, words
):
    with office.base.read() as s:
        before = s.scalar(select(func.count()).select_from(AuditEntry))
    with pytest.raises(InputError) as exc:
        _mixed(office, split, use)
    assert exc.value.field == field and words in exc.value.message
    with office.base.read() as s:
        assert s.scalar(select(func.count()).select_from(Project)) == 0
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == before


def _ready(office: Office, plate: str, area: Decimal, disciplines, **use):
    """A three-floor file through intake to distribution, its papers' particulars recorded
    (no permit)."""
    p = projects.register_project(
        office.system,
        ProjectIn(
            plate=plate,
            area=area,
            floors=3,
            owners=(OwnerIn(OWNER, mobile="09161234567"),),
            disciplines=disciplines,
            enforce_p4=False,
            **use,
        ),
    )
    office.intake(p.id, p.disciplines)
    projects.mark_ready(office.clerk, p.id)
    office.papers_ready(p.id)
    return p


@NEEDS_POPPLER
def test_the_receipt_and_the_contract_print_the_area_by_use(office: Office):
    arch = office.engineer("A1", discipline="arch", score=90)
    civil = office.engineer("C1", discipline="civil", score=120)
    p = _ready(office, "515/3", Decimal("2129.70"), ("arch", "civil"), use="mixed", use_areas=SPLIT)

    receipt = papers.issue_receipt(office.clerk, p.id)
    assert receipt.paper.property.use_areas == (
        ("residential", "مسکونی", Decimal("1500.00")),
        ("commercial", "تجاری", Decimal("629.70")),
    )
    assert has(pdf_text(receipt_pdf(receipt.paper, receipt.stamp)), LINE)
    again = papers.issue_receipt(office.clerk, p.id)  # its content read back: the same paper
    assert again.stamp.reprint and again.stamp.number == receipt.stamp.number

    office.at("1405-08-23 10:00")
    candidacy.stand(office.as_engineer[arch], arch, p.referral_ids["arch"])
    candidacy.stand(office.as_engineer[civil], civil, p.referral_ids["civil"])
    office.run("1405-08-23 20:00")
    office.at("1405-08-24 09:00")
    form = papers.issue_commitment(office.clerk, p.referral_ids["civil"])  # signed with it
    assert has(pdf_text(commitment_pdf(form.paper, form.stamp)), LINE)
    for rid in p.referral_ids.values():
        deadlines.record_signature(office.clerk, rid)
    contract = papers.issue_contract(office.clerk, p.id)
    text = pdf_text(contract_pdf(contract.paper, contract.stamp))
    assert has(text, LINE) and has(text, "۲٬۱۲۹٫۷۰ مترمربع")
    kept = papers.issue_contract(office.clerk, p.id)  # signed: the contract as stored
    assert kept.paper.property.use_areas == contract.paper.property.use_areas
    assert has(pdf_text(contract_pdf(kept.paper, kept.stamp)), LINE)


def test_a_building_of_one_use_prints_and_holds_as_before():
    """`use_areas` is a field added later (CONTENT_ADDED_LATER): empty, it stays out of an
    issued paper's content, so a contract or receipt issued before it existed, unchanged, is
    reprinted with its number rather than issued anew."""
    for dto in (sample_contract(), sample_receipt()):
        assert "use_areas" not in str(papers._content(dto))
        assert use_text(dto.property) == "مسکونی"
    mixed = replace(
        sample_contract(),
        property=replace(
            sample_contract().property,
            use="mixed",
            use_fa="مختلط",
            use_areas=(("residential", "مسکونی", Decimal("1500.00")),),
        ),
    )
    assert papers._content(mixed)["property"]["use_areas"] == [["residential", "مسکونی", "1500"]]


def test_three_uses_are_listed_as_persian_lists_are():
    prop = replace(
        sample_contract().property,
        use="mixed",
        use_fa="مختلط",
        use_areas=(
            ("residential", "مسکونی", Decimal("1200.00")),
            ("commercial", "تجاری", Decimal("400.00")),
            ("office", "اداری", Decimal("250.50")),
        ),
    )
    assert use_text(prop) == "مختلط — مسکونی ۱٬۲۰۰، تجاری ۴۰۰ و اداری ۲۵۰٫۵۰ مترمربع"


@NEEDS_POPPLER
def test_a_permit_issued_after_signing_is_made_known_to_the_parties(office: Office):
    """Clause 2-1 of a contract signed before the permit: its number and date «کتباً به طرفین
    ابلاغ می‌شود». Recording the permit sends each signed supervisor an SMS, and the contract's
    next print carries a note of it (the signed text and its number unchanged)."""
    from app.db.models import Notification
    from app.services import permits

    civil = office.engineer("C1", discipline="civil", score=120)
    p = _ready(office, "515/4", Decimal("450"), ("civil",))  # no permit yet
    office.at("1405-08-23 10:00")
    candidacy.stand(office.as_engineer[civil], civil, p.referral_ids["civil"])
    office.run("1405-08-23 20:00")
    office.at("1405-08-24 09:00")
    deadlines.record_signature(office.clerk, p.referral_ids["civil"])
    signed = papers.issue_contract(office.clerk, p.id)
    assert signed.stamp.permit is None
    assert has(pdf_text(contract_pdf(signed.paper, signed.stamp)), "پروانه هنوز صادر نشده است")

    office.at("1405-09-10 11:00")
    permits.record_permit(
        office.clerk,
        p.id,
        permits.PermitIn("اهواز", "2", "concrete", "1405/3301", date(2026, 11, 30)),
    )
    with office.base.read() as s:
        sms = s.scalars(select(Notification).where(Notification.kind == "permit")).all()
    assert [(n.engineer_id, n.referral_id) for n in sms] == [(civil, p.referral_ids["civil"])]
    assert "۱۴۰۵/۳۳۰۱" in sms[0].body.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    again = papers.issue_contract(office.clerk, p.id)
    assert again.stamp.number == signed.stamp.number and again.stamp.reprint
    text = pdf_text(contract_pdf(again.paper, again.stamp))
    assert has(text, "یادداشت چاپ — پروانه ساختمان (بند ۲-۱)")
    assert has(text, "به شماره ۱۴۰۵/۳۳۰۱ مورخ ۱۴۰۵/۰۹/۰۹")
    # recorded again unchanged (the district corrected): no second SMS
    permits.record_permit(
        office.clerk,
        p.id,
        permits.PermitIn("اهواز", "3", "concrete", "1405/3301", date(2026, 11, 30)),
    )
    with office.base.read() as s:
        assert s.scalar(select(func.count()).where(Notification.kind == "permit")) == 1

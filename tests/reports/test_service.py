"""The documents' DTOs built from a real database (SQLite) through `app.services.documents`."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.services import candidacy, documents
from app.services.document_dto import DocumentRefused
from reports.commitment import commitment_pdf
from reports.contract import contract_pdf
from reports.daily import daily_report_pdf
from reports.letter import letter_pdf
from reports.receipt import receipt_pdf
from support import Office


@pytest.fixture
def office(tmp_path) -> Office:
    return Office(f"sqlite:///{tmp_path / 'nz.sqlite'}")


def test_documents_of_a_project_from_counter_to_signature(office: Office):
    arch = office.engineer("A1", discipline="arch", score=90)
    civil = office.engineer("C1", discipline="civil", score=120)
    civil2 = office.engineer("C2", discipline="civil", score=80)
    p = office.project(area=450, floors=3, disciplines=("arch", "civil"))
    rid = p.referral_ids

    receipt = documents.receipt_dto(office.base, p.id)
    assert receipt.file_no == p.file_no and len(receipt.documents) >= 7
    assert {f.status for f in receipt.fees} == {"approved"}
    assert any("۲۰:۰۰" in s or "20:00" in s for s in receipt.next_steps)
    assert receipt_pdf(receipt).startswith(b"%PDF")

    office.at("1405-08-23 10:00")
    candidacy.stand(office.as_engineer[arch], arch, rid["arch"])
    candidacy.stand(office.as_engineer[civil], civil, rid["civil"])
    candidacy.stand(office.as_engineer[civil2], civil2, rid["civil"])
    office.run("1405-08-23 20:00")

    # selected, not signed: the letter refuses, in Persian
    with pytest.raises(DocumentRefused) as exc:
        documents.letter_dto(office.base, p.id)
    assert "امضا" in str(exc.value)

    office.at("1405-08-24 09:00")
    from app.services import deadlines

    deadlines.record_signature(office.clerk, rid["arch"])
    deadlines.record_signature(office.clerk, rid["civil"])

    c = documents.contract_dto(office.base, p.id)
    assert [(s.discipline, s.membership_no, s.coordinating) for s in c.supervisors] == [
        ("arch", "A1", False),
        ("civil", "C1", True),  # [policy] the civil supervisor coordinates
    ]
    assert [(f.discipline, f.amount_rials, f.source) for f in c.fees] == [
        ("arch", 5_000_000, "fee_payments"),
        ("civil", 5_000_000, "fee_payments"),
    ]
    assert c.total_fee_rials == 10_000_000 and c.organization_share_rials == 500_000
    assert [s.percent for s in c.stages] == [50, 10, 10, 10, 10, 10]
    assert sum(s.amount_rials for s in c.stages) == c.total_fee_rials
    assert c.qr_payload.startswith(f"NZD|{p.file_no}|{min(rid.values())},{max(rid.values())}|")
    assert c.property.area_m2 == Decimal(450) and c.owners[0].national_id
    assert contract_pdf(c).startswith(b"%PDF")

    k = documents.commitment_dto(office.base, rid["civil"])
    assert k.supervisor.membership_no == "C1" and k.supervisor.coordinating
    assert k.used_m2 == Decimal(450) and k.remaining_m2 == k.capacity_m2 - Decimal(450)
    assert [u.rule for u in k.undertakings][:3] == ["S4", "S5", "S6"]
    assert commitment_pdf(k).startswith(b"%PDF")

    letter = documents.letter_dto(office.base, p.id)
    assert [s.coordinating for s in letter.supervisors] == [False, True]
    assert letter_pdf(letter).startswith(b"%PDF")

    daily = documents.daily_report_dto(office.base)
    assert daily.input_digest and len(daily.blocks) == 2
    civil_block = next(b for b in daily.blocks if b.discipline == "civil")
    assert [(x.membership_no, x.winner) for x in civil_block.ranked] == [
        ("C1", True),
        ("C2", False),
    ]
    assert civil_block.outcome == "selected" and civil_block.winner.membership_no == "C1"
    assert daily_report_pdf(daily).startswith(b"%PDF")


def test_letter_refuses_an_unapproved_fee_and_an_architect_standing_in_for_civil(office: Office):
    from app.domain.calendar import local_date
    from app.services import deadlines, projects

    arch = office.engineer("A1", discipline="arch")
    p = office.project(disciplines=("arch", "civil"))
    office.at("1405-08-23 10:00")
    candidacy.stand(office.as_engineer[arch], arch, p.referral_ids["arch"])
    office.run("1405-08-23 20:00")
    office.at("1405-08-24 09:00")
    deadlines.record_signature(office.clerk, p.referral_ids["arch"])
    projects.record_fee_payment(
        office.clerk, p.id, "civil", 1_000_000, "10002", local_date(office.clock.now), "ملی"
    )
    dto = documents.letter_dto(office.base, p.id, strict=False)
    # the civil referral is still open: the architect does not become the coordinator
    assert any("هماهنگ‌کننده" in r for r in dto.refusals)
    # a civil payment waits for finance (F2)
    assert any("عمران" in r and "تأیید امور مالی" in r for r in dto.refusals)
    with pytest.raises(DocumentRefused):
        letter_pdf(dto)


def test_documents_command_writes_every_paper_of_the_demo_choice(office: Office, tmp_path):
    import argparse

    from app.services import deadlines
    from reports.commands import cmd_documents

    arch = office.engineer("A1", discipline="arch")
    civil = office.engineer("C1", discipline="civil")
    p = office.project(disciplines=("arch", "civil"))
    office.at("1405-08-23 10:00")
    candidacy.stand(office.as_engineer[arch], arch, p.referral_ids["arch"])
    candidacy.stand(office.as_engineer[civil], civil, p.referral_ids["civil"])
    office.run("1405-08-23 20:00")
    office.at("1405-08-24 09:00")
    for rid in p.referral_ids.values():
        deadlines.record_signature(office.clerk, rid)
    out = tmp_path / "out"
    args = argparse.Namespace(
        outdir=str(out), db=str(office.engine.url), db_given=True, bench=False
    )
    assert cmd_documents(args) == 0
    names = sorted(f.name for f in out.iterdir())
    f = p.file_no
    assert names == sorted(
        [
            f"contract-{f}.pdf",
            f"commitment-{f}-arch.pdf",
            f"commitment-{f}-civil.pdf",
            f"receipt-{f}.pdf",
            f"letter-{f}.pdf",
            *[n for n in names if n.startswith("daily-run-")],
        ]
    )
    assert any(n.startswith("daily-run-") for n in names)
    assert all((out / n).read_bytes().startswith(b"%PDF") for n in names)

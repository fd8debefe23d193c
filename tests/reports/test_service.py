"""The papers' DTOs built from a real database (SQLite) through `app.services.documents`, and
issued as records through `app.services.papers`: dates are the events', fees the tariff's."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from pdftools import NEEDS_POPPLER, has, pdf_text

from app.domain.calendar import local_date
from app.services import (
    candidacy,
    deadlines,
    documents,
    engineers,
    fees,
    papers,
    projects,
    users,
)
from app.services.document_dto import DocumentRefused
from app.services.dto import OwnerIn, ProjectIn
from reports.commitment import commitment_pdf
from reports.contract import contract_pdf
from reports.daily import daily_report_pdf
from reports.letter import letter_pdf
from reports.receipt import receipt_pdf
from support import Office


@pytest.fixture
def office(tmp_path) -> Office:
    return Office(f"sqlite:///{tmp_path / 'nz.sqlite'}")


def _two_discipline_project(office: Office, **kw):
    arch = office.engineer("A1", discipline="arch", score=90)
    civil = office.engineer("C1", discipline="civil", score=120)
    civil2 = office.engineer("C2", discipline="civil", score=80)
    p = office.project(area=450, floors=3, disciplines=("arch", "civil"), **kw)
    office.papers_ready(p.id)
    return p, arch, civil, civil2


def test_every_paper_refuses_while_the_organization_settings_are_missing(office: Office):
    """Issue 14: nothing prints with the organization's particulars missing or still the
    samples; the refusal says so in Persian."""
    p = office.project(disciplines=("civil",))
    with pytest.raises(DocumentRefused) as exc:
        documents.receipt_dto(office.base, p.id)
    assert "تنظیمات سازمان" in str(exc.value) and "شبا" in str(exc.value)
    with pytest.raises(DocumentRefused):
        papers.issue_receipt(office.clerk, p.id)
    with pytest.raises(DocumentRefused):
        documents.daily_report_dto(office.base)


def test_documents_of_a_project_from_counter_to_signature(office: Office):
    p, arch, civil, civil2 = _two_discipline_project(office)
    rid = p.referral_ids

    receipt = documents.receipt_dto(office.base, p.id)
    assert receipt.file_no == p.file_no and len(receipt.documents) >= 7
    assert {f.status for f in receipt.fees} == {"approved"}
    assert receipt.received_at == office.clock.now or receipt.received_at <= office.clock.now
    assert any("۲۰:۰۰" in s or "20:00" in s for s in receipt.next_steps)
    assert not any("پیامک" in s for s in receipt.next_steps)  # no SMS the product never sends
    assert receipt_pdf(receipt).startswith(b"%PDF")

    office.at("1405-08-23 10:00")
    candidacy.stand(office.as_engineer[arch], arch, rid["arch"])
    candidacy.stand(office.as_engineer[civil], civil, rid["civil"])
    candidacy.stand(office.as_engineer[civil2], civil2, rid["civil"])
    office.run("1405-08-23 20:00")

    # selected, not signed: the letter refuses, in Persian, naming who has not signed
    with pytest.raises(DocumentRefused) as exc:
        documents.letter_dto(office.base, p.id)
    assert "امضا" in str(exc.value) and "معماری" in str(exc.value)

    office.at("1405-08-24 09:00")
    k_before = documents.commitment_dto(office.base, rid["civil"])
    deadlines.record_signature(office.clerk, rid["arch"])
    deadlines.record_signature(office.clerk, rid["civil"])

    c = documents.contract_dto(office.base, p.id)
    assert [(s.discipline, s.membership_no, s.coordinating) for s in c.supervisors] == [
        ("arch", "A1", False),
        ("civil", "C1", True),  # [policy] the civil supervisor coordinates
    ]
    assert c.property.area_m2 == Decimal(450) and c.owners[0].national_id
    assert c.property.city == "اهواز" and c.property.structure_fa
    assert c.copies == len(c.owners) + 2 + 1  # one original for each signer
    assert [s.percent for s in c.stages] == [50, 10, 10, 10, 10, 10]
    assert sum(s.amount_rials for s in c.stages) == c.total_fee_rials
    assert contract_pdf(c).startswith(b"%PDF")

    # the commitment form is dated by its signing window, before and after the signature
    k = documents.commitment_dto(office.base, rid["civil"])
    assert k == k_before
    assert k.sign_on == date(2026, 11, 15)  # 1405-08-24, the first working day after
    assert k.supervisor.membership_no == "C1" and k.supervisor.coordinating
    assert k.used_m2 == Decimal(450) and k.remaining_m2 == k.capacity_m2 - Decimal(450)
    assert k.undertakings[0].clause.startswith("شیوه‌نامه")
    assert commitment_pdf(k).startswith(b"%PDF")

    letter = documents.letter_dto(office.base, p.id)
    assert [s.coordinating for s in letter.supervisors] == [False, True]
    assert letter.municipality == "شهرداری اهواز" and "اهواز" in letter.addressee
    assert letter_pdf(letter).startswith(b"%PDF")

    daily = documents.daily_report_dto(office.base)
    assert daily.input_digest and len(daily.blocks) == 2 and daily.rechecked is True
    assert [b.seq for b in daily.blocks] == [1, 2]
    civil_block = next(b for b in daily.blocks if b.discipline == "civil")
    assert [(x.membership_no, x.winner) for x in civil_block.ranked] == [
        ("C1", True),
        ("C2", False),
    ]
    top = civil_block.ranked[0]
    assert top.remaining_m2 is not None and top.active_jobs == 0 and top.stood_at is not None
    assert civil_block.outcome == "selected" and civil_block.winner.membership_no == "C1"
    # the signature came later: a dated note, not a different outcome
    assert [e.text for e in civil_block.later] == ["قرارداد و تعهدنامه به‌وسیله ناظر منتخب امضا شد"]
    assert daily.inputs_url.endswith(f"/runs/{daily.run_id}")
    assert daily_report_pdf(daily).startswith(b"%PDF")


def test_F1_the_contract_fee_is_billable_area_times_the_tariff_with_the_coordinator(
    office: Office,
):
    fees.seed_tariffs(office.admin, ("tehran-1403",))
    arch = office.engineer("A1", discipline="arch")
    civil = office.engineer("C1", discipline="civil")
    p = projects.register_project(
        office.system,
        ProjectIn(
            plate="77/1",
            area=Decimal(80),  # billed as 100 m²
            floors=2,
            owners=(OwnerIn("5260181591", mobile="09161234567"),),
            disciplines=("arch", "civil"),
            enforce_p4=False,
        ),
    )
    due = {d: fees.fee_for(office.clerk, p.id, d) for d in ("arch", "civil")}
    assert due["arch"].fee_rials == 100 * 475_200 and due["arch"].coordinator_rials == 0
    assert due["civil"].fee_rials == 100 * 547_200
    assert due["civil"].coordinator_rials == 100 * 60_000  # the coordinator: civil
    office.intake_paid(p.id, {d: x.due_rials for d, x in due.items()})
    projects.mark_ready(office.clerk, p.id)
    office.papers_ready(p.id)
    office.at("1405-08-23 10:00")
    candidacy.stand(office.as_engineer[arch], arch, p.referral_ids["arch"])
    candidacy.stand(office.as_engineer[civil], civil, p.referral_ids["civil"])
    office.run("1405-08-23 20:00")
    c = documents.contract_dto(office.base, p.id)
    assert c.tariff is not None and (c.tariff.year, c.tariff.group, c.tariff.band) == (
        1403,
        "A",
        "1-2",
    )
    lines = {f.discipline: f for f in c.fees}
    assert lines["civil"].billable_m2 == Decimal(100)
    assert lines["civil"].coordinator_rials == 6_000_000
    assert c.total_fee_rials == 100 * (475_200 + 547_200 + 60_000)


@NEEDS_POPPLER
def test_papers_issued_from_the_database_say_what_they_must(office: Office):
    p, arch, civil, _ = _two_discipline_project(office)
    office.at("1405-08-23 10:00")
    candidacy.stand(office.as_engineer[arch], arch, p.referral_ids["arch"])
    candidacy.stand(office.as_engineer[civil], civil, p.referral_ids["civil"])
    office.run("1405-08-23 20:00")
    office.at("1405-08-24 09:00")
    for rid in p.referral_ids.values():
        deadlines.record_signature(office.clerk, rid)
    issued = papers.issue_contract(office.clerk, p.id)
    text = pdf_text(contract_pdf(issued.paper, issued.stamp))
    assert has(text, issued.stamp.number.translate(_FA))
    assert issued.stamp.code in text
    # the named person, not the rule («the civil supervisor, else the architect»)
    assert c1_line(text).startswith("ناظر هماهنگ‌کننده") and "C1" in c1_line(text)
    assert "در نبود ارجاع عمران" not in text
    assert has(text, "شهرداری") and has(text, "اسکلت بتن‌آرمه")
    assert not [ln for ln in text.splitlines() if ln.strip() == "—"]  # no value left as a dash
    letter = papers.issue_letter(office.clerk, p.id)
    t2 = pdf_text(letter_pdf(letter.paper, letter.stamp))
    assert has(t2, "شهرداری اهواز") and has(t2, "مهندس لیلا بهبهانی") and has(t2, "رونوشت:")
    assert has(t2, "پیوست")


def c1_line(text: str) -> str:
    return next((ln for ln in text.splitlines() if ln.startswith("ناظر هماهنگ")), "")


_FA = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def test_documents_command_on_an_empty_database_says_so_in_persian(tmp_path, capsys):
    import argparse

    from app.cli.errors import CommandError
    from app.db.migrate import open_database
    from reports.commands import cmd_documents

    open_database(f"sqlite:///{tmp_path / 'empty.sqlite'}").dispose()  # `main.py init`
    args = argparse.Namespace(
        outdir=str(tmp_path / "out"),
        db=f"sqlite:///{tmp_path / 'empty.sqlite'}",
        db_given=True,
        bench=False,
        user=None,
    )
    with pytest.raises(CommandError) as refused:  # main.py prints it, exit 2
        cmd_documents(args)
    assert "main.py demo" in refused.value.message
    assert not (tmp_path / "out").exists()


def test_documents_command_issues_every_paper_of_the_demo_choice(
    office: Office, tmp_path, monkeypatch
):
    import argparse

    from app.cli.errors import CommandError
    from app.services import users
    from reports.commands import cmd_documents

    arch = office.engineer("A1", discipline="arch")
    civil = office.engineer("C1", discipline="civil")
    p = office.project(disciplines=("arch", "civil"))
    office.papers_ready(p.id, permit=False)
    office.at("1405-08-23 10:00")
    candidacy.stand(office.as_engineer[arch], arch, p.referral_ids["arch"])
    candidacy.stand(office.as_engineer[civil], civil, p.referral_ids["civil"])
    office.run("1405-08-23 20:00")
    office.at("1405-08-24 09:00")
    for rid in p.referral_ids.values():
        deadlines.record_signature(office.clerk, rid)
    out = tmp_path / "out"
    args = argparse.Namespace(
        outdir=str(out), db=str(office.engine.url), db_given=True, bench=False, user=None
    )
    users.set_password(office.admin, office.clerk.actor.user_id, "clerk-pass-1405")
    monkeypatch.setenv("NEZARAT_PASSWORD", "not-the-password")
    with pytest.raises(CommandError) as refused:  # issued in a person's name: after a password
        cmd_documents(args)
    assert "نادرست" in refused.value.message and not out.exists()
    monkeypatch.setenv("NEZARAT_PASSWORD", "clerk-pass-1405")
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


def test_the_receipt_of_a_design_office_never_prints_the_owners_national_code(office: Office):
    p = projects.register_project(
        office.system,
        ProjectIn(
            plate="91/4",
            area=Decimal(300),
            floors=2,
            owners=(OwnerIn("5260181591", mobile="09161234567"),),
            disciplines=("civil",),
            enforce_p4=False,
            brought_by_role="design_office",
            brought_by_name="دفتر طراحی سپهر",
        ),
    )
    office.papers_ready(p.id)
    r = documents.receipt_dto(office.base, p.id)
    assert r.brought_by_national_id == ""
    assert r.missing_required  # nothing received yet: not an acceptance
    from reports.receipt import receipt_title

    assert receipt_title(r) == "اعلام کسری مدارک پرونده"
    assert r.fees[0].status == "missing"


def test_the_letter_refuses_while_a_supervisor_has_not_signed(office: Office):
    arch = office.engineer("A1", discipline="arch")
    civil = office.engineer("C1", discipline="civil")
    p = office.project(disciplines=("arch", "civil"))
    office.papers_ready(p.id)
    office.at("1405-08-23 10:00")
    candidacy.stand(office.as_engineer[arch], arch, p.referral_ids["arch"])
    candidacy.stand(office.as_engineer[civil], civil, p.referral_ids["civil"])
    office.run("1405-08-23 20:00")
    office.at("1405-08-24 09:00")
    deadlines.record_signature(office.clerk, p.referral_ids["civil"])  # the architect: not yet
    dto = documents.letter_dto(office.base, p.id, strict=False)
    assert any("معماری" in r and "امضا" in r for r in dto.refusals)
    with pytest.raises(DocumentRefused):
        papers.issue_letter(office.clerk, p.id)


def test_letter_refuses_an_unapproved_fee_and_an_architect_standing_in_for_civil(office: Office):
    arch = office.engineer("A1", discipline="arch")
    p = office.project(disciplines=("arch", "civil"))
    office.papers_ready(p.id)
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


@NEEDS_POPPLER
def test_a_firm_supervisor_prints_with_its_registration_and_signatory(office: Office):
    """Issue 14: a firm referred as a supervisor reaches its papers as a legal person — the
    registration number typed in Persian digits stored in Latin ones, the place as entered,
    its managing director as the signatory — on the contract, the commitment form and the
    introduction letter; a person's papers keep none of it in their issued content."""
    member = office.engineer("M1", discipline="civil")
    director = office.engineer("M2", discipline="civil")
    engineers.update_engineer(office.admin, director, {"first_name": "حمید", "last_name": "ساکی"})
    fid = office.firm(
        [member],
        director,
        first_name="شرکت مهندسین مشاور",
        last_name="کارون‌سازه",
        national_id="10861234565",
        registration_no="۴۷۲۱۸",
        registration_place="اداره ثبت شركت‌ها و مؤسسات غيرتجاري اهواز",
    )
    firm_ctx = office.base.as_actor(
        users.create_user(office.admin, "firm", "کارون‌سازه", "engineer", engineer_id=fid)
    )
    p = office.project(disciplines=("civil",))
    office.papers_ready(p.id)
    rid = p.referral_ids["civil"]
    office.at("1405-08-23 10:00")
    candidacy.stand(firm_ctx, fid, rid)
    office.run("1405-08-23 20:00")
    office.at("1405-08-24 09:00")
    deadlines.record_signature(office.clerk, rid)

    contract = papers.issue_contract(office.clerk, p.id)
    row = contract.paper.supervisors[0]
    assert (row.kind, row.registration_no, row.signatory) == ("firm", "47218", "حمید ساکی")
    assert row.registration_place == "اداره ثبت شرکت‌ها و مؤسسات غیرتجاری اهواز"
    assert row.national_id == "10861234565" and row.father_name == ""
    commitment = papers.issue_commitment(office.clerk, rid)
    letter = papers.issue_letter(office.clerk, p.id)
    for text in (
        pdf_text(contract_pdf(contract.paper, contract.stamp)),
        pdf_text(commitment_pdf(commitment.paper, commitment.stamp)),
        pdf_text(letter_pdf(letter.paper, letter.stamp)),
    ):
        assert "۴۷۲۱۸" in text and has(text, "شماره ثبت") and has(text, "حمید ساکی")
        assert has(text, "اداره ثبت شرکت‌ها و مؤسسات غیرتجاری اهواز")
        assert has(text, "شناسه ملی") and "۱۰۸۶۱۲۳۴۵۶۵" in text
    with office.engine.connect() as c:
        stored = dict(c.exec_driver_sql("SELECT kind, content FROM issued_papers").all())
    assert "47218" in str(stored["contract"]) and "47218" in str(stored["commitment"])
    # the run's sheet ranks the firm by its rank too, not as a person's grade
    daily = documents.daily_report_dto(office.base)
    (line,) = [x for b in daily.blocks for x in b.ranked if x.engineer_id == fid]
    assert line.firm
    sheet = pdf_text(daily_report_pdf(daily))
    assert has(sheet, "رتبه") and has(sheet, "کارون‌سازه")


def test_a_persons_issued_content_holds_no_firm_fields():
    """Fields added to the papers' DTOs later (a firm's registration) stay out of an issued
    paper's content while empty: a paper issued before they existed, unchanged, is reprinted
    with its number rather than issued anew."""
    from reports.samples import sample_commitment, sample_contract, sample_daily

    for dto in (sample_contract(), sample_commitment()):
        content = papers._content(dto)
        assert "registration_no" not in str(content) and "registration_place" not in str(content)
    assert "'firm'" not in str(papers._content(sample_daily()))  # persons ranked: no new key
    firm = papers._content(sample_commitment(kind="firm"))
    assert firm["supervisor"]["registration_no"] == "47218"

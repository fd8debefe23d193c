"""A contract signed is a contract kept (issue 14): once a supervisor named in the project's
contract has signed it, the contract is only ever reprinted as signed — a permit, a payment or
a supervisor chosen later never redraws it under a new number. A supervisor chosen after it
was signed (a discipline decided on a later day, the new referral after a named supervisor did
not come) joins it by an addendum (الحاقیه) that names the contract and whom it replaces."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pdftools import NEEDS_POPPLER, has, pdf_text
from sqlalchemy import select

from app.db.models import Referral, Round
from app.services import addenda, candidacy, deadlines, documents, papers, permits
from app.services.document_dto import DocumentRefused
from reports.addendum import addendum_pdf
from reports.contract import contract_pdf
from support import Office


@pytest.fixture
def office(tmp_path) -> Office:
    return Office(f"sqlite:///{tmp_path / 'nz.sqlite'}")


def _decide(office: Office, referral_id: int) -> None:
    """Run the office's clock to the referral's open round's deadline (20:00) and decide."""
    with office.base.read() as s:
        due = s.scalar(
            select(Round.deadline).where(Round.referral_id == referral_id, Round.outcome.is_(None))
        )
    office.clock.now = due
    deadlines.run_due(office.system)


def _window(office: Office, referral_id: int, after: timedelta = timedelta(hours=1)) -> None:
    """Into the referral's signing window (A9)."""
    with office.base.read() as s:
        office.clock.now = s.get(Referral, referral_id).sign_from + after


def _lapse(office: Office, referral_id: int) -> None:
    """Past the window's end: the 12:00 run records the no-show (A9 = W1)."""
    with office.base.read() as s:
        office.clock.now = s.get(Referral, referral_id).sign_until + timedelta(minutes=1)
    deadlines.run_due(office.system)


def _chosen(office: Office, p, **standing: int) -> None:
    """Each named engineer stands for his discipline on the first day, the 20:00 run decides,
    and the clock is in the architect's signing window the next morning."""
    office.at("1405-08-23 10:00")
    for discipline, eid in standing.items():
        candidacy.stand(office.as_engineer[eid], eid, p.referral_ids[discipline])
    office.run("1405-08-23 20:00")
    _window(office, p.referral_ids["arch"])


def _project(office: Office):
    arch = office.engineer("A1", discipline="arch")
    civil = office.engineer("C1", discipline="civil")
    civil2 = office.engineer("C2", discipline="civil", score=90)
    p = office.project(disciplines=("arch", "civil"))
    office.papers_ready(p.id)
    return p, arch, civil, civil2


def test_a_signed_contract_is_reprinted_as_signed_whatever_changes_after(office: Office):
    p, arch, civil, _ = _project(office)
    _chosen(office, p, arch=arch, civil=civil)
    first = papers.issue_contract(office.clerk, p.id)  # printed for the morning's signing
    deadlines.record_signature(office.clerk, p.referral_ids["arch"])
    # the permit comes later: the contract as signed stays (the permit is notified in writing,
    # as its article 2 says), reprinted under its number and date
    office.clock.now += timedelta(days=3)
    permits.record_permit(
        office.clerk,
        p.id,
        permits.PermitIn("اهواز", "2", "concrete", "1405/5120", office.clock.now.date()),
    )
    again = papers.issue_contract(office.clerk, p.id)
    assert (again.stamp.number, again.stamp.code) == (first.stamp.number, first.stamp.code)
    assert again.stamp.reprint and again.stamp.issued_at == first.stamp.issued_at
    assert again.paper == first.paper and again.paper.property.permit_no == ""
    check = papers.verify_paper(office.base, first.stamp.code)
    assert check is not None and check.replaced_by == ""
    # nobody joined: no addendum is due, and asking for one says why
    assert not addenda.addendum_due(office.clerk, p.id)
    with pytest.raises(DocumentRefused) as err:
        addenda.issue_addendum(office.clerk, p.id)
    assert "انتخاب شده باشد" in str(err.value)


def test_an_unsigned_contract_is_still_redrawn_when_it_changes(office: Office):
    p, arch, _civil, _ = _project(office)
    _chosen(office, p, arch=arch)
    first = papers.issue_contract(office.clerk, p.id)
    permits.record_permit(
        office.clerk,
        p.id,
        permits.PermitIn("اهواز", "2", "concrete", "1405/5120", office.clock.now.date()),
    )
    new = papers.issue_contract(office.clerk, p.id)  # nobody had signed the first one
    assert new.stamp.replaces_number == first.stamp.number
    with pytest.raises(DocumentRefused) as err:  # and an addendum has nothing to join yet
        addenda.issue_addendum(office.clerk, p.id)
    assert "هنوز به امضای هیچ ناظری نرسیده" in str(err.value)


def test_a_supervisor_chosen_on_a_later_day_joins_the_signed_contract_by_an_addendum(
    office: Office,
):
    p, arch, civil, _ = _project(office)
    _chosen(office, p, arch=arch)  # civil has nobody: two more days
    contract = papers.issue_contract(office.clerk, p.id)
    assert [s.discipline for s in contract.paper.supervisors] == ["arch"]
    assert contract.paper.coordinator_pending == "civil"
    deadlines.record_signature(office.clerk, p.referral_ids["arch"])
    candidacy.stand(office.as_engineer[civil], civil, p.referral_ids["civil"])
    _decide(office, p.referral_ids["civil"])
    _window(office, p.referral_ids["civil"])
    assert addenda.addendum_due(office.clerk, p.id)
    add = addenda.issue_addendum(office.clerk, p.id)
    dto = add.paper
    assert (dto.seq, dto.contract_number) == (1, contract.stamp.number)
    assert dto.contract_issued_at == contract.stamp.issued_at
    assert [(s.discipline, s.membership_no, s.coordinating) for s in dto.supervisors] == [
        ("civil", "C1", True)
    ]
    assert dto.replaced == () and [f.discipline for f in dto.fees] == ["civil"]
    assert add.stamp.kind == "addendum" and add.stamp.number != contract.stamp.number
    # the contract is still the contract as signed: arch alone
    kept = papers.issue_contract(office.clerk, p.id)
    assert kept.stamp.number == contract.stamp.number and kept.paper == contract.paper
    # an unchanged addendum is a reprint; it can be checked by anyone
    again = addenda.issue_addendum(office.clerk, p.id)
    assert (again.stamp.code, again.stamp.reprint) == (add.stamp.code, True)
    check = papers.verify_paper(office.base, add.stamp.code)
    assert check is not None and check.kind == "addendum"
    assert "الحاقیه" in check.summary and contract.stamp.number in check.summary
    assert "C1" in check.parties
    deadlines.record_signature(office.clerk, p.referral_ids["civil"])
    assert not addenda.addendum_due(office.clerk, p.id)  # signed: nobody is left out
    # the contract's check names its addendum; the municipality's letter attaches both
    assert papers.verify_paper(office.base, contract.stamp.code).addenda == (add.stamp.number,)
    letter = documents.letter_dto(office.clerk, p.id)
    assert letter.attachments[0] == (
        f"رونوشت قرارداد نظارت شماره {contract.stamp.number} و الحاقیه شماره {add.stamp.number}"
    )


@NEEDS_POPPLER
def test_a_contract_says_which_disciplines_join_by_addendum(office: Office):
    """Its fee table covers every discipline of the file (what the owner pays); the ones whose
    supervisor is not chosen yet are named as joining by addendum (a legal officer's reading)."""
    p, arch, _civil, _ = _project(office)
    _chosen(office, p, arch=arch)
    c = papers.issue_contract(office.clerk, p.id)
    assert c.paper.pending_disciplines == ("civil",)
    assert {f.discipline for f in c.paper.fees} == {"arch", "civil"}
    text = pdf_text(contract_pdf(c.paper, c.stamp))
    assert "ناظر رشته عمران که هنوز انتخاب نشده" in text
    assert "با الحاقیه" in text


@NEEDS_POPPLER
def test_a_no_show_named_in_the_contract_is_replaced_by_an_addendum_that_says_so(
    office: Office, tmp_path
):
    p, arch, civil, civil2 = _project(office)
    _chosen(office, p, arch=arch, civil=civil)
    contract = papers.issue_contract(office.clerk, p.id)  # names arch and civil (C1)
    assert {s.membership_no for s in contract.paper.supervisors} == {"A1", "C1"}
    deadlines.record_signature(office.clerk, p.referral_ids["arch"])  # C1 never comes
    _lapse(office, p.referral_ids["civil"])
    candidacy.stand(office.as_engineer[civil2], civil2, p.referral_ids["civil"])
    _decide(office, p.referral_ids["civil"])
    _window(office, p.referral_ids["civil"])
    add = addenda.issue_addendum(office.clerk, p.id)
    (gone,) = add.paper.replaced
    assert (gone.membership_no, gone.reason, gone.discipline) == ("C1", "no_show", "civil")
    assert [s.membership_no for s in add.paper.supervisors] == ["C2"]
    text = pdf_text(addendum_pdf(add.paper, add.stamp))
    assert "الحاقیه قرارداد نظارت" in text and "جایگزین" in text and "C1" in text
    assert "نام برده شده بود" in text
    assert "برای امضای قرارداد حاضر نشد" in text
    from reports.rtl import fa_digits

    assert fa_digits(contract.stamp.number) in text


def test_an_unsigned_addendum_is_replaced_when_its_supervisor_does_not_come(office: Office):
    p, arch, civil, civil2 = _project(office)
    _chosen(office, p, arch=arch)
    papers.issue_contract(office.clerk, p.id)
    deadlines.record_signature(office.clerk, p.referral_ids["arch"])
    candidacy.stand(office.as_engineer[civil], civil, p.referral_ids["civil"])
    candidacy.stand(office.as_engineer[civil2], civil2, p.referral_ids["civil"])
    _decide(office, p.referral_ids["civil"])
    _window(office, p.referral_ids["civil"])
    first = addenda.issue_addendum(office.clerk, p.id)  # C1, who then does not come
    _lapse(office, p.referral_ids["civil"])  # C2 still stands in the round that reopens
    _decide(office, p.referral_ids["civil"])
    _window(office, p.referral_ids["civil"])
    second = addenda.issue_addendum(office.clerk, p.id)
    assert second.paper.seq == 1  # still the first addendum: the first draft was never signed
    assert second.stamp.replaces_number == first.stamp.number
    assert [s.membership_no for s in second.paper.supervisors] == ["C2"]
    assert papers.verify_paper(office.base, first.stamp.code).replaced_by == second.stamp.number


def test_the_signing_desk_prints_the_addendum_for_a_supervisor_who_joins(office: Office, qapp):
    """The signing screen's «قرارداد» (ui/print_preview.contract_job) and the day's batch give a
    joining supervisor the addendum he signs, and the others the contract as signed."""
    from ui.print_preview import contract_job, day_batch

    p, arch, civil, _ = _project(office)
    _chosen(office, p, arch=arch)
    first = contract_job(office.clerk, p.id)
    assert first.title.startswith("قرارداد نظارت")
    deadlines.record_signature(office.clerk, p.referral_ids["arch"])
    candidacy.stand(office.as_engineer[civil], civil, p.referral_ids["civil"])
    _decide(office, p.referral_ids["civil"])
    _window(office, p.referral_ids["civil"])
    job = contract_job(office.clerk, p.id)
    assert job.title.startswith("الحاقیه ۱ قرارداد") and job.file_name.endswith("-1.pdf")
    batch = day_batch(office.clerk)
    assert [part.title.split(" — ")[0] for part in batch.parts] == [
        "الحاقیه قرارداد نظارت",
        "تعهدنامه ناظر",
    ]


def test_a_signed_commitment_form_is_kept_with_the_capacity_at_his_signature(office: Office):
    p, arch, _civil, _ = _project(office)
    _chosen(office, p, arch=arch)
    first = papers.issue_commitment(office.clerk, p.referral_ids["arch"])
    deadlines.record_signature(office.clerk, p.referral_ids["arch"])
    # a second job for him later changes his capacity: the signed form stays as signed
    p2 = office.project(disciplines=("arch",))
    office.papers_ready(p2.id)
    candidacy.stand(office.as_engineer[arch], arch, p2.referral_ids["arch"])
    _decide(office, p2.referral_ids["arch"])
    assert papers.issue_commitment(office.clerk, p2.referral_ids["arch"]).paper.used_m2 > (
        first.paper.used_m2
    )
    again = papers.issue_commitment(office.clerk, p.referral_ids["arch"])
    assert (again.stamp.number, again.stamp.reprint) == (first.stamp.number, True)
    assert again.paper == first.paper


def test_the_check_of_a_contract_says_whom_each_addendum_replaced(office: Office, capsys):
    """A contract whose named supervisor never came: its check names the addendum and who took
    whose place; the one who left is no longer among its parties."""
    import argparse

    from app.cli.papers import cmd_verify_paper

    p, arch, civil, civil2 = _project(office)
    _chosen(office, p, arch=arch, civil=civil)
    contract = papers.issue_contract(office.clerk, p.id)
    deadlines.record_signature(office.clerk, p.referral_ids["arch"])  # C1 never comes
    _lapse(office, p.referral_ids["civil"])
    candidacy.stand(office.as_engineer[civil2], civil2, p.referral_ids["civil"])
    _decide(office, p.referral_ids["civil"])
    _window(office, p.referral_ids["civil"])
    add = addenda.issue_addendum(office.clerk, p.id)
    check = papers.verify_paper(office.base, contract.stamp.code)
    note = f"الحاقیه 1 (شماره {add.stamp.number}): ناظر عمران C2 جای C1"
    assert check.addenda_notes == (note,) and note in check.summary
    assert "C1" not in check.parties and {"A1", "C2"} <= set(check.parties)
    assert any("C1" in x and add.stamp.number in x for x in check.departed)
    assert check.state == "in_force" and add.stamp.number in check.state_fa
    assert (
        cmd_verify_paper(argparse.Namespace(code=contract.stamp.code, db=str(office.engine.url)))
        == 0
    )
    out = capsys.readouterr().out
    assert note in out and "amended by" in out


@NEEDS_POPPLER
def test_a_signed_contract_reprints_with_a_note_of_the_addendum_that_replaced_a_supervisor(
    office: Office,
):
    """The reprint of a contract whose named supervisor never came says so itself: a note,
    marked as added at printing, names the addendum (number, date), the discipline, who took
    whose place and why — and the contract's own text is the one signed."""
    from reports.rtl import fa_digits

    p, arch, civil, civil2 = _project(office)
    _chosen(office, p, arch=arch, civil=civil)
    first = papers.issue_contract(office.clerk, p.id)
    assert first.stamp.addenda == ()
    deadlines.record_signature(office.clerk, p.referral_ids["arch"])  # C1 never comes
    _lapse(office, p.referral_ids["civil"])
    candidacy.stand(office.as_engineer[civil2], civil2, p.referral_ids["civil"])
    _decide(office, p.referral_ids["civil"])
    _window(office, p.referral_ids["civil"])
    add = addenda.issue_addendum(office.clerk, p.id)
    again = papers.issue_contract(office.clerk, p.id)
    assert again.stamp.reprint and again.stamp.number == first.stamp.number
    assert again.paper == first.paper  # the signed text is unchanged
    (note,) = again.stamp.addenda
    assert (note.number, note.seq, note.signed) == (add.stamp.number, 1, False)
    (change,) = note.changes
    assert (change.discipline, change.name, change.replaced, change.reason) == (
        "civil",
        "C2",
        "C1",
        "no_show",
    )
    text = pdf_text(contract_pdf(again.paper, again.stamp))
    assert "افزوده بر متن امضاشده قرارداد" in text
    assert has(text, f"الحاقیه ۱ به شماره {fa_digits(add.stamp.number)}")
    assert has(text, "ناظر عمران C2 جایگزین C1 شد که در مهلت امضای")
    assert "برای امضای قرارداد حاضر نشد" in text and "هنوز امضا نشده است" in text
    # the first print, before the addendum, carries no such note
    assert "افزوده بر متن امضاشده" not in pdf_text(contract_pdf(first.paper, first.stamp))

"""Issue 14: an issued paper is a record (number from the outgoing register, date, content
digest, issuer); a reprint is the same paper, a changed paper a new one naming the one it
replaces; a keyed verification code that anyone can check — and that a tampered code, a
changed record or another installation's key does not pass."""

from __future__ import annotations

import argparse
import re
from decimal import Decimal

import pytest
from pdftools import NEEDS_POPPLER, pdf_text
from sqlalchemy import func, select, update

from app.db.models import AuditEntry, IssuedPaper
from app.domain.errors import RuleViolation
from app.keys import ephemeral_key
from app.services import candidacy, deadlines, papers, permits, projects
from app.services.context import Actor
from app.services.document_dto import DocumentRefused
from app.services.dto import OwnerIn, ProjectIn
from reports.contract import contract_pdf
from support import OWNER, Office, next_plate


@pytest.fixture
def office(tmp_path) -> Office:
    return Office(f"sqlite:///{tmp_path / 'nz.sqlite'}")


def _signed_project(office: Office, sign: bool = True):
    arch = office.engineer("A1", discipline="arch")
    civil = office.engineer("C1", discipline="civil")
    p = office.project(disciplines=("arch", "civil"))
    office.papers_ready(p.id)
    office.at("1405-08-23 10:00")
    candidacy.stand(office.as_engineer[arch], arch, p.referral_ids["arch"])
    candidacy.stand(office.as_engineer[civil], civil, p.referral_ids["civil"])
    office.run("1405-08-23 20:00")
    office.at("1405-08-24 09:00")
    for rid in p.referral_ids.values() if sign else ():
        deadlines.record_signature(office.clerk, rid)
    return p


def _registered(ctx, **given):
    """A file of 450 m² on 3 floors registered by `ctx` at the counter (`given` overrides)."""
    fields = {
        "plate": f"{next_plate()}/1",
        "area": Decimal(450),
        "floors": 3,
        "owners": (OwnerIn(OWNER, mobile="09161234567"),),
        **given,
    }
    return projects.register_project(ctx, ProjectIn(**fields))


def test_a_reprint_is_the_same_paper_with_the_same_number_and_code(office: Office):
    p = _signed_project(office)
    first = papers.issue_contract(office.clerk, p.id)
    assert re.fullmatch(r"1405-\d{5}", first.stamp.number)
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){2}", first.stamp.code)
    assert first.stamp.check_url == f"https://nezarat.khz-nezam.test/verify/{first.stamp.code}"
    assert not first.stamp.reprint and first.stamp.print_no == 1
    office.at("1405-08-26 11:00")
    again = papers.issue_contract(office.clerk, p.id)
    assert (again.stamp.number, again.stamp.code) == (first.stamp.number, first.stamp.code)
    assert again.stamp.issued_at == first.stamp.issued_at  # dated by its issue, not the print
    assert again.stamp.reprint and again.stamp.print_no == 2
    assert again.stamp.printed_at > first.stamp.printed_at
    assert again.paper == first.paper


def test_a_changed_paper_is_a_new_one_that_names_the_one_it_replaces(office: Office):
    """A contract nobody has signed yet is redrawn (a signed one stands: test_addenda.py)."""
    p = _signed_project(office, sign=False)
    first = papers.issue_contract(office.clerk, p.id)
    office.at("1405-08-27 10:00")
    permits.record_permit(
        office.clerk,
        p.id,
        permits.PermitIn("اهواز", "2", "concrete", "1405/5120", office.clock.now.date()),
    )
    new = papers.issue_contract(office.clerk, p.id)
    assert new.stamp.number != first.stamp.number and new.stamp.code != first.stamp.code
    assert new.stamp.replaces_number == first.stamp.number
    assert new.paper.property.permit_no == "1405/5120"
    old = papers.verify_paper(office.base, first.stamp.code)
    assert old is not None and old.replaced_by == new.stamp.number
    assert papers.verify_paper(office.base, new.stamp.code).replaces == first.stamp.number


def test_numbers_come_from_one_outgoing_register_per_jalali_year(office: Office):
    p = _signed_project(office)
    a = papers.issue_receipt(office.clerk, p.id).stamp.number
    b = papers.issue_contract(office.clerk, p.id).stamp.number
    c = papers.issue_letter(office.clerk, p.id).stamp.number
    assert [a, b, c] == ["1405-00001", "1405-00002", "1405-00003"]


def test_no_new_letter_for_a_finished_building_the_one_issued_before_is_reprinted(
    office: Office,
):
    """S3: once the completion certificate is recorded the supervision has ended, so no new
    introduction letter; one issued before stays printable as it was issued."""
    arch = office.engineer("A1", discipline="arch")
    civil = office.engineer("C1", discipline="civil")
    issued_first, never = (office.project(disciplines=("arch", "civil")) for _ in range(2))
    office.papers_ready(issued_first.id, never.id)
    office.at("1405-08-23 10:00")
    for p in (issued_first, never):
        candidacy.stand(office.as_engineer[arch], arch, p.referral_ids["arch"])
        candidacy.stand(office.as_engineer[civil], civil, p.referral_ids["civil"])
    office.run("1405-08-23 20:00")
    office.at("1405-08-24 09:00")
    for p in (issued_first, never):
        for rid in p.referral_ids.values():
            deadlines.record_signature(office.clerk, rid)
    letter = papers.issue_letter(office.clerk, issued_first.id)
    office.at("1405-09-10 10:00")
    for p in (issued_first, never):
        projects.complete_project(office.clerk, p.id, "پ-۱۲۳")
    with pytest.raises(DocumentRefused) as refused:
        papers.issue_letter(office.clerk, never.id)
    assert refused.value.reasons[0].startswith("پایان کار این ساختمان در ۱۴۰۵/۰۹/۱۰ ثبت شده است")
    office.at("1405-09-12 10:00")
    again = papers.issue_letter(office.clerk, issued_first.id)
    assert (again.stamp.number, again.stamp.code) == (letter.stamp.number, letter.stamp.code)
    assert again.stamp.reprint and again.paper == letter.paper
    with office.base.tx() as s:
        assert s.scalar(select(func.count()).select_from(IssuedPaper)) == 1


def test_verify_paper_round_trip_for_everyone(office: Office):
    p = _signed_project(office)
    issued = papers.issue_letter(office.clerk, p.id)
    engineer = office.base.as_actor(Actor("e", "engineer", None, engineer_id=1))
    check = papers.verify_paper(engineer, issued.stamp.code)
    assert check is not None
    assert (check.kind, check.number, check.file_no) == ("letter", issued.stamp.number, p.file_no)
    assert check.issued_at == issued.stamp.issued_at and check.issued_by == "کارشناس"
    assert set(check.parties) >= {"A1", "C1"} and check.replaced_by == ""
    # what people type or a QR reader gives back: lower case, no dashes, the whole address
    raw = issued.stamp.code.replace("-", "").lower()
    assert papers.verify_paper(office.base, raw) == check
    assert papers.verify_paper(office.base, issued.stamp.check_url) == check


def test_a_tampered_code_is_unknown(office: Office):
    p = _signed_project(office)
    code = papers.issue_contract(office.clerk, p.id).stamp.code
    alphabet = papers.ALPHABET
    last = code[-1]
    wrong = code[:-1] + alphabet[(alphabet.index(last) + 1) % len(alphabet)]
    assert papers.verify_paper(office.base, wrong) is None
    assert papers.verify_paper(office.base, "not a code") is None
    assert papers.verify_paper(office.base, "") is None


def test_a_record_changed_behind_the_service_no_longer_verifies(office: Office):
    """The code is recomputed from the stored record with the key: someone with database
    access but without the key cannot change what a paper says and keep its code."""
    p = _signed_project(office)
    code = papers.issue_contract(office.clerk, p.id).stamp.code
    with office.base.tx() as s:
        row = s.scalar(select(IssuedPaper).where(IssuedPaper.code == code))
        content = dict(row.content)
        content["total_fee_rials"] = 1
        s.execute(update(IssuedPaper).where(IssuedPaper.id == row.id).values(content=content))
    assert papers.verify_paper(office.base, code) is None
    with office.base.tx() as s:  # and a digest forged to match: the HMAC still refuses
        from app.domain.digest import digest

        s.execute(
            update(IssuedPaper)
            .where(IssuedPaper.code == code)
            .values(content_digest=digest(content))
        )
    assert papers.verify_paper(office.base, code) is None


def test_a_code_from_another_installation_is_unknown(office: Office, tmp_path):
    p = _signed_project(office)
    code = papers.issue_contract(office.clerk, p.id).stamp.code
    other_key = office.base.__class__(office.engine, key=ephemeral_key())
    assert papers.verify_paper(other_key, code) is None  # the same rows, another key
    other = Office(f"sqlite:///{tmp_path / 'other.sqlite'}")  # another database
    assert papers.verify_paper(other.base, code) is None


def test_issuing_is_for_staff_and_recorded_in_the_audit_trail(office: Office):
    p = _signed_project(office)
    engineer = office.as_engineer[next(iter(office.as_engineer))]
    with pytest.raises(RuleViolation):
        papers.issue_contract(engineer, p.id)
    issued = papers.issue_contract(office.clerk, p.id)
    papers.issue_contract(office.clerk, p.id)
    with office.base.tx() as s:
        actions = [
            (a.action, a.actor)
            for a in s.scalars(
                select(AuditEntry).where(AuditEntry.entity == "paper").order_by(AuditEntry.id)
            )
        ]
    assert actions == [("paper.issue", "clerk"), ("paper.reprint", "clerk")]
    assert issued.stamp.issued_by == "کارشناس"


@NEEDS_POPPLER
def test_the_printed_paper_carries_its_number_code_and_reprint_mark(office: Office):
    """A reprint while a supervisor is still to sign it is one more original (he signs it);
    once nobody is still to sign it, a reprint is a copy, «رونوشت», and says it is not one."""
    p = _signed_project(office, sign=False)
    first = papers.issue_contract(office.clerk, p.id)
    text = pdf_text(contract_pdf(first.paper, first.stamp))
    assert first.stamp.code in text and "چاپ دوباره" not in text and "رونوشت" not in text
    again = papers.issue_contract(office.clerk, p.id)
    assert again.stamp.reprint and not again.stamp.copy
    text = pdf_text(contract_pdf(again.paper, again.stamp))
    assert first.stamp.code in text and "چاپ دوباره (نوبت ۲)" in text and "نوبت چاپ ۲" in text
    assert "رونوشت" not in text and "اصل است" in text
    deadlines.record_signature(office.clerk, p.referral_ids["arch"])
    still = papers.issue_contract(office.clerk, p.id)  # civil's supervisor still to sign
    assert still.stamp.reprint and not still.stamp.copy
    deadlines.record_signature(office.clerk, p.referral_ids["civil"])
    copy = papers.issue_contract(office.clerk, p.id)
    assert copy.stamp.copy and copy.stamp.number == first.stamp.number
    assert copy.stamp.code == first.stamp.code
    text = pdf_text(contract_pdf(copy.paper, copy.stamp))
    assert "رونوشت (نوبت چاپ ۴)" in text and "اصل به شمار نمی‌آید" in text
    assert "چاپ دوباره" not in text and "هر نسخه آن که طرفین امضا" not in text


def test_a_reprinted_receipt_is_a_copy(office: Office):
    """Nobody signs a receipt after the counter: its reprint is a copy at once."""
    p = _signed_project(office, sign=False)
    first = papers.issue_receipt(office.clerk, p.id)
    again = papers.issue_receipt(office.clerk, p.id)
    assert not first.stamp.reprint and again.stamp.reprint and again.stamp.copy


def test_the_qr_code_holds_the_public_check_address(office: Office, monkeypatch):
    from reports.layout import Page

    seen: list[str] = []
    monkeypatch.setattr(Page, "qr", lambda self, payload, *a, **k: seen.append(payload))
    p = _signed_project(office)
    issued = papers.issue_contract(office.clerk, p.id)
    contract_pdf(issued.paper, issued.stamp)
    assert seen == [issued.stamp.check_url]


def test_verify_paper_command_answers_0_with_what_was_issued_and_1_unknown(office, capsys):
    from app.cli.papers import cmd_verify_paper

    p = _signed_project(office)
    issued = papers.issue_contract(office.clerk, p.id)
    url = str(office.engine.url)
    assert cmd_verify_paper(argparse.Namespace(code=issued.stamp.code, db=url)) == 0
    out = capsys.readouterr().out
    assert issued.stamp.number in out and p.file_no in out and "in force" in out
    assert cmd_verify_paper(argparse.Namespace(code="AAAA-BBBB-CCCC", db=url)) == 1
    assert "unknown" in capsys.readouterr().out


def test_verify_paper_command_end_to_end(office, tmp_path):
    """`main.py verify-paper CODE --db URL` as a process, with the installation's key file."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    p = _signed_project(office)
    code = papers.issue_receipt(office.clerk, p.id).stamp.code
    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ)
    run = [sys.executable, str(root / "main.py"), "verify-paper"]
    ok = subprocess.run(
        [*run, code, "--db", str(office.engine.url)], env=env, capture_output=True, text=True
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "receipt" in ok.stdout
    env["NEZARAT_KEY_FILE"] = str(tmp_path / "another.key")  # not the key it was issued under
    other = subprocess.run(
        [*run, code, "--db", str(office.engine.url)], env=env, capture_output=True, text=True
    )
    # not "unknown": the paper is this office's; the command was given the wrong key file
    assert other.returncode == 2 and "--key-file" in other.stdout, other.stdout
    forged = subprocess.run(
        [*run, "AAAA-BBBB-CCCC", "--db", str(office.engine.url)],
        env=env,
        capture_output=True,
        text=True,
    )
    assert forged.returncode == 1 and "unknown" in forged.stdout
    right = str(Path(os.environ["NEZARAT_DATA"]) / "server.key")  # the installation's
    named = subprocess.run(
        [sys.executable, str(root / "main.py"), "--key-file", right, "verify-paper", code,
         "--db", str(office.engine.url)],
        env=env,
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert named.returncode == 0, named.stdout + named.stderr


def test_a_command_holding_another_key_writes_nothing(office: Office):
    """The trail is kept under the office server's key: a desk command run with another key
    file (`documents` on the server's database) is refused before it writes a line or issues a
    paper nobody could verify."""
    from app.keys import ForeignKeyError

    p = _signed_project(office)
    stranger = office.clerk.__class__(office.engine, actor=office.clerk.actor, key=ephemeral_key())
    with office.base.read() as s:
        before = (
            s.scalar(select(func.count(AuditEntry.id))),
            s.scalar(select(func.count(IssuedPaper.id))),
        )
    with pytest.raises(ForeignKeyError, match="--key-file"):
        papers.issue_contract(stranger, p.id)
    with office.base.read() as s:
        after = (
            s.scalar(select(func.count(AuditEntry.id))),
            s.scalar(select(func.count(IssuedPaper.id))),
        )
    assert after == before
    assert papers.issue_contract(office.clerk, p.id).stamp.number  # the right key still issues


def test_a_replaced_paper_says_first_that_it_is_void_and_exits_3(office, capsys):
    """verify-paper: 0 in force, 1 unknown, 3 issued but replaced — a replaced paper's check
    starts by saying it is void, naming the paper that replaced it and its date; the service
    result carries the state (the web check reads it)."""
    from app.cli.papers import cmd_verify_paper

    p = _signed_project(office, sign=False)
    first = papers.issue_contract(office.clerk, p.id)
    office.at("1405-08-27 10:00")
    permits.record_permit(
        office.clerk,
        p.id,
        permits.PermitIn("اهواز", "2", "concrete", "1405/5120", office.clock.now.date()),
    )
    new = papers.issue_contract(office.clerk, p.id)
    old = papers.verify_paper(office.base, first.stamp.code)
    assert (old.state, old.replaced_by) == ("replaced", new.stamp.number)
    assert old.replaced_by_issued_at == new.stamp.issued_at
    assert old.state_fa.startswith("باطل") and new.stamp.number in old.state_fa
    assert "1405-08-27" in old.state_fa  # the replacing paper's date
    url = str(office.engine.url)
    assert cmd_verify_paper(argparse.Namespace(code=first.stamp.code, db=url)) == 3
    out = capsys.readouterr().out
    first_line = out.splitlines()[0]
    assert "VOID" in first_line and "باطل" in first_line and new.stamp.number in first_line
    assert "in force" not in out and "OK" not in first_line
    assert cmd_verify_paper(argparse.Namespace(code=new.stamp.code, db=url)) == 0
    assert papers.verify_paper(office.base, new.stamp.code).state == "in_force"


@NEEDS_POPPLER
def test_a_receipt_names_who_registered_the_file_and_is_checked_under_its_printed_title(
    office: Office,
):
    """The receipt is dated by its issue beside the file's registration; it names the clerk
    who registered the file (the trail's line) when another prints it; a file still missing
    a required document is checked under the title printed on it."""
    from reports.receipt import receipt_pdf

    p = _registered(office.clerk, disciplines=("arch", "civil", "mech", "elec"))
    office.papers_ready()  # the organization's particulars
    office.at("1405-08-25 11:30")
    issued = papers.issue_receipt(office.manager, p.id)
    assert issued.paper.registered_by == "کارشناس" and issued.stamp.issued_by == "مدیر"
    text = pdf_text(receipt_pdf(issued.paper, issued.stamp))
    assert "اعلام کسری مدارک پرونده" in text  # nothing received yet
    assert "ثبت پرونده: کارشناس؛ صادرکننده رسید: مدیر" in text
    assert "تاریخ صدور" in text and "۱۴۰۵/۰۸/۲۵" in text and "پذیرش:" not in text
    if "صفحه ۲ از" in text:  # a page after the first says whose receipt it continues
        assert "ادامه اعلام کسری مدارک پرونده شماره" in text
    check = papers.verify_paper(office.base, issued.stamp.code)
    assert check.kind_fa == "اعلام کسری مدارک پرونده"
    assert check.summary.startswith("اعلام کسری مدارک پرونده، پرونده")


def test_a_company_owners_checklist_asks_for_its_gazette_notice_not_a_national_card(
    office: Office,
):
    """A legal owner has no national card and signs through its managing director: the
    checklist lines of its file (the receipt, the counter, P2's gaps) say what it brings."""
    from app.services import browse

    company = OwnerIn("10103741857", last_name="شرکت کارون‌بنا", kind="legal")
    p = _registered(
        office.system,
        owners=(company,),
        disciplines=("civil",),
        enforce_p4=False,
        brought_by_role="legal_rep",
        brought_by_name="رضا کریمی",
    )
    office.papers_ready()
    lines = {d.title: d for d in papers.issue_receipt(office.clerk, p.id).paper.documents}
    gazette = next(t for t in lines if t.startswith("آگهی تأسیس و آخرین تغییرات"))
    assert "کارت ملی مدیرعامل" in gazette and lines[gazette].required
    assert "تصویر کارت ملی مالک یا مالکان" not in lines
    status = browse.intake_status(office.clerk, p.id)
    assert gazette in {d.title for d in status.documents}
    assert f"مدرک دریافت نشده: {gazette}" in status.gaps

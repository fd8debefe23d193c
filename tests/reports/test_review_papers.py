"""A legal officer's review of the printed papers (the papers' text layer, pdftotext): a
receipt holds only what it prints, the copy check never makes a contract's validity, clause
4-2 reads whether or not the coordinator is chosen, an entered (unpublished) rate is the
organization's, the guideline is named, signatures say how each party signs, the stage table
follows the clause that cites it and says its amounts are gross, article 9 has no doubled
bracket, termination, force majeure and liability are there, plurals agree, and a letter that
fits on one page ends on it."""

from __future__ import annotations

import re
import subprocess
from dataclasses import replace
from datetime import date

import pytest
from pdftools import NEEDS_POPPLER, has, pdf_text, squash
from sqlalchemy import select

from app.db.models import IssuedPaper
from app.domain.digest import digest
from app.domain.rules_fa import join_fa
from app.services import documents, fees, papers, permits
from app.services.document_dto import CONTENT_ADDED_LATER
from reports.addendum import addendum_pdf
from reports.commitment import commitment_pdf
from reports.contract import contract_pdf
from reports.daily import daily_report_pdf
from reports.letter import letter_pdf
from reports.receipt import receipt_pdf
from reports.samples import (
    as_firm,
    sample_addendum,
    sample_commitment,
    sample_company_contract,
    sample_contract,
    sample_daily,
    sample_letter,
    sample_receipt,
    sample_stamp,
)
from support import Office

GUIDELINE = "شیوه‌نامه ارجاع نظارت سازمان نظام مهندسی ساختمان استان خوزستان"


@pytest.fixture
def office(tmp_path) -> Office:
    return Office(f"sqlite:///{tmp_path / 'nz.sqlite'}")


def _contract_text(dto=None, stamp=True) -> str:
    dto = dto or sample_contract()
    return pdf_text(contract_pdf(dto, sample_stamp("contract") if stamp else None))


def _pages(pdf: bytes) -> list[str]:
    return pdf_text(pdf).split("\f")[:-1]


# ---------------------------------------------------------------- 1. the receipt's content


def _rewrite_as_issued_before(office: Office, number: str, **prop) -> str:
    """Make the issued receipt's stored record what the code before the fix stored: its
    property with the permit section (its digest and code recomputed, a consistent record)."""
    with office.base.tx() as s:
        row = s.scalar(select(IssuedPaper).where(IssuedPaper.number == number))
        content = dict(row.content)
        content["property"] = {**content["property"], **prop}
        row.content = content
        row.content_digest = digest(content)
        row.code = papers._code(office.base, row, "")
        return row.code


def _permit(office: Office, project_id: int, no: str = "1405/5120") -> None:
    permits.record_permit(
        office.clerk,
        project_id,
        permits.PermitIn("اهواز", "2", "concrete", no, office.clock.now.date() if no else None),
    )


def test_a_receipt_does_not_hold_the_permit_and_a_permit_recorded_later_reprints_it(office):
    p = office.project(disciplines=("civil",))
    office.papers_ready(p.id)
    first = papers.issue_receipt(office.clerk, p.id)
    with office.base.read() as s:
        stored = s.scalar(select(IssuedPaper).where(IssuedPaper.number == first.stamp.number))
        held = set(stored.content["property"])
    assert not held & {"permit_no", "permit_date", "city", "municipal_district", "structure_fa"}
    office.clock.now = office.clock.now.replace(day=office.clock.now.day + 1)
    _permit(office, p.id)
    again = papers.issue_receipt(office.clerk, p.id)
    assert (again.stamp.number, again.stamp.reprint) == (first.stamp.number, True)
    assert again.paper.property.permit_no == ""  # the receipt's DTO does not carry it


@pytest.mark.parametrize("with_permit", [False, True])
def test_a_receipt_issued_before_the_fix_reprints_with_its_number(office, with_permit):
    """Issued by the code before: its stored content holds the permit section (empty, or the
    permit recorded before it was issued). A later print compares without those fields: the
    same receipt, reprinted with its number and code — not a new paper replacing it."""
    p = office.project(disciplines=("civil",))
    office.papers_ready(p.id, permit=with_permit)
    first = papers.issue_receipt(office.clerk, p.id)
    code = _rewrite_as_issued_before(
        office,
        first.stamp.number,
        permit_no="1405/2231" if with_permit else "",
        permit_date=office.clock.now.date().isoformat() if with_permit else None,
        city="اهواز",
        municipal_district="2",
        structure_fa="اسکلت بتن‌آرمه",
        municipal_file_no="",
    )
    if not with_permit:
        _permit(office, p.id)  # the permit recorded after it
    again = papers.issue_receipt(office.clerk, p.id)
    assert (again.stamp.number, again.stamp.code, again.stamp.reprint) == (
        first.stamp.number,
        code,
        True,
    )
    check = papers.verify_paper(office.base, code)
    assert check is not None and check.state == "in_force"


def test_a_field_added_later_is_left_out_while_empty():
    """rate_entered (a fee line's rate entered by the office) is left out while False: a paper
    issued before it existed, without such a line, keeps its content and its number."""
    assert "rate_entered" in CONTENT_ADDED_LATER
    content = papers._content(sample_contract(), "contract")
    assert all("rate_entered" not in f for f in content["fees"])
    dto = sample_contract()
    entered = replace(dto, fees=(*dto.fees[:-1], replace(dto.fees[-1], rate_entered=True)))
    assert papers._content(entered, "contract")["fees"][-1]["rate_entered"] is True


# ---------------------------------------------------------------- 2, 12, 13: the contract


@NEEDS_POPPLER
def test_the_code_checks_a_copy_against_the_register_and_the_signed_originals_govern():
    for text in (_contract_text(), pdf_text(addendum_pdf(sample_addendum(), sample_stamp()))):
        assert "دفتر اسناد صادره" in text
        assert has(text, "نسخه‌های اصلی امضاشده ملاک است")
        assert "«ثبت‌نشده» اعلام شود" not in text and not has(text, "اعتبار ندارد.")


@NEEDS_POPPLER
def test_article_9_names_the_copy_holders_without_a_doubled_bracket():
    for text in (_contract_text(), pdf_text(addendum_pdf(sample_addendum(), sample_stamp()))):
        assert "))" not in squash(text)
        assert has(text, "هر امضاکننده یک نسخه دارد")
        assert "،تنظیم و امضا شد" not in squash(text)  # no bracketed list before the verb
    assert has(_contract_text(), "این قرارداد در نه ماده")  # counted, in words


@NEEDS_POPPLER
def test_termination_force_majeure_and_liability_follow_topic_2():
    text = _contract_text()
    assert has(text, "قوه قاهره و مسئولیت")  # article 6's title
    assert has(text, "و سازمان گزارش می‌کند") and has(text, "ناظر مراتب را کتباً به مرجع صدور")
    assert has(text, "از موجبات فسخ قرارداد نسبت به آن ناظر است")
    assert has(text, "به سبب قوه قاهره")
    assert has(text, "مسئولیت مدنی ناظر")
    assert has(text, "ضوابط مبحث دوم مقررات ملی ساختمان است")


# ---------------------------------------------------------------- 3, 14: wording


@NEEDS_POPPLER
def test_clause_4_2_reads_with_the_coordinator_named_or_still_to_be_chosen():
    named = _contract_text()
    assert has(named, "ناظر هماهنگ‌کننده این قرارداد علی‌رضا کریمی (ناظر عمران) است؛")
    dto = sample_contract()
    pending = replace(
        dto,
        supervisors=tuple(s for s in dto.supervisors if s.discipline != "civil"),
        coordinator_pending="civil",
        pending_disciplines=("civil",),
    )
    text = _contract_text(pending)
    assert has(
        text,
        "ناظر هماهنگ‌کننده این قرارداد ناظر رشته عمران است که پس از انتخاب، با الحاقیه به این "
        "قرارداد معرفی می‌شود؛ ناظر هماهنگ‌کننده افزون بر وظایف رشته خود",
    )
    assert not has(text, "معرفی می‌شود است")


@NEEDS_POPPLER
def test_supervisors_still_to_be_chosen_are_plural():
    dto = sample_contract()
    pending = replace(
        dto,
        supervisors=tuple(s for s in dto.supervisors if s.discipline in ("mech", "elec")),
        coordinator_pending="civil",
        pending_disciplines=("arch", "civil"),
    )
    text = _contract_text(pending)
    assert has(text, "ناظران رشته‌های معماری و عمران که هنوز انتخاب نشده‌اند")


def test_the_letter_refusal_names_the_unsigned_supervisors_in_the_plural_joined_with_and():
    one = documents.letter_refusals("12/3", [], [], ["mech"], "شهرداری اهواز")
    assert one[0].startswith("ناظر رشته تأسیسات مکانیکی هنوز قرارداد و تعهدنامه را امضا نکرده است")
    many = documents.letter_refusals("12/3", [], [], ["arch", "mech", "elec"], "x")
    assert many[0].startswith(
        "ناظران رشته‌های معماری، تأسیسات مکانیکی و تأسیسات برقی هنوز قرارداد و تعهدنامه را "
        "امضا نکرده‌اند"
    )
    assert join_fa(["الف", "ب", "ج"]) == "الف، ب و ج" and join_fa(["الف"]) == "الف"


@NEEDS_POPPLER
def test_a_company_owners_mobile_is_its_managing_directors():
    text = _contract_text(sample_company_contract())
    assert has(text, "تلفن همراه مدیرعامل")


# ---------------------------------------------------------------- 4: an entered rate


def _with_entered_survey(dto):
    survey = replace(dto.fees[-1], discipline="survey", rate_entered=True)
    return replace(dto, fees=(*dto.fees[:-1], survey))


@NEEDS_POPPLER
def test_an_entered_rate_is_the_organizations_approved_rate_on_contract_addendum_receipt():
    note = "نرخ رشته نقشه‌برداری در جدول تعرفه منتشرشده نیامده است؛ این نرخ، نرخ مصوب سازمان است"
    contract = _contract_text(_with_entered_survey(sample_contract()))
    assert has(contract, "نقشه‌برداری *") and has(contract, "* " + note)
    assert has(contract, "در جدول زیر با نشان *")  # clause 3-1 says so too
    addendum = pdf_text(addendum_pdf(_with_entered_survey(sample_addendum()), sample_stamp()))
    assert has(addendum, note)
    receipt = pdf_text(receipt_pdf(_with_entered_survey(sample_receipt()), sample_stamp()))
    assert has(receipt, "نقشه‌برداری *") and has(receipt, note)
    assert "مصوب سازمان" not in _contract_text()  # every rate published: no note


def test_the_office_s_entered_cell_is_marked_on_the_fee_line(office):
    on = date(2026, 3, 21)
    fees.set_tariff(office.admin, 1405, "B", "civil", 1_000_000, on, source="جدول منتشرشده")
    fees.set_tariff(office.admin, 1405, "B", "survey", 50_000, on)  # no source: entered
    p = office.project(disciplines=("civil", "survey"), ready=False)
    office.papers_ready(p.id)
    lines = {f.discipline: f for f in documents.receipt_dto(office.clerk, p.id).fees}
    if lines["survey"].rials_per_m2 is None:
        pytest.skip("this office's table has no row for the file (band)")
    assert lines["survey"].rate_entered and not lines["civil"].rate_entered


# ---------------------------------------------------------------- 8, 9: guideline, rank


@NEEDS_POPPLER
def test_the_guideline_is_named_once_on_each_paper_that_cites_it():
    for text in (
        _contract_text(),
        pdf_text(commitment_pdf(sample_commitment(), sample_stamp("commitment"))),
        pdf_text(daily_report_pdf(sample_daily(), sample_stamp("daily"))),
    ):
        assert squash(text).count(squash(GUIDELINE)) == 1


@NEEDS_POPPLER
def test_a_firm_commitment_form_states_its_rank():
    firm = pdf_text(commitment_pdf(sample_commitment(kind="firm"), sample_stamp("commitment")))
    assert has(firm, "رشته و رتبه") and not has(firm, "رشته و پایه")
    person = pdf_text(commitment_pdf(sample_commitment(), sample_stamp("commitment")))
    assert has(person, "رشته و پایه")


# ---------------------------------------------------------------- 10: signatures


@NEEDS_POPPLER
def test_each_supervisors_box_says_how_he_signs_and_his_name_is_whole():
    dto = sample_contract()
    firm = replace(dto, supervisors=(*dto.supervisors[:2], as_firm(dto.supervisors[2]),
                                     *dto.supervisors[3:]))  # fmt: skip
    text = pdf_text(contract_pdf(firm, sample_stamp("contract")))
    signs = text[text.rindex("امضای طرفین") :]
    assert "امضا و اثر انگشت" in signs and "امضا و مهر سازمان" in signs
    assert "امضا و مهر شرکت" in signs
    for s in firm.supervisors:
        if s.kind == "person":
            assert s.name in signs  # whole, on one line of the text layer
    lines = [ln.strip() for ln in signs.splitlines()]
    assert lines.count("مهر نظام مهندسی و امضا") == 3  # the three persons: stamp and sign


# ---------------------------------------------------------------- 11: the stage table


@NEEDS_POPPLER
def test_the_stage_table_follows_clause_3_3_and_says_its_amounts_are_gross():
    text = _contract_text()
    s = squash(text)
    clause, table, after = (
        s.index(squash("در مراحل جدول زیر")),
        s.index(squash("جدول مراحل پرداخت")),
        s.index(squash("۳-۴- چنانچه")),
    )
    assert clause < table < after
    assert has(text, "حق‌الزحمه‌ای است که صاحب‌کار می‌پردازد (ناخالص)؛ ۵ درصد هر مبلغ سهم سازمان")
    assert "مبلغ ناخالص (ریال)" in text
    assert "سهم سازمان از مبلغ هر مرحله کسر می‌شود" not in text


def test_a_paragraph_never_leaves_one_line_alone_on_a_page():
    from reports.layout import Page

    p = Page("widows")
    line = "این یک سطر آزمایشی است که چند بار تکرار می‌شود تا بند چند سطری شود. " * 6
    for fill in range(0, 600, 7):  # every position of the break down a page
        p = Page("widows")
        p.y = p.bottom + fill / 10 + 14  # room for one line, then two, …
        before = p.page_no
        p.para(line)
        if p.page_no != before:  # broke: at least two lines on the new page
            assert p.top - p.y >= 2 * 10 * 1.6 - 0.01


# ---------------------------------------------------------------- 7: the letter


@NEEDS_POPPLER
def test_a_letter_that_fits_on_one_page_ends_on_it_with_its_check_note(tmp_path):
    dto = sample_letter()
    pages = _pages(letter_pdf(dto, sample_stamp("letter")))
    assert len(pages) == 1 and "صادرکننده" in pages[0]
    # a longer letter that breaks: the issuer line never stands alone on the last page
    many = replace(dto, copies_to=dto.copies_to * 4, attachments=dto.attachments * 3)
    more = replace(many, supervisors=dto.supervisors * 3, fees=dto.fees * 3)
    pages = _pages(letter_pdf(more, sample_stamp("letter")))
    last = [ln for ln in pages[-1].splitlines() if ln.strip()]
    assert "صادرکننده" in pages[-1] and any("امضا و مهر" in ln for ln in last)


def test_pdftotext_is_there():
    assert subprocess.run(["pdftotext", "-v"], capture_output=True).returncode == 0


# ---------------------------------------------------------------- the receipt's next steps


def test_a_receipt_tells_the_owner_to_come_and_sign_and_one_issued_before_reprints(office):
    """The owner's own step (come and sign the contract, when, with what) is on every receipt;
    a receipt issued before it existed (no such field in its content) reprints with its number."""
    p = office.project(disciplines=("civil",))
    office.papers_ready(p.id)
    dto = documents.receipt_dto(office.base, p.id)
    assert "امضای قرارداد نظارت" in dto.signing_step and dto.owners[0].name in dto.signing_step
    text = pdf_text(receipt_pdf(dto, sample_stamp("receipt")))
    assert has(text, "باید برای امضای قرارداد نظارت") and has(text, "با کارت ملی و این رسید")
    first = papers.issue_receipt(office.clerk, p.id)
    with office.base.tx() as s:  # as the code before stored it: no signing_step
        row = s.scalar(select(IssuedPaper).where(IssuedPaper.number == first.stamp.number))
        content = {k: v for k, v in row.content.items() if k != "signing_step"}
        row.content, row.content_digest = content, digest(content)
        row.code = code = papers._code(office.base, row, "")
    again = papers.issue_receipt(office.clerk, p.id)
    assert (again.stamp.number, again.stamp.code, again.stamp.reprint) == (
        first.stamp.number,
        code,
        True,
    )
    assert again.paper.signing_step  # and the reprint tells him now


def test_a_company_owner_is_told_to_sign_by_its_managing_director_with_the_seal():
    owners = sample_company_contract().owners
    texts = documents.template("receipt_fa")["signing_step"]
    fmt = {"signing_from": "08:00", "signing_until": "12:00"}
    step = documents._signing_step(texts, owners, None, fmt)
    assert owners[0].signatory_name in step and "مهر شرکت" in step


@NEEDS_POPPLER
def test_an_incomplete_receipt_names_the_missing_documents_and_where_to_bring_them():
    dto = sample_receipt()
    short = replace(
        dto,
        documents=tuple(
            replace(d, received=False) if "سند مالکیت" in d.title else d for d in dto.documents
        ),
    )
    text = pdf_text(receipt_pdf(short, sample_stamp("receipt")))
    assert has(text, "مدرک الزامی کسری: «سند مالکیت یا مدرک مالکیت»")
    assert has(text, "به پیشخوان پذیرش سازمان") and has(text, "ساعات اداری روزهای کاری")


# ---------------------------------------------------------------- leftovers alone on a page


def _table_pages(rows: int, fit: int, keep_next: float = 0) -> list[list[int]]:
    """The row numbers on each page of a table of `rows` one-line rows drawn where `fit` of
    them still fit, then (with keep_next) a closing line."""
    from reports.layout import Column, Page

    p = Page("t")
    cols = [Column("ردیف", 1), Column("متن", 4)]
    data = [[f"R{i:02d}", "سطر"] for i in range(rows)]
    one = p.table_height(cols, data[:1], header=False) - 6
    head = p.table_height(cols, [], header=True) - 6
    p.y = p.bottom + head + fit * one + 3
    p.table(cols, data, keep_next=keep_next)
    if keep_next:
        p.para("پایان", size=9)
    pages = pdf_text(p.bytes()).split("\f")[:-1]
    return [[int(x[1:]) for x in re.findall(r"R\d\d", pg)] for pg in pages]


@NEEDS_POPPLER
def test_a_table_never_leaves_one_row_alone_on_either_side_of_a_break():
    assert _table_pages(6, 5) == [[0, 1, 2, 3], [4, 5]]  # not the last row alone overleaf
    assert _table_pages(6, 1) == [[], [0, 1, 2, 3, 4, 5]]  # not one row alone under its header
    assert _table_pages(3, 3) == [[0, 1, 2]]
    # the closing line that follows does not go alone: it takes the last two rows with it
    pages = _table_pages(6, 6, keep_next=30)
    assert pages == [[0, 1, 2, 3], [4, 5]]


@NEEDS_POPPLER
def test_no_paper_ends_with_its_check_line_alone_on_a_page():
    """The closing block (the check line, a daily sheet's digests) is kept with what precedes
    it: the last page of every sample paper holds more than that block."""
    from reports.receipt import receipt_pdf as rp
    from reports.samples import sample_incomplete_receipt

    papers_ = {
        "receipt": rp(sample_receipt(), sample_stamp("receipt")),
        "incomplete": rp(sample_incomplete_receipt(), sample_stamp("receipt", reprint=True)),
        "commitment": commitment_pdf(sample_commitment(kind="firm"), sample_stamp("commitment")),
        "daily": daily_report_pdf(sample_daily(), sample_stamp("daily")),
        "contract": contract_pdf(sample_contract(), sample_stamp("contract")),
    }
    for name, pdf in papers_.items():
        last = _pages(pdf)[-1]
        body = squash(last.split("بررسی اصالت")[0])
        body = body.split(squash("چکیده ورودی‌ها"))[0]
        assert len(body) > 200, (name, last[:300])


@NEEDS_POPPLER
def test_the_daily_sheet_notes_the_clause_column_only_when_it_has_one():
    dto = sample_daily()
    assert any(b.set_aside for b in dto.blocks)
    text = pdf_text(daily_report_pdf(dto, sample_stamp("daily")))
    assert "بندهای ستون" in text
    bare = replace(dto, blocks=tuple(replace(b, set_aside=()) for b in dto.blocks))
    text = pdf_text(daily_report_pdf(bare, sample_stamp("daily")))
    assert "بندهای ستون" not in text and "بند شیوه‌نامه" not in text
    # the public page gives the lists and the output digest's file; the inputs stay at the
    # office (personal data), so the sheet promises no one else a re-decision from them
    assert has(text, "چکیده (SHA-256) پرونده تصمیم‌های آنجا باید با «چکیده خروجی‌ها»")
    assert has(text, "در سازمان نگه داشته می‌شود") and not has(text, "در دسترس اعضاست")
    # A2's candidacy time breaks ties of a competitive round only; a forced pool has none
    assert has(text, "برابری امتیاز در ارجاع رقابتی") and has(
        text, "در فهرست اجباری، که کاندیداتوری ندارد"
    )


# ---------------------------------------------------------------- the heading's crowding


@NEEDS_POPPLER
@pytest.mark.parametrize("province", ["خوزستان", "کهگیلویه و بویراحمد", "سیستان و بلوچستان"])
def test_the_headings_centred_lines_keep_clear_of_the_facts_and_the_qr(province):
    """A long province's name was drawn over the receipt's issue time (an auditor's read):
    no two words of a first page's heading overlap, whatever the province."""
    dto = sample_receipt()
    org = replace(dto.organization, name=f"سازمان نظام مهندسی ساختمان استان {province}")
    pdf = receipt_pdf(replace(dto, organization=org), sample_stamp("receipt"))
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", "1", "-l", "1", "-", "-"],
        input=pdf, capture_output=True, check=True,
    ).stdout.decode()  # fmt: skip
    boxes = [
        tuple(float(v) for v in m.groups())
        for m in re.finditer(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)"', html
        )
    ]
    top = [b for b in boxes if b[3] < 130]  # the heading: the first 130 pt of the page
    assert len(top) > 20
    for i, a in enumerate(top):
        for b in top[i + 1 :]:
            # (a word's box is the font's whole height: lines 12.5 pt apart touch by ~1 pt)
            side = a[2] <= b[0] + 0.5 or b[2] <= a[0] + 0.5
            assert side or a[3] <= b[1] + 1.5 or b[3] <= a[1] + 1.5, (a, b)
    assert province in pdf_text(pdf)


@NEEDS_POPPLER
def test_the_parties_initial_every_page_of_a_contract_and_an_addendum():
    for pdf in (
        contract_pdf(sample_contract(), sample_stamp("contract")),
        addendum_pdf(sample_addendum(), sample_stamp("addendum")),
    ):
        pages = _pages(pdf)
        assert len(pages) > 1 and all("محل پاراف طرفین" in page for page in pages)
    # a receipt's pages too: when it runs to two, its signatures are on the second
    pages = _pages(receipt_pdf(sample_receipt(), sample_stamp("receipt")))
    assert all("پاراف تحویل‌دهنده پرونده و کارشناس" in page for page in pages)

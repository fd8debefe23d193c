"""Every paper builds from its DTO and stamp (no database), embeds Vazirmatn only, and says — in
its searchable text layer — what it must and nothing it must not: no placeholder or sample
value, no Latin rule ID in Persian prose, the events' dates, the verification code."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pytest
from pdftools import NEEDS_POPPLER, has, pdf_fonts, pdf_text, squash

from app.services.document_dto import DocumentRefused
from app.services.documents import letter_refusals
from reports.commitment import commitment_pdf
from reports.contract import article_values, contract_pdf
from reports.daily import daily_report_pdf
from reports.layout import qr_runs
from reports.letter import letter_pdf
from reports.receipt import fee_cells, receipt_pdf
from reports.rtl import fa_number
from reports.samples import (
    as_firm,
    sample_commitment,
    sample_company_contract,
    sample_contract,
    sample_daily,
    sample_fees,
    sample_incomplete_receipt,
    sample_letter,
    sample_receipt,
    sample_stamp,
    sample_supervisors,
    with_firm,
)

DOCUMENTS = {
    "contract": (contract_pdf, sample_contract),
    "commitment": (commitment_pdf, sample_commitment),
    "receipt": (receipt_pdf, sample_receipt),
    "letter": (letter_pdf, sample_letter),
    "daily": (daily_report_pdf, sample_daily),
}
# what the papers of the demo printed before issue 14, and any other placeholder
SAMPLES = ("example", "۰۰۰-", "000-", "تکمیل شود", "nezam.example", "{", "}", "None")
RULE_ID = re.compile(r"\b[GSCAWPFU]\d{1,2}\b")


def _text(name: str, **stamp) -> str:
    render, sample = DOCUMENTS[name]
    return pdf_text(render(sample(), sample_stamp(name, **stamp)))


@pytest.mark.parametrize("name", DOCUMENTS)
def test_each_document_builds_from_its_dto(name):
    render, sample = DOCUMENTS[name]
    pdf = render(sample(), sample_stamp(name))
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert len(pdf) > 5000


@NEEDS_POPPLER
@pytest.mark.parametrize("name", DOCUMENTS)
def test_vazirmatn_is_embedded_and_the_only_font(name, tmp_path):
    render, sample = DOCUMENTS[name]
    fonts = pdf_fonts(render(sample(), sample_stamp(name)), tmp_path)
    names = {f["name"].split("+")[-1] for f in fonts}
    assert "Vazirmatn-Regular" in names
    assert all(f["emb"] == "yes" for f in fonts), fonts  # no Helvetica left unembedded
    assert names <= {"Vazirmatn-Regular", "Vazirmatn-Bold"}


@NEEDS_POPPLER
@pytest.mark.parametrize("name", DOCUMENTS)
def test_no_placeholder_no_sample_value_no_latin_rule_id(name):
    text = _text(name)
    for s in SAMPLES:
        assert s not in text, s
    assert not RULE_ID.findall(text), RULE_ID.findall(text)
    assert "سازمان نظام مهندسی ساختمان استان خوزستان" in text  # the name with its province


@NEEDS_POPPLER
@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_page_names_the_paper_its_code_and_page_of_pages(name):
    text = _text(name)
    stamp = sample_stamp(name)
    pages = text.split("\f")[:-1]
    assert pages
    for n, page in enumerate(pages, 1):
        assert stamp.code in page
        assert has(page, f"صفحه {n:d} از {len(pages):d}".translate(_FA))
    assert "نسخه نمایشی" in text  # demo values: every paper says so


@NEEDS_POPPLER
@pytest.mark.parametrize("name", DOCUMENTS)
def test_a_draft_without_a_stamp_says_it_is_not_valid(name):
    render, sample = DOCUMENTS[name]
    text = pdf_text(render(sample(), None))
    assert "پیش‌نویس" in text and "فاقد اعتبار" in text


_FA = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


@NEEDS_POPPLER
def test_contract_states_parties_property_fee_by_tariff_in_words_and_stages():
    dto = sample_contract()
    text = pdf_text(contract_pdf(dto, sample_stamp()))
    for phrase in (
        "قرارداد نظارت بر اجرای ساختمان",
        "به نام خدا",
        "پریسا صادقی",
        "۱۹۷۴۴۸۴۸۵۸",  # owner's national code, Persian digits
        "ناظر هماهنگ‌کننده: علی‌رضا کریمی (ناظر عمران)",  # the named person
        "تأسیسات مکانیکی",
        "حق‌الزحمه و نحوه پرداخت",
        "حل اختلاف",
        "اقامتگاه",
        "صدور پروانه ساختمان",
        "پایان کار",
        "پروانه ساختمان شماره ۱۴۰۵/۲۲۳۱",  # the permit's number and date
        "۱۴۰۵/۰۹/۰۹",
        "اسکلت بتن‌آرمه",
        "اهواز، منطقه ۲",  # the municipal district
        "ردیف تعرفه",  # the tariff's row (pdftotext moves the digits of «۳ تا ۵ طبقه»)
        "۵۶۴٬۹۱۲",  # a rate of the table
        "با وکالت محسن کاظمی",
        "معاون خدمات مهندسی سازمان",  # the organization's named signer
        "مهندس فرهاد عبیاوی",
        "IR540170000000103456789004",  # the account fees are paid into
        "۱۴۰۵/۰۸/۲۸",  # the contract is dated by its issue
        "شش نسخه",  # one original for each of six signers
    ):
        assert has(text, phrase), phrase
    assert "۵طبقه" in text.replace(" ", "") and dto.tariff.band == "3-5"
    total = dto.total_fee_rials
    assert total == sum(f.due_rials for f in dto.fees)
    assert has(text, f"{total:,}".replace(",", "٬").translate(_FA))
    from reports.rtl import rials_in_words

    assert has(text, rials_in_words(total))
    assert "۴ نسخه" not in text and "چهار نسخه" not in text


def test_contract_placeholders_are_formatted_in_persian():
    v = article_values(sample_contract(), sample_stamp())
    assert v["duration_months"] == "۱۲"
    assert v["organization_share_percent"] == "۵"
    assert v["plate"] == "۱۲۳۴/۵۶"
    assert v["copies"] == "شش"
    assert v["contract_date"] == "۱۴۰۵/۰۸/۲۸"
    assert v["coordinator"] == "علی‌رضا کریمی (ناظر عمران)"
    assert "۱۴۰۵/۲۲۳۱" in v["permit_clause"]
    no_permit = replace(
        sample_contract(),
        property=replace(sample_contract().property, permit_no="", permit_date=None),
    )
    assert "هنوز صادر نشده" in article_values(no_permit)["permit_clause"]


@NEEDS_POPPLER
def test_single_discipline_contract_prints_one_supervisor_row():
    dto = sample_contract()
    one = replace(
        dto,
        supervisors=dto.supervisors[1:2],
        fees=dto.fees[1:2],
        copy_holders=("صاحب‌کار", "ناظر علی‌رضا کریمی", "سازمان"),
    )
    text = pdf_text(contract_pdf(one, sample_stamp()))
    assert "علی‌رضا کریمی" in text and "مریم احمدی" not in text
    waiting = replace(one, supervisors=dto.supervisors[:1], coordinator_pending="civil")
    assert has(
        pdf_text(contract_pdf(waiting, sample_stamp())),
        "ناظر هماهنگ‌کننده: ناظر عمران که پس از انتخاب با الحاقیه",
    )


@NEEDS_POPPLER
def test_a_company_owner_signs_through_its_managing_director_not_as_a_person():
    dto = sample_contract()
    company = replace(
        dto.owners[0],
        name="شرکت ساختمانی کارون‌بنا",
        kind="legal",
        father_name="",
        national_id="10861234567",
        signatory_name="حمید ساکی",
        signatory_national_id="1741234567",
        signatory_title="مدیرعامل و صاحب امضای مجاز",
    )
    holders = ("صاحب‌کار: شرکت ساختمانی کارون‌بنا", "سازمان")
    text = pdf_text(
        contract_pdf(
            replace(dto, owners=(company,), attorney=None, copy_holders=holders), sample_stamp()
        )
    )
    line = next(ln for ln in text.splitlines() if ln.startswith("شخص حقوقی"))
    assert "شرکت ساختمانی کارون‌بنا" in line and "به شناسه ملی" in line
    assert "۱۰۸۶۱۲۳۴۵۶۷" in line and "به نمایندگی حمید ساکی" in line
    assert "وکالت" not in text  # the managing director is no attorney
    assert has(text, "حمید ساکی — مهر و امضا")


@NEEDS_POPPLER
def test_commitment_names_the_guidelines_clauses_and_the_signing_day():
    text = _text("commitment")
    assert has(text, "شیوه‌نامه، بخش ۳ بند ۴") and "اثر انگشت" in text
    line = next(ln for ln in text.splitlines() if ln.startswith("تاریخ امضا"))
    assert "۱۴۰۵/۰۸/۲۷" in line  # the day it was signed, not the day it is printed
    assert "۴٬۸۴۹٫۵" in text
    assert "امتیاز اینجانب" in text


@NEEDS_POPPLER
def test_a_surveyor_is_not_told_a_withdrawal_costs_him_score():
    text = pdf_text(commitment_pdf(sample_commitment("survey"), sample_stamp("commitment")))
    assert has(text, "کسر امتیاز انصراف شامل ناظران نقشه‌برداری نیست")
    assert "امتیاز اینجانب" not in text


@NEEDS_POPPLER
def test_a_firm_undertakes_through_its_signatory_with_seal_and_no_fingerprint():
    """Issue 14: a firm's commitment form names it by national ID, registration number and
    place and signatory, and is signed under its seal — none of a person's fields."""
    text = pdf_text(commitment_pdf(sample_commitment(kind="firm"), sample_stamp("commitment")))
    assert "مشخصات ناظر (شخص حقوقی)" in text and has(text, "شناسه ملی ۱۰۸۶۱۲۳۴۵۶۷")
    assert has(text, "شماره ثبت ۴۷۲۱۸") or ("شماره ثبت" in text and "۴۷۲۱۸" in text)
    assert "محل ثبت" in text and has(text, "اداره ثبت شرکت‌ها و مؤسسات غیرتجاری اهواز")
    assert "صاحب امضای مجاز" in text and "حمید ساکی" in text
    # one named signatory: the seal and «صاحب امضای مجاز» agree with him (not the plural)
    assert has(text, "مهر شرکت و امضای صاحب امضای مجاز") and "صاحبان امضای مجاز" not in text
    unnamed = sample_commitment(kind="firm")
    unnamed = replace(unnamed, supervisor=replace(unnamed.supervisor, signatory=""))
    assert "مهر و امضای صاحبان امضای مجاز" in pdf_text(commitment_pdf(unnamed, sample_stamp()))
    for personal in ("اثر انگشت", "اینجانب", "کد ملی", "نام پدر", "نام و نام خانوادگی"):
        assert personal not in text, personal


def _firm_sentence(text: str) -> str:
    """The sentence of a contract or letter that states the firm, without whitespace (pdftotext
    moves spaces and commas around digit runs)."""
    flat = squash(text)
    start = flat.index(squash("شخص حقوقی شرکت مهندسین مشاور کارون‌سازه"))
    return flat[start : flat.index(squash("صاحب امضای مجاز"), start) + 20]


@NEEDS_POPPLER
@pytest.mark.parametrize("paper", ["contract", "letter"])
def test_a_firm_supervisor_is_named_by_its_registration_and_signatory(paper):
    """Issue 14: where a firm stands among the supervisors, the contract and the introduction
    letter state it as a legal person — national ID, registration number and place, the
    signatory who signs for it — and the contract gives it a seal box, not a fingerprint."""
    render, sample = DOCUMENTS[paper]
    text = pdf_text(render(with_firm(sample()), sample_stamp(paper)))
    assert has(text, "ناظر تأسیسات مکانیکی") and "شخص حقوقی" in text
    sentence = _firm_sentence(text)
    for phrase in (
        "شناسه ملی",
        "۱۰۸۶۱۲۳۴۵۶۷",
        "شماره ثبت",
        "۴۷۲۱۸",
        "اداره ثبت شرکت‌ها و مؤسسات غیرتجاری اهواز",
        "به نمایندگی حمید ساکی",
        "صاحب امضای مجاز",
    ):
        assert squash(phrase) in sentence, phrase
    assert squash("کد ملی") not in sentence and squash("نام پدر") not in sentence
    if paper == "contract":
        assert has(text, "ناظر تأسیسات مکانیکی: شرکت مهندسین مشاور کارون‌سازه")
        assert "امضا و مهر شرکت" in text  # a firm signs under its seal (a person: «امضا»)
        # the fingerprint is the owners' (here their attorney's), never the firm's
        plain = pdf_text(render(sample(), sample_stamp(paper)))
        assert text.count("اثر انگشت") == plain.count("اثر انگشت") == 1
        # the copies clause (article 9) gives the firm its copy, not the person it replaced
        copies = squash(text[text.index("نسخه") :])
        assert squash("ناظر شرکت مهندسین مشاور کارون‌سازه") in copies
        assert squash("نرگس موسوی") not in squash(text)


@NEEDS_POPPLER
def test_a_firm_whose_registration_is_not_recorded_says_so():
    dto = sample_commitment(kind="firm")
    dto = replace(dto, supervisor=replace(dto.supervisor, registration_no="", signatory=""))
    text = pdf_text(commitment_pdf(dto, sample_stamp("commitment")))
    assert "در سامانه ثبت نشده است" in text and "۴۷۲۱۸" not in text
    assert has(text, "طبق آخرین آگهی روزنامه رسمی")
    letter = sample_letter()
    bare = replace(as_firm(letter.supervisors[2]), registration_no="", signatory="")
    sups = (*letter.supervisors[:2], bare, letter.supervisors[3])
    text = pdf_text(letter_pdf(replace(letter, supervisors=sups), sample_stamp("letter")))
    assert has(text, "شماره ثبت: در سامانه ثبت نشده است")
    assert has(text, "صاحبان امضای مجاز طبق آخرین آگهی روزنامه رسمی")


@NEEDS_POPPLER
@pytest.mark.parametrize("name", ["contract", "commitment", "letter"])
def test_a_persons_papers_carry_no_registration(name):
    assert "شماره ثبت" not in _text(name) and "صاحبان امضای مجاز" not in _text(name)


@NEEDS_POPPLER
def test_receipt_shows_the_amount_due_and_the_account_and_no_sms_promise():
    text = _text("receipt")
    assert "رسید پذیرش پرونده" in text
    assert "پرداخت نشده" in text and "مانده قابل پرداخت" in text
    assert "IR540170000000103456789004" in text
    assert "پیامک" not in text
    assert "۲۰:۰۰" in text


@NEEDS_POPPLER
def test_a_payment_waiting_for_approval_is_not_asked_for_again():
    """The owner paid at the bank and brought the receipt; finance has not approved it yet:
    the receipt says so with the bank's tracking number and asks for no balance."""
    dto = sample_receipt()
    f = dto.fees[3]  # the sample's unpaid discipline, paid now and waiting
    waiting = replace(
        f, pending_rials=f.due_rials, status="pending", tracking_nos=("611856562282",)
    )
    paid = replace(dto, fees=(*dto.fees[:3], waiting))
    assert paid.to_pay_rials == 0 and paid.pending_rials == f.due_rials
    text = pdf_text(receipt_pdf(paid, sample_stamp("receipt")))
    assert "در انتظار تأیید امور مالی" in text and "۶۱۱۸۵۶۵۶۲۲۸۲" in text
    assert "مانده قابل پرداخت:" not in text
    # its row asks for nothing more (the column is what is still to pay, as the line under
    # the table says) and its state says the payment waits for finance
    _name, due, approved, balance, state = fee_cells(waiting)
    assert (due, approved, balance) == (fa_number(f.due_rials), "۰", "۰")
    assert has(state, f"واریز {fa_number(f.due_rials)} ریال، در انتظار تأیید امور مالی")
    assert has(text, f"واریز {fa_number(f.due_rials)} ریال، در انتظار تأیید امور مالی")


@NEEDS_POPPLER
def test_a_receipt_of_a_file_missing_documents_is_no_acceptance():
    dto = sample_receipt()
    short = replace(dto, documents=tuple(replace(d, received=False) for d in dto.documents))
    text = pdf_text(receipt_pdf(short, sample_stamp("receipt")))
    # nothing received: no receipt of anything, the list of what to bring
    assert "اعلام کسری مدارک پرونده" in text and "رسید پذیرش پرونده" not in text
    assert "رسید دریافت مدارک" not in text and "کسری" in text
    one = replace(
        short, documents=(replace(short.documents[0], received=True), *short.documents[1:])
    )
    assert one.title == "رسید دریافت مدارک (پرونده ناقص)"
    # a paper this file does not need reads as not needed, not as one more thing it lacks
    optional = [d for d in short.documents if not d.required]
    assert optional, "the sample needs a document the file does not require"
    assert "لازم نیست" in text and "ندارد" not in text


@NEEDS_POPPLER
def test_receipt_prints_a_design_office_without_a_national_code():
    dto = replace(
        sample_receipt(),
        brought_by_role="design_office",
        brought_by_name="دفتر طراحی سپهر",
        brought_by_national_id="",
    )
    text = pdf_text(receipt_pdf(dto, sample_stamp("receipt")))
    assert has(text, "دفتر طراحی: دفتر طراحی سپهر")
    line = next(ln for ln in text.splitlines() if "سپهر" in ln)
    assert "کد ملی" not in line


@NEEDS_POPPLER
def test_letter_names_the_municipality_the_signer_attachments_and_copies():
    text = _text("letter")
    assert "معرفی‌نامه ناظران" in text and "شهرداری اهواز" in text
    assert "۹۲" in text or "۴۸۰" in text  # amounts with separators
    assert "مهندس لیلا بهبهانی" in text and "مدیر واحد ارجاع نظارت" in text
    assert "پیوست" in text and "رونوشت:" in text
    assert "کد نظارت شهرداری" not in text  # the column nothing could fill


def test_letter_refuses_with_persian_reasons():
    fees = sample_fees()
    pending = (replace(fees[0], status="pending"), *fees[1:])
    reasons = letter_refusals("", pending, sample_supervisors(coordinating=None), (), None)
    assert len(reasons) == 4
    assert "معماری" in reasons[0] and "تأیید" in reasons[0]
    assert "پلاک" in reasons[1]
    assert "هماهنگ‌کننده" in reasons[2]
    assert "شهرداری" in reasons[3]
    assert letter_refusals("12/3", fees, (), (), "شهرداری اهواز") == (
        "هیچ ناظری برای این پرونده قرارداد امضا نکرده است",
    )
    assert letter_refusals("12/3", fees, sample_supervisors(), (), "شهرداری اهواز") == ()
    unsigned = letter_refusals("12/3", fees, sample_supervisors(), ("mech",), "شهرداری اهواز")
    assert len(unsigned) == 1 and "تأسیسات مکانیکی" in unsigned[0] and "امضا" in unsigned[0]
    with pytest.raises(DocumentRefused) as exc:
        letter_pdf(sample_letter(refusals=reasons))
    assert "پلاک ثبتی" in str(exc.value) and exc.value.reasons == reasons


@NEEDS_POPPLER
def test_daily_report_in_decision_order_with_tie_breaks_and_later_events():
    dto = sample_daily()
    text = pdf_text(daily_report_pdf(dto, sample_stamp("daily")))
    flat = " ".join(text.split())
    assert "نتایج ارجاع نظارت" in flat
    assert [b.seq for b in dto.blocks] == [1, 2]
    assert flat.index("عمران — گروه") < flat.index("تأسیسات مکانیکی — گروه")
    assert "۹۷٫۲۵" in flat and "منتخب" in flat
    assert "۴٬۰۰۰" in flat  # free capacity at the decision (a tie-break)
    assert "زمان کاندیداتوری" in flat and "کار در جریان" in flat
    assert "سامان نوری" in flat and re.search(r"بخش\s*،?\s*۲", flat)  # the clause, no ID
    assert has(flat, "تمدید مهلت تا ۱۴۰۵/۰۸/۲۹ ساعت ۲۰:۰۰")
    note = next(ln for ln in text.splitlines() if "قرارداد و تعهدنامه" in ln)
    assert "۱۴۰۵/۰۸/۲۹" in note and "۰۹:۳۰" in note  # a dated later note
    assert "https://nezarat.khz-nezam.test/runs/16" in flat
    assert dto.input_digest in flat and dto.output_digest in flat


def test_qr_code_is_drawn_inside_its_square_with_a_quiet_zone():
    url = "https://nezarat.khz-nezam.test/verify/K7QM-2XWD-9RPA"
    runs = qr_runs(url, 10, 20, 66)
    assert runs
    assert min(x for _, x, _, _ in runs) > 10 and max(x + w for _, x, w, _ in runs) < 76
    assert min(y for y, _, _, _ in runs) > 20 and max(y + h for y, _, _, h in runs) < 86
    assert qr_runs("another payload", 0, 0, 66) != qr_runs(url, 0, 0, 66)


@NEEDS_POPPLER
def test_a_batch_of_contracts_is_one_file_with_the_fonts_embedded_once(tmp_path):
    import subprocess

    from reports.contract import contracts_pdf

    def pages(pdf: bytes) -> int:
        path = tmp_path / "b.pdf"
        path.write_bytes(pdf)
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
        return int(next(ln.split()[-1] for ln in info.splitlines() if ln.startswith("Pages:")))

    one = contract_pdf(sample_contract(), sample_stamp())
    batch = contracts_pdf(
        [
            (sample_contract("1405-0001"), sample_stamp(number="1405-00001")),
            (sample_contract("1405-0002", "رضا"), sample_stamp(number="1405-00002")),
        ]
    )
    assert pages(one) >= 2 and pages(batch) == 2 * pages(one)
    assert len(pdf_fonts(batch, tmp_path)) == 2
    text = pdf_text(batch)
    assert has(text, "۱۴۰۵-۰۰۰۱") and has(text, "۱۴۰۵-۰۰۰۲") and "رضا" in text
    # each paper numbers its own pages
    assert has(text, f"صفحه ۱ از {pages(one)}".translate(_FA))


def test_qr_modules_match_an_independent_encoder():
    """ReportLab's encoder with the fixed mask gives the very matrix the `qrcode` package
    builds for the same data, version, level and mask (so the printed code decodes)."""
    import qrcode

    from reports.layout import _qr_modules

    for payload in (
        "https://nezarat.khz-nezam.test/verify/K7QM-2XWD-9RPA",
        "https://x.example/verify/AAAA-BBBB-CCCC" * 2,
    ):
        ours = _qr_modules(payload)
        q = qrcode.QRCode(
            version=(len(ours) - 17) // 4,
            error_correction=qrcode.constants.ERROR_CORRECT_M,
            mask_pattern=0,
            border=0,
        )
        q.add_data(payload.encode())
        q.make(fit=False)
        assert [tuple(r) for r in q.get_matrix()] == [tuple(r) for r in ours]


def test_sample_dates_are_events_not_today():
    assert sample_commitment().signed_on == date(2026, 11, 18)


# ---------------------------------------------------------------- audit of issue 14


@NEEDS_POPPLER
def test_a_discipline_without_a_tariff_rate_shows_its_fee_is_the_amount_finance_approved():
    """Urban planning has no rate in the tariff table: its row says its fee is the amount
    finance approved (no area, no rate), the caption and article 3 do not claim area × rate
    for it; a contract whose every discipline has a rate keeps the plain caption."""
    dto = sample_company_contract()
    text = pdf_text(contract_pdf(dto, sample_stamp()))
    layout = pdf_text(contract_pdf(dto, sample_stamp()), "-layout")
    row = next(ln for ln in layout.splitlines() if "شهرسازی" in ln and "ملاک" in ln)
    assert "نرخ منتشرشده ندارد" in row and "۱۵۲٬۰۰۰٬۰۰۰" in row
    assert "ملاک محاسبه نیست" in row  # the area is not what the amount comes from
    assert "۸۵۰٫۵" not in row  # no billable area beside an amount it did not make
    assert has(text, "(مبلغ تأییدشده امور مالی)")
    assert has(text, "برای رشته‌ای که در جدول تعرفه نرخ ندارد، مبلغ تأییدشده امور مالی سازمان")
    assert has(text, "رشته شهرسازی در جدول تعرفه نرخ منتشرشده ندارد")
    assert has(text, "حاصل‌ضرب مساحت در نرخ نیست")
    assert "بدون نرخ در جدول" not in text
    plain = pdf_text(contract_pdf(sample_contract(), sample_stamp()))
    assert has(plain, "جدول حق‌الزحمه نظارت (مساحت مبنا × نرخ جدول تعرفه):")
    assert "نرخ منتشرشده ندارد" not in plain
    # not approved yet: finance will set it, and the total leaves it out
    unpaid = replace(dto, fees=(*dto.fees[:-1], replace(dto.fees[-1], approved_rials=0)))
    text = pdf_text(contract_pdf(unpaid, sample_stamp()))
    assert has(text, "به تعیین امور مالی") and has(text, "تا آن هنگام در جمع بالا نیامده است")


@NEEDS_POPPLER
def test_the_receipt_shows_the_balance_of_a_discipline_without_a_rate_or_why_not():
    dto = sample_incomplete_receipt()
    layout = pdf_text(receipt_pdf(dto, sample_stamp("receipt")), "-layout")
    row = next(ln for ln in layout.splitlines() if "شهرسازی" in ln and "ندارد" in ln)
    assert "نرخ منتشرشده ندارد" in row and "به تعیین امور مالی" in row
    text = pdf_text(receipt_pdf(dto, sample_stamp("receipt")))
    assert has(text, "مبلغ آن را امور مالی سازمان تعیین می‌کند")
    approved = replace(
        dto,
        fees=(*dto.fees[:-1], replace(dto.fees[-1], approved_rials=9_000_000, status="approved")),
    )
    layout = pdf_text(receipt_pdf(approved, sample_stamp("receipt")), "-layout")
    row = next(ln for ln in layout.splitlines() if "شهرسازی" in ln and "ندارد" in ln)
    cells = [c for c in re.split(r"\s{2,}", row.strip()) if c]
    assert "۰" in cells and "۹٬۰۰۰٬۰۰۰" in row  # the balance: nil, the approved amount is the fee
    text = pdf_text(receipt_pdf(approved, sample_stamp("receipt")))
    assert has(text, "همان حق‌الزحمه است و مانده‌ای ندارد")


@NEEDS_POPPLER
def test_a_commitment_form_is_initialled_on_every_page_by_its_supervisor():
    from reports.common import COMMITMENT_INITIALS, INITIALS
    from reports.contract import write_contract
    from reports.layout import Page

    text = pdf_text(commitment_pdf(sample_commitment(), sample_stamp()))
    assert "محل پاراف ناظر" in text and "طرفین" not in text.split("محل پاراف")[1][:20]
    # in one file after a contract, the form's pages carry its own line, not the contract's
    page = Page("batch")
    write_contract(page, sample_contract(), sample_stamp())
    page.next_document("")
    assert page.initials == ""
    from reports.commitment import write_commitment

    write_commitment(page, sample_commitment(), sample_stamp())
    assert page.initials == COMMITMENT_INITIALS != INITIALS


def test_the_receipts_fee_table_ends_with_its_totals():
    """«جمع»: the fees (a discipline without a rate counts what finance approved, its fee;
    one still to be set leaves the total to finance), what finance approved, what is left."""
    from reports.receipt import total_cells

    dto = sample_receipt()
    fees = sum(f.due_rials for f in dto.fees)
    approved = sum(f.approved_rials for f in dto.fees)
    assert total_cells(dto) == [
        "جمع", fa_number(fees), fa_number(approved), fa_number(dto.to_pay_rials), ""
    ]  # fmt: skip
    assert dto.to_pay_rials > 0  # the sample owes one discipline
    unset = sample_incomplete_receipt()
    assert total_cells(unset)[1] == "به تعیین امور مالی"
    no_rate = replace(
        unset,
        fees=tuple(
            replace(f, approved_rials=9_000_000, status="approved") if f.due_rials is None else f
            for f in unset.fees
        ),
    )
    expected = sum(f.due_rials or 9_000_000 for f in no_rate.fees)
    assert total_cells(no_rate)[1] == fa_number(expected)


@NEEDS_POPPLER
def test_a_company_owner_is_named_by_its_national_id_and_registration():
    dto = sample_company_contract()
    text = pdf_text(contract_pdf(dto, sample_stamp()))
    flat = squash(text)
    start = flat.index(squash("شخص حقوقی شرکت ساختمانی کارون‌بنا"))
    sentence = flat[start : flat.index(squash("مدیرعامل"), start)]
    for phrase in ("شناسه ملی", "۱۰۱۰۳۷۴۱۸۵۷", "شماره ثبت", "۳۸۸۱۷", "اداره ثبت شرکت‌ها"):
        assert squash(phrase) in sentence, phrase
    assert "نام پدر" not in text.split("طرف دوم")[0] and "وکالت" not in text
    bare = replace(dto, owners=(replace(dto.owners[0], registration_no=""),))
    text = pdf_text(contract_pdf(bare, sample_stamp()))
    assert has(text, "شماره ثبت: در سامانه ثبت نشده است") and "۳۸۸۱۷" not in text


@NEEDS_POPPLER
def test_a_design_office_on_the_receipt_carries_its_own_identifier():
    dto = sample_incomplete_receipt()
    text = pdf_text(receipt_pdf(dto, sample_stamp("receipt")))
    # pdftotext moves the bracket around the digit run: the words, then the number
    assert has(text, "دفتر طراحی: مهندسین مشاور شاخص پی (شناسه ملی") and "۱۰۸۶۰۴۵۶۷۱۵" in text
    assert has(text, "مهر و امضای دفتر")
    none = replace(dto, brought_by_national_id="")
    text = pdf_text(receipt_pdf(none, sample_stamp("receipt")))
    assert has(text, "شناسه ملی یا شماره ثبت دفتر در سامانه ثبت نشده است")
    line = next(ln for ln in text.splitlines() if "شاخص پی" in ln)
    assert "۱۹۷۴۴۸۴۸۵۸" not in line and "کد ملی" not in line  # never the owner's code


@NEEDS_POPPLER
def test_the_letter_introduces_the_supervisors_for_the_issued_permit_or_for_its_issue():
    text = pdf_text(letter_pdf(sample_letter(), sample_stamp("letter")))
    assert has(text, "موضوع پروانه ساختمان شماره ۱۴۰۵/۲۲۳۱ مورخ ۱۴۰۵/۰۹/۰۹")
    subject = next(ln for ln in text.splitlines() if ln.startswith("موضوع"))
    assert "پروانه ساختمان شماره" in subject and "۱۴۰۵/۲۲۳۱" in subject
    assert "در صدور پروانه" not in text and "برای صدور پروانه" not in text
    prop = replace(sample_letter().property, permit_no="", permit_date=None)
    text = pdf_text(letter_pdf(sample_letter(property=prop), sample_stamp("letter")))
    assert has(text, "برای صدور پروانه ساختمان، نام ناظران فوق در پروانه درج")
    assert "موضوع پروانه" not in text and "مورخ  " not in text


@NEEDS_POPPLER
@pytest.mark.parametrize("sample", [sample_receipt, sample_incomplete_receipt])
def test_an_optional_document_is_qualified_once(sample):
    text = pdf_text(receipt_pdf(sample(), sample_stamp("receipt")))
    assert has(text, "وکالت‌نامه (در صورت مراجعه وکیل)")
    assert not has(text, "(در صورت مراجعه وکیل) (در صورت لزوم)")
    assert not has(text, ") (در صورت لزوم)")


@NEEDS_POPPLER
def test_a_date_and_its_time_stay_on_one_line():
    """«۱۴۰۵/۰۹/۱۱ ساعت ۰۸:۳۸» is one word to the wrapper (no-break spaces): a block title or a
    paragraph never ends a line with «ساعت» and starts the next with the time, and the
    candidacy-time cell holds the whole of it on one line."""
    from datetime import datetime

    from reports.common import jdatetime_fa
    from reports.daily import RANK_COLUMNS
    from reports.layout import REGULAR, Page
    from reports.rtl import wrap

    at = datetime(2026, 12, 2, 5, 8)
    stamp = jdatetime_fa(at)
    p = Page("t")
    width = p.text_width * RANK_COLUMNS[-2].width / sum(c.width for c in RANK_COLUMNS) - 7
    assert len(wrap(stamp, REGULAR, 7.5, width)) == 1
    for n in range(30):  # the stamp at every place along a wrapped line
        lines = wrap("ورود " * n + f"به توزیع {stamp} " + "پرونده " * 20, REGULAR, 9, 300)
        assert not any(ln.endswith("ساعت") or ln.endswith(stamp.split("\u00a0")[0]) for ln in lines)
    dto = sample_daily()
    block = replace(dto.blocks[0], entered_at=at)
    text = pdf_text(daily_report_pdf(replace(dto, blocks=(block, *dto.blocks[1:]))))
    assert not any(ln.rstrip().endswith("ساعت") for ln in text.splitlines())
    assert has(text, f"ورود به توزیع {stamp}")


@NEEDS_POPPLER
def test_the_contracts_grade_column_says_rank_when_a_firm_is_a_party():
    def head(dto) -> str:
        text = pdf_text(contract_pdf(dto, sample_stamp("contract")))
        return squash(text.split("طرف دوم — ناظران")[1].split("طرف سوم — سازمان")[0])

    assert squash("پایه / رتبه") in head(with_firm(sample_contract()))
    assert head(with_firm(sample_contract())).count("رتبه") >= 2  # the header and the firm
    assert squash("رتبه") not in head(sample_contract())

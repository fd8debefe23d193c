"""Every document builds from its DTO (no database), embeds Vazirmatn and says what it must."""

from __future__ import annotations

from dataclasses import replace

import pytest
from pdftools import NEEDS_POPPLER, has, pdf_fonts, pdf_text

from app.services.document_dto import DocumentRefused
from app.services.documents import letter_refusals
from reports.commitment import commitment_pdf
from reports.contract import article_values, contract_pdf
from reports.daily import daily_report_pdf
from reports.layout import qr_runs
from reports.letter import letter_pdf
from reports.receipt import receipt_pdf
from reports.samples import (
    sample_commitment,
    sample_contract,
    sample_daily,
    sample_fees,
    sample_letter,
    sample_receipt,
    sample_supervisors,
)

DOCUMENTS = {
    "contract": (contract_pdf, sample_contract),
    "commitment": (commitment_pdf, sample_commitment),
    "receipt": (receipt_pdf, sample_receipt),
    "letter": (letter_pdf, sample_letter),
    "daily": (daily_report_pdf, sample_daily),
}


@pytest.mark.parametrize("name", DOCUMENTS)
def test_each_document_builds_from_its_dto(name):
    render, sample = DOCUMENTS[name]
    pdf = render(sample())
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert len(pdf) > 5000


@NEEDS_POPPLER
@pytest.mark.parametrize("name", DOCUMENTS)
def test_vazirmatn_is_embedded_and_the_only_font(name, tmp_path):
    render, sample = DOCUMENTS[name]
    fonts = pdf_fonts(render(sample()), tmp_path)
    names = {f["name"].split("+")[-1] for f in fonts}
    assert "Vazirmatn-Regular" in names
    assert all(f["emb"] == "yes" for f in fonts), fonts  # no Helvetica left unembedded
    assert names <= {"Vazirmatn-Regular", "Vazirmatn-Bold"}


@NEEDS_POPPLER
def test_contract_states_parties_property_money_in_words_and_stages():
    dto = sample_contract()
    text = pdf_text(contract_pdf(dto))
    for phrase in (
        "قرارداد نظارت بر اجرای ساختمان",
        "به نام خدا",
        "پریسا صادقی",
        "۱۹۷۴۴۸۴۸۵۸",  # owner's national code, Persian digits
        "ناظر هماهنگ‌کننده",  # ZWNJ kept in the PDF's text
        "علی‌رضا کریمی",
        "تأسیسات مکانیکی",
        "ماده",
        "حل اختلاف",
        "صدور پروانه ساختمان",
        "پایان کار",
        "۲٬۸۸۵٬۷۴۶٬۵۰۰",  # the total with separators
        "دو میلیارد و هشتصد و هشتاد و پنج میلیون و هفتصد و چهل و شش هزار و پانصد ریال",
        "۱۲ ماه",
        "با وکالت محسن کاظمی",
        "وکالت‌نامه شماره ۱۲۳۴۵",
    ):
        assert has(text, phrase), phrase
    assert "{" not in text  # every placeholder of the clause texts was filled


def test_contract_placeholders_are_formatted_in_persian():
    v = article_values(sample_contract())
    assert v["duration_months"] == "۱۲"
    assert v["organization_share_percent"] == "۵"
    assert v["total_fee"] == "۲٬۸۸۵٬۷۴۶٬۵۰۰ ریال"
    assert v["plate"] == "۱۲۳۴/۵۶"


@NEEDS_POPPLER
def test_single_discipline_contract_prints_one_supervisor_row():
    dto = sample_contract()
    one = replace(
        dto, supervisors=dto.supervisors[1:2], fees=dto.fees[1:2], total_fee_rials=1_096_294_500
    )
    text = pdf_text(contract_pdf(one))
    assert "علی‌رضا کریمی" in text and "مریم احمدی" not in text
    assert "هنوز انتخاب نشده" not in text
    waiting = replace(one, supervisors=dto.supervisors[:1], coordinator_pending="civil")
    # the brackets drawn mirrored come back as typed (test_rtl)
    assert has(pdf_text(contract_pdf(waiting)), "ناظر هماهنگ‌کننده (ناظر عمران) هنوز انتخاب نشده")


@NEEDS_POPPLER
def test_commitment_lists_the_undertakings_with_their_rules():
    text = pdf_text(commitment_pdf(sample_commitment()))
    for rule in ("S4", "S5", "S6", "G5", "W2"):
        assert rule in text
    assert "اثر انگشت" in text and "۴٬۸۴۹٫۵" in text


@NEEDS_POPPLER
def test_receipt_shows_tracking_code_checklist_and_fee_state():
    text = pdf_text(receipt_pdf(sample_receipt()))
    assert "رسید پذیرش پرونده" in text
    assert "در انتظار تأیید امور مالی" in text
    assert "کسری" not in text and "دریافت شد" in text
    assert "۲۰:۰۰" in text


@NEEDS_POPPLER
def test_letter_lists_supervisors_and_payments():
    text = pdf_text(letter_pdf(sample_letter()))
    assert "معرفی‌نامه ناظران" in text and "اداره کنترل ساختمان" in text
    assert "۹۵۲٬۵۶۰٬۰۰۰" in text and "ملت" in text


def test_letter_refuses_with_persian_reasons():
    fees = sample_fees()
    pending = (replace(fees[0], status="pending"), *fees[1:])
    reasons = letter_refusals("", pending, sample_supervisors(coordinating=None))
    assert len(reasons) == 3
    assert "معماری" in reasons[0] and "تأیید" in reasons[0]
    assert "پلاک" in reasons[1]
    assert "هماهنگ‌کننده" in reasons[2]
    assert letter_refusals("12/3", fees, ()) == (
        "هیچ ناظری برای این پرونده قرارداد امضا نکرده است",
    )
    assert letter_refusals("12/3", fees, sample_supervisors()) == ()
    with pytest.raises(DocumentRefused) as exc:
        letter_pdf(sample_letter(refusals=reasons))
    assert "پلاک ثبتی" in str(exc.value) and exc.value.reasons == reasons


@NEEDS_POPPLER
def test_daily_report_shows_ranking_set_aside_outcome_and_digest():
    dto = sample_daily()
    text = pdf_text(daily_report_pdf(dto))
    flat = " ".join(text.split())
    assert "نتایج ارجاع نظارت" in flat
    assert "۹۷٫۲۵" in flat and "منتخب" in flat
    assert "G3" in flat and "S7" in flat and "سامان نوری" in flat
    assert has(flat, "تمدید مهلت تا ۱۴۰۵/۰۸/۲۹ ساعت ۲۰:۰۰")
    assert dto.input_digest in flat and dto.output_digest in flat


def test_qr_code_is_drawn_inside_its_square_with_a_quiet_zone():
    runs = qr_runs("NZD|1405-0042|100,101|0123456789abcdef", 10, 20, 66)
    assert runs
    assert min(x for _, x, _, _ in runs) > 10 and max(x + w for _, x, w, _ in runs) < 76
    assert min(y for y, _, _, _ in runs) > 20 and max(y + h for y, _, _, h in runs) < 86
    assert qr_runs("another payload", 0, 0, 66) != qr_runs("NZD|1405-0042|100,101|x", 0, 0, 66)


@NEEDS_POPPLER
def test_a_batch_of_contracts_is_one_file_with_the_fonts_embedded_once(tmp_path):
    import subprocess

    from reports.contract import contracts_pdf

    def pages(pdf: bytes) -> int:
        path = tmp_path / "b.pdf"
        path.write_bytes(pdf)
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
        return int(next(ln.split()[-1] for ln in info.splitlines() if ln.startswith("Pages:")))

    one = contract_pdf(sample_contract())
    batch = contracts_pdf([sample_contract("1405-0001"), sample_contract("1405-0002", "رضا")])
    assert pages(one) >= 2 and pages(batch) == 2 * pages(one)
    assert len(pdf_fonts(batch, tmp_path)) == 2
    text = pdf_text(batch)
    assert has(text, "۱۴۰۵-۰۰۰۱") and has(text, "۱۴۰۵-۰۰۰۲") and "رضا" in text


def test_qr_modules_match_an_independent_encoder():
    """ReportLab's encoder with the fixed mask gives the very matrix the `qrcode` package
    builds for the same data, version, level and mask (so the printed code decodes)."""
    import qrcode

    from reports.layout import _qr_modules

    for payload in ("NZD|1405-0012|55,56,57|0123456789abcdef", "NZD|1405-0042|101|x" * 3):
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

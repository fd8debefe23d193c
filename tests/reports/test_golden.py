"""Golden images (issue 14): the first page of every paper, drawn from the sample DTOs and
stamps, against the PNGs committed in tests/reports/golden/ (`pdftoppm -r 50`). A pixel counts
as different when its grey level moves by more than a quarter of the range (anti-aliasing and
font hinting move edges by less); a page fails beyond 0.02% of its pixels — one name changed
in a table (0.05%) or a line moved does.

Regenerate after an intended change of layout, and look at the PNGs before committing them:

    NZ_UPDATE_GOLDEN=1 .venv/bin/python -m pytest -n 1 tests/reports/test_golden.py
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest
from pdftools import NEEDS_POPPLER
from PIL import Image, ImageChops

from reports.addendum import addendum_pdf
from reports.commitment import commitment_pdf
from reports.contract import contract_pdf
from reports.daily import daily_report_pdf
from reports.letter import letter_pdf
from reports.receipt import receipt_pdf
from reports.samples import (
    sample_addendum,
    sample_commitment,
    sample_company_contract,
    sample_contract,
    sample_daily,
    sample_incomplete_receipt,
    sample_letter,
    sample_receipt,
    sample_stamp,
    with_firm,
)

GOLDEN = Path(__file__).resolve().parent / "golden"
DPI = 50
LEVEL = 64  # grey levels (of 255) a pixel may move before it counts as different
TOLERANCE = 0.0002  # share of the page's pixels that may differ

PAPERS = {
    "contract": lambda: contract_pdf(sample_contract(), sample_stamp("contract")),
    "commitment": lambda: commitment_pdf(sample_commitment(), sample_stamp("commitment")),
    "commitment-firm": lambda: commitment_pdf(
        sample_commitment(kind="firm"), sample_stamp("commitment", reprint=True, print_no=2)
    ),
    "contract-firm": lambda: contract_pdf(with_firm(sample_contract()), sample_stamp("contract")),
    "contract-company": lambda: contract_pdf(sample_company_contract(), sample_stamp("contract")),
    "receipt": lambda: receipt_pdf(sample_receipt(), sample_stamp("receipt")),
    "receipt-incomplete": lambda: receipt_pdf(sample_incomplete_receipt(), sample_stamp("receipt")),
    "letter": lambda: letter_pdf(sample_letter(), sample_stamp("letter")),
    "letter-firm": lambda: letter_pdf(with_firm(sample_letter()), sample_stamp("letter")),
    "daily": lambda: daily_report_pdf(sample_daily(), sample_stamp("daily")),
    "addendum": lambda: addendum_pdf(sample_addendum(), sample_stamp("addendum", "1405-00031")),
}


def first_page(pdf: bytes) -> Image.Image:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "page"
        subprocess.run(
            ["pdftoppm", "-r", str(DPI), "-f", "1", "-l", "1", "-singlefile", "-png", "-", out],
            input=pdf,
            capture_output=True,
            check=True,
        )
        with Image.open(out.with_suffix(".png")) as img:
            return img.convert("L")


def differing(a: Image.Image, b: Image.Image) -> float:
    if a.size != b.size:
        return 1.0
    diff = ImageChops.difference(a, b).point(lambda v: 255 if v > LEVEL else 0)
    return sum(diff.histogram()[255:]) / (a.size[0] * a.size[1])


@NEEDS_POPPLER
@pytest.mark.parametrize("name", PAPERS)
def test_first_page_matches_its_golden_image(name):
    page = first_page(PAPERS[name]())
    path = GOLDEN / f"{name}.png"
    if os.environ.get("NZ_UPDATE_GOLDEN") == "1":
        GOLDEN.mkdir(exist_ok=True)
        page.save(path, optimize=True)
    golden = Image.open(path).convert("L")
    share = differing(page, golden)
    assert share <= TOLERANCE, f"{name}: {share:.2%} of the pixels differ from {path.name}"


@NEEDS_POPPLER
def test_the_comparison_fails_on_a_changed_paper():
    """Able to fail: one changed name in the owners' table is more than the tolerance, and
    so is an owner more (every line below moves)."""
    golden = Image.open(GOLDEN / "contract.png").convert("L")
    dto = sample_contract()
    renamed = (replace(dto.owners[0], name="نام دیگری کاملاً متفاوت"), *dto.owners[1:])
    page = first_page(contract_pdf(replace(dto, owners=renamed), sample_stamp("contract")))
    assert differing(page, golden) > TOLERANCE
    more = first_page(contract_pdf(replace(dto, owners=(*dto.owners, dto.owners[0])), None))
    assert differing(more, golden) > 10 * TOLERANCE
    same = first_page(contract_pdf(dto, sample_stamp("contract")))
    assert differing(same, golden) == 0  # and the same paper, drawn again, is the same

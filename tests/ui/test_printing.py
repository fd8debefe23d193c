"""Print preview and printing from the desks, over a real database: the contract and the
commitment form at the signing desk, the day's batch with its progress, the counter receipt,
the daily report and the refused introduction letter on the board; printing to a PDF file.
Every paper printed from a desk is issued as a record (issue 14): printing it again is a
reprint of the same paper."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPageSize
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrinter

from app.services import candidacy, papers
from app.services import documents as docs
from app.services.document_dto import DocumentRefused
from reports import commitment, contract
from reports.samples import sample_stamp
from ui.fmt import fa
from ui.print_preview import PrintPreview, contract_job, load_pdf
from ui.screens.board import BoardScreen
from ui.screens.counter import CounterScreen
from ui.screens.signing import SigningScreen

STAMP = sample_stamp()  # a paper's pages do not depend on its number
_LATIN = str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")


def pages_of(pdf: bytes, tmp_path) -> int:
    """The page count as poppler's `pdfinfo` reads it (or the page objects, without it)."""
    if shutil.which("pdfinfo") is None:
        return len(re.findall(rb"/Type\s*/Page\b", pdf))
    f = tmp_path / "count.pdf"
    f.write_bytes(pdf)
    out = subprocess.run(["pdfinfo", str(f)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", out, re.M).group(1))


@pytest.fixture
def day(office):
    """Two files, three supervisors selected at yesterday's deadline: file 1 civil + arch,
    file 2 civil. It is now 09:00 on the signing day."""
    e1, e2 = office.engineer("E1", score=120), office.engineer("E2", score=110)
    a1 = office.engineer("A1", discipline="arch", score=100)
    p1 = office.project(area=450, floors=3, disciplines=("civil", "arch"))
    p2 = office.project(area=300, floors=2)
    office.papers_ready(p1.id, p2.id)
    office.at("1405-08-23 10:00")
    candidacy.stand(office.as_engineer[e1], e1, p1.referral_ids["civil"])
    candidacy.stand(office.as_engineer[a1], a1, p1.referral_ids["arch"])
    candidacy.stand(office.as_engineer[e2], e2, p2.referral_ids["civil"])
    office.run("1405-08-23 20:00")
    office.at("1405-08-24 09:00")
    return p1, p2


def desk(qtbot, office, runner, settle) -> SigningScreen:
    w = SigningScreen(office.clerk, runner)
    qtbot.addWidget(w)
    w.resize(1200, 700)
    w.show()
    qtbot.waitExposed(w)
    w.refresh()
    settle()
    return w


def test_contract_preview_from_the_signing_desk(qtbot, office, runner, settle, day, tmp_path):
    p1, _p2 = day
    w = desk(qtbot, office, runner, settle)
    assert w.list.model.rowCount() == 3
    row = next(i for i, a in enumerate(w.list.model.rows) if a.project_id == p1.id)
    w.list.select_row(row)
    assert w.contract_button.isEnabled() and w.commitment_button.isEnabled()
    qtbot.mouseClick(w.contract_button, Qt.MouseButton.LeftButton)
    settle()
    dlg = w.print_dialog
    assert isinstance(dlg, PrintPreview) and dlg.isVisible()
    expected = pages_of(dlg.job.pdf, tmp_path)
    assert expected >= 2
    assert dlg.document.pageCount() == dlg.page_count() == expected
    assert dlg.view.verticalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOn
    assert dlg.view.zoomMode() == QPdfView.ZoomMode.FitToWidth
    assert dlg.view.pageMode() == QPdfView.PageMode.MultiPage
    assert f"از {fa(expected)}" in dlg.pages.text()
    # the same paper the service and reports/ build for this file, issued once: a reprint
    again = papers.issue_contract(office.clerk, p1.id)
    assert again.stamp.reprint and again.stamp.number in dlg.job.title.translate(_LATIN)
    same = contract.contract_pdf(again.paper, again.stamp)
    assert pages_of(same, tmp_path) == expected
    # resizing the fit-to-width view settles (no scroll-bar ping-pong)
    for size in ((640, 480), (900, 1000), (700, 1100), (1024, 768)):
        dlg.resize(*size)
        qtbot.wait(30)
    assert dlg.view.verticalScrollBar().isVisible()

    # the commitment form of the selected supervisor replaces the preview
    qtbot.mouseClick(w.commitment_button, Qt.MouseButton.LeftButton)
    settle()
    assert w.print_dialog is not dlg or not dlg.isVisible()
    assert w.print_dialog.job.file_name.startswith("commitment-")
    assert w.print_dialog.page_count() == pages_of(w.print_dialog.job.pdf, tmp_path)


def test_batch_of_the_days_appointments_reports_every_step(
    qtbot, office, runner, settle, day, tmp_path
):
    p1, p2 = day
    w = desk(qtbot, office, runner, settle)
    seen: list[tuple[int, int]] = []
    runner.progress.connect(lambda _label, done, total: seen.append((done, total)))
    bar: list[tuple[int, int]] = []
    w.batch_progress.valueChanged.connect(lambda v: bar.append((v, w.batch_progress.maximum())))
    assert w.batch_button.isEnabled()
    qtbot.mouseClick(w.batch_button, Qt.MouseButton.LeftButton)
    assert w.batch_progress.isVisible() and not w.batch_button.isEnabled()
    settle()
    steps = 2 + 3  # two contracts, three commitment forms
    total = steps + 1  # and finishing the file
    assert [d for d, t in seen if t] == list(range(total + 1))
    assert {t for _d, t in seen if t} == {total}
    assert bar[-1] == (total, total)  # the bar went all the way
    assert not w.batch_progress.isVisible() and w.batch_button.isEnabled()

    job = w.print_dialog.job
    assert len(job.parts) == steps
    assert [p.title.split(" —")[0] for p in job.parts] == [
        "قرارداد نظارت",
        "تعهدنامه ناظر",
        "تعهدنامه ناظر",
        "قرارداد نظارت",
        "تعهدنامه ناظر",
    ]
    # each part has the pages of the same paper printed alone; the file is their sum
    alone = [contract.contract_pdf(docs.contract_dto(office.clerk, p1.id), STAMP)]
    alone += [
        commitment.commitment_pdf(docs.commitment_dto(office.clerk, p1.referral_ids[d]), STAMP)
        for d in ("civil", "arch")
    ]
    alone += [contract.contract_pdf(docs.contract_dto(office.clerk, p2.id), STAMP)]
    alone += [
        commitment.commitment_pdf(
            docs.commitment_dto(office.clerk, p2.referral_ids["civil"]), STAMP
        )
    ]
    counts = [pages_of(pdf, tmp_path) for pdf in alone]
    assert sorted(p.pages for p in job.parts) == sorted(counts)
    assert [p.first_page for p in job.parts] == [
        sum(x.pages for x in job.parts[:i]) for i in range(5)
    ]
    total_pages = pages_of(job.pdf, tmp_path)
    assert total_pages == sum(counts) == w.print_dialog.page_count()


def test_printing_to_a_pdf_file_prints_every_page(qtbot, office, runner, settle, day, tmp_path):
    p1, _p2 = day
    job = contract_job(office.clerk, p1.id)
    dlg = PrintPreview(job)
    qtbot.addWidget(dlg)
    out = tmp_path / "printed.pdf"
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(out))
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    n = pages_of(job.pdf, tmp_path)
    assert dlg.print_(printer) == n
    printed = out.read_bytes()
    assert pages_of(printed, tmp_path) == n
    assert f"{fa(n)} صفحه به چاپگر" in dlg.message.text()

    # the printed page carries the paper, not a blank sheet: a good part of the paper's ink
    # (the printer's copy is an image, greyer at this size than the paper's own text)
    def ink(pdf: bytes) -> int:
        doc, _buf = load_pdf(pdf)
        img = doc.render(0, QSize(150, 212))
        return sum(
            1
            for y in range(img.height())
            for x in range(img.width())
            if img.pixelColor(x, y).value() < 200 and img.pixelColor(x, y).alpha() > 128
        )

    paper = ink(job.pdf)
    assert paper > 500 and ink(printed) > 0.25 * paper, (ink(printed), paper)

    saved = dlg.save_pdf(tmp_path / "saved.pdf")
    assert saved.read_bytes() == job.pdf


def test_counter_prints_the_receipt_of_the_registered_file(qtbot, office, runner, settle, tmp_path):
    p = office.project(ready=False)
    office.papers_ready(p.id)
    w = CounterScreen(office.clerk, runner)
    qtbot.addWidget(w)
    assert not w.receipt_button.isEnabled()
    w.open_project(p.id)
    settle()
    assert w.receipt_button.isEnabled()
    qtbot.mouseClick(w.receipt_button, Qt.MouseButton.LeftButton)
    settle()
    dlg = w.print_dialog
    assert dlg is not None and dlg.job.file_name == f"receipt-{p.file_no}.pdf"
    assert dlg.page_count() == pages_of(dlg.job.pdf, tmp_path) >= 1
    assert dlg.view.verticalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOn


def test_board_prints_the_daily_report_and_says_why_a_letter_is_refused(
    qtbot, office, runner, settle, tmp_path
):
    office.papers_ready()
    board = BoardScreen(office.manager, runner)
    qtbot.addWidget(board)
    board.print_daily()  # no deadline run yet: said inline
    settle()
    assert board.print_dialog is None
    assert "هیچ اجرای مهلتی" in board.message.text()

    e = office.engineer("E1")
    p = office.project()
    office.papers_ready(p.id)
    office.at("1405-08-23 10:00")
    candidacy.stand(office.as_engineer[e], e, p.referral_ids["civil"])
    office.run("1405-08-23 20:00")
    board.refresh()
    settle()
    qtbot.mouseClick(board.daily_button, Qt.MouseButton.LeftButton)
    settle()
    dlg = board.print_dialog
    assert dlg is not None and dlg.job.file_name.startswith("daily-")
    assert dlg.page_count() == pages_of(dlg.job.pdf, tmp_path) >= 1
    dlg.close()
    settle()
    assert board.print_dialog is None

    # the supervisor has not signed yet: the letter is refused, with the Persian reason
    board.decisions.select_row(0)
    with pytest.raises(DocumentRefused) as refused:
        docs.letter_dto(office.manager, p.id)
    qtbot.mouseClick(board.letter_button, Qt.MouseButton.LeftButton)
    settle()
    assert board.print_dialog is None
    text = board.message.text()
    assert "قابل چاپ نیست" in text
    assert all(r in text for r in refused.value.reasons)
    assert "خطای پیش‌بینی‌نشده" not in text

"""Print preview and printing of the office's papers (QtPdf + QtPrintSupport).

    PrintPreview(job, parent)       a dialog: the pages (QPdfView, fit to width), Print…, Save PDF…
    print_pdf(document, printer)    every page (or the printer's range) rendered into the printer
    open_document(screen, build)    build a job on the task runner, then open the preview

The jobs (`contract_job`, `commitment_job`, `receipt_job`, `letter_job`, `daily_job`,
`day_batch`) run on the task runner: they issue the papers through `app.services.papers` (a
record with its number and verification code; the same content again is a reprint) and call
`reports/` for the bytes, and return a `PrintJob`. Only the QPdfDocument / QPdfView / QPrinter
parts run on the GUI thread.

QPdfView keeps its vertical scroll bar always on: with fit-to-width and "as needed", a height
where the pages just fit makes the scroll bar appear, the width shrink, the pages fit, the scroll
bar go, the width grow… forever.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QKeySequence, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument, QPdfDocumentRenderOptions
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
)

from app.services.document_dto import DocumentRefused

from . import fmt
from .tasks import error_text
from .widgets import Message

# ReportLab shares font objects between canvases; one document is written at a time.
_RENDER = threading.Lock()

STRIPE = 512  # rows of pixels rendered at once when printing (memory stays small)
# Pages are rendered at the printer's resolution up to this: an office laser prints 600 dpi; a
# 1200 dpi raster (Qt's PDF printer in HighResolution) costs four times the time and bytes for
# no visible gain on these papers.
MAX_DPI = 600


@dataclass(frozen=True)
class Part:
    """One paper inside a job's file: its title, first page (0-based) and page count."""

    title: str
    first_page: int
    pages: int


@dataclass(frozen=True)
class PrintJob:
    title: str  # the window title and the print job's name
    pdf: bytes
    file_name: str  # suggested by Save PDF…
    parts: tuple[Part, ...] = field(default=())


# ---------------------------------------------------------------- jobs (task runner)


def _how(stamp) -> str:
    if not stamp.reprint:
        return fmt.code(stamp.number)
    how = "رونوشت" if stamp.copy else "چاپ دوباره"  # a copy, or an original still to sign
    return f"{how} شماره {fmt.code(stamp.number)}"


def contract_job(ctx, project_id: int) -> PrintJob:
    """Issues the contract (a record: a reprint when unchanged; as signed once a supervisor
    has signed it) and renders it — or, for a supervisor chosen after it was signed, the
    addendum by which he joins it."""
    from app.services import addenda, papers
    from reports import contract

    if addenda.addendum_due(ctx, project_id):
        return addendum_job(ctx, project_id)
    issued = papers.issue_contract(ctx, project_id)
    with _RENDER:
        pdf = contract.contract_pdf(issued.paper, issued.stamp)
    no = issued.paper.property.file_no
    return PrintJob(
        f"قرارداد نظارت {_how(issued.stamp)} — پرونده {fmt.code(no)}", pdf, f"contract-{no}.pdf"
    )


def addendum_job(ctx, project_id: int) -> PrintJob:
    from app.services import addenda
    from reports import addendum

    issued = addenda.issue_addendum(ctx, project_id)
    dto = issued.paper
    with _RENDER:
        pdf = addendum.addendum_pdf(dto, issued.stamp)
    no = dto.property.file_no
    return PrintJob(
        f"الحاقیه {fmt.fa(dto.seq)} قرارداد {fmt.code(dto.contract_number)} "
        f"{_how(issued.stamp)} — پرونده {fmt.code(no)}",
        pdf,
        f"addendum-{no}-{dto.seq}.pdf",
    )


def commitment_job(ctx, referral_id: int) -> PrintJob:
    from app.services import papers
    from reports import commitment

    issued = papers.issue_commitment(ctx, referral_id)
    dto = issued.paper
    with _RENDER:
        pdf = commitment.commitment_pdf(dto, issued.stamp)
    no = dto.property.file_no
    return PrintJob(
        f"تعهدنامه ناظر {_how(issued.stamp)} — پرونده {fmt.code(no)}",
        pdf,
        f"commitment-{no}-{dto.supervisor.referral_id}.pdf",
    )


def receipt_job(ctx, project_id: int) -> PrintJob:
    from app.services import papers
    from reports import receipt

    issued = papers.issue_receipt(ctx, project_id)
    dto = issued.paper
    with _RENDER:
        pdf = receipt.receipt_pdf(dto, issued.stamp)
    return PrintJob(
        f"رسید پیشخوان {_how(issued.stamp)} — پرونده {fmt.code(dto.file_no)}",
        pdf,
        f"receipt-{dto.file_no}.pdf",
    )


def letter_job(ctx, project_id: int) -> PrintJob:
    """Raises DocumentRefused (Persian reasons) while the letter must not be issued."""
    from app.services import papers
    from reports import letter

    issued = papers.issue_letter(ctx, project_id)
    with _RENDER:
        pdf = letter.letter_pdf(issued.paper, issued.stamp)
    no = issued.paper.property.file_no
    return PrintJob(
        f"معرفی‌نامه ناظران {_how(issued.stamp)} — پرونده {fmt.code(no)}", pdf, f"letter-{no}.pdf"
    )


def daily_job(ctx, run_id: int | None = None) -> PrintJob:
    from app.services import papers
    from reports import daily

    issued = papers.issue_daily(ctx, run_id)
    dto = issued.paper
    with _RENDER:
        pdf = daily.daily_report_pdf(dto, issued.stamp)
    return PrintJob(
        f"گزارش توزیع روزانه {_how(issued.stamp)} — اجرای {fmt.fa(dto.run_id)}",
        pdf,
        f"daily-{dto.run_id}.pdf",
    )


def day_batch(
    ctx, day: date | None = None, progress: Callable[[int, int], None] | None = None
) -> PrintJob:
    """Every contract and commitment form of a day's signing appointments, in one file, each
    issued as a record (a reprint when unchanged).

    For each project (in the appointments' order) its contract, then the commitment form of
    each of its appointments that day. Steps: one per document, and a last one for finishing
    the file; `progress(done, total)` after each (0 first).
    """
    from app.domain.calendar import local_date
    from app.services import addenda, browse, papers
    from reports.addendum import write_addendum
    from reports.commitment import write_commitment
    from reports.contract import write_contract
    from reports.layout import Page

    rows = [a for a in browse.appointments(ctx, day) if a.engineer_id is not None]
    if not rows:
        raise LookupError("برای این روز نوبت امضایی نیست")
    projects: dict[int, list] = {}
    for a in rows:
        projects.setdefault(a.project_id, []).append(a)
    steps: list[tuple[str, int]] = []
    for pid, appts in projects.items():
        steps.append(("contract", pid))
        steps += [("commitment", a.referral_id) for a in appts]
    total = len(steps) + 1
    tick = progress or (lambda _d, _t: None)
    tick(0, total)
    parts: list[Part] = []
    page: Page | None = None
    with _RENDER:
        for n, (kind, key) in enumerate(steps, 1):
            if kind == "contract" and addenda.addendum_due(ctx, key):
                issued = addenda.issue_addendum(ctx, key)  # type: ignore[assignment]
                no = issued.paper.property.file_no
                title = f"الحاقیه قرارداد نظارت — پرونده {fmt.code(no)}"
                write: Callable = write_addendum
            elif kind == "contract":
                issued = papers.issue_contract(ctx, key)
                no = issued.paper.property.file_no
                title = f"قرارداد نظارت — پرونده {fmt.code(no)}"
                write = write_contract
            else:
                issued = papers.issue_commitment(ctx, key)  # type: ignore[assignment]
                no = issued.paper.property.file_no
                title = (
                    f"تعهدنامه ناظر — پرونده {fmt.code(no)}، "
                    f"{issued.paper.supervisor.membership_no}"  # type: ignore[attr-defined]
                )
                write = write_commitment
            if page is None:
                page = Page("نوبت‌های امضای روز")
            else:
                page.next_document("")
            first = page.c.getPageNumber() - 1
            write(page, issued.paper, issued.stamp)
            if parts:
                last = parts[-1]
                parts[-1] = Part(last.title, last.first_page, first - last.first_page)
            parts.append(Part(title, first, 0))
            tick(n, total)
        assert page is not None
        pages = page.c.getPageNumber()
        pdf = page.bytes()
    last = parts[-1]
    parts[-1] = Part(last.title, last.first_page, pages - last.first_page)
    tick(total, total)
    on = day or local_date(ctx.now())
    return PrintJob(
        f"نوبت‌های امضای روز {fmt.fa(on)} — {fmt.fa_int(len(steps))} سند",
        pdf,
        f"signing-{on.isoformat()}.pdf",
        tuple(parts),
    )


# ---------------------------------------------------------------- printing (GUI thread)


def load_pdf(pdf: bytes, parent=None) -> tuple[QPdfDocument, QBuffer]:
    """A QPdfDocument over the bytes; keep the buffer as long as the document."""
    buf = QBuffer(parent)
    buf.setData(QByteArray(pdf))
    buf.open(QIODevice.OpenModeFlag.ReadOnly)
    doc = QPdfDocument(parent)
    doc.load(buf)
    return doc, buf


def print_pdf(
    document: QPdfDocument,
    printer: QPrinter,
    pages: Sequence[int] | None = None,
    progress: Callable[[int, int], None] | None = None,
    max_dpi: int = MAX_DPI,
) -> int:
    """Render the pages into the printer's painter at the printer's resolution (at most
    `max_dpi`); returns the number of pages printed. Pages are 0-based; None: the printer's
    range (all by default). `progress(done, total)` after each page; returning False cancels.

    The PDF carries its own margins, so the printer paints the full sheet; each page is fitted
    to the sheet and rendered in horizontal stripes of device pixels (an A4 page at 1200 dpi is
    a 10k × 14k image: rendered whole it would take half a gigabyte).
    """
    count = document.pageCount()
    if pages is None:
        lo, hi = printer.fromPage(), printer.toPage()
        pages = range(lo - 1, hi) if lo > 0 and hi >= lo else range(count)
    pages = [i for i in pages if 0 <= i < count]
    if not pages:
        return 0
    printer.setFullPage(True)
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError("چاپگر آماده نیست")
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    try:
        res = printer.resolution()
        dpi = min(res, max_dpi)
        for n, i in enumerate(pages):
            if n and not printer.newPage():
                raise OSError("چاپگر صفحه تازه نپذیرفت")
            paper = printer.pageLayout().fullRectPixels(res)
            pt = document.pagePointSize(i)
            k = min(paper.width() / pt.width(), paper.height() / pt.height())  # pixels a point
            target = QRectF(0, 0, pt.width() * k, pt.height() * k)
            target.moveLeft((paper.width() - target.width()) / 2)
            f = dpi / res  # rendered pixels per printer pixel
            size = QSize(round(target.width() * f), round(target.height() * f))
            for y in range(0, size.height(), STRIPE):
                h = min(STRIPE, size.height() - y)
                opts = QPdfDocumentRenderOptions()
                opts.setScaledSize(size)
                opts.setScaledClipRect(QRect(0, y, size.width(), h))
                stripe = QImage(size.width(), h, QImage.Format.Format_RGB32)
                stripe.fill(QColor("white"))  # the page paints no background: composite on paper
                p = QPainter(stripe)
                p.drawImage(0, 0, document.render(i, QSize(size.width(), h), opts))
                p.end()
                painter.drawImage(
                    QRectF(target.left(), target.top() + y / f, target.width(), h / f), stripe
                )
            if progress and progress(n + 1, len(pages)) is False:
                printer.abort()
                return n + 1
    finally:
        if painter.isActive():
            painter.end()
    return len(pages)


class PrintPreview(QDialog):
    """The pages of a job, fit to width, with Print… and Save PDF…."""

    def __init__(self, job: PrintJob, parent=None):
        super().__init__(parent)
        self.job = job
        self.setWindowTitle(job.title)
        self.document, self.buffer = load_pdf(job.pdf, self)
        self.view = QPdfView(self)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.view.setPageSpacing(12)
        self.view.setStyleSheet("QPdfView { background: #8a9399; }")
        self.view.setDocument(self.document)

        self.pages = QLabel(self)
        self.print_button = QPushButton("چاپ… (Ctrl+P)", self)
        self.print_button.setShortcut(QKeySequence("Ctrl+P"))
        self.save_button = QPushButton(
            "ذخیره PDF\u200f… (Ctrl+S)", self
        )  # RLM: the label stays in order
        self.save_button.setShortcut(QKeySequence("Ctrl+S"))
        self.close_button = QPushButton("بستن", self)
        self.print_button.clicked.connect(lambda: self.print_())
        self.save_button.clicked.connect(lambda: self.save_pdf())
        self.close_button.clicked.connect(self.reject)
        self.message = Message(self)

        bar = QHBoxLayout()
        bar.addWidget(self.print_button)
        bar.addWidget(self.save_button)
        bar.addSpacing(16)
        bar.addWidget(self.pages, 1)
        bar.addWidget(self.close_button)
        lay = QVBoxLayout(self)
        lay.addLayout(bar)
        lay.addWidget(self.view, 1)
        lay.addWidget(self.message)

        nav = self.view.pageNavigator()
        nav.currentPageChanged.connect(lambda _p: self._show_page())
        self._show_page()
        self.print_button.setEnabled(self.page_count() > 0)
        if self.page_count() == 0:
            self.message.error("این سند صفحه‌ای ندارد یا خوانده نشد")
        screen = (parent.screen() if parent is not None else None) or QApplication.primaryScreen()
        avail = screen.availableGeometry() if screen else QRect(0, 0, 1280, 1000)
        self.resize(min(900, avail.width() - 40), min(1100, avail.height() - 60))

    def page_count(self) -> int:
        return self.document.pageCount()

    def _show_page(self) -> None:
        n = self.page_count()
        cur = self.view.pageNavigator().currentPage() + 1 if n else 0
        text = f"صفحه {fmt.fa_int(cur)} از {fmt.fa_int(n)}"
        if self.job.parts:
            text += f" — {fmt.fa_int(len(self.job.parts))} سند"
        self.pages.setText(text)

    def printer(self) -> QPrinter:
        """A printer set up for the office's papers: A4, the job's name, as many copies."""
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        printer.setDocName(self.job.title)
        printer.setFullPage(True)
        return printer

    def print_(self, printer: QPrinter | None = None) -> int:
        """Ask for the printer (QPrintDialog) unless one is given; returns the pages printed."""
        if printer is None:
            printer = self.printer()
            dlg = QPrintDialog(printer, self)
            dlg.setWindowTitle("چاپ")
            dlg.setMinMax(1, max(self.page_count(), 1))
            dlg.setOption(QPrintDialog.PrintDialogOption.PrintPageRange, True)
            if dlg.exec() != QDialog.DialogCode.Accepted:
                return 0
        bar = QProgressDialog("در حال چاپ…", "انصراف", 0, self.page_count(), self)
        bar.setWindowTitle(self.job.title)
        bar.setWindowModality(Qt.WindowModality.WindowModal)
        bar.setMinimumDuration(300)

        def step(done: int, total: int) -> bool:
            bar.setMaximum(total)
            bar.setValue(done)
            QApplication.processEvents()  # each page takes a moment: keep the window alive
            return not bar.wasCanceled()

        try:
            done = print_pdf(self.document, printer, progress=step)
        except OSError as exc:
            self.message.error(str(exc))
            return 0
        finally:
            canceled = bar.wasCanceled()
            bar.reset()
            bar.deleteLater()
        if canceled:
            self.message.error("چاپ لغو شد")
            return 0
        self.message.ok(f"{fmt.fa_int(done)} صفحه به چاپگر فرستاده شد")
        return done

    def save_pdf(self, path: str | Path | None = None) -> Path | None:
        if not path:
            path, _ = QFileDialog.getSaveFileName(
                self, "ذخیره PDF", self.job.file_name, "PDF (*.pdf)"
            )
        if not path:
            return None
        path = Path(path)
        try:
            path.write_bytes(self.job.pdf)
        except OSError as exc:
            self.message.error(f"ذخیره نشد: {exc.strerror or exc}")
            return None
        self.message.ok(f"ذخیره شد: {path.name}")
        return path


# ---------------------------------------------------------------- the screens' helper


def refusal_text(exc: BaseException) -> str:
    """A refused document, a missing run or appointments: their own Persian sentence."""
    if isinstance(exc, (DocumentRefused, LookupError)) and exc.args:
        return str(exc) if isinstance(exc, DocumentRefused) else str(exc.args[0])
    return error_text(exc)


def open_document(
    screen,
    build: Callable[..., PrintJob],
    *args,
    on_progress=None,
    on_done=None,
    on_error=None,
    **kw,
) -> int:
    """Build a job on the task runner, then show it in a preview owned by the screen
    (`screen.print_dialog`); a refusal goes to the screen's message line. `on_done(job)` and
    `on_error(exc)` run after that (the screen's own bookkeeping)."""

    def done(job: PrintJob) -> None:
        old = getattr(screen, "print_dialog", None)
        if old is not None:
            old.close()
        dlg = PrintPreview(job, screen)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.destroyed.connect(lambda *_a: _forget(screen, dlg))
        screen.print_dialog = dlg
        screen.message.ok(f"{job.title}: {fmt.fa_int(dlg.page_count())} صفحه")
        dlg.open()
        if on_done:
            on_done(job)

    def failed(exc: BaseException) -> None:
        screen.message.error(refusal_text(exc))
        if on_error:
            on_error(exc)

    return screen.run(build, *args, on_done=done, on_error=failed, on_progress=on_progress, **kw)


def _forget(screen, dlg) -> None:
    if getattr(screen, "print_dialog", None) is dlg:
        screen.print_dialog = None


def demo_preview(ctx, width: int = 900, height: int = 1000) -> PrintPreview | None:
    """The preview of a demo contract, shown and rendered (`main.py screenshots`); `ctx` is a
    staff member's (the contract is issued, or reprinted, as the desk would)."""
    import time

    from app.services import documents as docs

    choice = docs.demo_choice(ctx)
    pid = choice["signed_project"] or choice["selected_project"]
    if pid is None:
        return None
    dlg = PrintPreview(contract_job(ctx, pid))
    dlg.resize(width, height)
    dlg.show()
    end = time.monotonic() + 1.5  # QPdfView renders its pages on a thread of its own
    while time.monotonic() < end:
        QApplication.processEvents()
        time.sleep(0.02)
    return dlg

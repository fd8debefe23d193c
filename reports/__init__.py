"""Printed documents (ReportLab, Persian right-to-left). Functions of DTOs → PDF bytes.

This package never opens a database session: `app.services.documents` builds the DTOs.
The call chains (for the desktop's print preview, printing and batch printing):

    from app.services import documents as docs
    from reports import commitment, contract, daily, letter, receipt

    contract.contract_pdf(docs.contract_dto(ctx, project_id))            # one per project
    contract.contracts_pdf([dto, ...])                  # the day's batch, one file, fonts once
    commitment.commitment_pdf(docs.commitment_dto(ctx, referral_id))     # one per supervisor
    receipt.receipt_pdf(docs.receipt_dto(ctx, project_id))               # counter receipt
    letter.letter_pdf(docs.letter_dto(ctx, project_id))                  # to the permit body
    daily.daily_report_pdf(docs.daily_report_dto(ctx, run_id))           # None: latest run

`docs.letter_dto` (and `letter.letter_pdf`) raise `app.services.document_dto.DocumentRefused`
with Persian reasons (`.reasons`, `str(exc)`) while a fee is unapproved, the plate is missing
or there is no coordinating supervisor; show `str(exc)` to the clerk.

All of them return the bytes of a PDF (A4, Vazirmatn embedded), ready for `QPdfDocument.load`
via a `QBuffer`, or a file. `samples` builds DTOs without a database (previews, tests).
The DTO types are in `app.services.document_dto`.

Layers: `rtl` (digits, numbers in words, shaping, wrapping), `layout` (a right-to-left page
writer on a ReportLab canvas: paragraphs, tables with columns right to left, boxes, QR codes),
`common` (heading, Jalali dates), one module per document, `commands` (`main.py documents`),
`bench` (`main.py bench-documents`). Clause texts live in `resources/documents/`.
"""

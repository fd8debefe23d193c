"""معرفی‌نامه ناظران — the letter introducing a file's supervisors to its city's municipality.

Issued only once every discipline's supervisor has signed and every fee is approved (the
service refuses before); numbered from the outgoing register, dated by its issue; a reprint is
the same letter marked «رونوشت». Addressed to the municipality of the file's city, signed by
the named signer, with its attachments and copies.
"""

from __future__ import annotations

from app.domain.rules_fa import join_fa
from app.services.document_dto import DocumentRefused, LetterDTO, PaperStamp

from .common import (
    discipline_fa,
    firm_identity,
    grade_fa,
    heading,
    issued_on,
    jdate,
    or_blank,
    stamp_number,
    start,
    verification_height,
    verification_note,
)
from .contract import grade_title
from .layout import Column, Page
from .rtl import fa_area, fa_digits, fa_number


def letter_pdf(dto: LetterDTO, stamp: PaperStamp | None = None) -> bytes:
    """Refuses (DocumentRefused, Persian reasons) a letter whose DTO lists refusals."""
    if dto.refusals:
        raise DocumentRefused("معرفی‌نامه ناظران", dto.refusals)
    p = Page(f"معرفی‌نامه ناظران {dto.property.file_no}", size=9.5)
    write_letter(p, dto, stamp)
    return p.bytes()


def write_letter(p: Page, dto: LetterDTO, stamp: PaperStamp | None = None) -> None:
    prop, org = dto.property, dto.organization
    start(p, org, "نامه", stamp)
    heading(
        p,
        org,
        "معرفی‌نامه ناظران",
        [
            ("شماره", stamp_number(stamp)),
            ("تاریخ", issued_on(stamp) or "—"),
            ("پیوست", "دارد" if dto.attachments else "ندارد"),
            ("شماره پرونده", fa_digits(prop.file_no)),
        ],
        stamp,
    )
    p.running = lambda pg: pg.para(
        f"ادامه نامه شماره {stamp_number(stamp)}", size=8, bold=True, after=2
    )
    p.para(dto.addressee, bold=True)
    permit = (
        f"، پروانه ساختمان شماره {fa_digits(prop.permit_no)} مورخ {jdate(prop.permit_date)}"
        if prop.permit_no
        else ""
    )
    p.para(
        f"موضوع: معرفی ناظران ساختمان پلاک ثبتی {fa_digits(prop.plate)}، پرونده شهرداری "
        f"{or_blank(prop.municipal_file_no, 'ثبت‌نشده')}{permit}",
        bold=True,
        size=9.5,
    )
    p.para(dto.salutation)
    values = {
        "plate": fa_digits(prop.plate),
        "file_no": fa_digits(prop.file_no),
        "municipal_file_no": or_blank(prop.municipal_file_no, "ثبت‌نشده"),
        "owners": join_fa(dto.owner_names),
        "floors": fa_digits(prop.floors),
        "area": fa_area(prop.area_m2),
        "permit_no": fa_digits(prop.permit_no),
        "permit_date": jdate(prop.permit_date),
    }
    for text in dto.body[:1]:
        p.para(text.format(**values))
    p.table(
        [
            Column("رشته", 1.5),
            Column("مبلغ تأییدشده (ریال)", 1.5, "center"),
            Column("شماره پیگیری", 1.8, "center"),
            Column("تاریخ واریز", 1.1, "center"),
            Column("بانک", 1.0, "center"),
        ],
        [
            [
                discipline_fa(f.discipline),
                fa_number(f.approved_rials),
                "، ".join(fa_digits(t) for t in f.tracking_nos),
                jdate(f.paid_on),
                or_blank(f.bank),
            ]
            for f in dto.fees
        ],
        size=8,
        pad=2.5,
    )
    for text in dto.body[1:]:
        p.para(text.format(**values))
    p.table(
        [
            Column("ردیف", 0.45, "center"),
            Column("نام و نام خانوادگی", 1.9),
            Column("رشته", 1.25),
            # a firm holds a rank (رتبه), a person a grade (پایه)
            Column(grade_title(dto.supervisors), 0.75, "center"),
            Column("شماره عضویت", 1.1, "center"),
            Column("شماره پروانه اشتغال", 1.4, "center"),
            Column("مساحت از ظرفیت (مترمربع)", 1.2, "center"),
            Column("تاریخ امضا", 1.05, "center"),  # of the contract or its addendum
            Column("سمت", 1.25, "center"),
        ],
        [
            [
                fa_digits(i),
                s.name + (" (شخص حقوقی)" if s.kind == "firm" else ""),
                discipline_fa(s.discipline),
                grade_fa(s.grade, s.kind),
                fa_digits(s.membership_no),
                or_blank(s.licence_no),
                fa_area(s.area_m2, fixed=True),
                jdate(s.signed_on),
                "ناظر هماهنگ‌کننده" if s.coordinating else "ناظر",
            ]
            for i, s in enumerate(dto.supervisors, 1)
        ],
        size=8,
        pad=2.5,
        shade_rows=frozenset(i for i, s in enumerate(dto.supervisors) if s.coordinating),
    )
    for s in dto.supervisors:  # a firm: its national ID, registration and signatory
        if s.kind == "firm":
            p.para(f"ناظر {discipline_fa(s.discipline)}: {firm_identity(s)}.", size=8.5)
    # the closing, the signer (on the left) beside the attachments and copies (on the right),
    # the seal note and the check note stay together: a letter never ends with a page holding
    # only its issuer line
    closing = dto.closing.format(**values)
    column = p.left + SIGNER_WIDTH
    with p.narrowed(column):
        beside = _beside_height(p, dto)
    signer = 9.5 * 1.55 + 9 * 1.55 + 8.5 * 1.55
    p.keep(
        p.para_height(closing)
        + 2
        + max(signer, beside)
        + 4
        + p.para_height(dto.seal_note, 8)
        + verification_height(p, stamp)
    )
    p.para(closing)
    p.space(2)
    top = p.y
    with p.narrowed(column):
        if dto.attachments:
            p.para(_attachments(dto), size=8.5, after=1)
        if dto.copies_to:
            p.para("رونوشت:", size=8.5, bold=True, after=0)
            for c in dto.copies_to:
                p.para(f"- {c}", size=8.5, indent=8, after=0)
    below = p.y
    p.y = top
    p.line(org.letter_signer_name, bold=True, align="left", x_left=p.left + 30)
    p.line(org.letter_signer_title, size=9, align="left", x_left=p.left + 30)
    p.line("امضا و مهر", size=8.5, align="left", x_left=p.left + 55)
    p.y = min(p.y, below)
    p.space(4)
    p.para(dto.seal_note, size=8)
    verification_note(p, stamp)


SIGNER_WIDTH = 170  # the signer's name, title and «امضا و مهر» at the letter's left


def _attachments(dto: LetterDTO) -> str:
    return "پیوست: " + fa_digits("؛ ".join(dto.attachments))


def _beside_height(p: Page, dto: LetterDTO) -> float:
    h = p.para_height(_attachments(dto), 8.5) - 2 if dto.attachments else 0.0
    if dto.copies_to:
        h += p.para_height("رونوشت:", 8.5, True) - 3
        h += sum(p.para_height(f"- {c}", 8.5, indent=8) - 3 for c in dto.copies_to)
    return h

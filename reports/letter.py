"""معرفی‌نامه ناظران — the letter introducing the supervisors to the permit body."""

from __future__ import annotations

from app.services.document_dto import DocumentRefused, LetterDTO

from .common import discipline_fa, grade_fa, heading, jdate, or_dash
from .layout import Column, Page
from .rtl import fa_area, fa_digits, fa_number


def letter_pdf(dto: LetterDTO) -> bytes:
    """Refuses (DocumentRefused, Persian reasons) a letter whose DTO lists refusals."""
    if dto.refusals:
        raise DocumentRefused("معرفی‌نامه ناظران", dto.refusals)
    p = Page(
        f"معرفی‌نامه ناظران {dto.property.file_no}",
        footer=f"{dto.organization.name} — نامه شماره {fa_digits(dto.letter_no)}",
    )
    write_letter(p, dto)
    return p.bytes()


def write_letter(p: Page, dto: LetterDTO) -> None:
    prop = dto.property
    heading(
        p,
        dto.organization,
        "معرفی‌نامه ناظران",
        [
            ("شماره نامه", fa_digits(dto.letter_no)),
            ("تاریخ", jdate(dto.on)),
            ("شماره پرونده", fa_digits(prop.file_no)),
        ],
        dto.qr_payload,
    )
    p.para(dto.addressee, bold=True)
    p.para("موضوع: معرفی ناظران ساختمان", bold=True, size=9.5)
    p.para(dto.salutation)
    values = {
        "plate": fa_digits(prop.plate),
        "file_no": fa_digits(prop.file_no),
        "owners": "، ".join(dto.owner_names) or "—",
        "floors": fa_digits(prop.floors),
        "area": fa_area(prop.area_m2),
    }
    for text in dto.body[:1]:
        p.para(text.format(**values))
    p.table(
        [
            Column("رشته", 1.5),
            Column("مبلغ (ریال)", 1.5, "center"),
            Column("شماره پیگیری", 1.8, "center"),
            Column("تاریخ پرداخت", 1.1, "center"),
            Column("بانک", 1.0, "center"),
        ],
        [
            [
                discipline_fa(f.discipline),
                fa_number(f.amount_rials),
                "، ".join(fa_digits(t) for t in f.tracking_nos) or "—",
                jdate(f.paid_on),
                or_dash(f.bank),
            ]
            for f in dto.fees
        ],
        size=8.5,
    )
    for text in dto.body[1:]:
        p.para(text.format(**values))
    p.table(
        [
            Column("ردیف", 0.5, "center"),
            Column("نام و نام خانوادگی", 1.9),
            Column("رشته", 1.3),
            Column("پایه", 0.8, "center"),
            Column("شماره پروانه", 1.4, "center"),
            Column("کد نظارت شهرداری", 1.2, "center"),
            Column("مساحت از ظرفیت (مترمربع)", 1.3, "center"),
            Column("سمت", 1.2, "center"),
        ],
        [
            [
                fa_digits(i),
                s.name,
                discipline_fa(s.discipline),
                grade_fa(s.grade),
                or_dash(s.licence_no),
                or_dash(s.municipal_code),
                fa_area(s.area_m2),
                "ناظر هماهنگ‌کننده" if s.coordinating else "ناظر",
            ]
            for i, s in enumerate(dto.supervisors, 1)
        ],
        size=8.5,
        shade_rows=frozenset(i for i, s in enumerate(dto.supervisors) if s.coordinating),
    )
    p.para(dto.closing)
    p.space(6)
    p.ensure(80)
    p.line(dto.signer_title, bold=True, align="left", x_left=p.left + 20)
    p.line("امضا و مهر", align="left", x_left=p.left + 45)
    p.space(24)
    p.para(dto.seal_note, size=8)

"""رسید پذیرش پرونده — the counter's receipt for the owner."""

from __future__ import annotations

from app.services.document_dto import ReceiptDTO

from .common import discipline_fa, group_fa, heading, jdatetime_fa, or_dash
from .layout import Column, Page
from .rtl import fa_area, fa_digits, fa_number

FEE_STATE_FA = {
    "approved": "تأیید شده",
    "pending": "در انتظار تأیید امور مالی",
    "rejected": "رد شده",
    "missing": "پرداخت نشده",
}


def receipt_pdf(dto: ReceiptDTO) -> bytes:
    p = Page(
        f"رسید پذیرش پرونده {dto.file_no}",
        footer=f"{dto.organization.name} — رسید پذیرش پرونده {fa_digits(dto.file_no)}",
        size=9,
    )
    write_receipt(p, dto)
    return p.bytes()


def write_receipt(p: Page, dto: ReceiptDTO) -> None:
    prop = dto.property
    heading(
        p,
        dto.organization,
        "رسید پذیرش پرونده",
        [
            ("شماره پرونده", fa_digits(dto.file_no)),
            ("کد رهگیری", fa_digits(dto.tracking_code)),
            ("تاریخ و ساعت", jdatetime_fa(dto.received_at)),
        ],
        dto.qr_payload,
    )
    p.table(
        [Column("عنوان", 1.3), Column("مقدار", 2.1), Column("عنوان", 1.3), Column("مقدار", 2.1)],
        [
            [
                "مالک یا مالکان",
                "، ".join(f"{o.name} ({fa_digits(o.national_id)})" for o in dto.owners) or "—",
                "آورنده پرونده",
                f"{dto.brought_by_name} — {dto.brought_by_role_fa}"
                f" (کد ملی {or_dash(dto.brought_by_national_id)})",
            ],
            ["پلاک ثبتی", or_dash(prop.plate), "نشانی", or_dash(prop.address)],
            [
                "گروه / طبقات",
                f"گروه {group_fa(prop.group)}، {fa_digits(prop.floors)} طبقه",
                "زیربنا",
                f"{fa_area(prop.area_m2)} مترمربع",
            ],
            [
                "رشته‌های نظارت",
                "، ".join(discipline_fa(d) for d in dto.disciplines) or "—",
                "کاربری",
                prop.use_fa,
            ],
        ],
        header=False,
        pad=2.5,
    )
    p.heading("مدارک دریافت‌شده")
    p.table(
        [
            Column("ردیف", 0.5, "center"),
            Column("مدرک", 4),
            Column("الزامی", 0.9, "center"),
            Column("وضعیت", 1.2, "center"),
        ],
        [
            [
                fa_digits(i),
                d.title,
                "بله" if d.required else "در صورت لزوم",
                "دریافت شد" if d.received else ("کسری" if d.required else "—"),
            ]
            for i, d in enumerate(dto.documents, 1)
        ],
        pad=2.5,
    )
    p.heading("حق‌الزحمه نظارت")
    p.table(
        [
            Column("رشته", 1.6),
            Column("مبلغ (ریال)", 1.6, "center"),
            Column("شماره پیگیری", 1.8, "center"),
            Column("وضعیت", 1.6, "center"),
        ],
        [
            [
                discipline_fa(f.discipline),
                fa_number(f.amount_rials) if f.amount_rials else "—",
                "، ".join(fa_digits(t) for t in f.tracking_nos) or "—",
                FEE_STATE_FA.get(f.status, f.status),
            ]
            for f in dto.fees
        ],
        pad=2.5,
    )
    p.heading("مراحل بعد")
    for i, step in enumerate(dto.next_steps, 1):
        p.para(f"{fa_digits(i)}. {fa_digits(step)}", indent=4)
    p.space(1)
    org = dto.organization
    p.para(
        f"نشانی: {org.address} — تلفن: {fa_digits(org.phone)} — {org.website}",
        size=8.5,
    )
    p.space(1)
    p.boxes(["امضای تحویل‌دهنده پرونده", "امضا و مهر کارشناس پذیرش"], height=40)

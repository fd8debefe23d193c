"""تعهدنامه ناظر — the supervisor's commitment form (one per supervisor and referral)."""

from __future__ import annotations

from app.services.document_dto import CommitmentDTO

from .common import discipline_fa, grade_fa, group_fa, heading, jdate, or_dash
from .layout import Column, Page
from .rtl import fa_area, fa_digits


def commitment_pdf(dto: CommitmentDTO) -> bytes:
    p = Page(
        f"تعهدنامه ناظر {dto.property.file_no}",
        footer=f"{dto.organization.name} — تعهدنامه ناظر، پرونده {fa_digits(dto.property.file_no)}",
    )
    write_commitment(p, dto)
    return p.bytes()


def write_commitment(p: Page, dto: CommitmentDTO) -> None:
    s, prop = dto.supervisor, dto.property
    heading(
        p,
        dto.organization,
        "تعهدنامه ناظر",
        [
            ("تاریخ", jdate(dto.on)),
            ("شماره پرونده", fa_digits(prop.file_no)),
            ("شماره ارجاع", fa_digits(s.referral_id)),
        ],
        dto.qr_payload,
    )
    p.heading("مشخصات ناظر")
    p.table(
        [Column("عنوان", 1.3), Column("مقدار", 2.1), Column("عنوان", 1.3), Column("مقدار", 2.1)],
        [
            ["نام و نام خانوادگی", s.name, "کد ملی", or_dash(s.national_id)],
            ["شماره عضویت", fa_digits(s.membership_no), "شماره پروانه", or_dash(s.licence_no)],
            [
                "رشته",
                dto.discipline_fa,
                "پایه",
                grade_fa(s.grade) + (" — ناظر هماهنگ‌کننده" if s.coordinating else ""),
            ],
            [
                "ظرفیت کل نظارت",
                f"{fa_area(dto.capacity_m2)} مترمربع",
                "مساحت این ارجاع",
                f"{fa_area(s.area_m2)} مترمربع",
            ],
            [
                "ظرفیت استفاده‌شده (با این کار)",
                f"{fa_area(dto.used_m2)} مترمربع",
                "ظرفیت باقی‌مانده پس از این کار",
                f"{fa_area(dto.remaining_m2)} مترمربع",
            ],
            [
                "تعداد کار فعال",
                f"{fa_digits(dto.active_jobs)} از {fa_digits(dto.max_active_jobs)}",
                "",
                "",
            ],
        ],
        header=False,
    )
    p.heading("مشخصات پروژه")
    p.table(
        [Column("عنوان", 1.3), Column("مقدار", 2.1), Column("عنوان", 1.3), Column("مقدار", 2.1)],
        [
            ["شماره پرونده", fa_digits(prop.file_no), "پلاک ثبتی", or_dash(prop.plate)],
            ["گروه ساختمانی", group_fa(prop.group), "تعداد طبقات", fa_digits(prop.floors)],
            ["زیربنا", f"{fa_area(prop.area_m2)} مترمربع", "کاربری", prop.use_fa],
            ["مالک یا مالکان", "، ".join(dto.owner_names) or "—", "نشانی", or_dash(prop.address)],
        ],
        header=False,
    )
    p.heading("تعهدات")
    p.para(
        "اینجانب با مشخصات بالا که از طریق سامانه ارجاع نظارت برای نظارت "
        f"{discipline_fa(s.discipline)} این پروژه انتخاب شده‌ام، با امضای این برگه متعهد می‌شوم:"
    )
    p.table(
        [Column("ردیف", 0.5, "center"), Column("تعهد", 6), Column("قاعده", 0.9, "center")],
        [[fa_digits(i), u.text, u.rule] for i, u in enumerate(dto.undertakings, 1)],
    )
    p.para(dto.closing, size=9)
    p.space(6)
    p.boxes(
        [
            f"تاریخ و امضای ناظر: {s.name}",
            "اثر انگشت",
            "دریافت به‌وسیله سازمان (نام، امضا و مهر)",
        ],
        height=80,
    )

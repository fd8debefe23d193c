"""تعهدنامه ناظر — the supervisor's commitment form (one per supervisor and referral).

Dated by the signature the clerk recorded (A9), or, before it, by the signing window it is
printed for — never the day it is printed. A firm, named by its national ID and registration
number and place, undertakes in the third person through its authorised signatory, with its
seal and no fingerprint box; a surveyor is told that the withdrawal penalty does not apply
to surveyors (W2). Each undertaking names the guideline's clause it comes from.
"""

from __future__ import annotations

from app.domain.rules_fa import guideline_fa, join_fa
from app.services.document_dto import CommitmentDTO, PaperStamp

from .common import (
    COMMITMENT_INITIALS,
    COMMITMENT_INITIALS_FIRM,
    NBSP,
    firm_seal,
    grade_fa,
    group_fa,
    heading,
    issued_on,
    jdate,
    or_blank,
    stamp_number,
    start,
    use_text,
    verification_height,
    verification_note,
)
from .layout import Column, Page
from .rtl import fa_area, fa_digits


def commitment_pdf(dto: CommitmentDTO, stamp: PaperStamp | None = None) -> bytes:
    p = Page(f"تعهدنامه ناظر {dto.property.file_no}", size=9)
    write_commitment(p, dto, stamp)
    return p.bytes()


def signing_date(dto: CommitmentDTO) -> str:
    """The day the form is signed: the recorded signature's, else the signing window's (A9:
    a signature is recorded only inside it)."""
    return jdate(dto.signed_on or dto.sign_on) or "—"


def signing_window(dto: CommitmentDTO) -> str:
    day = signing_date(dto)
    return f"{day}، ساعت{NBSP}{fa_digits(dto.sign_from)} تا {fa_digits(dto.sign_until)}"


def write_commitment(p: Page, dto: CommitmentDTO, stamp: PaperStamp | None = None) -> None:
    s, prop = dto.supervisor, dto.property
    firm = s.kind == "firm"
    # he initials every page of what he undertakes: a page of signatures alone is tied to it
    p.initials = COMMITMENT_INITIALS_FIRM if firm else COMMITMENT_INITIALS
    p.strike_blank = True
    start(p, dto.organization, "تعهدنامه ناظر", stamp)
    heading(
        p,
        dto.organization,
        "تعهدنامه ناظر",
        [
            ("شماره", stamp_number(stamp)),
            ("تاریخ امضا", signing_date(dto)),
            ("شماره پرونده", fa_digits(prop.file_no)),
            ("تاریخ صدور", issued_on(stamp) or "—"),
        ],
        stamp,
    )
    p.running = lambda pg: pg.para(
        f"ادامه تعهدنامه شماره {stamp_number(stamp)} — {s.name}", size=8, bold=True, after=2
    )
    p.heading("مشخصات ناظر (شخص حقوقی)" if firm else "مشخصات ناظر", size=10.5)
    cols = [Column("عنوان", 1.3), Column("مقدار", 2.1), Column("عنوان", 1.3), Column("مقدار", 2.1)]
    if firm:
        who = [
            ["نام شخص حقوقی", s.name, "شناسه ملی", or_blank(s.national_id, "ثبت‌نشده")],
            [
                "شماره ثبت",
                or_blank(s.registration_no, "در سامانه ثبت نشده است"),
                "محل ثبت",
                or_blank(s.registration_place, "ثبت‌نشده"),
            ],
            [
                "صاحب امضای مجاز",
                s.signatory or "طبق آخرین آگهی روزنامه رسمی",
                "شماره عضویت",
                fa_digits(s.membership_no),
            ],
        ]
    else:
        who = [
            ["نام و نام خانوادگی", s.name, "کد ملی", or_blank(s.national_id)],
            ["نام پدر", or_blank(s.father_name), "شماره عضویت", fa_digits(s.membership_no)],
        ]
    p.table(
        cols,
        [
            *who,
            [
                "رشته و رتبه" if firm else "رشته و پایه",
                f"{dto.discipline_fa}، {grade_fa(s.grade, s.kind)}",
                "شماره پروانه اشتغال",
                or_blank(s.licence_no),
            ],
            [
                "سمت در این پروژه",
                "ناظر هماهنگ‌کننده" if s.coordinating else "ناظر",
                "تاریخ انتخاب",
                jdate(s.selected_on),
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
                "تعداد کار در جریان",
                f"{fa_digits(dto.active_jobs)} از {fa_digits(dto.max_active_jobs)}",
                "نوبت امضا",
                signing_window(dto),
            ],
        ],
        header=False,
        size=8,
        pad=2.5,
    )
    p.heading("مشخصات پروژه", size=10.5)
    p.table(
        cols,
        [
            ["شماره پرونده", fa_digits(prop.file_no), "پلاک ثبتی", fa_digits(prop.plate)],
            [
                "گروه ساختمانی",
                group_fa(prop.group),
                "تعداد طبقات",
                fa_digits(prop.floors),
            ],
            ["زیربنا", f"{fa_area(prop.area_m2)} مترمربع", "کاربری", use_text(prop)],
            ["مالک یا مالکان", join_fa(dto.owner_names), "نشانی", or_blank(prop.address)],
        ],
        header=False,
        size=8,
        pad=2.5,
    )
    p.heading("تعهدات", size=10.5)
    p.para(dto.intro)
    p.para(
        f"ستون «بند» بند {guideline_fa(dto.organization.name)} (در این برگه «شیوه‌نامه») را "
        "نام می‌برد که هر تعهد از آن آمده است.",
        size=8,
    )
    p.table(
        [Column("ردیف", 0.45, "center"), Column("تعهد", 5.4), Column("بند", 1.9, "center")],
        [[fa_digits(i), u.text, u.clause] for i, u in enumerate(dto.undertakings, 1)],
        size=8,
        pad=2.5,
    )
    # the closing sentence, the signature boxes and the check line stay together; a form
    # that would spill only that last block to a second page takes lower boxes instead
    closing = p.para_height(dto.closing, 8.5) + 2 + verification_height(p, stamp)
    box = 70
    if p.y - (closing + box + 6) < p.bottom <= p.y - (closing + 52 + 6):
        box = 52
    p.keep(closing + box + 6)
    p.para(dto.closing, size=8.5)
    p.space(2)
    if firm:
        labels = [
            f"{s.name}\n{firm_seal(s.signatory)}",
            "دریافت به‌وسیله سازمان\n(نام، امضا و مهر)",
        ]
    else:
        labels = [
            f"مهر نظام مهندسی و امضای ناظر:\n{s.name}",
            "اثر انگشت",
            "دریافت به‌وسیله سازمان\n(نام، امضا و مهر)",
        ]
    p.boxes(labels, height=box)
    verification_note(p, stamp)

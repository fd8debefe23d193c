"""قرارداد نظارت بر اجرای ساختمان — the four-supervisor contract (one per project)."""

from __future__ import annotations

from collections.abc import Sequence

from app.services.document_dto import ContractDTO

from .common import discipline_fa, grade_fa, group_fa, heading, jdate, or_dash
from .layout import Column, Page
from .rtl import fa_area, fa_digits, fa_number, rials, rials_in_words


def article_values(dto: ContractDTO) -> dict[str, str]:
    """The placeholders the clause texts of `resources/documents/contract_fa.json` may use."""
    share_pct = dto.organization_share * 100
    return {
        "plate": fa_digits(dto.property.plate),
        "file_no": fa_digits(dto.property.file_no),
        "duration_months": fa_digits(dto.duration_months),
        "total_fee": rials(dto.total_fee_rials),
        "total_fee_words": rials_in_words(dto.total_fee_rials),
        "organization_share_percent": fa_number(share_pct, decimals=2),
        "organization_share": rials(dto.organization_share_rials),
        "copies": fa_digits(dto.copies),
        **{k: fa_digits(v) for k, v in dto.values.items()},
    }


def contract_pdf(dto: ContractDTO) -> bytes:
    p = Page(f"قرارداد نظارت {dto.property.file_no}", footer=_footer(dto))
    write_contract(p, dto)
    return p.bytes()


def contracts_pdf(dtos: Sequence[ContractDTO], title: str = "قراردادهای نظارت") -> bytes:
    """Many contracts in one file (the day's batch for the printer); each starts on a new
    page with its own page numbers. The fonts are embedded once for the whole batch."""
    if not dtos:
        raise ValueError("no contract to print")
    p = Page(title, footer=_footer(dtos[0]))
    for i, dto in enumerate(dtos):
        if i:
            p.next_document(_footer(dto))
        write_contract(p, dto)
    return p.bytes()


def _footer(dto: ContractDTO) -> str:
    return f"{dto.organization.name} — قرارداد شماره {fa_digits(dto.contract_no)}"


def write_contract(p: Page, dto: ContractDTO) -> None:
    values = article_values(dto)
    prop = dto.property
    heading(
        p,
        dto.organization,
        dto.values.get("title", "قرارداد نظارت بر اجرای ساختمان"),
        [
            ("شماره قرارداد", fa_digits(dto.contract_no)),
            ("تاریخ", jdate(dto.on)),
            ("شماره پرونده", fa_digits(prop.file_no)),
        ],
        dto.qr_payload,
    )
    if "preamble" in dto.values:
        p.para(dto.values["preamble"].format(**values))

    p.heading("طرف اول — صاحب‌کار")
    p.table(
        [
            Column("ردیف", 0.5, "center"),
            Column("نام و نام خانوادگی", 2),
            Column("نام پدر", 1.1),
            Column("کد ملی", 1.3, "center"),
            Column("تلفن همراه", 1.3, "center"),
            Column("نشانی", 3),
        ],
        [
            [
                fa_digits(i),
                o.name,
                or_dash(o.father_name),
                fa_digits(o.national_id),
                or_dash(o.mobile),
                or_dash(o.address),
            ]
            for i, o in enumerate(dto.owners, 1)
        ],
    )
    if dto.attorney:
        a = dto.attorney
        poa = (
            f"، به موجب وکالت‌نامه شماره {fa_digits(a.poa_no)} مورخ {jdate(a.poa_date)}"
            if a.poa_no
            else "، به موجب وکالت‌نامه‌ای که نزد سازمان ثبت است"
        )
        p.para(f"با وکالت {a.name}، کد ملی {or_dash(a.national_id)}{poa}.", size=9)

    p.heading("طرف دوم — ناظران")
    p.table(
        [
            Column("ردیف", 0.5, "center"),
            Column("رشته", 1.4),
            Column("نام و نام خانوادگی", 2),
            Column("شماره عضویت", 1.2, "center"),
            Column("شماره پروانه اشتغال", 1.5, "center"),
            Column("پایه", 0.9, "center"),
            Column("سمت", 1.4, "center"),
        ],
        [
            [
                fa_digits(i),
                discipline_fa(s.discipline),
                s.name,
                fa_digits(s.membership_no),
                or_dash(s.licence_no),
                grade_fa(s.grade),
                "ناظر هماهنگ‌کننده" if s.coordinating else "ناظر",
            ]
            for i, s in enumerate(dto.supervisors, 1)
        ],
        shade_rows=frozenset(i for i, s in enumerate(dto.supervisors) if s.coordinating),
    )
    if dto.coordinator_pending:
        p.para(
            f"ناظر هماهنگ‌کننده (ناظر {discipline_fa(dto.coordinator_pending)}) هنوز انتخاب نشده "
            "است و پس از انتخاب، با الحاقیه به این قرارداد افزوده می‌شود.",
            size=9,
            bold=True,
        )
    p.para(
        f"ناظر هماهنگ‌کننده: ناظر عمران، و در نبود ارجاع عمران، ناظر معماری. "
        f"نماینده سازمان ({dto.organization.representative_title}) بر امضای این قرارداد گواهی "
        f"می‌دهد.",
        size=9,
    )

    p.heading("مشخصات ملک")
    p.table(
        [Column("عنوان", 1.2), Column("مقدار", 2.2), Column("عنوان", 1.2), Column("مقدار", 2.2)],
        [
            ["پلاک ثبتی", or_dash(prop.plate), "شماره پرونده", fa_digits(prop.file_no)],
            [
                "پرونده شهرداری",
                or_dash(prop.municipal_file_no),
                "منطقه شهرداری",
                or_dash(prop.municipal_district),
            ],
            [
                "گروه ساختمانی",
                group_fa(prop.group),
                "تعداد طبقات",
                fa_digits(prop.floors),
            ],
            [
                "زیربنای کل",
                f"{fa_area(prop.area_m2)} مترمربع",
                "کاربری",
                prop.use_fa,
            ],
            ["نوع سازه", or_dash(prop.structure_type), "شماره پروانه", or_dash(prop.permit_no)],
            ["نشانی", or_dash(prop.address), "", ""],
        ],
        header=False,
    )

    for n, art in enumerate(dto.articles):
        p.heading(art.title)
        for text in art.paragraphs:
            p.para(text.format(**values))
        if n == 2:  # after the fee article: the fee table and the staged payments
            fee_table(p, dto)

    p.heading("امضای طرفین")
    labels = [f"صاحب‌کار: {o.name}" for o in dto.owners]
    if dto.attorney:
        labels.append(f"وکیل/نماینده: {dto.attorney.name}")
    labels += [f"ناظر {discipline_fa(s.discipline)}: {s.name}" for s in dto.supervisors]
    labels.append(f"{dto.organization.representative_title} (امضا و مهر)")
    p.boxes(labels, per_row=4)


def fee_table(p: Page, dto: ContractDTO) -> None:
    rows = [
        [
            discipline_fa(f.discipline),
            f"{fa_area(s.area_m2)}" if (s := _sup(dto, f.discipline)) else "—",
            fa_number(f.amount_rials) if f.status == "approved" else "پرداخت نشده",
            "، ".join(fa_digits(t) for t in f.tracking_nos) or "—",
        ]
        for f in dto.fees
    ]
    rows.append(["جمع", "", fa_number(dto.total_fee_rials), ""])
    p.table(
        [
            Column("رشته", 1.6),
            Column("مساحت (مترمربع)", 1.3, "center"),
            Column("حق‌الزحمه (ریال)", 1.6, "center"),
            Column("شماره پیگیری پرداخت", 1.8, "center"),
        ],
        rows,
        bold_rows=frozenset({len(rows) - 1}),
    )
    if dto.fee_source_note:
        p.para(dto.fee_source_note, size=8)
    p.para("جدول مراحل پرداخت حق‌الزحمه (سهم سازمان از مبلغ هر مرحله کسر می‌شود):", size=9, bold=True)
    stage_rows = [
        [
            fa_digits(i),
            s.title,
            f"{fa_digits(s.percent)}٪",
            fa_number(s.amount_rials),
        ]
        for i, s in enumerate(dto.stages, 1)
    ]
    stage_rows.append(["", "جمع", "۱۰۰٪", fa_number(sum(s.amount_rials for s in dto.stages))])
    p.table(
        [
            Column("ردیف", 0.5, "center"),
            Column("مرحله", 2.2),
            Column("درصد", 0.8, "center"),
            Column("مبلغ (ریال)", 1.6, "center"),
        ],
        stage_rows,
        bold_rows=frozenset({len(stage_rows) - 1}),
    )


def _sup(dto: ContractDTO, discipline: str):
    return next((s for s in dto.supervisors if s.discipline == discipline), None)

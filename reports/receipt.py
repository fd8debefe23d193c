"""رسید پذیرش پرونده — the counter's receipt for the owner, dated by the file's registration.

A file whose required documents are not all in is not acknowledged as accepted: the paper is
a receipt of the documents received, naming what is missing. A fee not yet paid shows what is
due by the tariff and the organization's account to pay it into (a discipline the tariff has no
rate for: the amount finance approves, and why no balance is due); who brought the file is
printed with their own identity (a design office by the identifier the counter recorded for it,
never the owner's national code). An optional document is qualified once.
"""

from __future__ import annotations

from app.domain.rules_fa import join_fa
from app.services.document_dto import ChecklistLine, FeeLine, PaperStamp, ReceiptDTO

from .common import (
    RECEIPT_INITIALS,
    discipline_fa,
    group_fa,
    heading,
    jdatetime_fa,
    or_blank,
    stamp_number,
    start,
    use_text,
    verification_height,
    verification_note,
)
from .contract import ENTERED_MARK, entered_rate_note
from .layout import Column, Page
from .rtl import fa_area, fa_digits, fa_number, rials_in_words

FEE_STATE_FA = {
    "approved": "تأیید شده",
    "short": "کمتر از تعرفه",
    "pending": "در انتظار تأیید امور مالی",
    "rejected": "رد شده؛ دوباره واریز شود",
    "missing": "پرداخت نشده",
}


def receipt_title(dto: ReceiptDTO) -> str:
    return dto.title


def receipt_pdf(dto: ReceiptDTO, stamp: PaperStamp | None = None) -> bytes:
    p = Page(f"{receipt_title(dto)} {dto.file_no}", size=9)
    write_receipt(p, dto, stamp)
    return p.bytes()


def office_identity(dto: ReceiptDTO) -> str:
    """A design office by the identifier the counter recorded for it (never the owner's
    national code): an 11-digit national ID (شناسه ملی) or its registration/licence number."""
    code = dto.brought_by_national_id.strip()
    if not code:
        return "شناسه ملی یا شماره ثبت دفتر در سامانه ثبت نشده است"
    label = "شناسه ملی" if len(code) == 11 and code.isdigit() else "شماره ثبت یا پروانه"
    return f"{label} {fa_digits(code)}"


def brought_by(dto: ReceiptDTO) -> str:
    if dto.brought_by_role == "design_office":
        return f"دفتر طراحی: {dto.brought_by_name} ({office_identity(dto)})"
    code = f"، کد ملی {fa_digits(dto.brought_by_national_id)}" if dto.brought_by_national_id else ""
    if dto.brought_by_role == "legal_rep":
        legal = any(o.kind != "person" for o in dto.owners)
        role = "مدیرعامل شخص حقوقی مالک" if legal else "وکیل مالک"
        return f"{dto.brought_by_name} ({role}{code})"
    return f"{dto.brought_by_name} (مالک{code})"


def owners_text(dto: ReceiptDTO) -> str:
    parts = []
    for o in dto.owners:
        label = "شناسه ملی" if o.kind != "person" else "کد ملی"
        parts.append(f"{o.name} ({label} {fa_digits(o.national_id)})")
    return "، ".join(parts)


def document_title(d: ChecklistLine) -> str:
    """A checklist line as the receipt lists it: an optional document says so once — a title
    that already states when it is needed («وکالت‌نامه (در صورت مراجعه وکیل)») is not
    qualified a second time."""
    if d.required or "در صورت" in d.title:
        return d.title
    if d.title.endswith(")"):  # «نقشه نقشه‌برداری (UTM)»: not two brackets in a row
        return f"{d.title}، در صورت لزوم"
    return f"{d.title} (در صورت لزوم)"


def fee_cells(f: FeeLine) -> list[str]:
    """A discipline's row: due by the tariff, approved, what is still to pay (a payment
    waiting for finance's approval is not asked for again), the state. Without a
    rate in the tariff table the fee is what finance approves: the row says so, and the
    balance is nil once an amount is approved (or finance has yet to set it)."""
    name = (
        discipline_fa(f.discipline)
        + (f" {ENTERED_MARK}" if f.rate_entered else "")
        + (" (با سهم ناظر هماهنگ‌کننده)" if f.coordinator_rials else "")
    )
    state = FEE_STATE_FA.get(f.status, f.status)
    if f.due_rials is None:
        due = "نرخ منتشرشده ندارد"
        balance = "۰" if f.approved_rials else "به تعیین امور مالی"
        return [name, due, fa_number(f.approved_rials), balance, state]
    # the balance is what the owner still has to pay: a payment waiting for approval is not
    # asked for again (the row's state says it is paid and waiting)
    balance = fa_number(f.to_pay_rials)
    if f.pending_rials and f.outstanding_rials:
        state = f"واریز {fa_number(f.pending_rials)} ریال، {state}"
    return [name, fa_number(f.due_rials), fa_number(f.approved_rials), balance, state]


def total_cells(dto: ReceiptDTO) -> list[str]:
    """The fee table's «جمع» row: the fees (a discipline without a rate counts what finance
    approved, its fee; one still to be set leaves the total open), approved, still to pay."""
    open_fee = any(f.due_rials is None and not f.approved_rials for f in dto.fees)
    fees = sum(f.due_rials if f.due_rials is not None else f.approved_rials for f in dto.fees)
    return [
        "جمع",
        "به تعیین امور مالی" if open_fee else fa_number(fees),
        fa_number(sum(f.approved_rials for f in dto.fees)),
        fa_number(dto.to_pay_rials),
        "",
    ]


def no_rate_note(dto: ReceiptDTO) -> str:
    """Why a discipline without a tariff rate shows no amount due (Persian; "" if none)."""
    paid = [
        discipline_fa(f.discipline) for f in dto.fees if f.due_rials is None and f.approved_rials
    ]
    unset = [
        discipline_fa(f.discipline)
        for f in dto.fees
        if f.due_rials is None and not f.approved_rials
    ]
    out = []
    if paid:
        out.append(
            f"حق‌الزحمه نظارت {join_fa(paid)} در جدول تعرفه نرخ منتشرشده {_has(paid)}؛ "
            "مبلغی که امور مالی سازمان تأیید کرده همان حق‌الزحمه است و مانده‌ای ندارد."
        )
    if unset:
        out.append(
            f"حق‌الزحمه نظارت {join_fa(unset)} در جدول تعرفه نرخ منتشرشده {_has(unset)}؛ مبلغ آن را "
            "امور مالی سازمان تعیین می‌کند: پیش از واریز آن را از پیشخوان بپرسید."
        )
    return " ".join(out)


def _has(names: list[str]) -> str:
    return "ندارد" if len(names) == 1 else "ندارند"


def missing_text(dto: ReceiptDTO) -> str:
    """The required documents still missing, by title, and where and when to bring them."""
    missing = dto.missing_required
    one = len(missing) == 1
    titles = "؛ ".join(f"«{t}»" for t in missing)
    return (
        f"{'مدرک' if one else 'مدارک'} الزامی کسری: {titles}. پرونده تا دریافت "
        f"{'این مدرک' if one else 'این مدارک'} پذیرفته نمی‌شود و وارد توزیع نمی‌شود؛ این برگه "
        f"تنها رسید مدارک دریافت‌شده است. {'آن را' if one else 'آنها را'} همراه این رسید در "
        "ساعات اداری روزهای کاری به پیشخوان پذیرش سازمان (نشانی و تلفن پایین همین برگه) "
        "بیاورید؛ پرونده از روزی که مدارک کامل شود در نوبت توزیع قرار می‌گیرد."
    )


def steps(dto: ReceiptDTO) -> list[str]:
    """What happens next, with the owner's own step — coming to sign the contract — after the
    supervisors' signing (before the last step, on following the file up)."""
    out = list(dto.next_steps)
    if dto.signing_step:
        out.insert(len(out) - 1 if len(out) > 1 else len(out), dto.signing_step)
    return out


def write_receipt(p: Page, dto: ReceiptDTO, stamp: PaperStamp | None = None) -> None:
    prop, org = dto.property, dto.organization
    title = receipt_title(dto)
    start(p, org, title, stamp)
    # a receipt of two pages is signed at the end: its first page is initialled by both
    p.initials = RECEIPT_INITIALS
    heading(
        p,
        org,
        title,
        [
            ("شماره", stamp_number(stamp)),
            # the paper states the file as it stood when issued; the file's own date beside it
            ("تاریخ صدور", jdatetime_fa(stamp.issued_at) if stamp else "—"),
            ("ثبت پرونده", jdatetime_fa(dto.received_at)),
            ("شماره پرونده", fa_digits(dto.file_no)),
            ("شماره پیگیری پرونده", fa_digits(dto.tracking_code)),
        ],
        stamp,
    )
    p.running = lambda pg: pg.para(
        f"ادامه {title} شماره {stamp_number(stamp)} — پرونده {fa_digits(dto.file_no)}",
        size=8,
        bold=True,
        after=2,
    )
    cols = [Column("عنوان", 1.2), Column("مقدار", 2.4), Column("عنوان", 1.1), Column("مقدار", 2.1)]
    p.table(
        cols,
        [
            ["مالک یا مالکان", owners_text(dto), "آورنده پرونده", brought_by(dto)],
            ["پلاک ثبتی", fa_digits(prop.plate), "نشانی", or_blank(prop.address)],
            [
                "گروه / طبقات",
                f"گروه {group_fa(prop.group)}، {fa_digits(prop.floors)} طبقه",
                "زیربنا",
                f"{fa_area(prop.area_m2)} مترمربع",
            ],
            [
                "رشته‌های نظارت",
                join_fa([discipline_fa(d) for d in dto.disciplines]),
                "کاربری",
                use_text(prop),
            ],
        ],
        header=False,
        pad=2,
        size=7.5,
    )
    p.heading("مدارک", size=10)

    def state(d) -> str:
        return "دریافت شد" if d.received else ("کسری" if d.required else "لازم نیست")

    docs = [
        (f"{fa_digits(i)}- {document_title(d)}", state(d)) for i, d in enumerate(dto.documents, 1)
    ]
    half = (len(docs) + 1) // 2
    pairs = [
        [*docs[k], *(docs[k + half] if k + half < len(docs) else ("", ""))] for k in range(half)
    ]
    p.table(
        [
            Column("مدرک", 3.2),
            Column("وضعیت", 0.9, "center"),
            Column("مدرک", 3.2),
            Column("وضعیت", 0.9, "center"),
        ],
        pairs,
        pad=1.8,
        size=7.5,
    )
    if dto.missing_required:
        p.para(missing_text(dto), size=8.5, bold=True)
    p.heading("حق‌الزحمه نظارت", size=10)
    p.table(
        [
            Column("رشته", 1.4),
            Column("طبق تعرفه (ریال)", 1.5, "center"),
            Column("پرداخت تأییدشده (ریال)", 1.5, "center"),
            Column("مانده قابل پرداخت (ریال)", 1.4, "center"),
            Column("وضعیت", 1.6, "center"),
        ],
        [*(fee_cells(f) for f in dto.fees), total_cells(dto)],
        pad=1.8,
        size=7.5,
        bold_rows=frozenset({len(dto.fees)}),
    )
    if no_rate_note(dto):
        p.para(no_rate_note(dto), size=8)
    if note := entered_rate_note(dto.fees):
        p.para(note, size=8)
    due = dto.to_pay_rials
    account = f"{org.bank}، شماره شبا {org.iban}" + (
        f"، شماره حساب {fa_digits(org.account_no)}" if org.account_no else ""
    )
    if dto.pending_rials:  # paid at the bank: not asked for again
        waiting = [f for f in dto.fees if f.pending_rials]
        nos = "، ".join(fa_digits(n) for f in waiting for n in f.tracking_nos)
        names = join_fa([discipline_fa(f.discipline) for f in waiting])
        p.para(
            f"پرداخت شده و در انتظار تأیید امور مالی: {fa_number(dto.pending_rials)} ریال "
            f"({names}؛ شماره پیگیری بانک: {nos})؛ این مبلغ دوباره خواسته نمی‌شود.",
            size=8.5,
        )
    if due:
        p.para(
            f"مانده قابل پرداخت: {fa_number(due)} ریال ({rials_in_words(due)})، تنها به حساب "
            f"سازمان نزد {account}، با ذکر شماره پرونده؛ رسید بانکی را به پیشخوان بسپارید.",
            size=8.5,
            bold=True,
        )
    else:
        p.para(f"حساب سازمان برای حق‌الزحمه نظارت: {account}.", size=8.5)
    lines = [f"{fa_digits(i)}- {fa_digits(step)}" for i, step in enumerate(steps(dto), 1)]
    contact = (
        f"نشانی: {org.address}، کد پستی {fa_digits(org.postal_code)} — تلفن: "
        f"{fa_digits(org.phone)} — {org.website}"
    )
    # the next steps, the signatures and the check line under them stay on one page: the
    # owner signs under what he was told, never on a page of signatures alone
    p.keep(
        p.para_height("مراحل بعد", 10, True)
        + 6
        + sum(p.para_height(x, 8) for x in lines)
        + p.para_height(contact, 8)
        + 50
        + verification_height(p, stamp, 7.5)
    )
    p.heading("مراحل بعد", size=10)
    for line in lines:
        p.para(line, size=8, after=0)
    p.para(contact, size=8)
    issuer = stamp.issued_by if stamp else ""
    clerk = (  # who took the file in, and who issued this receipt when another did
        f"ثبت پرونده: {dto.registered_by}؛ صادرکننده رسید: {issuer}"
        if dto.registered_by and dto.registered_by != issuer
        else f"کارشناس پذیرش: {issuer}"
    )
    p.boxes(
        [
            f"تحویل‌دهنده پرونده: {dto.brought_by_name}\n"
            + ("مهر و امضای دفتر" if dto.brought_by_role == "design_office" else "امضا"),
            f"{clerk}\nامضا و مهر",
        ],
        height=44,
    )
    verification_note(p, stamp, size=7.5)

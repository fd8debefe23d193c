"""قرارداد نظارت بر اجرای ساختمان — the supervision contract (one per project, every referred
supervisor: the «four-supervisor» form; one row for a single discipline).

What it carries: the issued paper's number, date and verification code; the parties — owners
(a legal owner with its national ID, registration and signatory), their attorney, every
supervisor (a firm with its national ID, registration number and place and signatory, signing
under its seal), the organization with its named representative; the property with its permit; each
discipline's fee from the tariff (billable area × rate) with the coordinator's fee — or, for a
discipline the table has no rate for, the amount finance approved, said so — in rials and in
words, and the payment stages; obligations, term, termination, disputes, domicile; one
original for each signer and a signature block for each.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from app.domain.calendar import local
from app.domain.rules_fa import disciplines_phrase, guideline_fa
from app.services.document_dto import (
    AddendumDTO,
    AddendumNote,
    AttorneyParty,
    ContractDTO,
    OrganizationInfo,
    OwnerParty,
    PaperStamp,
    PermitNote,
    SupervisorRow,
)

from .common import (
    INITIALS,
    REASON_FA,
    band_fa,
    discipline_fa,
    firm_identity,
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
from .layout import REGULAR, Column, Page
from .rtl import (
    fa_area,
    fa_digits,
    fa_number,
    number_to_words,
    rials,
    rials_in_words,
    text_width,
)

TITLE = "قرارداد نظارت بر اجرای ساختمان"


def clause_no(article: int, item: int) -> str:
    """Persian clause numbers: article 3, item 1 → «۳-۱»."""
    return f"{fa_digits(article)}-{fa_digits(item)}"


def permit_text(dto: ContractDTO) -> str:
    prop = dto.property
    if prop.permit_no:
        return f"شماره {fa_digits(prop.permit_no)} مورخ {jdate(prop.permit_date)}"
    return "هنوز صادر نشده است"


def coordinator_text(dto: ContractDTO) -> str:
    coord = next((s for s in dto.supervisors if s.coordinating), None)
    if coord is not None:
        return f"{coord.name} (ناظر {discipline_fa(coord.discipline)})"
    if dto.coordinator_pending:
        return (
            f"ناظر {discipline_fa(dto.coordinator_pending)} که پس از انتخاب با الحاقیه به این "
            "قرارداد معرفی می‌شود"
        )
    return "ناظر عمران، و در نبود ارجاع عمران ناظر معماری"


def coordinator_is(dto: ContractDTO) -> str:
    """Clause 4-2's predicate, grammatical whether the coordinator is named or still to be
    chosen: «ناظر هماهنگ‌کننده این قرارداد {…}؛ ناظر هماهنگ‌کننده افزون بر …»."""
    named = any(s.coordinating for s in dto.supervisors)
    if not named and dto.coordinator_pending:
        return (
            f"ناظر رشته {discipline_fa(dto.coordinator_pending)} است که پس از انتخاب، با "
            "الحاقیه به این قرارداد معرفی می‌شود"
        )
    # named: «… (ناظر عمران) است»; the rule in words ends its clause before «است»
    return f"{coordinator_text(dto)}{'' if named else '،'} است"


def pending_clause(dto: ContractDTO) -> str:
    """Article 1 on the disciplines whose supervisor is still to be chosen: they join by
    addendum, and article 3's table already holds their fees (what the owner pays for)."""
    pending = dto.pending_disciplines
    if not pending:
        return ""
    one = len(pending) == 1
    return (
        f" {'ناظر' if one else 'ناظران'} {disciplines_text(pending)} که هنوز انتخاب "
        f"{'نشده' if one else 'نشده‌اند'}، پس از "
        f"انتخاب با الحاقیه‌ای که به این قرارداد ارجاع می‌دهد به آن "
        f"{'می‌پیوندد' if one else 'می‌پیوندند'}؛ حق‌الزحمه {'آن رشته' if one else 'آن رشته‌ها'} "
        "از هم‌اکنون در جدول ماده ۳ آمده است."
    )


def tariff_name(dto: ContractDTO) -> str:
    t = dto.tariff
    if t is None:
        return "جدول تعرفه مصوب سازمان"
    name = t.title or f"جدول تعرفه نظارت سال {fa_digits(t.year)}"
    return f"{name}، نافذ از {jdate(t.effective_from)}"


def disciplines_text(disciplines: Sequence[str]) -> str:
    """«رشته شهرسازی», «رشته‌های شهرسازی و ترافیک»."""
    return disciplines_phrase([discipline_fa(d) for d in disciplines])


# the mark of a fee line whose rate the organization entered (not a published figure)
ENTERED_MARK = "*"


def entered_rate_clause(dto: ContractDTO) -> str:
    """Clause 3-1 on a rate that is not the published table's (the survey column: the
    organization's own entry): it is the organization's approved rate, marked in the table."""
    entered = [f.discipline for f in dto.fees if f.rate_entered]
    if not entered:
        return ""
    return (
        f" نرخ {disciplines_text(entered)} در جدول تعرفه منتشرشده نیامده است و نرخ مصوب سازمان "
        f"است که در جدول تعرفه سازمان وارد شده است (در جدول زیر با نشان {ENTERED_MARK})."
    )


def entered_rate_note(fees) -> str:
    """The note under a fee table with an entered rate ("" when every rate is published)."""
    entered = [f.discipline for f in fees if f.rate_entered]
    if not entered:
        return ""
    return (
        f"{ENTERED_MARK} نرخ {disciplines_text(entered)} در جدول تعرفه منتشرشده نیامده است؛ "
        "این نرخ، نرخ مصوب سازمان است که در جدول تعرفه سازمان وارد شده است."
    )


def no_rate_clause(dto: ContractDTO) -> str:
    """What article 3 says of a discipline the tariff table has no rate for (urban planning,
    traffic): its fee is not area × rate but what the organization's finance approved — or,
    not approved yet, what finance will set (and the total leaves it out until then)."""
    none = [f for f in dto.fees if f.fee_rials is None]
    if not none:
        return ""
    paid = [f.discipline for f in none if f.approved_rials]
    unpaid = [f.discipline for f in none if not f.approved_rials]
    out = []
    if paid:
        one = len(paid) == 1
        out.append(
            f" {disciplines_text(paid)} در جدول تعرفه نرخ منتشرشده "
            f"{'ندارد' if one else 'ندارند'}؛ "
            f"حق‌الزحمه نظارت {'آن' if one else 'هر یک'} حاصل‌ضرب مساحت در نرخ نیست و همان "
            "مبلغی است که صاحب‌کار به حساب سازمان واریز کرده و امور مالی سازمان تأیید کرده است."
        )
    if unpaid:
        one = len(unpaid) == 1
        out.append(
            f" {disciplines_text(unpaid)} در جدول تعرفه نرخ منتشرشده "
            f"{'ندارد' if one else 'ندارند'}؛ "
            f"حق‌الزحمه نظارت {'آن' if one else 'هر یک'} را امور مالی سازمان تعیین می‌کند و "
            "تا آن هنگام در جمع بالا نیامده است."
        )
    return "".join(out)


def article_values(dto: ContractDTO, stamp: PaperStamp | None = None) -> dict[str, str]:
    """The placeholders the clause texts of `resources/documents/contract_fa.json` may use."""
    share_pct = dto.organization_share * 100
    prop, org, t = dto.property, dto.organization, dto.tariff
    billable = next((f.billable_m2 for f in dto.fees), prop.area_m2)
    permit_clause = (
        f" (پروانه ساختمان شماره {fa_digits(prop.permit_no)} مورخ {jdate(prop.permit_date)})"
        if prop.permit_no
        else "؛ پروانه هنوز صادر نشده است و شماره و تاریخ آن پس از صدور در پرونده سازمان ثبت و "
        "کتباً به طرفین ابلاغ می‌شود و جزء این قرارداد است"
    )
    return {
        "plate": fa_digits(prop.plate),
        "file_no": fa_digits(prop.file_no),
        "municipal_file_no": or_blank(prop.municipal_file_no, "ثبت‌نشده"),
        "address": prop.address or f"شهر {prop.city}",
        "duration_months": fa_digits(dto.duration_months),
        "permit_clause": permit_clause,
        "billable": fa_area(billable),
        "minimum": fa_area(t.minimum_m2) if t else "۱۰۰",
        "tariff_name": tariff_name(dto),
        "tariff_row": f"گروه {group_fa(t.group)}، {band_fa(t.band)}" if t else "گروه ساختمانی",
        "total_fee": rials(dto.total_fee_rials),
        "total_fee_words": rials_in_words(dto.total_fee_rials),
        "no_rate_clause": no_rate_clause(dto),
        "bank": org.bank,
        "iban": org.iban,
        "organization_share_percent": fa_number(share_pct, decimals=2),
        "organization_share": rials(dto.organization_share_rials),
        "coordinator": coordinator_text(dto),  # clause 4-2 as issued before coordinator_is
        "coordinator_is": coordinator_is(dto),
        "entered_rate_clause": entered_rate_clause(dto),
        "guideline": guideline_fa(org.name),
        "articles_count": number_to_words(len(dto.articles)),
        "copies": f"{number_to_words(dto.copies)}",
        "copy_holders": "؛ ".join(dto.copy_holders),
        "check_site": f"{org.public_url}/verify",
        "organization": (
            f"{org.name} به نمایندگی {org.representative_name} ({org.representative_title})"
        ),
        "contract_date": issued_on(stamp) or "صدور",
        "pending_clause": pending_clause(dto),
        **{k: fa_digits(v) for k, v in dto.values.items()},
    }


def contract_pdf(dto: ContractDTO, stamp: PaperStamp | None = None) -> bytes:
    """The contract; without a stamp (an unissued draft) it says so and carries no code."""
    p = Page(f"قرارداد نظارت {dto.property.file_no}")
    write_contract(p, dto, stamp)
    return p.bytes()


def contracts_pdf(
    papers: Sequence[tuple[ContractDTO, PaperStamp | None]], title: str = "قراردادهای نظارت"
) -> bytes:
    """Many contracts in one file (the day's batch for the printer); each starts on a new
    page with its own page numbers. The fonts are embedded once for the whole batch."""
    if not papers:
        raise ValueError("no contract to print")
    p = Page(title)
    for i, (dto, stamp) in enumerate(papers):
        if i:
            p.next_document("")
        write_contract(p, dto, stamp)
    return p.bytes()


def _owner_rows(owners: Sequence[OwnerParty]) -> list[list[str]]:
    return [
        [
            fa_digits(i),
            o.name,
            or_blank(o.father_name),
            fa_digits(o.national_id),
            or_blank(o.mobile),
            or_blank(o.address),
        ]
        for i, o in enumerate(owners, 1)
    ]


def legal_registration(o: OwnerParty) -> str:
    """A company owner's registration as the contract states it, as a firm supervisor's is
    stated (`common.firm_registration`): «شماره ثبت ۱۲۳۴۵ (اداره ثبت …)», or that the office
    has not recorded it."""
    if not o.registration_no:
        return "شماره ثبت: در سامانه ثبت نشده است"
    place = f" ({o.registration_place})" if o.registration_place else ""
    return f"شماره ثبت {fa_digits(o.registration_no)}{place}"


def _supervisor_name(s: SupervisorRow) -> str:
    if s.kind == "firm":
        who = f"، به نمایندگی {s.signatory}" if s.signatory else ""
        return f"{s.name} (شخص حقوقی{who})"
    return s.name


def write_contract(p: Page, dto: ContractDTO, stamp: PaperStamp | None = None) -> None:
    values = article_values(dto, stamp)
    prop, org = dto.property, dto.organization
    start(p, org, "قرارداد نظارت", stamp)
    p.initials = INITIALS  # the parties initial every page of what they sign
    p.strike_blank = True  # and no room is left blank to write into after they sign
    heading(
        p,
        org,
        dto.values.get("title", TITLE),
        [
            ("شماره قرارداد", stamp_number(stamp)),
            ("تاریخ", issued_on(stamp) or "—"),
            ("شماره پرونده", fa_digits(prop.file_no)),
        ],
        stamp,
    )
    p.running = lambda pg: pg.para(
        f"ادامه قرارداد نظارت شماره {stamp_number(stamp)} — پرونده {fa_digits(prop.file_no)}",
        size=8,
        bold=True,
        after=2,
    )
    if stamp is not None and stamp.addenda:
        addenda_note(p, stamp.addenda)
    if stamp is not None and stamp.permit is not None:
        permit_note(p, stamp.permit)
    if "preamble" in dto.values:
        p.para(dto.values["preamble"].format(**values))

    p.heading("طرف اول — صاحب‌کار")
    write_owners(p, dto)

    p.heading("طرف دوم — ناظران")
    write_supervisors(p, dto.supervisors)
    p.para(f"ناظر هماهنگ‌کننده: {coordinator_text(dto)}.", size=9, bold=True)

    p.heading("طرف سوم — سازمان")
    write_organization(p, org, "این قرارداد")

    district = (
        f"{prop.city}، منطقه {fa_digits(prop.municipal_district)}"
        if prop.municipal_district
        else prop.city
    )
    t = dto.tariff
    cols = [Column("عنوان", 1.2), Column("مقدار", 2.2), Column("عنوان", 1.2), Column("مقدار", 2.2)]
    rows = [
        ["پلاک ثبتی", fa_digits(prop.plate), "شماره پرونده سازمان", fa_digits(prop.file_no)],
        [
            "پرونده شهرداری",
            or_blank(prop.municipal_file_no, "ثبت‌نشده"),
            "شهر و منطقه شهرداری",
            district,
        ],
        [
            "گروه ساختمانی",
            f"{group_fa(prop.group)}" + (f" (ردیف تعرفه: {band_fa(t.band)})" if t else ""),
            "تعداد طبقات",
            fa_digits(prop.floors),
        ],
        ["زیربنای کل", f"{fa_area(prop.area_m2)} مترمربع", "کاربری", use_text(prop)],
        ["نوع سازه", prop.structure_fa, "پروانه ساختمان", permit_text(dto)],
        ["تاریخ ثبت پرونده", jdate(prop.registered_on), "نشانی", or_blank(prop.address)],
    ]
    # the property's table is short: it stays whole with its heading (no row alone overleaf)
    p.keep(p.para_height("مشخصات ملک", 11.5, True) + 6 + p.table_height(cols, rows, header=False))
    p.heading("مشخصات ملک")
    p.table(cols, rows, header=False)

    write_articles(
        p,
        dto,
        values,
        {
            (3, 1): lambda: fee_table(p, dto),  # right after the clause that states the fee
            (3, 3): lambda: stage_table(p, dto),  # right after «در مراحل جدول زیر»
        },
    )

    signatures(p, dto, stamp)
    verification_note(p, stamp)


ADDENDA_NOTE_TITLE = "یادداشت چاپ — افزوده بر متن امضاشده قرارداد"


def addendum_line(a: AddendumNote) -> str:
    """«الحاقیه ۱ به شماره ۱۴۰۵-۰۰۰۷۸ مورخ ۱۴۰۵/۰۹/۰۳: ناظر تأسیسات مکانیکی روح‌الله حمیدی
    جایگزین سپیده احمدی شد که در مهلت امضای … حاضر نشد؛ ناظر برق … به قرارداد پیوست»."""
    parts = []
    for c in a.changes:
        role = f"ناظر {discipline_fa(c.discipline)} {c.name}"
        if c.replaced:
            why = REASON_FA.get(c.reason, REASON_FA[""]).format(on=jdate(c.on))
            parts.append(f"{role} جایگزین {c.replaced} شد که {why}")
        else:
            parts.append(f"{role} به قرارداد پیوست")
    state = "" if a.signed else " (این الحاقیه هنوز امضا نشده است)"
    return (
        f"الحاقیه {fa_digits(a.seq)} به شماره {fa_digits(a.number)} مورخ {jdate(a.issued_at)}: "
        + "؛ ".join(parts)
        + f"{state}."
    )


def addenda_note(p: Page, addenda: Sequence[AddendumNote]) -> None:
    """On a contract's print, under its heading: the addenda issued for it since it was signed
    — the parties changed — marked as an addition (the contract's text stays as signed)."""
    one = len(addenda) == 1
    replaced = any(c.replaced for a in addenda for c in a.changes)
    intro = (
        f"این قرارداد پس از امضا با {'الحاقیه' if one else 'الحاقیه‌های'} زیر تغییر کرده است "
        f"و {'آن الحاقیه' if one else 'آن الحاقیه‌ها'} جزء جدانشدنی آن است"
        + ("؛ ناظری که جایگزین شده دیگر طرف قرارداد نیست" if replaced else "")
        + ". این یادداشت هنگام چاپ افزوده شده و جزء متن امضاشده نیست؛ متن زیر همان است که "
        "امضا شده است."
    )
    lines = [addendum_line(a) for a in addenda]
    p.keep(
        p.para_height(ADDENDA_NOTE_TITLE, 9, True)
        + p.para_height(intro, 8.5)
        + sum(p.para_height(x, 8.5, indent=10) for x in lines)
        + 12
    )
    p.para(ADDENDA_NOTE_TITLE, size=9, bold=True, after=0)
    p.para(intro, size=8.5, after=1)
    for x in lines:
        p.para(x, size=8.5, indent=10, after=1)
    p.rule(3)


PERMIT_NOTE_TITLE = "یادداشت چاپ — پروانه ساختمان (بند ۲-۱)"


def permit_text_of(note: PermitNote) -> str:
    return (
        f"پروانه ساختمان این پرونده به شماره {fa_digits(note.permit_no)} مورخ "
        f"{jdate(note.permit_date)} پس از امضای این قرارداد صادر و در تاریخ "
        f"{jdate(local(note.recorded_at).date())} در پرونده سازمان ثبت شد؛ به حکم بند ۲-۱ "
        "جزء این قرارداد است و مدت قرارداد از تاریخ صدور آن شمرده می‌شود. این یادداشت هنگام "
        "چاپ افزوده شده و جزء متن امضاشده نیست."
    )


def permit_note(p: Page, note: PermitNote) -> None:
    """On the print of a contract signed before its permit: the permit recorded since — the
    written notice clause 2-1 promises the parties (the signed text stays as it was)."""
    text = permit_text_of(note)
    p.keep(p.para_height(PERMIT_NOTE_TITLE, 9, True) + p.para_height(text, 8.5) + 10)
    p.para(PERMIT_NOTE_TITLE, size=9, bold=True, after=0)
    p.para(text, size=8.5, after=1)
    p.rule(3)


def write_articles(
    p: Page,
    dto: ContractDTO | AddendumDTO,
    values: dict[str, str],
    inserts: dict[tuple[int, int], Callable[[], None]],
) -> None:
    """The articles with Persian clause numbers; an article's title stays with its first
    clause and the last article with the signatures. `inserts[(n, k)]` draws a table after
    clause k of article n, `inserts[(n, 0)]` after the whole article."""
    for n, art in enumerate(dto.articles, 1):
        first = art.paragraphs[0].format(**values) if art.paragraphs else ""
        p.keep(40 + p.para_height(first))
        if n == len(dto.articles):
            body = sum(p.para_height(x.format(**values)) for x in art.paragraphs)
            p.keep(40 + body + signatures_height(dto))
        p.heading(art.title)
        many = len(art.paragraphs) > 1
        for k, text in enumerate(art.paragraphs, 1):
            body = text.format(**values)
            p.para(f"{clause_no(n, k)}- {body}" if many else body)
            if (n, k) in inserts:
                inserts[(n, k)]()
        if (n, 0) in inserts:
            inserts[(n, 0)]()


def write_owners(p: Page, dto: ContractDTO | AddendumDTO) -> None:
    """The owners as a party: persons in a table, a company by its ID, registration and
    signatory, their attorney."""
    persons = [o for o in dto.owners if o.kind == "person"]
    legal = [o for o in dto.owners if o.kind != "person"]
    if persons:
        p.table(
            [
                Column("ردیف", 0.5, "center"),
                Column("نام و نام خانوادگی", 2),
                Column("نام پدر", 1.1),
                Column("کد ملی", 1.3, "center"),
                Column("تلفن همراه", 1.3, "center"),
                Column("نشانی", 3),
            ],
            _owner_rows(persons),
        )
    for o in legal:
        sig = (
            f"، به نمایندگی {o.signatory_name} ({o.signatory_title}) به کد ملی "
            f"{fa_digits(o.signatory_national_id)}"
            if o.signatory_name
            else "، به نمایندگی صاحبان امضای مجاز طبق آخرین آگهی روزنامه رسمی"
        )
        p.para(
            f"شخص حقوقی {o.name}، به شناسه ملی {or_blank(o.national_id, 'ثبت‌نشده')}، "
            f"{legal_registration(o)}{sig}؛ نشانی: {or_blank(o.address, 'ثبت‌نشده')}؛ "
            f"{'تلفن همراه مدیرعامل' if o.signatory_name else 'تلفن همراه'}: "
            f"{or_blank(o.mobile, 'ثبت‌نشده')}.",
            size=9,
        )
    if dto.attorney:
        p.para(attorney_sentence(dto.attorney), size=9)


def attorney_sentence(a: AttorneyParty) -> str:
    """«صاحب‌کار با وکالت … به موجب وکالت‌نامه رسمی شماره … مورخ … دفترخانه … عمل می‌کند»;
    a file registered before the counter took these says they are not recorded."""
    deed = "وکالت‌نامه رسمی"
    if a.poa_no:
        deed += f" شماره {fa_digits(a.poa_no)}"
    if a.poa_date:
        deed += f" مورخ {jdate(a.poa_date)}"
    if a.poa_notary:
        deed += f" تنظیم‌شده در {a.poa_notary}"
    if not (a.poa_no or a.poa_date):
        deed += " (شماره و تاریخ آن در سامانه ثبت نشده است)"
    return (
        f"صاحب‌کار در این قرارداد با وکالت {a.name} به کد ملی {or_blank(a.national_id)}، به "
        f"موجب {deed}، عمل می‌کند؛ تصویر وکالت‌نامه در مدارک پرونده نزد سازمان است."
    )


def write_organization(p: Page, org: OrganizationInfo, paper: str) -> None:
    """The organization as the party that witnesses the signing, by its representative."""
    p.para(
        f"{org.name}، به نشانی {org.address}، کد پستی {fa_digits(org.postal_code)}، تلفن "
        f"{fa_digits(org.phone)}، به نمایندگی {org.representative_name} "
        f"({org.representative_title}) که بر انعقاد {paper} گواهی می‌دهد.",
        size=9,
    )


def grade_title(sups: Sequence[SupervisorRow]) -> str:
    """A firm holds a rank (رتبه), a person a grade (پایه): the column says which it holds."""
    return "پایه / رتبه" if any(s.kind == "firm" for s in sups) else "پایه"


def write_supervisors(p: Page, sups: Sequence[SupervisorRow]) -> None:
    """The supervisors as a party: one row per discipline, a firm's identity under it."""
    p.table(
        [
            Column("ردیف", 0.45, "center"),
            Column("رشته", 1.25),
            Column("نام و نام خانوادگی", 2.1),
            Column("کد ملی / شناسه ملی", 1.35, "center"),
            Column("شماره عضویت", 1.1, "center"),
            Column("شماره پروانه اشتغال", 1.45, "center"),
            Column(grade_title(sups), 0.75, "center"),
            Column("سمت", 1.3, "center"),
        ],
        [
            [
                fa_digits(i),
                discipline_fa(s.discipline),
                _supervisor_name(s),
                or_blank(s.national_id),
                fa_digits(s.membership_no),
                or_blank(s.licence_no),
                grade_fa(s.grade, s.kind),
                "ناظر هماهنگ‌کننده" if s.coordinating else "ناظر",
            ]
            for i, s in enumerate(sups, 1)
        ],
        shade_rows=frozenset(i for i, s in enumerate(sups) if s.coordinating),
    )
    for s in sups:  # a firm: its national ID, registration and signatory
        if s.kind == "firm":
            p.para(f"ناظر {discipline_fa(s.discipline)}: {firm_identity(s)}.", size=9)


# a discipline without a rate in the tariff table: its row says where its amount comes from
NO_RATE = "نرخ منتشرشده ندارد"
NO_AREA = "ملاک محاسبه نیست"
NO_RATE_APPROVED = "مبلغ تأییدشده امور مالی"
NO_RATE_UNSET = "به تعیین امور مالی"


def fee_rows(dto: ContractDTO) -> list[list[str]]:
    rows = []
    for f in dto.fees:
        paid = fa_number(f.approved_rials) if f.approved_rials else "پرداخت نشده"
        if f.fee_rials is None:  # no area × rate: the fee is what finance approved
            amount = (
                f"{fa_number(f.approved_rials)}\n({NO_RATE_APPROVED})"
                if f.approved_rials
                else NO_RATE_UNSET
            )
            rows.append([discipline_fa(f.discipline), NO_AREA, NO_RATE, amount, paid])
            continue
        rate = fa_number(f.rials_per_m2) if f.rials_per_m2 is not None else NO_RATE
        rows.append(
            [
                discipline_fa(f.discipline) + (f" {ENTERED_MARK}" if f.rate_entered else ""),
                fa_area(f.billable_m2),
                rate,
                fa_number(f.fee_rials),
                paid,
            ]
        )
        if f.coordinator_rials:
            coord = next((s for s in dto.supervisors if s.coordinating), None)
            who = f" ({coord.name})" if coord else ""
            rows.append(
                [
                    f"ناظر هماهنگ‌کننده{who}",
                    fa_area(f.billable_m2),
                    fa_number(f.coordinator_per_m2 or 0),
                    fa_number(f.coordinator_rials),
                    f"با حق‌الزحمه {discipline_fa(f.discipline)}",
                ]
            )
    paid = sum(f.approved_rials for f in dto.fees)
    rows.append(["جمع", "", "", fa_number(dto.total_fee_rials), fa_number(paid)])
    return rows


FEE_COLUMNS = (
    Column("رشته", 2.0),
    Column("مساحت مبنا (مترمربع)", 1.2, "center"),
    Column("نرخ (ریال در مترمربع)", 1.3, "center"),
    Column("حق‌الزحمه (ریال)", 1.5, "center"),
    Column("پرداخت تأییدشده (ریال)", 1.5, "center"),
)


def fee_caption(dto: ContractDTO) -> str:
    if all(f.fee_rials is not None for f in dto.fees):
        return "جدول حق‌الزحمه نظارت (مساحت مبنا × نرخ جدول تعرفه):"
    return (
        "جدول حق‌الزحمه نظارت (مساحت مبنا × نرخ جدول تعرفه؛ برای رشته‌ای که در جدول تعرفه "
        "نرخ ندارد، مبلغ تأییدشده امور مالی سازمان):"
    )


def fee_table(p: Page, dto: ContractDTO) -> None:
    rows = fee_rows(dto)
    caption = fee_caption(dto)
    # the caption stays with its table (the table is short: all of it)
    p.keep(p.para_height(caption, 9, True) + p.table_height(FEE_COLUMNS, rows) + 20)
    p.para(caption, size=9, bold=True, after=0)
    p.table(FEE_COLUMNS, rows, bold_rows=frozenset({len(rows) - 1}))
    if note := entered_rate_note(dto.fees):
        p.para(note, size=8.5)
    p.para(f"جمع حق‌الزحمه به حروف: {rials_in_words(dto.total_fee_rials)}.", size=9)


def stage_caption(dto: ContractDTO) -> str:
    """The stage table says what its amounts are: each stage's part of the fee the owner pays
    (gross), of which the organization's share is kept, the rest paid to the supervisors."""
    share = fa_number(dto.organization_share * 100, decimals=2)
    return (
        "جدول مراحل پرداخت: مبلغ هر مرحله سهم آن مرحله از حق‌الزحمه‌ای است که صاحب‌کار "
        f"می‌پردازد (ناخالص)؛ {share} درصد هر مبلغ سهم سازمان است و باقی آن پس از ثبت گزارش "
        "همان مرحله به ناظران پرداخت می‌شود:"
    )


def stage_table(p: Page, dto: ContractDTO) -> None:
    rows = [
        # the header says «درصد»: a «٪» after the digits is read back by Poppler before them
        [fa_digits(i), s.title, fa_digits(s.percent), fa_number(s.amount_rials)]
        for i, s in enumerate(dto.stages, 1)
    ]
    rows.append(["", "جمع", "۱۰۰", fa_number(sum(s.amount_rials for s in dto.stages))])
    cols = [
        Column("ردیف", 0.5, "center"),
        Column("مرحله", 2.2),
        Column("درصد", 0.8, "center"),
        Column("مبلغ ناخالص (ریال)", 1.6, "center"),
    ]
    caption = stage_caption(dto)
    p.keep(p.para_height(caption, 9, True) + p.table_height(cols, rows) + 8)
    p.para(caption, size=9, bold=True, after=0)
    p.table(cols, rows, bold_rows=frozenset({len(rows) - 1}))


SIGN_PER_ROW, SIGN_HEIGHT = 4, 70
FIRM_SIGN_HEIGHT = 86  # a firm's box names the firm, its seal and signatory, and takes the seal
# the text width of a signature box (A4, 42 pt margins, SIGN_PER_ROW boxes 6 pt apart, 4 pt
# inside each edge) and its label size: a role and a name that do not fit on one line are
# printed on two, the name whole on its own line (never broken between first and last name)
SIGN_LABEL_WIDTH = (595.2756 - 2 * 42 - 6 * (SIGN_PER_ROW - 1)) / SIGN_PER_ROW - 8
SIGN_LABEL_SIZE = 8.5


def _role_and_name(role: str, name: str) -> str:
    one = f"{role}: {name}"
    if text_width(one, REGULAR, SIGN_LABEL_SIZE) <= SIGN_LABEL_WIDTH:
        return one
    return f"{role}:\n{name}"


PERSON_SIGNS = "مهر نظام مهندسی و امضا"  # an engineer signs with his membership stamp
FIRM_SIGNS = "امضا و مهر شرکت"


def signature_labels(dto: ContractDTO) -> list[str]:
    labels = []
    if dto.attorney:
        labels.append(f"{_role_and_name('صاحب‌کار، به وکالت', dto.attorney.name)}\nامضا و اثر انگشت")
    else:
        for o in dto.owners:
            if o.kind == "person":
                labels.append(f"{_role_and_name('صاحب‌کار', o.name)}\nامضا و اثر انگشت")
            else:
                who = o.signatory_name or "صاحبان امضای مجاز"
                labels.append(f"{_role_and_name('صاحب‌کار', o.name)}\n{who} — مهر و امضا")
    for s in dto.supervisors:
        role = f"ناظر {discipline_fa(s.discipline)}"
        signed = f"\nامضا در {jdate(s.signed_on)}" if s.signed_on else ""
        if s.kind == "firm":
            who = f"\n{s.signatory}" if s.signatory else ""
            labels.append(f"{_role_and_name(role, s.name)}\n{FIRM_SIGNS}{who}")
        else:
            labels.append(f"{_role_and_name(role, s.name)}\n{PERSON_SIGNS}{signed}")
    org = dto.organization
    labels.append(f"{org.representative_name}\n{org.representative_title}\nامضا و مهر سازمان")
    return labels


def sign_height(dto: ContractDTO) -> float:
    return FIRM_SIGN_HEIGHT if any(s.kind == "firm" for s in dto.supervisors) else SIGN_HEIGHT


def signatures_height(dto: ContractDTO) -> float:
    rows = (len(signature_labels(dto)) + SIGN_PER_ROW - 1) // SIGN_PER_ROW
    return 40 + rows * (sign_height(dto) + 6)


def signatures(p: Page, dto: ContractDTO, stamp: PaperStamp | None = None) -> None:
    labels = signature_labels(dto)
    per_row, height = SIGN_PER_ROW, sign_height(dto)
    # the heading, every signature and the check note under them stay together (never a
    # signature, nor the issuer line, alone on a page)
    p.keep(signatures_height(dto) + verification_height(p, stamp))
    p.heading("امضای طرفین")
    p.boxes(labels, per_row=per_row, height=height)

"""Sample DTOs and stamps (no database): for tests, the benchmark and trying a layout out. The
organization is the demo province's (marked demo: its papers say so)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

from app.demo.office import DEMO_ORGANIZATION
from app.domain.organization import normalize
from app.services.document_dto import (
    AddendumDTO,
    Article,
    AttorneyParty,
    ChecklistLine,
    CommitmentDTO,
    ContractDTO,
    DailyReportDTO,
    DecisionBlock,
    FeeLine,
    LaterEvent,
    LetterDTO,
    OrganizationInfo,
    OwnerParty,
    PaperStamp,
    PropertyInfo,
    RankedLine,
    ReceiptDTO,
    ReplacedSupervisor,
    SetAsideLine,
    StageLine,
    SupervisorRow,
    TariffRef,
    Undertaking,
)
from app.services.documents import _signing_step, organization_from, template

DISCIPLINES = ("arch", "civil", "mech", "elec")
NAMES = ("مریم احمدی", "علی‌رضا کریمی", "نرگس موسوی", "حسین رضایی")
# Tehran 1403, group B (3–5 floors): arch, civil, mech, elec, coordinator
RATES = {"arch": 564_912, "civil": 653_180, "mech": 282_456, "elec": 264_803}
COORD_RATE = 92_913
AREA = Decimal("850.50")


def sample_organization() -> OrganizationInfo:
    return organization_from(normalize(DEMO_ORGANIZATION))


def sample_stamp(kind: str = "contract", number: str = "1405-00017", **changes) -> PaperStamp:
    stamp = PaperStamp(
        number=number,
        kind=kind,
        issued_at=datetime(2026, 11, 19, 6, 40, tzinfo=UTC),
        issued_by="زهرا کریمی",
        code="K7QM-2XWD-9RPA",
        check_url="https://nezarat.khz-nezam.test/verify/K7QM-2XWD-9RPA",
        printed_at=datetime(2026, 11, 19, 6, 40, tzinfo=UTC),
    )
    return replace(stamp, **changes)


def sample_property(file_no: str = "1405-0042") -> PropertyInfo:
    return PropertyInfo(
        file_no=file_no,
        plate="1234/56",
        address="اهواز، کیان‌پارس، خیابان ۵ شرقی، پلاک ۱۲",
        municipal_file_no="2-18344",
        group="B",
        floors=4,
        area_m2=AREA,
        use="residential",
        use_fa="مسکونی",
        registered_on=date(2026, 11, 10),
        city="اهواز",
        municipal_district="2",
        structure_fa="اسکلت بتن‌آرمه",
        permit_no="1405/2231",
        permit_date=date(2026, 11, 30),
    )


def sample_supervisors(coordinating: str | None = "civil") -> tuple[SupervisorRow, ...]:
    return tuple(
        SupervisorRow(
            referral_id=100 + i,
            discipline=d,
            engineer_id=10 + i,
            name=NAMES[i],
            father_name="محمد",
            national_id="0012345678",
            membership_no=f"7-1{i}234",
            licence_no=f"1-17-{i}-1{i}234",
            grade="2",
            area_m2=AREA,
            coordinating=d == coordinating,
            selected_on=date(2026, 11, 17),
            signed_on=date(2026, 11, 18),
        )
        for i, d in enumerate(DISCIPLINES)
    )


def sample_fees(coordinating: str | None = "civil") -> tuple[FeeLine, ...]:
    out = []
    for i, (d, rate) in enumerate(RATES.items()):
        fee = int(AREA * rate)
        coord = int(AREA * COORD_RATE) if d == coordinating else 0
        out.append(
            FeeLine(
                d,
                AREA,
                rate,
                fee,
                COORD_RATE if coord else None,
                coord,
                approved_rials=fee + coord,
                tracking_nos=(f"T-{i}7781",),
                paid_on=date(2026, 11, 10),
                bank="ملت",
            )
        )
    return tuple(out)


def sample_contract(file_no: str = "1405-0042", owner: str = "پریسا صادقی") -> ContractDTO:
    t = template("contract_fa")
    fees = sample_fees()
    total = sum(f.due_rials or 0 for f in fees)
    stages = []
    left = total
    plan = (("permit", 50), ("foundation", 10), ("frame", 10), ("rough", 10), ("finishing", 10))
    for k, pct in (*plan, ("completion", 10)):
        amount = left if k == "completion" else total * pct // 100
        left -= amount
        stages.append(StageLine(k, t["stage_titles"][k], pct, amount))
    owners = (
        OwnerParty(owner, "بهروز", "1974484858", "09171234567", "اهواز، کوی مدرس"),
        OwnerParty("کامران صادقی", "بهروز", "1971234567", "09161234567", "اهواز، کوی مدرس"),
    )
    sups = sample_supervisors()
    org = sample_organization()
    return ContractDTO(
        organization=org,
        owners=owners,
        attorney=AttorneyParty(
            "محسن کاظمی",
            "1741234567",
            "legal_rep",
            "نماینده قانونی",
            poa_no="۱۲۸۴۵",
            poa_date=date(2026, 5, 12),
            poa_notary="دفترخانه اسناد رسمی شماره ۱۴ اهواز",
        ),
        supervisors=sups,
        property=sample_property(file_no),
        fees=fees,
        tariff=TariffRef(
            1403,
            date(2024, 3, 20),
            "منتشرشده",
            "B",
            "3-5",
            Decimal(100),
        ),
        total_fee_rials=total,
        organization_share=Decimal("0.05"),
        organization_share_rials=total * 5 // 100,
        stages=tuple(stages),
        duration_months=12,
        articles=tuple(Article(a["title"], tuple(a["paragraphs"])) for a in t["articles"]),
        copy_holders=_copy_holders(sups),
        values={
            "suspension_share": t["policy"]["suspension_share"],
            "no_start_months": t["policy"]["no_start_months"],
            "permit_wait_months": t["policy"]["permit_wait_months"],
            "preamble": t["preamble"],
            "title": t["title"],
        },
    )


def sample_addendum() -> AddendumDTO:
    """The civil supervisor chosen again after the one named in the sample contract did not
    come to sign: he joins contract 1405-00017 by addendum 1 (and is its coordinator)."""
    contract = sample_contract()
    civil = replace(
        next(x for x in contract.supervisors if x.discipline == "civil"),
        engineer_id=77,
        name="سعید نادری",
        membership_no="7-19876",
        licence_no="1-17-3-19876",
        status="",
        signed_on=None,
    )
    fees = tuple(f for f in contract.fees if f.discipline == "civil")
    org = contract.organization
    holders = (
        "صاحب‌کار (به وکالت محسن کاظمی)",
        f"ناظر عمران: {civil.name}",
        f"سازمان ({org.unit})",
    )
    t = template("addendum_fa")
    return AddendumDTO(
        organization=org,
        seq=1,
        contract_number="1405-00017",
        contract_issued_at=datetime(2026, 11, 18, 5, 10, tzinfo=UTC),
        owners=contract.owners,
        attorney=contract.attorney,
        supervisors=(civil,),
        replaced=(
            ReplacedSupervisor("civil", "علی‌رضا کریمی", "7-11234", "no_show", date(2026, 11, 18)),
        ),
        property=contract.property,
        fees=fees,
        tariff=contract.tariff,
        total_fee_rials=sum(f.due_rials or 0 for f in fees),
        articles=tuple(Article(a["title"], tuple(a["paragraphs"])) for a in t["articles"]),
        copy_holders=holders,
        values={"title": t["title"]},
    )


def sample_company_contract() -> ContractDTO:
    """The sample contract with a company as its owner: a legal person named by its national
    ID and registration, signed for by its managing director (no attorney, no father's name);
    urban planning among the disciplines, which the tariff table has no rate for (its fee is
    the amount finance approved)."""
    dto = sample_contract()
    company = OwnerParty(
        "شرکت ساختمانی کارون‌بنا",
        "",
        "10103741857",
        "06133912040",
        "اهواز، کیان‌پارس، خیابان ۱۴ غربی، پلاک ۲۲",
        kind="legal",
        signatory_name="حمید ساکی",
        signatory_national_id="1741234567",
        signatory_title="مدیرعامل و صاحب امضای مجاز",
        registration_no="38817",
        registration_place="اداره ثبت شرکت‌ها و مؤسسات غیرتجاری اهواز",
    )
    urban = SupervisorRow(
        referral_id=110,
        discipline="urban",
        engineer_id=20,
        name="سارا نیک‌نام",
        father_name="جواد",
        national_id="1750934515",
        membership_no="7-16302",
        licence_no="1-17-6-16302",
        grade="2",
        area_m2=AREA,
        selected_on=date(2026, 11, 17),
        signed_on=date(2026, 11, 18),
    )
    urban_fee = FeeLine(
        "urban",
        AREA,
        None,
        None,
        approved_rials=152_000_000,
        tracking_nos=("T-57781",),
        paid_on=date(2026, 11, 10),
        bank="ملت",
    )
    sups = (*dto.supervisors, urban)
    fees = (*dto.fees, urban_fee)
    holders = ("صاحب‌کار: شرکت ساختمانی کارون‌بنا", *(f"ناظر {x.name}" for x in sups), "سازمان")
    return replace(
        dto,
        owners=(company,),
        attorney=None,
        supervisors=sups,
        fees=fees,
        total_fee_rials=dto.total_fee_rials + urban_fee.approved_rials,
        copy_holders=holders,
    )


def as_firm(row: SupervisorRow) -> SupervisorRow:
    """The supervisor row as a firm (a consulting engineers' company of Ahvaz) standing for
    the same referral."""
    return replace(
        row,
        kind="firm",
        name="شرکت مهندسین مشاور کارون‌سازه",
        national_id="10861234567",
        father_name="",
        signatory="حمید ساکی",
        registration_no="47218",
        registration_place="اداره ثبت شرکت‌ها و مؤسسات غیرتجاری اهواز",
    )


def with_firm(dto, discipline: str = "mech"):
    """A contract or letter whose `discipline` supervisor is a firm (`as_firm`); a contract's
    copies clause names the firm in the person's place."""
    sups = tuple(as_firm(s) if s.discipline == discipline else s for s in dto.supervisors)
    if not hasattr(dto, "copy_holders"):
        return replace(dto, supervisors=sups)
    return replace(dto, supervisors=sups, copy_holders=_copy_holders(sups))


def _copy_holders(sups) -> tuple[str, ...]:
    """The sample contract's article 9: a copy for each signatory."""
    return ("صاحب‌کار (به وکالت محسن کاظمی)", *(f"ناظر {s.name}" for s in sups), "سازمان")


def sample_commitment(discipline: str = "civil", kind: str = "person") -> CommitmentDTO:
    t = template("commitment_fa")
    sup = replace(sample_supervisors()[1], discipline=discipline, coordinating=False)
    if kind == "firm":
        sup = as_firm(sup)
    items = []
    for u in t["undertakings"]:
        if u.get("only") == "penalty" and discipline == "survey":
            u = t["penalty_exempt"]
        items.append(Undertaking(u["clause"], u["firm" if kind == "firm" else "person"]))
    return CommitmentDTO(
        organization=sample_organization(),
        supervisor=sup,
        discipline_fa={"civil": "عمران", "survey": "نقشه‌برداری"}.get(discipline, discipline),
        capacity_m2=Decimal(7200),
        used_m2=Decimal("2350.50"),
        remaining_m2=Decimal("4849.50"),
        active_jobs=3,
        max_active_jobs=8,
        property=sample_property(),
        owner_names=("پریسا صادقی", "کامران صادقی"),
        undertakings=tuple(items),
        intro=t["intro_firm" if kind == "firm" else "intro_person"],
        closing=t["closing"],
        signed_on=date(2026, 11, 18),
        sign_on=None,
        sign_from="08:00",
        sign_until="12:00",
    )


def sample_receipt() -> ReceiptDTO:
    fees = sample_fees()
    return ReceiptDTO(
        organization=sample_organization(),
        file_no="1405-0042",
        tracking_code="1405-0042-9F3A0C1B",
        received_at=datetime(2026, 11, 10, 6, 15, tzinfo=UTC),
        registered_by="زهرا کریمی",
        owners=sample_contract().owners,
        brought_by_role="owner",
        brought_by_role_fa="مالک",
        brought_by_name="پریسا صادقی",
        brought_by_national_id="1974484858",
        property=sample_property(),
        disciplines=DISCIPLINES,
        documents=(
            ChecklistLine("نقشه‌های معماری تأییدشده", True, True),
            ChecklistLine("سند مالکیت یا مدرک مالکیت", True, True),
            ChecklistLine("وکالت‌نامه (در صورت مراجعه وکیل)", False, False),
        ),
        fees=(*fees[:3], replace(fees[3], approved_rials=0, status="missing", tracking_nos=())),
        next_steps=("انتخاب ناظر در پایان مهلت کاندیداتوری، ساعت ۲۰:۰۰ روز کاری، انجام می‌شود.",),
        signing_step=_signing_step(
            template("receipt_fa")["signing_step"],
            sample_contract().owners,
            None,
            {"signing_from": "08:00", "signing_until": "12:00"},
        ),
    )


def sample_incomplete_receipt() -> ReceiptDTO:
    """A file brought by a design office (named by its national ID) with required documents
    still missing — a receipt of the documents received, not an acceptance — and urban
    planning, which has no tariff rate, not paid yet."""
    dto = sample_receipt()
    return replace(
        dto,
        brought_by_role="design_office",
        brought_by_role_fa="دفتر طراحی",
        brought_by_name="مهندسین مشاور شاخص پی",
        brought_by_national_id="10860456715",
        disciplines=(*dto.disciplines, "urban"),
        documents=(
            ChecklistLine("نقشه‌های معماری تأییدشده", True, True),
            ChecklistLine("نقشه‌های سازه و دفترچه محاسبات تأییدشده", True, False),
            ChecklistLine("سند مالکیت یا مدرک مالکیت", True, True),
            ChecklistLine("تصویر کارت ملی مالک یا مالکان", True, False),
            ChecklistLine("وکالت‌نامه (در صورت مراجعه وکیل)", False, False),
            ChecklistLine("نقشه نقشه‌برداری (UTM)", False, False),
        ),
        fees=(
            *dto.fees,
            FeeLine("urban", AREA, None, None, approved_rials=0, status="missing"),
        ),
    )


def sample_letter(**changes) -> LetterDTO:
    t = template("letter_fa")
    dto = LetterDTO(
        organization=sample_organization(),
        municipality="شهرداری اهواز",
        addressee="معاونت محترم شهرسازی و معماری شهرداری اهواز — اداره کنترل ساختمان",
        property=sample_property(),
        owner_names=("پریسا صادقی", "کامران صادقی"),
        fees=sample_fees(),
        supervisors=sample_supervisors(),
        body=tuple(t["body"]),
        closing=t["closing"],
        attachments=tuple(t["attachments"]),
        copies_to=("صاحب‌کار (پریسا صادقی) برای اطلاع",),
        seal_note=t["seal_note"],
    )
    dto = replace(dto, **changes)
    if "closing" not in changes and not dto.property.permit_no:  # as the service chooses
        dto = replace(dto, closing=t["closing_no_permit"])
    return dto


def sample_daily() -> DailyReportDTO:
    stood = datetime(2026, 11, 19, 10, 5, tzinfo=UTC)
    ranked = tuple(
        RankedLine(
            i + 1,
            10 + i,
            f"7-1{i}234",
            NAMES[i],
            "2",
            Decimal("97.25") - i,
            i == 0,
            Decimal(4000 - 100 * i),
            2 + i,
            stood,
        )
        for i in range(3)
    )
    return DailyReportDTO(
        organization=sample_organization(),
        run_id=16,
        deadline=datetime(2026, 11, 19, 16, 30, tzinfo=UTC),
        finished_at=datetime(2026, 11, 19, 16, 30, 2, tzinfo=UTC),
        decided=2,
        input_digest="3fa9" + "0" * 60,
        output_digest="b7c1" + "1" * 60,
        blocks=(
            DecisionBlock(
                101,
                "1405-0042",
                "civil",
                "B",
                AREA,
                1,
                "candidacy",
                "selected",
                ranked[0],
                None,
                ranked,
                (SetAsideLine(20, "7-19999", "سامان نوری", ("G3", "S7")),),
                seq=1,
                later=(
                    LaterEvent(
                        datetime(2026, 11, 20, 6, 0, tzinfo=UTC),
                        "قرارداد و تعهدنامه به‌وسیله ناظر منتخب امضا شد",
                    ),
                ),
            ),
            DecisionBlock(
                102,
                "1405-0042",
                "mech",
                "B",
                AREA,
                1,
                "candidacy",
                "extended",
                None,
                datetime(2026, 11, 20, 16, 30, tzinfo=UTC),
                (),
                (),
                seq=2,
            ),
        ),
        inputs_url="https://nezarat.khz-nezam.test/runs/16",
        rechecked=True,
    )

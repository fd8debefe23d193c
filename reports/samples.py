"""Sample DTOs (no database): for tests, the benchmark and trying a layout out."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

from app.services.document_dto import (
    Article,
    AttorneyParty,
    ChecklistLine,
    CommitmentDTO,
    ContractDTO,
    DailyReportDTO,
    DecisionBlock,
    FeeLine,
    LetterDTO,
    OwnerParty,
    PropertyInfo,
    RankedLine,
    ReceiptDTO,
    SetAsideLine,
    StageLine,
    SupervisorRow,
    Undertaking,
)
from app.services.documents import organization, template

DISCIPLINES = ("arch", "civil", "mech", "elec")
NAMES = ("مریم احمدی", "علی‌رضا کریمی", "نرگس موسوی", "حسین رضایی")


def sample_property(file_no: str = "1405-0042") -> PropertyInfo:
    return PropertyInfo(
        file_no=file_no,
        plate="1234/56",
        address="اهواز، کیان‌پارس، خیابان ۵ شرقی، پلاک ۱۲",
        municipal_file_no="2-18344",
        group="B",
        floors=4,
        area_m2=Decimal("850.50"),
        use="residential",
        use_fa="مسکونی",
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
            area_m2=Decimal("850.50"),
            coordinating=d == coordinating,
        )
        for i, d in enumerate(DISCIPLINES)
    )


def sample_fees() -> tuple[FeeLine, ...]:
    amounts = {
        "arch": 952_560_000,
        "civil": 1_096_294_500,
        "mech": 432_904_500,
        "elec": 403_987_500,
    }
    return tuple(
        FeeLine(d, a, tracking_nos=(f"T-{i}7781",), paid_on=date(2026, 11, 10), bank="ملت")
        for i, (d, a) in enumerate(amounts.items())
    )


def sample_contract(file_no: str = "1405-0042", owner: str = "پریسا صادقی") -> ContractDTO:
    t = template("contract_fa")
    fees = sample_fees()
    total = sum(f.amount_rials for f in fees)
    stages = tuple(
        StageLine(k, t["stage_titles"][k], pct, total * pct // 100)
        for k, pct in (
            ("permit", 50),
            ("foundation", 10),
            ("frame", 10),
            ("rough", 10),
            ("finishing", 10),
            ("completion", 10),
        )
    )
    return ContractDTO(
        organization=organization(),
        contract_no=f"ق-{file_no}",
        on=date(2026, 11, 19),
        owners=(
            OwnerParty(owner, "بهروز", "1974484858", "09171234567", "اهواز، کوی مدرس"),
            OwnerParty("کامران صادقی", "بهروز", "1971234567", "09161234567", "اهواز، کوی مدرس"),
        ),
        attorney=AttorneyParty(
            "محسن کاظمی",
            "1741234567",
            "legal_rep",
            "نماینده قانونی (وکیل)",
            "۱۲۳۴۵",
            date(2026, 10, 1),
        ),
        supervisors=sample_supervisors(),
        property=sample_property(file_no),
        fees=fees,
        total_fee_rials=total,
        organization_share=Decimal("0.05"),
        organization_share_rials=total * 5 // 100,
        stages=stages,
        duration_months=12,
        articles=tuple(Article(a["title"], tuple(a["paragraphs"])) for a in t["articles"]),
        copies=4,
        qr_payload=f"NZD|{file_no}|100,101,102,103|0123456789abcdef",
        fee_source_note="مبالغ حق‌الزحمه از پرداخت‌های تأییدشده پرونده خوانده شده است",
        values={
            "suspension_share": t["policy"]["suspension_share"],
            "no_start_months": t["policy"]["no_start_months"],
            "preamble": t["preamble"],
            "title": t["title"],
        },
    )


def sample_commitment() -> CommitmentDTO:
    t = template("commitment_fa")
    return CommitmentDTO(
        organization=organization(),
        on=date(2026, 11, 19),
        supervisor=sample_supervisors()[1],
        discipline_fa="عمران",
        capacity_m2=Decimal(7200),
        used_m2=Decimal("2350.50"),
        remaining_m2=Decimal("4849.50"),
        active_jobs=3,
        max_active_jobs=8,
        property=sample_property(),
        owner_names=("پریسا صادقی", "کامران صادقی"),
        undertakings=tuple(Undertaking(u["rule"], u["text"]) for u in t["undertakings"]),
        closing=t["closing"],
        qr_payload="NZD|1405-0042|101|0123456789abcdef",
    )


def sample_receipt() -> ReceiptDTO:
    return ReceiptDTO(
        organization=organization(),
        file_no="1405-0042",
        tracking_code="1405-0042-9F3A0C1B",
        received_at=datetime(2026, 11, 10, 6, 15, tzinfo=UTC),
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
        fees=(*sample_fees()[:3], FeeLine("elec", 403_987_500, status="pending")),
        next_steps=("انتخاب ناظر در پایان مهلت کاندیداتوری، ساعت ۲۰:۰۰ روز کاری، انجام می‌شود.",),
        qr_payload="NZD|1405-0042|100,101,102,103|0123456789abcdef",
    )


def sample_letter(**changes) -> LetterDTO:
    t = template("letter_fa")
    dto = LetterDTO(
        organization=organization(),
        letter_no="م-1405-0042",
        on=date(2026, 11, 19),
        addressee=t["addressee"],
        property=sample_property(),
        owner_names=("پریسا صادقی", "کامران صادقی"),
        fees=sample_fees(),
        supervisors=sample_supervisors(),
        body=tuple(t["body"]),
        closing=t["closing"],
        signer_title=t["signer_title"],
        qr_payload="NZD|1405-0042|100,101,102,103|0123456789abcdef",
    )
    return replace(dto, **changes)


def sample_daily() -> DailyReportDTO:
    ranked = tuple(
        RankedLine(i + 1, 10 + i, f"7-1{i}234", NAMES[i], "2", Decimal("97.25") - i, i == 0)
        for i in range(3)
    )
    return DailyReportDTO(
        organization=organization(),
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
                Decimal("850.50"),
                1,
                "candidacy",
                "selected",
                ranked[0],
                None,
                ranked,
                (SetAsideLine(20, "7-19999", "سامان نوری", ("G3", "S7")),),
            ),
            DecisionBlock(
                102,
                "1405-0042",
                "mech",
                "B",
                Decimal("850.50"),
                1,
                "candidacy",
                "extended",
                None,
                datetime(2026, 11, 20, 16, 30, tzinfo=UTC),
                (),
                (),
            ),
        ),
    )

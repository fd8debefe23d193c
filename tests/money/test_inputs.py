"""Issue 15's inputs: Persian text is one text at the service boundary (names, national codes,
membership numbers, plates), mobiles are eleven digits 09…, plates have one canonical form
(P5), and a bad input changes nothing (U3)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.errors import InputError
from app.domain.text import (
    canonical_plate,
    iban_problem,
    mobile_problem,
    national_code_ok,
    normalize_code,
    normalize_text,
    parse_number,
)
from app.services import browse, engineers, members_import, projects
from app.services.dto import CompetenceIn, EngineerIn, OwnerIn, ProjectIn

RLM, LRM, ZWNJ, NBSP = "\u200f", "\u200e", "\u200c", "\u00a0"
PLATE_VARIANTS = [
    "9999/12",
    "9999-12",
    "9999/012",
    "۹۹۹۹/۱۲",
    "٩٩٩٩/١٢",
    f"9999{RLM}/12",
    f"{LRM}9999/12{RLM}",
    f"99{ZWNJ}99/12",
    f"9999{NBSP}/{NBSP}12",
    "9999 / 12",
    "9999\\12",
    "09999/0012",
    # found by an attacker's read: other slashes and dashes, full-width digits, the Persian
    # decimal separator, colons, the Arabic date separator, invisible operators and joiners
    "9999\u204412",
    "9999\u221512",
    "９９９９／１２",
    "9999\u066b12",
    "9999\u201012",
    "9999\u201112",
    "9999\u221212",
    "9999:12",
    "9999\u061b12",
    "9999\u060d12",
    "9999\u2063/12",
    "9999\u180e/12",
    "9999\u034f/12",
    "9999\u06d412",  # the Arabic full stop «۔»
    # invisible though not format characters: a variation selector inside a number, the
    # Mongolian selector, a Hangul filler
    "99\ufe0f99/12",
    "9999\u180b/12",
    "9999/1\u31642",
    "9999\u2022 12",
    "9999*12",
]


def test_P5_every_variant_of_one_plate_is_one_plate(office, refuse):
    """One plate, one open file: the RLM, ZWNJ, no-break space, dash and leading-zero
    variants are refused with P5 and open nothing."""
    first = projects.register_project(
        office.clerk,
        ProjectIn(plate="9999/12", area=Decimal(200), floors=2, owners=(OwnerIn("0499370899"),)),
    )
    assert first.plate == "9999/12"
    before = office.row_counts()
    for plate in PLATE_VARIANTS:
        p = ProjectIn(plate=plate, area=Decimal(200), floors=2, owners=(OwnerIn("0499370899"),))
        refuse(projects.register_project, office.clerk, p, rules={"P5"})
        assert browse.intake_preview(office.clerk, plate, Decimal(200), 2).plate_open
    assert office.row_counts() == before


@given(st.sampled_from(PLATE_VARIANTS), st.sampled_from(["", RLM, ZWNJ, NBSP, " "]))
def test_P5_canonical_plate_ignores_marks_separators_and_digit_scripts(plate, mark):
    assert canonical_plate(mark + plate + mark) == "9999/12"


@pytest.mark.parametrize(
    "mobile",
    [
        "0916abc4567",
        "0916123456",
        "091612345678",
        "0916-111-2233",
        "9161234567",
        "+989161234567",
        "0916 123 4567",
        "08161234567",
        "٠٩١٦abc٤٥٦٧",
    ],
)
def test_mobile_is_eleven_digits_09_then_phonenumbers(mobile):
    assert mobile_problem(mobile) is not None


@pytest.mark.parametrize(
    "mobile",
    ["09161234567", "۰۹۱۶۱۲۳۴۵۶۷", "٠٩١٦١٢٣٤٥٦٧", f"{LRM}09121234567", "０９１６１２３４５６７"],
)
def test_mobile_in_any_digit_script_is_accepted(mobile):
    assert mobile_problem(mobile) is None


def test_national_code_check_digit_known_codes():
    assert all(
        map(national_code_ok, ["0012345679", "0499370899", "۰۰۱۲۳۴۵۶۷۹", f"00{RLM}12345679"])
    )
    assert not any(map(national_code_ok, ["0012345678", "1111111111", "001234567", "abcdefghij"]))


def test_sheba_iban_mod_97_10():
    assert iban_problem("IR062960000000100324200001") is None
    assert iban_problem("ir06 2960 0000 0010 0324 2000 01") is None
    assert iban_problem("IR062960000000100324200002") is not None  # check digits
    assert iban_problem("DE89370400440532013000") is not None


def test_persian_decimal_separator_is_a_number():
    assert parse_number("۱۲٫۵") == Decimal("12.5")
    assert parse_number("1,250") == Decimal(1250)
    assert parse_number("۱٬۲۵۰٫۵") == Decimal("1250.5")
    assert parse_number("12a") is None and parse_number("Infinity") is None


@pytest.mark.parametrize("typed", ["120,5", "۱۲۰٬۵", "1,20,0", ",120", "120,"])
def test_a_thousands_separator_is_only_between_groups_of_three(typed):
    """«۱۲۰٬۵» is the decimal separator mistyped: no number, rather than 1205 (an area that
    would jump a group and its fee)."""
    assert parse_number(typed) is None


@pytest.mark.parametrize("typed", ["7\u201328003", "7\u201028003", "７-２８００３", "۷-۲۸۰۰۳"])
def test_a_membership_number_is_one_code_whatever_dash_or_digits(typed):
    assert normalize_code(typed) == "7-28003"


def test_names_and_codes_are_one_text():
    assert normalize_text(f" علي{NBSP}كريمي{RLM} ") == "علی کریمی"
    assert normalize_text(f"نقش{ZWNJ}{ZWNJ}آفرین {ZWNJ}") == f"نقش{ZWNJ}آفرین"
    assert normalize_code(f"12{ZWNJ}-۱۰۰{RLM}") == "12-100"


def test_a_membership_number_with_a_zwnj_is_the_same_member(office):
    e = EngineerIn(
        membership_no="12-300",
        competences=(CompetenceIn("civil", "1"),),
        base_score=Decimal(0),
        national_id="0013542419",
        last_name="رضایی",
    )
    engineers.register_engineer(office.admin, e)
    twin = EngineerIn(
        membership_no=f"12{ZWNJ}-۳۰۰{RLM}",
        competences=(CompetenceIn("civil", "1"),),
        base_score=Decimal(0),
        last_name="رضایی",
    )
    before = office.row_counts()
    with pytest.raises(InputError) as exc:
        engineers.register_engineer(office.admin, twin)
    assert exc.value.field == "membership_no"
    assert office.row_counts() == before  # U3


def test_an_imported_arabic_yeh_is_found_by_a_persian_search(office):
    csv = (
        "شماره عضویت,کد ملی,نام,نام خانوادگی,رشته,پایه\n"
        f"77{ZWNJ}-1,0013542419,علي{RLM},كريمي{NBSP}زاده,civil,2\n"
    ).encode()
    rep = members_import.import_members(office.admin, csv, "ims.csv")
    assert rep.added == ["77-1"]
    found = browse.engineer_page(office.clerk, "کریمی")
    assert [r.membership_no for r in found] == ["77-1"]
    assert [r.membership_no for r in browse.engineer_page(office.clerk, "علی کریمی زاده")] == [
        "77-1"
    ]
    # the membership number typed as it came in the file (a ZWNJ inside, Persian digits)
    for typed in (f"77{ZWNJ}-1", f"۷۷{ZWNJ}-۱", f"7{ZWNJ}7-1"):
        assert [r.membership_no for r in browse.engineer_page(office.clerk, typed)] == ["77-1"]


def test_a_name_in_presentation_forms_is_the_name(office):
    """A name pasted from a PDF or an old system («ﻋﻠﯽ ﮐﺮﯾﻤﯽ», Arabic presentation forms) is
    stored as the letters it shows: a search typed on a Persian keyboard finds it, imported
    or registered at the desk, and the search itself may be typed in those forms."""
    assert normalize_text("ﻋﻠﯽ ﮐﺮﯾﻤﯽ") == "علی کریمی"
    csv = (
        "شماره عضویت,کد ملی,نام,نام خانوادگی,رشته,پایه\n77-9,0013542419,ﻋﻠﯽ,ﮐﺮﯾﻤﯽ,civil,2\n"
    ).encode()
    assert members_import.import_members(office.admin, csv, "pdf.csv").added == ["77-9"]
    engineers.register_engineer(
        office.admin,
        EngineerIn("77-10", (CompetenceIn("civil", "1"),), Decimal(0), first_name="ﻣﺮﯾﻢ",
                   last_name="ﮐﺮﯾﻤﯽ"),
    )  # fmt: skip
    found = [r.membership_no for r in browse.engineer_page(office.clerk, "کریمی")]
    assert sorted(found) == ["77-10", "77-9"]
    assert [r.membership_no for r in browse.engineer_page(office.clerk, "ﻋﻠﯽ")] == ["77-9"]


@pytest.mark.parametrize(
    "first, last, number, field",
    [
        ("", "", "N-9", "last_name"),
        (f"{RLM}{ZWNJ}", LRM, "N-9", "last_name"),
        ("علی", "کریمی", "-", "membership_no"),
        ("علی", "", "—", "membership_no"),
    ],
)
def test_a_member_without_a_name_or_a_number_is_not_registered(office, first, last, number, field):
    before = office.row_counts()
    with pytest.raises(InputError) as exc:
        engineers.register_engineer(
            office.admin,
            EngineerIn(number, (CompetenceIn("civil", "1"),), Decimal(0), first_name=first,
                       last_name=last),
        )  # fmt: skip
    assert exc.value.field == field
    assert office.row_counts() == before


def test_a_mobile_with_letters_or_dashes_is_refused_at_the_counter(office):
    before = office.row_counts()
    for mobile in ("0916abc4567", "0916-111-2233", "0916123456"):
        p = ProjectIn(
            plate="31/7",
            area=Decimal(200),
            floors=2,
            owners=(OwnerIn("0499370899", mobile=mobile),),
        )
        with pytest.raises(InputError):
            projects.register_project(office.clerk, p)
    assert office.row_counts() == before
    p = ProjectIn(
        plate="31/7",
        area=Decimal(200),
        floors=2,
        owners=(OwnerIn("0499370899", mobile="۰۹۱۶۱۲۳۴۵۶۷"),),
    )
    projects.register_project(office.clerk, p)


def test_who_brought_the_file_is_named_by_a_valid_code(office):
    """P1 and the receipt (issue 14): a design office by its 11-digit national ID (شناسه ملی),
    a representative or the owner by a national code; a wrong one is refused, naming it."""
    from dataclasses import replace

    p = ProjectIn(
        plate="31/8",
        area=Decimal(200),
        floors=2,
        owners=(OwnerIn("0499370899", mobile="09161234567"),),
        brought_by_role="design_office",
        brought_by_name="مهندسین مشاور کارون سازه",
    )
    before = office.row_counts()
    poa = {"poa_no": "12845", "poa_date": date(2026, 5, 12)}
    for role, code in (("design_office", "0499370899"), ("legal_rep", "10861234565")):
        with pytest.raises(InputError) as err:
            projects.register_project(
                office.clerk,
                replace(p, brought_by_role=role, brought_by_national_id=code, **poa),
            )
        assert err.value.field == "brought_by_national_id"
    assert office.row_counts() == before
    made = projects.register_project(office.clerk, replace(p, brought_by_national_id="۱۰۸۶۱۲۳۴۵۶۵"))
    with office.base.read() as s:
        from app.db.models import Project

        assert s.get(Project, made.id).brought_by_national_id == "10861234565"


def test_P1_an_attorney_brings_the_power_of_attorneys_number_and_date(office):
    """A representative of natural-person owners acts on their power of attorney: the file
    is refused without its number and date (or with a date to come), and the contract names
    it — number, date and notary office (documents.md, Parties)."""
    from app.services import documents

    p = ProjectIn(
        plate="31/10",
        area=Decimal(200),
        floors=2,
        owners=(OwnerIn("0499370899", mobile="09161234567"),),
        brought_by_role="legal_rep",
        brought_by_name="محسن کاظمی",
        brought_by_national_id="0013542419",
    )
    before = office.row_counts()
    for typed, field in (
        ({}, "poa_no"),
        ({"poa_no": "۱۲۸۴۵"}, "poa_date"),
        ({"poa_no": "12845", "poa_date": date(2099, 1, 1)}, "poa_date"),
        ({"poa_no": " ", "poa_date": date(2026, 5, 12)}, "poa_no"),
    ):
        with pytest.raises(InputError) as err:
            projects.register_project(office.clerk, replace(p, **typed))
        assert err.value.field == field and "وکالت‌نامه" in err.value.message
    assert office.row_counts() == before
    made = projects.register_project(
        office.clerk,
        replace(p, poa_no="۱۲۸۴۵", poa_date=date(2026, 5, 12), poa_notary="دفترخانه ۱۴ اهواز"),
    )
    office.intake(made.id, made.disciplines)
    made = projects.mark_ready(office.clerk, made.id)
    office.papers_ready(made.id)
    arch = office.engineer("A1", discipline="arch")
    office.chosen_and_signed(arch, made.referral_ids["arch"])
    attorney = documents.contract_dto(office.clerk, made.id).attorney
    assert attorney is not None
    assert (attorney.poa_no, attorney.poa_date, attorney.poa_notary) == (
        "12845",
        date(2026, 5, 12),
        "دفترخانه ۱۴ اهواز",
    )
    from reports.contract import attorney_sentence

    said = attorney_sentence(attorney)
    assert "وکالت‌نامه رسمی شماره ۱۲۸۴۵ مورخ ۱۴۰۵/۰۲/۲۲" in said and "دفترخانه ۱۴ اهواز" in said
    # an owner who comes himself keeps no power of attorney, whatever the form held
    own = projects.register_project(
        office.clerk,
        replace(p, plate="31/11", brought_by_role="owner", brought_by_name="", poa_no="1"),
    )
    with office.base.read() as s:
        from app.db.models import Project

        assert s.get(Project, own.id).poa_no is None


@given(st.from_regex(r"09[0-9]{9}", fullmatch=True))
def test_mobile_prefix_shortcut_agrees_with_phonenumbers(mobile):
    """The per-prefix answer equals the library's on the whole number."""
    from app.domain.text import mobile_by_library

    assert (mobile_problem(mobile) is None) == mobile_by_library(mobile)


def test_F2_excel_export_keeps_a_formula_typed_at_the_counter_as_text(office):
    """A bank name or tracking number that starts with = + - @ (or a tab/CR) is text in every
    exported cell, never a live formula."""
    import io
    from datetime import date

    from openpyxl import Workbook, load_workbook

    from app.services import finance
    from app.services.sheets import append_row

    p = office.project(ready=False)
    with pytest.raises(InputError):  # the counter takes banks from its list only
        projects.record_fee_payment(
            office.clerk, p.id, "civil", 1000, "12345", date(2026, 11, 1), '=HYPERLINK("x")'
        )
    wb = Workbook()
    hostile = ['=HYPERLINK("http://x","y")', "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "ok"]
    append_row(wb.active, hostile)
    buf = io.BytesIO()
    wb.save(buf)
    cells = load_workbook(io.BytesIO(buf.getvalue())).active[1]
    assert [c.value for c in cells] == [h.replace("\r", "\n") for h in hostile]  # XML: CR→LF
    assert all(c.data_type == "s" for c in cells)
    sheet = load_workbook(io.BytesIO(finance.approvals_xlsx(office.finance))).active
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_F2_tracking_number_and_receipt_scan(office):
    from datetime import date

    from app.services.dto import ReceiptIn

    p = office.project(ready=False)
    for bad in ("abc123", "12", "12-34-56"):
        with pytest.raises(InputError) as exc:
            projects.record_fee_payment(
                office.clerk, p.id, "civil", 1, bad, date(2026, 11, 1), "ملی"
            )
        assert exc.value.field == "tracking_no"
    with pytest.raises(InputError) as exc:
        projects.record_fee_payment(
            office.clerk,
            p.id,
            "civil",
            1,
            "123456",
            date(2026, 11, 1),
            "ملی",
            ReceiptIn("r.png", "image/png", b"not a png"),
        )
    assert exc.value.field == "receipt"
    fid = projects.record_fee_payment(
        office.clerk,
        p.id,
        "civil",
        1,
        "۱۲۳۴۵۶",
        date(2026, 11, 1),
        "ملت",
        ReceiptIn("r.png", "image/png", b"\x89PNG\r\n\x1a\n" + b"0" * 10),
    )
    from app.db.models import FeePayment

    with office.base.tx() as s:
        row = s.get(FeePayment, fid)
        assert (row.tracking_no, row.receipt_mime) == ("123456", "image/png")


def test_a_company_owner_is_registered_with_its_registration_for_its_contract(office):
    """Issue 14: a legal owner's registration number and office are kept and reach its
    contract's party line; a person has none, and a number is digits only."""
    from dataclasses import replace

    from app.db.models import Project
    from app.services.documents import _owners

    company = OwnerIn(
        "10861234565",
        last_name="شرکت ساختمانی کارون",
        kind="legal",
        mobile="09161234567",
        registration_no="۴۷۲۱۸",
        registration_place="اداره ثبت شرکت‌ها و مؤسسات غیرتجاری اهواز",
    )
    p = ProjectIn(
        plate="31/9",
        area=Decimal(300),
        floors=2,
        owners=(company,),
        brought_by_role="legal_rep",  # P1: its managing director brings it
        brought_by_name="حمید ساکی",
    )
    before = office.row_counts()
    for wrong in (
        replace(company, registration_no="47-218"),
        replace(company, kind="person", national_id="0499370899"),
    ):
        with pytest.raises(InputError) as err:
            projects.register_project(office.clerk, replace(p, owners=(wrong,)))
        assert err.value.field == "owners" and "ثبت" in err.value.message
    for wrong, words in (
        (replace(company, national_id="10861234566"), "شناسه ملی مالک حقوقی"),  # check digit
        (replace(company, last_name=" "), "نام مالک حقوقی"),
        (replace(company, kind="firm"), "حقیقی یا حقوقی"),
    ):
        with pytest.raises(InputError) as err:
            projects.register_project(office.clerk, replace(p, owners=(wrong,)))
        assert err.value.field == "owners" and words in err.value.message
    assert office.row_counts() == before
    made = projects.register_project(office.clerk, p)
    with office.base.read() as s:
        (party,) = _owners(s, s.get(Project, made.id))
    assert (party.kind, party.registration_no) == ("legal", "47218")
    assert party.registration_place.startswith("اداره ثبت")


# --- found by an attacker's read of the counter and finance services (issue 15) -----------


def _file(office, plate: str, **kw):
    return projects.register_project(
        office.clerk,
        ProjectIn(plate=plate, area=Decimal(200), floors=2, owners=(OwnerIn("0499370899"),), **kw),
    )


def test_F2_one_bank_receipt_pays_once_and_never_nothing_or_in_the_future(office):
    from datetime import timedelta

    from app.domain.calendar import local_date

    a, b = _file(office, "501/1"), _file(office, "502/1")
    today = local_date(office.clock.now)
    no = "611856562282"
    first = projects.record_fee_payment(office.clerk, a.id, "civil", 9_000, no, today, "ملت")
    # the same deposit split over another discipline of the same file stands
    second = projects.record_fee_payment(office.clerk, a.id, "arch", 1_000, no, today, "ملت")
    before = office.row_counts()
    for kw, field, words in (
        ({"tracking_no": "611856562282"}, "tracking_no", a.file_no),  # another file: refused
        ({"amount_rials": 0}, "amount_rials", "بیشتر از صفر"),
        ({"paid_on": today + timedelta(days=1)}, "paid_on", "پس از امروز"),
    ):
        args = {"amount_rials": 5_000, "tracking_no": "611856562283", "paid_on": today} | kw
        with pytest.raises(InputError) as err:
            projects.record_fee_payment(
                office.clerk, b.id, "civil", args["amount_rials"], args["tracking_no"],
                args["paid_on"], "ملت",
            )  # fmt: skip
        assert err.value.field == field and words in err.value.message
    # the same receipt again for the same discipline of the same file: counted twice, refused
    with pytest.raises(InputError) as err:
        projects.record_fee_payment(office.clerk, a.id, "civil", 9_000, no, today, "ملت")
    assert err.value.field == "tracking_no" and "همین پرونده" in err.value.message
    assert office.row_counts() == before
    # a receipt finance rejected on one file may be brought to the right one
    for fee in (first, second):
        projects.decide_fee_payment(office.finance, fee, approve=False, reason="پرونده دیگری است")
    projects.record_fee_payment(office.clerk, b.id, "civil", 10_000, no, today, "ملت")


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"owners": ()}, "owners", "دست‌کم یک مالک"),
        ({"owners": (OwnerIn("0499370899"), OwnerIn("۰۴۹۹۳۷۰۸۹۹"))}, "owners", "دو بار"),
        ({"brought_by_role": "design_office"}, "brought_by_name", "خالی"),
        ({"brought_by_role": "legal_rep", "brought_by_name": " "}, "brought_by_name", "خالی"),
        (
            {"owners": (OwnerIn("10861234565", last_name="شرکت کارون", kind="legal"),)},
            "brought_by_role",
            "نماینده قانونی",
        ),
    ],
)
def test_P1_a_file_names_its_owners_once_and_who_brought_it(office, change, field, words):
    base = ProjectIn(plate="601/2", area=Decimal(200), floors=2, owners=(OwnerIn("0499370899"),))
    before = office.row_counts()
    with pytest.raises(InputError) as err:
        projects.register_project(office.clerk, replace(base, **change))
    assert err.value.field == field and words in err.value.message
    assert office.row_counts() == before


def test_F5_a_renewal_has_a_real_amount_and_reference_and_a_code_is_one_members(office):
    e = office.engineer("M-1", paid_through=1404)
    other = office.engineer("M-2", national_id="0499370899", paid_through=1404)
    engineers.request_renewal(office.clerk, e, 1405)
    for amount in (0, 10**15):
        with pytest.raises(InputError) as err:
            engineers.approve_renewal(office.finance, e, 1405, amount)
        assert err.value.field == "amount_rials"
    engineers.approve_renewal(office.finance, e, 1405, 3_850_000)
    for ref in ("-", ".", " ‌ "):
        with pytest.raises(InputError) as err:
            engineers.record_membership_payment(office.finance, e, 1405, ref)
        assert err.value.field == "payment_ref"
    with pytest.raises(InputError) as err:  # no IntegrityError: the field is named
        engineers.update_engineer(office.clerk, e, {"national_id": "0499370899"})
    assert err.value.field == "national_id" and other != e
    engineers.record_membership_payment(office.finance, e, 1405, "RC-5555")
    engineers.request_renewal(office.clerk, other, 1405)
    engineers.approve_renewal(office.finance, other, 1405, 3_850_000)
    before = office.row_counts()
    for ref in ("RC-5555", "rc-5555", "ＲＣ-۵۵۵۵"):  # one bank payment pays one member
        with pytest.raises(InputError) as err:
            engineers.record_membership_payment(office.finance, other, 1405, ref)
        assert err.value.field == "payment_ref" and "M-۱" in err.value.message
    assert office.row_counts() == before
    engineers.record_membership_payment(office.finance, other, 1405, "RC-5556")


def test_P1_a_known_owners_code_under_another_name_is_refused(office):
    """One code, one person: the counter's lookup fills a known owner's name; typed over with
    another, the file is refused naming both (a typo, or someone else's code)."""
    p = ProjectIn(
        plate="701/3", area=Decimal(200), floors=2, owners=(OwnerIn("0499370899", "مریم", "کاظمی"),)
    )
    projects.register_project(office.clerk, p)
    projects.register_project(  # the same owner again, by the same name (another plot)
        office.clerk, replace(p, plate="702/3", owners=(OwnerIn("0499370899", "مريم", "كاظمي"),))
    )
    before = office.row_counts()
    with pytest.raises(InputError) as err:
        projects.register_project(
            office.clerk, replace(p, plate="703/3", owners=(OwnerIn("0499370899", "علی", "کاظمی"),))
        )
    assert err.value.field == "owners" and "مریم کاظمی" in err.value.message
    assert office.row_counts() == before


def test_the_invisible_set_is_unicodes_format_characters_but_the_zwnj():
    """Kept as ranges (no scan of Unicode at start-up); checked against the database Python
    ships, so a newer Unicode's format character shows here."""
    import unicodedata

    from app.domain.text import _FORMAT_RANGES

    listed = {c for lo, hi in _FORMAT_RANGES for c in range(lo, hi + 1)}
    cf = {
        c
        for c in (*range(0x10000), *range(0xE0000, 0xE0080))
        if unicodedata.category(chr(c)) == "Cf" and c != 0x200C
    }
    assert listed == cf


def test_names_and_codes_of_invisible_characters_alone_are_empty():
    """A variation selector, a Hangul filler or a Braille blank shows nothing: a membership
    number with one inside is the same member, a name of them alone is no name."""
    from app.domain.text import normalize_code, normalize_text

    assert normalize_code("AUD-77\ufe0f-1") == normalize_code("AUD-77-1")
    for invisible in ("\ufe0f", "\u3164", "\u115f", "\u2800", "\U000e0100"):
        assert normalize_text(invisible) == "" and normalize_text(f"علی{invisible}") == "علی"

"""Issue 14: the organization's settings — entered by the administrator only, validated (the
IBAN's ISO 7064 mod 97-10 check, a telephone of digits in any script, the name with its
province, no sample value), audited; papers refuse while they are missing."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from app.db.models import AuditEntry
from app.demo.office import DEMO_ORGANIZATION
from app.domain import organization as org
from app.domain.errors import InputError, RuleViolation
from app.domain.organization import Signer
from app.services import organization
from support import Office


@pytest.fixture
def office(db_url) -> Office:
    return Office(db_url)


@pytest.mark.parametrize(
    ("iban", "ok"),
    [
        ("IR540170000000103456789004", True),
        ("ir54 0170 0000 0010 3456 7890 04", True),  # spaces, lower case
        ("IR۵۴۰۱۷۰۰۰۰۰۰۰۱۰۳۴۵۶۷۸۹۰۰۴", True),  # Persian digits
        ("IR550170000000103456789004", False),  # a check digit off
        ("IR540170000000103456789005", False),  # one digit changed
        ("IR5401700000001034567890", False),  # too short
        ("DE89370400440532013000", False),  # not an Iranian account
        ("", False),
    ],
)
def test_iban_is_IR_and_24_digits_with_the_mod_97_10_check(iban, ok):
    assert org.iban_ok(iban) is ok


def test_telephone_digits_in_any_script_are_normalised():
    assert org.digits_only("۰۶۱-۳۳۳۸ ۱۲۴۰") == "06133381240"
    assert org.phone_ok("۰۶۱۳۳۳۸۱۲۴۰")
    assert not org.phone_ok("۰۰۰-۰۰۰۰۰۰۰۰") and not org.phone_ok("0613338124")


def test_the_demo_values_are_fit_to_print_and_the_old_samples_are_not():
    assert org.problems(org.normalize(DEMO_ORGANIZATION)) == {}
    old_sample = replace(
        DEMO_ORGANIZATION,
        name="سازمان نظام مهندسی ساختمان استان",
        address="نشانی دفتر مرکزی سازمان (به‌وسیله مدیر سامانه تکمیل شود)",
        phone="۰۰۰-۰۰۰۰۰۰۰۰",
        website="nezam.example.ir",
        iban="",
    )
    bad = org.problems(org.normalize(old_sample))
    assert set(bad) >= {"name", "address", "phone", "website", "iban"}
    assert all(any("\u0600" <= c <= "\u06ff" for c in v) for v in bad.values())
    assert "municipalities" in org.problems(org.normalize(replace(DEMO_ORGANIZATION,
                                                                   municipalities=())))  # fmt: skip


def test_U1_only_the_administrator_saves_the_settings_and_the_trail_has_them(office: Office):
    with pytest.raises(RuleViolation) as exc:
        organization.save_organization_settings(office.clerk, DEMO_ORGANIZATION)
    assert exc.value.rules == ("U1",)
    out = organization.organization_settings(office.clerk)
    assert not out.printable and "iban" in out.problems  # nothing entered yet
    saved = organization.save_organization_settings(office.admin, DEMO_ORGANIZATION)
    assert saved.printable
    got = organization.organization_settings(office.clerk)
    assert got.settings == org.normalize(DEMO_ORGANIZATION) and got.printable
    with office.base.tx() as s:
        line = s.scalar(select(AuditEntry).where(AuditEntry.action == "organization.save"))
    assert line.actor == "admin" and line.after["iban"] == "IR540170000000103456789004"


def test_a_bad_value_is_refused_in_persian_naming_the_field_and_nothing_changes(office):
    organization.save_organization_settings(office.admin, DEMO_ORGANIZATION)
    bad = replace(DEMO_ORGANIZATION, iban="IR550170000000103456789004", phone="۰۶۱۳۳۳۸۱۲۴۱")
    with pytest.raises(InputError) as exc:
        organization.save_organization_settings(office.admin, bad)
    assert exc.value.field == "iban" and "شبا" in exc.value.message
    assert organization.organization_settings(office.admin).settings.phone == "06133381240"


def _real(o: org.Organization) -> org.Organization:
    """`o` with the office's own particulars in place of the demo's invented ones."""
    return replace(
        o,
        address="اهواز، بلوار پاسداران، خیابان شهید بهشتی، پلاک ۱۲، ساختمان سازمان",
        postal_code="6134567812",
        phone="06133374411",
        public_url="https://verify.khz-nezam.test",
        account_no="0201234567001",
        iban="IR170170000000201234567001",
        contract_signer=Signer("مهندس علی رضایی", "معاون خدمات مهندسی سازمان"),
        letter_signer=Signer("مهندس مریم احمدی", "مدیر واحد ارجاع نظارت"),
        demo=False,
    )


def test_the_demo_values_are_refused_once_the_demo_mark_is_off():
    """Unticking «مقادیر استان نمایشی» does not make the demo's invented account, telephone,
    address and signers real: each is named until the office's own is entered."""
    plain = replace(DEMO_ORGANIZATION, demo=False)
    bad = org.problems(org.normalize(plain))
    assert set(bad) == {
        "address", "postal_code", "phone", "public_url", "account_no", "iban",
        "contract_signer", "letter_signer",
    }  # fmt: skip
    assert all("نسخه نمایشی" in why for why in bad.values())
    # written otherwise (spaced IBAN, Persian digits, another case) they are still the demo's
    spaced = replace(plain, iban="ir54 0170 0000 0010 3456 7890 04", phone="۰۶۱-۳۳۳۸۱۲۴۰")
    assert {"iban", "phone"} <= set(org.problems(org.normalize(spaced)))
    real = _real(plain)
    assert org.iban_ok(real.iban), "the test's own IBAN must pass its check"
    assert org.problems(org.normalize(real)) == {}


def test_F1_a_real_paper_is_refused_under_another_provinces_tariff(office: Office):
    """The demo bills under Tehran's published 1403 table (the reference data's, marked
    demo); a real Khuzestan office may not print a contract or a receipt under it."""
    from app.services import documents, fees
    from app.services.document_dto import DocumentRefused

    arch = office.engineer("A1", discipline="arch")
    p = office.project(disciplines=("arch",))
    fees.seed_tariffs(office.admin, ("tehran-1403",))  # in force since 1403: the file's
    office.papers_ready(p.id)
    office.chosen_and_signed(arch, p.referral_ids["arch"])
    assert "استان تهران" in documents.contract_dto(office.clerk, p.id).tariff.title  # demo
    organization.save_organization_settings(office.admin, _real(DEMO_ORGANIZATION))
    for paper in (documents.contract_dto, documents.receipt_dto):
        with pytest.raises(DocumentRefused) as exc:
            paper(office.clerk, p.id)
        said = " ".join(exc.value.reasons)
        assert "استان دیگری" in said and "استان خوزستان" in said and "(F1)" in said


def test_the_tariff_check_reads_a_province_of_several_words():
    khz = _real(DEMO_ORGANIZATION)
    kb = replace(khz, province="کهگیلویه و بویراحمد")
    title = "جدول تعرفه خدمات مهندسی سال ۱۴۰۵ – استان کهگیلويه و بويراحمد"  # Arabic ی
    assert org.tariff_of_another_province(org.normalize(kb), title) is None
    assert org.tariff_of_another_province(org.normalize(khz), title)
    assert org.tariff_of_another_province(org.normalize(khz), "جدول تعرفه ۱۴۰۵") is None


def test_no_paper_prints_with_the_demo_particulars_once_the_mark_is_off(office: Office):
    """A contract kept as signed is reprinted from what was issued, but not while the
    office's particulars are still the demo's (the settings screen refuses to save that; the
    database may hold it): every print waits for them, as a new paper does, and the refusal
    names each particular by its label on the settings screen."""
    from sqlalchemy import update

    from app.db.models import OrganizationSettings
    from app.services import papers
    from app.services.document_dto import DocumentRefused

    arch = office.engineer("A1", discipline="arch")
    p = office.project(disciplines=("arch",))
    office.papers_ready(p.id)
    organization.save_organization_settings(office.admin, DEMO_ORGANIZATION)
    office.chosen_and_signed(arch, p.referral_ids["arch"])
    issued = papers.issue_contract(office.clerk, p.id)
    with office.base.tx() as s:  # the mark taken off behind the settings screen's back
        s.execute(update(OrganizationSettings).values(demo=False))
    for issue, key in ((papers.issue_contract, p.id), (papers.issue_receipt, p.id)):
        with pytest.raises(DocumentRefused) as exc:
            issue(office.clerk, key)
        said = " ".join(exc.value.reasons)
        assert "تلفن: هنوز مقدار نسخه نمایشی است" in said and "شماره شبا:" in said
    organization.save_organization_settings(office.admin, _real(DEMO_ORGANIZATION))
    again = papers.issue_contract(office.clerk, p.id)  # the contract as signed
    assert again.stamp.number == issued.stamp.number and again.stamp.reprint

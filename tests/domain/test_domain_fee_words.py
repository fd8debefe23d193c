"""F1 in words at the counter (app/domain/fee_words.py): the fee of a discipline adds up as
written, and an amount typed is told against what is still owed (P2 waits for all of it)."""

from __future__ import annotations

from decimal import Decimal

from app.domain.fee_words import amount_check, area_fa, band_fa, due_formula


def test_F1_due_formula_adds_up_as_written_with_the_coordinators_fee():
    civil = due_formula(Decimal(200), 1_289_000, 257_800_000, 141_000, 28_200_000)
    assert civil == (
        "۲۰۰ م² × ۱٬۲۸۹٬۰۰۰ ریال + هماهنگ‌کننده ۲۰۰ م² × ۱۴۱٬۰۰۰ ریال = ۲۸۶٬۰۰۰٬۰۰۰ ریال"
    )
    assert due_formula(Decimal(100), 1_120_000, 112_000_000) == (
        "۱۰۰ م² × ۱٬۱۲۰٬۰۰۰ ریال = ۱۱۲٬۰۰۰٬۰۰۰ ریال"
    )
    assert "نیست (F1)" in due_formula(Decimal(200), None, None)
    assert area_fa(Decimal("250.50")) == "۲۵۰٫۵ م²"
    assert (band_fa("3-5"), band_fa("16+"), band_fa("1-2")) == (
        "۳ تا ۵ طبقه",
        "۱۶ طبقه و بیشتر",
        "۱ تا ۲ طبقه",
    )


def test_F1_P2_an_amount_is_told_against_what_is_still_owed():
    assert amount_check(None, 286_000_000) == (False, "")
    ok, words = amount_check(286_000_000, 286_000_000)
    assert ok and "برابر حق‌الزحمه طبق تعرفه" in words and "(F1)" in words
    ok, words = amount_check(100_000_000, 286_000_000)
    assert not ok
    assert "۱۸۶٬۰۰۰٬۰۰۰ ریال کمتر از حق‌الزحمه طبق تعرفه (۲۸۶٬۰۰۰٬۰۰۰ ریال)" in words
    assert "(P2)" in words and "مبلغ واردشده ۱۰۰٬۰۰۰٬۰۰۰ ریال" in words
    ok, words = amount_check(186_000_000, 286_000_000, recorded=100_000_000)
    assert ok and "برابر مانده حق‌الزحمه" in words
    ok, words = amount_check(300_000_000, 286_000_000)
    assert not ok and "۱۴٬۰۰۰٬۰۰۰ ریال بیش از حق‌الزحمه" in words
    ok, words = amount_check(1_000, 286_000_000, recorded=286_000_000)
    assert not ok and "کامل است (F1)" in words and "اضافه" in words
    ok, words = amount_check(5_000_000, None)
    assert not ok and "نرخ این رشته در جدول تعرفه نیست (F1)" in words

"""Issue 14, organization settings: a telephone that is only a placeholder (zeros or one
digit repeated after the area code) is refused, with the Persian message of every refused
telephone; real landlines and mobiles pass."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.demo.office import DEMO_ORGANIZATION
from app.domain import organization as org

PHONE_MESSAGE = org.problems(org.normalize(replace(DEMO_ORGANIZATION, phone="0613338124")))["phone"]


@pytest.mark.parametrize(
    "phone",
    [
        "021-00000000",  # zeros after Tehran's area code
        "06100000000",  # zeros after Ahvaz's, no dash
        "۰۶۱-۰۰۰۰۰۰۰۰",  # Persian digits
        "061-11111111",  # one digit repeated
        "۰۲۱-۸۸۸۸۸۸۸۸",
        "0912-0000000",  # a mobile: zeros after the operator code
        "09999999999",
        "00000000000",
        "00613338124",  # no area code starts with 0
    ],
)
def test_a_placeholder_telephone_is_refused_in_persian(phone):
    assert not org.phone_ok(phone)
    bad = org.problems(org.normalize(replace(DEMO_ORGANIZATION, phone=phone)))
    assert set(bad) == {"phone"}
    assert bad["phone"] == PHONE_MESSAGE
    assert any("\u0600" <= c <= "\u06ff" for c in bad["phone"])


@pytest.mark.parametrize(
    "phone", ["06133381240", "۰۶۱-۳۳۳۸ ۱۲۴۰", "021-88776655", "031-32100000", "09161234567"]
)
def test_a_real_telephone_passes(phone):
    assert org.phone_ok(phone)
    assert "phone" not in org.problems(org.normalize(replace(DEMO_ORGANIZATION, phone=phone)))

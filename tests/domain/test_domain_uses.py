"""A building's use and a mixed building's area by use (documents.md §3): the codes and their
Persian names in one place, and the checks the counter and the services share."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from app.domain.uses import (
    SPLIT_USES,
    USES_FA,
    area_text,
    typed_use_problems,
    use_areas_read,
    use_areas_stored,
    use_problems,
)
from app.domain.validation import CounterForm, counter_problems, counter_summary
from app.resources import ROOT

D = Decimal
SPLIT = (("residential", D("1500")), ("commercial", D("629.70")))


def test_the_use_codes_and_names_are_the_receipts_and_in_one_place():
    shipped = json.loads((ROOT / "documents" / "receipt_fa.json").read_text(encoding="utf-8"))
    assert shipped["uses"] == USES_FA
    assert USES_FA["mixed"] == "مختلط" and set(SPLIT_USES) == set(USES_FA) - {"mixed"}


def test_a_building_of_one_use_has_no_split_and_a_mixed_one_needs_it():
    assert use_problems("residential", D("450"), ()) == {}
    assert use_problems("office", D("450"), []) == {}
    assert use_problems("mixed", D("2129.70"), SPLIT) == {}
    assert use_problems("mixed", D("2129.7"), [list(x) for x in SPLIT]) == {}  # as JSON gives
    # the field each fault belongs to, said in Persian
    assert set(use_problems("hotel", D(1), ())) == {"use"}
    assert "مختلط" in use_problems("residential", D("2129.70"), SPLIT)["use_areas"]
    assert "دست‌کم دو" in use_problems("mixed", D("450"), ())["use_areas"]
    assert "دست‌کم دو" in use_problems("mixed", D("450"), (("office", D(450)),))["use_areas"]
    three = (("residential", D(100)), ("commercial", D(200)), ("office", D("150.25")))
    assert use_problems("mixed", D("450.25"), three) == {}


@pytest.mark.parametrize(
    ("split", "field", "words"),
    [
        ((("residential", D(0)), ("commercial", D(450))), "area_residential", "بیشتر از صفر"),
        ((("residential", D(-5)), ("commercial", D(455))), "area_residential", "بیشتر از صفر"),
        ((("residential", D(200)), ("commercial", D("250.001"))), "area_commercial", "دو رقم"),
        ((("residential", D(200)), ("commercial", D("NaN"))), "area_commercial", "بازه"),
        ((("residential", D(200)), ("commercial", "250")), "area_commercial", "عدد"),
        ((("residential", D(200)), ("commercial", True)), "area_commercial", "عدد"),
        ((("residential", D(200)), ("hotel", D(250))), "use_areas", "شناخته نیست"),
        ((("residential", D(200)), ("residential", D(250))), "use_areas", "دو بار"),
        ((("residential", D(200)), ("commercial", D(200))), "use_areas", "برابر نیست"),
        ((("residential", D(200)), ("commercial", D("250.01"))), "use_areas", "برابر نیست"),
        ("residential", "use_areas", "فهرست"),
        (((1, D(200)), ("commercial", D(250))), "use_areas", "شناخته نیست"),
        ((("residential",),), "use_areas", "فهرست"),
    ],
)
def test_a_wrong_split_is_named_by_its_field(split, field, words):
    problems = use_problems("mixed", D(450), split)
    assert list(problems) == [field] and words in problems[field]


def test_the_sum_is_exact_in_hundredths_and_says_both_totals():
    why = use_problems("mixed", D("2129.70"), (("residential", D(1500)), ("commercial", D(600))))
    assert why == {
        "use_areas": "جمع زیربناها (۲٬۱۰۰ مترمربع) با زیربنای کل (۲٬۱۲۹٫۷ مترمربع) برابر نیست"
    }
    assert area_text(D("1500.00")) == "۱٬۵۰۰" and area_text(D("629.70")) == "۶۲۹٫۷"


def test_the_counter_takes_persian_digits_and_names_the_row():
    ok = {"residential": "۱٬۵۰۰", "commercial": "۶۲۹٫۷", "office": ""}
    assert typed_use_problems("mixed", "۲۱۲۹٫۷", ok) == {}
    assert typed_use_problems("residential", "450", {}) == {}
    bad = typed_use_problems("mixed", "2129.7", {"residential": "یک", "commercial": "0"})
    assert list(bad) == ["area_residential", "area_commercial"]
    one = typed_use_problems("mixed", "2129.7", {"commercial": "2129.7"})
    assert list(one) == ["use_areas"]
    # the counter's summary names each field in Persian, in the form's order
    form = CounterForm(
        owner_code="0499370899",
        plate="12/3",
        area="۲۱۲۹٫۷",
        floors=4,
        use="mixed",
        use_areas=(("residential", "۱۵۰۰"), ("commercial", "۶۰۰")),
    )
    assert counter_summary(counter_problems(form)) == (
        "زیربنا به تفکیک کاربری: جمع زیربناها (۲٬۱۰۰ مترمربع) با زیربنای کل (۲٬۱۲۹٫۷ مترمربع)"
        " برابر نیست"
    )
    fixed = CounterForm(**{**form.__dict__, "use_areas": (("residential", "۱۵۰۰"),)})
    assert "دست‌کم دو کاربری" in counter_summary(counter_problems(fixed))
    right = CounterForm(
        **{**form.__dict__, "use_areas": (("residential", "۱۵۰۰"), ("commercial", "۶۲۹٫۷"))}
    )
    assert counter_problems(right) == {}


def test_the_split_is_stored_as_decimal_strings_in_the_papers_order():
    stored = use_areas_stored((("commercial", D("629.7")), ("residential", D(1500))))
    assert stored == {"residential": "1500.00", "commercial": "629.70"}
    assert list(stored) == ["residential", "commercial"]
    assert use_areas_stored(()) is None
    assert use_areas_read(stored) == (("residential", D("1500.00")), ("commercial", D("629.70")))
    assert use_areas_read(None) == ()

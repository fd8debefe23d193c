"""The right-to-left text layer: HarfBuzz shaping per bidi run, a logical text layer (what
pdftotext, a reader's search and copy-paste give back), brackets, digit runs, Latin inside
Persian, ZWNJ, the ezafe «هٔ», wrapping, tables."""

from __future__ import annotations

import itertools
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pdftools import NEEDS_POPPLER, has, pdf_text
from persian_tools.digits import convert_to_word

from reports.layout import BOLD, REGULAR, Column, Page, register_fonts
from reports.rtl import (
    ZWNJ,
    fa_area,
    fa_digits,
    fa_number,
    logical_text,
    number_to_words,
    rials,
    rials_in_words,
    rtl_columns,
    shape,
    text_width,
    wrap,
)


def drawn(text: str, font: str = REGULAR) -> str:
    """What the glyphs of a shaped line stand for, in drawing order (left to right), without
    the right-to-left marks drawn for PDF readers (no width, nothing seen)."""
    register_fonts()
    return logical_text(shape(text, font), font).replace("\u200f", "")


def one_line_pdf(*lines: str, bold: bool = False) -> str:
    p = Page("t")
    for ln in lines:
        p.line(ln, bold=bold)
    return pdf_text(p.bytes())


# what a reader must give back as typed: numbers, codes, Latin and punctuation inside Persian
READ_BACK = (
    "ماده ۱ — موضوع قرارداد",
    "زیربنای کل ۲٬۱۲۹٫۷ مترمربع است",
    "کد رهگیری و رمزینه (QR) این قرارداد",
    "کد پستی ۶۱۵۵۷۸۳۳۴۱، تلفن ۰۶۱۳۳۳۸۱۲۴۰، به نمایندگی",
    "سال ۱۴۰۳ – استان تهران",
    "شماره قرارداد: ۱۴۰۵-۰۰۶۸۲",
    "پرونده ۱۴۰۵-۰۰۹۲ در تاریخ ۱۴۰۵/۰۹/۱۱ ساعت ۰۸:۳۸ ثبت شد.",
    "نشانی https://nezarat.example/verify/ABC-123 را باز کنید.",
    "مبلغ ۱۲٬۳۴۵٬۰۰۰ ریال (دوازده میلیون) پرداخت شد.",
    "مهندسی، طبقه دوم. سپس: امضا",
    "سهم ۴۵ درصد و ۲۰٫۵ مترمربع: ۱۲٬۵۰۰/۳ ریال",
)


@NEEDS_POPPLER
@pytest.mark.parametrize("bold", [False, True])
def test_pdftotext_gives_back_numbers_and_punctuation_in_reading_order(bold):
    """Poppler (pdftotext, Evince, Okular) counts a number's separators as digits and reads
    everything between a number and the next Arabic letter as left to right: without the
    reader marks «ماده ۱ — موضوع» came back «ماده  — ۱موضوع» and «مهندسی، طبقه» as
    «مهندسی ،طبقه». Each line is compared whole, spaces included (`has` would not see a
    moved space)."""
    got = [ln.strip() for ln in one_line_pdf(*READ_BACK, bold=bold).splitlines() if ln.strip()]
    assert got[: len(READ_BACK)] == [unicodedata.normalize("NFKC", ln) for ln in READ_BACK]


@NEEDS_POPPLER
def test_the_text_layer_is_logical_persian_that_a_search_finds():
    """«قرارداد» is found as typed: base letters (no presentation forms U+FB50–U+FEFF) in
    reading order, not the glyph order."""
    p = Page("t")
    p.line("قرارداد نظارت بر اجرای ساختمان")
    p.line("پلاک ثبتی و نشانی ملک", bold=True)
    import subprocess

    raw = subprocess.run(
        ["pdftotext", "-", "-"], input=p.bytes(), capture_output=True, check=True
    ).stdout.decode()
    assert "قرارداد نظارت بر اجرای ساختمان" in raw  # no NFKC folding needed
    assert "پلاک ثبتی و نشانی ملک" in raw  # the lam-alef ligature gives ل then ا
    assert not any(0xFB50 <= ord(c) <= 0xFEFF for c in raw)
    assert not any(0xE000 <= ord(c) <= 0xF8FF for c in raw)  # no private code point leaks


def test_a_right_to_left_line_is_drawn_last_word_first():
    register_fonts()
    assert drawn("قرارداد نظارت") == "تراظن دادرارق"


def test_brackets_are_mirrored_in_a_right_to_left_line_and_read_back_as_typed():
    # the leftmost glyph drawn is the bracket that *closes* «(ریال)» read right to left: the
    # glyph of "(" — and it stands for the ")" that was typed
    register_fonts()
    sh = shape("مبلغ (ریال)", REGULAR)
    from reports.rtl import shaping_font

    f = shaping_font(REGULAR)
    assert f.face.charToGlyph[ord(sh.chars[0])] == f.face.charToGlyph[ord("(")]
    assert drawn("مبلغ (ریال)") == ")لایر( غلبم"


@NEEDS_POPPLER
def test_brackets_come_out_of_the_pdf_as_typed():
    assert has(one_line_pdf("ناظر هماهنگ‌کننده (ناظر عمران) هنوز انتخاب نشده"), "(ناظر عمران)")


def test_latin_and_digit_runs_stay_left_to_right_inside_persian():
    d = drawn("پلاک 1234/56 و ۷۸۹ متر")
    assert "1234/56" in d and "۷۸۹" in d
    assert d.index("۷۸۹") < d.index("1234/56")  # the later number is drawn further left
    assert "Nezarat Desk" in drawn("نسخه Nezarat Desk برای دفتر")


def test_a_code_with_dashes_after_persian_letters_keeps_its_order():
    # bidi rule W2 makes digits after Arabic letters "Arabic numbers", which a "-" does not
    # join: without the left-to-right mark «۱۴۰۵-۰۰۱۲» printed as ۰۰۱۲-۱۴۰۵.
    assert drawn("پرونده ۱۴۰۵-۰۰۱۲").startswith("۱۴۰۵-۰۰۱۲ ")
    assert drawn("شماره ق-1405-0012").startswith("1405-0012-")
    # and what follows a code is not pulled into its left-to-right run
    assert drawn("تلفن ۰۲۱-۱۲۳ — nezam.ir").startswith("nezam.ir — ۰۲۱-۱۲۳")
    assert "\u200e" not in drawn("پرونده ۱۴۰۵-۰۰۱۲") and "\u200f" not in drawn("الف ۱-۲")


@NEEDS_POPPLER
def test_digit_runs_come_out_of_the_pdf_in_order():
    text = one_line_pdf("مبلغ ۱۲٬۳۴۵٬۶۷۸ ریال به شماره پیگیری 98765 در 1405/08/21")
    assert "۱۲٬۳۴۵٬۶۷۸" in text and "98765" in text and "1405/08/21" in text
    assert has(one_line_pdf("پرونده ۱۴۰۵-۰۰۴۲ پذیرفته شد"), "پرونده ۱۴۰۵-۰۰۴۲ پذیرفته شد")


def test_negative_numbers_keep_the_minus_on_the_left():
    assert drawn(fa_number(-111.66, 2)) == "-۱۱۱٫۶۶"
    assert drawn("امتیاز " + fa_number(-5)).startswith("-۵ ")


def test_zwnj_is_kept_and_stops_the_join():
    d = drawn("می\u200cشود")
    assert ZWNJ in d
    assert d == "دوش" + ZWNJ + "یم"
    # «می» alone and «می» before a ZWNJ are the same glyphs: the ZWNJ stopped the join
    assert shape("می\u200cشود", REGULAR).chars.endswith(shape("می", REGULAR).chars)


@NEEDS_POPPLER
def test_zwnj_and_the_ezafe_come_out_of_the_pdf():
    text = one_line_pdf("خانهٔ ناظر هماهنگ‌کننده می‌شود")
    assert "خانهٔ" in text  # U+0654 kept (arabic-reshaper's default deleted it)
    assert "هماهنگ\u200cکننده" in text and "می\u200cشود" in text


def test_the_ezafe_hamza_is_drawn_on_its_heh():
    d = drawn("خانهٔ")
    assert "\u0654" in d  # the mark is shaped, not dropped
    assert shape("خانهٔ", REGULAR).chars != shape("خانه", REGULAR).chars


@NEEDS_POPPLER
@pytest.mark.parametrize("bold", [False, True])
def test_a_word_with_a_tanvin_comes_out_of_the_pdf_whole(bold):
    """The tanvin U+064B (bidi class NSM) is drawn raised over its alef; a reader must still
    read «فوراً» as one word, not «فورا ً» — in a plain line, and beside digits and a code."""
    p = Page("t")
    p.line("هرگونه مغایرت را فوراً و کتباً گزارش می‌دهند", bold=bold)
    p.line("ماده ۱۲: فوراً (ظرف ۱۰ روز) به پرونده ۱۴۰۵-۰۰۱۲", bold=bold)
    p.line("خانهٔ ناظر هماهنگ‌کننده محقّق شد", bold=bold)
    text = pdf_text(p.bytes())
    words = text.split()
    assert "هرگونه مغایرت را فوراً و کتباً گزارش می\u200cدهند" in text
    assert "\u064b" not in words and "فورا" not in words  # no tanvin left as a word
    assert text.count("فوراً") == 2 and has(text, "فوراً (ظرف ۱۰ روز)")
    assert "خانهٔ" in words and "هماهنگ\u200cکننده" in words  # ezafe and ZWNJ still pass
    assert "محقّق" in words  # a shadda inside a word, too


def test_a_mark_is_text_of_the_letter_before_it():
    """The tanvin's glyph stands for nothing; the alef's glyph under it for «اً»: the glyphs
    still draw the same line, and read back (drawing order) the mark comes with its letter."""
    register_fonts()
    sh, plain = shape("فوراً", REGULAR), shape("فورا", REGULAR)
    assert len(sh.chars) == len(plain.chars) + 1 and sh.rises  # the mark drawn, raised
    assert drawn("فوراً") == "ًاروف"
    from reports.rtl import to_unicode

    assert [to_unicode(REGULAR, ord(c)) for c in sh.chars[:2]] == ["", "ًا"]


def test_bold_and_regular_shape_with_their_own_glyphs():
    assert drawn("قرارداد", BOLD) == drawn("قرارداد", REGULAR) == "دادرارق"
    assert text_width("قرارداد", BOLD, 10) > text_width("قرارداد", REGULAR, 10)


def test_long_paragraph_wraps_into_lines_in_logical_top_to_bottom_order():
    register_fonts()
    words = [f"واژه{fa_digits(i)}" for i in range(120)]
    text = " ".join(words)
    lines = wrap(text, REGULAR, 10, 200)
    assert len(lines) > 5
    # reading the lines top to bottom gives the text back in order
    assert " ".join(lines).split(" ") == words
    assert lines[0].split(" ")[0] == words[0] and lines[-1].split(" ")[-1] == words[-1]
    assert all(text_width(ln, REGULAR, 10) <= 200 for ln in lines)
    # and each line is full: its next word would not have fitted
    for ln, nxt in itertools.pairwise(lines):
        assert text_width(ln + " " + nxt.split(" ")[0], REGULAR, 10) > 200


def test_wrap_keeps_explicit_line_breaks_and_zwnj_words_whole():
    register_fonts()
    lines = wrap("نخست می\u200cشود\nدوم", REGULAR, 10, 500)
    assert lines == ("نخست می\u200cشود", "دوم")


@NEEDS_POPPLER
def test_a_long_wrapped_paragraph_comes_out_of_the_pdf_word_for_word():
    words = ["ناظر", "هماهنگ‌کننده", "پروانهٔ", "(ساختمان)", "۱۴۰۵-۰۰۴۲", "ماده", "۳-۱", "قرارداد"]
    text = " ".join(words * 12)
    p = Page("t")
    p.para(text)
    out = pdf_text(p.bytes())
    assert out.count("\n") > 3  # it wrapped
    assert has(out, text)


@NEEDS_POPPLER
def test_paragraph_lines_come_out_of_the_pdf_top_to_bottom():
    def word(i: int) -> str:  # a distinct Persian word per index, letters only
        return "س" + "".join("ابپتثجچحخد"[int(d)] for d in str(i))

    p = Page("t")
    words = [word(i) for i in range(200)]
    p.para(" ".join(words))
    text = pdf_text(p.bytes())
    found = [w for w in text.split() if w.startswith("س")]
    assert found == words
    assert text.count("\n") > 5  # and it did wrap


def test_rtl_columns_reverse_the_logical_order():
    assert rtl_columns(["ردیف", "نام", "کد"]) == ["کد", "نام", "ردیف"]


@NEEDS_POPPLER
def test_table_columns_run_right_to_left(tmp_path):
    import subprocess

    p = Page("t")
    p.table(
        [Column("H1", 1), Column("H2", 1), Column("H3", 1)],
        [["R1C1", "R1C2", "R1C3"]],
    )
    pdf = tmp_path / "t.pdf"
    pdf.write_bytes(p.bytes())
    html = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    import re

    x = {w: float(a) for a, w in re.findall(r'xMin="([\d.]+)"[^>]*>([^<]+)</word>', html)}
    assert x["H1"] > x["H2"] > x["H3"]
    assert x["R1C1"] > x["R1C2"] > x["R1C3"]


# ---------------------------------------------------------------- numbers


def test_persian_digits_and_separators():
    assert fa_digits("1405-08-28") == "۱۴۰۵-۰۸-۲۸"
    assert fa_number(1234567) == "۱٬۲۳۴٬۵۶۷"
    assert fa_number(0) == "۰"
    assert rials(5_000_000) == "۵٬۰۰۰٬۰۰۰ ریال"
    assert fa_area("2991.01") == "۲٬۹۹۱٫۰۱" and fa_area("450.00") == "۴۵۰"
    assert fa_area("2129.7") == "۲٬۱۲۹٫۷۰"  # as in a table's column: one area, one form


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (0, "صفر"),
        (7, "هفت"),
        (12, "دوازده"),
        (19, "نوزده"),
        (40, "چهل"),
        (101, "صد و یک"),
        (250, "دویست و پنجاه"),
        (1000, "یک هزار"),
        (1_250_000, "یک میلیون و دویست و پنجاه هزار"),
        (16_303_693_000, "شانزده میلیارد و سیصد و سه میلیون و ششصد و نود و سه هزار"),
        (10**12, "یک هزار میلیارد"),
        (2 * 10**12 + 5, "دو هزار میلیارد و پنج"),
    ],
)
def test_number_to_words(n, words):
    assert number_to_words(n) == words


@given(st.integers(min_value=1, max_value=10**12 - 1))
def test_number_to_words_agrees_with_persian_tools_below_a_thousand_billion(n):
    assert number_to_words(n) == convert_to_word(n)


def test_rials_in_words():
    assert rials_in_words(5_000_000) == "پنج میلیون ریال"


@NEEDS_POPPLER
def test_justified_paragraph_lines_reach_both_margins_but_the_last(tmp_path):
    import re
    import subprocess
    from collections import defaultdict

    p = Page("t")
    p.para(" ".join(["نظارت"] * 20 + ["ساختمان"] * 20 + ["پایان"]))
    pdf = tmp_path / "j.pdf"
    pdf.write_bytes(p.bytes())
    html = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    lines = defaultdict(list)
    for x0, y0, x1 in re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)"', html):
        lines[round(float(y0))].append((float(x0), float(x1)))
    body = [v for y, v in sorted(lines.items()) if y < p.height - 60]  # not the footer
    assert len(body) >= 3
    for words in body:
        assert max(x1 for _, x1 in words) == pytest.approx(p.right, abs=1.5)
    for words in body[:-1]:
        assert min(x0 for x0, _ in words) == pytest.approx(p.left, abs=1.5)
    assert min(x0 for x0, _ in body[-1]) > p.left + 50  # the last line stays ragged

"""Issue 6: the members import (app/services/members_import.py, `main.py import-members`) fed
hostile IMS exports, as CSV and as XLSX: every bad row gets a Persian reason in the report and
writes nothing, the good rows of the same file still land, and a file that cannot be read at
all is refused in Persian with nothing written. Issue 16: every usual spelling of a discipline
is read; one membership number written with another dash or in full-width digits is one
member; the command's exit status tells "done with refusals" from a crash.

NZ_FUZZ_EXAMPLES=N sets the number of files (CI: a few, derandomized)."""

from __future__ import annotations

import csv
import io
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from fuzz_support import (
    FUZZ,
    PERSIAN_LETTER,
    REFUSALS,
    Seed,
    check_refusal,
    counts,
    postgres_fit,
    text,
)
from hypothesis import event, given
from hypothesis import strategies as st
from openpyxl import Workbook

from app.cli.money import EXIT_REFUSALS
from app.domain.text import national_code_ok
from app.services import members_import, users
from support import Office

CLI_PASSWORD = "clerk-pass-1405"

HEADER = [
    "شماره عضویت",
    "کد ملی",
    "نام",
    "نام خانوادگی",
    "نام پدر",
    "تلفن همراه",
    "رشته",
    "پایه",
    "شماره پروانه",
    "اعتبار پروانه",
    "سال عضویت",
    "عضویت تا سال",
    "امتیاز",
]
ENGLISH = [{**members_import.COLUMNS, **members_import.IGNORED}[h] for h in HEADER]


# ---------------------------------------------------------------- rows


def _code(nine: str) -> str:
    """The valid Iranian national code with these first nine digits."""
    r = sum(int(d) * (10 - i) for i, d in enumerate(nine)) % 11
    return nine + str(r if r < 2 else 11 - r)


national_codes = (
    st.text("0123456789", min_size=9, max_size=9)
    .map(lambda s: _code(s[:3] + s[3:8] + ("7" if s[3:9] == "00000" + s[8] else s[8])))
    .filter(national_code_ok)
)


@st.composite
def good_row(draw, n: int) -> list[str]:
    """A row the import must take (its membership number unique by `n`)."""
    return [
        draw(st.sampled_from([f"G-{n}", f"۷۷-{n}", f"77{n}"])),
        draw(national_codes.map(lambda c: draw(st.sampled_from([c, c.translate(_FA)])))),
        draw(st.sampled_from(["علي", "زهرا", "كاوه", "سارا"])),
        draw(st.sampled_from(["رضايي", "احمدی", "کریمی"])),
        draw(st.sampled_from(["", "حسن"])),
        draw(st.sampled_from(["", "09121234567", "۰۹۱۲۱۲۳۴۵۶۷"])),
        draw(st.sampled_from(["عمران", "civil", "معماری", "arch", "elec"])),
        draw(st.sampled_from(["1", "۲", "3", "ارشد", "پایه یک", "senior"])),
        draw(st.sampled_from(["", "P-1", "۱۲۳۴"])),
        draw(st.sampled_from(["", "1407/01/31", "۱۴۰۶/۱۲/۲۹"])),
        draw(st.sampled_from(["", "1390", "۱۴۰۰"])),
        draw(st.sampled_from(["", "1405", "1404"])),
        draw(st.sampled_from(["", "100", "12.5", "۸۰"])),
    ]


_FA = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
CELL = text(
    "1405",
    "1407/13/40",
    "9999/99/99",
    "1e5",
    "1.5",
    "-3",
    "NaN",
    "Infinity",
    "1e999999",
    "12.345",
    "۱۴۰۵",
    "0013542419",
    "pilot",
    "عمران",
    "7",
    size=40,
)


YEARS = ["0", "-1405", "1300.5", "1e3", "99999999999999999999", "1501", "۱۲۹۹"]
DATES = ["1405/12/30", "0/0/0", "99999/1/1", "1405-01-01", "14050101", "1405/1/1/1", "٣١/٠١/١٤٠٧"]
# per column of HEADER: what an export gets wrong in that column
COLUMN_HOSTILE = [
    ["", "   ", "G-1", "x" * 40, "۱۲\u200c۳", "E1"],  # membership no
    ["", "1111111111", "00135424190000", "0013542418", "۰۰۸۴۵۷۵۹۴۸", "84575948"],
    ["", "\x00", "ي" * 101],  # first name
    ["", "\t", "ك" * 101],  # last name
    ["ي" * 101, "\x1b[31m"],  # father's name
    ["0912", "0912123456789012345", "+98 912 123 4567", "abc"],  # mobile
    ["CIVIL", " عمران ", "عمران و معماری", "coord", "0"],  # discipline
    ["0", "1.0", "4", "پایه چهار", "SENIOR", "۱٫۰"],  # grade
    ["P" * 41, "\x00"],  # licence no
    DATES,
    YEARS,  # member since
    YEARS,  # paid through
    ["NaN", "1.234", "-1", "1e30", "Infinity", "۱۲٫۵", "12,5", "sNaN", "1e-7"],  # score
]


@st.composite
def bad_row(draw, n: int) -> list[str]:
    """A good row with some cells replaced by hostile ones (it may still be good)."""
    row = draw(good_row(n))
    for i in draw(st.lists(st.integers(0, len(row) - 1), min_size=1, max_size=4)):
        row[i] = draw(st.one_of(st.sampled_from(COLUMN_HOSTILE[i]), CELL))
    if draw(st.booleans()):
        row = row[: draw(st.integers(0, len(row)))]  # a short row
    return row


@st.composite
def export(draw) -> tuple[list[list[str]], set[int]]:
    """Header + rows; the indexes of the rows built good (they must all land)."""
    rows, good = [], set()
    for n in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(["good", "bad", "bad", "blank", "dup"]))
        if kind == "good":
            good.add(len(rows))
            rows.append(draw(good_row(n)))
        elif kind == "blank":
            rows.append(["", " "])
        elif kind == "dup" and rows:
            rows.append(list(draw(st.sampled_from(rows))))
        else:
            rows.append(draw(bad_row(n)))
    header = draw(st.sampled_from([HEADER, ENGLISH, [*HEADER, "ستون ناشناخته"], HEADER[::-1]]))
    if header is HEADER[::-1] or header == HEADER[::-1]:
        rows = [r[::-1] if len(r) == len(HEADER) else r for r in rows]
    return [header, *rows], good


def as_csv(table: list[list[str]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerows(table)
    return buf.getvalue().encode("utf-8")


def as_xlsx(table: list[list[str]]) -> bytes:
    wb = Workbook()
    for r in table:
        wb.active.append([_xlsx_safe(c) for c in r])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _xlsx_safe(cell: str) -> str | int:
    # openpyxl refuses control characters in a cell (Excel cannot hold them), and an IMS export
    # has numbers as numbers
    cell = "".join(ch for ch in cell if ch >= " " or ch in "\t\n\r")
    number = cell.isascii() and cell.isdigit() and not cell.startswith("0") and len(cell) < 16
    return int(cell) if number else cell


# ---------------------------------------------------------------- the office


@pytest.fixture(scope="module")
def seed(tmp_path_factory) -> Seed:
    path = tmp_path_factory.mktemp("fuzz-import") / "seed.sqlite"
    o = Office(f"sqlite:///{path}")
    o.engineer("E1", national_id="0084575948")  # already registered: skipped / refused
    users.create_user(o.admin, "cli-clerk", "کارشناس", "clerk", password=CLI_PASSWORD)
    actors = {n: getattr(o, n).actor for n in ("admin", "clerk", "finance")}
    now = o.clock.now
    o.engine.dispose()
    return Seed(str(path), now, actors, {})


def _registered(desk) -> set[str]:
    raw = desk.engine.raw_connection().driver_connection
    return {r[0] for r in raw.execute("SELECT membership_no FROM engineers")}


@FUZZ
@given(table=export(), fmt=st.sampled_from(["csv", "xlsx"]))
def test_bad_rows_are_reported_in_persian_and_write_nothing_good_rows_land(seed, table, fmt):
    table, good = table
    data = as_csv(table) if fmt == "csv" else as_xlsx(table)
    desk = seed.desk()
    try:
        before, known = desk.state(), _registered(desk)
        report = members_import.import_members(desk.ctx("clerk"), data, f"ims.{fmt}")
        after = desk.state()
    finally:
        desk.close()
    rows = {i + 2: r for i, r in enumerate(table[1:])}  # file row numbers, header = 1
    filled = {n for n, r in rows.items() if any(str(c).strip() for c in r)}
    assert report.rows == len(filled)
    bad_rows = {p.row for p in report.problems}
    assert bad_rows <= filled
    for p in report.problems:  # row, field (its Persian column) and a Persian reason
        assert PERSIAN_LETTER.search(p.reason), p
        assert PERSIAN_LETTER.search(p.field) or p.field == "—", p
    # each filled row is exactly one of: added, skipped (already registered), refused
    assert len(report.added) + len(report.skipped) + len(bad_rows) == report.rows, report
    assert set(report.added).isdisjoint(known) and set(report.skipped) <= known
    # the good rows land (unless the file repeats one: the repeat is the refused row)
    for i in good:
        n = i + 2
        if n not in bad_rows:
            continue
        reasons = [p.reason for p in report.problems if p.row == n]
        assert all("تکراری" in r or "قبلاً" in r for r in reasons), (rows[n], reasons)
    # nothing half-written: only the added engineers, each with its one competence and line
    # of the audit trail; a refused row left no trace in any table
    added = _added(before, after)
    assert added == set(report.added)
    grown = {t: n - counts(before)[t] for t, n in counts(after).items()}
    assert grown["engineers"] == grown["competences"] == len(report.added)
    assert grown["audit_log"] == len(report.added)
    assert not postgres_fit(after)
    event(f"added: {min(len(report.added), 3)}, refused rows: {min(len(bad_rows), 3)}")
    for p in report.problems:
        event(f"refused: {p.field}")


def _added(before, after) -> set[str]:
    col = 2  # engineers: id, kind, membership_no, …
    from app.db.models import Engineer

    col = [c.name for c in Engineer.__table__.columns].index("membership_no")
    return {r[col] for r in after["engineers"]} - {r[col] for r in before["engineers"]}


HOSTILE_FILES = st.one_of(
    st.binary(max_size=200),  # anything at all
    st.sampled_from(
        [
            b"",
            b"\xff\xfe\x00\x00",
            "شماره عضويت,كد ملي\n12,1".encode("cp1256"),  # the Windows Arabic code page
            "شماره عضویت,کد ملی\n12,۰۰۱".encode("utf-16"),
            b"PK\x03\x04 not really a workbook",
            "شماره عضویت\n\x00\x00\n".encode(),
            b'"unterminated\n',
            b"a,b\r\n1\r2,3\n",
        ]
    ),
    st.text(max_size=200).map(lambda t: t.encode("utf-8")),
)


@FUZZ
@given(data=HOSTILE_FILES, name=st.sampled_from(["ims.csv", "ims.xlsx", "ims.CSV", "ims.xlsm"]))
def test_a_file_that_cannot_be_read_is_refused_in_persian_and_writes_nothing(seed, data, name):
    desk = seed.desk()
    try:
        before = desk.state()
        try:
            report = members_import.import_members(desk.ctx("clerk"), data, name)
        except REFUSALS as exc:
            check_refusal(exc)
            assert desk.state() == before, "a refused file wrote something"
            return
        after = desk.state()
    finally:
        desk.close()
    assert all(PERSIAN_LETTER.search(p.reason) for p in report.problems)
    assert counts(after)["engineers"] - counts(before)["engineers"] == len(report.added)
    assert not postgres_fit(after)


def test_the_command_reports_in_persian_and_refuses_an_unreadable_file(seed, tmp_path):
    """`main.py import-members`: a mixed file lands its good row and reports the rest (exit
    EXIT_REFUSALS, not Python's 1 of a crash); a file in another encoding is refused with one
    Persian line (exit 2), no traceback."""
    db = tmp_path / "office.sqlite"
    shutil.copyfile(seed.path, db)
    url = f"sqlite:///{db}"
    mixed = tmp_path / "ims.csv"
    bad = ["B-1", "0013542418", "\x00", "x" * 500, "", "", "pilot", "9", "", "1407/13/40"]
    mixed.write_bytes(
        as_csv([HEADER, ["G-1", "0013542419", "علي", "كريمي", "", "", "عمران", "1"], bad])
    )
    run = _main("import-members", str(mixed), "--db", url, "--user", "cli-clerk")
    assert run.returncode == EXIT_REFUSALS != 1, run.stderr
    assert "افزوده: 1" in run.stdout and "ردیف 3" in run.stdout
    assert "Traceback" not in run.stderr and "1/1 ردیف افزوده شد" in run.stderr  # progress
    assert "ردیف 3" in (tmp_path / "ims.csv.report.txt").read_text(encoding="utf-8")
    legacy = tmp_path / "legacy.csv"
    legacy.write_bytes("شماره عضويت,كد ملي\n12,1\n".encode("cp1256"))
    run = _main("import-members", str(legacy), "--db", url, "--user", "cli-clerk")
    assert run.returncode == 2, (run.stdout, run.stderr)
    assert PERSIAN_LETTER.search(run.stderr) and "Traceback" not in run.stderr


def _main(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "main.py", *args],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
        timeout=120,
        env={**os.environ, "NEZARAT_PASSWORD": CLI_PASSWORD},
    )


# ---------------------------------------------------------------- issue 16

SPELLINGS = {
    "arch": ["معماری", "معماري", "arch"],
    "civil": ["عمران", "Civil"],
    "mech": ["تأسیسات مکانیکی", "تاسیسات مکانیکی", "تاسیسات  مکانيکی", "مکانیک", "mech"],
    "elec": ["تأسیسات برقی", "تاسیسات برقی", "تأسیسات\u200cبرقی", "برق", "elec"],
    "survey": ["نقشه‌برداری", "نقشه برداری", "نقشهبرداری"],
    "urban": ["شهرسازی", "شهر سازی"],
    "traffic": ["ترافیک", "ترافيک"],
}


def _row(no: str, code: str, discipline: str = "عمران") -> list[str]:
    return [no, code, "علی", "رضایی", "", "", discipline, "1"]


def test_every_usual_spelling_of_a_discipline_is_read():
    for code, names in SPELLINGS.items():
        for name in names:
            e, problems = members_import.parse_row(
                dict(zip(ENGLISH, _row("1", "0013542419", name), strict=False)), 2
            )
            assert not problems and e is not None, (name, problems)
            assert e.competences[0].discipline == code, name
    for wrong in ["عمران و معماری", "برقی مکانیک", "coord", "0"]:
        _, problems = members_import.parse_row(
            dict(zip(ENGLISH, _row("1", "0013542419", wrong), strict=False)), 2
        )
        assert [p.field for p in problems] == ["رشته"], wrong


def test_membership_numbers_with_another_dash_or_full_width_digits_are_one_member(seed):
    """7-28003, 7–28003 (en dash), 7‐28003 (U+2010) and ７-２８００３ (full-width) are one
    membership number (`normalize_code`): the first row lands, the others are repeats of it,
    and a later file with any of them finds the member already registered."""
    forms = ["7-28003", "7–28003", "7‐28003", "７-２８００３", "7−28003"]
    codes = [_code(f"00{n}1234567"[:9]) for n in range(len(forms))]
    table = [HEADER, *(_row(no, code) for no, code in zip(forms, codes, strict=True))]
    desk = seed.desk()
    try:
        report = members_import.import_members(desk.ctx("clerk"), as_csv(table), "ims.csv")
        assert report.added == ["7-28003"], report.as_text()
        assert {p.row for p in report.problems} == {3, 4, 5, 6}, report.as_text()
        assert all("تکراری" in p.reason for p in report.problems), report.as_text()
        again = [HEADER, _row("７–２８００３", codes[0])]
        report = members_import.import_members(desk.ctx("clerk"), as_csv(again), "ims.csv")
        assert report.skipped == ["7-28003"] and not report.added, report.as_text()
    finally:
        desk.close()


def test_done_with_refusals_keeps_the_imported_rows_and_lists_each_refused_one(seed, tmp_path):
    """A referral office's reading of the exit status: EXIT_REFUSALS when some rows were
    refused and the others imported (kept, whatever the status); 0 when none was refused;
    both documented in the command's help."""
    db = tmp_path / "office.sqlite"
    shutil.copyfile(seed.path, db)
    url = f"sqlite:///{db}"
    mixed = tmp_path / "ims.csv"
    rows = [
        _row("G-1", "0013542419", "تاسیسات برقی"),
        _row("G-2", "123", "برق"),  # a national code of three digits
        _row("G-3", "0084575948", "مکانیک"),  # E1's national code
        _row("G-4", "0013542427", "ریاضی"),  # no such discipline
        _row("G-5", _code("001354243"), "نقشه برداری"),
    ]
    mixed.write_bytes(as_csv([HEADER, *rows]))
    run = _main("import-members", str(mixed), "--db", url, "--user", "cli-clerk")
    assert run.returncode == EXIT_REFUSALS, (run.stdout, run.stderr)
    assert "Traceback" not in run.stderr
    report = (tmp_path / "ims.csv.report.txt").read_text(encoding="utf-8")
    for row, field in [(3, "کد ملی"), (4, "کد ملی"), (5, "رشته")]:
        assert f"ردیف {row} — {field}: " in report, report
    assert "ردیف 2 " not in report and "ردیف 6 " not in report, report
    with sqlite3.connect(db) as c:
        rows_in = dict(
            c.execute(
                "SELECT e.membership_no, c.discipline FROM engineers e "
                "JOIN competences c ON c.engineer_id = e.id WHERE e.membership_no LIKE 'G-%'"
            ).fetchall()
        )
    assert rows_in == {"G-1": "elec", "G-5": "survey"}
    clean = tmp_path / "clean.csv"
    clean.write_bytes(as_csv([HEADER, _row("G-6", _code("001354244"), "برق")]))
    run = _main("import-members", str(clean), "--db", url, "--user", "cli-clerk")
    assert run.returncode == 0, (run.stdout, run.stderr)
    help_text = _main("import-members", "--help").stdout
    assert f"{EXIT_REFUSALS}    done with refusals" in help_text, help_text

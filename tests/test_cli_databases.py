"""Only `demo`, `init`, `restore` and `simulate` make a database: every other command names a
missing file, a bad URL or an unreachable server in Persian (exit 2, one line, no traceback),
and `screenshots` / `documents` on a database without the demo say to build it first."""

from __future__ import annotations

import pytest

from main import main


def _run(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().err


@pytest.mark.parametrize(
    "command", ["tick", "verify-run", "send-sms", "audit", "backup", "verify-paper", "holidays"]
)
def test_a_mistyped_sqlite_file_is_named_not_made(tmp_path, capsys, command):
    missing = tmp_path / "nezarat.sqlit"
    argv = {
        "audit": ["audit", "verify"],
        "backup": ["backup", str(tmp_path / "b.gz")],
        "verify-paper": ["verify-paper", "AAAA-BBBB-CCCC"],
        "holidays": ["holidays", "show"],
    }.get(command, [command])
    code, err = _run(capsys, *argv, "--db", f"sqlite:///{missing}")
    assert code == 2 and "پیدا نشد" in err and str(missing) in err
    assert not missing.exists()


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("notaurl", "نامعتبر"),
        ("mysql://x@h/db", "sqlite"),
        ("postgresql+psycopg://nobody@127.0.0.1:1/none", "وصل نشد"),
    ],
)
def test_a_bad_url_or_an_unreachable_server_is_one_persian_line(capsys, url, words):
    code, err = _run(capsys, "tick", "--db", url)
    assert code == 2 and words in err and err.count("\n") == 1


def test_init_makes_a_database_once_and_the_papers_ask_for_the_demo(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'office.sqlite'}"
    assert _run(capsys, "init", "--db", url)[0] == 0
    code, err = _run(capsys, "init", "--db", url)
    assert code == 2 and "از پیش" in err
    assert _run(capsys, "tick", "--db", url)[0] == 0  # now it exists
    for command in ("documents", "screenshots"):
        code, err = _run(capsys, command, str(tmp_path / command), "--db", url)
        assert code == 2 and "main.py demo" in err, err
        assert not (tmp_path / command).exists()


def test_the_desk_names_a_missing_file_and_makes_only_its_own_default(tmp_path, monkeypatch):
    """The connection dialog's test and the login's opening refuse a SQLite file that is not
    there (a mistyped path is not a new, empty office); the desk's own default file is made
    on its first run (the one-desk zero-setup)."""
    from ui.app import _open_database, test_connection

    missing = tmp_path / "elsewhere" / "nezarat.sqlit"
    for step in (test_connection, _open_database):
        with pytest.raises(FileNotFoundError, match="پیدا نشد"):
            step(f"sqlite:///{missing}")
    assert not missing.exists() and not missing.parent.exists()
    monkeypatch.setenv("NEZARAT_DATA", str(tmp_path / "data"))
    from app.db.engine import default_url

    ctx = _open_database(default_url())
    ctx.engine.dispose()
    assert (tmp_path / "data" / "nezarat.sqlite").is_file()


@pytest.mark.parametrize("command", ["migrate", "serve", "create-admin"])
def test_the_server_commands_name_a_missing_file_too(tmp_path, capsys, monkeypatch, command):
    monkeypatch.setenv("NEZARAT_PASSWORD", "first-admin-1405")
    missing = tmp_path / "nezarat.sqlit"
    extra = ["--port", "0", "--data", str(tmp_path / "srv")] if command == "serve" else []
    code, err = _run(capsys, command, "--db", f"sqlite:///{missing}", *extra)
    assert code == 2 and "پیدا نشد" in err, err
    assert not missing.exists()


def test_serve_refuses_a_key_the_trail_was_not_chained_with(tmp_path, capsys):
    """A server started with another key file would refuse every write (each a 500): it says
    so, naming --key-file, before it listens."""
    from support import Office

    url = f"sqlite:///{tmp_path / 'office.sqlite'}"
    Office(url).engine.dispose()  # its people and their trail, under the installation's key
    other = tmp_path / "other.key"
    code, err = _run(
        capsys, "serve", "--db", url, "--port", "0", "--key-file", str(other),
        "--data", str(tmp_path / "srv"),
    )  # fmt: skip
    assert code == 2 and "--key-file" in err and "کلید دیگری" in err, err


def test_screenshots_acts_only_as_the_demo_people_by_their_passwords(tmp_path, capsys):
    """The tour (and its --money-sample, which writes) signs each person in with the demo's
    password: on an office's own database, whose clerk has another one, it stops before it
    draws or writes anything (issue 15: no command acts as a user without a password)."""
    from support import Office

    url = f"sqlite:///{tmp_path / 'office.sqlite'}"
    office = Office(url)
    office.engineer("7-100")  # every role and a file: past require_demo
    office.project()
    before = office.row_counts()
    code, err = _run(capsys, "screenshots", str(tmp_path / "shots"), "--money-sample", "--db", url)
    assert code == 2 and "گذرواژه نمایشی" in err and err.count("\n") == 1, err
    assert not (tmp_path / "shots").exists()
    after = office.row_counts()
    changed = {k for k in after if after[k] != before[k]}
    assert changed <= {"login_throttle", "audit_log"}, changed  # the refused sign-in is counted


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("nonsense://", "sqlite"),
        ("postgresql+psycopg://nobody@127.0.0.1:1/none", "127.0.0.1:1"),
    ],
)
def test_simulate_names_the_database_it_cannot_use_in_persian(tmp_path, capsys, url, words):
    from pathlib import Path

    scenario = Path(__file__).parent / "scenarios" / "A_signing_window_A9_A8_W2.json"
    code, err = _run(capsys, "simulate", str(scenario), "--db", url)
    assert code == 2 and words in err and "پایگاه داده" in err and err.count("\n") == 1


def test_bad_arguments_of_the_office_commands_are_one_persian_line(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'office.sqlite'}"
    assert _run(capsys, "init", "--db", url)[0] == 0
    code, err = _run(capsys, "verify-paper", "A" * 1000, "--db", url)
    assert code == 2 and "کد رهگیری" in err and "Traceback" not in err
    for limit in ("-5", "0", "99999999999999999999999", "lots"):
        with pytest.raises(SystemExit) as exc:
            main(["send-sms", "--limit", limit, "--db", url])
        assert exc.value.code == 2 and "۱۰٬۰۰۰" in capsys.readouterr().err


def test_import_members_by_a_user_without_the_right_is_refused_in_one_line(
    tmp_path, capsys, monkeypatch
):
    from app.db.migrate import open_database
    from app.services import users
    from app.services.context import ServiceContext

    url = f"sqlite:///{tmp_path / 'office.sqlite'}"
    engine = open_database(url)
    admin = users.bootstrap_admin(ServiceContext(engine), "admin", "Admin-Pass-1405")
    users.create_user(
        ServiceContext(engine).as_actor(admin), "fin", "مالی", "finance", "Fin-Pass-1405"
    )
    engine.dispose()
    members = tmp_path / "members.csv"
    members.write_text("شماره عضویت,نام\n7-1,علی\n", encoding="utf-8")
    monkeypatch.setenv("NEZARAT_PASSWORD", "Fin-Pass-1405")
    code, err = _run(capsys, "import-members", str(members), "--db", url, "--user", "fin")
    assert code == 2 and "(U1)" in err and "Traceback" not in err
    assert not (tmp_path / "members.csv.report.txt").exists()  # nothing half-done to report


SCENARIO = "A_signing_window_A9_A8_W2.json"


def _scenario() -> str:
    from pathlib import Path

    return str(Path(__file__).parent / "scenarios" / SCENARIO)


@pytest.mark.parametrize(
    "argv",
    [["bench-documents", "-n", "1"], ["documents", "--bench"], ["bench-desk", "--no-cold-start"]],
)
def test_the_benches_name_a_mistyped_database_not_make_it(tmp_path, capsys, argv):
    """A mistyped --db made a new database with the whole schema (bench-documents) or hung on
    it (bench-desk): it is named in Persian before any work, exit 2, and nothing is made."""
    missing = tmp_path / "wrongdb" / "nz.sqlit"
    code, err = _run(capsys, *argv, "--db", f"sqlite:///{missing}")
    assert code == 2 and "پیدا نشد" in err and str(missing) in err and err.count("\n") == 1, err
    assert not missing.parent.exists()


def test_simulate_makes_a_new_file_but_no_folder_tree(tmp_path, capsys):
    missing = tmp_path / "nonexistent" / "dir"
    code, err = _run(capsys, "simulate", _scenario(), "--db", f"sqlite:///{missing / 'x.sqlite'}")
    assert code == 2 and f"پوشه {missing} نیست" in err and err.count("\n") == 1, err
    assert not (tmp_path / "nonexistent").exists()
    (tmp_path / "afile").write_text("")  # a file where the folder should be: the same
    code, err = _run(capsys, "simulate", _scenario(), "--db", f"sqlite:///{tmp_path}/afile/x.db")
    assert code == 2 and str(tmp_path / "afile") in err
    new = tmp_path / "new.sqlite"  # a new file in a folder that is there: simulate makes it
    assert _run(capsys, "simulate", _scenario(), "--db", f"sqlite:///{new}")[0] == 0
    assert new.is_file()


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("notaurl", "نامعتبر"),
        ("garbage://", "sqlite"),
        ("mysql://u@h/x", "sqlite"),
        ("postgresql+psycopg://u:p@127.0.0.1:1/x", "وصل نشد"),
    ],
)
def test_demo_and_db_roles_name_a_bad_url_or_an_unreachable_server(capsys, url, words):
    code, err = _run(capsys, "demo", "--engineers", "10", "--projects", "1", "--db", url)
    assert code == 2 and words in err and err.count("\n") == 1, err
    assert "u:p@" not in err  # the password is not shown
    code, err = _run(capsys, "db-roles", "--apply", "--db", url)
    assert code == 2 and words in err and err.count("\n") == 1, err
    if not url.startswith("postgresql"):  # even when only printing the statements
        code, err = _run(capsys, "db-roles", "--db", url)
        assert code == 2 and words in err and err.count("\n") == 1, err


def test_demo_refuses_a_file_that_is_no_database_and_makes_its_own_folder(
    tmp_path, capsys, monkeypatch
):
    text = tmp_path / "notes.sqlite"
    text.write_text("not a database\n")
    code, err = _run(
        capsys, "demo", "--engineers", "10", "--projects", "1", "--db", f"sqlite:///{text}"
    )
    assert code == 2 and str(text) in err and err.count("\n") == 1, err
    assert text.read_text() == "not a database\n"
    # the first run: the data folder (~/.nezarat) is made with the demo's database in it
    monkeypatch.setenv("NEZARAT_DATA", str(tmp_path / "data"))
    code, _ = _run(capsys, "demo", "--engineers", "10", "--projects", "1")
    assert code == 0 and (tmp_path / "data" / "nezarat.sqlite").is_file()


def test_simulate_refuses_an_output_it_cannot_write_before_the_replay(tmp_path, capsys):
    """--out in a missing folder, on a folder, or under a file: one Persian line naming it,
    exit 2 — checked before the replay, so nothing is written to --db either."""
    (tmp_path / "afile").write_text("")
    db = tmp_path / "replay.sqlite"
    for out in (tmp_path / "nodir" / "x.json", tmp_path, tmp_path / "afile" / "x.json"):
        code, err = _run(
            capsys, "simulate", _scenario(), "--out", str(out), "--db", f"sqlite:///{db}"
        )
        assert code == 2 and str(out) in err and "نوشته نشد" in err, err
        assert err.count("\n") == 1 and "Traceback" not in err
        assert not db.exists()
    assert not (tmp_path / "nodir").exists()
    out = tmp_path / "result.json"
    assert _run(capsys, "simulate", _scenario(), "--out", str(out))[0] == 0
    assert out.read_text(encoding="utf-8").startswith("{")


@pytest.mark.parametrize("command", ["documents", "screenshots"])
def test_papers_and_screenshots_refuse_a_folder_they_cannot_make(tmp_path, capsys, command):
    afile = tmp_path / "afile"
    afile.write_text("")
    url = f"sqlite:///{tmp_path / 'office.sqlite'}"
    for out in (afile / command, afile):  # under a file, or a file itself
        code, err = _run(capsys, command, str(out), "--db", url)
        assert code == 2 and str(out) in err and "نوشته نشد" in err and err.count("\n") == 1, err
    assert afile.read_text() == ""
    assert not (tmp_path / "office.sqlite").exists()  # refused before the database is opened


@pytest.mark.parametrize("command", ["tick", "serve"])
@pytest.mark.parametrize("value", ["nan", "inf", "1e400", "-1", "-0.5", "lots"])
def test_tick_max_clock_skew_is_a_finite_number_of_seconds(tmp_path, capsys, value, command):
    """NaN or ∞ turned the clock guard off (every comparison with NaN is false); -1 refused
    every run as a clock difference. The server's guard takes the same."""
    with pytest.raises(SystemExit) as exc:
        main([command, "--max-clock-skew", value, "--db", f"sqlite:///{tmp_path / 'x.sqlite'}"])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and "--max-clock-skew" in err and "ثانیه" in err, err
    assert not (tmp_path / "x.sqlite").exists()


def test_tick_takes_zero_or_more_seconds_of_clock_skew():
    from app.cli.commands import build_parser

    parser, _ = build_parser()
    for given, seconds in (("0", 0.0), ("5", 5.0), ("2.5", 2.5)):
        assert parser.parse_args(["tick", "--max-clock-skew", given]).max_clock_skew == seconds


@pytest.mark.parametrize("command", ["simulate", "import-members"])
def test_an_input_file_that_cannot_be_read_is_named_in_persian(tmp_path, capsys, command):
    missing = tmp_path / "scenario.jsn"
    code, err = _run(capsys, command, str(missing))
    assert (code, err) == (2, f"{command}: پرونده {missing} خوانده نشد: پیدا نشد\n")
    code, err = _run(capsys, command, str(tmp_path))  # a folder, not a file
    assert (code, err) == (2, f"{command}: پرونده {tmp_path} خوانده نشد: پوشه است، نه پرونده\n")


def _office_with_admin(tmp_path, monkeypatch):
    """An office's database with its administrator (password in NEZARAT_PASSWORD)."""
    from app.db.migrate import open_database
    from app.services import users
    from app.services.context import ServiceContext

    db = tmp_path / "office.sqlite"
    engine = open_database(f"sqlite:///{db}")
    users.bootstrap_admin(ServiceContext(engine), password="office-admin-1405")
    engine.dispose()
    monkeypatch.setenv("NEZARAT_PASSWORD", "office-admin-1405")
    return db


def _members(tmp_path):
    f = tmp_path / "ims.csv"
    f.write_text(
        "شماره عضویت,کد ملی,نام,نام خانوادگی,رشته,پایه\n12-1,0013542419,علی,رضایی,civil,2\n",
        encoding="utf-8",
    )
    return f


def test_an_output_named_as_the_database_is_refused_and_the_database_kept(
    tmp_path, capsys, monkeypatch
):
    """Issue 15 audit: `backup --db sqlite:///X X` wrote the backup over the database, and
    `import-members --report X` the report, with exit 0. However the path is spelled (a link,
    `..`, its -wal), the output is refused in Persian before anything is done."""
    db = _office_with_admin(tmp_path, monkeypatch)
    url = f"sqlite:///{db}"
    link = tmp_path / "link.sqlite"
    link.symlink_to(db)
    before = db.read_bytes()
    spellings = [db, tmp_path / "x" / ".." / db.name, link, tmp_path / f"{db.name}-wal"]
    (tmp_path / "x").mkdir()
    for out in spellings:
        code, err = _run(capsys, "backup", "--db", url, str(out))
        assert code == 2 and str(out) in err and "پایگاه داده همین فرمان" in err, err
        assert err.count("\n") == 1
        code, err = _run(
            capsys, "import-members", str(_members(tmp_path)), "--db", url, "--report", str(out)
        )
        assert code == 2 and str(out) in err and "پایگاه داده همین فرمان" in err, err
        assert err.count("\n") == 1
        assert db.read_bytes() == before  # not a row imported, not a byte written
    wal = tmp_path / f"{db.name}-wal"
    assert not wal.exists() or not wal.read_bytes().startswith(b"\x1f\x8b")  # no backup in it
    # the file being imported is not its own report either
    members = _members(tmp_path)
    code, err = _run(capsys, "import-members", str(members), "--db", url, "--report", str(members))
    assert code == 2 and "ورودی" in err and db.read_bytes() == before, err


def test_backup_and_the_import_report_replace_only_their_own_earlier_files(
    tmp_path, capsys, monkeypatch
):
    """Yesterday's backup and the last run's report are replaced (what they are for); a copy of
    a database, or any other file, under that name is refused before any work."""
    db = _office_with_admin(tmp_path, monkeypatch)
    url = f"sqlite:///{db}"
    other = tmp_path / "copy.sqlite"
    other.write_bytes(db.read_bytes())
    notes = tmp_path / "notes.txt"
    notes.write_text("یادداشت‌های دفتر\n", encoding="utf-8")
    for out in (other, notes):
        code, err = _run(capsys, "backup", "--db", url, str(out))
        assert code == 2 and str(out) in err and "رونویسی نمی‌شود" in err, err
    assert other.read_bytes() == db.read_bytes() and notes.read_text(encoding="utf-8")
    code, err = _run(capsys, "backup", "--db", url, str(tmp_path / "nodir" / "b.gz"))
    assert code == 2 and "پشتیبان در" in err and "پوشه آن نیست" in err, err
    backup = tmp_path / "b.jsonl.gz"
    assert _run(capsys, "backup", "--db", url, str(backup))[0] == 0
    assert _run(capsys, "backup", "--db", url, str(backup))[0] == 0  # yesterday's: replaced
    members = _members(tmp_path)
    code, err = _run(capsys, "import-members", str(members), "--db", url, "--report", str(notes))
    assert code == 2 and "رونویسی نمی‌شود" in err and "یادداشت" in notes.read_text("utf-8"), err
    report = tmp_path / "r.txt"
    for _ in range(2):  # the second run replaces the first run's report
        code, err = _run(
            capsys, "import-members", str(members), "--db", url, "--report", str(report)
        )
        assert code == 0 and f"گزارش در {report} نوشته شد" in err, err


def test_simulate_out_replaces_only_an_earlier_result(tmp_path, capsys):
    """`simulate --out` over a copy of an office's database turned it into JSON (exit 0): only
    an earlier result (or an empty file) is replaced; the scenario itself, the --db database
    and any other file are refused before the replay."""
    from pathlib import Path

    from app.db.migrate import open_database

    office = tmp_path / "office-copy.sqlite"
    open_database(f"sqlite:///{office}").dispose()
    scenario = tmp_path / "s.json"
    scenario.write_bytes(Path(_scenario()).read_bytes())
    notes = tmp_path / "notes.txt"
    notes.write_text("not a result\n")
    for out in (office, scenario, notes):
        before = out.read_bytes()
        code, err = _run(capsys, "simulate", str(scenario), "--out", str(out))
        assert code == 2 and str(out) in err and err.count("\n") == 1, err
        assert out.read_bytes() == before
    db = tmp_path / "replay.sqlite"
    code, err = _run(capsys, "simulate", str(scenario), "--db", f"sqlite:///{db}", "--out", str(db))
    assert code == 2 and "پایگاه داده همین فرمان" in err and not db.exists(), err
    result = tmp_path / "result.json"
    result.write_text("")
    for _ in range(2):  # an empty file, then the first run's result: each replaced
        assert _run(capsys, "simulate", str(scenario), "--out", str(result))[0] == 0
        assert result.read_text(encoding="utf-8").startswith('{\n  "format": "referral-result/1"')


def _outbox(tmp_path, messages: int = 3):
    """An office with `messages` SMS due now."""
    from datetime import UTC, datetime

    from app.db.models import Notification
    from support import Office

    office = Office(f"sqlite:///{tmp_path / 'office.sqlite'}")
    eid = office.engineer("7-100")
    with office.base.tx() as s:
        for i in range(messages):
            s.add(
                Notification(
                    created_at=datetime(2020, 1, 1, tzinfo=UTC),
                    engineer_id=eid,
                    kind="selected",
                    mobile="09121234567",
                    body=f"پیام {i}",
                    next_attempt_at=datetime(2020, 1, 1, tzinfo=UTC),
                )
            )
    return office


def test_send_sms_refuses_a_file_that_is_no_outbox_before_a_message_is_tried(tmp_path, capsys):
    """A non-UTF-8 file, a folder, a line that is not a message, the database itself: a
    traceback before; a folder that is not there: exit 0 with every message's retry used up.
    Now one Persian line naming the file (and line), exit 2, no attempt recorded."""
    office = _outbox(tmp_path)
    url = f"sqlite:///{tmp_path / 'office.sqlite'}"
    (tmp_path / "bin.jsonl").write_bytes(b'{"key": "nz-1"}\n\xff\xfe\n')
    (tmp_path / "five.jsonl").write_text('{"key": "nz-9"}\n5\n')
    (tmp_path / "list.jsonl").write_text('["nz-9"]\n')
    (tmp_path / "nokey.jsonl").write_text('{"to": "0912"}\n{"key": "nz-9"}\n')
    cases = {
        "bin.jsonl": "UTF-8",
        "five.jsonl": "سطر 2",
        "list.jsonl": "سطر 1",
        "nokey.jsonl": "سطر 1",
        ".": "پوشه است",
        "nodir/sms.jsonl": "پوشه آن نیست",
        "office.sqlite": "پایگاه داده همین فرمان",
    }
    before = office.row_counts()
    for name, words in cases.items():
        f = tmp_path / name
        code, err = _run(capsys, "send-sms", "--db", url, "--file", str(f))
        assert code == 2 and words in err and str(f) in err and err.count("\n") == 1, (name, err)
        assert "Traceback" not in err
    assert office.row_counts() == before  # not one attempt counted against the messages
    assert not (tmp_path / "nodir").exists()


def test_send_sms_appends_after_a_line_cut_short(tmp_path, capsys):
    """The last line of the outbox may be cut short (a write that stopped): it is passed over,
    and the next message goes on a line of its own."""
    import json

    _outbox(tmp_path, messages=1)
    url = f"sqlite:///{tmp_path / 'office.sqlite'}"
    f = tmp_path / "sms.jsonl"
    f.write_text('{"key": "nz-old", "to": "0912", "text": "x"}\n{"key": "nz-cu')
    assert _run(capsys, "send-sms", "--db", url, "--file", str(f))[0] == 0
    lines = f.read_text(encoding="utf-8").splitlines()
    assert lines[1] == '{"key": "nz-cu' and json.loads(lines[2])["text"] == "پیام 0"


def test_new_password_without_a_terminal_is_one_persian_refusal(monkeypatch):
    """`create-admin` with no terminal and no NEZARAT_PASSWORD died in EOFError: the helper it
    asks refuses in Persian instead (never a prompt on a closed stdin)."""
    import io

    from app.cli.errors import CommandError, new_password

    monkeypatch.delenv("NEZARAT_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    with pytest.raises(CommandError, match="NEZARAT_PASSWORD"):
        new_password("admin")
    monkeypatch.setenv("NEZARAT_PASSWORD", "given-1405")
    assert new_password("admin") == "given-1405"


@pytest.mark.parametrize("command", ["documents", "screenshots"])
def test_the_demo_hint_on_an_offices_database_leads_somewhere(
    tmp_path, capsys, monkeypatch, command
):
    """After `init` and `create-admin`, the papers and the screenshots said to run
    `main.py demo --db <that database>`, which then refused: the hint names another file."""
    db = _office_with_admin(tmp_path, monkeypatch)
    url = f"sqlite:///{db}"
    code, err = _run(capsys, command, str(tmp_path / "out"), "--db", url)
    assert code == 2 and err.count("\n") == 1, err
    assert f"main.py demo --db {url}»" not in err and "پرونده‌ای دیگر" in err, err
    code, err = _run(capsys, "demo", "--engineers", "10", "--projects", "1", "--db", url)
    assert code == 2 and "پایگاه نمایشی نیست" in err, err  # what the old hint led to


@pytest.mark.parametrize("command", ["backup", "import-members", "send-sms", "simulate"])
def test_the_output_checks_leave_a_bad_url_to_the_commands_own_refusal(tmp_path, capsys, command):
    """The output is compared with the database's file before anything: a --db that is no URL
    is still the one Persian line naming it, not a traceback from the comparison."""
    out = str(tmp_path / "out.txt")
    argv = {
        "backup": ["backup", out],
        "import-members": ["import-members", str(_members(tmp_path)), "--report", out],
        "send-sms": ["send-sms", "--file", out],
        "simulate": ["simulate", _scenario(), "--out", out],
    }[command]
    code, err = _run(capsys, *argv, "--db", "notaurl")
    assert code == 2 and "نامعتبر" in err and err.count("\n") == 1, err


def test_create_admin_without_a_terminal_is_one_persian_line(tmp_path, capsys, monkeypatch):
    """It died in EOFError (no terminal, no NEZARAT_PASSWORD), and asked for the password
    before it knew the database was there."""
    import io

    monkeypatch.delenv("NEZARAT_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    missing = tmp_path / "nezarat.sqlit"
    code, err = _run(capsys, "create-admin", "--db", f"sqlite:///{missing}")
    assert code == 2 and "پیدا نشد" in err and err.count("\n") == 1, err  # before any prompt
    url = f"sqlite:///{tmp_path / 'office.sqlite'}"
    assert _run(capsys, "init", "--db", url)[0] == 0
    code, err = _run(capsys, "create-admin", "--db", url)
    assert code == 2 and "NEZARAT_PASSWORD" in err and err.count("\n") == 1, err

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

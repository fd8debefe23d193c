"""Only `demo`, `init`, `restore` and `simulate` make a database: every other command names a
missing file, a bad URL or an unreachable server in Persian (exit 2, one line, no traceback),
and `screenshots` / `documents` on a database without the demo say to build it first."""

from __future__ import annotations

import pytest

from main import main


def _run(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().err


@pytest.mark.parametrize("command", ["tick", "verify-run", "send-sms", "audit", "backup"])
def test_a_mistyped_sqlite_file_is_named_not_made(tmp_path, capsys, command):
    missing = tmp_path / "nezarat.sqlit"
    argv = {
        "audit": ["audit", "verify"],
        "backup": ["backup", str(tmp_path / "b.gz")],
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

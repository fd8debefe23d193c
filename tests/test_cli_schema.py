"""The commands that only read open the database as it is. On a database one revision behind
this version's, each of them (`verify-run`, `backup`, `holidays show`, `verify-paper`,
`audit verify`, the morning summary) refuses in Persian, naming `main.py migrate` (exit 2, one
line), and changes nothing: the revision, the rows, no `.before-*` copy beside the file, no
backup file labelled with a revision the database never had. A command that writes (`tick`)
still upgrades it, after its copy, as before."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import func, inspect, select
from sqlalchemy.sql import table

from app.cli.commands import build_parser, cmd_summary
from app.cli.errors import run_command
from app.db import migrate
from app.db.engine import make_engine
from main import main

BEHIND = "0009"
SAYS = "پایگاه داده به ویرایش تازه نیاز دارد؛ نخست main.py migrate --db"


def _reading(tmp_path: Path) -> dict[str, list[str]]:
    return {
        "verify-run": ["verify-run"],
        "backup": ["backup", str(tmp_path / "out" / "b.jsonl.gz")],
        "holidays show": ["holidays", "show"],
        "verify-paper": ["verify-paper", "AAAA-BBBB-CCCC"],
        "audit verify": ["audit", "verify"],
        "summary": [],  # `main.py` where no desktop is built: the morning summary
    }


def _run(capsys, argv: list[str], url: str) -> tuple[int, str]:
    if argv:
        code = main([*argv, "--db", url])
    else:  # as main.py does without a command (main([]) would open the desk)
        args = build_parser()[0].parse_args([])
        args.db, args.func = url, cmd_summary
        code = run_command(args)
    return code, capsys.readouterr().err


def _made_then_taken_back(url: str, capsys) -> None:
    assert main(["init", "--db", url]) == 0
    engine = make_engine(url)
    cfg = migrate._config()
    with engine.begin() as c:
        cfg.attributes["connection"] = c
        command.downgrade(cfg, BEHIND)
    engine.dispose()
    capsys.readouterr()


def _state(url: str) -> tuple[str | None, dict[str, int], set[str]]:
    """The revision, every table's row count, and what lies beside a SQLite file."""
    engine = make_engine(url)
    with engine.connect() as c:
        names = inspect(c).get_table_names()
        counts = {n: c.scalar(select(func.count()).select_from(table(n))) for n in names}
    revision = migrate.current(engine)
    engine.dispose()
    db = engine.url.database
    beside = (
        {p.name for p in Path(db).parent.iterdir() if not p.name.endswith(("-wal", "-shm"))}
        if engine.dialect.name == "sqlite"
        else set()
    )
    return revision, counts, beside


def test_reading_commands_refuse_an_older_schema_and_change_nothing(db_url, tmp_path, capsys):
    _made_then_taken_back(db_url, capsys)
    (tmp_path / "out").mkdir()
    before = _state(db_url)
    assert before[0] == BEHIND
    for name, argv in _reading(tmp_path).items():
        code, err = _run(capsys, argv, db_url)
        assert code == 2 and SAYS in err and err.count("\n") == 1, (name, err)
        assert "Traceback" not in err and BEHIND in err
        assert _state(db_url) == before, name  # no upgrade, no copy, no row
    assert not (tmp_path / "out" / "b.jsonl.gz").exists()  # no backup labelled 0010
    assert main(["migrate", "--db", db_url]) == 0  # the way the refusal names
    capsys.readouterr()
    migrated = _state(db_url)
    for name, argv in _reading(tmp_path).items():  # and then each of them works, and only reads
        code, err = _run(capsys, argv, db_url)
        # 1: verify-paper's unknown code; 3: audit verify without the server's note
        assert code in (0, 1, 3) and SAYS not in err, (name, err)
        assert _state(db_url) == migrated, name
    assert (tmp_path / "out" / "b.jsonl.gz").is_file()


def test_a_writing_command_still_upgrades_after_its_copy(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'office.sqlite'}"
    _made_then_taken_back(url, capsys)
    assert main(["tick", "--db", url]) == 0
    revision, _counts, beside = _state(url)
    assert revision == migrate.head()
    assert any(n.startswith("office.before-") for n in beside), beside


@pytest.mark.parametrize("command", ["verify-run", "holidays show", "backup"])
def test_a_schema_newer_than_the_program_is_named_not_touched(tmp_path, capsys, command):
    url = f"sqlite:///{tmp_path / 'office.sqlite'}"
    assert main(["init", "--db", url]) == 0
    engine = make_engine(url)
    with engine.begin() as c:
        c.exec_driver_sql("UPDATE alembic_version SET version_num = '0099'")
    engine.dispose()
    capsys.readouterr()
    code, err = _run(capsys, _reading(tmp_path)[command], url)
    assert code == 2 and "0099" in err and "به‌روز کنید" in err and err.count("\n") == 1, err
    assert _state(url)[0] == "0099"

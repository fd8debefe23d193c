"""`main.py send-sms` and `main.py import-members` (registered by app/cli/money.py)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.cli.commands import build_parser
from app.cli.errors import run_command
from app.db.migrate import open_database
from app.db.models import Engineer, Notification
from app.services import users
from app.services.context import ServiceContext


def _run(*argv):
    parser, _ = build_parser()
    args = parser.parse_args(list(argv))
    return run_command(args)


@pytest.fixture(autouse=True)
def _password(monkeypatch):
    monkeypatch.setenv("NEZARAT_PASSWORD", "admin-pass-1405")


def test_A8_send_sms_command_delivers_the_outbox_through_the_file_gateway(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'desk.sqlite'}"
    ctx = ServiceContext(open_database(url))
    admin = ctx.as_actor(users.bootstrap_admin(ctx, password="admin-pass-1405"))
    ids = _run("import-members", str(_members_csv(tmp_path)), "--db", url)
    assert ids == 0
    with ctx.tx() as s:
        eid = s.scalar(select(Engineer.id))
        s.add(
            Notification(
                created_at=ctx.now(),
                engineer_id=eid,
                kind="selected",
                mobile="09121234567",
                body="پرونده ۱",
                next_attempt_at=ctx.now(),
            )
        )
    out = tmp_path / "sms.jsonl"
    assert _run("send-sms", "--db", url, "--file", str(out)) == 0
    assert _run("send-sms", "--db", url, "--file", str(out)) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["text"] == "پرونده ۱"
    assert "1 sent" in capsys.readouterr().out
    del admin


def _members_csv(tmp_path):
    f = tmp_path / "ims.csv"
    f.write_text(
        "شماره عضویت,کد ملی,نام,نام خانوادگی,رشته,پایه\n12-1,0013542419,علی,رضایی,civil,2\n",
        encoding="utf-8",
    )
    return f


def test_import_members_command_reports_bad_rows_and_exits_3(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'desk.sqlite'}"
    ctx = ServiceContext(open_database(url))
    users.bootstrap_admin(ctx, password="admin-pass-1405")
    f = tmp_path / "ims.csv"
    f.write_text(
        "شماره عضویت,کد ملی,نام,نام خانوادگی,رشته,پایه\n12-1,123,علی,رضایی,civil,2\n",
        encoding="utf-8",
    )
    # done with refusals (EXIT_REFUSALS), as distinct from a crash's 1
    assert _run("import-members", str(f), "--db", url) == 3
    assert "ردیف 2 — کد ملی" in capsys.readouterr().out


def test_U1_import_members_needs_the_named_users_password(tmp_path, monkeypatch, capsys):
    """A command that changes data acts for a person who proved who they are."""
    url = f"sqlite:///{tmp_path / 'desk.sqlite'}"
    ctx = ServiceContext(open_database(url))
    users.bootstrap_admin(ctx, password="admin-pass-1405")
    monkeypatch.setenv("NEZARAT_PASSWORD", "wrong")
    assert _run("import-members", str(_members_csv(tmp_path)), "--db", url) == 2
    assert "نادرست" in capsys.readouterr().err
    monkeypatch.delenv("NEZARAT_PASSWORD")  # no terminal to ask on (pytest): refused
    assert _run("import-members", str(_members_csv(tmp_path)), "--db", url) == 2
    with ctx.tx() as s:
        assert s.scalar(select(Engineer.id)) is None


def test_import_members_says_so_when_its_report_cannot_be_written(tmp_path, capsys):
    """The report's folder is not there: never «نوشته شد»; a Persian line naming the
    path, the report's text on stdout, and an exit status of its own (the rows are in)."""
    from app.cli.money import EXIT_NO_REPORT

    url = f"sqlite:///{tmp_path / 'desk.sqlite'}"
    ctx = ServiceContext(open_database(url))
    users.bootstrap_admin(ctx, password="admin-pass-1405")
    report = tmp_path / "nodir" / "rep.txt"
    members = str(_members_csv(tmp_path))
    assert _run("import-members", members, "--db", url, "--report", str(report)) == EXIT_NO_REPORT
    said = capsys.readouterr()
    assert "نوشته شد" not in said.err and "Traceback" not in said.err
    assert f"گزارش در {report} نوشته نشد" in said.err and "خروجی استاندارد" in said.err
    assert "افزوده: 1" in said.out  # the report's text, where it can be read
    assert not report.parent.exists()
    with ctx.tx() as s:
        assert s.scalar(select(Engineer.membership_no)) == "12-1"
    # a report that can be written: said, and the status is the import's own
    assert _run("import-members", members, "--db", url, "--report", str(tmp_path / "r.txt")) == 0
    err = capsys.readouterr().err
    assert f"گزارش در {tmp_path / 'r.txt'} نوشته شد" in err and (tmp_path / "r.txt").is_file()
    assert "report written" not in err  # in Persian, as every other line of the command


def test_import_members_stopped_says_so_in_persian(tmp_path, capsys, monkeypatch):
    """Ctrl+C: the rows added so far stay, the report is written and says so — in Persian
    (it printed "stopped; the rows added so far stay" and "report written to …")."""
    from app.services import members_import

    url = f"sqlite:///{tmp_path / 'desk.sqlite'}"
    users.bootstrap_admin(ServiceContext(open_database(url)), password="admin-pass-1405")

    def stopped(ctx, data, name, progress, report):
        raise KeyboardInterrupt

    monkeypatch.setattr(members_import, "import_members", stopped)
    assert _run("import-members", str(_members_csv(tmp_path)), "--db", url) == 130
    err = capsys.readouterr().err
    assert "متوقف شد" in err and "می‌مانند" in err and "نوشته شد" in err, err
    assert "stopped;" not in err and "report written" not in err

"""`main.py demo` builds a province with projects in every state, through the services."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from persian_tools import legal_id
from sqlalchemy import select

from app.db.engine import make_engine
from app.db.models import (
    DeadlineRun,
    Engineer,
    Owner,
    Project,
    ProjectOwner,
    Referral,
    StagePayout,
)
from app.domain.text import iban_problem, national_code_ok
from app.services.context import ServiceContext
from app.services.deadlines import recheck_run

ROOT = Path(__file__).resolve().parents[1]


def signatories_of(c, firm_ids: list[int]) -> dict[int, str]:
    from sqlalchemy.orm import Session

    from app.services.firms import signatories

    return signatories(Session(bind=c), firm_ids)


def _text(pdf: Path) -> str:
    """pdftotext: the paper's text layer in logical order."""
    return subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_demo_province_has_every_state_and_rechecks(tmp_path):
    from app.demo.province import build_demo

    url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    now = datetime(2026, 11, 18, 7, 0, tzinfo=UTC)  # 10:30 Tehran, a Wednesday
    assert build_demo(url, engineers=300, projects=40, seed=7, now=now, out=io.StringIO()) == 0
    engine = make_engine(url)
    with engine.connect() as c:
        ibans = c.scalars(select(Engineer.iban)).all()
        codes = c.scalars(select(Engineer.national_id).where(Engineer.kind == "person")).all()
        statuses = Counter(c.scalars(select(Referral.status)))
        projects = Counter(c.scalars(select(Project.status)))
        runs = c.scalars(select(DeadlineRun.id).where(DeadlineRun.kind == "deadline")).all()
        payouts = Counter(c.scalars(select(StagePayout.status)))
        firms = c.execute(
            select(
                Engineer.id,
                Engineer.national_id,
                Engineer.registration_no,
                Engineer.registration_place,
            ).where(Engineer.kind == "firm")
        ).all()
        signatories = signatories_of(c, [f.id for f in firms])
    assert len(codes) == 300
    assert all(national_code_ok(code) for code in codes if code)
    # a valid Sheba number each, firms too: finance's group transfer can pay any (F3)
    assert len(set(ibans)) == 303 and not any(iban_problem(i) for i in ibans)
    # the supervising firms: a legal ID, a registration number and office, a signatory
    assert len(firms) == 3
    for f in firms:
        assert legal_id.validate(f.national_id) and f.registration_no.isdigit()
        assert f.registration_place.startswith("اداره ثبت شرکت‌ها و مؤسسات غیرتجاری")
        assert signatories.get(f.id)
    assert {"waiting", "open", "selected", "signed", "completed"} <= set(statuses)
    assert {"intake", "distribution", "completed"} <= set(projects)
    assert runs and all(recheck_run(ServiceContext(engine), r)[0] for r in runs)
    # F3: stage payouts waiting for finance, approved, and paid by a transfer
    assert {"pending", "approved", "paid"} <= set(payouts), payouts
    # a firm stood for a referral, was chosen and signed: the demo prints a firm's papers
    with engine.connect() as c:
        by_firm = c.execute(
            select(Referral.status, Project.file_no)
            .join(Engineer, Engineer.id == Referral.engineer_id)
            .join(Project, Project.id == Referral.project_id)
            .where(Engineer.kind == "firm")
        ).all()
        company_files = set(
            c.scalars(
                select(Project.file_no)
                .join(ProjectOwner, ProjectOwner.project_id == Project.id)
                .join(Owner, Owner.id == ProjectOwner.owner_id)
                .where(Owner.kind == "legal")
            )
        )
    assert "signed" in [status for status, _ in by_firm]
    out = tmp_path / "papers"
    printed = subprocess.run(
        [sys.executable, "main.py", "documents", str(out), "--db", url],
        cwd=ROOT,
        env={**os.environ, "NEZARAT_PASSWORD": "clerk1405"},  # the demo clerk's (README)
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert printed.returncode == 0, printed.stdout + printed.stderr
    file_no = next(f for status, f in by_firm if status == "signed")
    written = {x.name for x in out.iterdir()}
    assert {f"contract-{file_no}.pdf", f"letter-{file_no}.pdf"} <= written
    assert f"commitment-{file_no}-civil.pdf" in written
    commitment = _text(out / f"commitment-{file_no}-civil.pdf")
    assert "شخص حقوقی" in commitment and "صاحب امضای مجاز" in commitment
    # a company owner's contract: the company as the party, its director signing for it
    company = sorted(f for f in company_files if f"contract-{f}.pdf" in written)
    assert company, (company_files, written)
    contract = _text(out / f"contract-{company[0]}.pdf")
    assert "شخص حقوقی" in contract and "مدیرعامل" in contract
    assert "شماره ثبت" in contract and "در سامانه ثبت نشده" not in contract  # its registration
    # a second call leaves a filled database alone
    assert build_demo(url, engineers=10, projects=1, out=io.StringIO()) == 0


def test_reset_rebuilds_only_a_demo_database_never_an_offices(tmp_path):
    """`demo --reset` asks no password: on an office's own database (its administrator, its
    trail) it refuses and changes nothing; a database the demo built it may rebuild."""
    from app.db.migrate import open_database
    from app.demo.province import build_demo
    from app.services import users

    url = f"sqlite:///{tmp_path / 'office.sqlite'}"
    engine = open_database(url)  # `main.py init`
    users.bootstrap_admin(ServiceContext(engine), "boss", "RealAdmin-Pass-99", "مدیر دفتر")
    engine.dispose()
    before = (tmp_path / "office.sqlite").read_bytes()
    out = io.StringIO()
    assert build_demo(url, engineers=10, projects=1, reset=True, out=out) == 2
    assert (tmp_path / "office.sqlite").read_bytes() == before

    demo = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    assert build_demo(demo, engineers=12, projects=2, out=out) == 0
    assert build_demo(demo, engineers=12, projects=2, reset=True, out=out) == 0


def test_demo_refuses_in_persian_and_says_so_when_the_demo_is_already_built(tmp_path, capsys):
    """Issue 15 audit: "the database already holds data …" was English, on stdout, exit 0, also
    on an office's own database (after `init` and `create-admin`), where the papers' hint led.
    An office's database: a Persian refusal, exit 2, nothing changed. A demo already built is
    reused as documented (exit 0, so the README's first command runs again), said in Persian."""
    from app.db.migrate import open_database
    from app.demo.province import build_demo
    from app.services import users

    url = f"sqlite:///{tmp_path / 'office.sqlite'}"
    engine = open_database(url)
    users.bootstrap_admin(ServiceContext(engine), "boss", "RealAdmin-Pass-99", "مدیر دفتر")
    engine.dispose()
    before = (tmp_path / "office.sqlite").read_bytes()
    out = io.StringIO()
    assert build_demo(url, engineers=10, projects=1, out=out) == 2
    err = capsys.readouterr().err
    assert "پایگاه نمایشی نیست" in err and "already" not in err + out.getvalue(), err
    assert err.count("\n") == 1 and "1 کاربر" in err
    assert (tmp_path / "office.sqlite").read_bytes() == before

    for engineers, projects, named in ((5, 1, "--engineers"), (10, 0, "--projects")):
        assert build_demo(url, engineers=engineers, projects=projects, out=out) == 2
        err = capsys.readouterr().err
        assert named in err and "at least" not in err and "چیزی ساخته نشد" in err, err

    demo = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    assert build_demo(demo, engineers=10, projects=1, out=io.StringIO()) == 0
    again = io.StringIO()
    assert build_demo(demo, engineers=10, projects=1, out=again) == 0
    said = again.getvalue()
    assert "از پیش ساخته شده" in said and "--reset" in said and "already" not in said, said

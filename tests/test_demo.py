"""`main.py demo` builds a province with projects in every state, through the services."""

from __future__ import annotations

import io
from collections import Counter
from datetime import UTC, datetime

from sqlalchemy import func, select

from app.db.engine import make_engine
from app.db.models import DeadlineRun, Engineer, Project, Referral
from app.domain.text import iban_problem, national_code_ok
from app.services.context import ServiceContext
from app.services.deadlines import recheck_run


def test_demo_province_has_every_state_and_rechecks(tmp_path):
    from app.demo.province import build_demo

    url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    now = datetime(2026, 11, 18, 7, 0, tzinfo=UTC)  # 10:30 Tehran, a Wednesday
    assert build_demo(url, engineers=300, projects=40, seed=7, now=now, out=io.StringIO()) == 0
    engine = make_engine(url)
    with engine.connect() as c:
        codes = c.scalars(select(Engineer.national_id)).all()
        ibans = c.scalars(select(Engineer.iban)).all()
        statuses = Counter(c.scalars(select(Referral.status)))
        projects = Counter(c.scalars(select(Project.status)))
        runs = c.scalars(select(DeadlineRun.id).where(DeadlineRun.kind == "deadline")).all()
        assert c.scalar(select(func.count()).select_from(Engineer)) == 300
    assert all(national_code_ok(code) for code in codes if code)
    # a valid Sheba number each: finance's group transfer can pay any of them (F3)
    assert len(set(ibans)) == 300 and not any(iban_problem(i) for i in ibans)
    assert {"waiting", "open", "selected", "signed", "completed"} <= set(statuses)
    assert {"intake", "distribution", "completed"} <= set(projects)
    assert runs and all(recheck_run(ServiceContext(engine), r)[0] for r in runs)
    # a second call leaves a filled database alone
    assert build_demo(url, engineers=10, projects=1, out=io.StringIO()) == 0

"""What the rulebook makes public, for anyone without signing in (issue 13's public pages): the
published deadline runs with their ranked lists and decisions (C6, A10), the digests and the
decisions as the output document whose SHA-256 is the output digest, and the referrals board with
each running round's candidates count. Names and scores of candidates come from
`candidacy.candidates` (C6); a paper's check from `papers.verify_paper`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from ..db.models import DeadlineRun, Project, Referral, Round
from ..domain.errors import InputError, NotFound
from .context import ServiceContext
from .deadlines import replay_shown
from .document_dto import DailyReportDTO
from .documents import _daily_sheet
from .permissions import STAFF, require
from .queries import active_candidates, running_rounds
from .registry import use_case

PAGE = 50


@dataclass(frozen=True)
class RunRow:
    id: int
    deadline: datetime
    decided: int
    input_digest: str
    output_digest: str


@dataclass(frozen=True)
class BoardRow:
    """An open referral whose candidacy round runs: what anyone may see (C6)."""

    referral_id: int
    file_no: str
    discipline: str
    group: str
    area: Decimal
    round_no: int
    deadline: datetime
    candidates: int


@dataclass(frozen=True)
class ReferralHeading:
    """A referral whose candidacy round does not run now: what its public page names — its
    file, discipline, state, and the published run that last decided it (A10), if any."""

    referral_id: int
    file_no: str
    discipline: str
    group: str
    area: Decimal
    status: str
    round_no: int | None  # the last round a deadline run decided
    outcome: str | None
    run_id: int | None
    running: str | None = None  # the kind of its round still to be decided (candidacy|forced)


@use_case(writes=False)
def published_runs(ctx: ServiceContext, offset: int = 0) -> list[RunRow]:
    """The deadline runs that decided something, newest first, a page at a time."""
    require(ctx, "runs.read")
    if not isinstance(offset, int) or isinstance(offset, bool) or not 0 <= offset <= 10**7:
        raise InputError("offset", "شماره صفحه نامعتبر است")
    with ctx.read() as s:
        rows = s.execute(
            select(
                DeadlineRun.id,
                DeadlineRun.deadline,
                DeadlineRun.decided,
                DeadlineRun.input_digest,
                DeadlineRun.output_digest,
            )
            .where(DeadlineRun.kind == "deadline", DeadlineRun.decided > 0)
            .order_by(DeadlineRun.deadline.desc(), DeadlineRun.id.desc())
            .offset(offset)
            .limit(PAGE)
        ).all()
    return [RunRow(*r) for r in rows]


def _run_id(run_id: object) -> int:
    if not isinstance(run_id, int) or isinstance(run_id, bool) or not 0 < run_id < 2**31:
        raise NotFound("run", "اجرای مهلتی با این شماره ثبت نشده است")
    return run_id


@use_case(writes=False)
def run_sheet(ctx: ServiceContext, run_id: int) -> DailyReportDTO:
    """One published run (A10): each referral it decided in its order (A3), the ranked list
    with scores and tie-break figures (A2, C6), who was set aside and by which rules (A1), the
    digests, whether the stored inputs decide the same again — as on the daily paper."""
    require(ctx, "runs.read")
    rid = _run_id(run_id)
    with ctx.read() as s:  # the sheet's own words are the daily paper's (no run at all)
        if s.scalar(select(DeadlineRun.kind).where(DeadlineRun.id == rid)) != "deadline":
            raise NotFound("run", "اجرای مهلتی با این شماره ثبت نشده است")
    sheet = _daily_sheet(ctx, rid, paper=False)
    if ctx.actor.role in STAFF | {"system"}:
        return sheet
    # who was set aside is public; by which rules only the engineer's own (G4, G7, S4…)
    me = ctx.actor.engineer_id

    def withheld(b):
        lines = tuple(x if x.engineer_id == me else replace(x, rules=()) for x in b.set_aside)
        return replace(b, set_aside=lines)

    return replace(sheet, blocks=tuple(withheld(b) for b in sheet.blocks))


@use_case(writes=False)
def run_decisions(ctx: ServiceContext, run_id: int) -> bytes:
    """The run's output document, whose SHA-256 is its output digest (A10):
    anyone may hash the file and compare. Decided again from the stored inputs; a run that
    kept no inputs, or whose inputs no longer decide the same, is refused with A10."""
    require(ctx, "runs.read")
    rid = _run_id(run_id)
    with ctx.read() as s:
        run = s.get(DeadlineRun, rid)
        if run is None or run.kind != "deadline":
            raise NotFound("run", "اجرای مهلتی با این شماره ثبت نشده است")
        again = replay_shown(run)
        recorded = run.output_digest
    if again is None:
        raise NotFound("run", "ورودی‌های این اجرا نگه داشته نشده یا با چکیده‌اش نمی‌خواند (A10)")
    document = again.document()
    if hashlib.sha256(document).hexdigest() != recorded:
        raise NotFound("run", "تصمیم‌های دوباره با چکیده ثبت‌شده یکی نیست (A10)")
    return document


@use_case(writes=False)
def referral_board(ctx: ServiceContext, referral_id: int | None = None) -> list[BoardRow]:
    """The referrals whose candidacy round runs now, with their candidates count (C6): the
    public board. One indexed query. With `referral_id`, that referral's line alone (none
    when its round does not run now); a number that names no referral is NotFound."""
    require(ctx, "referrals.read")
    if referral_id is not None and (
        not isinstance(referral_id, int)
        or isinstance(referral_id, bool)
        or not 0 < referral_id < 2**31
    ):
        raise NotFound("referral", "ارجاعی با این شماره نیست")
    now = ctx.now()
    with ctx.read() as s:
        if referral_id is not None and s.get(Referral, referral_id) is None:
            raise NotFound("referral", "ارجاعی با این شماره نیست")
        query = select(
            Referral.id,
            Project.file_no,
            Referral.discipline,
            Project.group,
            Referral.area,
            Round.no,
            Round.deadline,
            active_candidates(),
        )
        if referral_id is not None:
            query = query.where(Referral.id == referral_id)
        rows = s.execute(
            running_rounds(query, now)
            .order_by(Round.deadline, Project.file_no, Referral.id)
            .limit(2_000)
        ).all()
    return [BoardRow(*r) for r in rows]


def _referral_heading(ctx: ServiceContext, referral_id: int) -> ReferralHeading:
    """The public page of a referral whose round does not run (`referral_board` has no line
    for it): its file and discipline, and the last published deadline run that decided one
    of its rounds (C6, A10). Not a use case of its own (the `/board/<id>` page's, beside
    `referral_board`); NotFound for a number that names no referral."""
    require(ctx, "referrals.read")
    if not isinstance(referral_id, int) or isinstance(referral_id, bool):
        raise NotFound("referral", "ارجاعی با این شماره نیست")
    with ctx.read() as s:
        row = s.execute(
            select(
                Referral.id,
                Project.file_no,
                Referral.discipline,
                Project.group,
                Referral.area,
                Referral.status,
            )
            .join(Project, Project.id == Referral.project_id)
            .where(Referral.id == referral_id)
        ).first()
        if row is None:
            raise NotFound("referral", "ارجاعی با این شماره نیست")
        last = s.execute(
            select(Round.no, Round.outcome, Round.run_id)
            .join(DeadlineRun, DeadlineRun.id == Round.run_id)
            .where(Round.referral_id == referral_id, DeadlineRun.kind == "deadline")
            .order_by(Round.no.desc())
            .limit(1)
        ).first()
        running = s.scalar(
            select(Round.kind).where(Round.referral_id == referral_id, Round.outcome.is_(None))
        )
    return ReferralHeading(*row, *(last or (None, None, None)), running)

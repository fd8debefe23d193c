"""Use cases on both dialects: the day of an office, refusals that write nothing (U3), roles
(U1), the audit trail (U2), and the deadline run (A1–A10) through the services."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.db.models import AuditEntry, DeadlineRun, Notification, Round
from app.domain.errors import InputError, RuleViolation
from app.services import candidacy, deadlines, engineers, projects, queries
from app.services.dto import OwnerIn, ProjectIn
from support import OWNER, Office


@pytest.fixture
def office(db_url) -> Office:
    return Office(db_url)


def _refused(fn, *args, rules: set[str]) -> RuleViolation:
    with pytest.raises(RuleViolation) as exc:
        fn(*args)
    assert set(exc.value.rules) == rules, exc.value.rules
    assert exc.value.message and any("\u0600" <= ch <= "\u06ff" for ch in exc.value.message)
    return exc.value


def test_day_of_the_office_competitive_referral_signed_and_completed(office: Office):
    """P2 → C2 stand → A2 winner at 20:00 → A4 effects → A8 SMS → A9 sign → S3 completion."""
    e1, e2 = office.engineer("E1", score=120), office.engineer("E2", score=100)
    p = office.project(area=450, floors=3)
    rid = p.referral_ids["civil"]
    office.at("1405-08-23 10:00")
    candidacy.stand(office.as_engineer[e1], e1, rid)
    candidacy.stand(office.as_engineer[e2], e2, rid)
    public = candidacy.candidates(office.base, rid)  # C6: names and scores for everyone
    assert [(c.membership_no, c.score) for c in public] == [("E1", 120), ("E2", 100)]
    office.run("1405-08-23 20:00")
    ref = queries.referrals_overview(office.base)[0]
    assert (ref.status, ref.membership_no, ref.method, ref.selected_round) == (
        "selected",
        "E1",
        "competitive",
        1,
    )
    standing = queries.engineer_standings(office.base, [e1])[e1]
    assert (standing.score, standing.used_m2, standing.active_jobs) == (Decimal(75), 450, 1)
    with office.base.tx() as s:
        sms = s.scalars(select(Notification)).all()
    assert [(n.kind, n.engineer_id) for n in sms] == [("selected", e1)]
    assert "09161234567" in sms[0].body  # A8: the owner's telephone
    office.at("1405-08-24 07:59")
    _refused(deadlines.record_signature, office.clerk, rid, rules={"A9"})
    office.at("1405-08-24 09:00")
    deadlines.record_signature(office.clerk, rid)
    before = office.row_counts()
    for junk in ("", "   ", "--", "x" * 61, "PK\x00"):  # the completion is traced by its number
        with pytest.raises(InputError) as err:
            projects.complete_project(office.clerk, p.id, junk)
        assert err.value.field == "certificate_no"
    assert office.row_counts() == before
    projects.complete_project(office.clerk, p.id, "PK-۱")
    standing = queries.engineer_standings(office.base, [e1])[e1]
    assert (standing.used_m2, standing.active_jobs) == (0, 0)  # S3: area returned
    with office.base.tx() as s:
        line = s.scalars(select(AuditEntry).where(AuditEntry.action == "project.complete")).one()
    assert line.after == {"certificate_no": "PK-1"}


def test_U3_refusal_changes_nothing(office: Office):
    e = office.engineer("E1", paid_through=1404)  # G3 fails
    rid = office.project().referral_ids["civil"]
    before = office.row_counts()
    office.at("1405-08-23 10:00")
    _refused(candidacy.stand, office.as_engineer[e], e, rid, rules={"C2", "G3"})
    _refused(candidacy.cancel, office.as_engineer[e], e, rid, rules={"C4"})
    _refused(deadlines.record_withdrawal, office.clerk, rid, rules={"W1"})
    assert office.row_counts() == before


def test_U1_roles_are_enforced_by_the_services(office: Office):
    e1, e2 = office.engineer("E1"), office.engineer("E2")
    p = office.project()
    rid = p.referral_ids["civil"]
    office.at("1405-08-23 10:00")
    _refused(candidacy.stand, office.as_engineer[e1], e2, rid, rules={"U1"})  # only for oneself
    _refused(candidacy.stand, office.clerk, e1, rid, rules={"U1"})
    fee = projects.record_fee_payment(
        office.clerk, p.id, "civil", 1, "123456", office.clock.now.date(), "ملی"
    )
    _refused(projects.decide_fee_payment, office.clerk, fee, True, rules={"U1"})
    _refused(deadlines.run_due, office.finance, rules={"U1"})
    _refused(deadlines.record_signature, office.finance, rid, rules={"U1"})
    _refused(engineers.approve_renewal, office.clerk, e1, 1406, 10, rules={"U1"})


def test_U2_audit_trail_says_who_did_what_and_is_chained(office: Office):
    e = office.engineer("E1")
    rid = office.project().referral_ids["civil"]
    office.at("1405-08-23 10:00")
    candidacy.stand(office.as_engineer[e], e, rid)
    with office.base.tx() as s:
        rows = s.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    stand = [r for r in rows if r.action == "candidacy.stand"]
    assert stand and stand[0].actor == "eE1" and stand[0].after == {"engineer_id": e}
    assert stand[0].at == office.clock.now
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(rows))


def test_P5_second_open_file_on_a_plate_is_refused_P3_group_is_derived(office: Office):
    p = office.project(area=700, floors=2, plate="15/302", ready=False)
    assert p.group == "B"  # P3: floors say A, area says B → the higher
    _refused(
        projects.register_project,
        office.clerk,
        ProjectIn(plate="۱۵/۳۰۲", area=Decimal(100), floors=1, owners=(OwnerIn(OWNER),)),
        rules={"P5"},
    )


def test_P4_clerk_may_add_but_not_remove_a_required_discipline(office: Office):
    p = projects.register_project(
        office.clerk, ProjectIn(plate="9/9", area=Decimal(1300), floors=4, owners=(OwnerIn(OWNER),))
    )
    assert p.disciplines == ("arch", "civil", "mech", "elec", "survey")
    _refused(
        projects.register_project,
        office.clerk,
        ProjectIn(
            plate="9/10",
            area=Decimal(1300),
            floors=4,
            owners=(OwnerIn(OWNER),),
            disciplines=("arch", "civil", "mech", "elec"),
        ),
        rules={"P4"},
    )


def test_P2_not_ready_until_documents_and_fees_are_approved(office: Office):
    p = projects.register_project(
        office.clerk,
        ProjectIn(
            plate="8/1",
            area=Decimal(200),
            floors=1,
            owners=(OwnerIn(OWNER),),
            disciplines=("arch", "civil", "mech", "elec"),
        ),
    )
    exc = _refused(projects.mark_ready, office.clerk, p.id, rules={"P2"})
    assert "حق‌الزحمه" in exc.message


def test_F5_membership_renewal_oldest_year_first(office: Office):
    e = office.engineer("E1", paid_through=1403)
    _refused(engineers.request_renewal, office.clerk, e, 1405, rules={"F5"})  # 1404 owed
    _refused(engineers.request_renewal, office.clerk, e, 1403, rules={"F5"})  # already paid
    engineers.request_renewal(office.clerk, e, 1404)
    _refused(engineers.record_membership_payment, office.finance, e, 1404, "R", rules={"F5"})
    engineers.approve_renewal(office.finance, e, 1404, 12_000_000)
    engineers.record_membership_payment(office.finance, e, 1404, "R-1")
    engineers.request_renewal(office.clerk, e, 1405)
    engineers.approve_renewal(office.finance, e, 1405, 14_000_000)
    engineers.record_membership_payment(office.finance, e, 1405, "R-2")
    rid = office.project().referral_ids["civil"]
    office.at("1405-08-23 10:00")
    candidacy.stand(office.as_engineer[e], e, rid)  # G3 now holds


def test_cartable_and_why_not(office: Office):
    ok = office.engineer("E1")
    owner = office.engineer("E2", national_id=OWNER)
    grade3 = office.engineer("E3", grade="3")
    rid = office.project(area=2500, floors=6).referral_ids["civil"]  # group C
    office.at("1405-08-23 10:00")
    assert [i.referral_id for i in candidacy.cartable(office.as_engineer[ok], ok)] == [rid]
    assert candidacy.cartable(office.as_engineer[owner], owner) == []
    assert [w.rule for w in candidacy.why_not(office.base, owner, rid)] == ["C2", "S4"]
    assert [w.rule for w in candidacy.why_not(office.base, grade3, rid)] == ["C2", "S1"]
    me = office.as_engineer[ok]
    (row,) = candidacy.cartable(me, ok)
    assert not row.cancel_used
    candidacy.stand(me, ok, rid)
    candidacy.cancel(me, ok, rid)
    candidacy.stand(me, ok, rid)
    (row,) = candidacy.cartable(me, ok)
    assert row.standing and row.cancel_used  # C4: the row says his one cancel is spent


def test_A10_deadline_decided_once_with_digest(office: Office):
    e = office.engineer("E1")
    rid = office.project().referral_ids["civil"]
    office.at("1405-08-23 10:00")
    candidacy.stand(office.as_engineer[e], e, rid)
    office.run("1405-08-23 20:00")
    office.run("1405-08-23 20:30")  # a second desk, later: nothing left to decide
    before = office.row_counts()
    office.at("1405-08-23 20:00")
    assert deadlines.decide_due(office.system, office.clock.now) is False  # already recorded
    assert office.row_counts() == before
    with office.base.tx() as s:
        runs = s.scalars(select(DeadlineRun).where(DeadlineRun.decided > 0)).all()
    assert len(runs) == 1 and len(runs[0].input_digest) == 64 and runs[0].decided == 1


def test_crash_in_the_middle_of_a_deadline_decides_nothing(office: Office, monkeypatch):
    e1, e2 = office.engineer("E1", score=120), office.engineer("E2", score=90)
    p = office.project(disciplines=("arch", "civil"))
    office.engineer("A1", discipline="arch")
    office.at("1405-08-23 10:00")
    for eid in (e1, e2):
        candidacy.stand(office.as_engineer[eid], eid, p.referral_ids["civil"])
    before = office.row_counts()

    real = deadlines.notification_row  # after the run record is written, before the effects
    calls = {"n": 0}

    def crash(*a, **k):
        calls["n"] += 1
        if calls["n"] == 1:
            real(*a, **k)
            raise OSError("power cut")
        return real(*a, **k)

    monkeypatch.setattr(deadlines, "notification_row", crash)
    office.at("1405-08-23 20:00")
    with pytest.raises(OSError):
        deadlines.run_due(office.system)
    assert office.row_counts() == before  # nothing half-decided
    monkeypatch.setattr(deadlines, "notification_row", real)
    deadlines.run_due(office.system)
    refs = {r.discipline: r for r in queries.referrals_overview(office.base)}
    assert refs["civil"].membership_no == "E1"
    with office.base.tx() as s:
        assert s.scalar(select(Round.outcome).where(Round.referral_id == refs["arch"].id)) == (
            "extended"
        )


def test_A10_a_recorded_run_can_be_decided_again_and_tampering_shows(office: Office):
    e1, e2 = office.engineer("E1", score=120), office.engineer("E2", score=100)
    p = office.project(disciplines=("arch", "civil"))
    office.at("1405-08-23 10:00")
    for e in (e1, e2):
        candidacy.stand(office.as_engineer[e], e, p.referral_ids["civil"])
    office.run("1405-08-26 20:00")  # selection, no-show, forced round, extensions
    with office.base.tx() as s:
        runs = s.scalars(select(DeadlineRun.id).where(DeadlineRun.kind == "deadline")).all()
    assert len(runs) >= 3
    assert all(deadlines.recheck_run(office.base, r)[0] for r in runs)
    with office.base.tx() as s:  # someone edits a published ranked list
        rnd = s.scalar(select(Round).where(Round.run_id == runs[0], Round.engineer_id.is_not(None)))
        lines = dict(rnd.ranking)  # the columns of its lines (issue 17): their order turned
        lines["engineer_id"] = list(reversed(lines["engineer_id"]))
        rnd.ranking = lines
    ok, why = deadlines.recheck_run(office.base, runs[0])
    assert not ok and "رتبه" in why
    with office.base.tx() as s:  # or writes something that is not a list of lines at all
        rnd = s.scalar(select(Round).where(Round.run_id == runs[0], Round.engineer_id.is_not(None)))
        rnd.ranking = ["engineer_id", "score"]
    ok, why = deadlines.recheck_run(office.base, runs[0])
    assert not ok and "رتبه" in why


def test_run_due_reports_progress_per_instant(office: Office):
    office.engineer("E1")
    office.project(disciplines=("arch", "civil"))
    office.at("1405-08-26 20:00")  # three deadlines: extended, extended, forced/unassigned
    seen: list[tuple[int, int]] = []
    deadlines.run_due(office.system, progress=lambda done, total: seen.append((done, total)))
    assert [d for d, _ in seen] == list(range(1, len(seen) + 1)) and len(seen) >= 3
    assert all(t >= d for d, t in seen)


def test_the_engineers_list_pages_by_key_the_same_rows_as_by_position(db_url):
    """`after_id`: the next page after a row, by its sort key — the rows by position, every
    sort and direction (keyset where the sort's columns are never empty)."""
    from app.services import browse

    office = Office(db_url)
    for i in range(23):
        office.engineer(f"K{i % 7}{i:02d}", last_name=f"ف{i % 4}", mobile=f"0912{i % 5:07d}")
    for sort in ("membership_no", "name", "kind", "mobile"):
        for desc in (False, True):
            every = browse.engineer_page(office.clerk, "", 0, 100, sort, desc)
            paged, last = [], None
            while True:
                page = browse.engineer_page(office.clerk, "", len(paged), 5, sort, desc, last)
                if not page:
                    break
                paged += page
                last = page[-1].id
            assert [r.id for r in paged] == [r.id for r in every], (sort, desc)


def test_the_engineers_list_search_takes_wildcards_literally_and_pages_filtered(db_url):
    """The list's statements are built once per shape and bound with each search's words
    (`browse._page_statement`): `%`, `_` and `\\` typed in a name are letters (the escape
    clause only where a word has one), every word must match, the count agrees, and a
    filtered list pages by key to the rows by position."""
    from app.services import browse

    office = Office(db_url)
    for no, last in (("W1", "ر_ز"), ("W2", "رسز"), ("W3", "ر%ز"), ("W4", "ر\\ز"), ("W5", "رز")):
        office.engineer(no, last_name=last)
    for i in range(12):
        office.engineer(f"P{i:02d}", last_name=f"پاک{i % 3}")

    def found(text: str) -> list[str]:
        rows = [r.membership_no for r in browse.engineer_page(office.clerk, text)]
        assert browse.count_engineers(office.clerk, text) == len(rows), text
        return rows

    assert found("ر_ز") == ["W1"]
    assert found("ر%ز") == ["W3"]
    assert found("ر\\ز") == ["W4"]
    assert found("رز") == ["W5"]
    assert found("ر") == ["W1", "W2", "W3", "W4", "W5"]
    assert found("W ر_ز") == ["W1"]  # every word: a code and a name
    assert found("w1 ر%ز") == []
    assert found("پاك۱") == ["P01", "P04", "P07", "P10"]  # Arabic kaf, Persian digit
    for sort, desc in (("name", False), ("name", True), ("membership_no", True), ("mobile", False)):
        every = browse.engineer_page(office.clerk, "پاک", 0, 100, sort, desc)
        paged, last = [], None
        while page := browse.engineer_page(office.clerk, "پاک", len(paged), 5, sort, desc, last):
            paged += page
            last = page[-1].id
        assert [r.id for r in paged] == [r.id for r in every] and len(every) == 12, (sort, desc)


def test_S8_a_surveyors_refund_raises_his_ledger_to_his_score(office: Office):
    """W2: a surveyor's withdrawal gives back the project's charge (stored as a negative
    charge); the desk's and the web's ledger show it as points given back, and its last
    balance is the score, with no «امتیاز پایه» line to close a gap."""
    from app.services import browse

    e = office.engineer("S1", discipline="survey", score=100)
    p = office.project(area=450, floors=3, disciplines=("survey",))
    rid = p.referral_ids["survey"]
    office.at("1405-08-23 10:00")
    candidacy.stand(office.as_engineer[e], e, rid)
    office.run("1405-08-23 20:00")
    office.at("1405-08-24 09:00")
    deadlines.record_withdrawal(office.clerk, rid, "نامه ۱۲")
    f = browse.engineer_file(office.clerk, e)
    kinds = [(r.kind, r.points) for r in f.ledger]
    assert kinds[0][0] == "charge" and kinds[0][1] < 0
    assert kinds[1] == ("refund", -kinds[0][1])
    assert f.ledger[-1].balance == f.score == f.base_score
    assert "base" not in [k for k, _ in kinds]

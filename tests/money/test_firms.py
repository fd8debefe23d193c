"""G2, G3, F6 for legal entities; firm capacity and score from policy; a member and their firm
do not stand for the same referral (C2)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.db.models import AuditEntry, Engineer, FirmMember
from app.domain.errors import InputError
from app.services import browse, candidacy, engineers, firms, queries, users
from support import firm_in


def test_G3_firm_score_is_the_mean_and_capacity_the_sum_of_its_members(office):
    a = office.engineer("E1", score=100, percent=50)
    b = office.engineer("E2", score=51, percent=50)
    fid = firms.register_firm(office.system, firm_in(), [a, b])
    st = queries.engineer_standings(office.base, [fid, a])
    assert st[fid].score == Decimal("75.50")
    assert st[fid].capacity_m2 == 2 * st[a].capacity_m2 == 19200


def test_F6_a_firm_is_not_registered_while_a_member_is_incomplete_or_unpaid(office, refuse):
    a = office.engineer("E1")
    owed = office.engineer("E2", paid_through=1404)
    incomplete = office.engineer("E3", data_complete=False)
    before = office.row_counts()
    err = refuse(firms.register_firm, office.system, firm_in(), [a, owed], rules={"F6"})
    assert "E2" in err.message
    refuse(firms.register_firm, office.system, firm_in(), [a, incomplete], rules={"F6"})
    assert office.row_counts() == before
    fid = firms.register_firm(office.system, firm_in(), [a])
    refuse(firms.add_member, office.clerk, fid, owed, rules={"F6"})
    refuse(firms.add_member, office.finance, fid, a, rules={"U1"})


def test_F6_no_process_of_a_firm_goes_ahead_once_a_member_falls_behind(office, refuse):
    a, b = office.engineer("E1"), office.engineer("E2")
    fid = firms.register_firm(office.system, firm_in(), [a, b])
    engineers.request_renewal(office.clerk, fid, 1406)  # all members valid: allowed
    engineers.update_engineer(office.admin, b, {"data_complete": False})
    refuse(engineers.approve_renewal, office.finance, fid, 1406, 1000, rules={"F6"})
    refuse(engineers.update_engineer, office.admin, fid, {"mobile": "09121234567"}, rules={"F6"})
    assert [x.membership_no for x in firms.firm_status(office.clerk, fid)] == ["E2"]
    firms.remove_member(office.clerk, fid, b)  # leaving is how the firm gets unblocked
    engineers.approve_renewal(office.finance, fid, 1406, 1000)
    engineers.record_membership_payment(office.finance, fid, 1406, "R-1")


def test_G2_G3_a_firm_cannot_stand_while_a_member_licence_or_membership_fails(office, refuse):
    a = office.engineer("E1")
    b = office.engineer("E2", licence_no="L-2", licence_expires=date(2026, 1, 1))
    fid = firms.register_firm(office.system, firm_in(), [a, b])
    office.as_engineer[fid] = office.base.as_actor(
        users.create_user(office.admin, "firm", "شرکت", "engineer", engineer_id=fid)
    )
    rid = office.project().referral_ids["civil"]
    office.at("1405-08-23 10:00")
    refuse(candidacy.stand, office.as_engineer[fid], fid, rid, rules={"C2", "G2"})


def test_C2_a_member_and_their_firm_do_not_stand_for_the_same_referral(office, refuse):
    a, b = office.engineer("E1"), office.engineer("E2")
    outsider = office.engineer("E3")
    fid = firms.register_firm(office.system, firm_in(), [a, b])
    firm_ctx = office.base.as_actor(
        users.create_user(office.admin, "firm", "شرکت", "engineer", engineer_id=fid)
    )
    rid = office.project().referral_ids["civil"]
    office.at("1405-08-23 10:00")
    candidacy.stand(office.as_engineer[a], a, rid)
    err = refuse(candidacy.stand, firm_ctx, fid, rid, rules={"C2"})
    assert err.message == firms.MEMBER_CONFLICT
    candidacy.stand(office.as_engineer[outsider], outsider, rid)  # others are not affected
    candidacy.cancel(office.as_engineer[a], a, rid)
    candidacy.stand(firm_ctx, fid, rid)
    refuse(candidacy.stand, office.as_engineer[b], b, rid, rules={"C2"})


def test_a_firms_registration_is_stored_in_one_form_and_only_a_firm_has_one(office):
    """Issue 14: a firm's registration number (شماره ثبت) typed in any digit script, with a
    stray mark, is stored in Latin digits; where it was registered is a normalised name; both
    can be changed or cleared; a person has neither, and a number is digits only. A firm's
    national ID is a legal ID (شناسه ملی), not checked as a person's national code."""
    a = office.engineer("E1")
    fid = firms.register_firm(
        office.system,
        firm_in(registration_no="۴۷۲۱۸\u200f", registration_place=" اداره ثبت شركت‌ها  اهواز"),
        [a],
    )

    def stored() -> tuple:
        with office.engine.connect() as c:
            return c.execute(
                select(Engineer.registration_no, Engineer.registration_place).where(
                    Engineer.id == fid
                )
            ).one()

    assert tuple(stored()) == ("47218", "اداره ثبت شرکت‌ها اهواز")
    engineers.update_engineer(office.admin, fid, {"registration_no": "٥٥٥"})
    engineers.update_engineer(office.admin, fid, {"national_id": "10861234565"})
    assert tuple(stored()) == ("555", "اداره ثبت شرکت‌ها اهواز")
    engineers.update_engineer(office.admin, fid, {"registration_place": None})
    assert tuple(stored()) == ("555", None)
    with pytest.raises(InputError) as err:
        engineers.update_engineer(office.admin, fid, {"registration_no": "12-34"})
    assert err.value.field == "registration_no"
    with pytest.raises(InputError) as err:
        engineers.update_engineer(office.admin, a, {"registration_no": "47218"})
    assert err.value.field == "registration_no" and "حقوقی" in str(err.value)
    with pytest.raises(InputError):
        engineers.register_engineer(
            office.system, replace(firm_in("P-9"), kind="person", registration_place="اهواز")
        )


def test_a_firm_is_registered_with_its_managing_director_in_one_call(office, refuse):
    """The desk's «ثبت شخص حقوقی»: the firm, its members and the one who signs for it (its
    managing director, صاحب امضای مجاز) in one transaction and one audit entry; a national ID
    that is not a legal ID (شناسه ملی, its check digit), a director who is not a registered
    person or is behind on membership (F6) is refused in Persian, and nothing is written."""
    a, b = office.engineer("E1"), office.engineer("E2")
    owed = office.engineer("E3", paid_through=1404)
    engineers.update_engineer(office.admin, b, {"first_name": "حمید", "last_name": "ساکی"})
    # as the clerk types it: the firm's membership is paid later, through F5 (issue 15)
    firm = firm_in(national_id="۱۰۸۶۱۲۳۴۵۶۵", registration_no="47218", membership_paid_through=None)
    err5 = refuse(firms.register_firm, office.clerk, replace(firm, membership_paid_through=1405),
                  [a], director_id=b, rules={"F5"})  # fmt: skip
    assert "امور مالی" in err5.message
    before = office.row_counts()
    with pytest.raises(InputError) as err:
        firms.register_firm(
            office.clerk, replace(firm, national_id="10861234567"), [a], director_id=b
        )
    assert err.value.field == "national_id" and "شناسه ملی" in err.value.message
    with pytest.raises(InputError) as err:
        firms.register_firm(office.clerk, firm, [a], director_id=a + b + owed + 100)
    assert err.value.field == "director_id" and "مدیرعامل" in err.value.message
    err6 = refuse(firms.register_firm, office.clerk, firm, [a], director_id=owed, rules={"F6"})
    assert "E3" in err6.message
    refuse(firms.register_firm, office.finance, firm, [a], director_id=b, rules={"U1"})
    assert office.row_counts() == before

    fid = firms.register_firm(office.clerk, firm, [a], director_id=b)
    with pytest.raises(InputError) as err:  # a firm never signs for another firm
        firms.register_firm(
            office.clerk, firm_in("F-2", membership_paid_through=None), [a], director_id=fid
        )
    assert err.value.field == "director_id"
    with office.engine.connect() as c:
        links = dict(
            c.execute(
                select(FirmMember.member_id, FirmMember.role).where(FirmMember.firm_id == fid)
            ).all()
        )
        nid = c.scalar(select(Engineer.national_id).where(Engineer.id == fid))
        (after,) = c.scalars(
            select(AuditEntry.after).where(
                AuditEntry.action == "firm.register", AuditEntry.entity_id == str(fid)
            )
        ).all()
    assert links == {a: "member", b: "managing_director"} and nid == "10861234565"
    assert after["members"] == sorted([a, b]) and after["director"] == b
    assert browse.engineer_file(office.clerk, fid).signatory == "حمید ساکی"
    # the director among the members is one member, with the director's role
    fid2 = firms.register_firm(
        office.clerk, firm_in("F-3", membership_paid_through=None), [a, b], director_id=a
    )
    assert firms.firm_status(office.clerk, fid2) == []
    assert browse.engineer_file(office.clerk, fid2).signatory == "E1"

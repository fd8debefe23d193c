"""F5 membership renewal through the services, G3 reading it, and U1 for money."""

from __future__ import annotations

import pytest

from app.domain.errors import InputError
from app.services import candidacy, deadlines, engineers, fees, finance, payouts, sms


def test_F5_renewal_request_finance_approval_then_payment_oldest_year_first(office, refuse):
    e = office.engineer("E1", paid_through=1403, member_since=1400)
    rid = office.project().referral_ids["civil"]
    office.at("1405-08-23 10:00")
    refuse(candidacy.stand, office.as_engineer[e], e, rid, rules={"C2", "G3"})
    refuse(engineers.request_renewal, office.as_engineer[e], e, 1405, rules={"F5"})  # 1404 owed
    for before_joining in (1399, 1300):  # a year before membership began is no renewal
        refuse(engineers.request_renewal, office.as_engineer[e], e, before_joining, rules={"F5"})
    engineers.request_renewal(office.as_engineer[e], e, 1404)
    assert [
        (r.membership_no, r.year) for r in finance.pending_approvals(office.finance).renewals
    ] == [("E1", 1404)]
    refuse(engineers.record_membership_payment, office.finance, e, 1404, "P", rules={"F5"})
    refuse(engineers.approve_renewal, office.clerk, e, 1404, 3_850_000, rules={"U1"})
    engineers.approve_renewal(office.finance, e, 1404, 3_850_000)
    refuse(engineers.record_membership_payment, office.clerk, e, 1404, "IMS-1", rules={"U1"})
    engineers.record_membership_payment(office.finance, e, 1404, "IMS-1")
    refuse(engineers.record_membership_payment, office.finance, e, 1404, "IMS-1", rules={"F5"})
    refuse(candidacy.stand, office.as_engineer[e], e, rid, rules={"C2", "G3"})  # 1405 owed
    engineers.request_renewal(office.as_engineer[e], e, 1405)
    engineers.approve_renewal(office.finance, e, 1405, 3_850_000)
    # the member's own word is not a payment (seed 000): U1, and an empty reference is refused
    refuse(engineers.record_membership_payment, office.as_engineer[e], e, 1405, "", rules={"U1"})
    with pytest.raises(InputError):
        engineers.record_membership_payment(office.finance, e, 1405, " \u200c ")
    engineers.record_membership_payment(office.finance, e, 1405, "IMS-2")
    candidacy.stand(office.as_engineer[e], e, rid)  # G3 now holds
    totals = finance.day_totals(office.finance)
    assert (totals.memberships_paid_count, totals.memberships_paid_rials) == (2, 7_700_000)


def test_F5_incomplete_data_blocks_the_renewal_request(office, refuse):
    e = office.engineer("E1", paid_through=1404, data_complete=False)
    refuse(engineers.request_renewal, office.clerk, e, 1405, rules={"F5"})
    engineers.update_engineer(office.clerk, e, {"data_complete": True})
    engineers.request_renewal(office.clerk, e, 1405)


def test_U1_a_clerk_cannot_approve_money(office, refuse):
    e = office.engineer("E1", paid_through=1404)
    engineers.request_renewal(office.clerk, e, 1405)
    refuse(engineers.approve_renewal, office.clerk, e, 1405, 1, rules={"U1"})
    refuse(payouts.decide_payout, office.clerk, 1, True, rules={"U1"})
    refuse(payouts.mark_paid, office.clerk, [1], "X", rules={"U1"})
    refuse(fees.seed_tariffs, office.clerk, rules={"U1"})


def test_U1_a_finance_officer_cannot_run_a_deadline_or_record_counter_work(office, refuse):
    office.engineer("E1")
    rid = office.project().referral_ids["civil"]
    office.at("1405-08-23 20:00")
    refuse(deadlines.run_due, office.finance, rules={"U1"})
    refuse(deadlines.record_signature, office.finance, rid, rules={"U1"})
    refuse(payouts.record_stage_report, office.finance, rid, "permit", rules={"U1"})
    refuse(sms.send_pending, office.finance, None, rules={"U1"})
    refuse(finance.pending_approvals, office.as_engineer[1], rules={"U1"})

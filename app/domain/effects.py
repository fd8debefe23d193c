"""What a deadline run's decisions change, as rows (A4, A6–A9): pure; `db/writeback.py`
writes them with one bulk statement per table and shape."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import orjson

from .calendar import jalali_year
from .codes import CANDIDACY
from .deadline_run import RunOutcome


@dataclass
class RunEffects:
    rounds: list[dict[str, Any]] = field(default_factory=list)  # the decided rounds (A10)
    selected: list[dict[str, Any]] = field(default_factory=list)  # referrals chosen (A4, A9)
    extended: list[dict[str, Any]] = field(default_factory=list)  # a new round (A6)
    unassigned: list[dict[str, Any]] = field(default_factory=list)  # A7
    holds: list[dict[str, Any]] = field(default_factory=list)  # capacity held (A4, S3)
    charges: list[dict[str, Any]] = field(default_factory=list)  # project scores (A4)
    new_rounds: list[dict[str, Any]] = field(default_factory=list)  # A6
    chosen: list[dict[str, Any]] = field(default_factory=list)  # the winners' candidacies


def run_effects(
    outcome: RunOutcome,
    at: datetime,
    run_id: int,
    sign_from: datetime | None,
    sign_until: datetime | None,
) -> RunEffects:
    year = jalali_year(at)
    e = RunEffects()
    for d in outcome.decisions:
        e.rounds.append(
            {
                "b_referral_id": d.referral_id,
                "b_no": d.round_no,
                "b_outcome": d.outcome,
                "b_decided_at": at,
                "b_run_id": run_id,
                "b_engineer_id": d.engineer_id,
                "b_ranking": d.ranking_json.decode(),
                "b_set_aside": d.set_aside_json.decode(),
                "b_exclusions": orjson.dumps(dict(d.exclusions)).decode()
                if d.outcome == "unassigned"
                else None,
            }
        )
        if d.engineer_id is not None:
            area = Decimal(d.area).scaleb(-2)
            e.selected.append(
                {
                    "b_id": d.referral_id,
                    "b_engineer_id": d.engineer_id,
                    "b_method": d.method,
                    "b_selected_round": d.round_no,
                    "b_decided_at": at,
                    "b_sign_from": sign_from,
                    "b_sign_until": sign_until,
                }
            )
            e.holds.append(
                {
                    "engineer_id": d.engineer_id,
                    "referral_id": d.referral_id,
                    "kind": "referral",
                    "area": area,
                    "held_from": at,
                    "note": "",
                }
            )
            e.charges.append(
                {
                    "engineer_id": d.engineer_id,
                    "at": at,
                    "kind": "charge",
                    "points": Decimal(d.points).scaleb(-2),
                    "period_year": year,
                    "referral_id": d.referral_id,
                    "note": "",
                }
            )
            e.chosen.append({"b_referral_id": d.referral_id, "b_engineer_id": d.engineer_id})
        elif d.outcome == "extended":
            e.extended.append({"b_id": d.referral_id, "b_round_no": d.round_no + 1})
            e.new_rounds.append(
                {
                    "referral_id": d.referral_id,
                    "no": d.round_no + 1,
                    "kind": CANDIDACY,
                    "opened_at": at,
                    "deadline": d.next_deadline,
                }
            )
        else:
            e.unassigned.append({"b_id": d.referral_id})
    return e

"""A deadline run's effects written back (A4, A6–A10): one executemany per table and shape,
no ORM object, in the run's transaction.

The rounds' published lists arrive as JSON text already made (the bytes hashed into the
output digest): they are bound as text — PostgreSQL casts it to `json` — never parsed and
encoded again.
"""

from __future__ import annotations

from sqlalchemy import JSON, Connection, Text, bindparam, cast, insert, update

from ..domain.effects import RunEffects
from .models import Candidacy, CapacityHold, Referral, Round, ScoreEntry


def _json_text(name: str, dialect: str):
    param = bindparam(name, type_=Text())
    return cast(param, JSON) if dialect == "postgresql" else param


def write_effects(conn: Connection, e: RunEffects) -> None:
    dialect = conn.dialect.name
    rounds, referrals, candidacies = Round.__table__, Referral.__table__, Candidacy.__table__
    if e.rounds:
        conn.execute(
            update(rounds)  # by its key: (referral, round number)
            .where(
                rounds.c.referral_id == bindparam("b_referral_id"),
                rounds.c.no == bindparam("b_no"),
            )
            .values(
                outcome=bindparam("b_outcome"),
                decided_at=bindparam("b_decided_at"),
                run_id=bindparam("b_run_id"),
                engineer_id=bindparam("b_engineer_id"),
                ranking=_json_text("b_ranking", dialect),
                set_aside=_json_text("b_set_aside", dialect),
                exclusions=_json_text("b_exclusions", dialect),
            ),
            e.rounds,
        )
    if e.selected:
        conn.execute(
            update(referrals)
            .where(referrals.c.id == bindparam("b_id"))
            .values(
                status="selected",
                engineer_id=bindparam("b_engineer_id"),
                method=bindparam("b_method"),
                selected_round=bindparam("b_selected_round"),
                decided_at=bindparam("b_decided_at"),
                sign_from=bindparam("b_sign_from"),
                sign_until=bindparam("b_sign_until"),
            ),
            e.selected,
        )
    if e.extended:
        conn.execute(
            update(referrals)
            .where(referrals.c.id == bindparam("b_id"))
            .values(round_no=bindparam("b_round_no")),
            e.extended,
        )
    if e.unassigned:
        conn.execute(
            update(referrals)
            .where(referrals.c.id == bindparam("b_id"))
            .values(status="unassigned"),
            e.unassigned,
        )
    for table, rows in (
        (CapacityHold.__table__, e.holds),
        (ScoreEntry.__table__, e.charges),
        (rounds, e.new_rounds),
    ):
        if rows:
            conn.execute(insert(table), rows)
    if e.chosen:  # the winners' candidacies have done their work: by key
        conn.execute(
            update(candidacies)
            .where(
                candidacies.c.referral_id == bindparam("b_referral_id"),
                candidacies.c.engineer_id == bindparam("b_engineer_id"),
                candidacies.c.status == "active",
            )
            .values(status="chosen"),
            e.chosen,
        )

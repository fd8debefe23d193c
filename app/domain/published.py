"""Reading a round's published lists (A2, A10, C6): the ranked lines and the set-aside lines
kept in `rounds.ranking` and `rounds.set_aside`.

Two forms are stored. Runs before issue 17 wrote a list of objects, one per line, amounts as
decimal strings (`{"engineer_id": 7, "membership_no": "7-1", "score": "12.50", ...}`). Runs
since write columns, the engineer by id (the membership number is the engineer's own, read
beside the list: `membership_no` is None here), amounts as integers with their decimal places
(`{"places": {"score": 2, "remaining_m2": 2}, "engineer_id": [7, …], "score": [1250, …], …}`;
a set-aside line's rules as the bits of one integer, `rule_bits` naming them in order), the
very JSON hashed into the run's output digest. Both read here as the same lines.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, NamedTuple


class RankedLine(NamedTuple):
    engineer_id: int
    membership_no: str | None  # None: a line of the columns form (the engineer's own number)
    score: Decimal
    remaining_m2: Decimal | None  # None: a line from before it was published
    active_jobs: int | None


class AsideLine(NamedTuple):
    engineer_id: int
    membership_no: str | None
    rules: tuple[str, ...]


def ranking_lines(value: Any) -> list[RankedLine]:
    if not value:
        return []
    if isinstance(value, dict):
        places = value["places"]
        ps, pr = -int(places["score"]), -int(places["remaining_m2"])
        return [
            RankedLine(e, None, Decimal(s).scaleb(ps), Decimal(r).scaleb(pr), j)
            for e, s, r, j in zip(
                value["engineer_id"],
                value["score"],
                value["remaining_m2"],
                value["active_jobs"],
                strict=True,
            )
        ]
    return [
        RankedLine(
            x["engineer_id"],
            x["membership_no"],
            Decimal(x["score"]),
            Decimal(x["remaining_m2"]) if "remaining_m2" in x else None,
            x.get("active_jobs"),
        )
        for x in value
    ]


def set_aside_lines(value: Any) -> list[AsideLine]:
    if not value:
        return []
    if isinstance(value, dict):
        names = value["rule_bits"]
        return [
            AsideLine(e, None, tuple(rule for i, rule in enumerate(names) if bits >> i & 1))
            for e, bits in zip(value["engineer_id"], value["rules"], strict=True)
        ]
    return [AsideLine(x["engineer_id"], x["membership_no"], tuple(x["rules"])) for x in value]

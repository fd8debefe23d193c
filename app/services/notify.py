"""A8: messages written to the outbox in the same transaction as the change they announce.

The fields of many messages are fetched together (`message_fields`), never one query per row.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db.models import Engineer, Notification, Owner, Project, ProjectOwner, Referral
from ..domain.calendar import format_jalali_date, local
from ..domain.codes import DISCIPLINE_FA, GROUP_FA
from ..resources import ROOT


@cache
def templates() -> dict[str, str]:
    return json.loads((ROOT / "sms" / "templates_fa.json").read_text(encoding="utf-8"))


def message_fields(
    s: Session, referral_ids: Iterable[int], engineer_ids: Iterable[int]
) -> tuple[dict[int, dict[str, Any]], dict[int, str | None]]:
    """Project facts per referral, and engineers' mobiles — three queries in all."""
    rids = list(referral_ids)
    rows = (
        s.execute(
            select(
                Referral.id,
                Referral.discipline,
                Referral.project_id,
                Project.file_no,
                Project.group,
                Project.area,
            )
            .join(Project, Project.id == Referral.project_id)
            .where(Referral.id.in_(rids))
        ).all()
        if rids
        else []
    )
    mobiles: dict[int, str] = {}
    for pid, mobile in s.execute(
        select(ProjectOwner.project_id, Owner.mobile)
        .join(Owner, Owner.id == ProjectOwner.owner_id)
        .where(ProjectOwner.project_id.in_({r.project_id for r in rows}), Owner.mobile.is_not(None))
        .order_by(ProjectOwner.project_id, Owner.id)
    ):
        mobiles.setdefault(pid, mobile)
    fields = {
        r.id: {
            "file_no": r.file_no,
            "discipline_fa": DISCIPLINE_FA[r.discipline],
            "group_fa": GROUP_FA[r.group],
            "area": f"{r.area:f}".rstrip("0").rstrip("."),
            "owner_mobile": mobiles.get(r.project_id, "—"),
        }
        for r in rows
    }
    eids = list(engineer_ids)
    phones = (
        dict(s.execute(select(Engineer.id, Engineer.mobile).where(Engineer.id.in_(eids))).all())
        if eids
        else {}
    )
    return fields, phones


def notification_row(
    kind: str,
    referral_id: int,
    engineer_id: int,
    at: datetime,
    fields: dict[str, Any],
    mobile: str | None,
    sign_from: datetime | None = None,
    sign_until: datetime | None = None,
) -> dict[str, Any]:
    """One outbox row, its text filled from the SMS templates (for a bulk insert)."""
    values = {
        **fields,
        "sign_day": format_jalali_date(local(sign_from).date()) if sign_from else "",
        "sign_from": f"{local(sign_from):%H:%M}" if sign_from else "",
        "sign_until": f"{local(sign_until):%H:%M}" if sign_until else "",
    }
    return {
        "created_at": at,
        "engineer_id": engineer_id,
        "referral_id": referral_id,
        "kind": kind,
        "mobile": mobile,
        "body": templates()[kind].format(**values),
        "next_attempt_at": at,
    }


def queue(
    s: Session,
    kind: str,
    referral_id: int,
    engineer_id: int,
    at: datetime,
    fields: dict[str, Any],
    mobile: str | None,
    sign_from: datetime | None = None,
    sign_until: datetime | None = None,
) -> None:
    """Add one outbox row to the session."""
    row = notification_row(
        kind, referral_id, engineer_id, at, fields, mobile, sign_from, sign_until
    )
    s.add(Notification(**row))

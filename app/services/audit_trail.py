"""U2: checking the audit trail's hash chain (`main.py audit verify`)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..db.models import AuditEntry, User
from .context import ServiceContext, audit_hash, entry_body
from .permissions import require
from .registry import use_case


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_broken: int | None  # id of the first line whose hash or link does not hold
    reason: str
    head: str | None = None  # the last line's hash: noted elsewhere, it shows a cut-off tail


@use_case(writes=False)
def verify_chain(ctx: ServiceContext, batch: int = 5_000) -> ChainReport:
    """Walk the trail in order; report the first line that was rewritten or unlinked."""
    require(ctx, "audit.read")
    prev: str | None = None
    checked, last_id = 0, 0
    with ctx.read() as s:  # users are never renamed: a line's user id must name its actor
        usernames = dict(s.execute(select(User.id, User.username)).all())
    while True:
        with ctx.read() as s:
            rows = s.scalars(
                select(AuditEntry)
                .where(AuditEntry.id > last_id)
                .order_by(AuditEntry.id)
                .limit(batch)
            ).all()
        if not rows:
            return ChainReport(checked, None, "زنجیره ردپا سالم است", prev)
        for e in rows:
            if e.prev_hash != prev:
                return ChainReport(checked, e.id, "پیوند به سطر پیشین گسسته است")
            if audit_hash(entry_body(e)) != e.hash:
                return ChainReport(checked, e.id, "محتوای سطر پس از ثبت تغییر کرده است")
            if e.user_id is not None and usernames.get(e.user_id) != e.actor:
                return ChainReport(checked, e.id, "کاربر سطر با نام کاربری ثبت‌شده در آن نمی‌خواند")
            prev, last_id, checked = e.hash, e.id, checked + 1

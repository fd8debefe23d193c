"""U2: checking the audit trail's hash chain (`main.py audit verify`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ..db.models import AuditEntry, User
from ..domain.errors import InputError
from .context import (
    ServiceContext,
    audit_hash,
    entry_body,
    head_record,
    keyed_hash,
    refuse_foreign_head,
)
from .permissions import require
from .registry import use_case


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_broken: int | None  # id of the first line whose hash or link does not hold
    reason: str
    head: str | None = None  # the last line's hash: noted elsewhere, it shows a cut-off tail
    tail: str = "unchecked"  # against the noted head: ok | cut | unchecked | forged


@use_case(writes=False)
def verify_chain(
    ctx: ServiceContext, batch: int = 5_000, head_note: dict[str, Any] | None = None
) -> ChainReport:
    """Walk the trail in order; report the first line that was inserted, rewritten or
    unlinked. Lines since the trail was keyed must carry an HMAC under this server's key;
    `head_note` (the server's note of its newest line, `context.note_head`) shows whether
    lines were cut off the end."""
    require(ctx, "audit.read")
    if isinstance(batch, bool) or not isinstance(batch, int) or not 1 <= batch <= 100_000:
        raise InputError("batch", "اندازه هر دسته باید میان ۱ و ۱۰۰٬۰۰۰ سطر باشد")
    if head_note is None:  # the server's own note (a desk asking through it sends none)
        head_note = read_note(ctx.audit_head)
    key = ctx.server_key()
    prev: str | None = None
    checked, last_id, keyed = 0, 0, False
    tail = _check_note(key, head_note)
    if tail == "forged":
        return ChainReport(0, None, "یادداشت سرِ زنجیره با کلید این سرور امضا نشده است", None, tail)
    wanted = head_note if tail == "noted" else None
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
            if wanted is not None:  # the noted head was never reached
                return ChainReport(
                    checked,
                    None,
                    f"سطرهایی از انتهای ردپا حذف شده است: سطر {wanted['id']} که سرور "
                    "ثبت کرده بود در زنجیره نیست",
                    prev,
                    "cut",
                )
            if tail == "unchecked":
                return ChainReport(
                    checked,
                    None,
                    "پیوند سطرها سالم است، اما انتهای ردپا بررسی نشد: یادداشت سرور از "
                    "آخرین سطر در دست نیست",
                    prev,
                    tail,
                )
            return ChainReport(checked, None, "زنجیره ردپا تا آخرین سطر سالم است", prev, "ok")
        for e in rows:
            if e.prev_hash != prev:
                return ChainReport(checked, e.id, "پیوند به سطر پیشین گسسته است")
            if e.key_id is None:
                if keyed:  # after the first keyed line every line is keyed
                    return ChainReport(checked, e.id, "سطری بی‌کلید پس از آغاز زنجیره کلیددار")
                ok = audit_hash(entry_body(e)) == e.hash
            elif e.key_id != key.key_id:
                return ChainReport(
                    checked, e.id, "سطر با کلید دیگری ثبت شده است (پرونده کلید این سرور نیست)"
                )
            else:
                keyed = True
                ok = keyed_hash(key, entry_body(e)) == e.hash
            if not ok:
                return ChainReport(checked, e.id, "محتوای سطر پس از ثبت تغییر کرده است")
            if wanted is not None and e.id == wanted["id"]:
                if e.hash != wanted["hash"]:
                    return ChainReport(checked, e.id, "سطر با یادداشت سرِ زنجیره نمی‌خواند")
                wanted = None
            if e.user_id is not None and usernames.get(e.user_id) != e.actor:
                return ChainReport(checked, e.id, "کاربر سطر با نام کاربری ثبت‌شده در آن نمی‌خواند")
            prev, last_id, checked = e.hash, e.id, checked + 1


def read_note(path: Path | None) -> dict[str, Any] | None:
    """The note of the trail's newest line kept at `path`, if there is one to read."""
    if path is None:
        return None
    try:
        note = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):  # RecursionError: `[` nested 10⁵ deep
        return None
    return note if isinstance(note, dict) else None


def _check_note(key, note: dict[str, Any] | None) -> str:
    """noted: a head note made with this key; unchecked: none given; forged: not ours."""
    if note is None:
        return "unchecked"
    try:
        good = head_record(int(note["id"]), str(note["hash"]), key) == note
    except (KeyError, TypeError, ValueError, OverflowError):  # OverflowError: int(1e999)
        good = False
    return "noted" if good else "forged"


@use_case(writes=False, remote=False)
def check_trail_key(ctx: ServiceContext) -> None:
    """ForeignKeyError when the trail's newest line was chained under another key than this
    process's: the office server checks it before it listens (a server started with the wrong
    key file would refuse every write, one 500 at a time)."""
    require(ctx, "deadline.verify")  # (the system, before the server listens)
    with ctx.read() as s:
        theirs = s.scalar(select(AuditEntry.key_id).order_by(AuditEntry.id.desc()).limit(1))
    refuse_foreign_head(theirs, ctx.server_key())

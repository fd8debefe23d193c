"""A8: the outbox sender. Messages are written by the decision's transaction
(services/notify.py); this module delivers them.

Never lost, never sent twice:

* a message is *claimed* in its own committed transaction before the gateway is called:
  ``UPDATE notifications SET status='sending', attempts=attempts+1, next_attempt_at=lease
  WHERE id=? AND status=? AND attempts=?`` — only the sender whose UPDATE changed the row
  (rowcount 1) sends it; a racing sender sees rowcount 0 and moves on;
* after the gateway answers, the outcome is written (``sent`` with the gateway's reference, or
  back to ``pending`` with exponential back-off, ``failed`` after `max_attempts`), with one
  `sms_attempts` row per attempt holding the gateway's answer;
* every send carries the idempotency key ``nz-<notification id>`` (Kavenegar's ``localid``):
  when a gateway accepted a message but the answer timed out, or a sender died between the
  gateway call and the write, the retry (after the claim's lease expires) is recognised by the
  gateway as the same message and not delivered again.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol, TextIO

from sqlalchemy import select, update

from ..db.models import Notification, SmsAttempt
from .context import ServiceContext
from .registry import use_case

BASE_DELAY = timedelta(minutes=1)
MAX_DELAY = timedelta(hours=6)
LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 8


class GatewayError(Exception):
    """The gateway refused or failed; the message stays in the outbox for a retry."""


class Gateway(Protocol):
    name: str

    def send(self, mobile: str, text: str, key: str) -> str:
        """Deliver one SMS; returns the gateway's reference. Raises on failure or timeout.
        `key` is an idempotency key: the same key must never be delivered twice."""
        ...


def backoff(attempts: int, base: timedelta = BASE_DELAY, cap: timedelta = MAX_DELAY) -> timedelta:
    """Delay before the next try after `attempts` failed tries: 1, 2, 4, 8 … minutes, ≤ 6 h."""
    return min(cap, base * (2 ** max(0, attempts - 1)))


@dataclass
class SendSummary:
    sent: int = 0
    retry: int = 0  # failed this time, will be tried again
    failed: int = 0  # gave up (max attempts, or no mobile number)
    skipped: int = 0  # claimed by another sender first

    def __str__(self) -> str:
        return (
            f"{self.sent} sent, {self.retry} to retry, {self.failed} failed, "
            f"{self.skipped} taken by another sender"
        )


def key_of(notification_id: int) -> str:
    return f"nz-{notification_id}"


@use_case(writes=True, remote=False, server=("gateway", "now"))
def send_pending(
    ctx: ServiceContext,
    gateway: Gateway,
    now: datetime | None = None,
    limit: int = 200,
    max_attempts: int = MAX_ATTEMPTS,
    lease: timedelta = LEASE,
) -> SendSummary:
    """Deliver the messages that are due at `now` (pending, or claimed by a sender whose lease
    ran out). One message at a time: claim, send, record."""
    from .permissions import require

    require(ctx, "sms.send")
    now = now or ctx.now()
    summary = SendSummary()
    with ctx.tx() as s:
        due = s.execute(
            select(Notification.id, Notification.status, Notification.attempts)
            .where(
                Notification.status.in_(("pending", "sending")),
                Notification.next_attempt_at <= now,
            )
            .order_by(Notification.next_attempt_at, Notification.id)
            .limit(limit)
        ).all()
    for nid, status, attempts in due:
        claimed = _claim(ctx, nid, status, attempts, now, lease)
        if claimed is None:
            summary.skipped += 1
            continue
        mobile, body = claimed
        attempt = attempts + 1
        if not mobile:
            _finish(
                ctx,
                nid,
                attempt,
                now,
                gateway,
                ok=False,
                answer="شماره همراه ثبت نشده است",
                final=True,
            )
            summary.failed += 1
            continue
        try:
            ref = str(gateway.send(mobile, body, key_of(nid)))
        except Exception as exc:
            final = attempt >= max_attempts
            _finish(
                ctx,
                nid,
                attempt,
                now,
                gateway,
                ok=False,
                answer=f"{type(exc).__name__}: {exc}",
                final=final,
            )
            if final:
                summary.failed += 1
            else:
                summary.retry += 1
            continue
        _finish(ctx, nid, attempt, now, gateway, ok=True, answer=ref)
        summary.sent += 1
    return summary


def _claim(
    ctx: ServiceContext, nid: int, status: str, attempts: int, now: datetime, lease: timedelta
) -> tuple[str | None, str] | None:
    with ctx.tx() as s:
        res = s.execute(
            update(Notification)
            .where(
                Notification.id == nid,
                Notification.status == status,
                Notification.attempts == attempts,
                Notification.next_attempt_at <= now,
            )
            .values(status="sending", attempts=attempts + 1, next_attempt_at=now + lease)
            .execution_options(synchronize_session=False)
        )
        if res.rowcount != 1:
            return None
        row = s.execute(
            select(Notification.mobile, Notification.body).where(Notification.id == nid)
        ).one()
        return row.mobile, row.body


def _finish(
    ctx: ServiceContext,
    nid: int,
    attempt: int,
    now: datetime,
    gateway: Gateway,
    ok: bool,
    answer: str,
    final: bool = False,
) -> None:
    with ctx.tx() as s:
        if ok:
            values = {
                "status": "sent",
                "sent_at": now,
                "gateway_ref": answer[:64],
                "last_error": None,
                "next_attempt_at": None,
            }
        elif final:
            values = {"status": "failed", "last_error": answer, "next_attempt_at": None}
        else:
            values = {
                "status": "pending",
                "last_error": answer,
                "next_attempt_at": now + backoff(attempt),
            }
        # only the claim holder (same attempt number, still 'sending') writes the outcome
        s.execute(
            update(Notification)
            .where(
                Notification.id == nid,
                Notification.status == "sending",
                Notification.attempts == attempt,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        s.add(
            SmsAttempt(
                notification_id=nid,
                attempt=attempt,
                at=now,
                gateway=gateway.name[:40],
                ok=ok,
                answer=answer,
            )
        )


@use_case(writes=True)
def retry_failed(ctx: ServiceContext, notification_id: int) -> None:
    """Put a message that was given up on back into the outbox (finance/manager desk)."""
    from ..domain.errors import InputError
    from .permissions import require

    require(ctx, "sms.retry")
    with ctx.tx() as s:
        n = s.get(Notification, notification_id)
        if n is None or n.status != "failed":
            raise InputError("notification", "پیامک ناموفقی با این شناسه نیست")
        n.status, n.next_attempt_at = "pending", ctx.now()


# ---------------------------------------------------------------- gateways


class FileGateway:
    """The default: each message appended as one JSON line to a file (or written to a stream).
    Idempotent: a key already written is not written again."""

    name = "file"

    def __init__(self, path: str | Path | None = None, stream: TextIO | None = None):
        """OSError when `path` is there but cannot be read (a folder, no permission);
        OutboxFileError when it is not an outbox this gateway wrote (`outbox_keys`)."""
        self.path = Path(path) if path else None
        self.stream = stream if stream is not None else (None if path else sys.stdout)
        self._seen: set[str] = set()
        self._cut = False  # the file's last line has no end (a write that stopped half-way)
        if self.path and self.path.exists():
            data = self.path.read_bytes()
            self._seen = outbox_keys(self.path, data)
            self._cut = bool(data) and not data.endswith(b"\n")

    def send(self, mobile: str, text: str, key: str) -> str:
        if key in self._seen:
            return key
        line = json.dumps({"key": key, "to": mobile, "text": text}, ensure_ascii=False)
        if self.path:
            with self.path.open("a", encoding="utf-8") as f:
                # after a line cut short, on a line of its own (else both were lost)
                f.write(("\n" if self._cut else "") + line + "\n")
            self._cut = False
        if self.stream is not None:
            print(line, file=self.stream)
        self._seen.add(key)
        return key


class OutboxFileError(ValueError):
    """The file gateway's file is not an outbox it wrote: one Persian line naming the file
    and the line; nothing is sent (appending to someone else's file would spoil it)."""


def outbox_keys(path: Path, data: bytes) -> set[str]:
    """The message keys an outbox file already holds: UTF-8, one JSON object with its text
    `key` a line. The last line alone may be cut short (a write that stopped half-way: it
    holds no whole message). Anything else is not this gateway's file: OutboxFileError."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise OutboxFileError(
            f"پرونده پیامک‌ها {path} متن UTF-8 نیست (بایت {exc.start + 1})؛ پرونده‌ای که "
            "درگاه پرونده‌ای پیامک‌ها را در آن می‌نویسد این نیست — مسیر دیگری بدهید"
        ) from None
    lines = text.split("\n")
    seen: set[str] = set()
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except (ValueError, RecursionError):
            if n == len(lines):  # the last line, with no end: cut short
                continue
            item = None
        if not isinstance(item, dict) or not isinstance(item.get("key"), str):
            raise OutboxFileError(
                f"پرونده پیامک‌ها {path}، سطر {n}: پیامکی که این درگاه نوشته باشد نیست "
                "(یک شیء JSON با «key» در هر سطر)؛ مسیر دیگری بدهید"
            )
        seen.add(item["key"])
    return seen


class KavenegarGateway:
    """Kavenegar through its official package (`kavenegar`). The message key goes as
    `localid`, so Kavenegar does not deliver a retried message twice. The package posts
    without a timeout (a dead network would hang the sender), so its one request method is
    given one here; everything else — URL, headers, answers, exceptions — is the package's."""

    name = "kavenegar"

    def __init__(self, api_key: str, sender: str | None = None, timeout: float = 10.0):
        self.api = _timed_api(api_key, timeout)
        self.sender = sender

    def send(self, mobile: str, text: str, key: str) -> str:
        from kavenegar import APIException, HTTPException

        params = {"receptor": mobile, "message": text, "localid": key}
        if self.sender:
            params["sender"] = self.sender
        try:
            answer = self.api.sms_send(params)
        except (APIException, HTTPException) as exc:
            raise GatewayError(str(exc)) from exc
        entry = answer[0] if isinstance(answer, list) and answer else answer
        if not isinstance(entry, dict) or "messageid" not in entry:
            raise GatewayError(f"unexpected answer: {answer!r}")
        return str(entry["messageid"])


def _timed_api(api_key: str, timeout: float):
    import requests
    from kavenegar import APIException, HTTPException, KavenegarAPI

    class TimedKavenegarAPI(KavenegarAPI):
        def _request(self, action, method, params=None):
            url = f"https://{self.host}/{self.version}/{self.apikey}/{action}/{method}.json"
            try:
                reply = requests.post(url, headers=self.headers, data=params or {}, timeout=timeout)
                body = reply.json()
            except requests.exceptions.RequestException as exc:
                raise HTTPException(exc) from exc
            except ValueError as exc:
                raise HTTPException(exc) from exc
            if body.get("return", {}).get("status") != 200:
                ret = body.get("return", {})
                raise APIException(f"APIException[{ret.get('status')}] {ret.get('message')}")
            return body["entries"]

    return TimedKavenegarAPI(api_key)

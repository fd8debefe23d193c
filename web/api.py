"""The JSON API for desks: sign-in, and every registered use case at `/api/call/<name>`.

The actor comes from the session (the `Authorization: Bearer` token), the time from the
server's clock; neither is ever read from a request. An engineer's `engineer_id` is his own,
whatever the body says. Every body is validated before a service sees it
(app/services/wire.py). A write carrying an `Idempotency-Key` runs in one transaction with the
key and its answer, so a desk's retry after a dropped connection gets the same answer and the
write is made once.
"""

from __future__ import annotations

import hashlib
import logging
import re
import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import orjson
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.db.models import RequestKey
from app.services import sessions, web_auth
from app.services.context import SYSTEM, Actor, ServiceContext
from app.services.registry import REGISTRY, UseCase, load_all
from app.services.wire import (
    Unauthenticated,
    decode_args,
    encode_result,
    error_body,
    wire,
)

from .clock import ArrivalClock, arrived

log = logging.getLogger("nezarat.api")
load_all()

_KEY = re.compile(r"^[A-Za-z0-9-]{16,64}$")
# an engineer's stand and cancel are paced as on the web cartable (web_auth.pace)
PACED = frozenset({"candidacy.stand", "candidacy.cancel"})
# writes a deadline or a window's end decides: judged at the server's instant of arrival
# (a stand at 19:59:59, a signature at 11:59:59 counts however long it waits on the database)
AT_ARRIVAL = frozenset(
    {
        "candidacy.stand",
        "candidacy.cancel",
        "deadlines.record_signature",
        "deadlines.record_withdrawal",
    }
)
RETRY = {"Retry-After": "60"}


def _json(body: Any, status: int = 200, **headers: str) -> HttpResponse:
    response = HttpResponse(
        orjson.dumps(body), status=status, content_type="application/json; charset=utf-8"
    )
    for k, v in headers.items():
        response.headers[k] = v
    return response


def refused_body(message: str) -> HttpResponse:
    """A request body that could not be read (Django's 400, `web.site.bad_request`)."""
    return _json({"kind": "input", "field": "body", "message": message}, 400)


def _raw(data: bytes, status: int = 200) -> HttpResponse:
    return HttpResponse(data, status=status, content_type="application/json; charset=utf-8")


def _error(exc: BaseException) -> HttpResponse:
    if isinstance(exc, RequestDataTooBig):  # past DATA_UPLOAD_MAX_MEMORY_SIZE
        return _json(
            {
                "kind": "input",
                "field": "body",
                "message": "درخواست بزرگ‌تر از اندازه مجاز است؛ چیزی ثبت نشد",
            },
            413,
        )
    status, body = error_body(exc)
    if status == 500:
        ref = uuid.uuid4().hex[:10]
        log.error("internal error %s", ref, exc_info=exc)
        body["ref"] = ref
    return _json(body, status)


def _server(request: HttpRequest):
    return request.META["nezarat.server"]


def _bearer(request: HttpRequest) -> str | None:
    auth = request.headers.get("Authorization", "")
    return auth[7:].strip() if auth.startswith("Bearer ") else None


def _source(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "")[:64]


def _actor(request: HttpRequest) -> Actor:
    token = _bearer(request)
    actor = _server(request).sessions.actor(token, "desk") if token else None
    if actor is None:
        raise Unauthenticated()
    request.nezarat_user = actor.username  # for the access log
    return actor


def _actor_json(a: Actor) -> dict[str, Any]:
    return {
        "username": a.username,
        "role": a.role,
        "user_id": a.user_id,
        "engineer_id": a.engineer_id,
    }


# ---------------------------------------------------------------- health


def healthz(request: HttpRequest) -> HttpResponse:
    srv = _server(request)
    try:
        revision = srv.schema_revision()
    except Exception:
        log.exception("health check: database unreachable")
        return _json({"status": "database unreachable"}, 503)
    clock_ok = srv.guard.ok()
    skew = srv.guard.skew.total_seconds() if srv.guard.skew is not None else None
    body = {
        "status": "ok" if clock_ok else "clock skew",
        "schema": revision,
        "server_time": srv.now().isoformat(),
        "clock_skew_seconds": skew,
    }
    return _json(body, 200 if clock_ok else 503)


def ping(request: HttpRequest) -> HttpResponse:
    """Nothing: one round trip through the server (the bench's loopback limit)."""
    return HttpResponse(status=204)


# ---------------------------------------------------------------- sessions


class _Credentials(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(max_length=200)
    password: str = Field(max_length=1024)


@csrf_exempt  # bearer tokens, never cookies: a browser cannot be made to send one
def session(request: HttpRequest) -> HttpResponse:
    srv = _server(request)
    try:
        if request.method == "POST":
            try:
                cred = _Credentials.model_validate_json(request.body or b"{}")
            except ValidationError:
                return _json(
                    {
                        "kind": "input",
                        "field": "username",
                        "message": "نام کاربری و گذرواژه لازم است",
                    },
                    400,
                )
            try:
                signed = sessions.sign_in(
                    srv.base.as_actor(SYSTEM), cred.username, cred.password, _source(request)
                )
            except sessions.Throttled as exc:
                return _json(
                    {"kind": "throttled", "message": exc.message}, 429, **{"Retry-After": "900"}
                )
            except sessions.SecondStepRequired as exc:
                return _json({"kind": "second_step", "message": exc.message}, 403)
            except sessions.RuleViolation:
                return _json({"kind": "auth", "message": sessions.WRONG}, 401)
            return _json(
                {
                    "token": signed.token,
                    "expires_at": signed.expires_at.isoformat(),
                    "actor": _actor_json(signed.actor),
                    "server_time": srv.now().isoformat(),
                    "schema": srv.schema_revision(),
                }
            )
        if request.method == "GET":
            actor = _actor(request)
            return _json({"actor": _actor_json(actor), "server_time": srv.now().isoformat()})
        if request.method == "DELETE":
            token = _bearer(request)
            if token:
                sessions.sign_out(srv.base.as_actor(_actor(request)), token)
                srv.sessions.forget()
            return HttpResponse(status=204)
        return _json({"kind": "method", "message": "روش درخواست پذیرفته نیست"}, 405)
    except Exception as exc:
        return _error(exc)


# ---------------------------------------------------------------- use cases


@csrf_exempt
def call(request: HttpRequest, name: str) -> HttpResponse:
    uc = REGISTRY.get(name)
    if uc is None or not uc.remote:
        return _json({"kind": "not_found", "field": "name", "message": "چنین کاری وجود ندارد"}, 404)
    if request.method != "POST":
        return _json({"kind": "method", "message": "روش درخواست پذیرفته نیست"}, 405)
    srv = _server(request)
    try:
        actor = _actor(request)
        kwargs = decode_args(uc, request.body)
        if actor.role == "engineer" and "engineer_id" in wire(name).names:
            kwargs["engineer_id"] = actor.engineer_id  # an engineer acts only for himself
        if "source" in uc.server:  # the client's address, which only the server knows
            kwargs["source"] = _source(request)
        ctx = srv.context(actor)
        if not uc.writes:
            return _raw(encode_result(uc, uc.fn(ctx, **kwargs)))
        srv.guard.require()  # nothing is written on a clock that disagrees with the database
        if name in AT_ARRIVAL:  # judged at the server's instant the request arrived
            ctx = replace(ctx, clock=ArrivalClock(arrived(request)))
        pace = None
        if actor.role == "engineer" and name in PACED:  # the web's limits, on every channel

            def pace() -> None:
                web_auth.pace(ctx, actor.engineer_id, _source(request))

        key = request.headers.get("Idempotency-Key")
        if key is not None and not _KEY.match(key):
            return _json(
                {
                    "kind": "input",
                    "field": "Idempotency-Key",
                    "message": "کلید درخواست نامعتبر است",
                },
                400,
            )
        try:
            return _write(ctx, uc, kwargs, key, hashlib.sha256(request.body).hexdigest(), pace)
        except web_auth.TooMany as exc:
            return _json({"kind": "throttled", "message": exc.message}, 429, **RETRY)
        finally:
            if name.startswith("users."):  # a password changed, a user disabled: at once
                srv.sessions.forget()
    except Exception as exc:
        return _error(exc)


def _write(
    ctx: ServiceContext,
    uc: UseCase,
    kwargs: dict[str, Any],
    key: str | None,
    body: str,
    pace: Callable[[], None] | None = None,
):
    """`body`: the request body's SHA-256, kept with the key: a retry is the same request.
    `pace`: the rate limit, counted once the request is known not to be a retry."""
    if key is not None:
        earlier = _earlier(ctx, key, uc, body)
        if earlier is not None:
            return earlier
    if pace is not None:
        pace()
    if not uc.atomic:  # commits in steps of its own: the key is kept once it has finished
        answer = encode_result(uc, uc.fn(ctx, **kwargs))
        if key is not None:
            try:
                with ctx.tx() as s:
                    s.add(_key_row(ctx, uc, key, answer, body))
            except IntegrityError:
                pass
        return _raw(answer)
    try:
        with ctx.unit_of_work() as (uctx, s):
            if key is not None and s.get(RequestKey, key) is not None:
                raise _Replay()  # sent again while the first attempt ran; it has committed
            answer = encode_result(uc, uc.fn(uctx, **kwargs))
            if key is not None:
                s.add(_key_row(ctx, uc, key, answer, body))
                s.flush()
    except Exception:
        # the same key, sent again while the first attempt was running, was committed first:
        # this attempt rolled back whole (a unique key, or a refusal such as C4 "already
        # standing" that the first attempt's write caused); answer what the first one answered
        earlier = _earlier(ctx, key, uc, body) if key is not None else None
        if earlier is None:
            raise
        return earlier
    return _raw(answer)


class _Replay(Exception):
    """Inside a unit of work: the key is already answered; roll back and replay."""


def _key_row(ctx: ServiceContext, uc: UseCase, key: str, answer: bytes, body: str) -> RequestKey:
    return RequestKey(
        key=key,
        user_id=ctx.actor.user_id,
        use_case=uc.name,
        at=ctx.now(),
        answer=answer,
        body_digest=body,
    )


def _earlier(ctx: ServiceContext, key: str, uc: UseCase, body: str) -> HttpResponse | None:
    """The answer the same request got under `key`; a refusal when the key answered another
    user, another use case or another body (a reused key must not swallow a new write)."""
    with ctx.read() as s:
        row = s.execute(
            select(
                RequestKey.user_id, RequestKey.use_case, RequestKey.answer, RequestKey.body_digest
            ).where(RequestKey.key == key)
        ).first()
    if row is None:
        return None
    if (
        row.user_id != ctx.actor.user_id
        or row.use_case != uc.name
        or (row.body_digest is not None and row.body_digest != body)
    ):
        return _json(
            {
                "kind": "input",
                "field": "Idempotency-Key",
                "message": "این کلید درخواست پیش‌تر برای درخواست دیگری به کار رفته است؛ "
                "چیزی ثبت نشد",
            },
            409,
        )
    response = _raw(row.answer or b'{"value":null}')
    response.headers["Idempotent-Replay"] = "true"
    return response


def use_cases(request: HttpRequest) -> HttpResponse:
    """What a client may call, with the JSON schema of each body (for the office's IT)."""
    try:
        _actor(request)
    except Exception as exc:
        return _error(exc)
    out = {}
    for name, uc in sorted(REGISTRY.items()):
        if uc.remote:
            w = wire(name)
            out[name] = {
                "writes": uc.writes,
                "body": w.params.model_json_schema(),
                "answer": w.result.model_json_schema(),
            }
    return _json(out)

"""How a use case crosses the wire: its parameters and its answer as JSON, typed by the service
function's own annotations (pydantic builds the validators from them), and its refusals as
JSON that the other side raises again as the same exception with the same Persian words.

Both ends use this module: the office server decodes a request with `decode_args` (every body
validated before a service sees it; an unknown key, a wrong type, a server-only parameter is
an InputError naming the field) and encodes the answer; the desk encodes with `encode_args`
and decodes with `decode_result`.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

import orjson
from pydantic import BaseModel, ConfigDict, ValidationError, create_model
from typing_extensions import TypedDict

from ..domain.errors import InputError, NotFound, RuleViolation
from ..domain.text import field_fa
from .registry import REGISTRY, UseCase

_CONFIG = ConfigDict(
    extra="forbid",
    ser_json_bytes="base64",
    val_json_bytes="base64",
    arbitrary_types_allowed=False,
)


def _engineer_changes() -> type:
    """`update_engineer`'s `changes`: any updatable field of EngineerIn, with its own type."""
    from .dto import UPDATABLE, EngineerIn

    hints = typing.get_type_hints(EngineerIn)
    td = TypedDict("EngineerChanges", {k: hints[k] for k in sorted(UPDATABLE)}, total=False)  # type: ignore[misc]
    td.__pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[attr-defined]
    return td


# parameters whose annotation is too loose to validate a request with
_SHAPES: dict[tuple[str, str], typing.Callable[[], Any]] = {
    ("engineers.update_engineer", "changes"): _engineer_changes,
}


def _wire_type(tp: Any) -> Any:
    """An annotation as something a request can carry: an Iterable arrives as a list."""
    origin = typing.get_origin(tp)
    if origin in (Iterable, typing.Iterable) or tp is Iterable:
        (item,) = typing.get_args(tp) or (Any,)
        return list[_wire_type(item)]  # type: ignore[misc]
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        return typing.Union[tuple(_wire_type(a) for a in typing.get_args(tp))]  # noqa: UP007
    return tp


@dataclass(frozen=True)
class Wire:
    params: type[BaseModel]  # the request body
    result: type[BaseModel]  # the answer, wrapped as {"value": …}
    names: tuple[str, ...]  # the parameters a client may send, in order
    signature: inspect.Signature  # the use case's, bound once per call on the desk
    required: frozenset[str]  # the parameters without a default


@cache
def wire(name: str) -> Wire:
    uc = REGISTRY[name]
    hints = typing.get_type_hints(uc.fn)
    sig = inspect.signature(uc.fn)
    fields: dict[str, Any] = {}
    for pname, p in list(sig.parameters.items())[1:]:  # the context never crosses
        if pname in uc.server:
            continue
        tp = _SHAPES[(name, pname)]() if (name, pname) in _SHAPES else _wire_type(hints[pname])
        default = ... if p.default is inspect.Parameter.empty else p.default
        fields[pname] = (tp, default)
    model = create_model(f"{name.replace('.', '_')}_args", __config__=_CONFIG, **fields)
    result_tp = hints.get("return", Any)
    result = create_model(
        f"{name.replace('.', '_')}_result", __config__=_CONFIG, value=(result_tp, ...)
    )
    required = frozenset(k for k, f in model.model_fields.items() if f.is_required())
    return Wire(model, result, tuple(fields), sig, required)


# ---------------------------------------------------------------- the desk's side


def encode_args(uc: UseCase, args: tuple[Any, ...], kwargs: dict[str, Any]) -> bytes:
    bound = wire(uc.name).signature.bind_partial(None, *args, **kwargs)
    # a progress callback cannot cross one request: the desk shows a busy bar instead
    sent = {
        k: v
        for k, v in list(bound.arguments.items())[1:]
        if not (k in uc.server and (v is None or callable(v)))
    }
    server_only = set(sent) & uc.server
    if server_only:
        raise TypeError(f"{uc.name}: {sorted(server_only)} are given by the server, not a desk")
    body = wire(uc.name).params.model_validate(sent)  # the same checks the server makes
    return body.model_dump_json(exclude_unset=True).encode()


def decode_result(uc: UseCase, data: bytes) -> Any:
    return wire(uc.name).result.model_validate_json(data).value


# ---------------------------------------------------------------- the server's side


def decode_args(uc: UseCase, body: bytes) -> dict[str, Any]:
    """The request body as keyword arguments, validated; InputError (Persian) otherwise."""
    w = wire(uc.name)
    try:
        model = w.params.model_validate_json(body or b"{}")
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = first.get("loc") or ("body",)
        top = str(loc[0])
        why = (
            "شناخته نیست و پذیرفته نمی‌شود"
            if first.get("type") == "extra_forbidden"
            else ("داده نشده است" if first.get("type") == "missing" else "مقدار نامعتبر دارد")
        )
        raise InputError(top, f"«{field_fa(top)}» {why}؛ چیزی ثبت نشد") from None
    return {k: getattr(model, k) for k in model.model_fields_set | w.required}


def _decimal(value: Any) -> str:
    if type(value) is Decimal:
        return str(value)  # as pydantic writes it
    raise TypeError  # anything else orjson cannot write: pydantic writes the whole answer


def encode_result(uc: UseCase, value: Any) -> bytes:
    """The answer as `{"value": …}`. orjson writes the answers made of JSON's own values,
    dataclasses, dates and Decimals (a list page of 100 engineers in a fifth of pydantic's
    time); any other shape — bytes, sets, named tuples, non-text keys, models — goes through
    pydantic's serializer as before. Either is decoded by the same validator
    (`decode_result`), and tests/test_registry.py checks both give the same values."""
    try:
        return orjson.dumps({"value": value}, default=_decimal)
    except TypeError:
        return wire(uc.name).result.model_construct(value=value).model_dump_json().encode()


# ---------------------------------------------------------------- refusals both ways


class Unauthenticated(Exception):
    """No session, or one that expired or was revoked: sign in again."""

    message = "نشست شما پایان یافته یا معتبر نیست؛ دوباره وارد شوید (U1)"

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.message
        super().__init__(self.message)


class ServerRefused(RuntimeError):
    """The server could not do it for a reason of its own (its clock, an internal error)."""

    def __init__(self, kind: str, message: str) -> None:
        self.kind, self.message = kind, message
        super().__init__(message)


def error_body(exc: BaseException) -> tuple[int, dict[str, Any]]:
    """(HTTP status, JSON body) for an exception a use case raised."""
    from .context import DatabaseBusy, DatabaseUnavailable
    from .document_dto import DocumentRefused

    if isinstance(exc, RuleViolation):
        return 409, {"kind": "rule", "rules": list(exc.rules), "message": exc.message}
    if isinstance(exc, NotFound):
        return 404, {"kind": "not_found", "field": exc.field, "message": exc.message}
    if isinstance(exc, InputError):
        return 400, {"kind": "input", "field": exc.field, "message": exc.message}
    if isinstance(exc, DocumentRefused):
        return 409, {"kind": "document", "document": exc.document, "reasons": list(exc.reasons)}
    if isinstance(exc, DatabaseBusy):
        return 503, {"kind": "busy", "message": exc.message}
    if isinstance(exc, DatabaseUnavailable):
        return 503, {"kind": "unavailable", "message": exc.message}
    if isinstance(exc, Unauthenticated):
        return 401, {"kind": "auth", "message": exc.message}
    if isinstance(exc, ServerRefused):
        return 503, {"kind": exc.kind, "message": exc.message}
    return 500, {
        "kind": "internal",
        "message": "خطای داخلی در سرور دفتر؛ این کار ثبت نشد و خطا برای پشتیبانی ثبت شد.",
    }


def raise_error(status: int, data: bytes) -> typing.NoReturn:
    """Raise again, on the desk, what the server refused with."""
    from .context import DatabaseBusy, DatabaseUnavailable
    from .document_dto import DocumentRefused

    try:
        body = orjson.loads(data)
        kind = body["kind"]
    except (orjson.JSONDecodeError, KeyError, TypeError):
        raise ServerRefused("http", f"پاسخ نامعتبر از سرور دفتر (HTTP {status})") from None
    if kind == "rule":
        raise RuleViolation(body["rules"], body["message"])
    if kind == "not_found":
        raise NotFound(body["field"], body["message"])
    if kind == "input":
        raise InputError(body["field"], body["message"])
    if kind == "document":
        raise DocumentRefused(body["document"], tuple(body["reasons"]))
    if kind == "busy":
        raise DatabaseBusy()
    if kind == "unavailable":
        raise DatabaseUnavailable()
    if kind == "auth":
        raise Unauthenticated(body.get("message"))
    raise ServerRefused(kind, body.get("message") or f"HTTP {status}")

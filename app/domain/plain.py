"""Turning canonical JSON (digest.py) back into the typed dataclasses it came from, so a
recorded deadline run can be decided again and compared (A10)."""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any


def from_plain(tp: Any, v: Any) -> Any:
    if v is None:
        return None
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        return from_plain(inner[0], v)
    if dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp)
        return tp(
            **{
                f.name: from_plain(hints[f.name], v[f.name])
                for f in dataclasses.fields(tp)
                if f.name in v
            }
        )
    if isinstance(tp, type) and issubclass(tp, tuple) and hasattr(tp, "_fields"):
        hints = typing.get_type_hints(tp)  # a NamedTuple, written as the list of its values
        return tp(*(from_plain(hints[f], x) for f, x in zip(tp._fields, v, strict=True)))
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(from_plain(args[0], x) for x in v)
        return tuple(from_plain(a, x) for a, x in zip(args, v, strict=True))
    if origin in (frozenset, set):
        return frozenset(from_plain(args[0], x) for x in v)
    if origin in (dict, Mapping) or tp is dict:
        kt, vt = args or (str, Any)
        return {from_plain(kt, k): from_plain(vt, x) for k, x in v.items()}
    if tp is Decimal:
        return Decimal(v)
    if tp is datetime:
        return datetime.fromisoformat(v)
    if tp is date:
        return date.fromisoformat(v)
    if tp is time:
        return time.fromisoformat(v)
    if tp is int:
        return int(v)
    return v

"""A10: a stable digest of a deadline run's inputs and outputs.

The canonical form is compact JSON, mappings key-sorted: a dataclass is an object of its
fields in their declared order (a store that keeps it as a dict must hash what it stores:
see `audit`); a NamedTuple is the list of its values, a set a sorted list, a Decimal its normalised
digits, an aware instant its UTC ISO spelling. orjson writes it (a national snapshot holds
~10⁷ values); the plain `json` encoder below is the reference it is tested against, and the
fallback for what orjson refuses (integers beyond 64 bits).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import UTC, date, datetime, time
from decimal import Decimal
from functools import cache
from typing import Any

import orjson

_SCALARS = (str, int, float, bool, type(None))
_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME


def _leaf(o: Any) -> Any:
    """The canonical spelling of the values JSON has no type for."""
    if isinstance(o, Decimal):
        return format(o.normalize(), "f")  # 120, 120.0 and 120.00 hash alike
    if isinstance(o, datetime) and o.tzinfo is not None:
        return o.astimezone(UTC).isoformat()  # one instant, one spelling
    if isinstance(o, datetime | date | time):
        return o.isoformat()
    if isinstance(o, set | frozenset):
        return sorted((_plain(v) for v in o), key=repr)
    if isinstance(o, tuple):  # a NamedTuple (orjson writes plain tuples only): its values
        return list(o)
    raise TypeError(f"no canonical form for {type(o).__name__}")


def _plain(o: Any) -> Any:
    if isinstance(o, _SCALARS):
        return o
    if hasattr(type(o), "__dataclass_fields__"):
        return {name: _plain(getattr(o, name)) for name in _field_names(type(o))}
    if isinstance(o, dict):
        return {str(k): _plain(v) for k, v in sorted(o.items(), key=lambda kv: str(kv[0]))}
    if isinstance(o, list | tuple):
        return [_plain(v) for v in o]
    return _leaf(o)


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def _reference(o: Any) -> bytes:
    """The same form through the standard library."""
    return json.dumps(_plain(o), ensure_ascii=False, separators=(",", ":")).encode()


def canonical_bytes(o: Any) -> bytes:
    try:
        return orjson.dumps(o, default=_leaf, option=_OPTIONS)
    except orjson.JSONEncodeError:
        return _reference(o)


def canonical_json(o: Any) -> str:
    return canonical_bytes(o).decode()


def digest(o: Any) -> str:
    return hashlib.sha256(canonical_bytes(o)).hexdigest()

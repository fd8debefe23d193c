"""A10: a stable digest of a deadline run's inputs and outputs."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import UTC, date, datetime, time
from decimal import Decimal
from functools import cache
from typing import Any

_SCALARS = (str, int, float, bool, type(None))


def _plain(o: Any) -> Any:
    if isinstance(o, _SCALARS):  # most leaves: checked first, the snapshot has 10⁵–10⁶ of them
        return o
    if hasattr(type(o), "__dataclass_fields__"):
        return {name: _plain(getattr(o, name)) for name in _field_names(type(o))}
    if isinstance(o, dict):
        return {str(k): _plain(v) for k, v in sorted(o.items(), key=lambda kv: str(kv[0]))}
    if isinstance(o, list | tuple):
        return [_plain(v) for v in o]
    if isinstance(o, set | frozenset):
        return sorted((_plain(v) for v in o), key=repr)
    if isinstance(o, Decimal):
        return format(o.normalize(), "f")  # 120, 120.0 and 120.00 hash alike
    if isinstance(o, datetime) and o.tzinfo is not None:
        return o.astimezone(UTC).isoformat()  # one instant, one spelling
    if isinstance(o, datetime | date | time):
        return o.isoformat()
    return o


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def canonical_json(o: Any) -> str:
    return json.dumps(_plain(o), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def digest(o: Any) -> str:
    return hashlib.sha256(canonical_json(o).encode()).hexdigest()

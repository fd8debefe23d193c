"""Column types: exact hundredths for areas and scores, UTC instants on both dialects, and the
published lists of a deadline run kept as the very JSON text that was hashed."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy import BigInteger, DateTime, Text
from sqlalchemy.types import TypeDecorator


class Hundredths(TypeDecorator[Decimal]):
    """A Decimal with two places stored as an integer count of hundredths (no float, no Numeric
    on SQLite): areas in m² and scores in points."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        scaled = Decimal(value) * 100
        if scaled != scaled.to_integral_value():
            raise ValueError(f"more than two decimals: {value}")
        return int(scaled)

    def process_result_value(self, value, dialect):
        return None if value is None else Decimal(value).scaleb(-2)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out (SQLite keeps naive UTC text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; times are stored as UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class PublishedJSON(TypeDecorator[Any]):
    """JSON kept as text: a round's published lists (A10, C6). The run writes the bytes it
    hashed into its output digest, as they are; read back, they are parsed. Not PostgreSQL's
    `json`: its input check re-parsed every list the server itself had just made — ~0.6 s of a
    national run's write-back (24 MB) — and `text` keeps the bytes just the same."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, bytes):
            return value.decode("utf-8")
        return orjson.dumps(value).decode("utf-8")

    def process_result_value(self, value, dialect):
        return None if value is None else orjson.loads(value)

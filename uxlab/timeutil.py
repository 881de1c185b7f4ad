"""One clock and one timestamp type for the whole application.

Every timestamp uxlab stores is an aware UTC ``datetime``. SQLite has no time-zone type, so
:class:`UTCDateTime` stores naive UTC there and re-attaches UTC on the way out; PostgreSQL gets
``timestamp with time zone``. Either way callers only ever see aware UTC values.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp column that accepts and returns aware UTC datetimes only."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            # A naive datetime is ambiguous; refusing it keeps local-time bugs out of the data.
            raise ValueError(f"naive datetime {value!r}: use uxlab.timeutil.utcnow()")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

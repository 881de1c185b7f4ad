"""Checking a batch of recorder events against the protocol (docs/recording.md) in plain Python.

The whole batch is checked before anything is written, and the first problem is reported with the
path of the field at fault (``events[3].colour``), so a client can tell what to fix.
"""

from __future__ import annotations

import json
import math
import uuid
from typing import Any

EVENT_TYPES = frozenset(
    {"click", "navigate", "task_start", "task_end", "visibility", "resize", "answer"}
)
REQUIRED_FIELDS = ("id", "seq", "tab", "type", "t")
OPTIONAL_FIELDS = ("attempt", "x", "y", "target", "url", "data")
EVENT_FIELDS = frozenset(REQUIRED_FIELDS + OPTIONAL_FIELDS)

MAX_EVENT_BYTES = 32 * 1024
MAX_TAB_LENGTH = 64
MAX_TARGET_LENGTH = 1000
MAX_URL_LENGTH = 2000
#: ``seq`` and ``attempt`` are 32-bit integer columns on PostgreSQL.
MAX_INT32 = 2**31 - 1
#: ``t`` must be a whole number of milliseconds that JavaScript represents exactly.
MAX_SAFE_INTEGER = 2**53 - 1
_NUL_ESCAPE = "\\u0000"


class EventError(ValueError):
    """A batch that breaks the protocol; ``field`` is the path of the value at fault."""

    def __init__(self, field: str | None, message: str):
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.message = message


def _string(event: dict, name: str, where: str, limit: int, *, nullable: bool) -> str | None:
    value = event.get(name)
    if value is None and nullable:
        return None
    if type(value) is not str:
        raise EventError(f"{where}.{name}", "must be a string" + (" or null" if nullable else ""))
    if len(value) > limit:
        raise EventError(f"{where}.{name}", f"must be at most {limit} characters, not {len(value)}")
    if "\x00" in value:
        raise EventError(f"{where}.{name}", "must not contain NUL characters")
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            # A lone surrogate (\ud800) parses as JSON but cannot be stored as text.
            raise EventError(f"{where}.{name}", "is not valid Unicode text") from None
    return value


def _integer(event: dict, name: str, where: str, low: int, high: int, *, nullable: bool):
    value = event.get(name)
    if value is None and nullable:
        return None
    # bool is a subclass of int; JSON true is not a number.
    if type(value) is not int or not low <= value <= high:
        raise EventError(f"{where}.{name}",
                         f"must be an integer from {low} to {high}" + (" or null" if nullable else ""))
    return value


def _coordinate(event: dict, name: str, where: str) -> float | None:
    value = event.get(name)
    if value is None:
        return None
    if type(value) not in (int, float) or not math.isfinite(value):
        raise EventError(f"{where}.{name}", "must be a finite number or null")
    return value


def _data(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if type(value) is not dict:
        raise EventError(f"{where}.data", "must be an object")
    # The metrics read these two keys; everything else in data is the recorder's to add.
    if "interactive" in value and type(value["interactive"]) is not bool:
        raise EventError(f"{where}.data.interactive", "must be true or false")
    if "matched" in value:
        matched = value["matched"]
        if type(matched) is not list or not all(type(m) is str for m in matched):
            raise EventError(f"{where}.data.matched", "must be a list of rule ids (strings)")
    return value


def _check_size(event: dict, where: str) -> None:
    try:
        text = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
        size = len(text.encode("utf-8"))
    except (UnicodeEncodeError, ValueError) as exc:
        # A lone surrogate (\ud800) parses as JSON but cannot be stored as text.
        raise EventError(where, f"cannot be stored: {exc}") from None
    if size > MAX_EVENT_BYTES:
        raise EventError(where, f"is {size} bytes serialised; at most {MAX_EVENT_BYTES} are allowed")
    if _NUL_ESCAPE in text:
        raise EventError(where, "must not contain NUL characters")


def _event_row(event: Any, where: str) -> dict[str, Any]:
    if type(event) is not dict:
        raise EventError(where, "must be an object")
    unknown = event.keys() - EVENT_FIELDS
    if unknown:
        names = sorted(unknown)
        raise EventError(f"{where}.{names[0]}",
                         f"unknown field{'s' if len(names) > 1 else ''} {', '.join(names)} "
                         f"(allowed: {', '.join(REQUIRED_FIELDS + OPTIONAL_FIELDS)})")
    for name in REQUIRED_FIELDS:
        if name not in event:
            raise EventError(f"{where}.{name}", "missing: required in every event")
    raw_id = event["id"]
    try:
        if type(raw_id) is not str:
            raise ValueError
        event_uuid = uuid.UUID(raw_id)
    except ValueError:
        raise EventError(f"{where}.id", "must be a UUID string") from None
    kind = event["type"]
    if kind not in EVENT_TYPES:
        raise EventError(f"{where}.type",
                         f"must be one of {', '.join(sorted(EVENT_TYPES))}, not {kind!r}"[:300])
    data = _data(event.get("data"), where)
    row = {
        "event_uuid": event_uuid,
        "seq": _integer(event, "seq", where, 0, MAX_INT32, nullable=False),
        "tab_id": _string(event, "tab", where, MAX_TAB_LENGTH, nullable=False),
        "attempt_id": _integer(event, "attempt", where, 0, MAX_INT32, nullable=True),
        "type": kind,
        "client_ts_ms": _integer(event, "t", where, 0, MAX_SAFE_INTEGER, nullable=False),
        "x": _coordinate(event, "x", where),
        "y": _coordinate(event, "y", where),
        "target": _string(event, "target", where, MAX_TARGET_LENGTH, nullable=True),
        "url": _string(event, "url", where, MAX_URL_LENGTH, nullable=True),
        "payload": data,
    }
    if not row["tab_id"]:
        raise EventError(f"{where}.tab", "must not be empty")
    # Without data an event stays under MAX_EVENT_BYTES even with every string at its longest and
    # fully escaped (about 19 KB), so only events that carry data are serialised and measured.
    if data:
        _check_size(event, where)
    return row


def event_rows(events: Any) -> list[dict[str, Any]]:
    """Check a batch of protocol events and return them as ``events`` rows (column → value).

    The rows carry every column but ``session_id`` and ``received_at``, which the caller knows;
    ``attempt_id`` is the client's claim, still to be checked against the session.

    Raises
    ------
    EventError
        At the first event that breaks the protocol: an unknown or missing field, a wrong type,
        a value out of range, or an event over 32 KB serialised.
    """
    if type(events) is not list:
        raise EventError("events", "must be a list of events")
    return [_event_row(event, f"events[{i}]") for i, event in enumerate(events)]

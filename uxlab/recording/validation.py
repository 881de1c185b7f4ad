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
#: ``data`` keys the metrics read as flags: a click on a control; a page shown again by a reload.
BOOLEAN_DATA_KEYS = ("interactive", "restored")

MAX_EVENT_BYTES = 32 * 1024
MAX_TAB_LENGTH = 64
MAX_TARGET_LENGTH = 1000
MAX_URL_LENGTH = 2000
#: ``seq`` and ``attempt`` are 32-bit integer columns on PostgreSQL.
MAX_INT32 = 2**31 - 1
#: ``t`` must be a whole number of milliseconds that JavaScript represents exactly.
MAX_SAFE_INTEGER = 2**53 - 1
_NUL_ESCAPE = "\\u0000"
#: An event's serialised size without ``data``, with every string at its longest and every
#: character escaped (6 bytes), is under 19 KB; only ``data`` can take an event past the limit.
_FIXED_FIELDS_BOUND = 6 * (MAX_TAB_LENGTH + MAX_TARGET_LENGTH + MAX_URL_LENGTH) + 600


class EventError(ValueError):
    """A batch that breaks the protocol; ``field`` is the path of the value at fault."""

    def __init__(self, field: str | None, message: str):
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.message = message


def is_storable_text(text: str) -> bool:
    """Tell whether ``text`` can be stored in a text column: no NUL (PostgreSQL refuses it) and
    no lone surrogate (``\ud800`` parses as JSON but is no UTF-8)."""
    return "\x00" not in text and (text.isascii() or _encodable(text))


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


def whole_number(value: Any, low: int, high: int) -> int | None:
    """``value`` as an int if it is a JSON integer from ``low`` to ``high``, else None.

    JSON Schema (and so the OpenAPI document) counts ``5.0`` as an integer, so an integral
    float is one too; ``true`` is not (bool is a subclass of int in Python).
    """
    if type(value) is float and value.is_integer() and low <= value <= high:
        return int(value)
    return value if type(value) is int and low <= value <= high else None


def _integer(event: dict, name: str, where: str, low: int, high: int, *, nullable: bool):
    value = event.get(name)
    if value is None and nullable:
        return None
    number = whole_number(value, low, high)
    if number is None:
        raise EventError(f"{where}.{name}",
                         f"must be an integer from {low} to {high}" + (" or null" if nullable else ""))
    return number


def _is_coordinate(value: Any) -> bool:
    # Compared, not math.isfinite(): an integer such as 10**400 cannot become a float (and a
    # database driver cannot bind it); NaN fails both comparisons.
    return type(value) in (int, float) and -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER


def _coordinate(event: dict, name: str, where: str) -> float | None:
    value = event.get(name)
    if value is None or _is_coordinate(value):
        return value
    raise EventError(f"{where}.{name}",
                     f"must be a finite number from {-MAX_SAFE_INTEGER} to {MAX_SAFE_INTEGER} "
                     "or null")


def _data(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if type(value) is not dict:
        raise EventError(f"{where}.data", "must be an object")
    # The metrics read these keys; everything else in data is the recorder's to add.
    for key in BOOLEAN_DATA_KEYS:
        if key in value and type(value[key]) is not bool:
            raise EventError(f"{where}.data.{key}", "must be true or false")
    if "matched" in value:
        matched = value["matched"]
        if type(matched) is not list or not all(type(m) is str for m in matched):
            raise EventError(f"{where}.data.matched", "must be a list of rule ids (strings)")
    return value


def _check_size(event: dict, where: str) -> None:
    """Serialise ``event`` to check its size and its ``data`` (the other fields are checked)."""
    try:
        text = json.dumps(event, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        size = len(text.encode("utf-8"))
    except (UnicodeEncodeError, ValueError) as exc:
        # A lone surrogate (\ud800) parses as JSON but cannot be stored as text; NaN is no JSON.
        raise EventError(f"{where}.data", f"cannot be stored: {exc}") from None
    if size > MAX_EVENT_BYTES:
        raise EventError(where, f"is {size} bytes serialised; at most {MAX_EVENT_BYTES} are allowed")
    if _NUL_ESCAPE in text:
        raise EventError(f"{where}.data", "must not contain NUL characters")


def _flat_data_fits(data: dict) -> bool:
    """Tell, without serialising, that flat ``data`` is storable and keeps the event small enough.

    True only for string keys with scalar values (or lists of strings), no NUL, valid Unicode, and a size bound within
    the budget: every character serialises to at most six bytes (``\\u001f``), so the bound never
    undercounts. False means "cannot tell cheaply": the caller serialises the event.
    """
    total = 2
    for key, value in data.items():
        kind = type(value)
        if type(key) is not str:
            return False
        if kind is str:
            text = key + value
        elif kind is bool or value is None or (kind is int and -10**15 < value < 10**15):
            text = key
        elif kind is float and math.isfinite(value):
            text = key
        elif kind is list and all(type(item) is str for item in value):
            text = key + "".join(value)  # data.matched: a list of rule ids
            total += 3 * len(value)
        else:
            return False
        if "\x00" in text or not (text.isascii() or _encodable(text)):
            return False
        total += 6 * len(text) + 32  # quotes, colon, comma and a number of up to 25 characters
    return total <= MAX_EVENT_BYTES - _FIXED_FIELDS_BOUND


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _known_data_keys_ok(data: dict) -> bool:
    if any(key in data and type(data[key]) is not bool for key in BOOLEAN_DATA_KEYS):
        return False
    if "matched" in data:
        matched = data["matched"]
        return type(matched) is list and all(type(m) is str for m in matched)
    return True


def _quick_row(event: Any) -> dict[str, Any] | None:
    """Return the row of an event that passes every check, or None to let the careful path
    (:func:`_event_row`) find and name the problem. Accepts nothing the careful path refuses."""
    if type(event) is not dict or not event.keys() <= EVENT_FIELDS:
        return None
    get = event.get
    raw_id, seq, tab, kind, t = get("id"), get("seq"), get("tab"), get("type"), get("t")
    attempt, x, y, target, url = get("attempt"), get("x"), get("y"), get("target"), get("url")
    data = get("data")
    if not (
        type(raw_id) is str and len(raw_id) <= 45
        and type(seq) is int and 0 <= seq <= MAX_INT32
        and type(tab) is str and 0 < len(tab) <= MAX_TAB_LENGTH
        and type(kind) is str and kind in EVENT_TYPES
        and type(t) is int and 0 <= t <= MAX_SAFE_INTEGER
        and (attempt is None or (type(attempt) is int and 0 <= attempt <= MAX_INT32))
        and (x is None or _is_coordinate(x))
        and (y is None or _is_coordinate(y))
        and (target is None or (type(target) is str and len(target) <= MAX_TARGET_LENGTH))
        and (url is None or (type(url) is str and len(url) <= MAX_URL_LENGTH))
        and (data is None or type(data) is dict)
    ):
        return None
    text = tab + (target or "") + (url or "")
    if "\x00" in text or not text.isascii():
        return None
    if data and not (_known_data_keys_ok(data) and _flat_data_fits(data)):
        return None
    try:
        event_uuid = uuid.UUID(raw_id)
    except ValueError:
        return None
    return {"event_uuid": event_uuid, "seq": seq, "tab_id": tab, "attempt_id": attempt,
            "type": kind, "client_ts_ms": t, "x": x, "y": y, "target": target, "url": url,
            "payload": data or {}}


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
        # uuid.UUID ignores any number of hyphens; a real UUID string is at most 45 characters.
        if type(raw_id) is not str or len(raw_id) > 45:
            raise ValueError
        event_uuid = uuid.UUID(raw_id)
    except ValueError:
        raise EventError(f"{where}.id", "must be a UUID string") from None
    kind = event["type"]
    if type(kind) is not str or kind not in EVENT_TYPES:
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
    if data and not _flat_data_fits(data):
        _check_size(event, where)
    return row


def event_row(event: Any, where: str = "event") -> dict[str, Any]:
    """Check one protocol event (named ``where`` in errors) and return its row, as
    :func:`event_rows` does for each event of a batch."""
    row = _quick_row(event)
    return row if row is not None else _event_row(event, where)


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
    rows = []
    for i, event in enumerate(events):
        row = _quick_row(event)
        rows.append(row if row is not None else _event_row(event, f"events[{i}]"))
    return rows

"""Small helpers that keep the analysis document JSON-clean.

The contract (docs/analysis-json.md): numbers are plain floats or ints, never NaN or infinity;
a value that cannot be computed is ``None`` and its object carries a ``note`` saying why.
"""

from __future__ import annotations

import math


def number(value) -> float | None:
    """``value`` as a float, or ``None`` when it is missing, NaN or infinite."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def whole(value) -> int | None:
    """``value`` as an int, or ``None`` when missing."""
    return None if value is None else int(value)


def unavailable(note: str, *keys: str, **known) -> dict:
    """An object whose ``keys`` are all ``None``, with ``note`` explaining why."""
    entry = dict.fromkeys(keys)
    entry.update(known)
    entry["note"] = note
    return entry


def add_note(entry: dict, note: str | None) -> dict:
    """Append ``note`` to ``entry["note"]`` (notes are joined with "; ")."""
    if note:
        entry["note"] = f"{entry['note']}; {note}" if entry.get("note") else note
    return entry


def interval_fields(estimate, value_key: str = "estimate") -> dict:
    """``{value_key, low, high}`` of an Estimate-like object, JSON-clean."""
    return {value_key: number(estimate.estimate), "low": number(estimate.low),
            "high": number(estimate.high)}


def t_interval(method: str) -> str:
    """One name for a mean's t-interval, whichever stats module reported it ("t" or not)."""
    return "t-interval" if method == "t" else method

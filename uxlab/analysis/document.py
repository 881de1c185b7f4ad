"""Small helpers that keep the analysis document JSON-clean.

The contract (docs/analysis-json.md): numbers are plain floats or ints, never NaN or infinity;
a value that cannot be computed is ``None`` and its object carries a ``note`` saying why.
"""

from __future__ import annotations

import math

from uxlab.stats.scales import SCALES, bound_interval, difference_scale, possible_differences

#: What a table shows in place of a withheld interval's bounds.
WITHHELD = "too few values for an interval"


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


def scale_interval(summary: dict, metric: str, low, high, observed=None) -> dict:
    """Set ``summary``'s ``low`` / ``high`` to an interval as it may be reported on ``metric``'s scale.

    The bounds are truncated to the scale, or withheld (``null``, with
    ``interval_withheld: true`` and a note) when the interval says nothing the scale does not
    (:mod:`uxlab.stats.scales`). When truncated or withheld, the computed bounds are kept as
    ``low_untruncated`` / ``high_untruncated`` (``null`` where not finite).
    """
    return _report(summary, bound_interval(low, high, SCALES[metric], observed))


def scale_difference(entry: dict, metric: str, interval, a, b) -> dict:
    """Set a comparison entry's ``low`` / ``high`` from ``interval`` (B − A, or B / A for time).

    As :func:`scale_interval`, on the scale of differences of ``metric``: ±(high − low) of a
    bounded scale, and for times and counts the most extreme differences the values ``a`` and
    ``b`` allow set the plausible range.
    """
    if interval is None:
        return entry
    scale = difference_scale(SCALES[metric])
    observed = None if scale.bounded else possible_differences(a, b, scale.ratio)
    return _report(entry, bound_interval(interval.low, interval.high, scale, observed))


def _report(entry: dict, bounded) -> dict:
    entry["low"], entry["high"] = number(bounded.low), number(bounded.high)
    if bounded.truncated or bounded.withheld:
        entry["low_untruncated"] = bounded.computed_low
        entry["high_untruncated"] = bounded.computed_high
    if bounded.withheld:
        entry["interval_withheld"] = True
        add_note(entry, bounded.reason)
    return entry

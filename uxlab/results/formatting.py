"""How the results pages write numbers: the reports' formats, plus effects and one decimal.

The pages use :mod:`uxlab.reports.formatting` so a number reads the same on the page and in an
exported report; this adds the few formats the pages' tables need.
"""

from __future__ import annotations

from uxlab.reports.formatting import (  # noqa: F401  (the pages' templates use them via this module)
    MISSING,
    clock,
    confidence_label,
    decimal,
    interval,
    number,
    p_value,
    percent,
    points_difference,
    seconds,
    summary_interval,
    test_name,
    whole,
)

#: Places of the estimates and differences of each metric (as the report writes them).
_PLACES = {"sus": 1, "umux_lite": 1, "nps": 0}


def one_decimal(value: float | None) -> str:
    """49.25 → "49.3" (SUS and UMUX-Lite scores)."""
    return decimal(value, 1)


def effect(comparison: dict) -> str:
    """A comparison's effect with its interval, in the unit of its metric.

    Completion and CSAT differences in percentage points, times as a ratio B / A, NPS in whole
    points, SUS and UMUX-Lite with one decimal, the rest with two.
    """
    kind = comparison.get("effect") or ""
    value, low, high = comparison.get("difference"), comparison.get("low"), comparison.get("high")
    if "ratio" in kind:
        return MISSING if value is None else "×" + interval(value, low, high, fmt=decimal)
    if "proportions" in kind:
        return interval(value, low, high, fmt=points_difference)
    places = _PLACES.get(comparison.get("metric"), 2)
    text = interval(value, low, high, fmt=lambda v: decimal(v, places))
    return text + " NPS points" if comparison.get("metric") == "nps" and value is not None \
        else text

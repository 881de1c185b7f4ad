"""How numbers read in a report: rates as percentages, times in seconds, intervals, p-values.

Shared by the charts' alt texts, the findings, and the HTML and PDF renderers, so a number is
written the same way everywhere. Missing values (``None``) read as an en dash.
"""

from __future__ import annotations

from uxlab.analysis.document import WITHHELD
from uxlab.analysis.interpretation import (
    confidence_label,
    format_p,
    significant_figures,
    test_name,
)
from uxlab.analysis.interpretation import signed as _true_minus

MISSING = "–"

__all__ = ["MISSING", "confidence_label", "format_p", "signed", "test_name", "percent",
           "seconds", "decimal", "whole", "interval", "summary_interval", "p_value", "number", "points_difference",
           "degrees_of_freedom"]


def signed(text: str) -> str:
    """A true minus sign for negative numbers, and no sign on a value that rounds to zero."""
    if text.startswith(("-", "−")) and not any(digit in text for digit in "123456789"):
        return text[1:]
    return _true_minus(text)


def percent(value: float | None) -> str:
    """0.853 → "85%"; below 1% or above 99% one decimal, so 0.996 does not read as 100%."""
    if value is None:
        return MISSING
    scaled = 100 * value
    if 0 < abs(scaled) < 1 or 99 < abs(scaled) < 100:
        return signed(f"{scaled:.1f}%")
    return signed(f"{scaled:.0f}%")


def seconds(value: float | None) -> str:
    """Task time: 53.186 → "53.2 s"; whole seconds from 100 s and for targets like 60."""
    if value is None:
        return MISSING
    whole_seconds = abs(value) >= 100 or float(value).is_integer()
    return signed(f"{value:.0f} s" if whole_seconds else f"{value:.1f} s")


def duration(value: float | None) -> str:
    """A length of time in words: 180 → "3 minutes", 90 → "1 minute 30 seconds", 3600 → "1 hour"."""
    if value is None:
        return MISSING
    hours, rest = divmod(round(value), 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{count} {unit}" + ("" if count == 1 else "s")
             for count, unit in ((hours, "hour"), (minutes, "minute"), (secs, "second")) if count]
    return " ".join(parts) or "0 seconds"


def clock(offset_ms: int) -> str:
    """A moment in a session as minutes and seconds: 125 000 ms → "2:05"."""
    total = max(0, int(offset_ms)) // 1000
    return f"{total // 60}:{total % 60:02d}"


def decimal(value: float | None, places: int = 2) -> str:
    if value is None:
        return MISSING
    return signed(f"{value:.{places}f}")


def whole(value: float | None) -> str:
    if value is None:
        return MISSING
    return signed(f"{value:.0f}")


def number(value: float | None) -> str:
    """A statistic with three significant figures, never in exponent notation."""
    if value is None:
        return MISSING
    return significant_figures(float(value))


def p_value(value: float | None) -> str:
    """0.0213 → "0.021", below 0.001 → "< 0.001"."""
    if value is None:
        return MISSING
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


def points_difference(value: float | None) -> str:
    """A difference of proportions in percentage points, signed: 0.22 → "+22 pts"."""
    if value is None:
        return MISSING
    scaled = 100 * value
    text = f"{scaled:+.1f}" if 0 < abs(scaled) < 1 else f"{scaled:+.0f}"
    return signed(text) + " pts"


_UNITS = ("%", " s", " pts", "×")


def interval(estimate: float | None, low: float | None, high: float | None, fmt=decimal) -> str:
    """``"85% (62–96%)"``, ``"43.8 s (34.4–55.8 s)"``; a missing bound reads as an open side."""
    if estimate is None:
        return MISSING
    text = fmt(estimate)
    if low is None and high is None:
        return text + " (no interval)"
    low_text = fmt(low) if low is not None else "…"
    high_text = fmt(high) if high is not None else "…"
    unit = next((u for u in _UNITS if low_text.endswith(u) and high_text.endswith(u)), "")
    if unit:
        low_text = low_text[: -len(unit)]
    # An en dash between signed numbers ("−5–+3") misreads; "to" does not.
    signs = low_text.startswith(("−", "+")) or high_text.startswith(("−", "+"))
    joint = " to " if signs else "–"
    return f"{text} ({low_text}{joint}{high_text})"


def summary_interval(summary: dict | None, key: str, fmt=decimal) -> str:
    """A summary's ``key`` with its interval, saying so in words when the interval is withheld.

    An interval the analysis withholds (too few or too spread values, docs/statistics.md) reads
    ``"6.00 (too few values for an interval)"`` rather than as bounds or a bare estimate.
    """
    summary = summary or {}
    if summary.get("interval_withheld") and summary.get(key) is not None:
        return f"{fmt(summary[key])} ({WITHHELD})"
    return interval(summary.get(key), summary.get("low"), summary.get("high"), fmt)


def degrees_of_freedom(value: float | None) -> str:
    """Whole degrees of freedom as integers, Welch's fractional ones to one decimal."""
    if value is None:
        return MISSING
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"

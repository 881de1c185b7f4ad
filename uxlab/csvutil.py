"""The one sanitiser for CSV cells that people will open in a spreadsheet."""

from __future__ import annotations

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Return ``value`` with a leading quote if it is text a spreadsheet would run as a formula.

    Numbers pass through untouched (``-5`` stays a number); only strings are neutralised (OWASP
    "CSV injection").
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value

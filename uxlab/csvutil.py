"""The one writer for CSV text that people will open in a spreadsheet.

Every CSV uxlab writes (exports, ``problems.csv``, the grid, participant links, the CX feed,
simulated data) goes through :func:`csv_line`, so a hostile cell cannot run as a formula or
start a new row in any of them (OWASP "CSV injection").
"""

from __future__ import annotations

from collections.abc import Iterable

#: Characters some spreadsheet or CSV reader treats as the end of a line (``str.splitlines``
#: splits on all of them). A cell holding one is always quoted; Python's ``csv`` module quotes only
#: the characters of its own line terminator, so a bare ``\r`` went out unquoted and started a row.
LINE_BREAKS = "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
#: First characters that make a spreadsheet read a cell as a formula (with their fullwidth forms,
#: which some spreadsheets fold to ASCII).
FORMULA_STARTS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
#: Characters a spreadsheet may skip before the formula sign: spaces, tab, line breaks, no-break
#: space and the zero-width characters (including the byte-order mark).
INVISIBLE_LEADS = " \t\xa0\u200b\u200c\u200d\u2060\ufeff" + LINE_BREAKS
_NEEDS_QUOTES = frozenset(',"' + LINE_BREAKS)


def safe_cell(value):
    """Return ``value`` with a leading ``'`` if it is text a spreadsheet would run as a formula.

    That is text whose first visible character is ``= + - @`` (or ``＝ ＋ － ＠``), or which starts
    with a tab or a carriage return. Numbers pass through untouched (``-5`` stays a number); only
    strings are neutralised.
    """
    if not isinstance(value, str) or not value:
        return value
    if value[0] in "\t\r" or value.lstrip(INVISIBLE_LEADS)[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def csv_field(value) -> str:
    """One cell as CSV text: ``None`` empty, quoted (``"`` doubled) if it holds a comma, a quote
    or any line break, text first passed through :func:`safe_cell`.

    Numbers are written as Python prints them (``41.0``, ``12.345``), as the ``csv`` module does.
    """
    if value is None:
        return ""
    text = safe_cell(value) if isinstance(value, str) else str(value)
    if _NEEDS_QUOTES.isdisjoint(text):
        return text
    return '"' + text.replace('"', '""') + '"'


def csv_line(cells: Iterable, lineterminator: str = "\n") -> str:
    """One CSV row (comma-separated, RFC 4180 quoting) ending in ``lineterminator``."""
    fields = [csv_field(cell) for cell in cells]
    if fields == [""]:
        fields = ['""']  # a row of one empty cell, not a blank line
    return ",".join(fields) + lineterminator

"""Reporting periods of the CX view: months (``2026-09``) and quarters (``2026-Q3``)."""

from __future__ import annotations

import re
from datetime import date

GRANULARITIES = ("month", "quarter")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


def period_of_month(month: str, granularity: str) -> str:
    """The period label (``2026-09`` or ``2026-Q3``) that the month ``YYYY-MM`` falls in."""
    if granularity == "month":
        return month
    year, number = month.split("-")
    return f"{year}-Q{(int(number) - 1) // 3 + 1}"


def period_of_date(day: date, granularity: str) -> str:
    return period_of_month(f"{day.year:04d}-{day.month:02d}", granularity)


def check_period(label: str) -> str:
    """Return ``label`` if it is a month or a quarter label, else raise ValueError."""
    if not (_MONTH.match(label) or _QUARTER.match(label)):
        raise ValueError(f"{label!r} is not a period: write YYYY-MM (a month) or YYYY-Qn "
                         "(a quarter)")
    return label


def granularity_of(label: str) -> str:
    return "quarter" if _QUARTER.match(check_period(label)) else "month"


def period_bounds(label: str) -> tuple[date, date]:
    """First day of the period and first day after it."""
    check_period(label)
    if match := _QUARTER.match(label):
        year, quarter = int(match[1]), int(match[2])
        start = date(year, 3 * quarter - 2, 1)
        end = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
        return start, end
    year, month = (int(part) for part in label.split("-"))
    return date(year, month, 1), date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)


def month_in(month: str, label: str | None) -> bool:
    """Whether the month ``YYYY-MM`` lies in the period ``label`` (``None``: all time)."""
    return label is None or period_of_month(month, granularity_of(label)) == label

"""Validating one row of CX data: the checks shared by the CSV import and the webhook.

Each ``parse_*`` function takes text or JSON values and returns a clean value, or raises
:class:`FieldError` naming what is wrong (the caller adds the row or the JSON field).
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime

from uxlab.models.cx import AGGREGATE_METRICS, SURVEY_METRICS

#: The answer scales of single responses: NPS 0–10, CSAT 1–5, CES 1–7 (CES 2.0 agreement).
RESPONSE_SCALES: dict[str, tuple[int, int]] = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}
#: What an aggregate's ``value`` means and the range it must lie in.
AGGREGATE_RANGES: dict[str, tuple[float, float, str]] = {
    "nps": (-100, 100, "an NPS from −100 to 100"),
    "csat": (0, 100, "the % of answers in the top two boxes, 0 to 100"),
    "ces": (1, 7, "a mean CES from 1 to 7"),
    "tickets": (0, math.inf, "a count of tickets"),
    "resolution_hours": (0, math.inf, "hours"),
    "contact_rate": (0, 1, "a proportion from 0 to 1"),
    "churn_rate": (0, 1, "a proportion from 0 to 1"),
    "retention_rate": (0, 1, "a proportion from 0 to 1"),
    "clv": (0, math.inf, "a customer lifetime value of 0 or more"),
}
MAX_TEXT = 200
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_COMMENT = 5000


class FieldError(ValueError):
    """A value that cannot be taken, with the reason in words."""


def parse_metric(value, allowed: tuple[str, ...] = SURVEY_METRICS) -> str:
    text = str(value or "").strip().lower()
    if text not in allowed:
        raise FieldError(f"must be one of {', '.join(allowed)}, not {value!r}")
    return text


def parse_score(value, metric: str) -> int:
    """A single response's rating on its metric's scale, as a whole number."""
    low, high = RESPONSE_SCALES[metric]
    number = parse_number(value)
    if number != int(number) or not low <= number <= high:
        raise FieldError(f"a {metric.upper()} answer must be a whole number from {low} to "
                         f"{high}, not {value!r}")
    return int(number)


def parse_number(value) -> float:
    if isinstance(value, bool):
        raise FieldError(f"must be a number, not {value!r}")
    if isinstance(value, (int, float)):
        try:
            number = float(value)
        except OverflowError:  # an integer such as 10**400
            raise FieldError(f"must be a finite number, not {value!r}"[:200]) from None
    else:
        try:
            number = float(str(value).strip())
        except ValueError:
            raise FieldError(f"must be a number, not {value!r}") from None
    if not math.isfinite(number):
        raise FieldError(f"must be a finite number, not {value!r}")
    return number


def parse_aggregate_value(value, metric: str) -> float:
    low, high, meaning = AGGREGATE_RANGES[metric]
    number = parse_number(value)
    if not low <= number <= high:
        raise FieldError(f"{metric} must be {meaning}, not {value!r}")
    return number


def parse_count(value) -> int | None:
    if value is None or str(value).strip() == "":
        return None
    number = parse_number(value)
    if number != int(number) or number < 0 or number > 2**31 - 1:
        raise FieldError(f"must be a whole number of 0 or more, not {value!r}")
    return int(number)


def parse_timestamp(value) -> datetime:
    """An ISO 8601 date or date-time; one without a zone is taken as UTC."""
    text = str(value or "").strip()
    if not text:
        raise FieldError("required: an ISO 8601 date or date-time")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise FieldError(f"not an ISO 8601 date or date-time: {text!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:00-05:00 is past the last UTC moment
        raise FieldError(f"out of range: {text!r}") from None


def parse_date(value) -> date:
    text = str(value or "").strip()
    try:
        return date.fromisoformat(text[:10]) if len(text) >= 10 else date.fromisoformat(text)
    except ValueError:
        raise FieldError(f"not an ISO 8601 date (YYYY-MM-DD): {text!r}") from None


def parse_text(value, *, limit: int = MAX_TEXT, required: bool = False) -> str | None:
    if value is None or value == "":
        if required:
            raise FieldError("required")
        return None
    if isinstance(value, str):
        text = value.strip()
    elif isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
    else:
        raise FieldError(f"must be text, not {type(value).__name__}")
    if not text:
        if required:
            raise FieldError("required")
        return None
    if len(text) > limit:
        raise FieldError(f"at most {limit} characters")
    if _CONTROL.search(text):
        raise FieldError("must not contain control characters")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (\ud800) parses as JSON but is no UTF-8
        raise FieldError("is not valid Unicode text") from None
    return text


__all__ = ["AGGREGATE_METRICS", "FieldError", "parse_aggregate_value", "parse_count",
           "parse_date", "parse_metric", "parse_number", "parse_score", "parse_text",
           "parse_timestamp"]

"""A filter of the dataset by segment: a screener question and one of its answers, or a range.

Written ``KEY=ANSWER`` (``shopping=Weekly``) for a single- or multiple-choice question — a
multiple-choice participant matches when the answer is one of theirs — and ``KEY=LOW..HIGH``
(``age=18..30``, both ends included; ``age=65..`` or ``age=..17`` open on one side) for a number
question; ``KEY=(no answer)`` (:data:`NO_ANSWER`, the label of the empty cells in ``uxlab
analyze --segment``) keeps those who gave no answer to the question (never asked it, skipped
it, or chose nothing), of any kind. The same text is the ``segment`` query value of the results
page, the report and export downloads, and the ``--segment`` option of ``uxlab export`` /
``uxlab report`` (:func:`parse_segment` reads it). :meth:`SegmentFilter.check` holds it against
the study's screener questions; :func:`segment_conditions` turns the filters into SQL on
``Participant.screener`` that SQLite and PostgreSQL evaluate alike.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Boolean, and_, literal, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from uxlab.models import Participant
from uxlab.screening.spec import NO_ANSWER

_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_RANGE = re.compile(r"^\s*(?P<low>[-+]?[0-9.eE+-]*?)\s*\.\.\s*(?P<high>[-+]?[0-9.eE+-]*)\s*$")
#: Longest answer text a filter takes (a screener option is a short label).
MAX_ANSWER_LENGTH = 200


class SegmentError(ValueError):
    """A segment filter that is malformed or that the study's screener does not have."""


@dataclass(frozen=True)
class SegmentFilter:
    """Participants whose screener answer to ``key`` is ``answer`` (choice questions), or lies
    from ``low`` to ``high`` inclusive (number questions; ``None`` = open end)."""

    key: str
    answer: str | None = None
    low: float | None = None
    high: float | None = None

    @property
    def is_range(self) -> bool:
        return self.answer is None

    @property
    def is_no_answer(self) -> bool:
        return self.answer == NO_ANSWER

    def text(self) -> str:
        """The filter as written (``shopping=Weekly``, ``age=18..30``): query value and option."""
        if not self.is_range:
            return f"{self.key}={self.answer}"
        return f"{self.key}={_number_text(self.low)}..{_number_text(self.high)}"

    def describe(self) -> str:
        """Plain words for the filter summary: ``screener shopping: Weekly``."""
        if self.is_no_answer:
            return f"screener {self.key}: no answer"
        if not self.is_range:
            return f"screener {self.key}: {self.answer}"
        if self.low is not None and self.high is not None:
            return f"screener {self.key} from {_number_text(self.low)} to {_number_text(self.high)}"
        if self.low is not None:
            return f"screener {self.key} {_number_text(self.low)} or more"
        return f"screener {self.key} {_number_text(self.high)} or less"

    def check(self, study) -> None:
        """Raise :class:`SegmentError` naming the field when ``study`` has no such question or answer."""
        questions = {q.key: q for q in study.screener_questions}
        question = questions.get(self.key)
        if question is None:
            known = ", ".join(questions) if questions else "none"
            raise SegmentError(f"segment: study {study.slug!r} has no screener question "
                             f"{self.key!r}; its screener questions: {known}")
        if self.is_no_answer:
            return
        if question.kind == "number" and not self.is_range:
            raise SegmentError(f"segment: {self.key} is a number question: give a range such as "
                             f"{self.key}=18..30 (or 18.. / ..30), not {self.answer!r}")
        if question.kind != "number" and self.is_range:
            raise SegmentError(f"segment: {self.key} is a choice question: give one of its "
                             f"answers ({', '.join(question.options)}), not a range")
        if question.kind != "number" and self.answer not in question.options:
            raise SegmentError(f"segment: {self.key} has no answer {self.answer!r}; its answers "
                             f"are {', '.join(question.options)} (or {NO_ANSWER})")


def parse_segment(text: str) -> SegmentFilter:
    """Read ``KEY=ANSWER``, ``KEY=LOW..HIGH`` or ``KEY=(no answer)``; raise
    :class:`SegmentError` naming what is wrong."""
    key, equals, value = str(text).partition("=")
    key = key.strip()
    if not equals or not _KEY.match(key) or len(key) > 64:
        raise SegmentError(f"segment: {_shown(text)} is not QUESTION=ANSWER (or QUESTION=LOW..HIGH "
                         "for a number question) with QUESTION a screener question's key")
    value = value.strip()
    if not value or len(value) > MAX_ANSWER_LENGTH:
        raise SegmentError(f"segment: {_shown(text)} gives no answer for {key}" if not value else
                         f"segment: the answer for {key} is longer than {MAX_ANSWER_LENGTH} "
                         "characters")
    found = _RANGE.match(value)
    if found is None:
        return SegmentFilter(key, answer=value)
    low, high = (_bound(found[end], key, value) for end in ("low", "high"))
    if low is None and high is None:
        raise SegmentError(f"segment: {key}={value} gives neither end of the range")
    if low is not None and high is not None and high < low:
        raise SegmentError(f"segment: the range {key}={value} ends below its start")
    return SegmentFilter(key, low=low, high=high)


def parse_segments(values: Iterable[str]) -> tuple[SegmentFilter, ...]:
    """Every non-empty value read by :func:`parse_segment`, in order, without repeats."""
    return tuple(dict.fromkeys(parse_segment(v) for v in values if v and str(v).strip()))


def segment_conditions(segments: Sequence[SegmentFilter]) -> list:
    """SQL conditions on :class:`Participant` keeping the participants the filters keep.

    Filters on the same question are alternatives (``shopping=Weekly`` or ``shopping=Monthly``);
    filters on different questions must all hold.
    """
    by_key: dict[str, list] = {}
    for segment in segments:
        by_key.setdefault(segment.key, []).append(_condition(segment))
    return [or_(*conditions) for conditions in by_key.values()]


def _condition(segment: SegmentFilter):
    if segment.is_no_answer:
        return _no_answer(Participant.screener, literal(segment.key))
    if segment.is_range:
        value = Participant.screener[segment.key].as_float()
        bounds = [value.is_not(None)]
        if segment.low is not None:
            bounds.append(value >= segment.low)
        if segment.high is not None:
            bounds.append(value <= segment.high)
        return and_(*bounds)
    return _answer_among(Participant.screener, literal(segment.key), literal(segment.answer))


class _answer_among(FunctionElement):  # noqa: N801 (a SQL function-like construct)
    """True when the JSON object's member ``key`` is ``answer`` or a list holding it."""

    type = Boolean()
    inherit_cache = True
    name = "answer_among"


@compiles(_answer_among, "sqlite")
def _answer_among_sqlite(element, compiler, **kw):
    # json_each walks an array's items, and yields a string member itself: both kinds at once.
    column, key, answer = (compiler.process(c, **kw) for c in element.clauses)
    return (f"EXISTS (SELECT 1 FROM json_each({column}, '$.\"' || {key} || '\"') "
            f"WHERE json_each.type = 'text' AND json_each.value = {answer})")


@compiles(_answer_among, "postgresql")
def _answer_among_postgresql(element, compiler, **kw):
    column, key, answer = (compiler.process(c, **kw) for c in element.clauses)
    member = f"({column} -> CAST({key} AS TEXT))"
    return (f"({member} = to_jsonb(CAST({answer} AS TEXT)) OR "
            f"{member} @> jsonb_build_array(CAST({answer} AS TEXT)))")


class _no_answer(FunctionElement):  # noqa: N801 (a SQL function-like construct)
    """True when the JSON object (or NULL) has no answer for ``key``: the member is missing, null,
    an empty text or an empty list (the empty cell of :func:`uxlab.analysis.screener_columns.
    screener_cell`)."""

    type = Boolean()
    inherit_cache = True
    name = "no_answer"


@compiles(_no_answer, "sqlite")
def _no_answer_sqlite(element, compiler, **kw):
    column, key = (compiler.process(c, **kw) for c in element.clauses)
    path = f"'$.\"' || {key} || '\"'"
    kind = f"json_type({column}, {path})"
    return (f"(COALESCE({kind}, 'null') = 'null' "
            f"OR ({kind} = 'text' AND json_extract({column}, {path}) = '') "
            f"OR ({kind} = 'array' AND json_array_length({column}, {path}) = 0))")


@compiles(_no_answer, "postgresql")
def _no_answer_postgresql(element, compiler, **kw):
    column, key = (compiler.process(c, **kw) for c in element.clauses)
    member = f"({column} -> CAST({key} AS TEXT))"
    return (f"({member} IS NULL OR {member} IN "
            "(CAST('null' AS JSONB), CAST('\"\"' AS JSONB), CAST('[]' AS JSONB)))")


def _bound(text: str, key: str, value: str) -> float | None:
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        raise SegmentError(f"segment: {key}={value}: {text!r} is not a number") from None
    if not math.isfinite(number):
        raise SegmentError(f"segment: {key}={value}: {text!r} is not a finite number")
    return number


def _number_text(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _shown(text) -> str:
    text = str(text)
    return repr(text if len(text) <= 80 else text[:77] + "…")

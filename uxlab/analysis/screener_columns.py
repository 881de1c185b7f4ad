"""The screener answers as trailing columns of the tidy tables: ``screener_<key>``, one per question.

A participant's answers (``Participant.screener``: ``{key: "Option"}`` for a single choice,
``{key: ["Option", …]}`` for a multiple choice, ``{key: 12}`` for a number) become one cell per
screener question, in question order, on every attempt and survey row of that participant:

- a single choice is the option's text;
- a multiple choice is the options chosen, in the question's option order, joined with
  :data:`MULTIPLE_SEPARATOR` (``"Phone; Laptop"``);
- a number is the number (``12``, ``3.5``);
- no answer is an empty cell.

So an exported file segments as it is: ``uxlab analyze attempts.csv --segment screener_<key>``
(:mod:`uxlab.analysis.segments`). The JSON export keeps the answers as stored (lists as lists).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from uxlab.models import Participant, Study

#: Between the options of a multiple-choice answer in one cell.
MULTIPLE_SEPARATOR = "; "
COLUMN_PREFIX = "screener_"


def screener_columns(study: Study) -> tuple[str, ...]:
    """``screener_<key>`` of each screener question of ``study``, in question order."""
    return tuple(f"{COLUMN_PREFIX}{q.key}" for q in study.screener_questions)


def screener_answers(session: Session, study: Study) -> dict[int, tuple]:
    """Participant id → the cells of :func:`screener_columns` (only those who answered).

    One query over the study's participants (far fewer than attempts), read before the rows
    are streamed, so each row adds its participant's cells without another query.
    """
    questions = list(study.screener_questions)
    if not questions:
        return {}
    answers = session.execute(
        select(Participant.id, Participant.screener).where(Participant.study_id == study.id))
    return {participant_id: tuple(screener_cell(q, screener.get(q.key)) for q in questions)
            for participant_id, screener in answers if screener}


def screener_cell(question, value):
    """The cell of one answer to ``question`` (see the module docstring); None when missing."""
    if value is None or value == "" or value == []:
        return None
    if question.kind == "multiple":
        chosen = value if isinstance(value, list) else [value]
        order = {option: i for i, option in enumerate(question.options or ())}
        chosen = sorted((str(v) for v in chosen), key=lambda v: (order.get(v, len(order)), v))
        return MULTIPLE_SEPARATOR.join(chosen)
    if question.kind == "number" and isinstance(value, int | float) and \
            not isinstance(value, bool):
        return value
    return str(value)

"""A participant's screener answers: read from the form, checked, and judged against the rules.

Eligible answers are kept in ``Participant.screener`` as ``{key: "Option"}`` (single choice),
``{key: ["Option", …]}`` in the question's option order (multiple choice) or ``{key: 12}`` /
``{key: 3.5}`` (number). An ineligible person's answers are not kept at all: the participant row
is flagged ``turned_away = "screened_out"`` (so screen-outs can be counted) and nothing else.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import object_session

from uxlab.models import Participant, ScreenerQuestion
from uxlab.recording.removal import delete_session_events
from uxlab.screening.rules import answer_meets
from uxlab.timeutil import utcnow

#: Numbers beyond this are typing slips, not ages or counts.
MAX_NUMBER = 1e9


#: What is wrong with an answer, as codes: the participant page words them (in their language).
CHOOSE_ONE, CHOOSE_LISTED, NOT_A_NUMBER = "choose_one", "choose_listed", "not_a_number"


class ScreenerAnswerError(ValueError):
    """Answers that cannot be read; ``problems`` maps form field → problem code."""

    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))


def field_for(question: ScreenerQuestion) -> str:
    return f"screener_{question.key}"


def parse_screener_form(questions: list[ScreenerQuestion], form) -> dict[str, Any]:
    """Return the answers in stored form, or raise :class:`ScreenerAnswerError`."""
    answers: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for question in questions:
        name = field_for(question)
        if question.kind == "single":
            value = form.get(name)
            if value not in question.options:
                problems[name] = CHOOSE_ONE
            else:
                answers[question.key] = value
        elif question.kind == "multiple":
            chosen = set(form.getlist(name))
            if not chosen <= set(question.options):
                problems[name] = CHOOSE_LISTED
            else:
                answers[question.key] = [o for o in question.options if o in chosen]
        else:
            text = (form.get(name) or "").strip().replace(",", ".")
            try:
                number = float(text)
            except ValueError:
                number = math.nan
            if not math.isfinite(number) or abs(number) > MAX_NUMBER:
                problems[name] = NOT_A_NUMBER
            else:
                answers[question.key] = int(number) if number.is_integer() else number
    if problems:
        raise ScreenerAnswerError(problems)
    return answers


def is_eligible(questions: list[ScreenerQuestion], answers: Mapping[str, Any]) -> bool:
    """Whether every question's eligibility rule accepts its answer."""
    return all(answer_meets(q.kind, q.rule or {}, answers.get(q.key)) for q in questions)


def turn_away(participant: Participant, reason: str) -> None:
    """Flag ``participant`` as turned away (``screened_out`` or ``full``), keeping no answers
    and no session (a remote-moderated one was opened by the moderator before the screener)."""
    participant.turned_away = reason
    participant.turned_away_at = utcnow()
    participant.screener = {}
    session = object_session(participant)
    if session is not None and participant.sessions:
        stored = [test_session.id for test_session in participant.sessions if test_session.id]
        if stored:
            delete_session_events(session, stored)
        for test_session in participant.sessions:
            session.delete(test_session)
        session.flush()
        session.expire(participant, ["sessions"])


def screen(questions: list[ScreenerQuestion], participant: Participant,
           answers: dict[str, Any]) -> bool:
    """Keep eligible ``answers`` and move the participant on, or turn them away. Return which."""
    if is_eligible(questions, answers):
        participant.screener = answers
        participant.step += 1
        return True
    turn_away(participant, "screened_out")
    return False

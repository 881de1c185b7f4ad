"""Questionnaire answers from the participant's forms: validated, then stored once."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from uxlab.i18n.text import gettext
from uxlab.models import Attempt, Questionnaire, QuestionnaireResponse, TestSession, Variant
from uxlab.participants.instruments import instrument_for


class AnswerError(ValueError):
    """Answers missing or out of range; ``problems`` maps form field → message."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = problems


def field_name(questionnaire: Questionnaire, item: int) -> str:
    return f"{questionnaire.key}_{item}"


def parse_answers(questionnaire: Questionnaire, form: Mapping[str, str]) -> dict[int, int]:
    """Return item number → value, or raise :class:`AnswerError` naming each bad item."""
    instrument = instrument_for(questionnaire)
    values, problems = {}, {}
    for number, _text in enumerate(instrument.items, start=1):
        name = field_name(questionnaire, number)
        raw = (form.get(name) or "").strip()
        if not raw:
            problems[name] = gettext("Please choose an answer.")
            continue
        try:
            value = int(raw)
        except ValueError:
            problems[name] = gettext("%(answer)s is not one of the choices.", answer=repr(raw))
            continue
        if value not in instrument.scale.points:
            problems[name] = gettext("%(answer)s is not one of the choices.", answer=value)
            continue
        values[number] = value
    if problems:
        raise AnswerError(problems)
    return values


def store_answers(session: Session, test_session: TestSession, questionnaire: Questionnaire,
                  values: dict[int, int], attempt: Attempt | None, variant: Variant | None
                  ) -> None:
    """Insert one row per item. Answers are never overwritten (a unique key guards it)."""
    scope = f"attempt:{attempt.id}" if attempt else (f"variant:{variant.id}" if variant
                                                      else "study")
    session.add_all(
        QuestionnaireResponse(
            session_id=test_session.id, questionnaire_id=questionnaire.id,
            attempt_id=attempt.id if attempt else None,
            variant_id=variant.id if variant else None, scope=scope,
            instrument=questionnaire.instrument, item=item, value=value)
        for item, value in values.items()
    )
    session.flush()

"""The review of one session: who, which variants, every attempt with its metrics, answers, and
what the recorder sent (event counts, and events that never arrived). The session's timeline of
tasks, events and notes is :mod:`uxlab.observations.timeline`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from uxlab.models import (
    Attempt,
    Event,
    Participant,
    QuestionnaireResponse,
    Study,
    TestSession,
)
from uxlab.recording.gaps import sequence_gaps
from uxlab.stats.questionnaires import sus_score, umux_lite_score


@dataclass(frozen=True)
class Answer:
    """One answered item: its number, value and free text."""

    item: int
    value: float | None
    text: str | None


@dataclass(frozen=True)
class AnswerGroup:
    """The answers to one instrument about one thing (a variant, the study, or an attempt).

    ``score`` is the respondent's SUS or UMUX-Lite score (0–100) where it can be computed.
    """

    instrument: str
    about: str
    answers: tuple[Answer, ...]
    score: float | None = None


@dataclass(frozen=True)
class AttemptReview:
    """One attempt as recorded, with its post-task answers."""

    attempt: Attempt
    task_key: str
    task_title: str
    variant: str
    answers: tuple[AnswerGroup, ...]


@dataclass(frozen=True)
class SessionReview:
    """Everything the session review page shows.

    ``gaps`` maps each tab to the inclusive ranges of sequence numbers that never arrived (see
    :func:`uxlab.recording.gaps.sequence_gaps`); ``missing_events`` is how many those are.
    """

    study: Study
    participant: Participant
    test_session: TestSession
    other_sessions: tuple[TestSession, ...]
    attempts: tuple[AttemptReview, ...]
    answers: tuple[AnswerGroup, ...]
    event_counts: tuple[tuple[str, int], ...]
    gaps: dict[str, list[tuple[int, int]]]

    @property
    def events(self) -> int:
        return sum(count for _type, count in self.event_counts)

    @property
    def gap_rows(self) -> list[tuple[str, list[tuple[int, int]], int]]:
        """(tab, missing ranges, how many events) for each tab with gaps."""
        return [(tab, ranges, sum(last - first + 1 for first, last in ranges))
                for tab, ranges in self.gaps.items()]

    @property
    def missing_events(self) -> int:
        return sum(missing for _tab, _ranges, missing in self.gap_rows)


def find_session(session: Session, study: Study, public_id: uuid.UUID) -> TestSession | None:
    """The session with this public id if it belongs to a participant of ``study``, else None."""
    return session.scalar(
        select(TestSession).join(Participant, Participant.id == TestSession.participant_id)
        .where(TestSession.public_id == public_id, Participant.study_id == study.id))


def session_review(session: Session, study: Study, test_session: TestSession) -> SessionReview:
    """Build the review of ``test_session`` (a session of ``study``)."""
    participant = test_session.participant
    variant_names = {v.id: v.key for v in study.variants}
    tasks = {t.id: t for t in study.tasks}
    responses = session.scalars(
        select(QuestionnaireResponse).where(QuestionnaireResponse.session_id == test_session.id)
        .order_by(QuestionnaireResponse.instrument, QuestionnaireResponse.scope,
                  QuestionnaireResponse.item, QuestionnaireResponse.id)).all()
    per_attempt: dict[int, list[QuestionnaireResponse]] = {}
    post_study: list[QuestionnaireResponse] = []
    for response in responses:
        if response.attempt_id is None:
            post_study.append(response)
        else:
            per_attempt.setdefault(response.attempt_id, []).append(response)
    attempts = tuple(
        AttemptReview(attempt=a, task_key=tasks[a.task_id].key, task_title=tasks[a.task_id].title,
                      variant=variant_names.get(a.variant_id, "?"),
                      answers=_groups(per_attempt.get(a.id, []), lambda r: "this task"))
        for a in test_session.attempts)
    return SessionReview(
        study=study, participant=participant, test_session=test_session,
        other_sessions=tuple(s for s in participant.sessions if s.id != test_session.id),
        attempts=attempts,
        answers=_groups(post_study, lambda r: _about(r, variant_names)),
        event_counts=tuple((kind, count) for kind, count in session.execute(
            select(Event.type, func.count()).where(Event.session_id == test_session.id)
            .group_by(Event.type).order_by(func.count().desc(), Event.type))),
        gaps=sequence_gaps(session, test_session))


def _about(response: QuestionnaireResponse, variant_names: dict[int, str]) -> str:
    if response.variant_id is not None:
        return f"variant {variant_names.get(response.variant_id, '?')}"
    return "the study"


def _groups(responses: list[QuestionnaireResponse], about) -> tuple[AnswerGroup, ...]:
    grouped: dict[tuple[str, str], list[Answer]] = {}
    for r in responses:
        grouped.setdefault((r.instrument, about(r)), []).append(Answer(r.item, r.value, r.text))
    return tuple(AnswerGroup(instrument, where, tuple(answers), _score(instrument, answers))
                 for (instrument, where), answers in grouped.items())


def _score(instrument: str, answers: list[Answer]) -> float | None:
    values = {a.item: a.value for a in answers}
    try:
        if instrument == "sus":
            return sus_score([values.get(i) for i in range(1, 11)])
        if instrument == "umux_lite" and values.get(1) is not None and values.get(2) is not None:
            return umux_lite_score(int(values[1]), int(values[2]))
    except ValueError:  # too many items missing, or a value off the scale: no score
        return None
    return None

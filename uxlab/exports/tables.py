"""The CSV exports: tidy attempts and survey (the ``uxlab analyze`` inputs), events, observations.

Each function returns a generator of CSV text chunks and holds only the rows of one study.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from uxlab.analysis.dataset import Filters, attempt_rows, survey_columns, survey_rows
from uxlab.analysis.tidy import ATTEMPT_COLUMNS
from uxlab.exports.writing import csv_chunks, dumps, iso, stream
from uxlab.models import (
    Attempt,
    Event,
    Observation,
    Participant,
    Study,
    Task,
    TestSession,
    UsabilityProblem,
    User,
    Variant,
)

EVENT_COLUMNS = ("participant", "session", "tab", "seq", "event_id", "type", "client_time_ms",
                 "received_at", "task", "variant", "x", "y", "target", "url", "payload")
OBSERVATION_COLUMNS = ("participant", "session", "observation", "created_at", "offset_ms",
                       "kind", "severity", "task", "variant", "problem", "author", "text", "tags")


def attempts_csv(session: Session, study: Study, filters: Filters | None = None
                 ) -> Iterator[str]:
    """The tidy attempts CSV (``participant, variant, task, outcome, success, time_s, errors,
    clicks, seq``): what ``uxlab analyze`` reads, so export → analyze reproduces the analysis."""
    rows = attempt_rows(session, study, filters)
    return csv_chunks(ATTEMPT_COLUMNS, (tuple(row.values()) for row in rows))


def survey_csv(session: Session, study: Study, filters: Filters | None = None) -> Iterator[str]:
    """The survey CSV (``participant, variant, sus_1 … sus_10, umux_1, umux_2, nps`` and
    ``csat``, ``ces`` when the study asks them), one row per participant and variant."""
    rows = survey_rows(session, study, filters)
    return csv_chunks(survey_columns(study), (tuple(row.values()) for row in rows))


def events_csv(session: Session, study: Study) -> Iterator[str]:
    """Every recorded event of the study, one row each, in session and sequence order.

    ``session`` is the session's public id, ``event_id`` the client's event id, ``task`` and
    ``variant`` those of the attempt the event belongs to (empty outside tasks), ``payload`` the
    event's extra data as JSON.
    """
    statement = (
        select(Participant.code, TestSession.public_id, Event.tab_id, Event.seq,
               Event.event_uuid, Event.type, Event.client_ts_ms, Event.received_at, Task.key,
               Variant.key, Event.x, Event.y, Event.target, Event.url, Event.payload)
        .select_from(Event)
        .join(TestSession, TestSession.id == Event.session_id)
        .join(Participant, Participant.id == TestSession.participant_id)
        .outerjoin(Attempt, Attempt.id == Event.attempt_id)
        .outerjoin(Task, Task.id == Attempt.task_id)
        .outerjoin(Variant, Variant.id == Attempt.variant_id)
        .where(Participant.study_id == study.id)
        .order_by(Event.session_id, Event.seq, Event.id)
    )
    rows = ((code, str(public_id), tab, seq, str(event_uuid), kind, client_ms, iso(received),
             task, variant, x, y, target, url, dumps(payload) if payload else "")
            for (code, public_id, tab, seq, event_uuid, kind, client_ms, received, task,
                 variant, x, y, target, url, payload) in stream(session, statement))
    return csv_chunks(EVENT_COLUMNS, rows)


def observations_csv(session: Session, study: Study) -> Iterator[str]:
    """Every moderator observation of the study, in session and time order.

    ``problem`` is the title of the usability problem the observation is linked to, ``author``
    the observer's email, ``tags`` a JSON list.
    """
    author = aliased(User)
    statement = (
        select(Participant.code, TestSession.public_id, Observation.id, Observation.created_at,
               Observation.offset_ms, Observation.kind, Observation.severity, Task.key,
               Variant.key, UsabilityProblem.title, author.email, Observation.text,
               Observation.tags)
        .select_from(Observation)
        .join(TestSession, TestSession.id == Observation.session_id)
        .join(Participant, Participant.id == TestSession.participant_id)
        .outerjoin(Attempt, Attempt.id == Observation.attempt_id)
        .outerjoin(Task, Task.id == Attempt.task_id)
        .outerjoin(Variant, Variant.id == Attempt.variant_id)
        .outerjoin(UsabilityProblem, UsabilityProblem.id == Observation.problem_id)
        .outerjoin(author, author.id == Observation.author_id)
        .where(Participant.study_id == study.id)
        .order_by(Observation.session_id, Observation.offset_ms, Observation.id)
    )
    rows = ((code, str(public_id), observation_id, iso(created), offset, kind, severity, task,
             variant, problem, email, text, dumps(tags or []))
            for (code, public_id, observation_id, created, offset, kind, severity, task,
                 variant, problem, email, text, tags) in stream(session, statement))
    return csv_chunks(OBSERVATION_COLUMNS, rows)

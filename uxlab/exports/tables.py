"""The CSV exports: tidy attempts and survey (the ``uxlab analyze`` inputs), events, observations.

Each function returns a generator of CSV text chunks and holds only the rows of one study.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import Text, cast, select
from sqlalchemy.orm import Session, aliased

from uxlab.analysis.dataset import (
    Filters,
    attempt_columns,
    attempt_rows,
    survey_columns,
    survey_rows,
)
from uxlab.exports.writing import csv_chunks, dumps, iso, stream
from uxlab.models import (
    Attempt,
    Event,
    Observation,
    ObserverGuest,
    Participant,
    Study,
    Task,
    TestSession,
    UsabilityProblem,
    User,
    Variant,
)
from uxlab.observations.notes import note_author

EVENT_COLUMNS = ("participant", "session", "tab", "seq", "event_id", "type", "client_time_ms",
                 "received_at", "task", "variant", "x", "y", "target", "url", "payload", "late")
OBSERVATION_COLUMNS = ("participant", "session", "observation", "created_at", "offset_ms",
                       "kind", "severity", "task", "variant", "problem", "author", "text", "tags",
                       "noted_at", "after_event", "client_id", "problem_id")


#: The trailing column of both tidy tables: the language the participant's pages were shown in
#: (``uxlab analyze`` ignores it; a segment to compare by).
LANGUAGE_COLUMN = "language"


def participant_languages(session: Session, study: Study) -> dict[str, str | None]:
    """Participant code → the language their pages were shown in (None before they consented)."""
    return dict(session.execute(select(Participant.code, Participant.language)
                                .where(Participant.study_id == study.id)).all())


def attempts_csv(session: Session, study: Study, filters: Filters | None = None
                 ) -> Iterator[str]:
    """The tidy attempts CSV (``participant, variant, task, outcome, success, time_s, errors,
    clicks, seq``, then ``direct, first_click, lostness``, then a ``screener_<key>`` column per
    screener question, then ``language``): what ``uxlab analyze`` reads, so export → analyze
    reproduces the analysis, and ``uxlab analyze --segment screener_<key>`` segments it."""
    languages = participant_languages(session, study)
    rows = attempt_rows(session, study, filters)
    return csv_chunks(attempt_columns(study) + (LANGUAGE_COLUMN,),
                      ((*row.values(), languages.get(row["participant"])) for row in rows))


def survey_csv(session: Session, study: Study, filters: Filters | None = None) -> Iterator[str]:
    """The survey CSV (``participant, variant, sus_1 … sus_10, umux_1, umux_2, nps``,
    ``csat``, ``ces`` when the study asks them, then the ``screener_<key>`` columns, then
    ``language``), one row per participant and variant."""
    languages = participant_languages(session, study)
    rows = survey_rows(session, study, filters)
    return csv_chunks(survey_columns(study) + (LANGUAGE_COLUMN,),
                      ((*row.values(), languages.get(row["participant"])) for row in rows))


def events_csv(session: Session, study: Study) -> Iterator[str]:
    """Every recorded event of the study, one row each, in session and sequence order.

    ``session`` is the session's public id, ``event_id`` the client's event id, ``task`` and
    ``variant`` those of the attempt the event belongs to (empty outside tasks), ``payload`` the
    event's extra data as JSON text, as stored; ``late`` is 1 for an event that arrived after its
    attempt had ended (and counts in none of its metrics), else 0.

    The events are the one table that grows to millions of rows, so their query touches the
    events table alone (in the order of its ``(session_id, seq)`` index); participant codes,
    session ids and attempts, far fewer, come from two small lookups read first.
    """
    sessions = {
        session_id: (code, str(public_id)) for session_id, code, public_id in session.execute(
            select(TestSession.id, Participant.code, TestSession.public_id)
            .join(Participant, Participant.id == TestSession.participant_id)
            .where(Participant.study_id == study.id))}
    attempts = {
        attempt_id: (task, variant) for attempt_id, task, variant in session.execute(
            select(Attempt.id, Task.key, Variant.key)
            .join(Task, Task.id == Attempt.task_id).join(Variant, Variant.id == Attempt.variant_id)
            .where(Task.study_id == study.id))}
    outside = (None, None)
    rows = ((*sessions[session_id], tab, seq, str(event_uuid), kind, client_ms, iso(received),
             *attempts.get(attempt_id, outside), x, y, target, url,
             "" if payload in (None, "{}") else payload, int(late))
            for (session_id, tab, seq, event_uuid, kind, client_ms, received, attempt_id, x, y,
                 target, url, payload, late) in stream(session, events_query(study)))
    return csv_chunks(EVENT_COLUMNS, rows)


def events_query(study: Study):
    """The ``select`` behind :func:`events_csv`: one row per event of ``study``, in order."""
    of_study = (select(TestSession.id)
                .join(Participant, Participant.id == TestSession.participant_id)
                .where(Participant.study_id == study.id))
    return (
        select(Event.session_id, Event.tab_id, Event.seq, Event.event_uuid, Event.type,
               Event.client_ts_ms, Event.received_at, Event.attempt_id, Event.x, Event.y,
               Event.target, Event.url, cast(Event.payload, Text), Event.late)
        .where(Event.session_id.in_(of_study))
        .order_by(Event.session_id, Event.seq, Event.id)
    )


def observations_csv(session: Session, study: Study) -> Iterator[str]:
    """Every moderator observation of the study, in session and time order.

    ``problem`` is the title of the usability problem the observation is linked to (its id in
    ``problem_id``), ``author`` the observer's email (or an observer-link guest's name), ``tags`` a JSON list, ``noted_at`` when
    typing started, ``after_event`` the last recorded event before it, ``client_id`` the note's
    id made by the note-taker's browser.
    """
    author = aliased(User)
    statement = (
        select(Participant.code, TestSession.public_id, Observation.id, Observation.created_at,
               Observation.offset_ms, Observation.kind, Observation.severity, Task.key,
               Variant.key, UsabilityProblem.title, note_author(author), Observation.text,
               Observation.tags, Observation.noted_at, Observation.after_event,
               Observation.client_id, Observation.problem_id)
        .select_from(Observation)
        .join(TestSession, TestSession.id == Observation.session_id)
        .join(Participant, Participant.id == TestSession.participant_id)
        .outerjoin(Attempt, Attempt.id == Observation.attempt_id)
        .outerjoin(Task, Task.id == Attempt.task_id)
        .outerjoin(Variant, Variant.id == Attempt.variant_id)
        .outerjoin(UsabilityProblem, UsabilityProblem.id == Observation.problem_id)
        .outerjoin(author, author.id == Observation.author_id)
        .outerjoin(ObserverGuest, ObserverGuest.id == Observation.guest_id)
        .where(Participant.study_id == study.id)
        .order_by(Observation.session_id, Observation.offset_ms, Observation.id)
    )
    rows = ((code, str(public_id), observation_id, iso(created), offset, kind, severity, task,
             variant, problem, email, text, dumps(tags or []), iso(noted_at), after_event,
             str(client_id), problem_id)
            for (code, public_id, observation_id, created, offset, kind, severity, task,
                 variant, problem, email, text, tags, noted_at, after_event, client_id,
                 problem_id) in stream(session, statement))
    return csv_chunks(OBSERVATION_COLUMNS, rows)

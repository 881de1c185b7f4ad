"""Event ingestion: the hot path from the recorder's batches to ``events`` rows.

A batch is checked whole before anything is written, then inserted with one set-based statement
that skips events already stored (``ON CONFLICT (session_id, event_uuid) DO NOTHING``), so a
batch sent again after a lost answer is harmless. Event rows are only ever inserted.

:func:`ingest_events` is the service for a caller that holds a ``TestSession``. The API's hot
path uses its parts: :func:`~uxlab.recording.validation.event_rows` (plain Python, before the
database is touched), :func:`find_target` (one query for the session and which of the batch's
attempts are its own; these never change, so it runs in a read transaction of its own) and
:func:`store_rows` (the INSERT first, so that on SQLite the write lock is held only from there
to the commit; then which of those attempts have ended, read under the write lock).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from uxlab.models import Attempt, Event, Participant, Study, TestSession
from uxlab.recording.metrics import derive_attempt_metrics
from uxlab.recording.validation import event_rows
from uxlab.timeutil import utcnow

EVENTS = Event.__table__
SESSIONS = TestSession.__table__
ATTEMPTS = Attempt.__table__
PARTICIPANTS = Participant.__table__
STUDIES = Study.__table__
#: Events of an attempt that arrive this long after it ended are late: stored and flagged, but
#: left out of its metrics. The grace covers the recorder's last batches, sent while and just
#: after the runner ends the task (every 2 s, then a drain of up to 3 s, retries backing off to
#: 30 s); past it, no recorder of that attempt is still sending, and results no longer change.
LATE_AFTER = timedelta(seconds=60)

# The hot path's statements are built once: building and cache-keying a statement per request
# cost more than running it.
# SQLite counts new rows by the executemany's rowcount (rows skipped by ON CONFLICT DO NOTHING
# count 0; RETURNING costs about half again as much there). psycopg reports no rowcount for an
# executemany, so PostgreSQL returns the new rows' ids (one multi-row INSERT, insertmanyvalues).
_INSERTS = {
    "sqlite": sqlite.insert(EVENTS).on_conflict_do_nothing(
        index_elements=["session_id", "event_uuid"]),
    "postgresql": postgresql.insert(EVENTS).on_conflict_do_nothing(
        index_elements=["session_id", "event_uuid"]).returning(EVENTS.c.id),
}


def _target_query(attempts_match):
    return (
        select(SESSIONS.c.id, SESSIONS.c.participant_id, STUDIES.c.status, ATTEMPTS.c.id,
               ATTEMPTS.c.ended_at)
        .select_from(SESSIONS.join(PARTICIPANTS, PARTICIPANTS.c.id == SESSIONS.c.participant_id)
                     .join(STUDIES, STUDIES.c.id == PARTICIPANTS.c.study_id)
                     .outerjoin(ATTEMPTS, (ATTEMPTS.c.session_id == SESSIONS.c.id)
                                & attempts_match))
        .where(SESSIONS.c.public_id == bindparam("public_id"))
    )


def _owned_attempts_query(attempts_match):
    return select(ATTEMPTS.c.id, ATTEMPTS.c.ended_at).where(
        ATTEMPTS.c.session_id == bindparam("session_id"), attempts_match)


# Each query in two forms: for a batch of one attempt (nearly every batch), ``id = ?``; else an
# expanding ``IN``, whose SQL is rendered again at every execution (a tenth of a request's CPU).
_ONE_ATTEMPT = ATTEMPTS.c.id == bindparam("attempt_id")
_SOME_ATTEMPTS = ATTEMPTS.c.id.in_(bindparam("attempt_ids", expanding=True))
_TARGET = {True: _target_query(_ONE_ATTEMPT), False: _target_query(_SOME_ATTEMPTS)}
_STORED_OF_BATCH = select(func.count()).select_from(EVENTS).where(
    EVENTS.c.session_id == bindparam("session_id"),
    EVENTS.c.event_uuid.in_(bindparam("event_uuids", expanding=True)))
_OWNED_ATTEMPTS = {True: _owned_attempts_query(_ONE_ATTEMPT),
                   False: _owned_attempts_query(_SOME_ATTEMPTS)}
# PostgreSQL: lock the attempts so that an ingestion and the attempt's end (or two ingestions
# with late events) take turns, each seeing the other's committed rows when it derives the
# metrics. FOR NO KEY UPDATE leaves foreign-key checks (FOR KEY SHARE) unblocked. SQLite needs
# nothing: its writers already take turns (one write lock, held from the INSERT to the commit).
_LOCKED_ATTEMPTS = {one: query.with_for_update(key_share=True)
                    for one, query in _OWNED_ATTEMPTS.items()}


def _attempt_parameters(attempt_ids: Iterable[int]) -> tuple[bool, dict[str, Any]]:
    """Which form of a query to run for ``attempt_ids``, and its parameters."""
    ids = sorted(attempt_ids)
    return (True, {"attempt_id": ids[0]}) if len(ids) == 1 else (False, {"attempt_ids": ids})


@dataclass(frozen=True)
class IngestResult:
    """How many events of a batch were new (``accepted``) and how many were already stored."""

    accepted: int
    duplicates: int


@dataclass(frozen=True)
class IngestTarget:
    """A session events are posted to, with the attempts of the batch that belong to it."""

    session_id: int
    participant_id: int
    #: The session's study's status: a ``closed`` study's sessions take no new events.
    study_status: str
    #: Those of the batch's attempt ids that are the session's (the others are dropped).
    attempt_ids: frozenset[int]
    #: Those of ``attempt_ids`` that ended more than :data:`LATE_AFTER` ago.
    late_attempt_ids: frozenset[int] = frozenset()


def claimed_attempts(rows: Iterable[dict[str, Any]]) -> set[int]:
    """Return the attempt ids the rows claim (still to be checked against the session)."""
    return {row["attempt_id"] for row in rows if row["attempt_id"] is not None}


def _dialect(session: Session) -> str:
    name = session.get_bind().dialect.name
    if name not in _INSERTS:
        raise ValueError(f"event ingestion supports SQLite and PostgreSQL, not {name!r}")
    return name


def _ended_attempts(session: Session, session_id: int, attempt_ids: Iterable[int]) -> set[int]:
    """Return those of ``attempt_ids`` (the session's) that have ended; locked on PostgreSQL."""
    queries = _LOCKED_ATTEMPTS if _dialect(session) == "postgresql" else _OWNED_ATTEMPTS
    one, parameters = _attempt_parameters(attempt_ids)
    rows = session.connection().execute(queries[one], {"session_id": session_id, **parameters})
    return {attempt_id for attempt_id, ended_at in rows if ended_at is not None}


def find_target(session: Session, public_id: uuid.UUID, attempt_ids: set[int],
                now: datetime | None = None) -> IngestTarget | None:
    """Look up session ``public_id``, its study's status, which of ``attempt_ids`` are its own
    and which of those ended before ``now`` − :data:`LATE_AFTER`; None if the session is unknown.

    One query (the session joined to its study, outer-joined with those attempts). An attempt's
    ownership and an end that long past never change, so the caller may run it in a read
    transaction before the write one.
    """
    one, parameters = _attempt_parameters(attempt_ids)
    rows = session.connection().execute(
        _TARGET[one], {"public_id": public_id, **parameters}).all()
    if not rows:
        return None
    late_before = (now or utcnow()) - LATE_AFTER
    session_id, participant_id, status = rows[0][0], rows[0][1], rows[0][2]
    return IngestTarget(
        session_id=session_id, participant_id=participant_id, study_status=status,
        attempt_ids=frozenset(row[3] for row in rows if row[3] is not None),
        late_attempt_ids=frozenset(row[3] for row in rows
                                   if row[4] is not None and row[4] < late_before))


def all_stored(session: Session, target: IngestTarget, rows: list[dict[str, Any]]) -> bool:
    """Tell whether every event of ``rows`` is already stored for the session: a replay of a
    batch already acknowledged, which still gets its success answer where a new batch would not."""
    uuids = {row["event_uuid"] for row in rows}
    return session.connection().execute(
        _STORED_OF_BATCH, {"session_id": target.session_id, "event_uuids": sorted(uuids)}
    ).scalar_one() == len(uuids)


def store_rows(session: Session, target: IngestTarget, rows: list[dict[str, Any]]) -> IngestResult:
    """Insert checked rows (from ``event_rows``) for ``target`` and re-derive ended attempts.

    An attempt the session does not own is dropped from its events; an event of an attempt that
    ended over :data:`LATE_AFTER` ago is stored with ``late`` set and changes nothing else. The
    INSERT is the first statement: in a session of ``Database.append_sessions`` it takes
    SQLite's write lock, so the lock is held only from there to the commit. Then, when the batch
    had new events, the batch's other attempts that have already ended (the recorder's last
    batches) are read, under that lock (SQLite) or their row locks (PostgreSQL), and their
    metrics derived again in the same transaction. The caller commits.
    """
    if not rows:
        return IngestResult(accepted=0, duplicates=0)
    received_at = utcnow()
    owned, late = target.attempt_ids, target.late_attempt_ids
    for row in rows:
        row["session_id"] = target.session_id
        row["received_at"] = received_at
        if row["attempt_id"] is not None and row["attempt_id"] not in owned:
            row["attempt_id"] = None
        row["late"] = row["attempt_id"] in late
    # Core on the session's connection: no ORM bookkeeping for rows never loaded back.
    dialect = _dialect(session)
    result = session.connection().execute(_INSERTS[dialect], rows)
    accepted = len(result.all()) if dialect == "postgresql" else result.rowcount
    recent = owned - late  # late events change no metrics
    if accepted and recent:  # the batch's attempts, after dropping the others
        # Re-deriving is idempotent: harmless when only another attempt's events were new.
        for attempt_id in sorted(_ended_attempts(session, target.session_id, recent)):
            derive_attempt_metrics(session, session.get(Attempt, attempt_id))
    return IngestResult(accepted=accepted, duplicates=len(rows) - accepted)


def ingest_events(
    session: Session, test_session: TestSession, events: list[dict[str, Any]]
) -> IngestResult:
    """Store a batch of recorder events of ``test_session``, each at most once.

    Checks every event against the protocol (docs/recording.md) before touching the database
    (on SQLite the write lock is taken only after the check), then inserts the new ones with one
    statement. An event's ``attempt`` is kept only if that attempt belongs to the session. Events
    that arrive for an attempt that has already ended have its metrics derived again in the same
    transaction, unless it ended over :data:`LATE_AFTER` ago (then they are stored as late and
    change none of them). The caller commits.

    Raises
    ------
    uxlab.recording.validation.EventError
        For a batch that breaks the protocol; nothing is written.
    """
    rows = event_rows(events)
    if not rows:
        return IngestResult(accepted=0, duplicates=0)
    return store_rows(session, find_target(session, test_session.public_id,
                                           claimed_attempts(rows)), rows)

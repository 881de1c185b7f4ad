"""Event ingestion: the hot path from the recorder's batches to ``events`` rows.

A batch is checked whole before anything is written, then inserted with one set-based statement
that skips events already stored (``ON CONFLICT (session_id, event_uuid) DO NOTHING``), so a
batch sent again after a lost answer is harmless. Event rows are only ever inserted.

:func:`ingest_events` is the service for a caller that holds a ``TestSession``. The API's hot
path uses its parts, on a Core connection and for several batches at once (group commit,
:mod:`uxlab.api.event_batches`): :func:`~uxlab.recording.validation.event_rows` (plain Python,
before the database is touched), :func:`find_targets` (one query for the batches' sessions and
which of their attempts are their own; these never change, so it may run in a read transaction
of its own), :func:`prepare_inserts` (the rows converted for the driver, before any lock),
:func:`run_inserts` (the INSERTs first, so that on SQLite the write lock is held only from there
to the commit) and :func:`rederive_ended` (then which of those attempts have
ended, read under the write lock or their row locks).
"""

from __future__ import annotations

import functools
import json
import operator
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import Connection, any_, bindparam, func, select
from sqlalchemy.dialects import postgresql
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
# SQLite counts new rows by each batch's executemany rowcount (rows skipped by ON CONFLICT DO
# NOTHING count 0; RETURNING costs about half again as much there). The parameters are
# converted by the columns' own bind processors (:func:`_sqlite_conversions`): SQLAlchemy's
# execution of a compiled INSERT, per batch, was two fifths of a group's INSERT time.
_ROW_COLUMNS = ("session_id", "event_uuid", "seq", "tab_id", "attempt_id", "type",
                "client_ts_ms", "received_at", "x", "y", "target", "url", "payload", "late")
_SQLITE_INSERT = (f"INSERT INTO {EVENTS.name} ({', '.join(_ROW_COLUMNS)}) VALUES "
                  f"({', '.join('?' for _ in _ROW_COLUMNS)}) "
                  "ON CONFLICT (session_id, event_uuid) DO NOTHING")
# PostgreSQL: one INSERT for all the rows of a group, one round trip: the rows travel as one JSON
# array (written by orjson, in C) that json_to_recordset() turns back into typed rows, and the
# new rows' keys come back (psycopg reports no rowcount for an executemany). Its text never
# changes, so psycopg prepares it once. SQLAlchemy's multi-row VALUES is new SQL for every row
# count, which psycopg parsed again each time (two thirds of a group's CPU); psycopg's binary
# arrays, one per column, cost the writer twice the CPU of this JSON (docs/performance.md).
# The column types are the model's.
_POSTGRESQL_INSERT = (
    f"INSERT INTO {EVENTS.name} ({', '.join(_ROW_COLUMNS)}) "
    f"SELECT {', '.join(_ROW_COLUMNS)} FROM json_to_recordset(%s::json) AS rows("
    + ", ".join(f"{name} {EVENTS.c[name].type.compile(dialect=postgresql.dialect())}"
                for name in _ROW_COLUMNS)
    + ") ON CONFLICT (session_id, event_uuid) DO NOTHING RETURNING session_id, event_uuid")


_PICK_ROW = operator.itemgetter(*_ROW_COLUMNS)


@functools.cache
def _sqlite_conversions(dialect) -> tuple[tuple[int, Callable[[Any], Any], bool], ...]:
    """How :func:`_sqlite_parameters` converts each column that needs it on ``dialect``:
    ``(position, function, shared)``. The function is the column's bind processor, except that
    payloads are written by :func:`_json_text` (SQLAlchemy's JSON type calls ``json.dumps``,
    about 4 us a row); ``shared`` marks ``received_at``, one value for every row, converted
    once per batch.
    """
    conversions = []
    for i, name in enumerate(_ROW_COLUMNS):
        process = _json_text if name == "payload" else EVENTS.c[name].type.bind_processor(dialect)
        if process is not None:
            conversions.append((i, process, name == "received_at"))
    return tuple(conversions)


def _sqlite_parameters(dialect, rows: list[dict[str, Any]]) -> list[tuple]:
    """The rows as :data:`_SQLITE_INSERT`'s parameters, as SQLAlchemy would bind them
    (:func:`_sqlite_conversions`)."""
    conversions = _sqlite_conversions(dialect)
    shared: dict[tuple[int, Any], Any] = {}
    parameters = []
    for row in rows:
        values = list(_PICK_ROW(row))
        for i, process, once in conversions:
            if once:
                key = (i, values[i])
                if key not in shared:
                    shared[key] = process(values[i])
                values[i] = shared[key]
            else:
                values[i] = process(values[i])
        parameters.append(tuple(values))
    return parameters


def _json_text(value: Any) -> str:
    """``value`` (a payload, or :data:`_POSTGRESQL_INSERT`'s rows) as JSON text, written by
    orjson in C; the standard library writes what orjson refuses (an integer past 64 bits,
    which a payload may hold)."""
    try:
        return orjson.dumps(value).decode()
    except orjson.JSONEncodeError:
        return json.dumps(value, default=_json_default, separators=(",", ":"))


def _json_default(value: Any) -> str:
    if isinstance(value, uuid.UUID | datetime):
        return value.isoformat() if isinstance(value, datetime) else str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _target_query(sessions_match, attempts_match):
    return (
        select(SESSIONS.c.public_id, SESSIONS.c.id, SESSIONS.c.participant_id, STUDIES.c.status,
               ATTEMPTS.c.id, ATTEMPTS.c.ended_at)
        .select_from(SESSIONS.join(PARTICIPANTS, PARTICIPANTS.c.id == SESSIONS.c.participant_id)
                     .join(STUDIES, STUDIES.c.id == PARTICIPANTS.c.study_id)
                     .outerjoin(ATTEMPTS, (ATTEMPTS.c.session_id == SESSIONS.c.id)
                                & attempts_match))
        .where(sessions_match)
    )


# On SQLite each query in two forms: for one value (nearly every batch: one session, one attempt),
# ``= ?``; else an expanding ``IN``, whose SQL is rendered again at every execution (a tenth of
# a request's CPU when it was run per request; a group of batches shares it).
_ONE_SESSION = SESSIONS.c.public_id == bindparam("public_id")
_SOME_SESSIONS = SESSIONS.c.public_id.in_(bindparam("public_ids", expanding=True))
_ONE_ATTEMPT = ATTEMPTS.c.id == bindparam("attempt_id")
_SOME_ATTEMPTS = ATTEMPTS.c.id.in_(bindparam("attempt_ids", expanding=True))
_TARGETS = {(one_session, one_attempt): _target_query(
    _ONE_SESSION if one_session else _SOME_SESSIONS, _ONE_ATTEMPT if one_attempt else _SOME_ATTEMPTS)
    for one_session in (True, False) for one_attempt in (True, False)}
_STORED_OF_BATCH = select(func.count()).select_from(EVENTS).where(
    EVENTS.c.session_id == bindparam("session_id"),
    EVENTS.c.event_uuid.in_(bindparam("event_uuids", expanding=True)))
# Which of some attempts (already known to be their sessions' own) have ended. On PostgreSQL
# they are locked, in id order (so that two groups of batches never wait for each other in a
# cycle), so that an ingestion and the attempt's end (or two ingestions with late events) take
# turns, each seeing the other's committed rows when it derives the metrics. FOR NO KEY UPDATE
# leaves key-share locks unblocked. SQLite needs nothing: its writers already take turns (one
# write lock, held from the INSERT to the commit).
def _ended_query(attempts_match):
    return select(ATTEMPTS.c.id, ATTEMPTS.c.ended_at).where(attempts_match).order_by(ATTEMPTS.c.id)


_ENDED = {one: _ended_query(_ONE_ATTEMPT if one else _SOME_ATTEMPTS) for one in (True, False)}
# PostgreSQL: one form for any number of values, ``= ANY(array)``, whose SQL never changes, so
# that psycopg prepares it on the server (from its fifth run) and PostgreSQL stops parsing and
# planning the group's lookups again each time (5.8 ms of a group's 31 at 4,000 participants).
_ANY_SESSIONS = SESSIONS.c.public_id == any_(
    bindparam("public_ids", type_=postgresql.ARRAY(SESSIONS.c.public_id.type)))
_ANY_ATTEMPTS = ATTEMPTS.c.id == any_(
    bindparam("attempt_ids", type_=postgresql.ARRAY(ATTEMPTS.c.id.type)))
# Events name their session without a foreign key (uxlab.recording.removal): the lookup holds
# the sessions it found FOR KEY SHARE until the commit, in id order, so that a session's
# deletion waits for the ingestion and then deletes its events, or comes first (404).
_POSTGRESQL_TARGETS = (_target_query(_ANY_SESSIONS, _ANY_ATTEMPTS).order_by(SESSIONS.c.id)
                       .with_for_update(read=True, key_share=True, of=SESSIONS))
_EXISTING_SESSIONS = select(SESSIONS.c.id, SESSIONS.c.public_id).where(
    SESSIONS.c.id.in_(bindparam("session_ids", expanding=True)))
_POSTGRESQL_LOCKED_ENDED = _ended_query(_ANY_ATTEMPTS).with_for_update(key_share=True)


def _parameters(name: str, values: Iterable[Any]) -> tuple[bool, dict[str, Any]]:
    """Which form of a query to run for ``values`` of ``name`` (one, or ``name + "s"``)."""
    values = sorted(values)
    return (True, {name: values[0]}) if len(values) == 1 else (False, {name + "s": values})


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


def _dialect(connection: Connection) -> str:
    name = connection.dialect.name
    if name not in ("sqlite", "postgresql"):
        raise ValueError(f"event ingestion supports SQLite and PostgreSQL, not {name!r}")
    return name


def find_targets(connection: Connection, claims: Mapping[uuid.UUID, set[int]],
                 now: datetime | None = None) -> dict[uuid.UUID, IngestTarget]:
    """Look up the sessions named by ``claims`` (public id → the attempt ids a batch claims):
    each found one's study status, which of its claimed attempts are its own and which of those
    ended before ``now`` − :data:`LATE_AFTER`. Unknown sessions are left out.

    One query (the sessions joined to their studies, outer-joined with those attempts). An
    attempt's ownership and an end that long past never change, so on SQLite the caller may run
    it in a read transaction before the write one, and then check under the write lock that no
    session was deleted meanwhile (:func:`missing_sessions`). On PostgreSQL the sessions found
    stay locked (``FOR KEY SHARE``) until the caller's transaction ends.
    """
    attempt_ids = set().union(*claims.values())
    if _dialect(connection) == "postgresql":
        query, parameters = _POSTGRESQL_TARGETS, {"public_ids": sorted(claims),
                                                  "attempt_ids": sorted(attempt_ids)}
    else:
        one_session, session_parameters = _parameters("public_id", claims)
        one_attempt, attempt_parameters = _parameters("attempt_id", attempt_ids)
        query = _TARGETS[one_session, one_attempt]
        parameters = {**session_parameters, **attempt_parameters}
    rows = connection.execute(query, parameters).all()
    late_before = (now or utcnow()) - LATE_AFTER
    found: dict[uuid.UUID, list] = {}
    for row in rows:
        found.setdefault(row[0], []).append(row)
    return {public_id: IngestTarget(
        session_id=rows[0][1], participant_id=rows[0][2], study_status=rows[0][3],
        attempt_ids=frozenset(row[4] for row in rows
                              if row[4] is not None and row[4] in claims[public_id]),
        late_attempt_ids=frozenset(row[4] for row in rows if row[4] in claims[public_id]
                                   and row[5] is not None and row[5] < late_before))
        for public_id, rows in found.items()}


def missing_sessions(connection: Connection, sessions: Mapping[int, uuid.UUID]) -> set[int]:
    """Those of ``sessions`` (id → public id) that no longer exist: on SQLite, whose lookup
    runs before the write lock (:func:`find_targets`), the ingestion asks again under the lock,
    after its INSERT, so that it never stores events of a session deleted in between. The
    public id is compared too: SQLite may give a deleted session's id to a new one."""
    if not sessions:
        return set()
    found = dict(connection.execute(_EXISTING_SESSIONS,
                                    {"session_ids": sorted(sessions)}).all())
    return {id_ for id_, public_id in sessions.items() if found.get(id_) != public_id}


def find_target(session: Session, public_id: uuid.UUID, attempt_ids: set[int],
                now: datetime | None = None) -> IngestTarget | None:
    """:func:`find_targets` for one session; None if it is unknown."""
    return find_targets(session.connection(), {public_id: attempt_ids}, now).get(public_id)


def all_stored(connection: Connection, target: IngestTarget, rows: list[dict[str, Any]]) -> bool:
    """Tell whether every event of ``rows`` is already stored for the session: a replay of a
    batch already acknowledged, which still gets its success answer where a new batch would not."""
    uuids = {row["event_uuid"] for row in rows}
    return connection.execute(
        _STORED_OF_BATCH, {"session_id": target.session_id, "event_uuids": sorted(uuids)}
    ).scalar_one() == len(uuids)


def _fill_rows(target: IngestTarget, rows: list[dict[str, Any]], received_at: datetime) -> None:
    """Complete checked rows for ``target``: its session, the time, owned attempts, lateness."""
    owned, late = target.attempt_ids, target.late_attempt_ids
    for row in rows:
        row["session_id"] = target.session_id
        row["received_at"] = received_at
        if row["attempt_id"] is not None and row["attempt_id"] not in owned:
            row["attempt_id"] = None
        row["late"] = row["attempt_id"] in late


@dataclass(frozen=True)
class PreparedInserts:
    """A group's batches, their rows completed and converted for the driver
    (:func:`prepare_inserts`): what :func:`run_inserts` sends."""

    dialect: str
    #: The ``(target, rows)`` batches, in the order given.
    batches: Sequence[tuple[IngestTarget, list[dict[str, Any]]]]
    #: SQLite: each batch's parameter tuples. PostgreSQL: every row as one JSON array, or None
    #: if there is no row.
    parameters: Any


def prepare_inserts(connection: Connection,
                    batches: Sequence[tuple[IngestTarget, list[dict[str, Any]]]]
                    ) -> PreparedInserts:
    """Complete the checked rows (from ``event_rows``) of each ``(target, rows)`` batch and
    convert them for the driver, touching no table: on SQLite, before the writers' turn, so that
    the write lock is held only to send them.

    An attempt the session does not own is dropped from its events; an event of an attempt that
    ended over :data:`LATE_AFTER` ago is stored with ``late`` set.
    """
    received_at = utcnow()
    for target, rows in batches:
        _fill_rows(target, rows, received_at)
    dialect = _dialect(connection)
    if dialect == "sqlite":
        return PreparedInserts(dialect, batches, [_sqlite_parameters(connection.dialect, rows)
                                                  for _, rows in batches])
    every_row = [row for _, rows in batches for row in rows]
    return PreparedInserts(dialect, batches, _json_text(every_row) if every_row else None)


def run_inserts(connection: Connection, prepared: PreparedInserts) -> list[int]:
    """Insert the batches of ``prepared``; return how many of each batch's events were new.

    On SQLite each batch's INSERT runs as driver SQL, the first statement of its transaction
    (the connection begins DEFERRED), so the write lock is taken only now. On PostgreSQL the
    whole group is one statement. An event in two batches of the group counts as new in the
    first only.
    """
    if prepared.dialect == "sqlite":
        return [connection.exec_driver_sql(_SQLITE_INSERT, parameters).rowcount
                if parameters else 0 for parameters in prepared.parameters]
    if prepared.parameters is None:
        return [0] * len(prepared.batches)
    # In the order sent: the rows' ids follow it, and the live console's streams read in id
    # order. (Two groups holding the same resent events in another order may deadlock;
    # PostgreSQL then fails one, whose batches get the 503 and are sent again.)
    new = {tuple(key) for key in connection.exec_driver_sql(_POSTGRESQL_INSERT,
                                                            (prepared.parameters,))}
    accepted = [0] * len(prepared.batches)
    for i, (_, rows) in enumerate(prepared.batches):
        for row in rows:
            key = (row["session_id"], row["event_uuid"])
            if key in new:
                new.discard(key)  # counted once, in the first batch holding it
                accepted[i] += 1
    return accepted


def insert_batches(connection: Connection,
                   batches: Sequence[tuple[IngestTarget, list[dict[str, Any]]]]) -> list[int]:
    """Insert the checked rows of each ``(target, rows)`` batch (:func:`prepare_inserts`, then
    :func:`run_inserts`); return how many of each batch were new."""
    return run_inserts(connection, prepare_inserts(connection, batches))


def recent_attempts(target: IngestTarget, rows: Iterable[dict[str, Any]]) -> set[int]:
    """The attempts of inserted rows whose metrics may change: the session's own, not late."""
    return claimed_attempts(rows) - target.late_attempt_ids


def rederive_ended(connection: Connection, attempt_ids: set[int],
                   session: Session | None = None) -> None:
    """Derive again the metrics of those of ``attempt_ids`` (attempts that just got new events,
    their sessions' own) that have ended: the recorder's last batches.

    Read after the INSERT, under SQLite's write lock or (PostgreSQL) the attempts' row locks, so
    an attempt that ended after the lookup is seen. Re-deriving is idempotent. ``session``, an
    ORM session on ``connection``, does the derivation; without one, one is made only if an
    attempt has ended. The caller commits.
    """
    if not attempt_ids:
        return
    if _dialect(connection) == "postgresql":
        query, parameters = _POSTGRESQL_LOCKED_ENDED, {"attempt_ids": sorted(attempt_ids)}
    else:
        one, parameters = _parameters("attempt_id", attempt_ids)
        query = _ENDED[one]
    ended = [attempt_id for attempt_id, ended_at in connection.execute(query, parameters)
             if ended_at is not None]
    if not ended:
        return
    with Session(bind=connection) if session is None else nullcontext(session) as deriving:
        for attempt_id in ended:
            derive_attempt_metrics(deriving, deriving.get(Attempt, attempt_id))
        deriving.flush()


def store_rows(session: Session, target: IngestTarget, rows: list[dict[str, Any]]) -> IngestResult:
    """Insert checked rows (from ``event_rows``) for ``target`` and re-derive ended attempts
    (:func:`insert_batches`, then :func:`rederive_ended` when the batch had new events).
    The caller commits."""
    if not rows:
        return IngestResult(accepted=0, duplicates=0)
    connection = session.connection()
    accepted = insert_batches(connection, [(target, rows)])[0]
    if accepted:
        rederive_ended(connection, recent_attempts(target, rows), session)
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

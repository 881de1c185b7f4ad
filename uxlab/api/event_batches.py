"""The events endpoint's rules, once, for every way a batch reaches them.

Three entries answer ``POST /api/v1/sessions/<id>/events``: Flask's route
(:func:`uxlab.api.events.post_events`), the app's WSGI entry (:mod:`uxlab.api.events_wsgi`) and
the ingestion server (:mod:`uxlab.ingest`). Each reads the request its own way, then calls:

- :func:`prepare_batch`, without the database: the body's shape, the token's type, every event
  checked (400 naming the field), the sender's cookie already read (a :class:`PreparedBatch`);
- :func:`store_batches`, the database part, for one batch or a group of them: one lookup for
  all, each batch's refusal decided on its own (404, 403, 401, 409; a replay of a stored batch
  keeps its success answer), the accepted ones inserted and their ended attempts' metrics derived
  again in one transaction, committed before any answer is returned. If the group's transaction
  fails, each batch is tried again alone, so one batch's fault never costs the others their
  answer and nothing is acknowledged that was not committed;
- :func:`answer_body` and :func:`answer_headers` for the answer.

:func:`require_json_body`, :func:`body_limit` and :func:`request_batch` are the reading rules
the entries share (each reads the body its own way).
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from flask import Flask
from sqlalchemy import Connection
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import InternalServerError
from werkzeug.http import parse_options_header

from uxlab.api.common import (
    MAX_BODY_BYTES,
    ApiError,
    check_json_object,
    database_unavailable,
    http_error,
    parse_json,
    require_json_type,
)
from uxlab.db import Database
from uxlab.recording.auth import TokenCheck, check_token
from uxlab.recording.ingest import (
    IngestTarget,
    PreparedInserts,
    all_stored,
    claimed_attempts,
    find_targets,
    missing_sessions,
    prepare_inserts,
    recent_attempts,
    rederive_ended,
    run_inserts,
)
from uxlab.recording.validation import EventError, event_rows
from uxlab.security_headers import page_policy, security_headers

#: What :func:`store_batches` answers for a batch: its counts, or the error to answer with (an
#: :class:`ApiError`, or an unexpected exception for the caller to report as a 500).
Outcome = dict[str, int] | Exception


@dataclass
class PreparedBatch:
    """A batch checked without the database: whose session, its rows, who sends it."""

    public_id: uuid.UUID
    #: ``events`` rows (:func:`uxlab.recording.validation.event_rows`).
    rows: list[dict[str, Any]]
    #: The body's ingestion token, if any.
    token: str | None
    #: The ``participant_id`` of the sender's signed session cookie (None without one).
    participant_id: object


def prepare_batch(public_id: uuid.UUID, body: Any, participant_id: object) -> PreparedBatch:
    """Check a parsed batch body of session ``public_id``; raise :class:`ApiError` (400 naming
    the field) for a body or an event the protocol refuses."""
    body = check_json_object(body, required=("events",), optional=("token",))
    token = body.get("token")
    if "token" in body and not isinstance(token, str):
        raise ApiError(400, "invalid field", "token must be a string", "token")
    try:
        rows = event_rows(body["events"])
    except EventError as exc:
        raise ApiError(400, "invalid event", exc.message, exc.field) from None
    return PreparedBatch(public_id, rows, token, participant_id)


def _refusal(app: Flask, batch: PreparedBatch, target: IngestTarget) -> ApiError | None:
    """Why ``batch`` may not post to ``target``'s session, or None if it may.

    The participant's cookie, else the session's ingestion token (an expired one is a 401); and
    a closed study's sessions take nothing new (409).
    """
    if batch.participant_id != target.participant_id:
        check = check_token(app, batch.token, batch.public_id) \
            if isinstance(batch.token, str) else TokenCheck.INVALID
        if check is TokenCheck.EXPIRED:
            return ApiError(401, "token expired",
                            "the ingestion token has expired; the task page issues a new one",
                            "token")
        if check is not TokenCheck.VALID:
            return ApiError(403, "forbidden", "this session belongs to another participant; "
                            "send its participant's cookie or its ingestion token")
    if target.study_status == "closed":
        return ApiError(409, "study closed",
                        "the study is closed: its sessions take no new events", None)
    return None


def _decide(app: Flask, connection: Connection, batches: list[PreparedBatch]
            ) -> tuple[list[Outcome | None], dict[int, IngestTarget]]:
    """Each batch's answer if it is refused or a replay, and the targets of those to write."""
    claims: dict[uuid.UUID, set[int]] = {}
    for batch in batches:
        claims.setdefault(batch.public_id, set()).update(claimed_attempts(batch.rows))
    targets = find_targets(connection, claims)
    outcomes: list[Outcome | None] = [None] * len(batches)
    writes: dict[int, IngestTarget] = {}
    for i, batch in enumerate(batches):
        target = targets.get(batch.public_id)
        if target is None:
            outcomes[i] = ApiError(404, "unknown session", f"there is no session {batch.public_id}")
            continue
        target = _own_claims(target, batch)
        refusal = _refusal(app, batch, target)
        if refusal is None:
            writes[i] = target
        # A replay of a batch already acknowledged keeps its success answer (idempotency), even
        # once the study has closed or the token has expired.
        elif refusal.status != 403 and batch.rows and all_stored(connection, target, batch.rows):
            outcomes[i] = {"accepted": 0, "duplicates": len(batch.rows)}
        else:
            outcomes[i] = refusal
    return outcomes, writes


def _own_claims(target: IngestTarget, batch: PreparedBatch) -> IngestTarget:
    """``target`` (looked up for a group) narrowed to the attempts ``batch`` itself claims."""
    claimed = claimed_attempts(batch.rows)
    if target.attempt_ids <= claimed:
        return target
    return IngestTarget(target.session_id, target.participant_id, target.study_status,
                        target.attempt_ids & claimed, target.late_attempt_ids & claimed)


def _prepare(connection: Connection, batches: list[PreparedBatch],
             writes: dict[int, IngestTarget]) -> PreparedInserts:
    """The rows of the batches of ``writes``, in batch order, converted for the driver."""
    return prepare_inserts(connection, [(writes[i], batches[i].rows) for i in sorted(writes)])


def _write(connection: Connection, batches: list[PreparedBatch], outcomes: list[Outcome | None],
           writes: dict[int, IngestTarget], prepared: PreparedInserts) -> None:
    """Insert the batches of ``writes`` (``prepared``) and re-derive their ended attempts; fill
    their ``outcomes``."""
    order = sorted(writes)
    accepted = run_inserts(connection, prepared)
    changed: set[int] = set()
    for i, count in zip(order, accepted, strict=True):
        rows = batches[i].rows
        outcomes[i] = {"accepted": count, "duplicates": len(rows) - count}
        if count:
            changed |= recent_attempts(writes[i], rows)
    rederive_ended(connection, changed)


class SessionsDeleted(Exception):
    """A session of the group was deleted between its lookup and its INSERT (SQLite)."""


#: How many times a group is tried after :class:`SessionsDeleted` before each of its
#: batches is tried alone.
SESSIONS_DELETED_RETRIES = 3


def _store_group(app: Flask, db: Database, batches: list[PreparedBatch]) -> list[Outcome]:
    for _ in range(SESSIONS_DELETED_RETRIES - 1):
        try:
            return _store_group_once(app, db, batches)
        except SessionsDeleted:
            continue  # looked up again, the deleted sessions' batches are answered 404
    return _store_group_once(app, db, batches)


def _store_group_once(app: Flask, db: Database, batches: list[PreparedBatch]
                      ) -> list[Outcome]:
    with db.engine.connect() as connection:
        if db.is_sqlite:
            # Which sessions and attempts the batches are for never changes (unless a session is
            # deleted, which the write transaction checks), so it is read without the write
            # lock; and the rows are converted for the driver before the writers' turn. The
            # write transaction then takes SQLite's lock at its first INSERT (the connection
            # begins DEFERRED): writers hold the lock, and their turn, only to send the rows and
            # commit (at 4,000 participants, 8 ms a group instead of 13: docs/performance.md).
            with connection.begin():
                outcomes, writes = _decide(app, connection, batches)
            if writes:
                prepared = _prepare(connection, batches, writes)
                with db.writer_turn(), connection.begin():
                    _write(connection, batches, outcomes, writes, prepared)
                    if missing_sessions(connection, {writes[i].session_id: batches[i].public_id
                                                     for i in writes}):
                        raise SessionsDeleted  # meanwhile: rolled back, and looked up again
        else:
            # PostgreSQL locks rows, not the database: one transaction, one BEGIN and COMMIT.
            with connection.begin():
                outcomes, writes = _decide(app, connection, batches)
                if writes:
                    _write(connection, batches, outcomes, writes,
                           _prepare(connection, batches, writes))
    return outcomes  # type: ignore[return-value]  # every batch has its outcome now


def _failure(app: Flask, exc: Exception) -> Exception:
    """What to answer a batch whose transaction failed: 503 if the database cannot be written
    or reached (nothing was stored; the recorder sends it again), else the error itself."""
    return database_unavailable(app, exc) if isinstance(exc, OperationalError) else exc


def store_batches(app: Flask, db: Database, batches: list[PreparedBatch]) -> list[Outcome]:
    """Store ``batches`` in one transaction; return each one's outcome, after the commit.

    Refused batches (:func:`_refusal`, unknown sessions) write nothing and do not affect the
    others. If the group's transaction fails because the database cannot be written or reached,
    every batch gets the 503; if it fails otherwise (one batch's fault), each batch is tried
    again in a transaction of its own. A batch is acknowledged only once its own rows are
    committed.
    """
    try:
        return _store_group(app, db, batches)
    except OperationalError as exc:
        # The database cannot be written or reached: each batch alone would only meet the same
        # fault again, one after another (a busy timeout each). Every batch gets the 503 now,
        # and the recorders send them again with the same ids.
        return [_failure(app, exc)] * len(batches)
    except Exception as exc:  # noqa: BLE001  # each batch is then answered on its own
        if len(batches) == 1:
            return [_failure(app, exc)]
    return [store_batches(app, db, [batch])[0] for batch in batches]


def store_batch(app: Flask, db: Database, batch: PreparedBatch) -> dict[str, int]:
    """Store one batch (a group of one); raise its error (an :class:`ApiError` for a refusal or
    an unavailable database)."""
    outcome = store_batches(app, db, [batch])[0]
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def answer_headers(headers: dict[str, str], secure: bool) -> dict[str, str]:
    """The headers of an events answer besides its length: JSON, ``Vary: Cookie`` (the answer
    depends on the participant's cookie), ``headers`` (a 503's ``Retry-After``) and the security
    headers every uxlab response carries, as Flask's route sends them."""
    return {"Content-Type": "application/json", "Vary": "Cookie", **headers,
            **security_headers(page_policy(secrets.token_urlsafe(18)), secure)}


def answer_body(app: Flask, answer: dict[str, Any]) -> bytes:
    """An answer's JSON body, as Flask's ``jsonify`` writes it."""
    return (app.json.dumps(answer, separators=(",", ":")) + "\n").encode()


def require_json_body(content_type: str | None) -> None:
    """Refuse (415) a request whose ``Content-Type`` header is not JSON."""
    require_json_type(parse_options_header(content_type or "")[0].lower())


def request_batch(app: Flask, public_id: uuid.UUID, raw: bytes,
                  cookie_header: str | None) -> PreparedBatch:
    """A request's raw body and ``Cookie`` header, parsed and checked (:func:`prepare_batch`)."""
    return prepare_batch(public_id, parse_json(raw), cookie_participant(app, cookie_header))


def cookie_participant(app: Flask, cookie_header: str | None) -> object:
    """The ``participant_id`` of the signed session in a ``Cookie`` header (None without one),
    read by the app's own session interface (which remembers the headers it verified)."""
    session = app.session_interface.cookie_session(app, cookie_header)
    return session.get("participant_id") if session is not None else None


def body_limit(app: Flask) -> int:
    """The largest events body taken: :data:`MAX_BODY_BYTES`, or the app's smaller
    ``MAX_CONTENT_LENGTH``."""
    return min(MAX_BODY_BYTES, app.config.get("MAX_CONTENT_LENGTH") or MAX_BODY_BYTES)


def internal_error(app: Flask, path: str, exc: Exception) -> tuple[int, dict[str, Any], dict]:
    """The answer to an events request that failed unexpectedly: Flask's (the error raised
    where Flask would propagate it, else logged and answered as the API's JSON 500)."""
    if app.config.get("PROPAGATE_EXCEPTIONS") or app.testing or app.debug:
        raise exc
    app.logger.error("Exception on POST %s", path, exc_info=exc)
    return 500, http_error(InternalServerError()).body(), {}

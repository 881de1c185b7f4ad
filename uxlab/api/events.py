"""The events endpoint: the recorder's batches, in."""

from __future__ import annotations

import uuid
from contextlib import nullcontext
from typing import Any

from flask import Flask, current_app, jsonify, session

from uxlab.api.common import ApiError, check_json_object, error_response, read_json_body
from uxlab.db import Database
from uxlab.extensions import database
from uxlab.recording.auth import TokenCheck, check_token
from uxlab.recording.ingest import (
    IngestTarget,
    all_stored,
    claimed_attempts,
    find_target,
    store_rows,
)
from uxlab.recording.validation import (
    EVENT_TYPES,
    MAX_EVENT_BYTES,
    MAX_INT32,
    MAX_SAFE_INTEGER,
    MAX_TAB_LENGTH,
    MAX_TARGET_LENGTH,
    MAX_URL_LENGTH,
    REQUIRED_FIELDS,
    EventError,
    event_rows,
)


def _refusal(app: Flask, public_id: uuid.UUID, target: IngestTarget, token: object,
             participant_id: object) -> ApiError | None:
    """Why this request may not post to ``target``'s session, or None if it may.

    The participant's cookie (``participant_id``, from the signed session), else the session's
    ingestion token (an expired one is a 401); and a closed study's sessions take nothing new
    (409).
    """
    if participant_id != target.participant_id:
        check = check_token(app, token, public_id) if isinstance(token, str) \
            else TokenCheck.INVALID
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


def ingest_batch(app: Flask, db: Database, public_id: uuid.UUID, body: Any,
                 participant_id: object) -> dict[str, int]:
    """Store a parsed batch body of session ``public_id`` for the sender whose signed session
    names ``participant_id`` (None without one); return the answer's counts after the commit.

    The endpoint's rules, once, for both ways a request reaches them (:func:`post_events` and
    :mod:`uxlab.api.events_wsgi`). Raises :class:`ApiError` for a refused batch (nothing is
    written) and lets SQLAlchemy's ``OperationalError`` through (the caller answers 503).
    """
    body = check_json_object(body, required=("events",), optional=("token",))
    token = body.get("token")
    if "token" in body and not isinstance(token, str):
        raise ApiError(400, "invalid field", "token must be a string", "token")
    try:
        # Checked before the database is touched: on SQLite the write transaction below holds
        # the database's only write lock, so it should do no more than it must.
        rows = event_rows(body["events"])
    except EventError as exc:
        raise ApiError(400, "invalid event", exc.message, exc.field) from None
    # On SQLite, two transactions: which session and attempts the batch is for never changes, so
    # it is read without the write lock; the write then starts with the INSERT
    # (Database.append_sessions). PostgreSQL locks rows, not the database: one transaction saves
    # a connection check-out (with its pre-ping), a BEGIN and a ROLLBACK.
    with db.append_sessions() as writing:
        with db.read_sessions() if db.is_sqlite else nullcontext(writing) as reading:
            target = find_target(reading, public_id, claimed_attempts(rows))
            refusal = _refusal(app, public_id, target, token, participant_id) \
                if target is not None else None
            # A replay of a batch already acknowledged keeps its success answer (idempotency),
            # even once the study has closed or the token has expired.
            if refusal is not None and refusal.status != 403 and rows and all_stored(
                    reading, target, rows):
                return {"accepted": 0, "duplicates": len(rows)}
        if target is None:
            raise ApiError(404, "unknown session", f"there is no session {public_id}")
        if refusal is not None:
            raise refusal
        result = store_rows(writing, target, rows)
        writing.commit()
    return {"accepted": result.accepted, "duplicates": result.duplicates}


def post_events(public_id: uuid.UUID):
    """Store a batch of recorder events of a session; answer the counts after the commit.

    Flask's way in, for callers of the app that bypass its WSGI entry (``app.wsgi_app`` is
    wrapped by :class:`uxlab.api.events_wsgi.EventsEndpoint`, which answers these requests
    before Flask's machinery); both run :func:`ingest_batch`.
    """
    return jsonify(ingest_batch(current_app, database(), public_id, read_json_body(),
                                session.get("participant_id")))


#: JSON Schema for text without NUL characters (PostgreSQL cannot store them).
NO_NUL = "^[^\\u0000]*$"
COORDINATE_SCHEMA = {"type": ["number", "null"], "minimum": -MAX_SAFE_INTEGER,
                     "maximum": MAX_SAFE_INTEGER, "description": "CSS pixels."}

EVENT_SCHEMA = {
    "type": "object",
    "description": "One recorder event (docs/recording.md). Unknown fields are refused; "
                   f"one event is at most {MAX_EVENT_BYTES} bytes serialised.",
    "additionalProperties": False,
    "required": list(REQUIRED_FIELDS),
    "properties": {
        "id": {"type": "string", "format": "uuid",
               "description": "Client-generated; stored once per session and id."},
        "seq": {"type": "integer", "minimum": 0, "maximum": MAX_INT32,
                "description": "Per tab: 0, 1, 2, …"},
        "tab": {"type": "string", "minLength": 1, "maxLength": MAX_TAB_LENGTH,
                "pattern": NO_NUL},
        "type": {"type": "string", "enum": sorted(EVENT_TYPES)},
        "t": {"type": "integer", "minimum": 0, "maximum": MAX_SAFE_INTEGER,
              "description": "Client clock, milliseconds since the Unix epoch."},
        "attempt": {"type": ["integer", "null"], "minimum": 0, "maximum": MAX_INT32},
        "x": COORDINATE_SCHEMA,
        "y": COORDINATE_SCHEMA,
        "target": {"type": ["string", "null"], "maxLength": MAX_TARGET_LENGTH,
                   "pattern": NO_NUL},
        "url": {"type": ["string", "null"], "maxLength": MAX_URL_LENGTH, "pattern": NO_NUL},
        "data": {
            "type": "object",
            "description": "The recorder's details of the event. No text in it (keys or "
                           "values, at any depth) may hold a NUL character.",
            "propertyNames": {"pattern": NO_NUL},
            "additionalProperties": {"$ref": "#/components/schemas/NulFreeValue"},
            "properties": {
                "interactive": {"type": "boolean"},
                "restored": {"type": "boolean",
                             "description": "The page was shown again by a reload."},
                "matched": {"type": "array", "items": {"type": "string", "pattern": NO_NUL},
                            "description": "Ids of the element rules the click met: "
                                           "success, error:0, …"},
            },
        },
    },
}

#: Any JSON value whose text, at any depth (object keys included), holds no NUL character.
NUL_FREE_VALUE_SCHEMA = {
    "anyOf": [
        {"type": "string", "pattern": NO_NUL},
        {"type": ["number", "boolean", "null"]},
        {"type": "array", "items": {"$ref": "#/components/schemas/NulFreeValue"}},
        {"type": "object", "propertyNames": {"pattern": NO_NUL},
         "additionalProperties": {"$ref": "#/components/schemas/NulFreeValue"}},
    ],
}

SCHEMAS = {
    "Event": EVENT_SCHEMA,
    "NulFreeValue": NUL_FREE_VALUE_SCHEMA,
    "EventBatch": {
        "type": "object",
        "additionalProperties": False,
        "required": ["events"],
        "properties": {
            "events": {"type": "array", "items": {"$ref": "#/components/schemas/Event"}},
            "token": {"type": "string",
                      "description": "The session's ingestion token, where no cookie is sent "
                                     "(from the task page's config; it expires, "
                                     "docs/recording.md)."},
        },
    },
    "IngestResult": {
        "type": "object",
        "required": ["accepted", "duplicates"],
        "properties": {
            "accepted": {"type": "integer", "minimum": 0,
                         "description": "Events stored by this request."},
            "duplicates": {"type": "integer", "minimum": 0,
                           "description": "Events of the batch that were already stored."},
        },
    },
}

PATHS = {
    "/sessions/{public_id}/events": {
        "post": {
            "operationId": "postEvents",
            "summary": "Store a batch of recorder events",
            "description": "Idempotent: an event already stored for the session (same id) is "
                           "counted as a duplicate and not stored again, and a batch stored "
                           "whole before is answered 200 even once the study has closed or the "
                           "token expired. Nothing of a refused batch is written. Events of an "
                           "attempt that ended over 60 s before are stored as late and change "
                           "none of its metrics.",
            "security": [{"participantCookie": []}, {}],
            "parameters": [{"name": "public_id", "in": "path", "required": True,
                            "schema": {"type": "string", "format": "uuid"}}],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/EventBatch"}}}},
            "responses": {
                "200": {"description": "Stored (after the commit).", "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/IngestResult"}}}},
                "400": error_response("Malformed JSON, or an unknown, missing or invalid field "
                                      "(named in field)."),
                "401": error_response("The ingestion token has expired (field: token)."),
                "403": error_response("The session belongs to another participant."),
                "404": error_response("No such session."),
                "409": error_response("The study is closed: its sessions take no new events."),
                "413": error_response("The body is over 256 KB."),
                "415": error_response("The body is not application/json."),
                "503": error_response("The database cannot store events right now (a full or "
                                      "read-only disk, a restarting server); nothing was "
                                      "stored: send the batch again later (Retry-After)."),
            },
        },
    },
}

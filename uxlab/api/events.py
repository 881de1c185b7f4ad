"""The events endpoint: the recorder's batches, in."""

from __future__ import annotations

import uuid

from flask import current_app, jsonify, session

from uxlab.api.common import error_response, read_json_body
from uxlab.api.event_batches import body_limit, prepare_batch, store_batch
from uxlab.extensions import database
from uxlab.recording.validation import (
    EVENT_TYPES,
    MAX_EVENT_BYTES,
    MAX_INT32,
    MAX_SAFE_INTEGER,
    MAX_TAB_LENGTH,
    MAX_TARGET_LENGTH,
    MAX_URL_LENGTH,
    REQUIRED_FIELDS,
)


def post_events(public_id: uuid.UUID):
    """Store a batch of recorder events of a session; answer the counts after the commit.

    Flask's way in, for callers of the app that bypass its WSGI entry (``app.wsgi_app`` is
    wrapped by :class:`uxlab.api.events_wsgi.EventsEndpoint`, which answers these requests
    before Flask's machinery) and for ``uxlab serve``; every entry runs the rules of
    :mod:`uxlab.api.event_batches`.
    """
    batch = prepare_batch(public_id, read_json_body(body_limit(current_app)),
                          session.get("participant_id"))
    return jsonify(store_batch(current_app, database(), batch))


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

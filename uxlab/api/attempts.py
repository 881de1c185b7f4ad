"""The task lifecycle endpoint: the runner ends an attempt (start and answers are form posts)."""

from __future__ import annotations

import uuid

from flask import jsonify, request, session, url_for
from sqlalchemy import select

from uxlab.api.common import ApiError, error_response, read_json_object
from uxlab.api.events import NO_NUL
from uxlab.converters import MAX_ID
from uxlab.extensions import db_session
from uxlab.models import Attempt, Participant, TestSession
from uxlab.participants import flow
from uxlab.participants.idempotency import MAX_KEY_LENGTH, run_once
from uxlab.participants.outcomes import REASONS, BadFinish, finish_attempt
from uxlab.recording.validation import MAX_SAFE_INTEGER


def finish(public_id: uuid.UUID, attempt_id: int):
    """End an attempt: decide its outcome, derive its metrics, move the participant on."""
    body = read_json_object(required=("reason",),
                            optional=("answer", "client_time_ms", "event"))
    db = db_session()
    test_session = db.scalar(select(TestSession).where(TestSession.public_id == public_id))
    if test_session is None:
        raise ApiError(404, "unknown session", f"there is no session {public_id}")
    if session.get("participant_id") != test_session.participant_id:
        raise ApiError(403, "forbidden", "this session belongs to another participant")
    # Lock the participant row so a double click is serialized (PostgreSQL; SQLite already is).
    participant = db.get(Participant, test_session.participant_id, with_for_update=True)
    study = participant.study

    def act():
        if study.status == "closed":
            return 409, {"error": "study closed", "field": None,
                         "message": "the study is closed: its attempts can no longer end"}
        attempt = db.get(Attempt, attempt_id)
        if attempt is None or attempt.session_id != test_session.id:
            return 404, {"error": "unknown attempt", "field": None,
                         "message": "there is no such attempt in this session"}
        step = flow.current_step(study, participant)
        current = flow.attempt_for(db, test_session, step) if step.kind == "task" else None
        if current is None or current.id != attempt.id or attempt.ended_at is not None:
            return 409, {"error": "stale step", "field": None,
                         "message": "this attempt is not the participant's current step"}
        try:
            finish_attempt(db, study, attempt, body["reason"], body.get("answer"),
                           body.get("client_time_ms"), body.get("event"))
        except BadFinish as exc:
            return 400, {"error": "invalid field", "message": str(exc), "field": exc.field}
        flow.advance(study, participant)
        return 200, {"outcome": attempt.outcome, "decided_by": attempt.decided_by,
                     "time_on_task_ms": attempt.time_on_task_ms,
                     "next_url": url_for("participant.run")}

    status, answer = run_once(db, participant.id, request.headers.get("Idempotency-Key"),
                              "finish", act)
    if 200 <= status < 300:
        db.commit()
    else:
        db.rollback()
    return jsonify(answer), status


PATHS = {
    "/sessions/{public_id}/attempts/{attempt_id}/finish": {"post": {
        "summary": "End an attempt",
        "description": "Decides the outcome from the reason (docs/recording.md), derives the "
                       "attempt's metrics from its events and moves the participant to the next "
                       "step. Repeats with the same Idempotency-Key get the first answer.",
        "security": [{"participantCookie": []}],
        "parameters": [
            {"name": "public_id", "in": "path", "required": True,
             "schema": {"type": "string", "format": "uuid"}},
            {"name": "attempt_id", "in": "path", "required": True,
             "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ID}},
            {"name": "Idempotency-Key", "in": "header", "required": False,
             "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
             "description": "Any text unique to this call; a repeat gets the first answer."},
        ],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "additionalProperties": False, "required": ["reason"],
            "properties": {
                "reason": {"enum": list(REASONS)},
                "answer": {"type": ["string", "null"], "pattern": NO_NUL},
                "client_time_ms": {"type": ["integer", "null"], "minimum": 0,
                                   "maximum": MAX_SAFE_INTEGER},
                "event": {"oneOf": [{"$ref": "#/components/schemas/Event"}, {"type": "null"}]},
            }}}}},
        "responses": {
            "200": {"description": "The attempt's outcome", "content": {"application/json": {
                "schema": {"type": "object", "properties": {
                    "outcome": {"type": ["string", "null"]},
                    "decided_by": {"type": ["string", "null"]},
                    "time_on_task_ms": {"type": "integer"},
                    "next_url": {"type": "string"}}}}}},
            "400": error_response("A field is invalid or the event does not meet the criterion"),
            "403": error_response("Another participant's session"),
            "404": error_response("Unknown session or attempt"),
            "409": error_response("Not the participant's current step (a stale tab), or the "
                                  "study is closed"),
            "413": error_response("The body is over 256 KB."),
            "415": error_response("Not JSON"),
        },
    }},
}

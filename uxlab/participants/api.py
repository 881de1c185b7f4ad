"""The runner's JSON call to end an attempt (start and answers are plain form posts)."""

from __future__ import annotations

from uuid import UUID

from flask import Blueprint, jsonify, request, session, url_for
from sqlalchemy import select

from uxlab.extensions import csrf, db_session
from uxlab.models import Attempt, Participant, TestSession
from uxlab.participants import flow
from uxlab.participants.idempotency import run_once
from uxlab.participants.outcomes import BadFinish, finish_attempt

bp = Blueprint("participant_api", __name__, url_prefix="/api/v1")
# JSON only (415 otherwise): a cross-site form cannot send application/json without a CORS
# preflight, which uxlab never grants, so the cookie cannot be ridden from another site.
csrf.exempt(bp)

FINISH_FIELDS = {"reason", "answer", "client_time_ms", "event"}


def _error(status: int, error: str, message: str, field: str | None = None):
    body = {"error": error, "message": message}
    if field:
        body["field"] = field
    return status, body


@bp.route("/sessions/<uuid:public_id>/attempts/<int:attempt_id>/finish", methods=["POST"])
def finish(public_id: UUID, attempt_id: int):
    """End an attempt: decide its outcome, derive its metrics, move the participant on."""
    if not request.is_json:
        return jsonify(error="unsupported media type",
                       message="send Content-Type: application/json"), 415
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        return jsonify(error="malformed JSON", message="the body must be a JSON object"), 400
    unknown = sorted(set(payload) - FINISH_FIELDS)
    if unknown:
        return jsonify(error="unknown field", field=unknown[0],
                       message=f"unknown field(s): {', '.join(unknown)}"), 400
    db = db_session()
    test_session = db.scalar(select(TestSession).where(TestSession.public_id == public_id))
    if test_session is None:
        return jsonify(error="not found", message="no such session"), 404
    if session.get("participant_id") != test_session.participant_id:
        return jsonify(error="forbidden", message="this session belongs to someone else"), 403
    # Lock the participant row so a double click is serialized (PostgreSQL; SQLite already is).
    participant = db.get(Participant, test_session.participant_id, with_for_update=True)
    study = participant.study

    def act():
        attempt = db.get(Attempt, attempt_id)
        if attempt is None or attempt.session_id != test_session.id:
            return _error(404, "not found", "no such attempt in this session")
        step = flow.current_step(study, participant)
        current = flow.attempt_for(db, test_session, step) if step.kind == "task" else None
        if current is None or current.id != attempt.id or attempt.ended_at is not None:
            return _error(409, "stale step", "this attempt is not the participant's current step")
        try:
            finish_attempt(db, study, attempt, payload.get("reason"), payload.get("answer"),
                           payload.get("client_time_ms"), payload.get("event"))
        except BadFinish as exc:
            return _error(400, "bad request", str(exc), exc.field)
        flow.advance(study, participant)
        return 200, {"outcome": attempt.outcome, "decided_by": attempt.decided_by,
                     "time_on_task_ms": attempt.time_on_task_ms,
                     "next_url": url_for("participant.run")}

    status, body = run_once(db, participant.id, request.headers.get("Idempotency-Key"),
                            "finish", act)
    if 200 <= status < 300:
        db.commit()
    else:
        db.rollback()
    return jsonify(body), status

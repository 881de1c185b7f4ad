"""What a participant's page in a remote-moderated session asks: has the moderator acted?

The moderator's console changes the participant's step on the server (start, end or skip a
task) or pauses the task. The participant's page knows the version it was rendered for and asks
for the current one every second (``static/moderated.js``, loaded only in remote-moderated
sessions, so the unmoderated runner stays within its byte budget); a new version reloads
``/run``, which shows the step the server holds; a pause covers the task with a notice.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, session, url_for

from uxlab.extensions import db_session
from uxlab.models import Participant
from uxlab.moderation.sessions import live_notice
from uxlab.participants import flow

bp = Blueprint("moderated_runner", __name__)


def control_state(participant: Participant) -> dict | None:
    """Return ``{"version", "paused"}`` for a remote-moderated participant, else None."""
    test_session = flow.active_session(participant)
    if test_session is None or test_session.mode != "remote_moderated":
        return None
    step = flow.current_step(participant.study, participant)
    attempt = flow.attempt_for(db_session(), test_session, step) if step.kind == "task" else None
    started = attempt.id if attempt is not None else 0
    return {"version": f"{participant.step}.{started}",
            "paused": bool(attempt is not None and attempt.paused_at is not None)}


@bp.app_context_processor
def runner_control_globals():
    return {"runner_control": control_state, "consent_live_notice":
            lambda participant: live_notice(flow.active_session(participant))}


@bp.route("/run/moderation")
def control():
    """The participant's step version and whether the moderator paused the task."""
    participant_id = session.get("participant_id")
    participant = db_session().get(Participant, participant_id) if participant_id else None
    if participant is None:
        return jsonify(error="forbidden", message="open your study link first", field=None), 403
    state = control_state(participant) or {"version": None, "paused": False}
    response = jsonify(**state, next=url_for("participant.run"))
    response.headers["Cache-Control"] = "no-store"
    return response

"""A moderator action sent as JSON by the console: checked, run once, answered.

Body fields (all optional but where an action needs them):

- ``key``: an idempotency key; the in-person logger's queue sends each action until it is
  answered, and a repeat gets the first answer and changes nothing;
- ``step``: the participant's step the action was made on; another step answers 409;
- ``at_ms`` and ``sent_ms``: when the action happened and when it was sent, on the console's
  clock (see :func:`uxlab.moderation.control.server_time`);
- ``verdict`` (end, judge), ``reason`` (end, skip, judge), ``attempt`` or ``task`` and
  ``variant`` keys (judge, error, assist: the running or last attempt when absent), ``text`` (error, assist), ``values`` (answers:
  item number → value of the current questionnaire).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from uxlab.models import Attempt, Study, TestSession, User
from uxlab.moderation import control
from uxlab.moderation.control import ControlError
from uxlab.participants import flow
from uxlab.participants.answers import AnswerError, field_name, parse_answers, store_answers
from uxlab.participants.idempotency import run_once

ACTIONS = ("start", "pause", "resume", "end", "skip", "judge", "error", "assist", "answers")
FIELDS = {"key", "step", "at_ms", "sent_ms", "verdict", "reason", "attempt", "task", "variant",
          "text", "values"}


def _text(body: dict[str, Any], name: str) -> str:
    value = body.get(name, "")
    if not isinstance(value, str):
        raise ControlError(name, f"{name} must be text")
    if len(value) > 2000:
        raise ControlError(name, f"{name} is longer than 2000 characters")
    return value


def _attempt(db: Session, test_session: TestSession, body: dict[str, Any]) -> Attempt:
    attempt_id = body.get("attempt")
    if attempt_id is None and body.get("task") is not None:
        # The offline logger knows the task, not yet the attempt's id.
        for attempt in test_session.attempts:
            if attempt.task.key == body["task"] and (
                    body.get("variant") is None or attempt.variant.key == body["variant"]):
                return attempt
        raise ControlError("task", "no attempt at this task in this session", 404)
    if attempt_id is None:
        attempts = [a for a in test_session.attempts if a.started_at is not None]
        running = [a for a in attempts if a.ended_at is None]
        if not (running or attempts):
            raise ControlError("attempt", "no task has started in this session", 409)
        return (running or sorted(attempts, key=lambda a: a.ended_at))[-1]
    if not isinstance(attempt_id, int) or isinstance(attempt_id, bool):
        raise ControlError("attempt", "attempt must be an attempt id")
    attempt = db.get(Attempt, attempt_id)
    if attempt is None or attempt.session_id != test_session.id:
        raise ControlError("attempt", "there is no such attempt in this session", 404)
    return attempt


def _answers(db: Session, study: Study, test_session: TestSession, body: dict[str, Any]) -> None:
    participant = test_session.participant
    step = flow.current_step(study, participant)
    if step.kind not in ("post_task", "post_study"):
        raise ControlError(None, "the participant is not on a questionnaire", 409)
    values = body.get("values")
    if not isinstance(values, dict):
        raise ControlError("values", "values must map item numbers to answers")
    form = {field_name(step.questionnaire, int(k)) if str(k).isdigit() else str(k): str(v)
            for k, v in values.items()}
    try:
        parsed = parse_answers(step.questionnaire, form)
    except AnswerError as exc:
        field, message = next(iter(exc.problems.items()))
        raise ControlError(f"values.{field}", message) from None
    attempt = flow.attempt_for(db, test_session, step) if step.task else None
    store_answers(db, test_session, step.questionnaire, parsed, attempt,
                  step.variant if step.kind == "post_study" else None)
    flow.advance(study, participant)


def _perform(db: Session, study: Study, test_session: TestSession, user: User, action: str,
             body: dict[str, Any], arrived: datetime | None) -> dict[str, Any]:
    unknown = sorted(set(body) - FIELDS)
    if unknown:
        raise ControlError(unknown[0], f"unknown field {unknown[0]}")
    participant = test_session.participant
    if "step" in body and body["step"] != participant.step:
        raise ControlError("step", f"this was for step {body['step']}; the participant is on "
                           f"step {participant.step}", 409)
    at = control.server_time(body["at_ms"], body.get("sent_ms"), arrived) \
        if "at_ms" in body else None
    reason = _text(body, "reason")
    if action == "start":
        return {"attempt": control.start_task(db, study, participant, user, at).id}
    if action == "pause":
        return {"attempt": control.pause_task(db, study, participant, user, at).id}
    if action == "resume":
        return {"attempt": control.resume_task(db, study, participant, user, at).id}
    if action == "end":
        verdict = body.get("verdict")
        return {"attempt": control.end_task(db, study, participant, user, verdict, reason, at).id}
    if action == "skip":
        control.skip_task(db, study, participant, user, reason, at)
        return {}
    if action == "judge":
        attempt = _attempt(db, test_session, body)
        return {"attempt": control.judge(db, attempt, user, body.get("verdict"), reason, at).id}
    if action in ("error", "assist"):
        attempt = _attempt(db, test_session, body)
        note = control.log_observation(db, attempt, user, action, _text(body, "text"), at)
        return {"attempt": attempt.id, "observation": note.id}
    _answers(db, study, test_session, body)
    return {}


def run_action(db: Session, study: Study, test_session: TestSession, user: User, action: str,
               body: Any, arrived: datetime | None = None) -> tuple[int, dict[str, Any]]:
    """Run ``action`` with ``body`` once per key; return (HTTP status, JSON body). ``arrived``
    is when the request reached the server (queued actions are placed before it)."""
    if not isinstance(body, dict):
        return 400, {"error": "invalid body", "field": None,
                     "message": "the body must be a JSON object"}
    key = body.get("key")
    if key is not None and not isinstance(key, str):
        return 400, {"error": "invalid field", "field": "key", "message": "key must be text"}

    def attempt_once():
        try:
            return 200, _perform(db, study, test_session, user, action, body, arrived)
        except ControlError as exc:
            return exc.status, {"error": "refused" if exc.status == 409 else "invalid field",
                                "field": exc.field, "message": exc.message}

    return run_once(db, test_session.participant_id, f"moderation:{key}" if key else None,
                    f"moderation.{action}", attempt_once)

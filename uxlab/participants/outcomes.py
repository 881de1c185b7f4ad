"""Ending an attempt: deciding its outcome from why it ended, and recording it.

Why an attempt ended (``reason``) comes from the runner; what that means is decided here:

| reason | criterion type | outcome, decided by |
| --- | --- | --- |
| criterion | url / element | success, auto (the event must meet the criterion; checked here) |
| done | answer | success or failure, auto (the answer is checked) |
| done | self_report | success, participant |
| done | url / element | success, auto if a stored event met the criterion; else failure, participant |
| done | moderator | left open for the moderator |
| give_up | any | abandoned, participant |
| timeout | any | timeout, auto |

Time on task is the server's: ``ended_at − started_at``, less any time a moderator paused it. Past the time limit (plus a grace for
the network), a "done" or a criterion met late counts as a timeout.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from uxlab.models import Attempt, Event, Study, Task, Variant
from uxlab.recording.metrics import derive_attempt_metrics
from uxlab.recording.rules import criterion_for_variant, event_matches
from uxlab.recording.validation import (
    MAX_SAFE_INTEGER,
    EventError,
    event_row,
    is_storable_text,
    whole_number,
)
from uxlab.timeutil import utcnow

REASONS = ("criterion", "done", "give_up", "timeout")
#: Allowance for the request's travel time when checking the time limit.
TIME_LIMIT_GRACE = timedelta(seconds=5)


class BadFinish(ValueError):
    """A finish request that cannot be accepted; ``field`` names the culprit."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def normalize_answer(text: str) -> str:
    return " ".join(re.sub(r"[.!?,;:]+$", "", text.strip()).casefold().split())


def answer_is_correct(criterion: dict[str, Any], answer: str) -> bool:
    """Whether ``answer`` is one of the accepted answers (case and spacing ignored)."""
    given = normalize_answer(answer)
    if any(given == normalize_answer(a) for a in criterion.get("answers", [])):
        return True
    pattern = criterion.get("pattern")
    return bool(pattern and re.search(pattern, answer, re.IGNORECASE))


def _stored_event_met(session: Session, attempt: Attempt, criterion: dict[str, Any]) -> bool:
    rows = session.execute(
        select(Event.type, Event.url, Event.payload).where(Event.attempt_id == attempt.id,
                                                           Event.type.in_(("navigate", "click")),
                                                           Event.late.is_(False))
    )
    return any(event_matches(criterion, "success", {"type": t, "url": u, "data": p or {}})
               for t, u, p in rows)


def decide_outcome(session: Session, task: Task, variant: Variant, attempt: Attempt,
                   reason: str, answer: str | None, event: dict[str, Any] | None
                   ) -> tuple[str | None, str | None]:
    """Return (outcome, decided_by) for an attempt ending for ``reason``."""
    criterion = criterion_for_variant(task.criterion, variant.key)
    kind = criterion.get("type")
    if reason == "give_up":
        return "abandoned", "participant"
    if reason == "timeout":
        return "timeout", "auto"
    if reason == "criterion":
        if kind not in ("url", "element"):
            raise BadFinish("reason", f"a {kind!r} criterion is not met by an event")
        if not isinstance(event, dict) or not event_matches(criterion, "success", event):
            raise BadFinish("event", "the event does not meet the task's success criterion")
        return "success", "auto"
    if kind == "answer":
        if not answer or not answer.strip():
            raise BadFinish("answer", "an answer is required for this task")
        return ("success" if answer_is_correct(criterion, answer) else "failure"), "auto"
    if kind == "self_report":
        return "success", "participant"
    if kind in ("url", "element"):
        if _stored_event_met(session, attempt, criterion):
            return "success", "auto"
        return "failure", "participant"
    return None, None  # the moderator decides


def close_pause(attempt: Attempt, at) -> None:
    """End a moderator's pause of ``attempt`` at ``at``, adding it to the paused time."""
    if attempt.paused_at is not None:
        attempt.paused_ms += max(0, int((at - attempt.paused_at).total_seconds() * 1000))
        attempt.paused_at = None


def check_finish(reason: Any, answer: Any, client_time_ms: Any, event: Any) -> None:
    """Refuse, naming the field, a finish whose values have the wrong type or range.

    ``client_time_ms`` is at most 2^53 − 1 (what the runner's JavaScript counts exactly, and what
    the BIGINT column holds); ``event`` must be a protocol event (docs/recording.md).
    """
    if type(reason) is not str or reason not in REASONS:
        raise BadFinish("reason", f"must be one of {', '.join(REASONS)}")
    if answer is not None and (type(answer) is not str or not is_storable_text(answer)):
        raise BadFinish("answer", "must be text (without NUL characters) or null")
    if client_time_ms is not None and whole_number(client_time_ms, 0, MAX_SAFE_INTEGER) is None:
        raise BadFinish("client_time_ms", "must be a whole number of milliseconds from 0 to "
                                          f"{MAX_SAFE_INTEGER}, or null")
    if event is not None:
        try:
            event_row(event, "event")
        except EventError as exc:
            raise BadFinish(exc.field or "event", exc.message) from None


def finish_attempt(session: Session, study: Study, attempt: Attempt, reason: str,
                   answer: str | None = None, client_time_ms: int | None = None,
                   event: dict[str, Any] | None = None) -> None:
    """Record how ``attempt`` ended and derive its metrics from the stored events."""
    check_finish(reason, answer, client_time_ms, event)
    task, variant = attempt.task, attempt.variant
    outcome, decided_by = decide_outcome(session, task, variant, attempt, reason, answer, event)
    now = utcnow()
    if task.time_limit_s and outcome in ("success", "failure") and \
            now - attempt.started_at > timedelta(seconds=task.time_limit_s) + TIME_LIMIT_GRACE:
        outcome, decided_by = "timeout", "auto"
    attempt.outcome, attempt.decided_by = outcome, decided_by
    if outcome is not None:  # kept should a moderator override it
        attempt.auto_outcome, attempt.auto_decided_by = outcome, decided_by
    attempt.answer = answer.strip()[:2000] if answer else None
    close_pause(attempt, now)  # ended while a moderator had paused it
    attempt.ended_at = now
    elapsed = int((now - attempt.started_at).total_seconds() * 1000)
    attempt.time_on_task_ms = max(0, elapsed - attempt.paused_ms)
    attempt.client_time_ms = None if client_time_ms is None else int(client_time_ms)  # 5.0 too
    session.flush()
    derive_attempt_metrics(session, attempt)

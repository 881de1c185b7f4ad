"""The moderator's hand on a session: start, pause, resume, end and skip tasks, judge outcomes.

Every change goes through here and leaves a :class:`~uxlab.models.ModerationAudit` row (who,
when, old and new value, reason), whether made live in the console or afterwards from the
session review. A moderator's outcome never erases the automatic one: it is kept in
``auto_outcome`` / ``auto_decided_by`` beside it.

Times: a remote-moderated action happens when the server receives it. The in-person logger
queues its actions on the tablet and may send them late, so it sends when each happened
(``at``, already moved to the server's clock by the caller, see :func:`server_time`); the
attempt's times then match the moderator's stopwatch, not the network.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from uxlab.models import (
    Attempt,
    ModerationAudit,
    Observation,
    Participant,
    Study,
    TestSession,
    User,
)
from uxlab.participants import flow
from uxlab.participants.outcomes import close_pause, decide_outcome
from uxlab.recording.metrics import derive_attempt_metrics
from uxlab.recording.rules import criterion_for_variant
from uxlab.timeutil import utcnow

#: The moderator's verdicts (issue 11) and how each is stored: (outcome, assisted).
VERDICTS = {
    "success": ("success", False),
    "success_assisted": ("success", True),
    "partial": ("partial", False),
    "failure": ("failure", False),
    "gave_up": ("abandoned", False),
}
VERDICT_LABELS = {
    "success": "Success", "success_assisted": "Success with assist", "partial": "Partial",
    "failure": "Failure", "gave_up": "Gave up",
}
#: How far an in-person action's own time may lie from its arrival (a queue kept offline).
MAX_CLIENT_DELAY = timedelta(days=2)


class ControlError(ValueError):
    """A moderator action that cannot be done; ``field`` names the culprit, ``status`` the HTTP
    status (400 bad input, 409 the session is elsewhere)."""

    def __init__(self, field: str | None, message: str, status: int = 400):
        super().__init__(message)
        self.field, self.message, self.status = field, message, status


def server_time(at_ms: object, sent_ms: object, now: datetime | None = None) -> datetime:
    """Return when a queued action happened, on the server's clock.

    ``at_ms`` is when it happened and ``sent_ms`` when it was sent, both on the tablet's clock
    (milliseconds since the epoch); their difference is exact whatever the tablet's clock says,
    so the action happened ``sent_ms − at_ms`` before ``now``.
    """
    now = now or utcnow()
    for name, value in (("at_ms", at_ms), ("sent_ms", sent_ms)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ControlError(name, f"{name} must be a whole number of milliseconds")
    delay = timedelta(milliseconds=sent_ms - at_ms)
    if delay < timedelta(0) or delay > MAX_CLIENT_DELAY:
        raise ControlError("at_ms", "at_ms must be before sent_ms, by at most two days")
    return now - delay


def _audit(db: Session, test_session: TestSession, attempt: Attempt | None, user: User | None,
           action: str, old: dict, new: dict, reason: str, at: datetime) -> None:
    db.add(ModerationAudit(session_id=test_session.id, attempt_id=attempt.id if attempt else None,
                           user_id=user.id if user else None, at=at, action=action,
                           old_value=old, new_value=new, reason=(reason or "").strip()[:2000]))


def _state(attempt: Attempt) -> dict:
    return {"outcome": attempt.outcome, "decided_by": attempt.decided_by,
            "assisted": attempt.assisted, "time_on_task_ms": attempt.time_on_task_ms,
            "paused": attempt.paused_at is not None}


def _current(db: Session, study: Study, participant: Participant):
    step = flow.current_step(study, participant)
    test_session = flow.active_session(participant)
    attempt = flow.attempt_for(db, test_session, step) if step.kind == "task" else None
    return step, test_session, attempt


def _running_attempt(db: Session, study: Study, participant: Participant) -> Attempt:
    step, _, attempt = _current(db, study, participant)
    if step.kind != "task" or attempt is None or attempt.ended_at is not None:
        raise ControlError(None, "no task is running in this session", 409)
    return attempt


def _check_after(attempt: Attempt, at: datetime) -> None:
    if attempt.started_at is not None and at < attempt.started_at:
        raise ControlError("at_ms", "this action is earlier than the task's start")


def start_task(db: Session, study: Study, participant: Participant, user: User,
               at: datetime | None = None) -> Attempt:
    """Start the participant's current task for them (its clock starts at ``at``)."""
    at = at or utcnow()
    step, test_session, attempt = _current(db, study, participant)
    if step.kind != "task":
        raise ControlError(None, "the participant is not on a task", 409)
    if attempt is not None:
        return attempt  # a repeat: already started
    try:
        attempt = flow.start_task(db, study, participant, participant.step)
    except flow.StudyUnavailable:
        raise ControlError(None, "the study is not running", 409) from None
    attempt.started_at = at
    _audit(db, test_session, attempt, user, "start", {}, {"started_at": at.isoformat()}, "", at)
    db.flush()
    return attempt


def pause_task(db: Session, study: Study, participant: Participant, user: User,
               at: datetime | None = None) -> Attempt:
    """Pause the running task: the time until it resumes is left out of its time on task."""
    at = at or utcnow()
    attempt = _running_attempt(db, study, participant)
    _check_after(attempt, at)
    if attempt.paused_at is None:
        attempt.paused_at = at
        _audit(db, attempt.session, attempt, user, "pause", {}, {"paused_at": at.isoformat()},
               "", at)
    return attempt


def resume_task(db: Session, study: Study, participant: Participant, user: User,
                at: datetime | None = None) -> Attempt:
    """Resume a paused task."""
    at = at or utcnow()
    attempt = _running_attempt(db, study, participant)
    _check_after(attempt, at)
    if attempt.paused_at is not None:
        old = attempt.paused_ms
        close_pause(attempt, at)
        _audit(db, attempt.session, attempt, user, "resume", {"paused_ms": old},
               {"paused_ms": attempt.paused_ms}, "", at)
    return attempt


def close_attempt(db: Session, attempt: Attempt, at: datetime) -> None:
    """Set the attempt's end and its time on task (paused time left out), derive its metrics."""
    close_pause(attempt, at)
    attempt.ended_at = at
    elapsed = int((at - attempt.started_at).total_seconds() * 1000)
    attempt.time_on_task_ms = max(0, elapsed - attempt.paused_ms)
    db.flush()
    derive_attempt_metrics(db, attempt)


def end_task(db: Session, study: Study, participant: Participant, user: User,
             verdict: str | None = None, reason: str = "", at: datetime | None = None
             ) -> Attempt:
    """End the running task for the participant and move them on.

    Without a verdict the criterion decides where it can from the stored events (a URL reached,
    an element clicked); otherwise the attempt stays undecided until the moderator judges it.
    """
    at = at or utcnow()
    if verdict is not None and verdict not in VERDICTS:
        raise ControlError("verdict", f"must be one of {', '.join(VERDICTS)}")
    attempt = _running_attempt(db, study, participant)
    _check_after(attempt, at)
    old = _state(attempt)
    close_attempt(db, attempt, at)
    criterion = criterion_for_variant(attempt.task.criterion, attempt.variant.key)
    if criterion.get("type") in ("url", "element"):
        outcome, decided_by = decide_outcome(db, attempt.task, attempt.variant, attempt, "done",
                                             None, None)
    else:
        outcome = decided_by = None
    if decided_by == "auto" and outcome == "success":
        attempt.outcome = attempt.auto_outcome = outcome
        attempt.decided_by = attempt.auto_decided_by = decided_by
    _audit(db, attempt.session, attempt, user, "end", old, _state(attempt), reason, at)
    if verdict is not None:
        judge(db, attempt, user, verdict, reason, at)
    flow.advance(study, participant)
    db.flush()
    return attempt


def skip_task(db: Session, study: Study, participant: Participant, user: User,
              reason: str = "", at: datetime | None = None) -> None:
    """Skip the current task: a task not started leaves no attempt; a running one is ended
    undecided. Its post-task questions are skipped with it."""
    at = at or utcnow()
    step, test_session, attempt = _current(db, study, participant)
    if step.kind != "task":
        raise ControlError(None, "the participant is not on a task", 409)
    old = _state(attempt) if attempt is not None and attempt.ended_at is None else {}
    if attempt is not None and attempt.ended_at is None:
        _check_after(attempt, at)
        close_attempt(db, attempt, at)
    _audit(db, test_session, attempt, user, "skip", old,
           {"task": step.task.key, "variant": step.variant.key}, reason, at)
    steps = flow.steps_for(study, participant)
    flow.advance(study, participant)
    while steps[min(participant.step, len(steps) - 1)].kind == "post_task":
        flow.advance(study, participant)
    db.flush()


def judge(db: Session, attempt: Attempt, user: User, verdict: str, reason: str = "",
          at: datetime | None = None) -> Attempt:
    """Set the moderator's outcome of an ended attempt, keeping the automatic one beside it.

    The same service corrects an outcome after the session (from the session review).
    """
    at = at or utcnow()
    if verdict not in VERDICTS:
        raise ControlError("verdict", f"must be one of {', '.join(VERDICTS)}")
    if attempt.ended_at is None:
        raise ControlError("verdict", "end the task before judging it", 409)
    outcome, assisted = VERDICTS[verdict]
    old = _state(attempt)
    if attempt.decided_by not in (None, "moderator") and attempt.auto_outcome is None:
        attempt.auto_outcome, attempt.auto_decided_by = attempt.outcome, attempt.decided_by
    attempt.outcome, attempt.decided_by, attempt.assisted = outcome, "moderator", assisted
    db.flush()
    derive_attempt_metrics(db, attempt)  # direct success depends on the outcome
    _audit(db, attempt.session, attempt, user, "outcome", old, _state(attempt), reason, at)
    return attempt


def log_observation(db: Session, attempt: Attempt, user: User, kind: str, text: str,
                    at: datetime | None = None) -> Observation:
    """Log an error or an assist on a running or ended attempt (errors count in its metrics)."""
    if kind not in ("error", "assist"):
        raise ControlError("kind", "must be error or assist")
    at = at or utcnow()
    test_session = attempt.session
    offset = max(0, int((at - test_session.started_at).total_seconds() * 1000))
    observation = Observation(session_id=test_session.id, attempt_id=attempt.id,
                              author_id=user.id, offset_ms=offset, kind=kind,
                              text=(text or "").strip()[:2000], created_at=at)
    db.add(observation)
    db.flush()
    if attempt.ended_at is not None:
        derive_attempt_metrics(db, attempt)
    return observation


def audit_trail(db: Session, test_session: TestSession) -> list[ModerationAudit]:
    """Return the session's audit entries, oldest first."""
    return list(db.scalars(select(ModerationAudit).where(
        ModerationAudit.session_id == test_session.id).order_by(ModerationAudit.id)))

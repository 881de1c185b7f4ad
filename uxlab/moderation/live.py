"""What a live console shows: each watched session's state, and its events after a cursor.

The events table is the only thing worker processes share, so every console (in whichever
process its stream runs) reads it after its own cursor: an event's id. On SQLite writers take
turns, so ids become visible in order. On PostgreSQL a transaction may commit a lower id after
a higher one is visible; events younger than :data:`SETTLE` are therefore held back there (an
ingestion commits within milliseconds of taking its id), so a cursor never passes an id that
could still appear.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from uxlab.models import (
    Attempt,
    Event,
    ModerationAudit,
    Observation,
    ObserverGuest,
    Participant,
    SessionWatch,
    Study,
    TestSession,
    User,
)
from uxlab.moderation.observer_links import LinkObserver, guest_label
from uxlab.moderation.plan import step_plan
from uxlab.participants import flow
from uxlab.recording.rules import criterion_for_variant
from uxlab.studies.criteria import CRITERION_TYPES
from uxlab.timeutil import utcnow

#: How long a PostgreSQL event waits before consoles see it (see the module's docstring).
SETTLE = timedelta(milliseconds=600)
#: Events sent to a console per read; a console far behind catches up over several.
MAX_EVENTS_PER_READ = 500
#: A session without an event for this long and not moderated drops off "live now".
LIVE_IDLE = timedelta(minutes=15)
SHOWN_TYPES = ("click", "navigate", "task_start", "task_end", "answer", "visibility")


def describe_criterion(criterion: dict[str, Any]) -> str:
    """Return the success criterion in words, e.g. "Participant reaches a page: done.html"."""
    kind = CRITERION_TYPES.get(criterion.get("type"))
    words = kind.label if kind else str(criterion.get("type"))
    detail = criterion.get("label") or criterion.get("url") or criterion.get("selector") or ""
    if not detail and criterion.get("answers"):
        detail = " / ".join(str(a) for a in criterion["answers"])
    return f"{words}: {detail}" if detail else words


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def session_state(db: Session, test_session: TestSession, with_plan: bool = True
                  ) -> dict[str, Any]:
    """Return a JSON-able picture of the session now: step, task, timer, path, outcomes, and
    (``with_plan``, for a console of this one session) every step of the participant's path."""
    participant = test_session.participant
    study = participant.study
    step = flow.current_step(study, participant)
    state: dict[str, Any] = {
        "session": str(test_session.public_id), "participant": participant.code,
        "mode": test_session.mode, "step": participant.step, "step_kind": step.kind,
        "ended": test_session.ended_at is not None or participant.completed_at is not None,
        "server_now": utcnow().isoformat(), "task": None,
    }
    if with_plan:  # the steps change when the participant is assigned (at consent)
        state["plan"] = step_plan(study, participant)
    if step.task is not None:
        number, total = flow.task_position(study, participant)
        attempt = flow.attempt_for(db, test_session, step)
        criterion = criterion_for_variant(step.task.criterion, step.variant.key)
        state["task"] = {
            "number": number, "total": total, "key": step.task.key, "title": step.task.title,
            "variant": step.variant.key, "criterion": describe_criterion(criterion),
            "moderator_judges": criterion.get("type") == "moderator",
            "error_rules": [rule.get("label") or rule.get("url") or rule.get("selector")
                            or f"Error {i + 1}" for i, rule in enumerate(step.task.error_rules or [])],
            "attempt": _attempt_state(db, attempt) if attempt else None,
        }
    state["attempts"] = [_attempt_state(db, a) for a in test_session.attempts
                         if a.ended_at is not None]
    return state


def _attempt_state(db: Session, attempt: Attempt) -> dict[str, Any]:
    logged = db.execute(select(Observation.kind, func.count()).where(
        Observation.attempt_id == attempt.id, Observation.kind.in_(("error", "assist")))
        .group_by(Observation.kind)).all()
    counts = dict(logged)
    return {
        "id": attempt.id, "task": attempt.task.key, "title": attempt.task.title,
        "variant": attempt.variant.key, "started_at": _iso(attempt.started_at),
        "ended_at": _iso(attempt.ended_at), "paused_at": _iso(attempt.paused_at),
        "paused_ms": attempt.paused_ms or 0, "time_on_task_ms": attempt.time_on_task_ms,
        "outcome": attempt.outcome, "decided_by": attempt.decided_by,
        "assisted": attempt.assisted, "auto_outcome": attempt.auto_outcome,
        "path": list(attempt.path or []) or _path_so_far(db, attempt),
        "errors_logged": counts.get("error", 0), "assists_logged": counts.get("assist", 0),
    }


def _path_so_far(db: Session, attempt: Attempt) -> list[str]:
    start = [attempt.task.start_page] if attempt.task.start_page else []
    urls = db.scalars(select(Event.url).where(Event.attempt_id == attempt.id,
                                              Event.type == "navigate")
                      .order_by(Event.client_ts_ms, Event.id).limit(200))
    pages = [u.split("#", 1)[0] for u in urls if u]
    if start and pages and pages[0].endswith(start[0]):
        pages = pages[1:]
    return start + pages


def state_versions(db: Session, session_ids: list[int]) -> dict[int, tuple]:
    """Return a fingerprint per session of what :func:`session_state` shows, so a stream sends
    a state only when it changed. Four grouped queries, however many sessions are watched."""
    rows = db.execute(select(TestSession.id, Participant.step, Participant.completed_at,
                             TestSession.ended_at).join(Participant)
                      .where(TestSession.id.in_(session_ids))).all()
    versions: dict[int, list] = {row[0]: [tuple(row[1:])] for row in rows}
    attempts = db.execute(select(Attempt.session_id, Attempt.id, Attempt.started_at,
                                 Attempt.ended_at, Attempt.paused_at, Attempt.outcome,
                                 Attempt.assisted, Attempt.errors)
                          .where(Attempt.session_id.in_(session_ids)).order_by(Attempt.id)).all()
    for row in attempts:
        versions[row[0]].append(tuple(row[1:]))
    for model in (ModerationAudit, Observation):
        counts = db.execute(select(model.session_id, func.count(), func.max(model.id))
                            .where(model.session_id.in_(session_ids))
                            .group_by(model.session_id)).all()
        for session_id, count, last in counts:
            versions[session_id].append((model.__tablename__, count, last))
    return {session_id: tuple(parts) for session_id, parts in versions.items()}


def _rule_names(task_rules: dict[int, list[str]], attempt_id: int | None,
                matched: list[str]) -> list[str]:
    names = []
    for rule in matched:
        if rule == "success":
            names.append("success")
        elif rule.startswith("error:") and rule[6:].isdigit():
            labels = task_rules.get(attempt_id) or []
            index = int(rule[6:])
            names.append(f"error: {labels[index]}" if index < len(labels) else rule)
    return names


def read_events(db: Session, session_ids: list[int], after: int, *, through: int | None = None,
                limit: int = MAX_EVENTS_PER_READ) -> list[tuple[int, dict[str, Any]]]:
    """Return ``(session id, event)`` for the shown events of ``session_ids`` with ids above
    ``after`` (and at most ``through``), oldest first, at most ``limit``."""
    if not session_ids:
        return []
    query = (select(Event.id, Event.session_id, Event.attempt_id, Event.type, Event.client_ts_ms,
                    Event.received_at, Event.target, Event.url, Event.payload)
             .where(Event.session_id.in_(session_ids), Event.id > after,
                    Event.type.in_(SHOWN_TYPES))
             .order_by(Event.id).limit(limit))
    if through is not None:
        query = query.where(Event.id <= through)
    rows = db.execute(_settled(db, query)).all()
    if not rows:
        return []
    present = {row.session_id for row in rows}
    public = dict(db.execute(select(TestSession.id, TestSession.public_id)
                             .where(TestSession.id.in_(present))).all())
    attempt_ids = {row.attempt_id for row in rows if row.attempt_id}
    task_rules: dict[int, list[str]] = {}
    if attempt_ids:
        for attempt in db.scalars(select(Attempt).where(Attempt.id.in_(attempt_ids))):
            task_rules[attempt.id] = [r.get("label") or r.get("url") or r.get("selector") or ""
                                      for r in attempt.task.error_rules or []]
    events = []
    for row in rows:
        data = row.payload or {}
        events.append((row.session_id, {
            "id": row.id, "session": str(public[row.session_id]), "attempt": row.attempt_id,
            "type": row.type, "t": row.client_ts_ms, "received_at": _iso(row.received_at),
            "label": (data.get("text") or data.get("title") or row.target or "")[:200],
            "url": (row.url or "")[:500],
            "rules": _rule_names(task_rules, row.attempt_id, list(data.get("matched") or [])),
        }))
    return events


def events_after(db: Session, session_ids: list[int], cursor: int,
                 limit: int = MAX_EVENTS_PER_READ) -> list[dict[str, Any]]:
    """Return the shown events of ``session_ids`` with ids above ``cursor``, oldest first."""
    return [event for _, event in read_events(db, session_ids, cursor, limit=limit)]


def _settled(db: Session, query):
    """Hold back, on PostgreSQL, events that a lower id could still commit before."""
    if db.get_bind().dialect.name == "postgresql":
        return query.where(Event.received_at <= utcnow() - SETTLE)
    return query


def settled_event_id(db: Session) -> int:
    """Return the highest event id consoles may see now (every lower one is visible too)."""
    return db.scalar(_settled(db, select(func.max(Event.id)))) or 0


def live_sessions(db: Session, study: Study) -> list[TestSession]:
    """Return the study's sessions that are going on now, newest first.

    Moderated sessions are live until they end; unmoderated ones while events keep coming.
    """
    recent = utcnow() - LIVE_IDLE
    last_event = (select(Event.session_id, func.max(Event.received_at).label("last"))
                  .group_by(Event.session_id).subquery())
    query = (select(TestSession).join(Participant)
             .outerjoin(last_event, last_event.c.session_id == TestSession.id)
             .where(Participant.study_id == study.id, TestSession.ended_at.is_(None),
                    Participant.completed_at.is_(None))
             .where((TestSession.mode != "unmoderated") | (last_event.c.last >= recent))
             .order_by(TestSession.started_at.desc()))
    return list(db.scalars(query))


def record_watch(db: Session, test_session: TestSession, viewer: User | LinkObserver,
                 role: str) -> None:
    """Note that ``viewer`` (an account or an observer-link guest) watches the session now
    (first and last time). The caller commits."""
    if isinstance(viewer, LinkObserver):
        who = {"guest_id": viewer.guest_id}
        found = SessionWatch.guest_id == viewer.guest_id
    else:
        who = {"user_id": viewer.id}
        found = SessionWatch.user_id == viewer.id
    watch = db.scalar(select(SessionWatch).where(SessionWatch.session_id == test_session.id,
                                                 found))
    now = utcnow()
    if watch is None:
        db.add(SessionWatch(session_id=test_session.id, role=role, first_seen_at=now,
                            last_seen_at=now, **who))
    else:
        watch.last_seen_at, watch.role = now, role
    db.flush()


def watchers(db: Session, test_session: TestSession) -> list[tuple[SessionWatch, str]]:
    """Who watched the session, each with the name they show under: an account's name (or
    email), a guest's display name marked as come through an observer link."""
    rows = db.execute(select(SessionWatch, User.name, User.email, ObserverGuest.display_name)
                      .outerjoin(User, User.id == SessionWatch.user_id)
                      .outerjoin(ObserverGuest, ObserverGuest.id == SessionWatch.guest_id)
                      .where(SessionWatch.session_id == test_session.id)
                      .order_by(SessionWatch.first_seen_at, SessionWatch.id)).all()
    return [(watch, name or email if guest is None else guest_label(guest))
            for watch, name, email, guest in rows]

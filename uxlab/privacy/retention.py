"""Keeping raw events no longer than needed: delete events older than N days.

An attempt's metrics (outcome, time on task, clicks, misclicks, errors, path, lostness) are
stored on the attempt when it ends, so deleting the raw events behind them leaves every result,
report and tidy export as it was; the attempts are marked (``raw_events_deleted_at``) so that
nothing later recomputes their metrics from the events that are left. What goes is the detail
drawn from raw events: click maps, the session timeline's events and the raw-event export. Only
events of ended sessions go, so an attempt still being recorded is never cut short.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from uxlab.models import Attempt, Event, Participant, Study, TestSession


@dataclass(frozen=True)
class RetentionPlan:
    """The raw events older than ``cutoff``, per study slug (only studies with any)."""

    cutoff: datetime
    events_by_study: dict[str, int]

    @property
    def events(self) -> int:
        return sum(self.events_by_study.values())


def _old_events(cutoff: datetime):
    ended_sessions = select(TestSession.id).where(TestSession.ended_at.is_not(None))
    return (Event.received_at < cutoff) & Event.session_id.in_(ended_sessions)


def _ended_attempts_with_old_events(cutoff: datetime):
    return select(Event.attempt_id).where(_old_events(cutoff), Event.attempt_id.is_not(None))


def plan_retention(session: Session, days: int, now: datetime) -> RetentionPlan:
    """Say which raw events :func:`apply_retention` would delete, deleting nothing."""
    if days < 1:
        raise ValueError(f"days: must be at least 1, not {days}")
    cutoff = now - timedelta(days=days)
    rows = session.execute(
        select(Study.slug, func.count(Event.id))
        .join(TestSession, TestSession.id == Event.session_id)
        .join(Participant, Participant.id == TestSession.participant_id)
        .join(Study, Study.id == Participant.study_id)
        .where(_old_events(cutoff)).group_by(Study.slug).order_by(Study.slug))
    return RetentionPlan(cutoff, {slug: count for slug, count in rows})


def apply_retention(session: Session, days: int, now: datetime) -> RetentionPlan:
    """Delete the raw events of ended sessions received more than ``days`` days before ``now``;
    return what went. The caller commits."""
    plan = plan_retention(session, days, now)
    session.execute(update(Attempt).where(
        Attempt.id.in_(_ended_attempts_with_old_events(plan.cutoff)),
        Attempt.raw_events_deleted_at.is_(None)).values(raw_events_deleted_at=now),
        execution_options={"synchronize_session": False})
    session.execute(delete(Event).where(_old_events(plan.cutoff)),
                    execution_options={"synchronize_session": False})
    return plan

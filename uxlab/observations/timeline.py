"""The timeline of one session: tasks, recorded events and notes on one clock (ms since the
session started), for the session review's scrubber and its shareable ``?t=`` links.

Every task and note is on it. A long session records thousands of events, more than a page
should list: then the timeline holds :data:`MAX_EVENTS` of them around the moment asked for
(``?t=``; the session's start without one), and says which stretch that is, so that the
events near any moment, and any note's, can be seen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from uxlab.models import Attempt, Event, Observation, Task, TestSession, UsabilityProblem
from uxlab.observations.notes import event_label, note_author, with_authors

#: Events shown at most, around the moment (a long session records thousands; the counts table
#: holds them all).
MAX_EVENTS = 1500
#: Event types worth a line on the timeline (resize and visibility only add noise).
TIMELINE_EVENT_TYPES = ("click", "navigate", "task_start", "task_end", "answer")


@dataclass(frozen=True)
class TimelineItem:
    """One line of the timeline. ``kind``: task, event or note; ``detail`` the note, outcome
    or event type; ``note`` the observation for notes."""

    offset_ms: int
    kind: str
    label: str
    detail: str = ""
    note: Observation | None = None
    author: str | None = None
    problem: str | None = None

    @property
    def second(self) -> int:
        return self.offset_ms // 1000


@dataclass(frozen=True)
class Timeline:
    """The items in order; when ``events_shown < events_total``, the events shown are those
    from ``events_from_ms`` to ``events_to_ms``, and ``earlier`` / ``later`` say whether there
    are more before or after them."""

    items: tuple[TimelineItem, ...]
    duration_ms: int
    events_shown: int
    events_total: int
    events_from_ms: int = 0
    events_to_ms: int = 0
    earlier: bool = False
    later: bool = False

    @property
    def duration_s(self) -> int:
        return -(-self.duration_ms // 1000)

    def clamp(self, seconds: int | None) -> int | None:
        """A ``?t=`` second within the session, or None."""
        if seconds is None:
            return None
        return max(0, min(seconds, self.duration_s))


def _offset(test_session: TestSession, moment: datetime | None) -> int | None:
    if moment is None:
        return None
    return max(0, int((moment - test_session.started_at).total_seconds() * 1000))


def session_timeline(session: Session, test_session: TestSession,
                     moment_s: int | None = None) -> Timeline:
    """Build the timeline of ``test_session``, its events around second ``moment_s``."""
    items: list[TimelineItem] = []
    for attempt, title in session.execute(
            select(Attempt, Task.title).join(Task, Task.id == Attempt.task_id)
            .where(Attempt.session_id == test_session.id).order_by(Attempt.position)):
        start = _offset(test_session, attempt.started_at)
        if start is not None:
            items.append(TimelineItem(start, "task", f"Task “{title}” started"))
        end = _offset(test_session, attempt.ended_at)
        if end is not None:
            outcome = attempt.outcome or "not decided"
            by = f", decided by {attempt.decided_by}" if attempt.decided_by else ""
            assisted = ", assisted" if attempt.assisted else ""
            items.append(TimelineItem(end, "task", f"Task “{title}” ended",
                                      f"{outcome}{assisted}{by}"))
    wanted = (Event.session_id == test_session.id) & Event.type.in_(TIMELINE_EVENT_TYPES)
    total, last_received = session.execute(
        select(func.count(), func.max(Event.received_at)).where(wanted)).one()
    around = None if moment_s is None else test_session.started_at + timedelta(seconds=moment_s)
    events, earlier, later = _events_around(session, wanted, total or 0, around)
    for event in events:
        items.append(TimelineItem(_offset(test_session, event.received_at) or 0, "event",
                                  event_label(event), event.type))
    for note, email, problem in session.execute(with_authors(
            select(Observation, note_author(), UsabilityProblem.title))
            .outerjoin(UsabilityProblem, UsabilityProblem.id == Observation.problem_id)
            .where(Observation.session_id == test_session.id)):
        items.append(TimelineItem(note.offset_ms, "note", note.text, note.kind, note, email,
                                  problem))
    order = {"task": 0, "event": 1, "note": 2}
    items.sort(key=lambda item: (item.offset_ms, order[item.kind]))
    end = _offset(test_session, test_session.ended_at) or 0
    duration = max([end, _offset(test_session, last_received) or 0,
                    *(item.offset_ms for item in items)])
    shown = [_offset(test_session, event.received_at) or 0 for event in events]
    return Timeline(items=tuple(items), duration_ms=duration, events_shown=len(events),
                    events_total=total or 0, events_from_ms=shown[0] if shown else 0,
                    events_to_ms=shown[-1] if shown else 0, earlier=earlier, later=later)


def _events_around(session: Session, wanted, total: int,
                   around: datetime | None) -> tuple[list[Event], bool, bool]:
    """At most :data:`MAX_EVENTS` events in order, half before ``around`` and half from it (the
    other side's share when one side has fewer); whether more come before and after them."""
    ordered = select(Event).where(wanted)
    if total <= MAX_EVENTS or around is None:
        events = session.scalars(ordered.order_by(Event.received_at, Event.id)
                                 .limit(MAX_EVENTS)).all()
        return list(events), False, total > len(events)
    before = session.scalars(ordered.where(Event.received_at < around)
                             .order_by(Event.received_at.desc(), Event.id.desc())
                             .limit(MAX_EVENTS)).all()
    after = session.scalars(ordered.where(Event.received_at >= around)
                            .order_by(Event.received_at, Event.id).limit(MAX_EVENTS)).all()
    from_after = min(len(after), max(MAX_EVENTS // 2, MAX_EVENTS - len(before)))
    from_before = min(len(before), MAX_EVENTS - from_after)
    events = [*reversed(before[:from_before]), *after[:from_after]]
    return events, from_before < len(before), from_after < len(after)

"""The timeline of one session: tasks, recorded events and notes on one clock (ms since the
session started), for the session review's scrubber and its shareable ``?t=`` links.

Events are placed at the moment they happened in the participant's browser, not when the
server received them: a batch arrives seconds after its clicks (minutes, after a lost
connection), and would list a task's clicks after the task's end. The browser's clock is put on
the server's by the smallest gap seen between an event's browser time and its arrival
(:func:`_event_span`).

Every task and note is on it. A long session records thousands of events, more than a page
should list: then the timeline holds :data:`MAX_EVENTS` of them around the moment asked for
(``?t=``; the session's start without one), and says which stretch that is, so that the
events near any moment, and any note's, can be seen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
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
    total, last_browser_ms, clock = _event_span(session, wanted)
    start_ms = _epoch_ms(test_session.started_at)
    around = None if moment_s is None else start_ms + moment_s * 1000 - clock
    events, earlier, later = _events_around(session, wanted, total, around)

    def event_offset(event: Event) -> int:
        if event.client_ts_ms is None:
            return _offset(test_session, event.received_at) or 0
        return max(0, event.client_ts_ms + clock - start_ms)

    shown = [event_offset(event) for event in events]
    for event, offset in zip(events, shown, strict=True):
        items.append(TimelineItem(offset, "event", event_label(event), event.type))
    for note, email, problem in session.execute(with_authors(
            select(Observation, note_author(), UsabilityProblem.title))
            .outerjoin(UsabilityProblem, UsabilityProblem.id == Observation.problem_id)
            .where(Observation.session_id == test_session.id)):
        items.append(TimelineItem(note.offset_ms, "note", note.text, note.kind, note, email,
                                  problem))
    order = {"task": 0, "event": 1, "note": 2}
    items.sort(key=lambda item: (item.offset_ms, order[item.kind]))
    end = _offset(test_session, test_session.ended_at) or 0
    last = 0 if last_browser_ms is None else last_browser_ms + clock - start_ms
    duration = max([end, last, *(item.offset_ms for item in items)])
    return Timeline(items=tuple(items), duration_ms=duration, events_shown=len(events),
                    events_total=total, events_from_ms=shown[0] if shown else 0,
                    events_to_ms=shown[-1] if shown else 0, earlier=earlier, later=later)


def _epoch_ms(moment: datetime) -> int:
    return round(moment.timestamp() * 1000)


def _event_span(session: Session, wanted) -> tuple[int, int | None, int]:
    """The session's listed events in one pass: how many, the last one's browser time, and how
    far the server's clock is ahead of the participant's browser, in ms (0 without events).

    Every event arrives after it happened, so its arrival minus its browser time is the clocks'
    offset plus that event's delay; the smallest over the session (an event sent the moment it
    happened, at a page's exit or a full batch) is the offset plus the shortest delay, a few
    milliseconds on a working connection. Browsers' clocks are usually right, and then this is
    about 0; a wrong one (minutes off) is corrected by it.
    """
    total, last, clock = 0, None, None
    for received, browser_ms in session.execute(
            select(Event.received_at, Event.client_ts_ms).where(wanted)):
        total += 1
        if browser_ms is not None:
            last = browser_ms if last is None else max(last, browser_ms)
            gap = _epoch_ms(received) - browser_ms
            clock = gap if clock is None else min(clock, gap)
    return total, last, clock or 0


def _events_around(session: Session, wanted, total: int,
                   around_ms: int | None) -> tuple[list[Event], bool, bool]:
    """At most :data:`MAX_EVENTS` events in the browser's order, half before ``around_ms`` (a
    browser time) and half from it (the other side's share when one side has fewer); whether
    more come before and after them."""
    ordered = select(Event).where(wanted)
    forward = (Event.client_ts_ms, Event.tab_id, Event.seq, Event.id)
    if total <= MAX_EVENTS or around_ms is None:
        events = session.scalars(ordered.order_by(*forward).limit(MAX_EVENTS)).all()
        return list(events), False, total > len(events)
    before = session.scalars(ordered.where(Event.client_ts_ms < around_ms)
                             .order_by(*(column.desc() for column in forward))
                             .limit(MAX_EVENTS)).all()
    after = session.scalars(ordered.where(Event.client_ts_ms >= around_ms)
                            .order_by(*forward).limit(MAX_EVENTS)).all()
    from_after = min(len(after), max(MAX_EVENTS // 2, MAX_EVENTS - len(before)))
    from_before = min(len(before), MAX_EVENTS - from_after)
    events = [*reversed(before[:from_before]), *after[:from_after]]
    return events, from_before < len(before), from_after < len(after)

"""One poller per process that reads the events table for every open live stream and fans out.

A process may hold dozens of live streams (consoles and "live now" pages). If each polled the
table on its own, twenty consoles would multiply the reads and contend with ingestion for the
database; on SQLite the readers also delay the single writer's checkpoints. Instead the streams of
a process *subscribe* to one :class:`LivePoller`: a background thread, started by the first
subscription and ending when the last one leaves, that each tick opens one database session,
reads the changed session states and the events after one global cursor for all watched sessions
(a few set-based queries, however many streams), closes the session, and puts the rendered SSE
frames into each subscription's queue. Streams wait on their queue: they never hold a database
connection or session.

The events table stays the source of truth. A subscription keeps its own cursor; one that is
behind the poller's (a reconnect with ``Last-Event-ID``, or a console whose queue filled up
because its client reads slowly) is *lagging* and is caught up from the table after its cursor,
up to the global cursor, before it gets the shared events again: nothing is lost or repeated.
Each worker process has its own poller; the table is what they share (docs/moderation.md).
"""

from __future__ import annotations

import json
import logging
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from uxlab.db import Database
from uxlab.models import TestSession
from uxlab.moderation.live import (
    MAX_EVENTS_PER_READ,
    read_events,
    session_state,
    settled_event_id,
    state_versions,
)
from uxlab.timeutil import utcnow

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5
#: Events read for all watched sessions per tick; a busier tick is followed by another at once.
EVENTS_PER_TICK = 2000
#: Frames queued for one stream before it stops getting shared ones and catches up from the
#: table instead (its client reads slower than events come).
MAX_QUEUED = 5000


def frame(data: dict[str, Any], event: str, frame_id: int | None = None) -> str:
    """Return one SSE message (JSON never contains a newline, so one ``data`` line)."""
    head = f"id: {frame_id}\n" if frame_id is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


@dataclass(eq=False)
class Subscription:
    """What one stream watches, the frames waiting for it, and how far it has seen.

    ``cursor`` is the highest event id the stream has been given or known to have no events up
    to; the poller alone moves it (under the subscription's lock)."""

    session_ids: frozenset[int]
    cursor: int
    needs_states: bool = True
    #: Whether the poller has served it once (its states, and events up to the poller's cursor).
    fed: bool = False
    closed: bool = False
    _frames: deque[str] = field(default_factory=deque)
    _ready: threading.Condition = field(default_factory=threading.Condition)

    @property
    def with_plan(self) -> bool:
        """A console of one session shows the participant's whole path."""
        return len(self.session_ids) == 1

    def put(self, texts: list[str], cursor: int | None = None) -> None:
        with self._ready:
            if self.closed:  # its stream has sent its last frame
                return
            self.fed = True
            self._frames.extend(texts)
            if cursor is not None:
                self.cursor = max(self.cursor, cursor)
            if texts:
                self._ready.notify()

    def close(self) -> None:
        with self._ready:
            self.closed = True

    def queued(self) -> int:
        with self._ready:
            return len(self._frames)

    def take(self, timeout: float) -> list[str]:
        """Return the frames waiting, after waiting up to ``timeout`` seconds for one."""
        with self._ready:
            if not self._frames:
                self._ready.wait(max(0.0, timeout))
            texts = list(self._frames)
            self._frames.clear()
            return texts


class LivePoller:
    """Reads the events table for all the process's streams, one tick every ``interval``."""

    def __init__(self, database: Database, interval: float = POLL_SECONDS):
        self.database = database
        self.interval = interval
        #: The id through which every watched session's events have been read (None: not yet).
        self.cursor: int | None = None
        self.thread: threading.Thread | None = None
        #: Held for the whole of a tick (the only time the poller holds a connection).
        self.ticking = threading.Lock()
        self._lock = threading.Lock()
        self._subscriptions: set[Subscription] = set()
        self._wake = threading.Event()
        self._versions: dict[int, tuple] = {}
        self._states: dict[int, dict[str, Any]] = {}

    def subscribe(self, session_ids: Iterable[int], cursor: int) -> Subscription:
        """Watch ``session_ids`` from after ``cursor``; start the poller if it is not running."""
        subscription = Subscription(frozenset(session_ids), cursor)
        with self._lock:
            self._subscriptions.add(subscription)
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, name="uxlab-live-poller",
                                               daemon=True)
                self.thread.start()
        self._wake.set()  # its states without waiting for the next tick
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        """Stop feeding the subscription; what it has queued stays for its stream to send."""
        subscription.close()
        with self._lock:
            self._subscriptions.discard(subscription)
            if not self._subscriptions:
                self._wake.set()  # the thread ends now rather than after its wait

    def stop(self, timeout: float = 10.0) -> None:
        """End every subscription and wait for the thread, so that nothing reads the database
        after its owner disposes of it (an app shut down, a test's teardown)."""
        with self._lock:
            subscriptions, thread = list(self._subscriptions), self.thread
        for subscription in subscriptions:
            self.unsubscribe(subscription)
        self._wake.set()
        if thread is not None:
            thread.join(timeout)

    @property
    def running(self) -> bool:
        with self._lock:
            return self.thread is not None

    def _run(self) -> None:
        while True:
            with self._lock:
                if not self._subscriptions:
                    self.thread = None
                    # Started again, it begins at the table's end, not where it stopped.
                    self.cursor, self._versions, self._states = None, {}, {}
                    return
            self._wake.clear()
            try:
                busy = self.tick()
            except Exception:  # the database is away: streams keep their heartbeats, retry
                log.exception("live poller: reading the events table failed")
                busy = False
            if not busy:
                self._wake.wait(self.interval)

    def tick(self) -> bool:
        """Read once and fan out; return whether more events are waiting than were read."""
        with self._lock:
            subscriptions = list(self._subscriptions)
        if not subscriptions:
            return False
        watched = sorted(set().union(*(s.session_ids for s in subscriptions)))
        with self.ticking, self.database.read_sessions() as db:
            if self.cursor is None:
                self.cursor = settled_event_id(db)
            read_through = self.cursor
            changed = self._read_states(db, watched)
            backlogs = {s: read_events(db, sorted(s.session_ids), s.cursor, through=read_through)
                        for s in subscriptions
                        if s.cursor < read_through and s.queued() < MAX_QUEUED}
            events = read_events(db, watched, read_through, limit=EVENTS_PER_TICK)
        self.cursor = events[-1][1]["id"] if events else read_through
        shared = [(session_id, event["id"], frame(event, "event", event["id"]))
                  for session_id, event in events]
        rendered: dict[tuple[int, bool], str] = {}
        more = len(events) >= EVENTS_PER_TICK
        for subscription in subscriptions:
            texts = [self._state_text(rendered, session_id, subscription.with_plan)
                     for session_id in sorted(subscription.session_ids)
                     if session_id in self._states
                     and (subscription.needs_states or session_id in changed)]
            subscription.needs_states = False
            if subscription.cursor < read_through:  # behind: from the table first
                backlog = backlogs.get(subscription)
                if backlog is None:  # its queue is full; caught up once its client has read
                    subscription.put(texts)
                    continue
                texts += [frame(event, "event", event["id"]) for _, event in backlog]
                if len(backlog) >= MAX_EVENTS_PER_READ:
                    subscription.put(texts, backlog[-1][1]["id"])
                    more = True
                    continue
                subscription.put(texts, read_through)
                texts = []
            if subscription.queued() >= MAX_QUEUED:  # it falls behind and catches up later
                subscription.put(texts)
                continue
            texts += [text for session_id, event_id, text in shared
                      if session_id in subscription.session_ids and event_id > subscription.cursor]
            subscription.put(texts, self.cursor)
        return more

    def _read_states(self, db, watched: list[int]) -> set[int]:
        """Refresh the states of the watched sessions that changed; forget unwatched ones."""
        versions = state_versions(db, watched)
        changed = {session_id for session_id, version in versions.items()
                   if self._versions.get(session_id) != version}
        for session_id in changed:
            self._states[session_id] = session_state(db, db.get(TestSession, session_id))
        self._versions = versions
        self._states = {k: v for k, v in self._states.items() if k in versions}
        return changed

    def _state_text(self, rendered: dict[tuple[int, bool], str], session_id: int,
                    with_plan: bool) -> str:
        key = (session_id, with_plan)
        if key not in rendered:
            state = {**self._states[session_id], "server_now": utcnow().isoformat()}
            if not with_plan:
                state.pop("plan", None)
            rendered[key] = frame(state, "state")
        return rendered[key]

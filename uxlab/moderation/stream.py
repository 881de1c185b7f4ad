"""The live console's Server-Sent Events stream, and the cap on streams per process.

A stream polls the events table after its cursor (:mod:`uxlab.moderation.live`) twice a second.
It takes a database session for each poll and gives it back before it waits, so a hundred
open consoles hold no connections between polls; it knows the database, never the request's
session. Each event frame's ``id`` is the event's id: a browser that reconnects sends it back
as ``Last-Event-ID`` and the stream goes on after it, missing and repeating nothing. State
frames (the session's step, task, timer, outcomes) carry no id: every connection starts with
them. A comment line is sent when nothing else was for :data:`HEARTBEAT` seconds, so proxies
keep the connection; after :data:`LIFETIME` seconds the stream ends and the browser reconnects,
which checks access again. A stream given ``still_allowed`` (an observer link's guest) asks it
every :data:`ACCESS_RECHECK` seconds (``recheck``) and ends as soon as it says no: revoking a link ends its
open streams.

A stream holds a worker thread for as long as it is open: gunicorn's sync workers cannot serve
them (``-k gthread --threads N``, docs/moderation.md), and a process serves at most
``LIVE_STREAMS_PER_PROCESS`` at once; past that the console falls back to polling the same data
as JSON.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from uxlab.db import Database
from uxlab.models import TestSession
from uxlab.moderation.live import events_after, session_state, state_versions

POLL_SECONDS = 0.5
HEARTBEAT = 15.0
LIFETIME = 180.0
#: What the browser waits before reconnecting (milliseconds, the SSE ``retry`` field).
RETRY_MS = 1000
DEFAULT_STREAMS_PER_PROCESS = 16
#: How often a stream with ``still_allowed`` checks it (seconds).
ACCESS_RECHECK = 2.0
#: Streams of one process polling the database at the same moment (the others wait their turn).
DEFAULT_READERS = 3


class StreamSlots:
    """A count of the open streams of this process (kept on the app), up to a cap, and the
    turns streams take at the database: at most ``readers`` polls at once, so streams never take
    more than that many of the pool's connections, whatever the number of consoles."""

    def __init__(self, readers: int = DEFAULT_READERS):
        self._lock = threading.Lock()
        self.open = 0
        self.reading = threading.BoundedSemaphore(readers)

    def take(self, cap: int) -> bool:
        with self._lock:
            if self.open >= cap:
                return False
            self.open += 1
            return True

    def give_back(self) -> None:
        with self._lock:
            self.open -= 1



def frame(data: dict[str, Any], event: str, frame_id: int | None = None) -> str:
    """Return one SSE message (JSON never contains a newline, so one ``data`` line)."""
    head = f"id: {frame_id}\n" if frame_id is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


def read_changes(database: Database, session_ids: list[int], cursor: int,
                 versions: dict[int, tuple], turn: threading.Semaphore | None = None
                 ) -> tuple[list[dict], list[dict]]:
    """One poll: states that changed since ``versions`` (updated in place) and new events.

    The session is opened and closed here, so nothing is held between polls; ``turn`` bounds
    how many polls of the process hold a connection at once.
    """
    with turn or contextlib.nullcontext(), database.read_sessions() as db:
        states = []
        for session_id, version in state_versions(db, session_ids).items():
            if versions.get(session_id) != version:
                versions[session_id] = version
                states.append(session_state(db, db.get(TestSession, session_id),
                                            with_plan=len(session_ids) == 1))
        events = events_after(db, session_ids, cursor)
    return states, events


def event_stream(database: Database, session_ids: list[int], cursor: int, *,
                 turn: threading.Semaphore | None = None, poll: float = POLL_SECONDS, lifetime: float = LIFETIME,
                 heartbeat: float = HEARTBEAT, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep,
                 still_allowed: Callable[[], bool] | None = None,
                 recheck: float = ACCESS_RECHECK) -> Iterator[str]:
    """Yield SSE text for the sessions until ``lifetime`` is over (or ``still_allowed`` says
    no)."""
    yield f"retry: {RETRY_MS}\n\n"
    versions: dict[int, tuple] = {}
    started = last_sent = checked = clock()
    while clock() - started < lifetime:
        if still_allowed is not None and clock() - checked >= recheck:
            checked = clock()
            if not still_allowed():
                yield frame({"cursor": cursor, "reason": "access ended"}, "end")
                return
        states, events = read_changes(database, session_ids, cursor, versions, turn)
        for state in states:
            yield frame(state, "state")
        for event in events:
            cursor = event["id"]
            yield frame(event, "event", cursor)
        if states or events:
            last_sent = clock()
        elif clock() - last_sent >= heartbeat:
            last_sent = clock()
            yield ": heartbeat\n\n"
        sleep(poll)
    yield frame({"cursor": cursor}, "end")

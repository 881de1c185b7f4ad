"""The live console's Server-Sent Events stream, and the cap on streams per process.

A stream subscribes to its process's :class:`~uxlab.moderation.fanout.LivePoller` and sends what
the poller queues for it: it never touches the database itself, so open consoles hold no
connections (the poller holds one for a few milliseconds per tick, for all streams). Each event
frame's ``id`` is the event's id: a browser that reconnects sends it back as ``Last-Event-ID``
and the stream goes on after it, missing and repeating nothing. State frames (the session's step,
task, timer, outcomes) carry no id: every connection starts with them. A comment line is sent when
nothing else was for :data:`HEARTBEAT` seconds, so proxies keep the connection; after
:data:`LIFETIME` seconds the stream ends and the browser reconnects, which checks access again.
A stream given ``still_allowed`` (an observer link's guest) asks it every :data:`ACCESS_RECHECK`
seconds (``recheck``) and ends as soon as it says no: revoking a link ends its open streams.

A stream holds a worker thread for as long as it is open: gunicorn's sync workers cannot serve
them (``-k gthread --threads N``, docs/moderation.md), and a process serves at most
``LIVE_STREAMS_PER_PROCESS`` at once; past that the console falls back to polling the same data
as JSON.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

from uxlab.moderation.fanout import LivePoller, frame

HEARTBEAT = 15.0
LIFETIME = 180.0
#: What the browser waits before reconnecting (milliseconds, the SSE ``retry`` field).
RETRY_MS = 1000
DEFAULT_STREAMS_PER_PROCESS = 16
#: How often a stream with ``still_allowed`` checks it (seconds).
ACCESS_RECHECK = 2.0


class StreamSlots:
    """A count of the open streams of this process (kept on the app), up to a cap."""

    def __init__(self):
        self._lock = threading.Lock()
        self.open = 0

    def take(self, cap: int) -> bool:
        with self._lock:
            if self.open >= cap:
                return False
            self.open += 1
            return True

    def give_back(self) -> None:
        with self._lock:
            self.open -= 1


def event_stream(poller: LivePoller, session_ids: list[int], cursor: int, *,
                 lifetime: float = LIFETIME, heartbeat: float = HEARTBEAT,
                 clock: Callable[[], float] = time.monotonic,
                 still_allowed: Callable[[], bool] | None = None,
                 recheck: float = ACCESS_RECHECK) -> Iterator[str]:
    """Yield SSE text for the sessions, from after ``cursor``, for ``lifetime`` seconds, and
    past that only until the poller first served the stream (at most :data:`LIFETIME`).

    The subscription is made when the response starts and ended however it ends (the client
    gone, the server stopping), so a response never started subscribes to nothing."""
    yield f"retry: {RETRY_MS}\n\n"
    subscription = poller.subscribe(session_ids, cursor)
    try:
        connected = last_sent = checked = clock()
        while True:
            # A stream not yet served when its lifetime is over (a busy poller's first tick)
            # waits for its first frames: every connection starts with its states.
            ends = connected + (lifetime if subscription.fed else max(lifetime, LIFETIME))
            if (left := ends - clock()) <= 0:
                break
            if still_allowed is not None and clock() - checked >= recheck:
                checked = clock()
                if not still_allowed():
                    yield frame({"cursor": subscription.cursor, "reason": "access ended"}, "end")
                    return
            wait = min(left, heartbeat - (clock() - last_sent))
            if still_allowed is not None:
                wait = min(wait, recheck - (clock() - checked))
            texts = subscription.take(max(wait, 0))
            if texts:
                last_sent = clock()
                yield "".join(texts)
            elif clock() - last_sent >= heartbeat:
                last_sent = clock()
                yield ": heartbeat\n\n"
    finally:
        poller.unsubscribe(subscription)
    if rest := "".join(subscription.take(0)):
        yield rest
    yield frame({"cursor": subscription.cursor}, "end")

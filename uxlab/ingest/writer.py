"""Group commit: a writer thread stores every batch waiting, in one transaction.

The event loop parses and checks each request, then hands its batch to :class:`GroupWriter` and
awaits the outcome. The writer takes all the batches waiting at once and stores them with
:func:`uxlab.api.event_batches.store_batches` (one connection check-out, one lookup, one
transaction, one commit for the group) and only then settles each request's future: nothing is
acknowledged before its commit. While it works, the loop goes on reading the next requests,
which make the next group; under load the groups grow and the per-transaction costs (BEGIN,
COMMIT, the fsync, PostgreSQL's round trips) are shared.

A thread, not asyncio database drivers: SQLAlchemy's sync Core on psycopg or sqlite3 is what the
rest of uxlab runs, and both drivers release the GIL while they wait. On SQLite one thread per
process: writers queue for the one write lock anyway. On PostgreSQL two
(:data:`POSTGRESQL_WRITERS`), so that one group's INSERTs run while the other's COMMIT waits for
the disk.
"""

from __future__ import annotations

import asyncio
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

#: At most this many batches per group: a bound on one transaction's size and duration.
MAX_GROUP = 256
#: How long the writer waits after a group's first batch for more to join it (PostgreSQL's
#: ``commit_delay`` idea). Fewer, larger transactions: at 4,000 participants on SQLite the groups
#: grew from about 6 to 10+ batches, the CPU per request fell by a tenth and the writers' waits
#: for the write lock and the WAL checkpoints shortened, which took p99 from 230–400 ms to
#: 115–130 ms (docs/performance.md). It adds at most this much to each answer.
GROUP_LINGER_S = 0.02
#: Writer threads per process on PostgreSQL. At 4,000 participants p99 went from 183, 114, 88
#: and 109 ms with one to 145, 97, 72 and 87 ms with two (alternating runs, docs/performance.md),
#: for about a tenth more CPU per request (smaller groups).
POSTGRESQL_WRITERS = 2

_STOP = object()


class GroupWriter:
    """Stores batches in groups from threads of its own (started on first use, per process).

    With several threads, each takes the next group when it has stored its last: ``store`` must
    be safe to call from several threads at once (separate transactions).
    """

    def __init__(self, store: Callable[[list[Any]], list[Any]], linger: float = GROUP_LINGER_S,
                 threads: int = 1):
        #: Stores a group of batches; returns one outcome per batch, after the commit.
        self.store = store
        self.linger = linger
        self.threads = threads
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def submit(self, batch: Any) -> asyncio.Future:
        """Queue ``batch``; the future (of the running loop) gets its outcome after the commit."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self.start()
        self._queue.put((batch, loop, future))
        return future

    @property
    def running(self) -> bool:
        """Whether the writer's threads are running (they start on first use)."""
        return bool(self._threads) and all(thread.is_alive() for thread in self._threads)

    def start(self) -> None:
        with self._lock:
            self._threads = [thread for thread in self._threads if thread.is_alive()]
            while len(self._threads) < self.threads:
                thread = threading.Thread(target=self._run, name="uxlab-ingest-writer",
                                          daemon=True)
                thread.start()
                self._threads.append(thread)

    def stop(self) -> None:
        """Store what is queued, then end the threads (each takes one stop, after every batch)."""
        with self._lock:
            threads, self._threads = [t for t in self._threads if t.is_alive()], []
        for _ in threads:
            self._queue.put(_STOP)
        for thread in threads:
            thread.join()

    def _run(self) -> None:
        while True:
            group, stopping = self._take_group()
            if group:
                self._store(group)
            if stopping:
                return

    def _take_group(self) -> tuple[list, bool]:
        """Wait for a batch, then for :data:`GROUP_LINGER_S`, then take every batch waiting
        (up to MAX_GROUP)."""
        item = self._queue.get()
        if item is not _STOP:
            time.sleep(self.linger)
        group = []
        while item is not _STOP:
            group.append(item)
            if len(group) == MAX_GROUP:
                return group, False
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return group, False
        return group, True

    def _store(self, group: list) -> None:
        try:
            outcomes = self.store([batch for batch, _, _ in group])
            if len(outcomes) != len(group):
                raise RuntimeError(f"{len(outcomes)} outcomes for a group of {len(group)}")
        except Exception as exc:  # noqa: BLE001  # store_batches answers its own faults
            outcomes = [exc] * len(group)  # every request answered; the thread lives on
        by_loop: dict[asyncio.AbstractEventLoop, list] = {}
        for (_, loop, future), outcome in zip(group, outcomes, strict=True):
            by_loop.setdefault(loop, []).append((future, outcome))
        for loop, settled in by_loop.items():
            try:
                loop.call_soon_threadsafe(_settle, settled)
            except RuntimeError:
                pass  # that loop has closed: nobody waits for these answers any more


def _settle(settled: list[tuple[asyncio.Future, Any]]) -> None:
    for future, outcome in settled:
        if not future.done():
            future.set_result(outcome)

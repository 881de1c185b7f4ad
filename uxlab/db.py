"""Engines and sessions, outside Flask so the CLI, tests and benchmarks use the same set-up.

SQLite gets WAL, foreign keys, a busy timeout and ``BEGIN IMMEDIATE`` for write transactions: a
deferred transaction that reads and later wants to write can fail with "database is locked"
without waiting, while an immediate one waits its turn (busy timeout) at ``BEGIN``. Readers keep
deferred transactions, so page views never queue behind each other. A transaction whose *first*
statement writes waits its turn at that statement just as well, and takes the lock later: the
event ingestion uses such "append" sessions (see :attr:`Database.append_sessions`). PostgreSQL
gets ``pool_pre_ping``.

A :class:`Database` on a SQLite file checkpoints its WAL from a thread of its own, every 0.2 s
(:class:`WalCheckpointer`), instead of SQLite's automatic checkpoint, which runs inside whichever
request's commit crosses 1,000 pages and makes that request wait. The periodic checkpoint also
bounds the WAL under sustained writes: when the file has grown past ``WAL_RESTART_BYTES`` it
checkpoints once more in the writers' turn, so that nothing is written while it copies the last
frames; the next writer then finds the whole WAL in the database and, unless a reader is still
using the WAL, starts it over from its beginning, and ``journal_size_limit`` truncates the file.
A WAL that missed its start-overs that way is restarted in the turn waiting (briefly) for the
readers. Event ingestion's writers take turns by a file lock beside the database
(:class:`WriterTurn`, ``<database>-writers.lock``).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

try:
    import fcntl
except ImportError:  # Windows: writers take turns by SQLite's busy handler alone
    fcntl = None

SQLITE_BUSY_TIMEOUT_MS = 30_000
#: How long a PostgreSQL statement waits for a lock before it fails (``lock_timeout``), as
#: SQLite's writers wait at most ``SQLITE_BUSY_TIMEOUT_MS``: a transaction left holding a lock
#: makes the requests behind it answer 503 (try again) instead of hanging with it.
POSTGRESQL_LOCK_TIMEOUT_MS = SQLITE_BUSY_TIMEOUT_MS
#: How often the WAL is checkpointed (PASSIVE: never waits for, or holds up, readers or writers).
#: Often, so that the checkpoint in the writers' turn below finds little left to copy while
#: writers wait for it: at 4,000 live participants the WAL grows by some 30 MB a second
#: (docs/performance.md).
WAL_CHECKPOINT_INTERVAL_S = 0.2
#: A WAL file larger than this is checkpointed again in the writers' turn (:class:`WriterTurn`),
#: so that it is copied whole and the next writer starts it from its beginning; that writer
#: truncates the file to ``journal_size_limit`` (this size).
WAL_RESTART_BYTES = 16 * 1024 * 1024
#: A WAL file this many times ``WAL_RESTART_BYTES`` has missed its start-overs (a reader was
#: using the WAL each time a writer could have started it over): the turn's checkpoint is then a
#: RESTART, which waits for those readers, up to ``WAL_RESTART_WAIT_MS``.
WAL_FORCED_RESTART_FACTOR = 4
#: How long that RESTART waits for readers to leave the WAL before it gives up until the next turn.
WAL_RESTART_WAIT_MS = 100

_engines: weakref.WeakSet[Engine] = weakref.WeakSet()


#: SQLite's primary result codes for a database that cannot be reached or written just now:
#: BUSY, LOCKED, NOMEM, READONLY, IOERR, FULL, CANTOPEN, PROTOCOL.
_SQLITE_UNAVAILABLE = {5, 6, 7, 8, 10, 13, 14, 15}
#: PostgreSQL's SQLSTATE classes for the same (connection, transaction rollback such as a
#: deadlock, insufficient resources, operator intervention such as a shutdown, system error),
#: and single codes: a read-only transaction (a standby after a failover), lock not available.
_POSTGRESQL_UNAVAILABLE_CLASSES = {"08", "40", "53", "57", "58"}
_POSTGRESQL_UNAVAILABLE_CODES = {"25006", "55P03"}


def database_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` (a SQLAlchemy ``OperationalError``) says the database cannot be reached or
    written just now — a full or read-only disk, a lock held too long, a restarting server — so
    that the same request may work in a moment (503). False for what a retry cannot mend: a
    query naming a column that is not there is SQLite's OperationalError too, and a bug (500)."""
    if getattr(exc, "connection_invalidated", False):
        return True
    cause = getattr(exc, "orig", None)
    code = getattr(cause, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in _SQLITE_UNAVAILABLE
    state = getattr(cause, "sqlstate", None)
    if state:
        return state[:2] in _POSTGRESQL_UNAVAILABLE_CLASSES or state in _POSTGRESQL_UNAVAILABLE_CODES
    # psycopg's own failures have no SQLSTATE: the server could not be reached, or the
    # connection broke.
    return type(cause).__module__.startswith("psycopg")


def _dispose_engines_in_child() -> None:
    # A forked worker (gunicorn) must not share the parent's pooled connections.
    for engine in list(_engines):
        engine.dispose(close=False)


os.register_at_fork(after_in_child=_dispose_engines_in_child)


def _configure_sqlite(engine: Engine, checkpointer: WalCheckpointer | None) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        if checkpointer is not None:
            checkpointer.start()  # in this process, once
        # Take transaction control away from pysqlite so the "begin" hook below decides.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute(f"PRAGMA journal_size_limit = {WAL_RESTART_BYTES}")
        if checkpointer is not None:
            cursor.execute("PRAGMA wal_autocheckpoint = 0")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


class WriterTurn:
    """The turn of a SQLite file's writers, across threads and processes: a context manager.

    SQLite lets one writer in at a time, and one that finds the lock taken sleeps in its busy
    handler (1, 2, 5, 10 … up to 100 ms at a time) however soon the lock is free again; under
    sustained ingestion those sleeps, not the CPU, set the latency (docs/performance.md). An
    exclusive ``flock`` on a file beside the database queues the writers that take it instead:
    the kernel wakes the next one the moment the lock is released. Without ``fcntl`` (Windows)
    it does nothing and SQLite's busy handler alone decides.
    """

    def __init__(self, database_path: str):
        self.path = database_path + "-writers.lock"
        self._threads = threading.Lock()
        self._file = None
        self._pid: int | None = None

    @contextmanager
    def __call__(self) -> Iterator[None]:
        if fcntl is None:
            yield
            return
        with self._threads:  # flock is per open file: the threads of a process share this one
            file = self._open()
            if file is None:  # a folder that cannot be written: SQLite will say so, as a 503
                yield
                return
            fcntl.flock(file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(file, fcntl.LOCK_UN)

    def _open(self):
        if self._pid != os.getpid():  # a forked child opens its own, or shares the parent's lock
            self._pid = os.getpid()
            try:
                self._file = open(self.path, "a")  # noqa: SIM115  # held for the process's life
            except OSError:
                self._file = None  # not tried again at every write: SQLite's busy handler decides
        return self._file

    def close(self) -> None:
        with self._threads:
            if self._file is not None and self._pid == os.getpid():
                self._file.close()
            self._file, self._pid = None, None


class WalCheckpointer:
    """Checkpoints a SQLite file's WAL every ``interval`` seconds from a daemon thread.

    The thread starts with the process's first connection (so a forked gunicorn worker starts
    its own) and uses a connection of its own. :meth:`checkpoint` is one turn, callable directly.
    """

    def __init__(self, path: str, turn: WriterTurn,
                 interval: float = WAL_CHECKPOINT_INTERVAL_S):
        self.path = path
        self.interval = interval
        #: Taken around the checkpoint that lets the WAL start over: the writers that queue by
        #: it wait in that queue, not in SQLite's busy handler, and go on the moment it is done.
        self.turn = turn
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._stopping = threading.Event()

    def start(self) -> None:
        with self._lock:
            if self._pid == os.getpid() or self._stopping.is_set():
                return
            self._pid = os.getpid()
            threading.Thread(target=self._run, name="uxlab-wal-checkpoint", daemon=True).start()

    def stop(self) -> None:
        self._stopping.set()

    def _run(self) -> None:
        while not self._stopping.wait(self.interval):
            try:
                self.checkpoint()
            except sqlite3.Error:
                pass  # busy, or the disk is full or read-only: the requests report that; retry

    def checkpoint(self) -> None:
        """One turn: PASSIVE; and when the WAL has grown past ``WAL_RESTART_BYTES``, PASSIVE
        again in the writers' turn, so that the WAL starts over at the next write.

        Not RESTART or TRUNCATE there as a rule: those also wait, in SQLite's busy handler
        (sleeping 1, 2, 5 … ms), for every reader still using the WAL, and TRUNCATE then
        shortens the file, all while the writers queue; at 4,000 participants that held them
        about 40 ms a time (medians: RESTART 15–22 ms, TRUNCATE 20–25 ms). A reader still using
        the WAL when the next writer comes (a page view, the other process's lookup) puts the
        start-over off to a later turn; once the file has passed ``WAL_FORCED_RESTART_FACTOR``
        times the bound, the turn's checkpoint is a RESTART, which waits for the readers (up
        to ``WAL_RESTART_WAIT_MS``), so that the WAL cannot grow without end.
        """
        try:
            wal_bytes = os.path.getsize(self.path + "-wal")
        except OSError:
            return  # no WAL yet
        # PASSIVE never calls the busy handler; the timeout is the forced RESTART's wait.
        with sqlite3.connect(self.path, timeout=WAL_RESTART_WAIT_MS / 1000,
                             isolation_level=None) as connection:
            connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            if wal_bytes > WAL_RESTART_BYTES:
                forced = wal_bytes > WAL_FORCED_RESTART_FACTOR * WAL_RESTART_BYTES
                with self.turn():
                    connection.execute(
                        f"PRAGMA wal_checkpoint({'RESTART' if forced else 'PASSIVE'})").fetchone()
        connection.close()


def _configure_postgresql(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        # Read at each new connection, so a test may shorten it. In autocommit, so that the
        # pool's rollback on check-in does not undo it.
        dbapi_connection.autocommit = True
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET lock_timeout = {int(POSTGRESQL_LOCK_TIMEOUT_MS)}")
        dbapi_connection.autocommit = False


def make_engine(url: str, checkpointer: WalCheckpointer | None = None,
                pool_size: int | None = None) -> Engine:
    """Create an engine for ``url`` with uxlab's settings for its backend.

    On SQLite, ``checkpointer`` takes over WAL checkpoints from SQLite's automatic ones. On
    PostgreSQL, lock waits end after ``POSTGRESQL_LOCK_TIMEOUT_MS``, and ``pool_size``
    connections are kept open (SQLAlchemy's default is 5, with 10 more opened and closed as
    needed): give it the number of threads that may use the database at once.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        _configure_sqlite(engine, checkpointer)
    else:
        sizing = {} if pool_size is None else {"pool_size": pool_size, "max_overflow": pool_size}
        engine = create_engine(url, pool_pre_ping=True, **sizing)
        _configure_postgresql(engine)
    _engines.add(engine)
    return engine


class Database:
    """An engine with its session factories: for reading, for writing, and for appending."""

    def __init__(self, url: str, pool_size: int | None = None):
        self.url = url
        parsed = make_url(url)
        file = parsed.database if parsed.get_backend_name() == "sqlite" else None
        #: The WAL's periodic checkpoint (SQLite files only).
        on_disk = file and file != ":memory:" and not file.startswith("file:")
        path = str(Path(file).resolve()) if on_disk else None
        self._writer_turn = WriterTurn(path) if path else None
        self.checkpointer = WalCheckpointer(path, self._writer_turn) if path else None
        self.engine = make_engine(url, self.checkpointer, pool_size)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        writer = self.engine.execution_options(sqlite_begin="IMMEDIATE") if self.is_sqlite \
            else self.engine
        self.read_sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.write_sessions = sessionmaker(writer, expire_on_commit=False)
        #: Write sessions for transactions whose first statement is a write (the event inserts).
        #: On SQLite they begin DEFERRED, so the database's one write lock is taken by that
        #: statement, after SQLAlchemy has prepared its parameters, instead of at BEGIN: writers
        #: hold the lock for less time. Only for write-first transactions: one that reads first
        #: cannot wait its turn for the lock when it then writes.
        self.append_sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self, write: bool = True) -> Iterator[Session]:
        """Yield a session; commit if the block succeeds and it is a write session."""
        factory = self.write_sessions if write else self.read_sessions
        with factory() as session:
            try:
                yield session
                if write:
                    session.commit()
            except BaseException:
                session.rollback()
                raise

    def writer_turn(self):
        """A context manager: this SQLite file's writers' turn across processes (:class:`WriterTurn`),
        taken around every write transaction of event ingestion (the ingestion server's groups
        and the web app's events endpoint); a no-op elsewhere."""
        return self._writer_turn() if self._writer_turn is not None else nullcontext()

    def dispose(self) -> None:
        if self.checkpointer is not None:
            self.checkpointer.stop()
        if self._writer_turn is not None:
            self._writer_turn.close()
        self.engine.dispose()

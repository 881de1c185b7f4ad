"""Engines and sessions, outside Flask so the CLI, tests and benchmarks use the same set-up.

SQLite gets WAL, foreign keys, a busy timeout and ``BEGIN IMMEDIATE`` for write transactions: a
deferred transaction that reads and later wants to write can fail with "database is locked"
without waiting, while an immediate one waits its turn (busy timeout) at ``BEGIN``. Readers keep
deferred transactions, so page views never queue behind each other. A transaction whose *first*
statement writes waits its turn at that statement just as well, and takes the lock later: the
event ingestion uses such "append" sessions (see :attr:`Database.append_sessions`). PostgreSQL
gets ``pool_pre_ping``.
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 30_000

_engines: weakref.WeakSet[Engine] = weakref.WeakSet()


def _dispose_engines_in_child() -> None:
    # A forked worker (gunicorn) must not share the parent's pooled connections.
    for engine in list(_engines):
        engine.dispose(close=False)


os.register_at_fork(after_in_child=_dispose_engines_in_child)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        # Take transaction control away from pysqlite so the "begin" hook below decides.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


def make_engine(url: str) -> Engine:
    """Create an engine for ``url`` with uxlab's settings for its backend."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        _configure_sqlite(engine)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    _engines.add(engine)
    return engine


class Database:
    """An engine with its session factories: for reading, for writing, and for appending."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
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

    def dispose(self) -> None:
        self.engine.dispose()

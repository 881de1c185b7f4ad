"""Event ingestion: the hot path from the recorder's batches to ``events`` rows.

A batch is checked whole before anything is written, then inserted with one set-based statement
that skips events already stored (``ON CONFLICT (session_id, event_uuid) DO NOTHING``), so a
batch sent again after a lost answer is harmless. Event rows are only ever inserted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from uxlab.models import Attempt, Event, TestSession
from uxlab.recording.metrics import derive_attempt_metrics
from uxlab.recording.validation import event_rows
from uxlab.timeutil import utcnow

_DIALECT_INSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}
EVENTS = Event.__table__


@dataclass(frozen=True)
class IngestResult:
    """How many events of a batch were new (``accepted``) and how many were already stored."""

    accepted: int
    duplicates: int


def _insert_statement(dialect: str):
    try:
        insert = _DIALECT_INSERTS[dialect]
    except KeyError:
        raise ValueError(f"event ingestion supports SQLite and PostgreSQL, not {dialect!r}") from None
    return (
        insert(EVENTS)
        .on_conflict_do_nothing(index_elements=["session_id", "event_uuid"])
        .returning(EVENTS.c.attempt_id)
    )


def _session_attempts(session: Session, session_id: int, attempt_ids: set[int], dialect: str):
    """Return ``{attempt id: ended?}`` for those of ``attempt_ids`` that belong to the session."""
    query = select(Attempt.id, Attempt.ended_at).where(
        Attempt.session_id == session_id, Attempt.id.in_(sorted(attempt_ids))
    )
    if dialect == "postgresql":
        # Lock the attempts so that an ingestion and the attempt's end (or two ingestions with
        # late events) take turns: each then sees the other's committed rows when it derives the
        # metrics. FOR NO KEY UPDATE leaves foreign-key checks (FOR KEY SHARE) unblocked. SQLite
        # needs nothing: its writers already take turns (BEGIN IMMEDIATE, uxlab.db).
        query = query.with_for_update(key_share=True)
    return {attempt_id: ended_at is not None for attempt_id, ended_at in session.execute(query)}


def ingest_events(
    session: Session, test_session: TestSession, events: list[dict[str, Any]]
) -> IngestResult:
    """Store a batch of recorder events of ``test_session``, each at most once.

    Checks every event against the protocol (docs/recording.md) before writing anything, then
    inserts the new ones with one statement. An event's ``attempt`` is kept only if that attempt
    belongs to the session. Events that arrive for an attempt that has already ended (late
    events) have its metrics derived again in the same transaction. The caller commits.

    Raises
    ------
    uxlab.recording.validation.EventError
        For a batch that breaks the protocol; nothing is written.
    """
    rows = event_rows(events)
    if not rows:
        return IngestResult(accepted=0, duplicates=0)
    dialect = session.get_bind().dialect.name
    claimed = {row["attempt_id"] for row in rows if row["attempt_id"] is not None}
    attempts = _session_attempts(session, test_session.id, claimed, dialect) if claimed else {}
    received_at = utcnow()
    for row in rows:
        row["session_id"] = test_session.id
        row["received_at"] = received_at
        if row["attempt_id"] is not None and row["attempt_id"] not in attempts:
            row["attempt_id"] = None
    inserted = session.execute(_insert_statement(dialect), rows).scalars().all()
    late = {attempt_id for attempt_id in inserted if attempts.get(attempt_id)}
    for attempt_id in sorted(late):
        derive_attempt_metrics(session, session.get(Attempt, attempt_id))
    return IngestResult(accepted=len(inserted), duplicates=len(rows) - len(inserted))

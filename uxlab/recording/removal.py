"""Deleting sessions' raw events, which no foreign key deletes for us.

``events`` rows name their session and attempt without foreign keys (:class:`uxlab.models.Event`:
checking them row by row was two fifths of PostgreSQL's CPU for each stored event). So whoever
deletes sessions deletes their events too, through :func:`delete_session_events`, in the same
transaction and before the sessions themselves.

What keeps an ingestion running at the same moment from leaving events behind:

- PostgreSQL: the ingestion's lookup holds its sessions ``FOR KEY SHARE`` until it commits, and
  :func:`delete_session_events` first locks the sessions ``FOR UPDATE``, which waits for that
  commit; its ``DELETE`` then sees the events just committed. An ingestion that comes after
  finds no session (404).
- SQLite: writers take turns (one write lock), and the ingestion checks again, under the lock,
  that its sessions still exist (:func:`uxlab.recording.ingest.missing_sessions`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from uxlab.models import Event, TestSession


def delete_session_events(session: Session, session_ids: Any) -> int:
    """Delete the events of the sessions ``session_ids`` (ids, or a SELECT of them), which the
    caller deletes next in the same transaction; return how many events were deleted. The
    sessions are locked in id order, as the ingestion's lookup locks them."""
    session.execute(select(TestSession.id).where(TestSession.id.in_(session_ids))
                    .order_by(TestSession.id).with_for_update())
    return session.execute(delete(Event).where(Event.session_id.in_(session_ids)),
                           execution_options={"synchronize_session": False}).rowcount

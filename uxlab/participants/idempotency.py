"""Idempotency keys: the first answer to a participant's call is stored and replayed for repeats.

A double click, a resubmit after a reload, or a retry after a lost response all carry the same
key, so they get the first answer and change nothing (the pattern of payment APIs).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from uxlab.models import IdempotencyKey

MAX_KEY_LENGTH = 100


def stored_answer(session: Session, participant_id: int, key: str
                  ) -> tuple[int, dict[str, Any]] | None:
    row = session.scalar(select(IdempotencyKey).where(
        IdempotencyKey.participant_id == participant_id, IdempotencyKey.key == key))
    return (row.status_code, row.response) if row else None


def run_once(session: Session, participant_id: int, key: str | None, endpoint: str,
             action: Callable[[], tuple[int, dict[str, Any]]]) -> tuple[int, dict[str, Any]]:
    """Run ``action`` once per ``key``: later calls with the key get the stored answer.

    Only successful answers (2xx) are stored; a refused call may be retried with the same key.
    The caller commits.
    """
    if key is None:
        return action()
    if not key or len(key) > MAX_KEY_LENGTH:
        return 400, {"error": "bad idempotency key", "field": "Idempotency-Key",
                     "message": f"must be 1 to {MAX_KEY_LENGTH} characters"}
    previous = stored_answer(session, participant_id, key)
    if previous is not None:
        return previous
    status, body = action()
    if 200 <= status < 300:
        savepoint = session.begin_nested()
        try:
            session.add(IdempotencyKey(participant_id=participant_id, key=key, endpoint=endpoint,
                                       status_code=status, response=body))
            savepoint.commit()
        except IntegrityError:
            # The same key raced in from another request and won; its answer is the answer.
            savepoint.rollback()
            session.rollback()
            return stored_answer(session, participant_id, key) or (status, body)
    return status, body

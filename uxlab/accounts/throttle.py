"""Slowing password guessing: failed log-ins per email address, with a doubling wait.

The first ``FREE_FAILURES`` failures cost nothing, so a researcher who mistypes is never held up;
after that each further attempt for the address must wait ``FIRST_WAIT`` doubled per failure,
at most ``LONGEST_WAIT``. An attacker gets a few dozen guesses a day per address instead of
thousands a second, while the owner is kept out for at most a quarter of an hour at a time.
The count is kept per address typed (known or not), in the database, so it holds across
gunicorn workers and restarts and does not reveal which addresses have accounts. Failures older
than ``FORGET_AFTER`` are forgotten.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from uxlab.models import LoginThrottle

FREE_FAILURES = 5
FIRST_WAIT = timedelta(seconds=1)
LONGEST_WAIT = timedelta(minutes=15)
FORGET_AFTER = timedelta(days=1)

_INSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


def wait_before_next(session: Session, email: str, now: datetime) -> timedelta | None:
    """Return how long ``email`` must wait before its next log-in attempt, or None."""
    row = session.get(LoginThrottle, email)
    if row is None or row.failures < FREE_FAILURES or now - row.last_failure_at > FORGET_AFTER:
        return None
    wait = min(FIRST_WAIT * 2 ** min(row.failures - FREE_FAILURES, 20), LONGEST_WAIT)
    remaining = row.last_failure_at + wait - now
    return remaining if remaining > timedelta(0) else None


def record_failure(session: Session, email: str, now: datetime) -> None:
    """Count a failed log-in for ``email`` (one statement, safe when two arrive at once)."""
    table = LoginThrottle.__table__
    insert = _INSERTS[session.get_bind().dialect.name](table)
    session.execute(insert.values(email=email, failures=1, last_failure_at=now).on_conflict_do_update(
        index_elements=[table.c.email],
        set_={"failures": case((table.c.last_failure_at < now - FORGET_AFTER, 1),
                               else_=table.c.failures + 1),
              "last_failure_at": now},
    ))
    # Keep the table to the addresses tried in the last day.
    session.execute(delete(LoginThrottle).where(LoginThrottle.last_failure_at < now - FORGET_AFTER))


def forget(session: Session, email: str) -> None:
    """Clear ``email``'s failures after a successful log-in."""
    session.execute(delete(LoginThrottle).where(LoginThrottle.email == email))

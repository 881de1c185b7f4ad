"""Slowing password guessing: failed log-ins per address and client, with a doubling wait.

Each attempt is counted per email address *and client* (its IP address): the first
``FREE_FAILURES`` failures cost nothing, so a researcher who mistypes is never held up; after that
each further attempt from that client must wait ``FIRST_WAIT`` doubled per failure, at most
``LONGEST_WAIT``. An attacker guessing from their own machine therefore slows down only
themselves: the owner, on another client, still logs in with the right password at once. A
per-address ceiling (``ADDRESS_FREE_FAILURES`` failures from all clients together, then the same
doubling wait) bounds what an attacker with many addresses can try.

The wait is *claimed* before the password is checked, by one conditional statement per key: an
INSERT … ON CONFLICT DO NOTHING for a first failure, else an UPDATE … WHERE failures = <the value
read>, which only one of several simultaneous attempts can win (on PostgreSQL the losers' UPDATE
re-reads the winner's row and matches nothing; SQLite's writers take turns anyway). The claim
counts the attempt as a failure in advance; a successful log-in takes it back. So 40 guesses sent
at the same moment after a wait get one password check, across any number of worker processes.
The counts live in the database, so they hold across restarts, and are kept per address typed
(known or not), so being slowed does not reveal which addresses have accounts. Failures older than
``FORGET_AFTER`` are forgotten.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from uxlab.models import LoginThrottle

FREE_FAILURES = 5
#: Failures from all clients together before every client must wait too.
ADDRESS_FREE_FAILURES = 50
FIRST_WAIT = timedelta(seconds=1)
LONGEST_WAIT = timedelta(minutes=15)
FORGET_AFTER = timedelta(days=1)
#: The ``client`` of the per-address row.
ANY_CLIENT = "*"
#: Compare-and-set rounds before a claim gives up (each lost round means another attempt won).
_CLAIM_ROUNDS = 20

_INSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


def wait_after(failures: int, free: int = FREE_FAILURES) -> timedelta:
    """How long the next attempt must wait after ``failures`` failures (``free`` cost nothing)."""
    if failures < free:
        return timedelta(0)
    return min(FIRST_WAIT * 2 ** min(failures - free, 20), LONGEST_WAIT)


def claim_attempt(session: Session, email: str, client: str, now: datetime) -> timedelta | None:
    """Claim one password check for ``email`` from ``client``, counted as a failure in advance.

    Return None when claimed (the caller commits, then checks the password), or how long to
    wait (the caller rolls back: nothing was counted).
    """
    session.execute(delete(LoginThrottle).where(LoginThrottle.last_failure_at < now - FORGET_AFTER))
    for key, free in ((client, FREE_FAILURES), (ANY_CLIENT, ADDRESS_FREE_FAILURES)):
        wait = _claim(session, email, key, free, now)
        if wait is not None:
            return wait
    return None


def _claim(session: Session, email: str, client: str, free: int, now: datetime
           ) -> timedelta | None:
    table = LoginThrottle.__table__
    key = (table.c.email == email) & (table.c.client == client)
    for _ in range(_CLAIM_ROUNDS):
        row = session.execute(select(table.c.failures, table.c.next_allowed_at).where(key)).first()
        if row is None:
            insert = _INSERTS[session.get_bind().dialect.name](table)
            inserted = session.execute(insert.values(
                email=email, client=client, failures=1, last_failure_at=now,
                next_allowed_at=now + wait_after(1, free)).on_conflict_do_nothing()
                .returning(table.c.failures)).first()
            if inserted is not None:
                return None
            continue  # inserted by a simultaneous attempt: read its row
        if row.next_allowed_at > now:
            return row.next_allowed_at - now
        failures = row.failures + 1
        claimed = session.execute(update(table).where(key, table.c.failures == row.failures).values(
            failures=failures, last_failure_at=now, next_allowed_at=now + wait_after(failures, free)))
        if claimed.rowcount == 1:
            return None
    return FIRST_WAIT  # every round lost to simultaneous attempts: this one waits


def take_back(session: Session, email: str, client: str) -> None:
    """After a successful log-in: forget the client's failures and take back the claim's count
    on the address (its earlier failures still count toward the ceiling)."""
    table = LoginThrottle.__table__
    session.execute(delete(table).where(table.c.email == email, table.c.client == client))
    address = (table.c.email == email) & (table.c.client == ANY_CLIENT)
    session.execute(delete(table).where(address, table.c.failures <= 1))
    session.execute(update(table).where(address).values(failures=table.c.failures - 1))

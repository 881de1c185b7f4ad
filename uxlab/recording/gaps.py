"""Gaps in a session's event sequence numbers: events a tab numbered but the server never got."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from uxlab.models import Event, TestSession


def sequence_gaps(session: Session, test_session: TestSession) -> dict[str, list[tuple[int, int]]]:
    """Return the missing sequence numbers of each tab of ``test_session`` as inclusive ranges.

    Each tab numbers its events 0, 1, 2, …; a range ``(first, last)`` lists numbers between 0 and
    the highest number stored for that tab that never arrived. Tabs without gaps are left out, so
    an empty dict means nothing is missing (as far as the server can tell: events after a tab's
    last stored one cannot be seen missing). Computed in SQL with ``LAG`` over each tab's numbers.
    """
    previous = func.lag(Event.seq).over(partition_by=Event.tab_id, order_by=Event.seq)
    numbered = (
        select(Event.tab_id.label("tab"), Event.seq.label("seq"), previous.label("previous"))
        .where(Event.session_id == test_session.id)
        .subquery()
    )
    rows = session.execute(
        select(numbered.c.tab, numbered.c.previous, numbered.c.seq)
        .where(or_(
            (numbered.c.previous.is_(None)) & (numbered.c.seq > 0),
            numbered.c.seq - numbered.c.previous > 1,
        ))
        .order_by(numbered.c.tab, numbered.c.seq)
    )
    gaps: dict[str, list[tuple[int, int]]] = {}
    for tab, before, seq in rows:
        first = 0 if before is None else before + 1
        gaps.setdefault(tab, []).append((first, seq - 1))
    return gaps

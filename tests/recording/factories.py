"""Rows for recording tests: a participant's sitting in the demo study, attempts, events."""

from __future__ import annotations

import itertools
import uuid
from datetime import timedelta

from uxlab.models import Attempt, Participant, Study, TestSession
from uxlab.timeutil import utcnow

_codes = itertools.count(1)


def make_sitting(db, study: Study, variant_key: str = "A") -> TestSession:
    """Create a participant of ``study`` on ``variant_key`` with one session, committed."""
    variant = next(v for v in study.variants if v.key == variant_key)
    n = next(_codes)
    participant = Participant(study_id=study.id, code=f"P-T{n:04d}", token=f"token-{n}-{uuid.uuid4()}",
                              variant_id=variant.id)
    db.add(participant)
    db.flush()
    sitting = TestSession(participant_id=participant.id)
    db.add(sitting)
    db.commit()
    return sitting


def make_attempt(db, sitting: TestSession, task_key: str, *, ended: bool = False,
                 outcome: str | None = None) -> Attempt:
    """Create an attempt at ``task_key`` on the sitting's variant, started (and maybe ended)."""
    participant = sitting.participant
    task = next(t for t in participant.study.tasks if t.key == task_key)
    now = utcnow()
    attempt = Attempt(session_id=sitting.id, task_id=task.id, variant_id=participant.variant_id,
                      position=len(sitting.attempts), started_at=now - timedelta(seconds=30),
                      ended_at=now if ended else None, outcome=outcome)
    db.add(attempt)
    db.commit()
    return attempt


class EventMaker:
    """Protocol events of one tab, numbered 0, 1, 2, … with times 1 s apart."""

    def __init__(self, tab: str = "tab-1", attempt: int | None = None, t0: int = 1_700_000_000_000):
        self.tab = tab
        self.attempt = attempt
        self.seq = 0
        self.t = t0

    def __call__(self, type_: str = "click", **fields) -> dict:
        event = {"id": str(uuid.uuid4()), "seq": self.seq, "tab": self.tab, "type": type_,
                 "t": self.t, "attempt": self.attempt}
        event.update(fields)
        self.seq += 1
        self.t += 1000
        return event

    def click(self, target: str = "a", interactive: bool = True, matched=None, **fields) -> dict:
        data = {"interactive": interactive}
        if matched is not None:
            data["matched"] = matched
        return self("click", x=10.0, y=20.0, target=target, data=data, **fields)

    def navigate(self, url: str, **fields) -> dict:
        return self("navigate", url=url, **fields)

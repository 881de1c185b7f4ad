"""Leaving participants out of the analysis, with the reason recorded on the participant.

A researcher excludes a participant by hand (a reason is required) or by a rule for speeders,
people who clicked through without doing the tasks: a total time on task, a single task's time, or
a total number of clicks below a threshold. Nothing is deleted; ``Participant.excluded_at`` and
``exclusion_reason`` say who is left out and why, :mod:`uxlab.analysis.dataset` leaves them out of
the tidy rows, and :func:`include_participant` takes a participant back.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from uxlab.models import Attempt, Participant, Study, TestSession
from uxlab.timeutil import utcnow

#: What a speeder rule measures: measure → (what it says, unit).
SPEEDER_MEASURES = {
    "total_time": ("total time on task", "s"),
    "task_time": ("time on a task", "s"),
    "clicks": ("total clicks", "clicks"),
}
MAX_REASON_LENGTH = 500


@dataclass(frozen=True)
class SpeederRule:
    """Exclude participants whose ``measure`` is below ``below``.

    ``total_time``: the seconds on task summed over the finished attempts of a participant who
    completed the study. ``task_time``: any one finished attempt faster than ``below`` seconds.
    ``clicks``: the clicks summed over the finished attempts of a participant who completed the
    study. Totals wait for completion because a participant still in the study has not yet spent
    their time. ``reason`` replaces the default label of the recorded reason.
    """

    measure: str
    below: float
    reason: str = ""

    def __post_init__(self):
        if self.measure not in SPEEDER_MEASURES:
            raise ValueError(f"unknown speeder measure {self.measure!r}; expected one of "
                             f"{', '.join(SPEEDER_MEASURES)}")
        if isinstance(self.below, bool) or not isinstance(self.below, int | float) or \
                not math.isfinite(self.below) or self.below <= 0:
            raise ValueError(f"the threshold must be a positive number, got {self.below!r}")

    def describe(self) -> str:
        """The rule in words, e.g. ``total time on task below 60 s``."""
        what, unit = SPEEDER_MEASURES[self.measure]
        return f"{what} below {self.below:g} {unit}"


def exclude_participant(session: Session, participant: Participant, reason: str) -> None:
    """Leave ``participant`` out of the analysis, recording ``reason`` (required).

    Excluding an excluded participant again replaces the reason and keeps the first time.
    """
    reason = _checked_reason(reason)
    participant.excluded_at = participant.excluded_at or utcnow()
    participant.exclusion_reason = reason
    session.flush()


def include_participant(session: Session, participant: Participant) -> None:
    """Take an excluded participant back into the analysis (the reason is cleared)."""
    participant.excluded_at = None
    participant.exclusion_reason = None
    session.flush()


def find_participant(session: Session, study: Study, code: str) -> Participant | None:
    """Return the participant of ``study`` with this code (case-insensitive), or None."""
    return session.scalar(select(Participant).where(
        Participant.study_id == study.id, func.upper(Participant.code) == code.strip().upper()))


def find_speeders(session: Session, study: Study, rule: SpeederRule
                  ) -> list[tuple[Participant, float]]:
    """Return the participants of ``study`` not yet excluded whom ``rule`` flags, with the value.

    One grouped query over the finished attempts (those with an outcome).
    """
    statement = (
        select(Participant, func.sum(Attempt.time_on_task_ms), func.min(Attempt.time_on_task_ms),
               func.sum(Attempt.clicks))
        .join(TestSession, TestSession.participant_id == Participant.id)
        .join(Attempt, Attempt.session_id == TestSession.id)
        .where(Participant.study_id == study.id, Participant.excluded_at.is_(None),
               Attempt.outcome.is_not(None))
        .group_by(Participant.id)
        .order_by(Participant.id)
    )
    threshold_ms = rule.below * 1000
    if rule.measure == "total_time":
        statement = statement.where(Participant.completed_at.is_not(None)).having(
            func.sum(Attempt.time_on_task_ms) < threshold_ms)
    elif rule.measure == "task_time":
        statement = statement.having(func.min(Attempt.time_on_task_ms) < threshold_ms)
    else:
        statement = statement.where(Participant.completed_at.is_not(None)).having(
            func.sum(Attempt.clicks) < rule.below)
    flagged = []
    for participant, total_ms, fastest_ms, clicks in session.execute(statement):
        value = {"total_time": (total_ms or 0) / 1000, "task_time": (fastest_ms or 0) / 1000,
                 "clicks": float(clicks or 0)}[rule.measure]
        flagged.append((participant, value))
    return flagged


def exclude_participants(session: Session, study: Study, rule: SpeederRule) -> list[Participant]:
    """Exclude the speeders ``rule`` finds in ``study``; return the participants newly excluded.

    Each reason records the rule and the participant's own value, e.g. ``speeder: total time on
    task 41.2 s (below 60 s)``.
    """
    what, unit = SPEEDER_MEASURES[rule.measure]
    label = rule.reason.strip() or "speeder"
    now = utcnow()
    excluded = []
    for participant, value in find_speeders(session, study, rule):
        participant.excluded_at = now
        participant.exclusion_reason = _checked_reason(
            f"{label}: {what} {value:g} {unit} (below {rule.below:g} {unit})")
        excluded.append(participant)
    session.flush()
    return excluded


def _checked_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("a reason is required to exclude a participant")
    if len(reason) > MAX_REASON_LENGTH:
        raise ValueError(f"the reason is {len(reason)} characters long; keep it to "
                         f"{MAX_REASON_LENGTH}")
    return reason

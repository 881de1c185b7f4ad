"""Over the listed participants, for the results page and the report: notes by kind, the notes
themselves, and how the attempts of moderated sessions were decided."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from uxlab.models import Attempt, Observation, Participant, Task, TestSession, UsabilityProblem
from uxlab.models.feedback import OBSERVATION_KINDS


@dataclass(frozen=True)
class ModeratorOutcomes:
    """Attempts decided by a moderator, of them assisted, and attempts of moderated sessions
    left undecided (no outcome)."""

    decided: int
    assisted: int
    undecided: int


def note_counts(session: Session, participants: Collection[int]) -> dict[str, int]:
    """How many notes of each kind the participants' sessions have (kinds in their usual order)."""
    if not participants:
        return {}
    found = dict(session.execute(
        select(Observation.kind, func.count()).join(TestSession,
                                                    TestSession.id == Observation.session_id)
        .where(TestSession.participant_id.in_(participants)).group_by(Observation.kind)).all())
    return {kind: found[kind] for kind in OBSERVATION_KINDS if found.get(kind)}


def moderator_outcomes(session: Session, participants: Collection[int]) -> ModeratorOutcomes:
    """Decided-by-moderator, assisted and undecided attempts of moderated sessions."""
    if not participants:
        return ModeratorOutcomes(0, 0, 0)
    listed = Attempt.session_id.in_(select(TestSession.id).where(
        TestSession.participant_id.in_(participants)))
    decided, assisted = session.execute(
        select(func.count(), func.count().filter(Attempt.assisted))
        .where(listed, Attempt.decided_by == "moderator")).one()
    undecided = session.scalar(
        select(func.count()).select_from(Attempt).join(TestSession,
                                                       TestSession.id == Attempt.session_id)
        .where(listed, Attempt.outcome.is_(None), Attempt.ended_at.is_not(None),
               TestSession.mode != "unmoderated")) or 0
    return ModeratorOutcomes(decided or 0, assisted or 0, undecided)


@dataclass(frozen=True)
class NoteRow:
    participant: str
    offset_ms: int
    kind: str
    text: str
    severity: int | None
    problem: str | None
    task: str | None


def listed_notes(session: Session, participants: Collection[int]) -> list[NoteRow]:
    """The notes of the participants' sessions, by participant and time."""
    if not participants:
        return []
    rows = session.execute(
        select(Participant.code, Observation.offset_ms, Observation.kind, Observation.text,
               Observation.severity, UsabilityProblem.title, Task.key)
        .select_from(Observation)
        .join(TestSession, TestSession.id == Observation.session_id)
        .join(Participant, Participant.id == TestSession.participant_id)
        .outerjoin(UsabilityProblem, UsabilityProblem.id == Observation.problem_id)
        .outerjoin(Attempt, Attempt.id == Observation.attempt_id)
        .outerjoin(Task, Task.id == Attempt.task_id)
        .where(Participant.id.in_(participants))
        .order_by(Participant.id, TestSession.started_at, Observation.offset_ms, Observation.id))
    return [NoteRow(*row) for row in rows]

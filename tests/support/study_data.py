"""Build recorded study data straight through the models (no participant runner, no HTTP).

``Recorder(db, study)`` adds participants with a session, attempts with their post-task SEQ,
post-study answers, events and observations, as the runner and the moderator console store them.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from uxlab.models import (
    Attempt,
    Event,
    Observation,
    Participant,
    QuestionnaireResponse,
    TestSession,
    UsabilityProblem,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Recorder:
    def __init__(self, db, study):
        self.db, self.study = db, study
        self.variants = {v.key: v for v in study.variants}
        self.tasks = {t.key: t for t in study.tasks}
        self.questionnaires = {q.instrument: q for q in study.questionnaires}
        self._count = 0

    def participant(self, code: str, variant: str | None = "A", *, mode: str = "unmoderated",
                    synthetic: bool = False, completed: bool = True,
                    started_at: datetime | None = None) -> TestSession:
        """Add a participant (assigned to ``variant``) with one session; return the session."""
        self._count += 1
        started_at = started_at or T0 + timedelta(hours=self._count)
        participant = Participant(
            study_id=self.study.id, code=code, token=uuid.uuid4().hex, synthetic=synthetic,
            variant_id=self.variants[variant].id if variant else None,
            consented_at=started_at, completed_at=started_at + timedelta(minutes=20)
            if completed else None)
        session = TestSession(participant=participant, mode=mode, started_at=started_at)
        self.db.add_all([participant, session])
        self.db.flush()
        return session

    def attempt(self, session: TestSession, task: str, variant: str = "A", *,
                outcome: str | None = "success", time_ms: int | None = 30_000, errors: int = 0,
                clicks: int = 5, seq: int | None = None,
                started_at: datetime | None = None, **metrics) -> Attempt:
        """Store an attempt; ``metrics`` sets other attempt columns (direct, path, lostness…)."""
        started_at = started_at or session.started_at + timedelta(minutes=len(session.attempts))
        attempt = Attempt(
            session_id=session.id, task_id=self.tasks[task].id,
            variant_id=self.variants[variant].id, position=len(session.attempts),
            outcome=outcome, decided_by="auto" if outcome else None, started_at=started_at,
            ended_at=started_at + timedelta(milliseconds=time_ms or 0), time_on_task_ms=time_ms,
            errors=errors, clicks=clicks, misclicks=0, **metrics)
        self.db.add(attempt)
        self.db.flush()
        session.attempts.append(attempt)
        if seq is not None:
            self.db.add(QuestionnaireResponse(
                session_id=session.id, questionnaire_id=self.questionnaires["seq"].id,
                attempt_id=attempt.id, scope=f"attempt:{attempt.id}", instrument="seq", item=1,
                value=seq))
            self.db.flush()
        return attempt

    def answers(self, session: TestSession, instrument: str, values, variant: str | None = None,
                scope: str | None = None) -> None:
        """Store post-study answers (``values``: list of item values from item 1)."""
        variant_row = self.variants[variant] if variant else None
        self.db.add_all(
            QuestionnaireResponse(
                session_id=session.id, questionnaire_id=self.questionnaires[instrument].id,
                variant_id=variant_row.id if variant_row else None,
                scope=scope or (f"variant:{variant_row.id}" if variant_row else "study"),
                instrument=instrument, item=item, value=value)
            for item, value in enumerate(values, start=1) if value is not None)
        self.db.flush()

    def event(self, session: TestSession, seq: int, *, attempt: Attempt | None = None,
              type: str = "click", **fields) -> Event:
        event = Event(session_id=session.id, event_uuid=uuid.uuid4(), seq=seq,
                      attempt_id=attempt.id if attempt else None, type=type, **fields)
        self.db.add(event)
        self.db.flush()
        return event

    def observation(self, session: TestSession, text: str, *, attempt: Attempt | None = None,
                    kind: str = "note", problem: UsabilityProblem | None = None,
                    **fields) -> Observation:
        observation = Observation(session_id=session.id, text=text, kind=kind,
                                  attempt_id=attempt.id if attempt else None,
                                  problem_id=problem.id if problem else None, **fields)
        self.db.add(observation)
        self.db.flush()
        return observation

    def problem(self, title: str, severity: int = 2, task: str | None = None
                ) -> UsabilityProblem:
        problem = UsabilityProblem(study_id=self.study.id, title=title, severity=severity,
                                   task_id=self.tasks[task].id if task else None)
        self.db.add(problem)
        self.db.flush()
        return problem


def sus_answers(level: int) -> list[int]:
    """Ten SUS answers: odd items at ``level``, even items mirrored (6 - level)."""
    return [level if i % 2 else 6 - level for i in range(1, 11)]

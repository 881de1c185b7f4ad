"""The participant's path through a study, held on the server (as oTree does).

The steps are derived from the study and the participant's assigned orders; ``participant.step``
says which one the participant is on. Every page shows that step, whatever URL or tab asked; a
submission made for another step is stale and changes nothing (the caller answers 409).

A study with screener questions asks them first (step 0), before consent. A participant the
screener or a full quota turned away (``Participant.turned_away``) stays on that end for good.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from uxlab.models import Attempt, Participant, Questionnaire, Study, Task, TestSession, Variant
from uxlab.participants.assignment import StudyFull, assign
from uxlab.screening.answers import turn_away
from uxlab.timeutil import utcnow


class StaleStep(Exception):
    """A submission for a step the participant is no longer (or not yet) on."""


class StudyUnavailable(Exception):
    """The study is not running, so no one can start or continue it."""


@dataclass(frozen=True)
class Step:
    #: screener | consent | task | post_task | post_study | done
    kind: str
    task: Task | None = None
    variant: Variant | None = None
    questionnaire: Questionnaire | None = None


def steps_for(study: Study, participant: Participant) -> list[Step]:
    """Return every step of ``participant``'s path through ``study``, in order."""
    tasks = {t.key: t for t in study.tasks}
    variants = {v.key: v for v in study.variants}
    task_order = [tasks[k] for k in (participant.task_order or []) if k in tasks]
    post_task = [q for q in study.questionnaires if q.timing == "post_task"]
    post_study = [q for q in study.questionnaires if q.timing == "post_study"]
    if study.design == "within":
        blocks = [variants[k] for k in (participant.variant_order or []) if k in variants]
    else:
        blocks = [participant.variant] if participant.variant else []
    steps = [Step("screener")] if study.screener_questions else []
    steps.append(Step("consent"))
    for variant in blocks:
        for task in task_order:
            steps.append(Step("task", task, variant))
            steps.extend(Step("post_task", task, variant, q) for q in post_task)
        if study.design == "within":
            steps.extend(Step("post_study", None, variant, q) for q in post_study)
    if study.design == "between":
        steps.extend(Step("post_study", None, participant.variant, q) for q in post_study)
    steps.append(Step("done"))
    return steps


def current_step(study: Study, participant: Participant) -> Step:
    steps = steps_for(study, participant)
    return steps[min(participant.step, len(steps) - 1)]


def task_position(study: Study, participant: Participant) -> tuple[int, int]:
    """Return (number of the current task, number of tasks) for "Task 2 of 5"."""
    steps = steps_for(study, participant)
    task_steps = [i for i, s in enumerate(steps) if s.kind == "task"]
    done = sum(1 for i in task_steps if i <= participant.step)
    return done, len(task_steps)


def check_step(participant: Participant, submitted_step: int | None) -> None:
    if submitted_step != participant.step:
        raise StaleStep(f"this page was for step {submitted_step}; you are on step "
                        f"{participant.step}")


def active_session(participant: Participant) -> TestSession | None:
    return participant.sessions[-1] if participant.sessions else None


def consent(session: Session, study: Study, participant: Participant, step: int,
            user_agent: str | None = None, viewport: tuple[int, int] | None = None,
            consent_text_sha256: str | None = None, consent_language: str | None = None,
            skip_screener: bool = False) -> TestSession | None:
    """Record consent, assign the participant, open their session, move to the first task.

    ``consent_text_sha256`` identifies the text agreed to (:mod:`uxlab.privacy.consent`).
    When the quotas leave no place, the participant is turned away as ``full`` instead (no
    consent recorded, no answers kept) and None is returned. ``skip_screener``: the participant
    was chosen by a person (in-person sessions, the simulator), so the screener is not asked.
    """
    if study.status != "running":
        raise StudyUnavailable(study.status)
    check_step(participant, step)
    if study.screener_questions and participant.step == 0:  # on the screener
        if not skip_screener:
            raise StaleStep("the screener comes before consent")
        participant.step += 1
    try:
        assign(session, study, participant)
    except StudyFull:
        turn_away(participant, "full")
        session.flush()
        return None
    test_session = active_session(participant)
    if test_session is None:
        test_session = TestSession(participant=participant, user_agent=(user_agent or "")[:500])
        if viewport:
            test_session.viewport_width, test_session.viewport_height = viewport
        session.add(test_session)
    elif participant.consented_at is None:
        # Made ahead by a moderator: the sitting starts now.
        test_session.started_at = utcnow()
        if user_agent:
            test_session.user_agent = user_agent[:500]
    if participant.consented_at is None:
        participant.consented_at = utcnow()
        participant.consent_text_sha256 = consent_text_sha256
        participant.consent_language = consent_language
    participant.step += 1
    session.flush()
    return test_session


def attempt_for(session: Session, test_session: TestSession, step: Step) -> Attempt | None:
    return session.scalar(select(Attempt).where(
        Attempt.session_id == test_session.id, Attempt.task_id == step.task.id,
        Attempt.variant_id == step.variant.id))


def start_task(session: Session, study: Study, participant: Participant, step_number: int
               ) -> Attempt:
    """Start the current task's attempt (the server's clock starts now). Idempotent."""
    if study.status != "running":
        raise StudyUnavailable(study.status)
    check_step(participant, step_number)
    step = current_step(study, participant)
    if step.kind != "task":
        raise StaleStep("the current step is not a task")
    test_session = active_session(participant)
    attempt = attempt_for(session, test_session, step)
    if attempt is None:
        position = sum(1 for s in steps_for(study, participant)[:participant.step]
                       if s.kind == "task")
        attempt = Attempt(session_id=test_session.id, task_id=step.task.id,
                          variant_id=step.variant.id, position=position, started_at=utcnow())
        session.add(attempt)
        session.flush()
    return attempt


def finish_participant(participant: Participant) -> None:
    """Mark the study completed for ``participant`` and close their session."""
    now = utcnow()
    participant.completed_at = participant.completed_at or now
    test_session = active_session(participant)
    if test_session is not None and test_session.ended_at is None:
        test_session.ended_at = now


def advance(study: Study, participant: Participant) -> Step:
    """Move to the next step; on reaching the end, mark the participant complete."""
    participant.step += 1
    step = current_step(study, participant)
    if step.kind == "done":
        finish_participant(participant)
    return step

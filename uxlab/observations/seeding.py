"""Problems seeded from the study file (``[[problems]]``): kept in step with the file by key.

A seeded problem removed from the file is deleted when nothing refers to it; once notes or grid
cells refer to it, it stays as an ordinary problem (its key cleared) so no observation is lost.
"""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, object_session

from uxlab.models import Observation, ProblemSighting, Study, UsabilityProblem
from uxlab.studies.seeded_problems import ProblemSpec


def sync_seeded_problems(session: Session, study: Study, specs: tuple[ProblemSpec, ...]) -> None:
    """Create, update or retire the study's seeded problems to match ``specs``."""
    session.flush()
    tasks = {t.key: t.id for t in study.tasks}
    existing = {p.key: p for p in session.scalars(select(UsabilityProblem).where(
        UsabilityProblem.study_id == study.id, UsabilityProblem.key.is_not(None)))}
    wanted = {spec.key for spec in specs}
    for key, problem in existing.items():
        if key in wanted:
            continue
        used = session.scalar(select(
            exists().where(Observation.problem_id == problem.id)
            | exists().where(ProblemSighting.problem_id == problem.id)))
        if used:
            problem.key = None
        else:
            session.delete(problem)
    session.flush()
    for spec in specs:
        values = {"title": spec.title, "description": spec.description,
                  "task_id": tasks.get(spec.task) if spec.task else None,
                  "severity": spec.severity, "kind": spec.kind}
        problem = existing.get(spec.key)
        if problem is None:
            session.add(UsabilityProblem(study_id=study.id, key=spec.key, **values))
        else:
            for name, value in values.items():
                setattr(problem, name, value)
    session.flush()


def seeded_problem_specs(study: Study) -> tuple[ProblemSpec, ...]:
    """The ``[[problems]]`` of a stored study, in the order they were seeded."""
    session = object_session(study)
    if session is None or study.id is None:
        return ()
    tasks = {t.id: t.key for t in study.tasks}
    return tuple(
        ProblemSpec(key=p.key, title=p.title, description=p.description,
                    task=tasks.get(p.task_id), severity=p.severity, kind=p.kind)
        for p in session.scalars(select(UsabilityProblem).where(
            UsabilityProblem.study_id == study.id, UsabilityProblem.key.is_not(None))
            .order_by(UsabilityProblem.id)))

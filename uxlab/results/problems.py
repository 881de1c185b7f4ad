"""The usability problems of a study, with how many of the listed participants met each."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from uxlab.models import Observation, Participant, Study, Task, TestSession, UsabilityProblem

#: Nielsen's severity ratings (0–4).
SEVERITY_LABELS = ("not a problem", "cosmetic", "minor", "major", "catastrophe")


@dataclass(frozen=True)
class ProblemRow:
    """A usability problem: ``participants`` is how many listed participants' observations
    link to it (``observations``: how many observations)."""

    id: int
    title: str
    description: str
    severity: int
    task_key: str | None
    task_title: str | None
    participants: int
    observations: int

    @property
    def severity_label(self) -> str:
        return SEVERITY_LABELS[self.severity]


@dataclass(frozen=True)
class ProblemTable:
    """The problems, most severe first, and who could have met them.

    ``observed`` holds the listed participants who were observed: a moderated session or at
    least one observation. ``met`` maps each of them to the ids of the problems they met.
    """

    problems: tuple[ProblemRow, ...]
    observed: tuple[int, ...]
    met: dict[int, frozenset[int]]


def problem_table(session: Session, study: Study, participants: Collection[int],
                  moderated: Collection[int] = ()) -> ProblemTable:
    """Return the problems of ``study`` counted over the participant ids ``participants``.

    ``moderated`` are the ids among them with a moderated session (observed even when nothing
    was logged about them).
    """
    listed = set(participants)
    problems = session.execute(
        select(UsabilityProblem, Task.key, Task.title)
        .outerjoin(Task, Task.id == UsabilityProblem.task_id)
        .where(UsabilityProblem.study_id == study.id)
        .order_by(UsabilityProblem.severity.desc(), UsabilityProblem.id)
    ).all()
    known = {p.id for p, _key, _title in problems}
    links = session.execute(
        select(Observation.problem_id, TestSession.participant_id)
        .join(TestSession, TestSession.id == Observation.session_id)
        .join(Participant, Participant.id == TestSession.participant_id)
        .where(Participant.study_id == study.id)
    ).all()
    met: dict[int, set[int]] = {pid: set() for pid in moderated if pid in listed}
    seen: dict[int, list[int]] = {}
    for problem_id, participant_id in links:
        if participant_id not in listed:
            continue
        met.setdefault(participant_id, set())
        if problem_id in known:
            met[participant_id].add(problem_id)
            seen.setdefault(problem_id, []).append(participant_id)
    rows = tuple(
        ProblemRow(id=p.id, title=p.title, description=p.description, severity=p.severity,
                   task_key=key, task_title=title,
                   participants=len(set(seen.get(p.id, ()))),
                   observations=len(seen.get(p.id, ())))
        for p, key, title in problems)
    return ProblemTable(problems=rows, observed=tuple(sorted(met)),
                        met={pid: frozenset(ids) for pid, ids in met.items()})


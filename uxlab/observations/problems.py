"""Usability problems: made from notes or by hand, renamed, merged, split, rated by several people.

Severity is Nielsen's 0–4 scale. A problem has one working ``severity`` (what the priority uses,
set by an editor); each person may also rate it, and the problem list shows the ratings' median
and range beside it so disagreements are visible.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from uxlab.models import (
    Attempt,
    Observation,
    ProblemSighting,
    SeverityRating,
    Study,
    Task,
    TestSession,
    UsabilityProblem,
    User,
)
from uxlab.models.feedback import PROBLEM_KINDS
from uxlab.observations.notes import FieldError
from uxlab.timeutil import utcnow

#: Nielsen's severity ratings, written out.
SEVERITY_LABELS = ("not a problem", "cosmetic", "minor", "major", "catastrophe")
SEVERITY_HINTS = (
    "I don't agree that this is a usability problem at all",
    "need not be fixed unless extra time is available",
    "fixing this should be given low priority",
    "important to fix, so should be given high priority",
    "imperative to fix this before the product can be released",
)
MAX_TITLE_LENGTH = 300
MAX_DESCRIPTION_LENGTH = 10_000
PROBLEM_FIELDS = ("title", "description", "severity", "task", "kind")


class ProblemError(FieldError):
    """Bad problem input."""


def severity_label(severity: int) -> str:
    """``"3 · major"``."""
    return f"{severity} · {SEVERITY_LABELS[severity]}"


def parse_severity(value: Any, field: str = "severity") -> int:
    """A severity 0–4 from JSON (an int) or a form (a digit string)."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if type(value) is not int or not 0 <= value <= 4:
        raise ProblemError(field, f"must be a whole number 0–4 (Nielsen), not {value!r}")
    return value


def parse_problem(body: Any, study: Study, *, partial: bool = False) -> dict[str, Any]:
    """Validate problem fields (JSON object or form); return the model values to set.

    ``partial``: only the fields given (an edit); otherwise ``title`` is required.
    """
    if not isinstance(body, Mapping):
        raise ProblemError("body", "must be a JSON object")
    unknown = sorted(set(body) - set(PROBLEM_FIELDS) - {"csrf_token"})
    if unknown:
        raise ProblemError(unknown[0], f"unknown field (allowed: {', '.join(PROBLEM_FIELDS)})")
    values: dict[str, Any] = {}
    if "title" in body or not partial:
        title = body.get("title")
        if not isinstance(title, str) or not title.strip():
            raise ProblemError("title", "required: a short name for the problem")
        if len(title.strip()) > MAX_TITLE_LENGTH:
            raise ProblemError("title", f"at most {MAX_TITLE_LENGTH} characters")
        values["title"] = " ".join(title.split())
    if "description" in body:
        description = body["description"]
        if description is None:
            description = ""
        if not isinstance(description, str) or len(description) > MAX_DESCRIPTION_LENGTH:
            raise ProblemError("description", f"must be text of at most "
                                              f"{MAX_DESCRIPTION_LENGTH} characters")
        values["description"] = description.strip()
    if "severity" in body:
        values["severity"] = parse_severity(body["severity"])
    if "task" in body:
        values["task_id"] = _task_id(study, body["task"])
    if "kind" in body:
        if body["kind"] not in PROBLEM_KINDS:
            raise ProblemError("kind", f"must be one of {', '.join(PROBLEM_KINDS)}")
        values["kind"] = body["kind"]
    return values


def _task_id(study: Study, key: Any) -> int | None:
    if key in (None, ""):
        return None
    for task in study.tasks:
        if task.key == key:
            return task.id
    raise ProblemError("task", f"the study has no task {key!r}")


def find_problem(session: Session, study: Study, problem_id: Any) -> UsabilityProblem | None:
    """The problem ``problem_id`` if it belongs to ``study``."""
    try:
        problem_id = int(problem_id)
    except (TypeError, ValueError):
        return None
    problem = session.get(UsabilityProblem, problem_id)
    return problem if problem is not None and problem.study_id == study.id else None


def create_problem(session: Session, study: Study, values: Mapping[str, Any]
                   ) -> UsabilityProblem:
    """Add a problem to ``study`` with validated ``values`` (see :func:`parse_problem`)."""
    problem = UsabilityProblem(study_id=study.id, **{"severity": 2, **values})
    session.add(problem)
    session.flush()
    return problem


def update_problem(problem: UsabilityProblem, values: Mapping[str, Any]) -> None:
    """Rename, re-describe, re-rate or re-assign ``problem``."""
    for name, value in values.items():
        setattr(problem, name, value)
    problem.updated_at = utcnow()


def note_task_id(session: Session, observation: Observation) -> int | None:
    """The task of the attempt a note is tied to, if any."""
    if observation.attempt_id is None:
        return None
    return session.scalar(select(Attempt.task_id).where(Attempt.id == observation.attempt_id))


def promote_note(session: Session, study: Study, observation: Observation,
                 title: str | None = None) -> UsabilityProblem:
    """Make a new problem of a note (its first line as the title unless ``title`` is given)."""
    if title is not None and not isinstance(title, str):
        raise ProblemError("title", "must be text")
    text = title if title is not None else (observation.text.strip().splitlines() or [""])[0]
    values = parse_problem({"title": text[:MAX_TITLE_LENGTH] or f"Problem from a {observation.kind}"},
                           study)
    problem = create_problem(session, study, {
        **values, "severity": observation.severity if observation.severity is not None else 2,
        "task_id": note_task_id(session, observation)})
    observation.problem_id = problem.id
    session.flush()
    return problem


def link_note(session: Session, observation: Observation, problem: UsabilityProblem | None
              ) -> None:
    """Tie a note to an existing problem (None: untie it)."""
    observation.problem_id = problem.id if problem else None
    observation.updated_at = utcnow()
    session.flush()


def merge_problems(session: Session, source: UsabilityProblem, target: UsabilityProblem
                   ) -> UsabilityProblem:
    """Fold ``source`` into ``target``: its notes, grid cells and ratings move; it is deleted.

    A participant met the merged problem if they met either; a person who rated both keeps the
    rating of ``target``. The description of ``source`` is kept below ``target``'s.
    """
    if source.id == target.id:
        raise ProblemError("into", "a problem cannot be merged into itself")
    if source.study_id != target.study_id:
        raise ProblemError("into", "both problems must belong to the same study")
    session.execute(Observation.__table__.update()
                    .where(Observation.problem_id == source.id).values(problem_id=target.id))
    cells = {c.participant_id: c for c in session.scalars(
        select(ProblemSighting).where(ProblemSighting.problem_id == target.id))}
    for cell in session.scalars(select(ProblemSighting)
                                .where(ProblemSighting.problem_id == source.id)).all():
        kept = cells.get(cell.participant_id)
        if kept is None:
            cell.problem_id = target.id
        else:
            kept.met = kept.met or cell.met
            session.delete(cell)
    raters = set(session.scalars(select(SeverityRating.user_id)
                                 .where(SeverityRating.problem_id == target.id)))
    for rating in session.scalars(select(SeverityRating)
                                  .where(SeverityRating.problem_id == source.id)).all():
        if rating.user_id in raters:
            session.delete(rating)
        else:
            rating.problem_id = target.id
    if source.description and source.description not in target.description:
        target.description = "\n\n".join(filter(None, (target.description,
                                                       f"{source.title}: {source.description}")))
    if target.task_id is None:
        target.task_id = source.task_id
    target.updated_at = utcnow()
    session.flush()
    session.delete(source)
    session.flush()
    return target


def split_problem(session: Session, problem: UsabilityProblem, title: str,
                  observation_ids: Iterable[Any]) -> UsabilityProblem:
    """Make a new problem ``title`` of some of ``problem``'s notes (moved to it).

    The new problem takes the severity, task and kind of the old one; cells of the grid set by
    hand stay with the old problem.
    """
    values = parse_problem({"title": title}, problem_study(session, problem))
    try:
        wanted = {int(i) for i in observation_ids}
    except (TypeError, ValueError):
        raise ProblemError("observations", "must be a list of note ids") from None
    if not wanted:
        raise ProblemError("observations", "choose at least one note to move to the new problem")
    linked = set(session.scalars(select(Observation.id)
                                 .where(Observation.problem_id == problem.id)))
    stray = sorted(wanted - linked)
    if stray:
        raise ProblemError("observations", f"note {stray[0]} is not linked to this problem")
    new = create_problem(session, problem_study(session, problem), {
        **values, "severity": problem.severity, "task_id": problem.task_id, "kind": problem.kind})
    session.execute(Observation.__table__.update().where(Observation.id.in_(wanted))
                    .values(problem_id=new.id))
    session.flush()
    return new


def problem_study(session: Session, problem: UsabilityProblem) -> Study:
    return session.get(Study, problem.study_id)


def rate_problem(session: Session, problem: UsabilityProblem, user: User,
                 severity: int | None) -> None:
    """Record ``user``'s severity rating of ``problem`` (None withdraws it)."""
    rating = session.scalar(select(SeverityRating).where(
        SeverityRating.problem_id == problem.id, SeverityRating.user_id == user.id))
    if severity is None:
        if rating is not None:
            session.delete(rating)
    elif rating is None:
        session.add(SeverityRating(problem_id=problem.id, user_id=user.id, severity=severity))
    else:
        rating.severity, rating.rated_at = severity, utcnow()
    session.flush()


def delete_problem(session: Session, problem: UsabilityProblem) -> None:
    """Delete a problem; its notes stay, unlinked."""
    session.execute(Observation.__table__.update()
                    .where(Observation.problem_id == problem.id).values(problem_id=None))
    session.execute(delete(ProblemSighting).where(ProblemSighting.problem_id == problem.id))
    session.delete(problem)
    session.flush()


@dataclass(frozen=True)
class RatingSummary:
    """Several people's severity ratings: how many, the median and the range."""

    ratings: tuple[int, ...]

    @property
    def count(self) -> int:
        return len(self.ratings)

    @property
    def median(self) -> float | None:
        return statistics.median(self.ratings) if self.ratings else None

    @property
    def low(self) -> int | None:
        return min(self.ratings, default=None)

    @property
    def high(self) -> int | None:
        return max(self.ratings, default=None)

    def describe(self) -> str:
        if not self.ratings:
            return "not rated"
        spread = f", range {self.low}–{self.high}" if self.low != self.high else ""
        return f"median {self.median:g} of {self.count} rating{'s' if self.count > 1 else ''}" \
               f"{spread}"


def rating_summaries(session: Session, problem_ids: Iterable[int]) -> dict[int, RatingSummary]:
    """The rating summary of each problem (an empty one where nobody rated it)."""
    ids = list(problem_ids)
    found: dict[int, list[int]] = {i: [] for i in ids}
    if ids:
        for problem_id, severity in session.execute(
                select(SeverityRating.problem_id, SeverityRating.severity)
                .where(SeverityRating.problem_id.in_(ids))):
            found[problem_id].append(severity)
    return {i: RatingSummary(tuple(sorted(values))) for i, values in found.items()}


def problems_of(session: Session, study: Study) -> list[tuple[UsabilityProblem, str | None]]:
    """The problems of ``study`` with their task key, in creation order."""
    return list(session.execute(
        select(UsabilityProblem, Task.key).outerjoin(Task, Task.id == UsabilityProblem.task_id)
        .where(UsabilityProblem.study_id == study.id).order_by(UsabilityProblem.id)))


def linked_notes(session: Session, problem: UsabilityProblem
                 ) -> list[tuple[Observation, TestSession]]:
    """The notes linked to ``problem`` with their sessions, in time order."""
    return list(session.execute(
        select(Observation, TestSession).join(TestSession,
                                              TestSession.id == Observation.session_id)
        .where(Observation.problem_id == problem.id)
        .order_by(TestSession.started_at, Observation.offset_ms)))

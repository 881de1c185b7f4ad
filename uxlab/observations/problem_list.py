"""A study's problem list: who met each problem (x/n with an interval), per variant, by priority,
and the problem-discovery estimate from the grid.

Every number comes from :mod:`uxlab.stats` on the grid's matrix: the frequency interval is the
adjusted-Wald interval used for completion rates, the per-variant comparisons those of completion
(:mod:`uxlab.observations.variants`), the discovery estimate Lewis's (2001) adjusted p.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from uxlab.models import Attempt, Observation, Participant, Study, TestSession, Variant
from uxlab.observations.grid import Grid, build_grid, study_participants
from uxlab.observations.problems import RatingSummary, rating_summaries, severity_label
from uxlab.observations.variants import VariantShare, between_variants, within_variants
from uxlab.stats.discovery import (
    DiscoveryEstimate,
    discovery_probability,
    estimate_p,
    participants_needed,
)
from uxlab.stats.proportions import completion_interval

DISCOVERY_GOALS = (0.85, 0.90)


@dataclass(frozen=True)
class Evidence:
    """A note linked to a problem, with where to find it on the session timeline."""

    participant: str
    session: UUID
    offset_ms: int
    kind: str
    text: str
    after_event: str | None


@dataclass(frozen=True)
class ProblemSummary:
    """One problem of the list: ``met`` of ``observed`` participants, interval, priority."""

    id: int
    key: str | None
    kind: str
    title: str
    description: str
    severity: int
    tasks: tuple[str, ...]
    task_keys: tuple[str, ...]
    met: int
    observed: int
    low: float | None
    high: float | None
    variants: tuple[VariantShare, ...]
    comparisons: tuple[dict, ...]
    ratings: RatingSummary
    quotes: tuple[Evidence, ...]
    evidence: tuple[Evidence, ...]

    @property
    def frequency(self) -> float | None:
        return self.met / self.observed if self.observed else None

    @property
    def observations(self) -> int:
        """How many notes are linked to the problem."""
        return len(self.evidence)

    @property
    def priority(self) -> float:
        """Severity × frequency (0–4)."""
        return self.severity * (self.frequency or 0.0)

    @property
    def severity_label(self) -> str:
        return severity_label(self.severity)


@dataclass(frozen=True)
class Discovery:
    """The discovery estimate of the grid: adjusted p, the share of problems that frequent likely
    found with the participants observed, and participants needed per goal."""

    estimate: DiscoveryEstimate
    share_found: float
    needed: dict[float, int]


@dataclass(frozen=True)
class ProblemList:
    """The problems ranked by priority, the expected behaviours, the grid and discovery."""

    problems: tuple[ProblemSummary, ...]
    expected: tuple[ProblemSummary, ...]
    grid: Grid
    discovery: Discovery | None
    discovery_note: str | None
    confidence: float
    design: str

    @property
    def observed(self) -> int:
        return len(self.grid.participants)

    def discovery_matrix(self) -> list[list[int]]:
        """Observed participants × the problems in list order, 1 where met."""
        return [[int(self.grid.cell(p.id, person.id).met) for p in self.problems]
                for person in self.grid.participants]


def priority_key(problem: ProblemSummary):
    """Catastrophes (4) first, then severity × frequency, then severity, then title."""
    return (problem.severity != 4, -problem.priority, -problem.severity, problem.title.lower())


def problem_list(session: Session, study: Study, participants: Collection[int] | None = None,
                 confidence: float = 0.95) -> ProblemList:
    """Build the problem list of ``study`` over ``participants`` (default: all not excluded)."""
    listed = set(study_participants(session, study) if participants is None else participants)
    grid = build_grid(session, study, listed)
    ratings = rating_summaries(session, [p.id for p in grid.problems])
    notes = _linked_notes(session, study, listed)
    task_titles = {t.id: t.title for t in study.tasks}
    task_keys = {t.id: t.key for t in study.tasks}
    summaries = []
    for problem in grid.problems:
        met = grid.met(problem.id)
        observed = len(grid.participants)
        low = high = None
        if observed:
            interval = completion_interval(len(met), observed, confidence)
            low, high = interval.low, interval.high
        linked = notes.get(problem.id, [])
        task_ids = [problem.task_id] if problem.task_id else []
        task_ids += [note.task_id for note in linked if note.task_id]
        if study.design == "within":
            met_in: dict[str, set[int]] = {}
            for note in linked:
                if note.variant:
                    met_in.setdefault(note.variant, set()).add(note.participant_id)
            variants, comparisons = within_variants(grid, met_in, study, confidence)
        else:
            variants, comparisons = between_variants(grid, {p.id for p in met}, study,
                                                     confidence)
        evidence = tuple(note.evidence for note in linked)
        task_ids = [t for t in dict.fromkeys(task_ids) if t in task_titles]
        summaries.append(ProblemSummary(
            id=problem.id, key=problem.key, kind=problem.kind, title=problem.title,
            description=problem.description, severity=problem.severity,
            tasks=tuple(task_titles[t] for t in task_ids),
            task_keys=tuple(task_keys[t] for t in task_ids),
            met=len(met), observed=observed, low=low, high=high, variants=variants,
            comparisons=comparisons, ratings=ratings[problem.id],
            quotes=tuple(e for e in evidence if e.kind == "quote"), evidence=evidence))
    problems = tuple(sorted((s for s in summaries if s.kind == "problem"), key=priority_key))
    expected = tuple(s for s in summaries if s.kind != "problem")
    discovery, note = _discovery(grid, [p.id for p in grid.problems if p.kind == "problem"])
    return ProblemList(problems=problems, expected=expected, grid=grid, discovery=discovery,
                       discovery_note=note, confidence=confidence, design=study.design)


@dataclass(frozen=True)
class LinkedNote:
    """A note linked to a problem, with the task and variant of its attempt."""

    evidence: Evidence
    participant_id: int
    task_id: int | None
    variant: str | None


def _linked_notes(session: Session, study: Study, listed: Collection[int]
                  ) -> dict[int, list[LinkedNote]]:
    found: dict[int, list[LinkedNote]] = {}
    rows = session.execute(
        select(Observation, Participant.code, TestSession.public_id, Attempt.task_id,
               Participant.id, Variant.key)
        .join(TestSession, TestSession.id == Observation.session_id)
        .join(Participant, Participant.id == TestSession.participant_id)
        .outerjoin(Attempt, Attempt.id == Observation.attempt_id)
        .outerjoin(Variant, Variant.id == Attempt.variant_id)
        .where(Participant.study_id == study.id, Participant.id.in_(listed),
               Observation.problem_id.is_not(None))
        .order_by(TestSession.started_at, Observation.offset_ms, Observation.id))
    for note, code, public_id, task_id, participant_id, variant in rows:
        found.setdefault(note.problem_id, []).append(LinkedNote(Evidence(
            participant=code, session=public_id, offset_ms=note.offset_ms, kind=note.kind,
            text=note.text, after_event=note.after_event), participant_id, task_id, variant))
    return found


def _discovery(grid: Grid, problem_ids: list[int]) -> tuple[Discovery | None, str | None]:
    if not grid.participants:
        return None, "No participant has been observed yet."
    matrix = grid.matrix(set(problem_ids))
    if len(grid.participants) < 2:
        return None, "The estimate needs at least two observed participants."
    try:
        estimate = estimate_p(matrix)
    except ValueError as error:
        return None, f"No estimate: {error}."
    if not 0 < estimate.p_adjusted < 1:
        return None, (f"The adjusted p is {estimate.p_adjusted:.3f}: too few problems or "
                      "participants for a discovery estimate.")
    return Discovery(
        estimate=estimate,
        share_found=discovery_probability(estimate.p_adjusted, estimate.participants),
        needed={goal: participants_needed(estimate.p_adjusted, goal)
                for goal in DISCOVERY_GOALS}), None

"""The problems × participants grid (the "rainbow spreadsheet") and its discovery matrix.

A cell is *met* when a note of the participant is linked to the problem, unless someone set the
cell by hand (:class:`uxlab.models.ProblemSighting`), which wins either way. The participants of
the grid are those observed: with a moderated session, a note, or a cell set by hand.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from uxlab.models import (
    Observation,
    Participant,
    ProblemSighting,
    Study,
    TestSession,
    UsabilityProblem,
    User,
    Variant,
)
from uxlab.timeutil import utcnow

#: Session modes in which a moderator observes the participant.
MODERATED_MODES = ("remote_moderated", "in_person")


@dataclass(frozen=True)
class GridParticipant:
    id: int
    code: str
    variant: str | None


@dataclass(frozen=True)
class Cell:
    """One cell: ``met``; ``by_hand`` when set in the grid; ``notes`` linked notes of the
    participant."""

    met: bool
    by_hand: bool = False
    notes: int = 0


@dataclass(frozen=True)
class Grid:
    """Problems (rows on the page) × observed participants (columns)."""

    problems: tuple[UsabilityProblem, ...]
    participants: tuple[GridParticipant, ...]
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)

    def cell(self, problem_id: int, participant_id: int) -> Cell:
        return self.cells.get((problem_id, participant_id), Cell(False))

    def met(self, problem_id: int) -> list[GridParticipant]:
        return [p for p in self.participants if self.cell(problem_id, p.id).met]

    def matrix(self, problem_ids: Collection[int] | None = None) -> list[list[int]]:
        """Participants × problems of 0/1, in the grid's orders (the discovery input)."""
        columns = [p.id for p in self.problems if problem_ids is None or p.id in problem_ids]
        return [[int(self.cell(problem, person.id).met) for problem in columns]
                for person in self.participants]


def study_participants(session: Session, study: Study) -> list[int]:
    """The ids of the study's participants in the analysis (not excluded)."""
    return list(session.scalars(select(Participant.id).where(
        Participant.study_id == study.id, Participant.excluded_at.is_(None))))


def build_grid(session: Session, study: Study, participants: Collection[int] | None = None
               ) -> Grid:
    """The grid of ``study`` over the participant ids ``participants`` (default: all not
    excluded)."""
    listed = set(study_participants(session, study) if participants is None else participants)
    problems = tuple(session.scalars(select(UsabilityProblem)
                                     .where(UsabilityProblem.study_id == study.id)
                                     .order_by(UsabilityProblem.id)))
    known = {p.id for p in problems}
    observed: set[int] = set(session.scalars(
        select(TestSession.participant_id).join(Participant)
        .where(Participant.study_id == study.id, TestSession.mode.in_(MODERATED_MODES))))
    notes: dict[tuple[int, int], int] = {}
    for problem_id, participant_id in session.execute(
            select(Observation.problem_id, TestSession.participant_id)
            .join(TestSession, TestSession.id == Observation.session_id)
            .join(Participant, Participant.id == TestSession.participant_id)
            .where(Participant.study_id == study.id)):
        observed.add(participant_id)
        if problem_id in known:
            notes[(problem_id, participant_id)] = notes.get((problem_id, participant_id), 0) + 1
    by_hand: dict[tuple[int, int], bool] = {}
    if known:
        for problem_id, participant_id, met in session.execute(
                select(ProblemSighting.problem_id, ProblemSighting.participant_id,
                       ProblemSighting.met).where(ProblemSighting.problem_id.in_(known))):
            observed.add(participant_id)
            by_hand[(problem_id, participant_id)] = met
    shown = observed & listed
    people = tuple(
        GridParticipant(pid, code, variant)
        for pid, code, variant in session.execute(
            select(Participant.id, Participant.code, Variant.key)
            .outerjoin(Variant, Variant.id == Participant.variant_id)
            .where(Participant.id.in_(shown)).order_by(Participant.id))) if shown else ()
    cells = {}
    for key in set(notes) | set(by_hand):
        count = notes.get(key, 0)
        cells[key] = Cell(met=by_hand.get(key, count > 0), by_hand=key in by_hand, notes=count)
    return Grid(problems=problems, participants=people, cells=cells)


def set_cell(session: Session, problem: UsabilityProblem, participant: Participant, met: bool,
             user: User) -> None:
    """Set a grid cell by hand (it then wins over the linked notes)."""
    def existing() -> ProblemSighting | None:
        return session.scalar(select(ProblemSighting).where(
            ProblemSighting.problem_id == problem.id,
            ProblemSighting.participant_id == participant.id))

    cell = existing()
    if cell is None:
        try:
            with session.begin_nested():
                session.add(ProblemSighting(problem_id=problem.id, participant_id=participant.id,
                                            met=met, set_by_id=user.id))
            return
        except IntegrityError:
            # Two people set the same cell at once (PostgreSQL): the last one wins, as below.
            cell = existing()
            if cell is None:
                raise
    cell.met, cell.set_by_id, cell.set_at = met, user.id, utcnow()
    session.flush()


def find_participant(session: Session, study: Study, code: str) -> Participant | None:
    return session.scalar(select(Participant).where(Participant.study_id == study.id,
                                                    Participant.code == code))

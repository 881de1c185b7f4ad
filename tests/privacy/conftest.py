"""A running demo study with three simulated participants (events, attempts, answers), a
moderator's note and a problem sighting on the first one's session."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.conftest import Auth
from uxlab.models import (
    Attempt,
    Event,
    Observation,
    Participant,
    ProblemSighting,
    QuestionnaireResponse,
    TestSession,
    UsabilityProblem,
)
from uxlab.participants.simulate import simulate_participants

OWNER = "owner@example.org"


@pytest.fixture
def owner(make_user):
    return make_user(OWNER)


@pytest.fixture
def study(db, make_study, owner):
    study = make_study(owner=owner)
    study.status = "running"
    simulate_participants(db, study, 3, seed=11)
    db.flush()
    first = db.scalars(select(Participant).where(Participant.study_id == study.id)
                       .order_by(Participant.id)).first()
    sitting = first.sessions[0]
    db.add(Observation(session_id=sitting.id, kind="note", text="hesitated on the coupon field",
                       offset_ms=0))
    problem = UsabilityProblem(study_id=study.id, title="Coupon field is hidden")
    db.add(problem)
    db.flush()
    db.add(ProblemSighting(problem_id=problem.id, participant_id=first.id, met=True))
    db.commit()
    return study


@pytest.fixture
def codes(db, study) -> list[str]:
    return list(db.scalars(select(Participant.code).where(Participant.study_id == study.id)
                           .order_by(Participant.id)))


def rows_of(db, code: str) -> dict[str, int]:
    """How many rows of each kind are tied to the participant with ``code``."""
    sessions = select(TestSession.id).join(Participant).where(Participant.code == code)
    count = lambda statement: db.scalar(select(func.count()).select_from(statement.subquery()))  # noqa: E731
    return {
        "participants": count(select(Participant.id).where(Participant.code == code)),
        "sessions": count(sessions),
        "attempts": count(select(Attempt.id).where(Attempt.session_id.in_(sessions))),
        "events": count(select(Event.id).where(Event.session_id.in_(sessions))),
        "answers": count(select(QuestionnaireResponse.id).where(
            QuestionnaireResponse.session_id.in_(sessions))),
        "observations": count(select(Observation.id).where(Observation.session_id.in_(sessions))),
        "problem_sightings": count(select(ProblemSighting.id).join(Participant).where(
            Participant.code == code)),
    }


def log_in(client, email: str):
    assert Auth(client).login(email).status_code == 302
    return client

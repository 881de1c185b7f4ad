"""A recorded study with screener questions and answers, for the segment tests."""

from __future__ import annotations

import pytest

from tests.exports.conftest import record_study
from uxlab.models import Participant, ScreenerQuestion

#: key → (kind, options), in question order.
QUESTIONS = {
    "shopping": ("single", ["Weekly", "Monthly", "Never"]),
    "devices": ("multiple", ["Phone", "Laptop", "Tablet"]),
    "age": ("number", []),
}


def answers_of(index: int) -> dict:
    """The screener answers of participant ``P-<index>``: every kind, and some left out."""
    answers = {"devices": ["Laptop", "Phone"] if index % 2 == 0 else ["Tablet"],
               "age": 37.5 if index == 5 else 20 + 3 * index}
    if index != 11:
        answers["shopping"] = ("Weekly", "Monthly", "Never")[index % 3]
    return answers


def add_screener(db, study, participants: int = 12) -> dict[str, dict]:
    """Add the :data:`QUESTIONS` to ``study`` and answers to its participants; code → answers."""
    for position, (key, (kind, options)) in enumerate(QUESTIONS.items()):
        db.add(ScreenerQuestion(study_id=study.id, key=key, position=position, kind=kind,
                                text=f"Question {key}?", options=options))
    answers = {}
    for participant in db.query(Participant).filter_by(study_id=study.id):
        index = int(participant.code.rsplit("-", 1)[1])
        participant.screener = answers[participant.code] = answers_of(index)
    db.commit()
    db.refresh(study)
    return answers


@pytest.fixture
def owner(make_user):
    return make_user("owner@example.org")


@pytest.fixture
def screened(db, make_study, owner):
    study = make_study(owner=owner)
    record_study(db, study, seed=3, participants=12)
    add_screener(db, study)
    return study


@pytest.fixture
def asked(db, study):
    """The demo study with the screener questions and nobody recorded."""
    add_screener(db, study)
    return study

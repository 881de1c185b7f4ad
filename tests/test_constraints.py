"""Constraints live in the database: bad rows are refused there, not only in Python."""

from __future__ import annotations

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from uxlab.models import Observation, Participant, TestSession, UsabilityProblem, Variant


def _refused(db, statement):
    with pytest.raises(IntegrityError):
        db.execute(statement)
        db.flush()
    db.rollback()


def test_variant_weight_must_be_positive(db, study):
    _refused(db, insert(Variant).values(study_id=study.id, key="C", name="C", prototype="x",
                                        weight=0, position=3, description=""))


def test_duplicate_variant_key_is_refused(db, study):
    _refused(db, insert(Variant).values(study_id=study.id, key="A", name="again", prototype="x",
                                        weight=1, position=3, description=""))


def test_problem_severity_range(db, study):
    _refused(db, insert(UsabilityProblem).values(study_id=study.id, title="x", severity=5,
                                                 description=""))


def test_foreign_keys_are_enforced(db, study):
    _refused(db, insert(Participant).values(study_id=study.id + 999, code="P-1", token="t",
                                            label="", step=0, synthetic=False, screener={}))


def test_observation_kind_is_checked(db, study):
    participant = Participant(study_id=study.id, code="P-X", token="tok")
    db.add(participant)
    db.flush()
    session = TestSession(participant_id=participant.id)
    db.add(session)
    db.flush()
    _refused(db, insert(Observation).values(session_id=session.id, kind="rumour", offset_ms=0,
                                            text="", tags=[]))

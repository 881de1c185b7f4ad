"""The same draft saved twice at once (two tabs, a retry racing the original) makes one note."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select

from tests.conftest import fresh
from tests.observations.conftest import OWNER
from tests.support.races import race
from uxlab.models import Observation, TestSession, User
from uxlab.observations.notes import NoteInput, save_note


def test_two_saves_of_one_draft_at_once_make_one_note(database, db, study, people, recorded):
    sitting_id, key = recorded[0].id, uuid.uuid4()
    moment = recorded[0].started_at + timedelta(seconds=20)

    def save(text):
        def action(session):
            sitting = session.get(TestSession, sitting_id)
            author = session.scalar(select(User).where(User.email == OWNER))
            return save_note(session, sitting, key, NoteInput("note", text, moment), author)[1]
        return action

    outcome = race(database, save("first"), save("second, longer"))
    assert outcome == {"returned": False}, outcome  # the second found the first and updated it
    notes = fresh(db).scalars(select(Observation)).all()
    assert [(n.client_id, n.text) for n in notes] == [(key, "second, longer")]

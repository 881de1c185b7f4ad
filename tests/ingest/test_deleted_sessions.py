"""Events name their session without a foreign key (uxlab.recording.removal): a participant
deleted while their batches are being stored leaves no event behind, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select, update

from tests.conftest import fresh
from tests.recording.factories import EventMaker, make_attempt, make_sitting
from uxlab.api import event_batches
from uxlab.api.common import ApiError
from uxlab.api.event_batches import prepare_batch, store_batches
from uxlab.models import Event, Participant, ParticipantDeletion, TestSession
from uxlab.privacy.deletion import delete_participant
from uxlab.timeutil import utcnow


class Sitting:
    """A session's ids, read before it is deleted."""

    def __init__(self, sitting):
        self.id, self.public_id = sitting.id, sitting.public_id
        self.participant_id = sitting.participant_id


def _batch(sitting: Sitting, events):
    return prepare_batch(sitting.public_id, {"events": events}, sitting.participant_id)


def _events_of(db, sitting: Sitting) -> int:
    return fresh(db).scalar(select(func.count(Event.id)).where(Event.session_id == sitting.id))


def _delete(database, participant_id: int) -> ParticipantDeletion:
    with database.write_sessions() as session:
        tombstone = delete_participant(session, session.get(Participant, participant_id),
                                       deleted_by="test")
        session.commit()
        return tombstone


def test_a_session_deleted_after_the_lookup_gets_404_and_keeps_no_event(app, database, db,
                                                                        study, sitting,
                                                                        monkeypatch):
    if not database.is_sqlite:
        pytest.skip("PostgreSQL holds the sessions it looked up locked until the commit: "
                    "test_a_deletion_waits_for_the_ingestion_and_deletes_its_events")
    sitting, other = Sitting(sitting), Sitting(make_sitting(db, study))
    decide = event_batches._decide
    deleted = []

    def decide_then_delete(app_, connection, batches):
        decided = decide(app_, connection, batches)
        if not deleted:  # between the lookup and the INSERT, once
            deleted.append(_delete(database, other.participant_id))
        return decided

    monkeypatch.setattr(event_batches, "_decide", decide_then_delete)
    mine, theirs = EventMaker(), EventMaker(tab="o")
    outcomes = store_batches(app, database, [_batch(sitting, [mine.click(), mine.click()]),
                                             _batch(other, [theirs.click()])])
    assert outcomes[0] == {"accepted": 2, "duplicates": 0}
    assert isinstance(outcomes[1], ApiError) and outcomes[1].status == 404
    assert _events_of(db, sitting) == 2
    assert _events_of(db, other) == 0


def test_a_deleted_sessions_id_given_to_a_new_session_meanwhile_gets_none_of_its_events(
        app, database, db, study, sitting, monkeypatch):
    """SQLite gives the highest deleted id to the next new row: the check under the write lock
    compares the public id too."""
    if not database.is_sqlite:
        pytest.skip("PostgreSQL holds the sessions it looked up locked until the commit, and "
                    "its sequences never give an id twice")
    sitting, other = Sitting(sitting), Sitting(make_sitting(db, study))
    decide = event_batches._decide
    newcomer: list = []

    def decide_then_replace(app_, connection, batches):
        decided = decide(app_, connection, batches)
        if not newcomer:
            _delete(database, other.participant_id)
            newcomer.append(Sitting(make_sitting(db, study)))
        return decided

    monkeypatch.setattr(event_batches, "_decide", decide_then_replace)
    outcomes = store_batches(app, database, [_batch(other, [EventMaker().click()])])
    assert newcomer[0].id == other.id  # the id was given again
    assert isinstance(outcomes[0], ApiError) and outcomes[0].status == 404
    assert _events_of(db, newcomer[0]) == 0


def test_a_deletion_waits_for_the_ingestion_and_deletes_its_events(app, database, db, sitting,
                                                                  monkeypatch):
    attempt = make_attempt(db, sitting, "find-product")
    sitting = Sitting(sitting)
    insert = event_batches.run_inserts
    deletion: dict = {}

    def insert_then_race(connection, prepared):
        accepted = insert(connection, prepared)
        racer = threading.Thread(
            target=lambda: deletion.update(tombstone=_delete(database, sitting.participant_id)))
        racer.start()
        racer.join(timeout=0.5)
        deletion["waited"] = racer.is_alive()  # for the ingestion's commit
        deletion["racer"] = racer
        return accepted

    monkeypatch.setattr(event_batches, "run_inserts", insert_then_race)
    make = EventMaker(attempt=attempt.id)
    outcomes = store_batches(app, database, [_batch(sitting, [make.click(), make.click()])])
    deletion["racer"].join(timeout=30)
    assert outcomes == [{"accepted": 2, "duplicates": 0}]
    assert deletion["waited"], "the deletion did not wait for the ingestion's commit"
    assert deletion["tombstone"].counts["events"] == 2
    assert _events_of(db, sitting) == 0


def test_a_batch_for_a_deleted_session_is_answered_404(app, database, db, sitting):
    sitting = Sitting(sitting)
    _delete(database, sitting.participant_id)
    outcomes = store_batches(app, database, [_batch(sitting, [EventMaker().click()])])
    assert isinstance(outcomes[0], ApiError) and outcomes[0].status == 404
    assert _events_of(db, sitting) == 0


def test_an_ingestion_does_not_hold_up_the_end_of_its_session(app, database, db, sitting,
                                                              monkeypatch):
    """The lookup's lock only keeps the session from being deleted (PostgreSQL: FOR KEY SHARE):
    ending the session meanwhile, as the participant's last step does while the recorder
    sends its last batch, neither waits nor deadlocks."""
    if database.is_sqlite:
        pytest.skip("SQLite's writers take turns: the update waits for the write lock")
    sitting = Sitting(sitting)
    insert = event_batches.run_inserts
    ended: dict = {}

    def end_session():
        with database.write_sessions() as session:
            session.execute(update(TestSession).where(TestSession.id == sitting.id)
                            .values(ended_at=utcnow()))
            session.commit()
            ended["done"] = True

    def insert_then_end(connection, prepared):
        accepted = insert(connection, prepared)
        racer = threading.Thread(target=end_session)
        racer.start()
        racer.join(timeout=5)
        ended["waited"] = racer.is_alive()
        ended["racer"] = racer
        return accepted

    monkeypatch.setattr(event_batches, "run_inserts", insert_then_end)
    outcomes = store_batches(app, database, [_batch(sitting, [EventMaker().click()])])
    ended["racer"].join(timeout=30)
    assert outcomes == [{"accepted": 1, "duplicates": 0}]
    assert not ended["waited"] and ended.get("done"), "ending the session waited for the ingestion"

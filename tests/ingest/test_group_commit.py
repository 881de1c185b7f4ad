"""Group commit (uxlab/api/event_batches.py, uxlab/ingest): several batches in one transaction,
each answered on its own, none acknowledged before its rows are committed, SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import uuid
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from tests.conftest import fresh
from tests.recording.factories import EventMaker, make_attempt, make_sitting
from tests.support.asgi import call
from uxlab.api import event_batches
from uxlab.api.common import ApiError
from uxlab.api.event_batches import PreparedBatch, prepare_batch, store_batches
from uxlab.ingest.asgi import IngestApp
from uxlab.models import Attempt, Event, Study
from uxlab.recording.ingest import LATE_AFTER


def _batch(sitting, events, participant_id="own") -> PreparedBatch:
    owner = sitting.participant_id if participant_id == "own" else participant_id
    return prepare_batch(sitting.public_id, {"events": events}, owner)


def _stored(db, **where) -> list[uuid.UUID]:
    return fresh(db).scalars(select(Event.event_uuid).filter_by(**where)).all()


def test_one_group_answers_each_batch_on_its_own(app, database, db, study, sitting):
    other_study = make_sitting(db, study)
    stranger = make_sitting(db, study)
    attempt = make_attempt(db, sitting, "find-product")
    make, theirs = EventMaker(attempt=attempt.id), EventMaker(tab="t2")
    stored_before = [make.click(), make.click()]
    assert store_batches(app, database, [_batch(sitting, stored_before)]) == [
        {"accepted": 2, "duplicates": 0}]
    mine = [make.navigate("index.html"), make.click("a.shoes")]
    group = [
        _batch(sitting, mine),                                   # new
        _batch(sitting, stored_before + [make.click()]),         # partly a replay
        _batch(stranger, [theirs.click()], other_study.participant_id),  # not theirs: 403
        PreparedBatch(uuid.uuid4(), [], None, None),             # unknown session: 404
        _batch(other_study, [theirs.click(), theirs.click()]),   # another session, new
        _batch(sitting, [mine[0]]),                              # in the group twice
    ]
    outcomes = store_batches(app, database, group)
    assert outcomes[0] == {"accepted": 2, "duplicates": 0}
    assert outcomes[1] == {"accepted": 1, "duplicates": 2}
    assert isinstance(outcomes[2], ApiError) and outcomes[2].status == 403
    assert isinstance(outcomes[3], ApiError) and outcomes[3].status == 404
    assert outcomes[4] == {"accepted": 2, "duplicates": 0}
    assert outcomes[5] == {"accepted": 0, "duplicates": 1}
    assert len(_stored(db, session_id=sitting.id)) == 5
    assert len(_stored(db, session_id=stranger.id)) == 0
    assert len(_stored(db, session_id=other_study.id)) == 2
    assert fresh(db).get(Attempt, attempt.id).clicks == 0  # running: nothing derived yet


def test_late_events_and_a_closed_study_in_a_group(app, database, db, study, sitting):
    attempt = make_attempt(db, sitting, "find-product")
    make = EventMaker(attempt=attempt.id)
    ended_long_ago = make_attempt(db, make_sitting(db, study), "find-product", ended=True,
                                  outcome="success")
    db.execute(update(Attempt).where(Attempt.id == ended_long_ago.id).values(
        ended_at=ended_long_ago.started_at - LATE_AFTER - timedelta(seconds=5)))
    db.commit()
    late_sitting = fresh(db).get(type(sitting), ended_long_ago.session_id)
    late = EventMaker(tab="late", attempt=ended_long_ago.id)
    outcomes = store_batches(app, database, [
        _batch(sitting, [make.click("a.shoes")]),
        _batch(late_sitting, [late.click("a.evil"), late.click("a.evil")]),
    ])
    assert outcomes == [{"accepted": 1, "duplicates": 0}, {"accepted": 2, "duplicates": 0}]
    assert len(_stored(db, late=True)) == 2 and len(_stored(db, late=False)) == 1
    assert fresh(db).get(Attempt, ended_long_ago.id).clicks == 0  # late: no metric changes
    db.execute(update(Study).where(Study.id == study.id).values(status="closed"))
    db.commit()
    outcomes = store_batches(app, database, [_batch(sitting, [make.click()]),
                                             _batch(sitting, [make.click("a.shoes")])])
    assert [outcome.status for outcome in outcomes] == [409, 409]


def test_the_last_batch_of_an_ended_attempt_derives_its_metrics_in_the_group(
        app, database, db, study, sitting):
    attempt = make_attempt(db, sitting, "find-product", ended=True, outcome="success")
    other = make_sitting(db, study)
    make = EventMaker(attempt=attempt.id)
    outcomes = store_batches(app, database, [
        _batch(sitting, [make.navigate("index.html"), make.click("a.shoes"),
                         make.navigate("shoes.html")]),
        _batch(other, [EventMaker(tab="o").click()]),
    ])
    assert outcomes == [{"accepted": 3, "duplicates": 0}, {"accepted": 1, "duplicates": 0}]
    ended = fresh(db).get(Attempt, attempt.id)
    assert ended.clicks == 1 and ended.path == ["index.html", "shoes.html"]


def test_a_group_failing_for_one_batch_is_stored_batch_by_batch(app, database, db, study,
                                                                sitting, monkeypatch):
    """A fault of the group caused by one batch (here: a constraint it breaks) costs the other
    batches nothing: each is tried alone, the good one stored, the bad one answered with its
    error."""
    other = make_sitting(db, study)
    insert = event_batches.run_inserts
    tries = []

    def failing(connection, prepared):
        tries.append(len(prepared.batches))
        if any(target.session_id == other.id for target, _ in prepared.batches):
            raise IntegrityError("INSERT", {}, Exception("FOREIGN KEY constraint failed"))
        return insert(connection, prepared)

    monkeypatch.setattr(event_batches, "run_inserts", failing)
    mine, theirs = EventMaker(), EventMaker(tab="o")
    outcomes = store_batches(app, database, [_batch(sitting, [mine.click(), mine.click()]),
                                             _batch(other, [theirs.click()])])
    assert tries == [2, 1, 1]
    assert outcomes[0] == {"accepted": 2, "duplicates": 0}
    assert isinstance(outcomes[1], IntegrityError)
    assert len(_stored(db, session_id=sitting.id)) == 2
    assert _stored(db, session_id=other.id) == []


def test_a_group_the_database_refuses_is_answered_503_at_once(app, database, db, study,
                                                              sitting, monkeypatch):
    """A database that cannot be written or reached fails the group: every batch gets its 503
    with Retry-After at once (nothing stored), instead of meeting the same fault one by one."""
    other = make_sitting(db, study)
    tries = []

    def locked(connection, prepared):
        tries.append(len(prepared.batches))
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(event_batches, "run_inserts", locked)
    mine, theirs = EventMaker(), EventMaker(tab="o")
    outcomes = store_batches(app, database, [_batch(sitting, [mine.click()]),
                                             _batch(other, [theirs.click()])])
    assert tries == [2]
    assert [(o.status, o.headers) for o in outcomes] == [(503, {"Retry-After": "5"})] * 2
    assert _stored(db, session_id=sitting.id) == [] and _stored(db, session_id=other.id) == []


def test_an_unexpected_error_of_one_batch_is_that_batchs_alone(app, database, db, study,
                                                               sitting, monkeypatch):
    other = make_sitting(db, study)
    insert = event_batches.run_inserts

    def failing(connection, prepared):
        if any(target.session_id == other.id for target, _ in prepared.batches):
            raise IntegrityError("INSERT", {}, Exception("a constraint"))
        return insert(connection, prepared)

    monkeypatch.setattr(event_batches, "run_inserts", failing)
    outcomes = store_batches(app, database, [_batch(other, [EventMaker().click()]),
                                             _batch(sitting, [EventMaker().click()])])
    assert isinstance(outcomes[0], IntegrityError)
    assert outcomes[1] == {"accepted": 1, "duplicates": 0}


def test_on_sqlite_the_rows_are_converted_before_the_writers_turn(app, database, db, sitting,
                                                                  monkeypatch):
    """The writers' turn (and SQLite's write lock) is held only to send the rows and commit:
    completing and converting them, a fifth of a group's time in the turn at 4,000
    participants, is done before it is taken."""
    if not database.is_sqlite:
        pytest.skip("the writers' turn is SQLite's (PostgreSQL locks rows)")
    steps = []
    prepare, run = event_batches.prepare_inserts, event_batches.run_inserts
    monkeypatch.setattr(event_batches, "prepare_inserts",
                        lambda *args: steps.append("prepare") or prepare(*args))
    monkeypatch.setattr(event_batches, "run_inserts",
                        lambda *args: steps.append("insert") or run(*args))
    turn = database.writer_turn

    @contextmanager
    def watched_turn():
        steps.append("turn")
        with turn():
            yield

    monkeypatch.setattr(database, "writer_turn", watched_turn)
    make = EventMaker()
    outcomes = store_batches(app, database, [_batch(sitting, [make.click(), make.click()])])
    assert outcomes == [{"accepted": 2, "duplicates": 0}]
    assert steps == ["prepare", "turn", "insert"]
    assert len(_stored(db, session_id=sitting.id)) == 2


# --- through the ASGI app, concurrently -----------------------------------------------------------

@pytest.fixture
def server(app, database):
    server = IngestApp(app, database)
    yield server
    server.writer.stop()


def _post(server, sitting, events, token=None):
    body = {"events": events, **({"token": token} if token else {})}
    return call(server, "POST", f"/api/v1/sessions/{sitting.public_id}/events",
                json.dumps(body).encode(), {"Content-Type": "application/json"})


def test_many_concurrent_batches_are_each_stored_once(app, database, db, study, server):
    """Concurrent requests of 12 participants (with replays and a refused sender among them)
    form groups; every acknowledged event is stored once, replays count as duplicates."""
    from uxlab.recording.auth import ingest_token

    sittings = [make_sitting(db, study) for _ in range(12)]
    makers = [EventMaker(tab=f"tab-{i}") for i in range(12)]
    batches = [(s, [m.click() for _ in range(5)]) for s, m in zip(sittings, makers, strict=True)
               for _ in "ab"]
    groups = []
    store = server.writer.store
    server.writer.store = lambda group: groups.append(len(group)) or store(group)

    async def send_all():
        requests = [_post(server, s, events, ingest_token(app, s.public_id))
                    for s, events in batches]
        requests += [_post(server, s, events, ingest_token(app, s.public_id))
                     for s, events in batches[:6]]  # replays, concurrent with the originals
        requests.append(_post(server, sittings[0], [makers[1].click()],
                              ingest_token(app, sittings[1].public_id)))  # another's token
        return await asyncio.gather(*requests)

    answers = asyncio.run(send_all())
    assert [a.status_code for a in answers] == [200] * 30 + [403]
    acknowledged = [a.get_json() for a in answers[:30]]
    assert sum(a["accepted"] for a in acknowledged) == 24 * 5
    assert sum(a["duplicates"] for a in acknowledged) == 6 * 5
    stored = _stored(db)
    assert len(stored) == len(set(stored)) == 24 * 5
    assert max(groups) > 1  # the writer took several waiting batches at once


def test_two_servers_storing_the_same_batches_at_once_store_each_event_once(
        app, database, database_url, db, study):
    """Two ingestion servers (two processes' writers, each with its own connections) get the
    same batches at the same time, as when a recorder's retry reaches the other process: each
    event is stored once and acknowledged as new by exactly one of them; the ended attempt's
    metrics (locked in turn on PostgreSQL) count every event."""
    from uxlab.db import Database
    from uxlab.recording.auth import ingest_token

    sittings = [make_sitting(db, study) for _ in range(6)]
    ended = make_attempt(db, sittings[0], "find-product", ended=True, outcome="success")
    batches = [(s, [EventMaker(tab=f"t{i}-{k}", attempt=ended.id if i == 0 else None).click()
                    for _ in range(4)]) for i, s in enumerate(sittings) for k in range(3)]
    other_database = Database(database_url)
    servers = [IngestApp(app, database), IngestApp(app, other_database)]

    async def send_all():
        return await asyncio.gather(*(
            _post(server, s, events, ingest_token(app, s.public_id))
            for s, events in batches for server in servers))

    try:
        answers = asyncio.run(send_all())
    finally:
        for server in servers:
            server.writer.stop()
        other_database.dispose()
    assert {a.status_code for a in answers} == {200}
    counts = [a.get_json() for a in answers]
    for first, second in zip(counts[::2], counts[1::2], strict=True):
        assert first["accepted"] + second["accepted"] == 4
        assert first["duplicates"] + second["duplicates"] == 4
    stored = _stored(db)
    assert len(stored) == len(set(stored)) == len(batches) * 4
    assert fresh(db).get(Attempt, ended.id).clicks == 12

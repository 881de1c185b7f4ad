"""SQLite faults under ingestion: a full or read-only disk answers 503 with a JSON body, stores
nothing half-way, and the same batch is stored once when the disk is writable again; the WAL is
checkpointed outside requests and stays bounded under sustained ingestion."""

from __future__ import annotations

import json
import os
import threading

import pytest
from sqlalchemy import event, func, select

from tests.conftest import fresh
from tests.recording.factories import EventMaker
from uxlab import db as uxlab_db
from uxlab.models import Event


@pytest.fixture
def database_url(sqlite_url):
    """These faults are SQLite's own (PostgreSQL's are in tests/test_scale_out.py)."""
    return sqlite_url


def _post(client, sitting, batch):
    return client.post(f"/api/v1/sessions/{sitting.public_id}/events", data=json.dumps(batch),
                       content_type="application/json")


def _stored(db) -> int:
    return fresh(db).scalar(select(func.count()).select_from(Event))


def _with_pragma(database, pragma: str):
    """Make every new connection of ``database`` run ``pragma``; returns the undo."""
    def on_connect(dbapi_connection, _record):
        dbapi_connection.execute(pragma)

    database.engine.dispose()
    event.listen(database.engine, "connect", on_connect)

    def undo():
        event.remove(database.engine, "connect", on_connect)
        database.engine.dispose()
    return undo


def _assert_unavailable(response):
    assert response.status_code == 503, response.get_data(as_text=True)
    assert response.get_json()["error"] == "database unavailable"
    assert "nothing was stored" in response.get_json()["message"]
    assert response.headers["Retry-After"] == "5"


def test_a_full_disk_answers_503_and_the_batch_is_stored_once_space_is_back(
        database, db, as_participant, sitting):
    make = EventMaker()
    page_count = fresh(db).connection().exec_driver_sql("PRAGMA page_count").scalar()
    # SQLite's own way to make the file full: no page may be added beyond its current size.
    undo = _with_pragma(database, f"PRAGMA max_page_count = {page_count}")
    batch = {"events": [make.click(target="x" * 400) for _ in range(50)]}
    _assert_unavailable(_post(as_participant, sitting, batch))
    undo()
    assert _stored(db) == 0
    assert _post(as_participant, sitting, batch).get_json() == {"accepted": 50, "duplicates": 0}
    assert _post(as_participant, sitting, batch).get_json() == {"accepted": 0, "duplicates": 50}
    assert _stored(db) == 50


def test_a_read_only_database_answers_503_then_recovers(database, db, as_participant, sitting):
    make = EventMaker()
    undo = _with_pragma(database, "PRAGMA query_only = ON")  # writes fail as on a read-only disk
    batch = {"events": [make.click() for _ in range(5)]}
    _assert_unavailable(_post(as_participant, sitting, batch))
    undo()
    assert _stored(db) == 0
    assert _post(as_participant, sitting, batch).get_json() == {"accepted": 5, "duplicates": 0}


def test_requests_do_not_checkpoint_the_wal_a_thread_of_their_process_does(
        database, as_participant, sitting):
    make = EventMaker()
    assert _post(as_participant, sitting, {"events": [make.click()]}).status_code == 200
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0
    assert any(t.name == "uxlab-wal-checkpoint" and t.is_alive() for t in threading.enumerate())


def _big_batch(make: EventMaker) -> dict:
    return {"events": [make.click(target="main > button.primary " + "y" * 300)
                       for _ in range(50)]}


def _wal_frames(path: str) -> tuple[int, int]:
    """(frames in the WAL, frames of it already copied to the database), read by a PASSIVE
    checkpoint of a connection of its own (which copies nothing new when nothing is left)."""
    import sqlite3

    with sqlite3.connect(path, isolation_level=None) as connection:
        _busy, frames, copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    connection.close()
    return frames, copied


def test_the_wal_stays_bounded_under_sustained_ingestion(
        database, db, as_participant, sitting, monkeypatch):
    """Writers that never stop (here: one that gets in between the checkpoint's two steps)
    still find the WAL copied whole after a turn that found it past the bound: the next write
    starts it over and truncates the file to the bound."""
    bound = 256 * 1024
    monkeypatch.setattr(uxlab_db, "WAL_RESTART_BYTES", bound)
    database.engine.dispose()  # the writers' connections take the bound as journal_size_limit
    checkpointer = database.checkpointer
    checkpointer.stop()  # the test takes the thread's turns itself, deterministically
    wal = checkpointer.path + "-wal"
    make = EventMaker()
    for _ in range(12):  # no checkpoint: the WAL holds every page written
        assert _post(as_participant, sitting, _big_batch(make)).status_code == 200
    assert os.path.getsize(wal) > 2 * bound

    writers_turn = checkpointer.turn

    def turn_after_a_write():
        # A writer gets in after the PASSIVE outside the turn and before the turn is taken.
        assert _post(as_participant, sitting, _big_batch(make)).status_code == 200
        return writers_turn()

    monkeypatch.setattr(checkpointer, "turn", turn_after_a_write)
    checkpointer.checkpoint()
    frames, copied = _wal_frames(checkpointer.path)
    assert frames == copied  # the write that came in between was copied too, in the turn
    assert _post(as_participant, sitting, _big_batch(make)).status_code == 200
    assert os.path.getsize(wal) <= bound
    assert _stored(db) == 14 * 50


def test_the_checkpoint_in_the_writers_turn_does_not_wait_for_readers(
        database, db, as_participant, sitting, monkeypatch):
    """A page view reading an older snapshot of the WAL does not hold up the turn (and with it
    every writer) until it ends: the turn's checkpoint copies what it can and lets go."""
    import time

    monkeypatch.setattr(uxlab_db, "WAL_RESTART_BYTES", 1)
    checkpointer = database.checkpointer
    checkpointer.stop()
    make = EventMaker()
    assert _post(as_participant, sitting, _big_batch(make)).status_code == 200
    with database.engine.connect() as reader, reader.begin():
        reader.exec_driver_sql("SELECT count(*) FROM events").scalar()  # holds its snapshot
        assert _post(as_participant, sitting, _big_batch(make)).status_code == 200
        started = time.monotonic()
        checkpointer.checkpoint()
        waited = time.monotonic() - started
    assert waited < uxlab_db.WAL_CHECKPOINT_WAIT_MS / 1000 / 4, waited
    assert _stored(db) == 100

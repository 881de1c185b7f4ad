"""SQLite faults under ingestion: a full or read-only disk answers 503 with a JSON body, stores
nothing half-way, and the same batch is stored once when the disk is writable again; the WAL is
checkpointed outside requests and stays bounded under sustained ingestion."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time

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


def _reader_on_the_wal(path: str):
    """A connection in a read transaction begun while the WAL holds frames not yet copied: it
    uses the WAL (a read mark), so no writer can start the WAL over until it ends."""
    reader = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM events").fetchone()
    return reader


def _fill_the_wal(as_participant, sitting, make, posts: int) -> None:
    for _ in range(posts):  # no checkpoint meanwhile: the WAL holds every page written
        assert _post(as_participant, sitting, _big_batch(make)).status_code == 200


def _bounded(monkeypatch, database, bound: int):
    monkeypatch.setattr(uxlab_db, "WAL_RESTART_BYTES", bound)
    database.engine.dispose()  # the writers' connections take the bound as journal_size_limit
    database.checkpointer.stop()  # the test takes the thread's turns itself, deterministically
    return database.checkpointer


def test_the_wal_stays_bounded_under_sustained_ingestion(
        database, db, as_participant, sitting, monkeypatch):
    """A writer that gets in between the checkpoint's two steps, while a page view keeps it from
    starting the WAL over, appends to the WAL; the checkpoint in the writers' turn copies that
    too, so the next write starts the WAL over and truncates the file to the bound."""
    bound = 256 * 1024
    checkpointer = _bounded(monkeypatch, database, bound)
    wal = checkpointer.path + "-wal"
    make = EventMaker()
    _fill_the_wal(as_participant, sitting, make, 12)
    assert 2 * bound < os.path.getsize(wal) < uxlab_db.WAL_FORCED_RESTART_FACTOR * bound
    reader = _reader_on_the_wal(checkpointer.path)
    writers_turn = checkpointer.turn

    def turn_after_a_write():
        # After the PASSIVE outside the turn, before the turn: a write, then the page view ends.
        assert _post(as_participant, sitting, _big_batch(make)).status_code == 200
        reader.execute("ROLLBACK")
        return writers_turn()

    monkeypatch.setattr(checkpointer, "turn", turn_after_a_write)
    try:
        checkpointer.checkpoint()
    finally:
        reader.close()
    assert _post(as_participant, sitting, _big_batch(make)).status_code == 200
    assert os.path.getsize(wal) <= bound
    assert _stored(db) == 14 * 50


def test_the_checkpoint_in_the_writers_turn_does_not_wait_for_readers(
        database, db, as_participant, sitting, monkeypatch):
    """A page view reading an older snapshot of the WAL does not hold up the turn (and with it
    every writer) until it ends: the turn's checkpoint copies what it can and lets go."""
    checkpointer = _bounded(monkeypatch, database, 64 * 1024)
    monkeypatch.setattr(uxlab_db, "WAL_RESTART_WAIT_MS", 2_000)
    make = EventMaker()
    _fill_the_wal(as_participant, sitting, make, 2)
    wal_bytes = os.path.getsize(checkpointer.path + "-wal")
    assert 64 * 1024 < wal_bytes < uxlab_db.WAL_FORCED_RESTART_FACTOR * 64 * 1024
    reader = _reader_on_the_wal(checkpointer.path)
    try:
        assert _post(as_participant, sitting, _big_batch(make)).status_code == 200
        started = time.monotonic()
        checkpointer.checkpoint()
        waited = time.monotonic() - started
    finally:
        reader.close()
    assert waited < 0.5, waited
    assert _stored(db) == 150


def test_a_wal_that_missed_its_start_overs_is_restarted_waiting_for_readers(
        database, db, as_participant, sitting, monkeypatch):
    """Readers on the WAL each time a writer could have started it over (a busy researcher's
    pages) would let it grow without end; past the forced-restart size the turn's checkpoint
    waits for them (a bounded while) and the next write starts the WAL over."""
    bound = 128 * 1024
    checkpointer = _bounded(monkeypatch, database, bound)
    monkeypatch.setattr(uxlab_db, "WAL_RESTART_WAIT_MS", 2_000)
    wal = checkpointer.path + "-wal"
    make = EventMaker()
    _fill_the_wal(as_participant, sitting, make, 12)
    assert os.path.getsize(wal) > uxlab_db.WAL_FORCED_RESTART_FACTOR * bound
    reader = _reader_on_the_wal(checkpointer.path)
    ends = threading.Timer(0.2, reader.execute, ["ROLLBACK"])
    ends.start()
    try:
        started = time.monotonic()
        checkpointer.checkpoint()
        waited = time.monotonic() - started
        assert _post(as_participant, sitting, _big_batch(make)).status_code == 200
    finally:
        ends.join()
        reader.close()
    assert waited >= 0.15, waited  # it waited for the page view to end
    assert os.path.getsize(wal) <= bound
    assert _stored(db) == 13 * 50

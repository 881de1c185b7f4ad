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


def test_the_wal_stays_bounded_under_sustained_ingestion(
        database, db, as_participant, sitting, monkeypatch):
    bound = 256 * 1024
    monkeypatch.setattr(uxlab_db, "WAL_RESTART_BYTES", bound)
    database.checkpointer.stop()  # the test takes the thread's turns itself, deterministically
    wal = database.checkpointer.path + "-wal"
    make = EventMaker()
    before, after = [], []
    for turn in range(24):
        batch = {"events": [make.click(target="main > button.primary " + "y" * 300)
                            for _ in range(50)]}
        assert _post(as_participant, sitting, batch).status_code == 200
        if turn % 3 == 2:
            before.append(os.path.getsize(wal))
            database.checkpointer.checkpoint()
            after.append(os.path.getsize(wal))
    assert _stored(db) == 1200
    # Without checkpoints the WAL would hold every page written (the sum); each checkpoint
    # that found it past the bound started it over and truncated it.
    assert sum(before) > 2 * bound, before
    assert all(size <= bound for size in after), after
    assert all(b <= bound or a == 0 for b, a in zip(before, after, strict=True)), (before, after)

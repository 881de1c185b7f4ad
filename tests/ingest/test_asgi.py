"""The ingestion server's ASGI app beyond what Flask's route shares with it: bodies that arrive
in chunks, a client that goes away, the lifespan that starts and stops its writer, and a
database that cannot be written (503 for every batch of the group, then recovery)."""

from __future__ import annotations

import asyncio
import json
import threading

import pytest
from sqlalchemy import func, select

from tests.api.test_database_faults import _with_pragma
from tests.conftest import fresh
from tests.recording.factories import EventMaker
from tests.support.asgi import call, http_scope, writer_threads_since
from uxlab.api.common import MAX_BODY_BYTES
from uxlab.ingest.asgi import IngestApp
from uxlab.models import Event
from uxlab.recording.auth import ingest_token


@pytest.fixture
def server(app, database):
    server = IngestApp(app, database)
    yield server
    server.writer.stop()


def _exchange(server, path: str, chunks: list[bytes], then_disconnect: bool = False):
    """Send a body in ``chunks`` without Content-Length (chunked); returns what was sent back."""
    messages = [{"type": "http.request", "body": chunk, "more_body": True} for chunk in chunks]
    if not then_disconnect:
        messages[-1]["more_body"] = False
    messages.reverse()
    sent = []

    async def receive():
        return messages.pop() if messages else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    scope = http_scope("POST", path, {"Content-Type": "application/json"})
    asyncio.run(server(scope, receive, send))
    return sent


def test_a_chunked_body_is_read_whole_and_refused_past_the_limit(app, db, server, sitting):
    path = f"/api/v1/sessions/{sitting.public_id}/events"
    body = json.dumps({"events": [EventMaker().click() for _ in range(3)],
                       "token": ingest_token(app, sitting.public_id)}).encode()
    sent = _exchange(server, path, [body[:10], body[10:50], body[50:]])
    assert sent[0]["status"] == 200
    assert json.loads(sent[1]["body"]) == {"accepted": 3, "duplicates": 0}
    too_large = b" " * (MAX_BODY_BYTES // 2)
    sent = _exchange(server, path, [too_large, too_large, b"{}"])
    assert sent[0]["status"] == 413
    assert json.loads(sent[1]["body"])["error"] == "body too large"


def test_a_client_gone_before_its_body_ended_gets_no_answer_and_stores_nothing(
        app, db, server, sitting):
    body = json.dumps({"events": [EventMaker().click()],
                       "token": ingest_token(app, sitting.public_id)}).encode()
    sent = _exchange(server, f"/api/v1/sessions/{sitting.public_id}/events", [body[:20]],
                     then_disconnect=True)
    assert sent == []
    assert fresh(db).scalar(select(func.count()).select_from(Event)) == 0


def test_the_lifespan_starts_and_stops_the_writer(app, database):
    server = IngestApp(app, database)
    before = set(threading.enumerate())
    messages = [{"type": "lifespan.shutdown"}, {"type": "lifespan.startup"}]
    sent = []

    async def receive():
        return messages.pop()

    async def send(message):
        sent.append(message["type"])
        if message["type"] == "lifespan.startup.complete":
            assert server.writer.running
            # SQLite's writers queue for its one write lock; PostgreSQL's overlap.
            assert len(writer_threads_since(before)) == (1 if database.is_sqlite else 2)

    asyncio.run(server({"type": "lifespan"}, receive, send))
    assert sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert not server.writer.running
    assert writer_threads_since(before) == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # SQLite's own fault
def test_a_read_only_database_answers_503_then_recovers(app, database, db, server, sitting):
    token = ingest_token(app, sitting.public_id)
    batch = json.dumps({"events": [EventMaker().click() for _ in range(5)],
                        "token": token}).encode()

    async def post_twice():  # two at once: one group, then each batch alone
        return await asyncio.gather(*(call(server, "POST", path, batch, headers)
                                      for _ in range(2)))

    path = f"/api/v1/sessions/{sitting.public_id}/events"
    headers = {"Content-Type": "application/json"}
    undo = _with_pragma(database, "PRAGMA query_only = ON")  # writes fail as on a read-only disk
    refused = asyncio.run(post_twice())
    assert [(a.status_code, a.headers["Retry-After"]) for a in refused] == [(503, "5")] * 2
    assert fresh(db).scalar(select(func.count()).select_from(Event)) == 0
    undo()
    answers = [a.get_json() for a in asyncio.run(post_twice())]
    assert sorted(a["accepted"] for a in answers) == [0, 5]
    assert fresh(db).scalar(select(func.count()).select_from(Event)) == 5

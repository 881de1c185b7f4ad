"""PostgreSQL restarted while participants' batches stream in: every batch the server
acknowledged is stored, once; while the database is away the API answers 503 (JSON), never 500,
and the batches sent again with the same event ids are stored when it is back."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
import uuid

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.conftest import fresh
from tests.recording.factories import EventMaker, make_sitting
from tests.support.live_server import LiveServer
from uxlab.models import Event
from uxlab.recording.auth import ingest_token

pytestmark = pytest.mark.postgres
SENDERS = 4


@pytest.fixture
def database_url(postgres_url):
    return postgres_url


@pytest.fixture
def cluster(postgres_cluster):
    if postgres_cluster is None or isinstance(postgres_cluster, Exception):
        pytest.skip("needs the test run's own PostgreSQL cluster to restart it "
                    "(not UXLAB_TEST_POSTGRES_URL)")
    return postgres_cluster


@pytest.fixture
def server(database_url, tmp_path):
    live = LiveServer(database_url, str(tmp_path / "instance"))
    live.start()
    yield live
    live.stop()


class Sender(threading.Thread):
    """One participant's recorder: batches of 10 events, each sent until acknowledged."""

    def __init__(self, server: LiveServer, public_id: uuid.UUID, stop: threading.Event):
        super().__init__(daemon=True)
        token = ingest_token(_signer(), public_id)
        self.url = f"{server.url}/api/v1/sessions/{public_id}/events"
        self.token, self.stop = token, stop
        self.acknowledged: set[str] = set()
        self.statuses: list[int] = []
        self.unexpected: list[str] = []
        self.make = EventMaker(tab=uuid.uuid4().hex[:8])

    def run(self):
        while not self.stop.is_set():
            batch = [self.make.click() for _ in range(10)]
            body = json.dumps({"events": batch, "token": self.token}).encode()
            while True:  # the recorder's retry, with the same event ids
                status, answer = self._post(body)
                self.statuses.append(status)
                if status == 200:
                    self.acknowledged.update(e["id"] for e in batch)
                    break
                if status != 503 and status != 0:
                    self.unexpected.append(f"{status} {answer[:300]!r}")
                    return
                time.sleep(0.05)

    def _post(self, body: bytes) -> tuple[int, bytes]:
        request = urllib.request.Request(self.url, data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            with error:
                body = error.read()
            if error.code == 503:
                assert json.loads(body)["error"] == "database unavailable"
            return error.code, body
        except OSError as error:  # the server itself stays up; a reset connection is retried
            return 0, repr(error).encode()


def _signer() -> Flask:
    app = Flask(__name__)
    app.config["SECRET_KEY"] = "live-server-secret"  # tests/support/live_server.py's
    return app


def _wait_for(condition, limit_s: float = 120.0):
    deadline = time.monotonic() + limit_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_no_acknowledged_event_is_lost_when_postgresql_restarts(db, study, server, cluster):
    sittings = [make_sitting(db, study) for _ in range(SENDERS)]
    stop = threading.Event()
    senders = [Sender(server, s.public_id, stop) for s in sittings]
    for sender in senders:
        sender.start()
    acknowledged = lambda: sum(len(s.acknowledged) for s in senders)  # noqa: E731
    _wait_for(lambda: acknowledged() >= 200)
    cluster.restart()
    after_restart = acknowledged()
    _wait_for(lambda: acknowledged() >= after_restart + 200
              or any(s.unexpected for s in senders))
    stop.set()
    for sender in senders:
        sender.join(timeout=60)

    assert [s.unexpected for s in senders] == [[]] * SENDERS
    fresh(db)
    for sitting, sender in zip(sittings, senders, strict=True):
        stored = db.scalars(select(Event.event_uuid).where(Event.session_id == sitting.id)).all()
        assert {str(u) for u in stored} == sender.acknowledged
    assert db.scalar(select(func.count()).select_from(Event)) == acknowledged()

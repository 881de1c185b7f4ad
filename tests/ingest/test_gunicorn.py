"""The documented command line serves the ingestion server: gunicorn with uvicorn's worker,
keep-alive connections (a participant's browser reuses its connection for every batch)."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.recording.factories import EventMaker
from tests.support.postgres import free_port
from uxlab.recording.auth import ingest_token

GUNICORN = Path(sys.executable).with_name("gunicorn")
START_LIMIT_S = 90  # importing the app was seen near 20 s on a loaded machine


@pytest.fixture
def ingest_server(app, database_url, tmp_path):
    """``gunicorn -k uvicorn_worker.UvicornWorker 'uxlab.ingest.asgi:create_ingest_app()'``
    on a free port, with the test app's database and secret key; yields the port."""
    port = free_port()
    log = (tmp_path / "gunicorn.log").open("wb")
    process = subprocess.Popen(
        [str(GUNICORN), "-k", "uvicorn_worker.UvicornWorker", "--workers", "1",
         "--keep-alive", "15", "--bind", f"127.0.0.1:{port}",
         "uxlab.ingest.asgi:create_ingest_app()"],
        env={**os.environ, "UXLAB_DATABASE_URL": database_url,
             "UXLAB_SECRET_KEY": app.config["SECRET_KEY"],
             "UXLAB_INSTANCE_PATH": str(tmp_path / "instance")},
        stdout=log, stderr=subprocess.STDOUT)
    log.close()
    try:
        deadline = time.monotonic() + START_LIMIT_S
        while True:
            assert process.poll() is None, (tmp_path / "gunicorn.log").read_text()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=5).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.1)
        yield port
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def test_gunicorn_serves_batches_on_one_kept_alive_connection(app, ingest_server, sitting):
    make = EventMaker()
    token = ingest_token(app, sitting.public_id)
    url = f"/api/v1/sessions/{sitting.public_id}/events"
    connection = http.client.HTTPConnection("127.0.0.1", ingest_server, timeout=30)
    answers, sockets = [], []
    for _ in range(2):
        connection.request("POST", url, json.dumps({"events": [make.click(), make.click()],
                                                    "token": token}),
                           {"Content-Type": "application/json"})
        response = connection.getresponse()
        answers.append((response.status, json.loads(response.read())))
        sockets.append(connection.sock)
    assert answers == [(200, {"accepted": 2, "duplicates": 0})] * 2
    assert sockets[0] is sockets[1] is not None  # the same connection: kept alive
    connection.request("GET", "/")
    response = connection.getresponse()
    assert (response.status, json.loads(response.read())["error"]) == (404, "Not Found")
    connection.close()

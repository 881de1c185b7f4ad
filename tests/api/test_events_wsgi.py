"""Every entry of the events endpoint answers as Flask's route does: the app's WSGI entry
(uxlab/api/events_wsgi.py) and the ingestion server's ASGI app (uxlab/ingest/asgi.py).

Each request goes through the app (where ``EventsEndpoint`` answers it), through Flask's own
``wsgi_app`` (the route ``uxlab.api.events.post_events``) and through the ASGI app on the same
database, with fresh event ids each time, and the answers must match: status, JSON body and
headers (the CSP's per-request nonce aside).
"""

from __future__ import annotations

import json
import re
import uuid

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update
from werkzeug.test import Client

from tests.recording.factories import EventMaker, make_sitting
from tests.support.asgi import AsgiClient
from uxlab.api.common import MAX_BODY_BYTES
from uxlab.api.events_wsgi import EventsEndpoint
from uxlab.ingest.asgi import IngestApp
from uxlab.models import Study
from uxlab.recording.auth import ingest_token

COMPARED_HEADERS = ("Content-Type", "Vary", "X-Content-Type-Options", "Referrer-Policy",
                    "Content-Security-Policy", "Strict-Transport-Security", "Retry-After",
                    "Allow", "Set-Cookie")


@pytest.fixture
def flask_route(app):
    """A client of Flask's own ``wsgi_app``: the events route without ``EventsEndpoint``."""
    assert isinstance(app.wsgi_app, EventsEndpoint)
    return Client(lambda environ, start_response: Flask.wsgi_app(app, environ, start_response),
                  response_wrapper=FlaskClient(app).response_wrapper, use_cookies=False)


@pytest.fixture
def ingest_server(app, database):
    """The ingestion server's ASGI app on the app's configuration and database."""
    server = IngestApp(app, database)
    yield AsgiClient(server)
    server.writer.stop()


def _cookie(app, participant_id: int) -> str:
    signed = app.session_interface.get_signing_serializer(app).dumps(
        {"participant_id": participant_id})
    return f"session={signed}"


@pytest.fixture
def entries(app, flask_route, ingest_server):
    """The clients of the three entries: the app, Flask's route, the ingestion server."""
    return app.test_client(use_cookies=False), flask_route, ingest_server


def _answers(entries, url, make_body, method="POST", content_type="application/json",
             headers=(), base_url="http://localhost"):
    """The same request through each entry; returns their answers, Flask's route's second.

    ``make_body`` is called once per request, so that each gets fresh event ids."""
    answers = []
    for client in entries:
        body = make_body()
        data = body if isinstance(body, (str, bytes)) else json.dumps(body)
        answers.append(client.open(url, method=method, data=data, content_type=content_type,
                                   headers=dict(headers), base_url=base_url))
    return answers


def _shape(response) -> tuple:
    headers = {name: response.headers.get(name) for name in COMPARED_HEADERS}
    if headers["Content-Security-Policy"]:
        headers["Content-Security-Policy"] = re.sub(
            r"'nonce-[^']+'", "'nonce-…'", headers["Content-Security-Policy"])
    if headers["Allow"]:  # Flask lists a set: in no fixed order
        headers["Allow"] = sorted(headers["Allow"].split(", "))
    return response.status, response.get_json(silent=True), headers


def _assert_same(answers, status: int) -> None:
    lean, route, server = answers
    for answer in (lean, server):
        assert answer.status_code == status, answer.get_data(as_text=True)
        assert _shape(answer) == _shape(route)


def test_accepted_batches_and_replays_answer_alike(app, db, entries, sitting):
    make = EventMaker()
    url = f"/api/v1/sessions/{sitting.public_id}/events"
    cookie = [("Cookie", _cookie(app, sitting.participant_id))]
    _assert_same(_answers(entries, url, lambda: {"events": [make.click()
                                                                     for _ in range(3)]},
                          headers=cookie), 200)
    replay = {"events": [make.click()]}
    app.test_client(use_cookies=False).post(url, json=replay, headers=dict(cookie))  # replays
    _assert_same(_answers(entries, url, lambda: replay, headers=cookie), 200)
    token = ingest_token(app, sitting.public_id)
    _assert_same(_answers(entries, url,
                          lambda: {"events": [make.click()], "token": token}), 200)
    over_https = _answers(entries, url, lambda: {"events": [make.click()]},
                          headers=cookie, base_url="https://localhost")
    _assert_same(over_https, 200)
    assert over_https[0].headers["Strict-Transport-Security"]


@pytest.mark.parametrize("body, content_type, status", [
    ('{"events": [', "application/json", 400),
    ('{"events": [NaN]}', "application/json", 400),
    (b"\xff\xfe{", "application/json", 400),
    ("[]", "application/json", 400),
    ('{"events": [], "colour": 1}', "application/json", 400),
    ("{}", "application/json", 400),
    ('{"events": [], "token": 5}', "application/json", 400),
    ('{"events": [], "token": null}', "application/json", 400),
    ('{"events": [{"id": "x"}]}', "application/json", 400),
    ("x" * (MAX_BODY_BYTES + 1), "application/json", 413),
    ('{"events": []}', "text/plain", 415),
    ('{"events": []}', "", 415),
])
def test_refused_bodies_answer_alike(app, entries, sitting, body, content_type, status):
    url = f"/api/v1/sessions/{sitting.public_id}/events"
    cookie = [("Cookie", _cookie(app, sitting.participant_id))]
    _assert_same(_answers(entries, url, lambda: body, content_type=content_type,
                          headers=cookie), status)


def test_a_smaller_max_content_length_is_the_limit_of_every_entry(app, entries, sitting):
    """MAX_CONTENT_LENGTH below the endpoint's own limit: the API's 413 from each entry (werkzeug
    answered its own 413 body on Flask's route, and the WSGI entry raised)."""
    app.config["MAX_CONTENT_LENGTH"] = 1000
    answers = _answers(entries, f"/api/v1/sessions/{sitting.public_id}/events",
                       lambda: {"events": [], "token": "x" * 1000})
    _assert_same(answers, 413)
    assert answers[1].get_json()["error"] == "body too large"


def test_refused_senders_answer_alike(app, db, entries, study, sitting):
    make = EventMaker()
    url = f"/api/v1/sessions/{sitting.public_id}/events"
    batch = lambda: {"events": [make.click()]}  # noqa: E731
    other = make_sitting(db, study)
    _assert_same(_answers(entries, url, batch), 403)  # no cookie, no token
    _assert_same(_answers(entries, url, batch,
                          headers=[("Cookie", _cookie(app, other.participant_id))]), 403)
    _assert_same(_answers(entries, url, lambda: {
        "events": [make.click()], "token": ingest_token(app, other.public_id)}), 403)
    _assert_same(_answers(entries, f"/api/v1/sessions/{uuid.uuid4()}/events", batch,
                          headers=[("Cookie", _cookie(app, sitting.participant_id))]), 404)
    token = ingest_token(app, sitting.public_id)
    app.config["INGEST_TOKEN_MAX_AGE_S"] = -1
    _assert_same(_answers(entries, url,
                          lambda: {"events": [make.click()], "token": token}), 401)
    db.execute(update(Study).where(Study.id == study.id).values(status="closed"))
    db.commit()
    _assert_same(_answers(entries, url, batch,
                          headers=[("Cookie", _cookie(app, sitting.participant_id))]), 409)


@pytest.mark.parametrize("method, path, status", [
    ("GET", "/api/v1/sessions/{id}/events", 405),
    ("PUT", "/api/v1/sessions/{id}/events", 405),
    ("HEAD", "/api/v1/sessions/{id}/events", 405),
    ("OPTIONS", "/api/v1/sessions/{id}/events", 200),
    ("POST", "/api/v1/sessions/{id}/events/", 404),
    ("POST", "/api/v1/sessions/not-a-uuid/events", 404),
    ("GET", "/api/v1/nothing-here", 404),
])
def test_other_methods_and_paths_answer_alike(entries, sitting, method, path, status):
    url = path.format(id=sitting.public_id)
    _assert_same(_answers(entries, url, lambda: '{"events": []}', method=method),
                 status)


def test_a_database_fault_is_503_with_retry_after_from_each(app, database, entries, sitting,
                                                            monkeypatch):
    from sqlalchemy.exc import OperationalError

    def unavailable(*args, **kwargs):
        raise OperationalError("INSERT", {}, Exception("disk I/O error"))

    monkeypatch.setattr("uxlab.api.event_batches.run_inserts", unavailable)
    make = EventMaker()
    answers = _answers(entries, f"/api/v1/sessions/{sitting.public_id}/events",
                       lambda: {"events": [make.click()]},
                       headers=[("Cookie", _cookie(app, sitting.participant_id))])
    _assert_same(answers, 503)
    assert answers[0].headers["Retry-After"] == "5"

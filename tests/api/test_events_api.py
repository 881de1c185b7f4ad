"""POST /api/v1/sessions/<id>/events: auth, limits, JSON errors, idempotency, nothing written on 4xx."""

from __future__ import annotations

import io
import json
import uuid

import pytest
from sqlalchemy import func, select
from werkzeug.wsgi import get_content_length

from tests.recording.factories import EventMaker, make_attempt, make_sitting
from uxlab.api.common import MAX_BODY_BYTES
from uxlab.models import Event
from uxlab.recording.auth import ingest_token
from uxlab.recording.validation import MAX_EVENT_BYTES


def _url(sitting) -> str:
    return f"/api/v1/sessions/{sitting.public_id}/events"


def _post(client, sitting, body, content_type="application/json"):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(_url(sitting), data=data, content_type=content_type)


def _stored(db) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(Event))


def _assert_error(response, status, field=None, mentions=""):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error", "message", "field"}
    assert body["field"] == field
    assert mentions in body["message"] or mentions in body["error"]
    return body


def test_the_same_batch_posted_five_times_is_stored_once(db, as_participant, sitting):
    make = EventMaker()
    batch = {"events": [make.click() for _ in range(50)]}
    answers = [_post(as_participant, sitting, batch) for _ in range(5)]
    assert [a.status_code for a in answers] == [200] * 5
    assert answers[0].get_json() == {"accepted": 50, "duplicates": 0}
    assert all(a.get_json() == {"accepted": 0, "duplicates": 50} for a in answers[1:])
    assert _stored(db) == 50


def test_an_events_answer_does_not_sign_the_participant_cookie_again(client, sitting):
    """The participant's session is permanent (set by the link page), which made Flask sign and
    send its cookie with every batch's answer; the API leaves an unchanged session alone."""
    with client.session_transaction() as s:
        s["participant_id"] = sitting.participant_id
        s.permanent = True
    response = _post(client, sitting, {"events": [EventMaker().click()]})
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert "Set-Cookie" in client.get("/run").headers  # the participant's pages still refresh it


def test_malformed_json_is_400_and_writes_nothing(db, as_participant, sitting):
    response = _post(as_participant, sitting, '{"events": [')
    body = _assert_error(response, 400)
    assert body["error"] == "malformed JSON"
    _assert_error(_post(as_participant, sitting, '{"events": [NaN]}'), 400, mentions="NaN")
    _assert_error(_post(as_participant, sitting, b'\xff\xfe{'), 400)
    assert _stored(db) == 0


def test_unknown_event_field_is_named(db, as_participant, sitting):
    make = EventMaker()
    events = [make.click() for _ in range(5)]
    events[3]["colour"] = "red"
    response = _post(as_participant, sitting, {"events": events})
    _assert_error(response, 400, field="events[3].colour", mentions="colour")
    assert _stored(db) == 0


def test_unknown_and_missing_body_fields(db, as_participant, sitting):
    _assert_error(_post(as_participant, sitting, {"events": [], "colour": 1}), 400, field="colour")
    _assert_error(_post(as_participant, sitting, {}), 400, field="events")
    _assert_error(_post(as_participant, sitting, [1, 2]), 400, mentions="object")
    _assert_error(_post(as_participant, sitting, {"events": {}}), 400, field="events")
    _assert_error(_post(as_participant, sitting, {"events": [], "token": 5}), 400, field="token")
    # The OpenAPI document says a string; null was taken as "no token" (found by the fuzzer).
    _assert_error(_post(as_participant, sitting, {"events": [], "token": None}), 400,
                  field="token")


def test_oversize_event_is_400(db, as_participant, sitting):
    make = EventMaker()
    big = make.click()
    big["data"]["text"] = "x" * MAX_EVENT_BYTES
    response = _post(as_participant, sitting, {"events": [make.click(), big]})
    _assert_error(response, 400, field="events[1]", mentions="bytes")
    assert _stored(db) == 0


def test_oversize_body_is_413(db, as_participant, sitting):
    make = EventMaker()
    events = []
    while len(json.dumps({"events": events})) <= MAX_BODY_BYTES:
        event = make.click()
        event["data"]["text"] = "y" * 20_000
        events.append(event)
    _assert_error(_post(as_participant, sitting, {"events": events}), 413)
    assert _stored(db) == 0


def test_oversize_body_without_content_length_is_413(db, app, as_participant, sitting,
                                                            monkeypatch):
    # A chunked body has no Content-Length: the endpoint must stop reading past the limit.
    body = json.dumps({"events": [], "pad": "z" * (MAX_BODY_BYTES + 10)}).encode()
    seen = {}
    endpoint = app.wsgi_app

    def note_length(environ, start_response):
        seen["content_length"] = get_content_length(environ)
        return endpoint(environ, start_response)

    monkeypatch.setattr(app, "wsgi_app", note_length)
    response = as_participant.post(_url(sitting), input_stream=io.BytesIO(body),
                                   content_type="application/json",
                                   environ_overrides={"wsgi.input_terminated": True},
                                   headers={"Transfer-Encoding": "chunked"})
    assert seen == {"content_length": None}
    _assert_error(response, 413)
    assert _stored(db) == 0


def test_another_participants_cookie_is_403(db, client, study, sitting):
    other = make_sitting(db, study)
    with client.session_transaction() as s:
        s["participant_id"] = other.participant_id
    response = _post(client, sitting, {"events": [EventMaker().click()]})
    _assert_error(response, 403)
    assert _stored(db) == 0


def test_no_cookie_and_no_token_is_403(db, client, sitting):
    _assert_error(_post(client, sitting, {"events": [EventMaker().click()]}), 403)
    assert _stored(db) == 0


def test_a_token_lets_a_beacon_post(db, app, client, sitting):
    token = ingest_token(app, sitting.public_id)
    response = _post(client, sitting, {"events": [EventMaker().click()], "token": token})
    assert response.status_code == 200
    assert response.get_json() == {"accepted": 1, "duplicates": 0}
    assert _stored(db) == 1


def test_another_sessions_token_is_403(db, app, client, study, sitting):
    other = make_sitting(db, study)
    for token in (ingest_token(app, other.public_id), "forged." + "x" * 20, ""):
        response = _post(client, sitting, {"events": [EventMaker().click()], "token": token})
        _assert_error(response, 403)
    assert _stored(db) == 0


def test_unknown_session_is_404(db, as_participant):
    response = as_participant.post(f"/api/v1/sessions/{uuid.uuid4()}/events",
                                   json={"events": [EventMaker().click()]})
    _assert_error(response, 404)
    assert _stored(db) == 0


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data"])
def test_only_json_is_accepted(db, as_participant, sitting, content_type):
    # Cross-site forms can send these types without a preflight: refusing them is the CSRF guard.
    batch = json.dumps({"events": [EventMaker().click()]})
    _assert_error(_post(as_participant, sitting, batch, content_type=content_type), 415)
    assert _stored(db) == 0


def test_json_with_a_charset_is_accepted(as_participant, sitting):
    response = _post(as_participant, sitting, {"events": [EventMaker().click()]},
                     content_type="application/json; charset=utf-8")
    assert response.status_code == 200


def test_late_events_through_the_api_update_metrics(db, as_participant, sitting):
    attempt = make_attempt(db, sitting, "add-to-cart", ended=True, outcome="success")
    make = EventMaker(attempt=attempt.id)
    batch = {"events": [make.navigate("product-trail-runner.html"), make.click("#size-42"),
                        make.click("#add"), make.navigate("cart.html?size=42")]}
    assert _post(as_participant, sitting, batch).status_code == 200
    db.expire_all()
    db.refresh(attempt)
    assert attempt.clicks == 2
    assert attempt.path == ["product-trail-runner.html", "cart.html?size=42"]


def test_get_is_not_allowed(as_participant, sitting):
    assert as_participant.get(_url(sitting)).status_code == 405


def test_openapi_document_describes_the_events_endpoint(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.1")
    operation = document["paths"]["/sessions/{public_id}/events"]["post"]
    assert set(operation["responses"]) == {"200", "400", "401", "403", "404", "409", "413",
                                           "415", "503"}
    schemas = document["components"]["schemas"]
    assert {"Event", "EventBatch", "IngestResult", "Error"} <= set(schemas)
    # Every $ref points at a schema that exists.
    refs = {part.rsplit("/", 1)[1] for part in _refs(document)}
    assert refs <= set(schemas)


def test_openapi_event_schema_matches_the_validator():
    from uxlab.api.events import EVENT_SCHEMA
    from uxlab.recording.validation import EVENT_FIELDS, REQUIRED_FIELDS

    assert set(EVENT_SCHEMA["properties"]) == EVENT_FIELDS
    assert EVENT_SCHEMA["required"] == list(REQUIRED_FIELDS)


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)

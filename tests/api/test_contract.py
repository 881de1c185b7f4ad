"""The API's contract: routing errors in the one JSON shape, 405 with Allow, and the OpenAPI
document accepting exactly what the server's validators accept (issue 14, fix 12)."""

from __future__ import annotations

import uuid

import pytest
from jsonschema import Draft202012Validator

from tests.recording.factories import EventMaker, make_attempt
from uxlab.api.openapi import document
from uxlab.participants.outcomes import BadFinish, check_finish
from uxlab.recording.validation import MAX_INT32, MAX_SAFE_INTEGER, EventError, event_row

ERROR_KEYS = {"error", "message", "field"}


def _schema_accepts(schema: dict, value) -> bool:
    """Validate ``value`` against ``schema``, its ``#/components/...`` references resolved in
    the served document (JSON Schema 2020-12, the dialect of OpenAPI 3.1)."""
    rooted = {**schema, "components": document()["components"]}
    return Draft202012Validator(rooted).is_valid(value)


def _event(**change) -> dict:
    return {**EventMaker(attempt=3).click(), **change}


EVENT_CASES = {
    "t 0.0": {"t": 0.0}, "t max": {"t": MAX_SAFE_INTEGER}, "t past max": {"t": MAX_SAFE_INTEGER + 1},
    "t 2^63": {"t": 2**63}, "t negative": {"t": -1}, "t fraction": {"t": 1.5},
    "t true": {"t": True}, "seq max": {"seq": MAX_INT32}, "seq past max": {"seq": MAX_INT32 + 1},
    "seq 3.0": {"seq": 3.0}, "attempt 2.0": {"attempt": 2.0}, "attempt null": {"attempt": None},
    "x 10^400": {"x": 10**400}, "x 1e300": {"x": 1e300}, "x max": {"x": MAX_SAFE_INTEGER},
    "x -max": {"x": -MAX_SAFE_INTEGER}, "x -0.5": {"x": -0.5}, "x text": {"x": "1"},
    "tab empty": {"tab": ""}, "tab NUL": {"tab": "a\x00"}, "tab 64": {"tab": "t" * 64},
    "tab 65": {"tab": "t" * 65}, "url number": {"url": 5}, "url NUL": {"url": "a\x00b"},
    "url 2000": {"url": "u" * 2000}, "url 2001": {"url": "u" * 2001},
    "target null": {"target": None}, "type unknown": {"type": "hover"},
    "restored": {"data": {"restored": True}}, "restored text": {"data": {"restored": "yes"}},
    "interactive text": {"data": {"interactive": "yes"}},
    "matched": {"data": {"matched": ["success"]}}, "matched text": {"data": {"matched": "x"}},
    "data NUL": {"data": {"note": "a\x00"}}, "data NUL key": {"data": {"a\x00": 1}},
    "data NUL in a list": {"data": {"notes": ["ok", "a\x00"]}},
    "data NUL deeper": {"data": {"form": {"fields": [{"a\x00": 1}]}}},
    "data nested fine": {"data": {"form": {"fields": [{"name": "q", "n": 2.5, "on": True}]}}},
    "data list": {"data": []}, "unknown field": {"colour": "red"},
}


@pytest.mark.parametrize("change", EVENT_CASES.values(), ids=EVENT_CASES.keys())
def test_the_event_schema_accepts_what_the_server_accepts(change):
    event = _event(**change)
    try:
        event_row(event)
        server = True
    except EventError:
        server = False
    schema = {"$ref": "#/components/schemas/Event"}
    assert _schema_accepts(schema, event) is server, (change, server)


FINISH_CASES = {
    "plain": {"reason": "give_up"}, "answer": {"reason": "done", "answer": "30 days"},
    "answer number": {"reason": "done", "answer": 5}, "answer list": {"reason": "done",
                                                                     "answer": ["a"]},
    "answer NUL": {"reason": "done", "answer": "a\x00"},
    "time 0.0": {"reason": "done", "client_time_ms": 0.0},
    "time max": {"reason": "done", "client_time_ms": MAX_SAFE_INTEGER},
    "time 2^63": {"reason": "done", "client_time_ms": 2**63},
    "time 10^30": {"reason": "done", "client_time_ms": 10**30},
    "time negative": {"reason": "done", "client_time_ms": -1},
    "reason unknown": {"reason": "quit"},
    "event url number": {"reason": "criterion", "event": _event(url=5)},
    "event ok": {"reason": "criterion", "event": _event()},
}


@pytest.mark.parametrize("body", FINISH_CASES.values(), ids=FINISH_CASES.keys())
def test_the_finish_schema_accepts_what_the_server_accepts(body):
    try:
        check_finish(body["reason"], body.get("answer"), body.get("client_time_ms"),
                     body.get("event"))
        server = True
    except BadFinish:
        server = False
    operation = document()["paths"]["/sessions/{public_id}/attempts/{attempt_id}/finish"]["post"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert _schema_accepts(schema, body) is server, (body, server)


def test_an_empty_idempotency_key_is_refused_as_documented(client, db, sitting):
    attempt = make_attempt(db, sitting, "find-product")
    with client.session_transaction() as s:
        s["participant_id"] = sitting.participant_id
    operation = document()["paths"]["/sessions/{public_id}/attempts/{attempt_id}/finish"]["post"]
    header = next(p for p in operation["parameters"] if p["name"] == "Idempotency-Key")
    assert not _schema_accepts(header["schema"], "")
    response = client.post(f"/api/v1/sessions/{sitting.public_id}/attempts/{attempt.id}/finish",
                           json={"reason": "give_up"}, headers={"Idempotency-Key": ""})
    assert response.status_code == 400
    assert response.get_json()["field"] == "Idempotency-Key"


def test_an_integral_float_is_an_integer_on_the_wire(client, db, sitting):
    with client.session_transaction() as s:
        s["participant_id"] = sitting.participant_id
    event = {**EventMaker().click(), "t": 0.0, "seq": 4.0}
    response = client.post(f"/api/v1/sessions/{sitting.public_id}/events",
                           json={"events": [event]})
    assert response.status_code == 200 and response.get_json()["accepted"] == 1


@pytest.mark.parametrize(("method", "path", "status"), [
    ("GET", "/api/v1/sessions/{id}/events", 405),
    ("DELETE", "/api/v1/sessions/{id}/attempts/1/finish", 405),
    ("POST", "/api/v1/openapi.json", 405),
    ("GET", "/api/v1/nothing-here", 404),
    ("POST", "/api/v1/sessions/not-a-uuid/events", 404),
    ("POST", "/api/v1/sessions/{id}/attempts/-1/finish", 404),
])
def test_routing_errors_carry_the_json_error_shape(client, method, path, status):
    response = client.open(path.format(id=uuid.uuid4()), method=method,
                           json={} if method != "GET" else None)
    assert response.status_code == status
    assert response.mimetype == "application/json"
    assert set(response.get_json()) == ERROR_KEYS
    if status == 405:
        allowed = {m.strip() for m in response.headers["Allow"].split(",")}
        assert method not in allowed and allowed & {"GET", "POST"}


def test_a_researcher_page_405_has_allow_too(client):
    response = client.post("/")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]

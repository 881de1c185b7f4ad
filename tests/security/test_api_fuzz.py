"""Fuzz the REST API from its own OpenAPI document (schemathesis, in-process WSGI).

Every operation of ``/api/v1/openapi.json`` gets a few generated requests, valid and invalid,
with a fixed seed; each answer must be no server error and match the document (status, content
type, body schema). The generated path ids and credentials are replaced by a live session's real
ones, so the accepted (2xx) paths are exercised too, not only the 404s of made-up ids: events
go to a real session with its ingestion token, ``finish`` to its current attempt with the
participant's cookie, the feed gets a live API token and webhook posts a valid signature.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import uuid

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.participants.bot import Bot
from tests.security.world import build_world, make_app
from uxlab.models import Study
from uxlab.participants.links import create_participants
from uxlab.recording.auth import ingest_token

#: Generated requests per operation and mode: enough to reach each branch of the contract,
#: few enough for CI (the whole module takes seconds).
EXAMPLES = 8


@pytest.fixture(scope="module")
def live(tmp_path_factory, sqlite_template, password_hash):
    app = make_app(tmp_path_factory.mktemp("fuzz"), sqlite_template)
    world = build_world(app, password_hash)
    with app.extensions["uxlab.db"].write_sessions() as db:
        participant = create_participants(db, db.get(Study, world.target), 1, "fuzz")[0]
        db.commit()
        token = participant.token
    bot = Bot(app.test_client(), token)
    bot.enter()
    bot.post(screener_shopping="Weekly")  # the target study's screener (world.py)
    bot.consent()
    bot.start_task()
    config = bot.config()
    finish = config["endpoints"]["finish"]
    session_id, attempt_id = re.search(r"/sessions/([^/]+)/attempts/(\d+)/finish", finish).groups()
    world.target_session, world.values["attempt_id"] = uuid.UUID(session_id), int(attempt_id)
    world.target_ingest_token = ingest_token(app, session_id)
    cookie = bot.client.get_cookie("session")
    yield app, world, {cookie.key: cookie.value}
    app.extensions["uxlab.db"].dispose()


#: Refusals of schema-valid requests that depend on more than one field or on stored state,
#: which a JSON schema cannot say: (operation, the field the 400 names). Any other 400 for a
#: valid request means the document promises more than the server accepts.
SEMANTIC_REFUSALS = {
    # "criterion" claims success with an event; whether it meets the task's criterion is
    # the server's to judge (docs/recording.md).
    ("POST /sessions/{public_id}/attempts/{attempt_id}/finish", "event"),
    ("POST /sessions/{public_id}/attempts/{attempt_id}/finish", "answer"),
    # A score's range depends on its metric (NPS 0-10, CSAT 1-5, CES 1-7); a touchpoint must
    # exist.
    ("POST /cx/responses", "score"),
    ("POST /cx/responses", "touchpoint"),
}


#: The feed's filters name things by name: made-up names are refused (400, naming the field),
#: so valid requests name real ones; invalid ones keep whatever was generated.
REAL_FILTERS = {"journey": "Purchase", "touchpoint": "Checkout"}


def _with_real_ids(case, world, cookies, mode) -> dict:
    """Put the live session's ids and credentials into ``case``; return extra call kwargs."""
    path = case.operation.path
    headers = {}
    if mode is GenerationMode.POSITIVE and case.query:
        case.query.update({k: v for k, v in REAL_FILTERS.items() if k in case.query})
        case.query.pop("cursor", None)  # a cursor is the server's own: only ever echoed back
    if "public_id" in (case.path_parameters or {}):
        case.path_parameters["public_id"] = str(world.target_session)
    if "attempt_id" in (case.path_parameters or {}):
        case.path_parameters["attempt_id"] = world.values["attempt_id"]
    if path.endswith("/events") and isinstance(case.body, dict):
        case.body["token"] = world.target_ingest_token
    if path.startswith("/cx/feed"):
        headers["Authorization"] = f"Bearer {world.api_token}"
    if path == "/cx/responses":
        case.query = {**(case.query or {}), "source": "survey-tool"}
        body = case.body if isinstance(case.body, bytes) else json.dumps(case.body).encode()
        headers["X-Uxlab-Signature"] = "sha256=" + hmac.new(
            world.source_secret.encode(), body, hashlib.sha256).hexdigest()
    return {"headers": headers, "cookies": cookies}


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_api_answers_as_its_document_says(live, mode):
    app, world, cookies = live
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    seen: dict[str, set[int]] = {}
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 5

    for operation in operations:
        @given(operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck), phases=[Phase.generate])
        def run(case):
            response = case.call_and_validate(**_with_real_ids(case, world, cookies, mode),
                                              excluded_checks=[positive_data_acceptance])
            label = case.operation.label
            seen.setdefault(label, set()).add(response.status_code)
            if mode is GenerationMode.POSITIVE and response.status_code == 400:
                field = response.json().get("field")
                assert (label, field) in SEMANTIC_REFUSALS, (
                    f"a request valid by the document was refused: {response.text}")

        try:
            run()
        except (Exception, BaseExceptionGroup) as failure:  # every operation runs, all reported
            failures.append(f"{operation.label}: {failure}")
    assert failures == [], "\n\n".join(failures)
    if mode is GenerationMode.POSITIVE:
        accepted = {label for label, codes in seen.items() if any(200 <= c < 300 for c in codes)}
        assert accepted >= {"POST /sessions/{public_id}/events", "GET /cx/feed",
                            "POST /sessions/{public_id}/attempts/{attempt_id}/finish"}, seen

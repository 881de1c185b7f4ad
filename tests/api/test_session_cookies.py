"""The events endpoint's read of the participant's signed cookie, remembered per header."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from flask import request

from uxlab.api.event_batches import cookie_participant
from uxlab.app import configured_app


@pytest.fixture
def app(tmp_path):
    app = configured_app({"SECRET_KEY": "cookie-test-key", "INSTANCE_PATH": str(tmp_path)})
    app.permanent_session_lifetime = timedelta(hours=1)
    return app


def cookie_header(app, data: dict, other: str = "lang=en") -> str:
    value = app.session_interface.get_signing_serializer(app).dumps(data)
    return f"{other}; {app.config['SESSION_COOKIE_NAME']}={value}"


def test_the_participant_is_read_from_a_signed_cookie_and_not_from_a_forged_one(app):
    header = cookie_header(app, {"participant_id": 7})
    assert cookie_participant(app, header) == 7
    assert cookie_participant(app, header) == 7  # remembered: the same answer
    forged = header[:-3] + ("AAA" if not header.endswith("AAA") else "BBB")
    assert cookie_participant(app, forged) is None
    assert cookie_participant(app, None) is None
    assert cookie_participant(app, "lang=en") is None


def test_a_remembered_cookie_is_refused_once_the_session_has_expired(app, monkeypatch):
    header = cookie_header(app, {"participant_id": 7})
    assert cookie_participant(app, header) == 7
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 3600 - 5)
    assert cookie_participant(app, header) == 7
    monkeypatch.setattr(time, "time", lambda: now + 3600 + 5)
    assert cookie_participant(app, header) is None
    # Flask's own reading agrees.
    with app.test_request_context(headers={"Cookie": header}):
        assert "participant_id" not in app.session_interface.open_session(app, request)


def test_a_new_secret_key_refuses_what_the_old_one_signed(app):
    header = cookie_header(app, {"participant_id": 7})
    assert cookie_participant(app, header) == 7
    app.secret_key = "a-new-key"
    assert cookie_participant(app, header) is None
    app.config["SECRET_KEY_FALLBACKS"] = ["cookie-test-key"]
    assert cookie_participant(app, header) == 7


def test_the_remembered_headers_are_bounded(app, monkeypatch):
    interface = app.session_interface
    monkeypatch.setattr(interface, "VERIFIED_HEADERS", 3)
    headers = [cookie_header(app, {"participant_id": i}, other=f"n={i}") for i in range(10)]
    assert [cookie_participant(app, header) for header in headers] == list(range(10))
    assert len(interface._verified) == 3
    assert cookie_participant(app, headers[0]) == 0  # forgotten, verified again


def test_a_long_header_is_verified_every_time_and_never_remembered(app):
    interface = app.session_interface
    padding = "x" * interface.REMEMBERED_HEADER_BYTES
    header = cookie_header(app, {"participant_id": 7}, other=f"big={padding}")
    assert cookie_participant(app, header) == 7
    assert cookie_participant(app, header) == 7
    assert interface._verified == {}

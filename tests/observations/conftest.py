"""People with each kind of access to the demo study, their clients, and a recorded session."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import Auth, csrf_token
from tests.support.study_data import Recorder
from uxlab.accounts.service import grant_access

OWNER, EDITOR, OBSERVER, STRANGER = ("owner@example.org", "editor@example.org",
                                     "observer@example.org", "stranger@example.org")


class Client:
    """A logged-in test client that sends JSON with the CSRF header, as notes.js does."""

    def __init__(self, app, email):
        self.http = app.test_client()
        Auth(self.http).login(email)
        self.token = csrf_token(self.http, "/studies/")

    def json(self, method: str, url: str, body=None):
        return self.http.open(url, method=method, json=body,
                              headers={"X-CSRFToken": self.token, "Accept": "application/json"})

    def get(self, url: str, **kwargs):
        return self.http.get(url, **kwargs)

    def form(self, url: str, data: dict):
        return self.http.post(url, data={**data, "csrf_token": self.token})


@pytest.fixture
def people(make_user):
    return {email: make_user(email, role="observer" if email == OBSERVER else "researcher")
            for email in (OWNER, EDITOR, OBSERVER, STRANGER)}


@pytest.fixture
def study(db, make_study, people):
    study = make_study(owner=people[OWNER])
    grant_access(db, study, people[EDITOR], "editor")
    grant_access(db, study, people[OBSERVER], "observer")
    db.commit()
    return study


@pytest.fixture
def clients(app, people, study):
    cache = {}

    def client(email: str) -> Client:
        if email not in cache:
            cache[email] = Client(app, email)
        return cache[email]

    return client


@pytest.fixture
def recorded(db, study):
    """A moderated session of P01 with two attempts and events; returns (session, attempts, events)."""
    recorder = Recorder(db, study)
    sitting = recorder.participant("P01", "A", mode="remote_moderated")
    t0 = sitting.started_at
    first = recorder.attempt(sitting, "find-product", started_at=t0 + timedelta(seconds=10),
                             time_ms=50_000)
    second = recorder.attempt(sitting, "apply-coupon", started_at=t0 + timedelta(seconds=70),
                              time_ms=60_000)
    def at(seconds: int) -> dict:  # happened and arrived at once, as on a good connection
        moment = t0 + timedelta(seconds=seconds)
        return {"received_at": moment, "client_ts_ms": round(moment.timestamp() * 1000)}

    events = [
        recorder.event(sitting, 0, attempt=first, type="navigate", url="http://x/shop",
                       payload={"title": "Shop"}, **at(12)),
        recorder.event(sitting, 1, attempt=second, type="click", target="button#apply",
                       payload={"text": "Apply"}, **at(80)),
        recorder.event(sitting, 2, attempt=second, type="click", target="a#help",
                       payload={"text": "Help"}, **at(95)),
    ]
    db.commit()
    return sitting, (first, second), events

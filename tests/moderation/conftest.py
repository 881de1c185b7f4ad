"""Fixtures for moderated sessions: a running demo study, its people, a moderator's client."""

from __future__ import annotations

import json
import re
import time

import pytest

from tests.conftest import Auth
from uxlab.accounts.service import grant_access


@pytest.fixture
def owner(make_user):
    return make_user("owner@example.org")


@pytest.fixture
def running_study(db, make_study, owner):
    study = make_study(owner=owner)
    study.status = "running"
    db.commit()
    return study


@pytest.fixture
def member(db, make_user, running_study):
    """Make an account with ``access`` to the running study."""
    def make(access: str, email: str | None = None):
        db.rollback()  # a snapshot older than the app's last write could not write (SQLite)
        user = make_user(email or f"{access}@example.org")
        grant_access(db, running_study, user, access)
        db.commit()
        return user
    return make


@pytest.fixture
def moderator(client, owner):
    Auth(client).login(owner.email)
    return Console(client)


class Console:
    """A logged-in client driving the moderation pages and JSON endpoints."""

    def __init__(self, client):
        self.client = client
        self._csrf = None

    def config(self, study_id: int, public_id) -> dict:
        html = self.client.get(f"/studies/{study_id}/sessions/{public_id}/live").get_data(
            as_text=True)
        match = re.search(r'<script type="application/json" id="console-config">(.*?)</script>',
                          html, re.S)
        assert match, html[:500]
        config = json.loads(match.group(1))
        self._csrf = config["csrf"]
        return config

    def csrf(self, study_id: int) -> str:
        if self._csrf is None:
            html = self.client.get(f"/studies/{study_id}/live").get_data(as_text=True)
            self._csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
        return self._csrf

    def start_session(self, study_id: int, mode: str, **form):
        data = {"csrf_token": self.csrf(study_id), "mode": mode, **form}
        return self.client.post(f"/studies/{study_id}/live/sessions", data=data)

    def act(self, study_id: int, public_id, action: str, **body):
        return self.client.post(f"/studies/{study_id}/sessions/{public_id}/live/{action}",
                                json=body, headers={"X-CSRFToken": self.csrf(study_id)})

    def feed(self, study_id: int, public_id, after: int = 0):
        return self.client.get(f"/studies/{study_id}/sessions/{public_id}/live/feed?after={after}")


def settle(database) -> None:
    """Wait until consoles may see the events just stored (PostgreSQL holds them back a little,
    see uxlab.moderation.live)."""
    from uxlab.moderation.live import SETTLE

    if not database.is_sqlite:
        time.sleep(SETTLE.total_seconds() + 0.05)

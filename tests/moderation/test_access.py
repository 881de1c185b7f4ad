"""The one permission API of moderated sessions (uxlab.moderation.access)."""

from __future__ import annotations

import pytest

from uxlab.accounts.service import grant_access
from uxlab.moderation.access import can_moderate, can_observe, can_take_notes, session_role


@pytest.fixture
def people(db, make_user, make_study):
    owner = make_user("owner@example.org")
    study = make_study(owner=owner)
    people = {"owner": owner, "admin": make_user("admin@example.org", role="admin"),
              "stranger": make_user("stranger@example.org")}
    for access in ("editor", "note_taker", "observer", "viewer"):
        people[access] = make_user(f"{access}@example.org")
        grant_access(db, study, people[access], access)
    # An account whose global role is observer never moderates, even as an editor.
    people["observer_account"] = make_user("watcher@example.org", role="observer")
    grant_access(db, study, people["observer_account"], "editor")
    db.commit()
    return study, people


@pytest.mark.parametrize("who, role, moderate, notes, observe", [
    ("owner", "moderator", True, True, True),
    ("admin", "moderator", True, True, True),
    ("editor", "moderator", True, True, True),
    ("observer_account", "note_taker", False, True, True),
    ("note_taker", "note_taker", False, True, True),
    ("observer", "observer", False, True, True),
    ("viewer", None, False, False, False),
    ("stranger", None, False, False, False),
])
def test_roles(db, people, who, role, moderate, notes, observe):
    study, users = people
    user = users[who]
    assert session_role(db, user, study) == role
    assert can_moderate(db, user, study) is moderate
    assert can_take_notes(db, user, study) is notes
    assert can_observe(db, user, study) is observe


def test_an_anonymous_user_gets_nothing(db, people):
    from flask_login import AnonymousUserMixin

    study, _ = people
    assert not can_observe(db, AnonymousUserMixin(), study)
    assert not can_observe(db, None, study)

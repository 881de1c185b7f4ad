"""Fixtures of the API tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def as_participant(client, sitting):
    """The test client with ``sitting``'s participant cookie, as the link page sets it."""
    with client.session_transaction() as s:
        s["participant_id"] = sitting.participant_id
    return client

"""Fixtures of the participant tests: the demo study running, and a bot with its link."""

from __future__ import annotations

import pytest

from tests.participants.bot import Bot
from uxlab.participants.links import create_participants


@pytest.fixture
def running_study(db, make_study):
    study = make_study()
    study.status = "running"
    db.commit()
    return study


@pytest.fixture
def bot(client, db, running_study):
    """A bot participant of ``running_study`` (not yet at its link); ``participant_id`` is its id."""
    participant = create_participants(db, running_study, 1)[0]
    db.commit()
    bot = Bot(client, participant.token)
    bot.participant_id = participant.id
    return bot

"""Fixtures of the language tests: the demo study running in English, German and French."""

from __future__ import annotations

import pytest

from tests.participants.bot import Bot
from tests.support.translated_study import translated_demo
from uxlab.participants.links import create_participants


@pytest.fixture
def multilingual_study(db, make_study, demo_spec):
    study = make_study(spec=translated_demo(demo_spec))
    study.status = "running"
    db.commit()
    return study


@pytest.fixture
def make_bot(client, db):
    """A bot participant of ``study`` whose browser sends ``accept`` as Accept-Language."""

    def make(study, accept: str = "en") -> Bot:
        participant = create_participants(db, study, 1)[0]
        db.commit()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = accept
        bot = Bot(client, participant.token)
        bot.participant_id = participant.id
        return bot

    return make

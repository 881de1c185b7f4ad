"""What the participant reads is written as people write it."""

from __future__ import annotations

from tests.participants.bot import Bot
from uxlab.participants.links import create_participants


def test_the_task_intro_says_the_time_limit_in_words(client, db, make_study):
    study = make_study()
    study.status = "running"
    participant = create_participants(db, study, 1)[0]
    db.commit()
    bot = Bot(client, participant.token)
    bot.enter()
    bot.consent()
    intro = bot.page()
    assert "(you have up to 3 minutes)" in intro  # the first task's limit is 180 s
    assert "3.0" not in intro

"""PostgreSQL's lock timeout on a participant's page: a 503 participant page, in the page's own
words, after the wait (uxlab.db.POSTGRESQL_LOCK_TIMEOUT_MS), not a hang nor plain text."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.participants.bot import Bot
from uxlab.models import Study
from uxlab.participants.links import create_participants


@pytest.fixture
def database_url(postgres_url):
    return postgres_url


def test_a_participant_behind_a_lock_held_too_long_gets_their_own_503_page(
        client, database, db, make_study, monkeypatch):
    study = make_study()
    study.status = "running"
    participant = create_participants(db, study, 1)[0]
    db.commit()
    study_id = study.id
    monkeypatch.setattr("uxlab.db.POSTGRESQL_LOCK_TIMEOUT_MS", 300)
    db.close()
    database.engine.dispose()
    bot = Bot(client, participant.token)
    assert bot.enter().status_code == 302
    consent_page = bot.page()
    with database.engine.connect() as holder:  # the study row, which assigning a variant locks
        holder.execute(select(Study.id).where(Study.id == study_id).with_for_update())
        response = bot.post(consent_page, agree="yes")
        holder.rollback()
    html = response.get_data(as_text=True)
    assert response.status_code == 503, html[:300]
    assert response.mimetype == "text/html"
    assert "What you have done so far is saved; please try again in a moment." in html
    assert response.headers["Retry-After"] == "5"
    assert bot.post(bot.page(), agree="yes").status_code in (200, 302, 303)  # lock gone: on

"""Scale-out: two app processes on different ports against one PostgreSQL database. A participant
whose requests alternate between them (a round-robin reverse proxy) completes the study, and every
event sent is stored once, whichever process received it (docs/deployment.md)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.conftest import fresh
from tests.participants.bot import Bot, event
from tests.support.http_client import RoundRobinClient
from tests.support.live_server import two_servers  # noqa: F401 (a fixture of this module)
from uxlab.models import Attempt, Event, Participant, QuestionnaireResponse
from uxlab.participants.links import create_participants

pytestmark = pytest.mark.postgres


@pytest.fixture
def database_url(postgres_url):
    """Several app processes share a database server: PostgreSQL only."""
    return postgres_url


def test_a_participant_alternating_between_two_app_processes_completes_the_study(
        db, running_study, two_servers):  # noqa: F811 (the fixture imported above)
    participant = create_participants(db, running_study, 1)[0]
    db.commit()
    client = RoundRobinClient([server.url for server in two_servers])
    bot = Bot(client, participant.token)
    assert bot.enter().status_code == 302
    assert bot.consent().status_code == 303
    sent = set()
    for number in range(5):
        assert bot.start_task().status_code == 303
        config = bot.config()
        clicks = [event("click", 10 * number + i, config["attempt"], x=10, y=20, target="a")
                  for i in range(6)]
        for batch in (clicks[:3], clicks[3:], clicks):  # the last one resends, to the other process
            assert bot.send_events(config, batch).status_code == 200
        sent.update(e["id"] for e in clicks)
        if config["criterion"]["type"] == "answer":
            finish = bot.finish(config, "done", answer="30 days")
        else:
            finish = bot.finish(config, "give_up")
        assert finish.status_code == 200, finish.get_json()
        assert bot.answer_all().status_code == 303  # SEQ
    assert bot.answer_all(lambda name, low, high: 4 if name.startswith("sus") else 9
                          ).status_code == 303
    assert bot.answer_all(lambda name, low, high: 9).status_code == 303
    assert "Thank you" in bot.page()

    assert min(client.served.values()) >= 20, client.served  # both processes served the study
    fresh(db)
    assert db.get(Participant, participant.id).completed_at is not None
    session_id = db.get(Participant, participant.id).sessions[0].id
    assert db.scalar(select(func.count()).select_from(Attempt)
                     .where(Attempt.session_id == session_id, Attempt.ended_at.is_not(None))) == 5
    stored = db.scalars(select(Event.event_uuid).where(Event.session_id == session_id)).all()
    assert sorted(str(u) for u in stored) == sorted(sent)
    assert db.scalar(select(func.count()).select_from(QuestionnaireResponse)
                     .where(QuestionnaireResponse.session_id == session_id)) == 16

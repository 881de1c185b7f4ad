"""The last places of a quota taken at once through several app processes on one PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from tests.conftest import fresh
from tests.participants.bot import Bot
from tests.screening.test_quotas import _screened
from tests.support.http_client import RoundRobinClient
from tests.support.live_server import two_servers  # noqa: F401 (a fixture of this module)
from uxlab.models import Participant

pytestmark = pytest.mark.postgres
PEOPLE = 6
PLACES = 2


@pytest.fixture
def database_url(postgres_url):
    """Several app processes share a database server: PostgreSQL only."""
    return postgres_url


def test_people_consenting_at_once_in_two_processes_get_exactly_the_places(
        db, make_screening_study, two_servers):  # noqa: F811 (the fixture imported above)
    study = make_screening_study(quotas=[{"key": "total", "places": PLACES}])
    participants = _screened(db, study, PEOPLE)
    bots = [Bot(RoundRobinClient([two_servers[i % 2].url]), p.token)
            for i, p in enumerate(participants)]
    pages = []
    for bot in bots:
        bot.enter()
        pages.append(bot.page())
    start = threading.Barrier(PEOPLE)
    answers: list[int] = []

    def consent(bot, page):
        start.wait()
        answers.append(bot.post(page, agree="yes").status_code)

    threads = [threading.Thread(target=consent, args=pair) for pair in zip(bots, pages,
                                                                          strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert answers == [303] * PEOPLE
    rows = fresh(db).execute(select(Participant.consented_at, Participant.turned_away)
                             .where(Participant.study_id == study.id)).all()
    assert sum(1 for consented, _ in rows if consented) == PLACES
    assert sum(1 for _, away in rows if away == "full") == PEOPLE - PLACES
    full_pages = [bot.page() for bot in bots]
    assert sum("This study is full" in page for page in full_pages) == PEOPLE - PLACES

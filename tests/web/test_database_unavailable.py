"""A database that cannot be written (or reached) answers pages with 503 and ``Retry-After``,
never a 500: the researcher's pages with the site's error page, the participant's with a
participant page; the API's JSON 503 is tested in tests/api/test_database_faults.py."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from tests.participants.bot import Bot
from uxlab.participants.links import create_participants


@pytest.fixture
def database_url(sqlite_url):
    """SQLite's ``query_only`` makes every write fail as a read-only disk does."""
    return sqlite_url


@pytest.fixture
def read_only(database):
    """Call it to make every new connection of the app's database refuse writes."""
    def on_connect(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA query_only = ON")

    def make_read_only():
        database.engine.dispose()
        event.listen(database.engine, "connect", on_connect)

    yield make_read_only
    if event.contains(database.engine, "connect", on_connect):
        event.remove(database.engine, "connect", on_connect)
    database.engine.dispose()


def test_a_researcher_page_that_cannot_write_answers_503(client, auth, make_user, read_only):
    user = make_user("owner@example.org")
    assert auth.login(user.email).status_code == 302
    read_only()
    response = auth.logout()  # ending the session server-side is a write
    html = response.get_data(as_text=True)
    assert response.status_code == 503, html[:300]
    assert response.headers["Retry-After"] == "5"
    assert "cannot be reached or written right now" in html and "try again in a moment" in html
    assert "Traceback" not in html and 'href="/static/' in html  # the site's own error page


def test_a_participant_page_that_cannot_write_answers_503(client, db, make_study, read_only):
    study = make_study()
    study.status = "running"
    participant = create_participants(db, study, 1)[0]
    db.commit()
    bot = Bot(client, participant.token)
    assert bot.enter().status_code == 302
    consent_page = bot.page()
    read_only()
    response = bot.post(consent_page, agree="yes")  # recording the consent is a write
    html = response.get_data(as_text=True)
    assert response.status_code == 503, html[:300]
    assert response.headers["Retry-After"] == "5"
    assert "What you have done so far is saved; please try again in a moment." in html
    assert "log in" not in html.lower()  # the participant's page, not the researcher side's


def test_an_operational_error_a_retry_cannot_mend_stays_a_bug(app, client):
    """SQLite reports a query naming no such column as an OperationalError too: that is a bug
    to see (500, with its traceback), not an outage to wait out (503)."""
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    from uxlab.extensions import db_session

    app.add_url_rule("/studies/broken", "broken",
                     lambda: str(db_session().execute(text("SELECT no_such_column FROM users"))))
    with pytest.raises(OperationalError, match="no such column"):
        client.get("/studies/broken")  # testing: the app re-raises what no handler answered

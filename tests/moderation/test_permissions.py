"""Who gets what: observers watch but change nothing (403); no access means 404 everywhere."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import Auth, fresh
from tests.moderation.conftest import Console
from uxlab.models import Attempt, ModerationAudit, TestSession
from uxlab.moderation.actions import ACTIONS


@pytest.fixture
def in_person(db, moderator, running_study, client):
    """An in-person session with its first task started; the moderator then logs out."""
    assert moderator.start_session(running_study.id, "in_person", consent="yes").status_code == 303
    test_session = fresh(db).scalars(select(TestSession)).one()
    assert moderator.act(running_study.id, test_session.public_id, "start").status_code == 200
    Auth(client).logout()
    fresh(db)  # end the snapshot taken before the app's writes, so set-ups can write
    return test_session


def _login(client, email):
    Auth(client).login(email)
    return Console(client)


@pytest.mark.parametrize("access", ["observer", "note_taker"])
def test_watchers_get_403_on_every_change(db, client, member, running_study, in_person, access):
    user = member(access)
    console = _login(client, user.email)
    config = console.config(running_study.id, in_person.public_id)
    assert config["role"] == access
    page = client.get(f"/studies/{running_study.id}/sessions/{in_person.public_id}/live")
    assert page.status_code == 200 and 'id="btn-end"' not in page.get_data(as_text=True)
    for action in ACTIONS:
        answer = console.act(running_study.id, in_person.public_id, action, verdict="success")
        assert answer.status_code == 403, action
        assert answer.get_json() is None  # the HTML error page, not an action's answer
    attempt = fresh(db).scalars(select(Attempt)).one()
    correction = client.post(
        f"/studies/{running_study.id}/sessions/{in_person.public_id}/attempts/{attempt.id}/outcome",
        data={"csrf_token": config["csrf"], "verdict": "failure"})
    assert correction.status_code == 403
    base = f"/studies/{running_study.id}/sessions/{in_person.public_id}"
    assert client.get(f"{base}/outcomes").status_code == 403
    assert "Correct an outcome" not in client.get(base).get_data(as_text=True)
    start = client.post(f"/studies/{running_study.id}/live/sessions",
                        data={"csrf_token": config["csrf"], "mode": "in_person", "consent": "yes"})
    assert start.status_code == 403
    attempt = fresh(db).get(Attempt, attempt.id)
    assert attempt.ended_at is None and attempt.paused_at is None and attempt.outcome is None
    assert [a.action for a in db.scalars(select(ModerationAudit))] == ["start"]
    assert client.get(f"/studies/{running_study.id}/sessions/{in_person.public_id}/live/feed"
                      ).status_code == 200


def test_viewers_see_results_but_not_sessions_live(client, member, running_study, in_person):
    viewer = member("viewer")
    _login(client, viewer.email)
    base = f"/studies/{running_study.id}/sessions/{in_person.public_id}"
    assert client.get(f"/studies/{running_study.id}/results").status_code == 200
    assert client.get(f"{base}/live").status_code == 403
    assert client.get(f"{base}/live/feed").status_code == 403


def test_no_access_is_404_on_console_stream_and_feed(db, client, make_user, running_study,
                                                     in_person):
    stranger = make_user("stranger@example.org")
    _login(client, stranger.email)
    base = f"/studies/{running_study.id}/sessions/{in_person.public_id}"
    for url in (f"{base}/live", f"{base}/live/stream", f"{base}/live/feed", f"{base}/audit",
                f"/studies/{running_study.id}/live",
                f"/studies/{running_study.id}/live/stream?session={in_person.public_id}",
                f"/studies/{running_study.id}/live/feed?session={in_person.public_id}"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"{base}/live/end", json={}).status_code in (400, 404)


def test_a_session_of_another_study_is_404(db, client, moderator, running_study, in_person,
                                           make_study, owner, demo_spec):
    import dataclasses

    other = make_study(owner=owner, spec=dataclasses.replace(demo_spec, slug="other-study"))
    Auth(client).login(owner.email)
    assert client.get(f"/studies/{other.id}/sessions/{in_person.public_id}/live").status_code == 404

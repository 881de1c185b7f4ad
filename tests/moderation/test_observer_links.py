"""Observer links: made ahead by a moderator, opened by someone without an account, who watches
and notes as an observer, never changes outcomes or timing (403), sees nothing else (404), and
loses access the moment the link is revoked or expires."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import csrf_token, fresh
from uxlab.models import (
    Attempt,
    ModerationAudit,
    Observation,
    ObserverGuest,
    ObserverLink,
    SessionWatch,
    TestSession,
    User,
)
from uxlab.moderation.actions import ACTIONS
from uxlab.timeutil import utcnow


@pytest.fixture
def sessions(db, moderator, running_study):
    """Two in-person sessions of the running study, the first with its first task started."""
    for _ in range(2):
        answer = moderator.start_session(running_study.id, "in_person", consent="yes")
        assert answer.status_code == 303
    first, second = fresh(db).scalars(select(TestSession).order_by(TestSession.id)).all()
    assert moderator.act(running_study.id, first.public_id, "start").status_code == 200
    fresh(db)
    return first, second


def make_link(moderator, study_id, **body):
    return moderator.client.post(f"/studies/{study_id}/live/observer-links", json=body,
                                 headers={"X-CSRFToken": moderator.csrf(study_id)})


@pytest.fixture
def guest(app):
    """Open an observer link in a browser of its own under a display name; return its client."""
    def open_link(url: str, name: str = "Dana Product"):
        client = app.test_client()
        path = url.split("localhost", 1)[1]
        answer = client.post(path, data={"display_name": name,
                                         "csrf_token": csrf_token(client, path)})
        assert answer.status_code == 303, answer.get_data(as_text=True)[:300]
        client.landing = answer.headers["Location"]
        return client
    return open_link


def _csrf(client, study_id, public_id) -> str:
    html = client.get(f"/studies/{study_id}/sessions/{public_id}/live").get_data(as_text=True)
    return re.search(r'"csrf": "([^"]+)"', html).group(1)


def test_a_moderator_makes_lists_and_revokes_links(db, moderator, running_study, sessions):
    first, _ = sessions
    made = make_link(moderator, running_study.id, session=str(first.public_id),
                     label="Product team", expires_in_hours=4)
    assert made.status_code == 201
    link = made.get_json()
    assert link["status"] == "active" and link["session"] == str(first.public_id)
    token = link["url"].rsplit("/", 1)[1]
    assert len(token) >= 40
    row = fresh(db).get(ObserverLink, link["id"])
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()  # only the hash is kept
    assert timedelta(hours=3, minutes=59) < row.expires_at - utcnow() <= timedelta(hours=4)
    study_wide = make_link(moderator, running_study.id, label="Everyone").get_json()
    assert study_wide["session"] is None and study_wide["expires_at"] is None

    listed = moderator.client.get(f"/studies/{running_study.id}/live/observer-links",
                                  headers={"Accept": "application/json"}).get_json()["links"]
    assert [entry["label"] for entry in listed] == ["Everyone", "Product team"]
    assert all("url" not in entry and token not in str(entry) for entry in listed)
    page = moderator.client.get(f"/studies/{running_study.id}/live/observer-links")
    assert "Product team" in page.get_data(as_text=True)
    assert "Observer links" in moderator.client.get(
        f"/studies/{running_study.id}/live").get_data(as_text=True)

    revoked = moderator.client.post(
        f"/studies/{running_study.id}/live/observer-links/{link['id']}/revoke",
        json={}, headers={"X-CSRFToken": moderator.csrf(running_study.id)})
    assert revoked.status_code == 200 and revoked.get_json()["status"] == "revoked"
    assert fresh(db).get(ObserverLink, link["id"]).revoked_at is not None


@pytest.mark.parametrize("body, field", [
    ({"label": "x" * 201}, "label"),
    ({"expires_in_hours": "soon"}, "expires_in_hours"),
    ({"expires_at": "2020-01-01T00:00:00Z"}, "expires_at"),
    ({"expires_at": "2999-01-01T00:00:00"}, "expires_at"),
    ({"session": "not-a-session"}, "session"),
    ({"colour": "red"}, "colour"),
])
def test_bad_input_names_the_field_and_makes_nothing(db, moderator, running_study, body, field):
    answer = make_link(moderator, running_study.id, **body)
    assert answer.status_code == 400 and answer.get_json()["field"] == field
    assert fresh(db).scalars(select(ObserverLink)).all() == []


def test_only_moderators_make_links(db, client, member, running_study, make_user):
    from tests.conftest import Auth

    observer = member("observer")
    Auth(client).login(observer.email)
    url = f"/studies/{running_study.id}/live/observer-links"
    assert client.get(url).status_code == 403
    Auth(client).logout()
    Auth(client).login(make_user("stranger@example.org").email)
    assert client.get(url).status_code == 404


def test_a_guest_watches_and_notes_under_their_name(db, moderator, running_study, sessions,
                                                    guest):
    first, _ = sessions
    link = make_link(moderator, running_study.id, session=str(first.public_id)).get_json()
    viewer = guest(link["url"])
    base = f"/studies/{running_study.id}/sessions/{first.public_id}"
    assert viewer.landing.endswith(f"{base}/live")
    page = viewer.get(f"{base}/live")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Dana Product (observer link)" in html
    assert 'id="btn-end"' not in html and "Session review" not in html
    feed = viewer.get(f"{base}/live/feed").get_json()
    assert feed["states"][0]["task"]["number"] == 1

    watch = fresh(db).scalars(select(SessionWatch).where(SessionWatch.guest_id.is_not(None))).one()
    assert (watch.session_id, watch.role, watch.user_id) == (first.id, "observer", None)
    audit = moderator.client.get(f"{base}/audit").get_data(as_text=True)
    assert "Dana Product (observer link) (observer)" in audit

    csrf = _csrf(viewer, running_study.id, first.public_id)
    note_id = "6f1c1f8e-9a3b-4c52-9d7e-0a1b2c3d4e5f"
    saved = viewer.put(f"{base}/notes/{note_id}", headers={"X-CSRFToken": csrf},
                       json={"kind": "problem", "text": "Cannot find the coupon field",
                             "severity": 3, "noted_at": utcnow().isoformat()})
    assert saved.status_code == 201, saved.get_data(as_text=True)
    assert saved.get_json()["author"] == "Dana Product (observer link)"
    note = fresh(db).scalars(select(Observation)).one()
    guest_row = db.scalars(select(ObserverGuest)).one()
    assert (note.guest_id, note.author_id, note.severity) == (guest_row.id, None, 3)
    assert note.attempt_id == db.scalars(select(Attempt)).one().id
    listed = viewer.get(f"{base}/notes").get_json()
    assert listed["you"] == "Dana Product (observer link)"
    by_author = moderator.client.get(f"{base}/notes?author=Dana Product (observer link)")
    assert [n["client_id"] for n in by_author.get_json()["notes"]] == [note_id]

    # The moderator's own note is not the guest's to change.
    mine = moderator.client.put(f"{base}/notes/0b5c3ad2-0000-4000-8000-000000000001",
                                json={"text": "Mine", "noted_at": utcnow().isoformat()},
                                headers={"X-CSRFToken": moderator.csrf(running_study.id)})
    assert mine.status_code == 201
    taken = viewer.put(f"{base}/notes/0b5c3ad2-0000-4000-8000-000000000001",
                       json={"text": "Yours now", "noted_at": utcnow().isoformat()},
                       headers={"X-CSRFToken": csrf})
    assert taken.status_code == 403


def test_a_guest_changes_no_outcome_or_timing(db, moderator, running_study, sessions, guest):
    first, _ = sessions
    viewer = guest(make_link(moderator, running_study.id).get_json()["url"])
    base = f"/studies/{running_study.id}/sessions/{first.public_id}"
    csrf = _csrf(viewer, running_study.id, first.public_id)
    for action in ACTIONS:
        answer = viewer.post(f"{base}/live/{action}", json={"verdict": "success"},
                             headers={"X-CSRFToken": csrf})
        assert answer.status_code == 403, action
    attempt = fresh(db).scalars(select(Attempt)).one()
    assert viewer.post(f"{base}/attempts/{attempt.id}/outcome",
                       data={"csrf_token": csrf, "verdict": "failure"}).status_code == 403
    assert viewer.get(f"{base}/outcomes").status_code == 403
    assert viewer.post(f"/studies/{running_study.id}/live/sessions",
                       data={"csrf_token": csrf, "mode": "in_person",
                             "consent": "yes"}).status_code == 403
    attempt = fresh(db).get(Attempt, attempt.id)
    assert attempt.ended_at is None and attempt.outcome is None
    assert [a.action for a in db.scalars(select(ModerationAudit))] == ["start"]
    assert len(db.scalars(select(TestSession)).all()) == 2


def test_a_guest_sees_nothing_else_of_the_study(db, moderator, running_study, sessions, guest,
                                                make_study, demo_spec, owner):
    first, second = sessions
    link = make_link(moderator, running_study.id, session=str(first.public_id)).get_json()
    viewer = guest(link["url"])
    study = f"/studies/{running_study.id}"
    other = f"{study}/sessions/{second.public_id}"
    for url in (f"{study}/results", f"{study}/problems", f"{study}/sessions/{first.public_id}",
                f"{study}/sessions/{first.public_id}/audit", f"{study}/live/observer-links",
                f"{other}/live", f"{other}/live/feed", f"{other}/notes",
                f"{study}/live/feed?session={second.public_id}", f"{study}/export/problems.csv"):
        assert viewer.get(url).status_code == 404, url
    # The study-level list shows only the session the link opens.
    feed = viewer.get(f"{study}/live/feed").get_json()
    assert [s["session"] for s in feed["states"]] == [str(first.public_id)]
    fresh(db)
    another = make_study(owner=owner, spec=dataclasses.replace(demo_spec, slug="other-study"))
    assert viewer.get(f"/studies/{another.id}/live").status_code == 404


def test_a_study_wide_link_opens_live_sessions_only(db, moderator, running_study, sessions,
                                                    guest):
    first, second = sessions
    viewer = guest(make_link(moderator, running_study.id).get_json()["url"])
    assert viewer.landing.endswith(f"/studies/{running_study.id}/live")
    for test_session in (first, second):
        console = f"/studies/{running_study.id}/sessions/{test_session.public_id}/live"
        assert viewer.get(console).status_code == 200
    fresh(db).get(TestSession, second.id).ended_at = utcnow()
    db.commit()
    ended = f"/studies/{running_study.id}/sessions/{second.public_id}"
    assert viewer.get(f"{ended}/live").status_code == 404  # past sessions stay closed
    assert viewer.get(f"{ended}/notes").status_code == 404


def test_revoked_or_expired_links_are_refused_at_once(db, moderator, running_study, sessions,
                                                      guest):
    first, _ = sessions
    link = make_link(moderator, running_study.id).get_json()
    viewer = guest(link["url"])
    console = f"/studies/{running_study.id}/sessions/{first.public_id}/live"
    assert viewer.get(console).status_code == 200
    moderator.client.post(f"/studies/{running_study.id}/live/observer-links/{link['id']}/revoke",
                          data={"csrf_token": moderator.csrf(running_study.id)})
    assert viewer.get(console).status_code == 410
    assert viewer.get(f"{console}/feed").status_code == 410
    path = link["url"].split("localhost", 1)[1]
    assert viewer.get(path).status_code == 410
    assert "withdrawn" in viewer.get(path).get_data(as_text=True)

    fresh(db)
    expiring = make_link(moderator, running_study.id, expires_in_hours=1).get_json()
    late = guest(expiring["url"], "Sam")
    assert late.get(console).status_code == 200
    fresh(db).get(ObserverLink, expiring["id"]).expires_at = utcnow() - timedelta(seconds=1)
    db.commit()
    assert late.get(console).status_code == 410
    assert late.get(expiring["url"].split("localhost", 1)[1]).status_code == 410
    assert late.get("/observe/" + "x" * 43).status_code == 404


def test_a_guest_page_keeps_the_token_private(moderator, running_study, app):
    url = make_link(moderator, running_study.id).get_json()["url"]
    answer = app.test_client().get(url.split("localhost", 1)[1])
    assert answer.status_code == 200 and "Your name" in answer.get_data(as_text=True)
    assert answer.headers["Referrer-Policy"] == "no-referrer"
    assert answer.headers["Cache-Control"] == "no-store"
    empty = app.test_client()
    path = url.split("localhost", 1)[1]
    refused = empty.post(path, data={"display_name": "  ", "csrf_token": csrf_token(empty, path)})
    assert refused.status_code == 400 and "display_name" in refused.get_data(as_text=True)


def _stream_after(app, client, study_id: int, public_id, end_access) -> str:
    """Read a session's live stream until its first state, call ``end_access``, and return all
    the stream said before it ended (quick polls and re-checks, a 30 s lifetime)."""
    app.config.update(LIVE_POLL_SECONDS=0.02, LIVE_STREAM_SECONDS=30,
                      LIVE_HEARTBEAT_SECONDS=0.05, LIVE_ACCESS_RECHECK_SECONDS=0.02)
    url = f"/studies/{study_id}/sessions/{public_id}/live/stream"
    with client.get(url, environ_overrides={"wsgi.multithread": True},
                    buffered=False) as response:
        assert response.status_code == 200
        chunks = iter(response.response)
        received = ""
        while "event: state" not in received:
            received += next(chunks).decode()
        end_access()
        return received + "".join(chunk.decode() for chunk in chunks)


def test_revoking_ends_a_guests_open_stream(app, db, moderator, running_study, sessions,
                                            guest):
    """The stream re-checks the link while it runs: revoked, it ends before its lifetime."""
    first, _ = sessions
    link = make_link(moderator, running_study.id).get_json()

    def revoke():
        moderator.client.post(
            f"/studies/{running_study.id}/live/observer-links/{link['id']}/revoke",
            data={"csrf_token": moderator.csrf(running_study.id)})

    received = _stream_after(app, guest(link["url"]), running_study.id, first.public_id, revoke)
    assert received.rstrip().endswith('"reason":"access ended"}')


def test_deactivating_an_account_ends_its_open_stream(app, database, moderator, running_study,
                                                       sessions, owner):
    """An account's stream re-checks the account too: deactivated (its sessions ended), the
    stream ends before its lifetime instead of showing the session for three more minutes."""
    first, _ = sessions

    def deactivate():
        with database.write_sessions() as write:
            user = write.get(User, owner.id)
            user.active = False
            user.session_version += 1
            write.commit()

    received = _stream_after(app, moderator.client, running_study.id, first.public_id,
                             deactivate)
    assert received.rstrip().endswith('"reason":"access ended"}')

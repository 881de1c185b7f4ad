"""Log-out ends the session on the server; a log-in starts a new session with a new CSRF token."""

from __future__ import annotations

from tests.conftest import Auth, csrf_token, fresh
from tests.web.test_auth import _logged_in
from uxlab.models import User

EMAIL = "researcher@example.org"


def test_a_cookie_captured_before_log_out_is_refused_after(app, auth, client, make_user):
    make_user()
    assert auth.login(EMAIL).status_code == 302
    captured = client.get_cookie("session").value
    assert auth.logout().status_code == 302
    replay = app.test_client()
    replay.set_cookie("session", captured)
    assert not _logged_in(replay)


def test_log_out_ends_the_users_other_sessions_too(app, auth, client, make_user):
    make_user()
    other = app.test_client()
    for browser in (client, other):
        Auth(browser).login(EMAIL)
        assert _logged_in(browser)
    auth.logout()
    assert not _logged_in(other)
    assert auth.login(EMAIL).status_code == 302  # logging in again works


def test_a_deactivated_users_session_ends_at_once(auth, client, db, make_user):
    user_id = make_user().id
    auth.login(EMAIL)
    assert _logged_in(client)
    fresh(db).get(User, user_id).active = False
    db.commit()
    assert not _logged_in(client)


def test_the_csrf_token_changes_at_log_in(app, auth, client, make_user):
    make_user()
    before = csrf_token(client, "/login")
    with client.session_transaction() as session:
        raw_before = session["csrf_token"]
    assert auth.login(EMAIL).status_code == 302
    csrf_token(client, "/studies/")  # a page with a form makes the session's token
    with client.session_transaction() as session:
        assert session["csrf_token"] != raw_before
    # a token read by someone before the log-in no longer passes for the logged-in user
    refused = client.post("/logout", data={"csrf_token": before})
    assert refused.status_code == 400
    assert _logged_in(client)

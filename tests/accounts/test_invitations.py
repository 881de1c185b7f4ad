"""Invitations and resets: one-time set-password links made by an admin and used by their owner."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.accounts.conftest import NEW_PASSWORD, logged_in, set_password
from tests.conftest import TEST_PASSWORD, Auth, csrf_token, fresh
from uxlab.models import PasswordLink, User

INVITEE = "new@example.org"


def _user(db, email: str) -> User:
    return fresh(db).scalar(select(User).where(User.email == email))


def test_invite_set_password_and_log_in(app, admin, db):
    response = admin.invite("New@Example.org", role="observer")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "not shown" in page and "again" in page
    user = _user(db, INVITEE)
    assert (user.role, user.name, user.active, user.has_password) == ("observer", "New Person",
                                                                      True, False)
    # only the token's hash is stored
    from tests.accounts.conftest import link_on

    token = link_on(page).rsplit("/", 1)[1]
    stored = fresh(db).scalar(select(PasswordLink.token_hash))
    assert token not in stored and len(stored) == 64
    # an invited account cannot log in yet, with any password
    invitee = app.test_client()
    assert Auth(invitee).login(INVITEE, "").status_code == 400
    # the link's page names the account and asks for no email address
    opened = invitee.get(link_on(page))
    assert opened.status_code == 200 and INVITEE in opened.get_data(as_text=True)
    assert 'name="email"' not in opened.get_data(as_text=True)
    assert opened.headers["Referrer-Policy"] == "no-referrer"
    done = set_password(invitee, link_on(page))
    assert done.status_code == 303 and done.headers["Location"].endswith("/studies/")
    assert logged_in(invitee)
    other = app.test_client()
    assert Auth(other).login(INVITEE, NEW_PASSWORD).status_code == 302
    assert _user(db, INVITEE).last_login_at is not None


def test_a_used_link_answers_410(app, admin):
    link = admin.invite_link(INVITEE)
    invitee = app.test_client()
    assert set_password(invitee, link).status_code == 303
    again = app.test_client()
    gone = again.get(link)
    assert gone.status_code == 410
    assert "already been used" in gone.get_data(as_text=True)
    response = again.post(link, data={"password": "another passphrase", "confirm":
                                      "another passphrase",
                                      "csrf_token": csrf_token(again, "/login")})
    assert response.status_code == 410


def test_an_expired_link_answers_410_and_changes_nothing(app, admin, db):
    link = admin.invite_link(INVITEE)
    row = fresh(db).scalar(select(PasswordLink))
    row.expires_at = row.created_at - timedelta(seconds=1)
    db.commit()
    invitee = app.test_client()
    assert invitee.get(link).status_code == 410
    response = invitee.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD,
                                        "csrf_token": csrf_token(invitee, "/login")})
    assert response.status_code == 410
    assert not _user(db, INVITEE).has_password


def test_a_link_expires_after_seven_days(admin, db):
    admin.invite_link(INVITEE)
    row = fresh(db).scalar(select(PasswordLink))
    assert row.expires_at - row.created_at == timedelta(days=7)


def test_a_new_invitation_replaces_the_old_link(app, admin, db):
    old = admin.invite_link(INVITEE)
    user_id = _user(db, INVITEE).id
    new = admin.reset_link(user_id)  # not set up yet: a new invitation
    assert new != old
    invitee = app.test_client()
    replaced = invitee.get(old)
    assert replaced.status_code == 410 and "replaced" in replaced.get_data(as_text=True)
    assert set_password(invitee, new).status_code == 303


def test_an_unknown_token_is_404(client):
    assert client.get("/account/set-password/not-a-token").status_code == 404


def test_a_short_or_mismatched_password_is_refused_beside_the_field(app, admin, db):
    link = admin.invite_link(INVITEE)
    invitee = app.test_client()
    short = set_password(invitee, link, password="short")
    assert short.status_code == 400
    assert "at least 10 characters" in short.get_data(as_text=True)
    differ = set_password(invitee, link, password=NEW_PASSWORD, confirm="something else!")
    assert differ.status_code == 400 and "Passwords differ" in differ.get_data(as_text=True)
    assert not _user(db, INVITEE).has_password
    assert invitee.get(link).status_code == 200  # still usable


def test_set_password_needs_the_csrf_token(app, admin, db):
    link = admin.invite_link(INVITEE)
    response = app.test_client().post(link, data={"password": NEW_PASSWORD,
                                                  "confirm": NEW_PASSWORD})
    assert response.status_code == 400
    assert not _user(db, INVITEE).has_password


@pytest.mark.parametrize(("email", "message"), [
    ("not-an-email", "is not an email address"),
    ("root@example.org", "already exists"),
])
def test_invite_refuses_bad_email_naming_the_field(admin, db, email, message):
    response = admin.invite(email)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="email-error"' in page and message in page
    assert fresh(db).scalar(select(PasswordLink.id)) is None


def test_reset_old_password_refused_new_accepted_other_sessions_ended(app, admin, db,
                                                                    make_user):
    user_id = make_user("ada@example.org").id
    elsewhere = app.test_client()
    assert Auth(elsewhere).login("ada@example.org").status_code == 302
    link = admin.reset_link(user_id)
    assert logged_in(elsewhere)  # issuing a reset ends nothing by itself
    ada = app.test_client()
    opened = ada.get(link)
    assert opened.status_code == 200 and "password reset" in opened.get_data(as_text=True)
    assert set_password(ada, link).status_code == 303
    assert logged_in(ada)
    assert not logged_in(elsewhere)
    fresh_browser = app.test_client()
    assert Auth(fresh_browser).login("ada@example.org", TEST_PASSWORD).status_code == 400
    assert Auth(fresh_browser).login("ada@example.org", NEW_PASSWORD).status_code == 302


def test_deactivation_withdraws_open_links(app, admin, db, make_user):
    user_id = make_user("ada@example.org").id
    link = admin.reset_link(user_id)
    assert admin.deactivate(user_id).status_code == 303
    assert app.test_client().get(link).status_code == 410


def test_the_command_lines_link_path_is_the_route(app):
    from flask import url_for

    from uxlab.accounts.password_links import set_password_path

    with app.test_request_context():
        assert url_for("account.set_password", token="abc-_1") == set_password_path("abc-_1")

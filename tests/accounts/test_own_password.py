"""Every user changes their own password: other sessions end, this one stays."""

from __future__ import annotations

import pytest

from tests.accounts.conftest import NEW_PASSWORD, logged_in
from tests.conftest import TEST_PASSWORD, Auth, csrf_token, fresh
from uxlab.accounts.service import password_matches
from uxlab.models import User

ADA = "ada@example.org"


def _change(client, current=TEST_PASSWORD, password=NEW_PASSWORD, confirm=None):
    return client.post("/account/password", data={
        "current": current, "password": password, "confirm": confirm or password,
        "csrf_token": csrf_token(client, "/account/password")})


def test_changing_ends_other_sessions_and_keeps_this_one(app, db, make_user):
    user_id = make_user(ADA, role="observer").id  # the least role may change its password
    here, elsewhere = app.test_client(), app.test_client()
    for browser in (here, elsewhere):
        assert Auth(browser).login(ADA).status_code == 302
    captured = here.get_cookie("session").value
    response = _change(here)
    assert response.status_code == 303
    assert logged_in(here)
    assert not logged_in(elsewhere)
    replay = app.test_client()
    replay.set_cookie("session", captured)
    assert not logged_in(replay)
    assert password_matches(fresh(db).get(User, user_id), NEW_PASSWORD)
    assert Auth(app.test_client()).login(ADA, TEST_PASSWORD).status_code == 400


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"current": "not my password"}, "current", "is not your current password"),
    ({"password": "short", "confirm": "short"}, "password", "at least 10 characters"),
    ({"confirm": "something else entirely"}, "confirm", "Passwords differ"),
    ({"password": TEST_PASSWORD, "confirm": TEST_PASSWORD}, "password", "choose a new one"),
])
def test_bad_input_is_refused_beside_the_field(app, db, make_user, data, field, message):
    make_user(ADA)
    client = app.test_client()
    Auth(client).login(ADA)
    response = _change(client, **data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'id="{field}-error"' in page and message in page
    assert logged_in(client)
    assert Auth(app.test_client()).login(ADA, TEST_PASSWORD).status_code == 302


def test_the_page_needs_a_log_in(client):
    response = client.get("/account/password")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_guesses_at_the_current_password_are_slowed_down_as_log_ins_are(app, db, make_user):
    """A session left open must not let someone try passwords at full speed: after the free
    failures, even the right password waits (429 with Retry-After) and nothing changes."""
    user_id = make_user(ADA).id
    client = app.test_client()
    Auth(client).login(ADA)
    answers = [_change(client, current=f"guess number {n}").status_code for n in range(5)]
    assert answers == [400] * 5
    response = _change(client)
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) >= 1
    assert "Too many wrong passwords" in response.get_data(as_text=True)
    assert password_matches(fresh(db).get(User, user_id), TEST_PASSWORD)
    assert logged_in(client)


def test_a_right_current_password_does_not_count_as_a_guess(app, db, make_user):
    make_user(ADA)
    client = app.test_client()
    Auth(client).login(ADA)
    for _ in range(6):  # the right password with a refused new one, more than the free failures
        assert _change(client, password="short", confirm="short").status_code == 400
    assert _change(client).status_code == 303

"""Logging in and out, the first-run account, CSRF, the session cookie, safe redirects."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import func, select

from tests.conftest import TEST_PASSWORD, csrf_token, fresh
from uxlab.models import Study, User

NEW_PASSWORD = "a long enough password"


def _users(db) -> list[User]:
    return fresh(db).scalars(select(User).order_by(User.id)).all()


def _logged_in(client) -> bool:
    return client.get("/studies/").status_code == 200


def _setup(client, **overrides):
    data = {"name": "Ada", "email": "ada@example.org", "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD, "csrf_token": csrf_token(client, "/setup")}
    data.update(overrides)
    return client.post("/setup", data=data)


def field_error(html: str, field_id: str) -> str | None:
    """The error message shown beside the field ``field_id`` (None if there is none)."""
    if not re.search(rf'<(input|select|textarea)[^>]*\bid="{field_id}"[^>]*aria-invalid="true"',
                     html) and not re.search(
            rf'<(input|select|textarea)[^>]*aria-invalid="true"[^>]*\bid="{field_id}"', html):
        return None
    match = re.search(rf'<p class="error" id="{field_id}-error">([^<]*)</p>', html)
    return unescape(match.group(1)) if match else None


# --- first run -----------------------------------------------------------------------------------

def test_a_fresh_installation_asks_for_the_first_account(client):
    response = client.get("/studies/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    response = client.get("/login")
    assert response.status_code == 302 and response.headers["Location"].endswith("/setup")
    page = client.get("/setup")
    assert page.status_code == 200
    assert "No account exists yet" in page.get_data(as_text=True)


def test_setup_creates_an_admin_and_logs_in(client, db):
    response = _setup(client)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/studies/")
    [user] = _users(db)
    assert (user.email, user.role, user.name) == ("ada@example.org", "admin", "Ada")
    assert user.password_hash.startswith("scrypt:")
    assert NEW_PASSWORD not in user.password_hash
    page = client.get("/studies/")
    assert page.status_code == 200
    assert "ada@example.org" in page.get_data(as_text=True)


def test_setup_refuses_bad_input_beside_the_fields(client, db):
    response = _setup(client, email="not an email", password="short", confirm="other")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "at least 10" in field_error(html, "password")
    assert "Passwords differ." in field_error(html, "confirm")
    assert _users(db) == []
    response = _setup(client, email="not an email")
    assert response.status_code == 400
    assert "is not an email address" in field_error(response.get_data(as_text=True), "email")
    assert _users(db) == []
    assert not _logged_in(client)


def test_after_the_first_account_setup_is_closed(client, db, make_user):
    make_user()
    response = client.get("/setup")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    token = csrf_token(client, "/login")
    response = client.post("/setup", data={"email": "mallory@example.org", "password": "x" * 12,
                                           "confirm": "x" * 12, "csrf_token": token})
    assert response.status_code == 302
    assert [u.email for u in _users(db)] == ["researcher@example.org"]
    assert not _logged_in(client)


# --- logging in and out --------------------------------------------------------------------------

def test_login_leads_to_the_study_list(client, auth, make_user):
    make_user()
    response = auth.login("Researcher@Example.org ")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/studies/")
    assert _logged_in(client)
    # A logged-in visitor of the login page goes straight to the studies.
    assert client.get("/login").headers["Location"].endswith("/studies/")


@pytest.mark.parametrize(("email", "password"), [
    ("researcher@example.org", "wrong password"),
    ("nobody@example.org", TEST_PASSWORD),
])
def test_a_wrong_password_is_refused(client, auth, make_user, email, password):
    make_user()
    response = auth.login(email, password)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert field_error(html, "password") == "Wrong email or password."
    with client.session_transaction() as session:
        assert "_user_id" not in session
    assert not _logged_in(client)


def test_an_inactive_account_cannot_log_in(client, db, auth, make_user):
    user = make_user()
    user.active = False
    db.commit()
    assert auth.login("researcher@example.org").status_code == 400
    assert not _logged_in(client)


def test_logout_ends_the_session(client, auth, make_user):
    make_user()
    auth.login("researcher@example.org")
    assert client.get("/logout").status_code == 405  # only a POST (with its token) logs out
    assert _logged_in(client)
    response = auth.logout()
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert not _logged_in(client)


def test_the_session_cookie_is_httponly_and_samesite_lax(auth, make_user):
    make_user()
    response = auth.login("researcher@example.org")
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies, response.headers
    attributes = {part.strip().split("=")[0].lower(): part.strip()
                  for part in cookies[-1].split(";")[1:]}
    assert "httponly" in attributes
    assert attributes["samesite"].lower() == "samesite=lax"


@pytest.mark.parametrize("target", [
    "https://evil.example/",
    "//evil.example/studies/",
    "/\\evil.example",
    "\\\\evil.example",
    "https:evil.example",
    "javascript:alert(1)",
    "/\t/evil.example",
    " //evil.example",
])
def test_login_does_not_redirect_off_site(client, make_user, target):
    make_user()
    token = csrf_token(client, "/login")
    response = client.post("/login", query_string={"next": target}, data={
        "email": "researcher@example.org", "password": TEST_PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    location = response.headers["Location"]
    # Resolve it as a browser does: a backslash counts as a slash, tabs and newlines are dropped.
    resolved = urljoin("http://localhost/login", re.sub(r"[\t\n\r]", "", location)
                       .replace("\\", "/"))
    assert urlsplit(resolved).netloc == "localhost", location
    assert urlsplit(resolved).scheme == "http", location


def test_login_follows_a_local_next(client, make_study, make_user):
    make_user()
    study = make_study()
    token = csrf_token(client, "/login")
    response = client.post("/login", query_string={"next": f"/studies/{study.id}"}, data={
        "email": "researcher@example.org", "password": TEST_PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == f"/studies/{study.id}"


def test_a_protected_page_sends_to_login_with_next(client, make_user):
    make_user()
    response = client.get("/studies/new")
    assert response.status_code == 302
    assert "/login?next=" in response.headers["Location"]


# --- CSRF ----------------------------------------------------------------------------------------

def test_login_without_csrf_token_is_refused(client, make_user):
    make_user()
    response = client.post("/login", data={"email": "researcher@example.org",
                                           "password": TEST_PASSWORD})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    assert not _logged_in(client)


def test_a_wrong_csrf_token_is_refused(client, make_user):
    make_user()
    csrf_token(client, "/login")
    response = client.post("/login", data={"email": "researcher@example.org",
                                           "password": TEST_PASSWORD, "csrf_token": "forged"})
    assert response.status_code == 400
    assert not _logged_in(client)


def test_creating_a_study_without_csrf_token_stores_nothing(client, db, auth, make_user):
    make_user()
    auth.login("researcher@example.org")
    response = client.post("/studies/new", data={"slug": "sneaky", "title": "Sneaky",
                                                 "design": "between"})
    assert response.status_code == 400
    assert fresh(db).scalar(select(func.count(Study.id))) == 0


def test_logout_without_csrf_token_is_refused(client, auth, make_user):
    make_user()
    auth.login("researcher@example.org")
    assert client.post("/logout").status_code == 400
    assert _logged_in(client)


def test_setup_without_csrf_token_stores_nothing(client, db):
    client.get("/setup")
    response = client.post("/setup", data={"email": "ada@example.org", "password": NEW_PASSWORD,
                                           "confirm": NEW_PASSWORD})
    assert response.status_code == 400
    assert _users(db) == []


@pytest.mark.parametrize("target", ["/\\evil.example", "/\\/evil.example", "/\tevil",
                                    "/ok\r\nLocation: https://evil.example"])
def test_safe_next_refuses_backslashes_and_control_characters(app, target):
    # Not left to Werkzeug's percent-encoding of the Location header: refused here.
    from uxlab.auth.views import _safe_next

    with app.test_request_context():
        assert _safe_next(target) == "/studies/"
        assert _safe_next("/studies/3?tab=tasks") == "/studies/3?tab=tasks"

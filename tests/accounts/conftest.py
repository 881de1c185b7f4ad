"""Fixtures for the account tests: a logged-in admin, and helpers for the admin's pages."""

from __future__ import annotations

import html
import re

import pytest

from tests.conftest import TEST_PASSWORD, Auth, csrf_token

ADMIN = "root@example.org"
NEW_PASSWORD = "a brand new passphrase"


def logged_in(client) -> bool:
    return client.get("/studies/").status_code == 200


def link_on(page: str) -> str:
    """The set-password link shown on an admin's link page, as a path."""
    match = re.search(r'id="set-password-link" class="copy" readonly value="([^"]+)"', page)
    assert match, "no set-password link on the page"
    return html.unescape(match.group(1)).replace("http://localhost", "")


class AdminPages:
    """What an admin does in the browser, as test-client requests."""

    def __init__(self, client):
        self.client = client

    def token(self, url: str = "/admin/users") -> str:
        return csrf_token(self.client, url)

    def post(self, url: str, **data):
        return self.client.post(url, data={"csrf_token": self.token(), **data})

    def invite(self, email: str, role: str = "researcher", name: str = "New Person"):
        return self.client.post("/admin/users/invite", data={
            "email": email, "name": name, "role": role,
            "csrf_token": self.token("/admin/users/invite")})

    def invite_link(self, email: str, role: str = "researcher") -> str:
        response = self.invite(email, role)
        assert response.status_code == 200, response.get_data(as_text=True)
        return link_on(response.get_data(as_text=True))

    def reset_link(self, user_id: int) -> str:
        response = self.post(f"/admin/users/{user_id}/link")
        assert response.status_code == 200
        return link_on(response.get_data(as_text=True))

    def deactivate(self, user_id: int):
        return self.post(f"/admin/users/{user_id}/deactivate", confirmed="yes")


def set_password(client, link: str, password: str = NEW_PASSWORD, confirm: str | None = None):
    return client.post(link, data={"password": password, "confirm": confirm or password,
                                   "csrf_token": csrf_token(client, link)})


@pytest.fixture
def admin_user(make_user):
    return make_user(ADMIN, role="admin")


@pytest.fixture
def admin(client, admin_user):
    assert Auth(client).login(ADMIN).status_code == 302
    return AdminPages(client)


__all__ = ["ADMIN", "NEW_PASSWORD", "TEST_PASSWORD", "logged_in", "set_password"]

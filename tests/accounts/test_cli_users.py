"""``uxlab user list|invite|deactivate|reactivate|role|reset``: the admin pages' jobs, audited as
the command line."""

from __future__ import annotations

from sqlalchemy import select

from tests.accounts.conftest import NEW_PASSWORD, set_password
from tests.conftest import Auth, fresh
from uxlab.models import AccountAudit, User

ADA = "ada@example.org"


def test_invite_prints_a_link_that_works(app, cli, db):
    result = cli("user", "invite", "New@Example.org", "--role", "observer",
                 "--base-url", "https://ux.example.org/")
    assert result.exit_code == 0, result.output
    link = result.output.strip()
    assert link.startswith("https://ux.example.org/account/set-password/")
    path = link.removeprefix("https://ux.example.org")
    client = app.test_client()
    assert set_password(client, path).status_code == 303
    assert Auth(app.test_client()).login("new@example.org", NEW_PASSWORD).status_code == 302
    row = fresh(db).scalar(select(AccountAudit).where(AccountAudit.action == "invited"))
    assert (row.actor, row.target, row.details["role"]) == ("command line", "new@example.org",
                                                            "observer")


def test_inviting_again_replaces_the_link(app, cli):
    first = cli("user", "invite", "new@example.org").output.strip()
    second = cli("user", "invite", "new@example.org").output.strip()
    assert first.startswith("/account/set-password/") and second != first
    assert app.test_client().get(first).status_code == 410
    assert app.test_client().get(second).status_code == 200


def test_invite_refuses_a_taken_or_bad_email_naming_it(cli, make_user):
    make_user(ADA)
    for email, message in ((ADA, "already exists"), ("nobody", "is not an email address")):
        result = cli("user", "invite", email)
        assert result.exit_code != 0
        assert "email" in result.output and message in result.output


def test_deactivate_reactivate_reset_role_and_list(app, cli, db, make_user):
    make_user("root@example.org", role="admin")
    user_id = make_user(ADA).id
    ada = app.test_client()
    Auth(ada).login(ADA)
    assert cli("user", "deactivate", ADA).exit_code == 0
    assert ada.get("/studies/").status_code == 302  # the session ended at once
    listing = cli("user", "list").output
    assert ADA in listing and "deactivated" in listing and "root@example.org" in listing
    assert cli("user", "reactivate", "ADA@example.org").exit_code == 0
    assert cli("user", "role", ADA, "observer").exit_code == 0
    assert fresh(db).get(User, user_id).role == "observer"
    link = cli("user", "reset", ADA).output.strip()
    assert set_password(app.test_client(), link).status_code == 303
    actions = fresh(db).scalars(select(AccountAudit.action).order_by(AccountAudit.id)).all()
    assert actions == ["deactivated", "reactivated", "role_changed", "reset_issued",
                       "reset_used"]


def test_the_last_admin_guard_holds_on_the_command_line(cli, db, make_user):
    make_user("root@example.org", role="admin")
    result = cli("user", "deactivate", "root@example.org")
    assert result.exit_code != 0 and "last active admin" in result.output
    result = cli("user", "role", "root@example.org", "researcher")
    assert result.exit_code != 0 and "last active admin" in result.output
    assert fresh(db).scalar(select(User.active)) is True


def test_an_unknown_account_is_named(cli):
    result = cli("user", "deactivate", "ghost@example.org")
    assert result.exit_code != 0 and "no account for ghost@example.org" in result.output


def test_create_is_audited(cli, db, monkeypatch):
    monkeypatch.setenv("UXLAB_PASSWORD", NEW_PASSWORD)
    assert cli("user", "create", ADA).exit_code == 0
    row = fresh(db).scalar(select(AccountAudit))
    assert (row.actor, row.target, row.action) == ("command line", ADA, "created")

"""The account audit: a row for each change, shown to admins newest first, a page at a time."""

from __future__ import annotations

from sqlalchemy import select

from tests.accounts.conftest import ADMIN, NEW_PASSWORD, set_password
from tests.conftest import TEST_PASSWORD, Auth, csrf_token, fresh
from uxlab.accounts import audit
from uxlab.models import AccountAudit, User

ADA = "ada@example.org"


def _rows(db):
    return [(row.actor, row.target, row.action, row.details)
            for row in fresh(db).scalars(select(AccountAudit).order_by(AccountAudit.id))]


def test_every_change_has_its_row(app, admin, admin_user, db, make_user):
    ada_id = make_user(ADA).id
    invite_link = admin.invite_link("new@example.org", role="observer")
    set_password(app.test_client(), invite_link)
    admin.post(f"/admin/users/{ada_id}/role", role="observer")
    reset_link = admin.reset_link(ada_id)
    set_password(app.test_client(), reset_link)
    admin.deactivate(ada_id)
    admin.post(f"/admin/users/{ada_id}/reactivate")
    admin.client.post("/account/password", data={
        "current": TEST_PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD,
        "csrf_token": csrf_token(admin.client, "/account/password")})
    rows = _rows(db)
    assert [(actor, target, action) for actor, target, action, _ in rows] == [
        (ADMIN, "new@example.org", "invited"),
        ("new@example.org", "new@example.org", "invitation_used"),
        (ADMIN, ADA, "role_changed"),
        (ADMIN, ADA, "reset_issued"),
        (ADA, ADA, "reset_used"),
        (ADMIN, ADA, "deactivated"),
        (ADMIN, ADA, "reactivated"),
        (ADMIN, ADMIN, "password_changed"),
    ]
    assert rows[0][3]["role"] == "observer"
    assert rows[2][3] == {"from": "researcher", "to": "observer"}
    for _, _, _, details in rows:
        assert "password" not in str(details).lower().replace("password_", "")


def test_refused_changes_leave_no_row(admin, admin_user, db):
    admin.post(f"/admin/users/{admin_user.id}/role", role="observer")
    admin.invite("not-an-email")
    assert _rows(db) == []


def test_the_audit_page_is_newest_first_and_paged(admin, admin_user, db):
    user = fresh(db).get(User, admin_user.id)
    for number in range(audit.PAGE_SIZE + 5):
        audit.record(db, None, user, "reactivated", number=number)
    db.commit()
    first = admin.client.get("/admin/audit").get_data(as_text=True)
    assert "number: 54" in first and "number: 4<" not in first
    assert first.index("number: 54") < first.index("number: 53")
    assert "Page 1 of 2" in first and "command line" in first
    second = admin.client.get("/admin/audit?page=2").get_data(as_text=True)
    assert "number: 4<" in second and "number: 0<" in second and "number: 54" not in second
    assert admin.client.get("/admin/audit?page=banana").status_code == 200
    assert "Page 2 of 2" in admin.client.get("/admin/audit?page=99").get_data(as_text=True)


def test_the_first_run_set_up_is_audited(client, db):
    client.post("/setup", data={"name": "Ada", "email": ADA, "password": NEW_PASSWORD,
                                "confirm": NEW_PASSWORD,
                                "csrf_token": csrf_token(client, "/setup")})
    assert [(a, t, action) for a, t, action, _ in _rows(db)] == [(ADA, ADA, "created")]


def test_log_in_records_the_time(client, db, make_user):
    user_id = make_user(ADA).id
    assert fresh(db).get(User, user_id).last_login_at is None
    Auth(client).login(ADA)
    assert fresh(db).get(User, user_id).last_login_at is not None

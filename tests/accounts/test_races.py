"""Two account changes at once: the rules hold across transactions (and worker processes)."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import fresh
from tests.support.races import race
from uxlab.accounts import administration
from uxlab.accounts.service import AccountError
from uxlab.models import User

PASSWORD = "a long enough password"


def test_one_link_used_twice_at_once_sets_one_password(database, db, make_user):
    admin_id = make_user("root@example.org", role="admin").id
    with database.write_sessions() as session:
        _, token = administration.invite(session, session.get(User, admin_id),
                                         "new@example.org", "", "researcher")
        session.commit()
    outcome = race(database, lambda s: administration.use_link(s, token, PASSWORD),
                   lambda s: administration.use_link(s, token, "the other password"))
    assert isinstance(outcome.get("raised"), administration.LinkGone), outcome
    assert outcome["raised"].status == "used"
    from uxlab.accounts.service import password_matches

    user = fresh(db).scalar(select(User).where(User.email == "new@example.org"))
    assert password_matches(user, PASSWORD)


def test_two_admins_deactivating_each_other_at_once_leave_one(database, db, make_user):
    first_id = make_user("ada@example.org", role="admin").id
    second_id = make_user("grace@example.org", role="admin").id

    def deactivate(actor_id, target_id):
        return lambda s: administration.deactivate(s, s.get(User, actor_id),
                                                   s.get(User, target_id))

    outcome = race(database, deactivate(first_id, second_id), deactivate(second_id, first_id))
    error = outcome.get("raised")
    assert isinstance(error, AccountError), outcome
    assert "last active admin" in error.message
    assert fresh(db).scalars(select(User.email).where(User.active.is_(True))).all() == [
        "ada@example.org"]

"""Two people doing the same thing at once: the loser gets the same clear answer as a later
request would, never a 500 (PostgreSQL lets both pass the check before either inserts)."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from tests.conftest import fresh
from uxlab.accounts.service import AccountError, SetupClosed, create_first_admin, create_user
from uxlab.models import Study, User
from uxlab.studies.editing import create_study
from uxlab.studies.problems import StudyDefinitionError

PASSWORD = "a long enough password"


def test_two_first_run_setups_at_once_make_one_admin(app):
    """The second set-up waits for the first and then finds the installation set up."""
    database = app.extensions["uxlab.db"]
    outcome: dict = {}

    def second():
        with database.write_sessions() as session:
            try:
                create_first_admin(session, "grace@example.org", PASSWORD)
                session.commit()
                outcome["second"] = "created"
            except SetupClosed:
                outcome["second"] = "closed"

    with database.write_sessions() as first:
        create_first_admin(first, "ada@example.org", PASSWORD)
        racer = threading.Thread(target=second)
        racer.start()
        racer.join(timeout=0.5)
        assert racer.is_alive()  # waiting its turn, not deciding on what it saw before
        first.commit()
    racer.join(timeout=30)
    assert outcome == {"second": "closed"}
    with database.read_sessions() as session:
        assert session.scalars(select(User.email)).all() == ["ada@example.org"]


def _race(database, first_action, second_action) -> dict:
    """Run ``first_action`` in a write transaction, and ``second_action`` in another one that
    starts before the first commits; return what the second raised or returned."""
    outcome: dict = {}

    def second():
        with database.write_sessions() as session:
            try:
                outcome["returned"] = second_action(session)
                session.commit()
            except Exception as exc:  # what the test asserts
                outcome["raised"] = exc

    with database.write_sessions() as first:
        first_action(first)
        first.flush()
        racer = threading.Thread(target=second)
        racer.start()
        racer.join(timeout=0.5)  # SQLite: waiting at BEGIN; PostgreSQL: at the unique index
        assert racer.is_alive(), outcome
        first.commit()
    racer.join(timeout=30)
    return outcome


def test_the_same_email_created_twice_at_once_is_a_field_error(app, db):
    outcome = _race(app.extensions["uxlab.db"],
                    lambda s: create_user(s, "ada@example.org", PASSWORD),
                    lambda s: create_user(s, "ADA@example.org", PASSWORD))
    error = outcome.get("raised")
    assert isinstance(error, AccountError), outcome
    assert (error.field, error.message) == ("email", "an account for ada@example.org already exists")
    assert fresh(db).scalar(select(func.count(User.id))) == 1


def test_the_same_slug_created_twice_at_once_is_a_field_error(app, db, make_user):
    owner_id = make_user().id

    def create(session):
        return create_study(session, session.get(User, owner_id),
                            {"slug": "usability-2026", "title": "Usability 2026"})

    outcome = _race(app.extensions["uxlab.db"], create, create)
    error = outcome.get("raised")
    assert isinstance(error, StudyDefinitionError), outcome
    assert [(p.key, p.message) for p in error.problems] == [
        ("study.slug", "a study called 'usability-2026' already exists")]
    assert fresh(db).scalar(select(func.count(Study.id))) == 1

"""Two people doing the same thing at once: the loser gets the same clear answer as a later
request would, never a 500 (PostgreSQL lets both pass the check before either inserts)."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.conftest import PROJECT_ROOT, fresh
from tests.support.races import race
from uxlab.accounts.service import AccountError, SetupClosed, create_first_admin, create_user
from uxlab.models import Study, User
from uxlab.studies.copies import load_uploaded_file
from uxlab.studies.editing import create_study
from uxlab.studies.problems import StudyDefinitionError

PASSWORD = "a long enough password"


def test_two_first_run_setups_at_once_make_one_admin(database):
    """The second set-up waits for the first and then finds the installation set up."""
    outcome = race(database, lambda s: create_first_admin(s, "ada@example.org", PASSWORD),
                   lambda s: create_first_admin(s, "grace@example.org", PASSWORD))
    assert isinstance(outcome.get("raised"), SetupClosed), outcome
    with database.read_sessions() as session:
        assert session.scalars(select(User.email)).all() == ["ada@example.org"]


def test_the_same_email_created_twice_at_once_is_a_field_error(database, db):
    outcome = race(database,
                   lambda s: create_user(s, "ada@example.org", PASSWORD),
                   lambda s: create_user(s, "ADA@example.org", PASSWORD))
    error = outcome.get("raised")
    assert isinstance(error, AccountError), outcome
    assert (error.field, error.message) == ("email", "an account for ada@example.org already exists")
    assert fresh(db).scalar(select(func.count(User.id))) == 1


def test_the_same_slug_created_twice_at_once_is_a_field_error(database, db, make_user):
    owner_id = make_user().id

    def create(session):
        return create_study(session, session.get(User, owner_id),
                            {"slug": "usability-2026", "title": "Usability 2026"})

    outcome = race(database, create, create)
    error = outcome.get("raised")
    assert isinstance(error, StudyDefinitionError), outcome
    assert [(p.key, p.message) for p in error.problems] == [
        ("study.slug", "a study called 'usability-2026' already exists")]
    assert fresh(db).scalar(select(func.count(Study.id))) == 1


def test_the_same_new_study_file_uploaded_twice_at_once_makes_one_study(database, db,
                                                                        make_user):
    """Two uploads of a file for the same new slug at once: one study, and the second upload
    finds it unchanged, as a later upload would (on PostgreSQL it was a 500)."""
    owner_id = make_user().id
    content = (PROJECT_ROOT / "studies" / "checkout-redesign.toml").read_bytes()

    def upload(session):
        return load_uploaded_file(session, session.get(User, owner_id), content, "study.toml",
                                  PROJECT_ROOT / "studies")

    outcome = race(database, upload, upload)
    assert outcome.get("returned") is not None and outcome["returned"].action == "unchanged", \
        outcome
    assert fresh(db).scalar(select(func.count(Study.id))) == 1

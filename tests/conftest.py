"""Fixtures: a fresh database per test on SQLite and PostgreSQL, the app, clients, factories.

PostgreSQL: ``UXLAB_TEST_POSTGRES_URL`` names a server to use; otherwise, where PostgreSQL is
installed, the suite starts a throw-away cluster of its own. Where it is not installed the
PostgreSQL half of each database test is skipped, unless ``UXLAB_REQUIRE_POSTGRES=1`` (set by CI),
which turns the skip into a failure. ``UXLAB_REQUIRE_BROWSER=1`` does the same for Chromium.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from werkzeug.security import generate_password_hash

from tests.support import postgres
from uxlab import schema
from uxlab.db import make_engine
from uxlab.models import Base

TEST_PASSWORD = "correct horse battery"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def required(name: str) -> bool:
    return os.environ.get(name, "").lower() in ("1", "true", "yes")


def unavailable(what: str, variable: str, reason: str):
    """Skip with ``reason``, or fail when the environment says ``what`` is required."""
    if required(variable):
        pytest.fail(f"{what} is required here ({variable}=1) but unavailable: {reason}")
    pytest.skip(f"{what} unavailable: {reason}")


# --- databases -----------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def postgres_cluster():
    """The test run's own PostgreSQL cluster (None with UXLAB_TEST_POSTGRES_URL or without
    PostgreSQL; the exception if it could not start)."""
    if os.environ.get("UXLAB_TEST_POSTGRES_URL"):
        yield None
        return
    bin_dir = postgres.find_bin_dir()
    if bin_dir is None:
        yield None
        return
    cluster = postgres.ThrowawayCluster(bin_dir)
    try:
        cluster.url = cluster.start()
    except Exception as exc:  # reported by the tests that need it
        yield exc
        return
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def postgres_server(postgres_cluster):
    """The URL of a PostgreSQL server's maintenance database, or None."""
    url = os.environ.get("UXLAB_TEST_POSTGRES_URL")
    if url or postgres_cluster is None or isinstance(postgres_cluster, Exception):
        return url or postgres_cluster
    return postgres_cluster.url


@pytest.fixture(scope="session")
def postgres_template(postgres_server):
    """A migrated PostgreSQL database for the session (tables are emptied between tests)."""
    if postgres_server is None:
        yield None
        return
    if isinstance(postgres_server, Exception):
        yield postgres_server
        return
    name = f"uxlab_test_{uuid.uuid4().hex[:8]}"
    # pre-ping: a test may restart the server (tests/api/test_postgres_restart.py)
    admin = create_engine(postgres_server, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(postgres_server).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    schema.upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """A migrated SQLite file, copied for each test (much faster than migrating each time)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    schema.upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


def _empty_postgres(url: str) -> None:
    engine = make_engine(url)
    if schema.current_revision(engine) != schema.head_revision():
        schema.upgrade(engine)  # an earlier test downgraded the shared database
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    """The URL of a fresh, migrated, empty database: SQLite and PostgreSQL in turn."""
    if request.param == "sqlite":
        path = tmp_path / "uxlab.sqlite"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def postgres_url(request):
    """A fresh migrated PostgreSQL database only (for tests about several processes or servers)."""
    template = request.getfixturevalue("postgres_template")
    if template is None:
        unavailable("PostgreSQL", "UXLAB_REQUIRE_POSTGRES", "not installed "
                    "(apt-get install postgresql) and UXLAB_TEST_POSTGRES_URL not set")
    if isinstance(template, Exception):
        unavailable("PostgreSQL", "UXLAB_REQUIRE_POSTGRES", f"could not start: {template}")
    _empty_postgres(template)
    return template


@pytest.fixture
def sqlite_url(tmp_path, sqlite_template):
    """A fresh migrated SQLite database only (for tests about SQLite itself)."""
    path = tmp_path / "uxlab.sqlite"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


# --- the app -------------------------------------------------------------------------------------

@pytest.fixture
def app(database_url, tmp_path):
    from uxlab.app import create_app

    app = create_app({
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "STUDIES_DIR": str(PROJECT_ROOT / "studies"),
    })
    yield app
    stop_background_work(app)
    app.extensions["uxlab.db"].dispose()


def stop_background_work(app) -> None:
    """Stop the live console's poller thread, if a stream started it, before the database goes:
    a stream a test left unread would keep it reading through a disposed engine, whose new
    connections are never closed (ResourceWarning, failing a later test at random)."""
    poller = app.extensions.get("uxlab.live_poller")
    if poller is not None:
        poller.stop()


@pytest.fixture
def database(app):
    """The app's :class:`uxlab.db.Database`, for tests that open their own transactions."""
    return app.extensions["uxlab.db"]


@pytest.fixture
def db(database):
    """A session on the app's database for setting up and checking (commit what you set up).

    It begins deferred transactions, so merely reading does not take SQLite's write lock away
    from the app under test. Call :func:`fresh` before reading what a request
    wrote: a transaction keeps seeing the snapshot it started with; :func:`fresh` does both.
    """
    with database.read_sessions() as session:
        yield session


def fresh(session):
    """End ``session``'s transaction and forget loaded objects, to read what requests wrote."""
    session.rollback()
    session.expire_all()
    return session


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def cli(database_url, tmp_path, monkeypatch):
    """Run ``uxlab`` commands against the test database; returns click's Result."""
    from uxlab.cli import main

    monkeypatch.setenv("UXLAB_DATABASE_URL", database_url)
    monkeypatch.setenv("UXLAB_INSTANCE_PATH", str(tmp_path / "instance"))
    runner = CliRunner()

    def run(*args: str, input: str | None = None):
        return runner.invoke(main, list(args), input=input, catch_exceptions=False)

    return run


# --- factories -----------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def password_hash():
    """One scrypt hash of TEST_PASSWORD for the whole suite (hashing is slow on purpose)."""
    return generate_password_hash(TEST_PASSWORD, method="scrypt")


@pytest.fixture
def make_user(db, password_hash):
    from uxlab.models import User

    def make(email: str = "researcher@example.org", role: str = "researcher") -> User:
        user = User(email=email, role=role, password_hash=password_hash, name=email.split("@")[0])
        db.add(user)
        db.commit()
        return user

    return make


@pytest.fixture
def demo_spec():
    from uxlab.studies.files import read_study_file

    return read_study_file(PROJECT_ROOT / "studies" / "checkout-redesign.toml")


@pytest.fixture
def make_study(db, demo_spec):
    """Load the demo study (or another spec) owned by ``owner``."""
    from uxlab.studies.service import load_spec

    def make(owner=None, spec=None):
        study = load_spec(db, spec or demo_spec, owner=owner).study
        db.commit()
        return study

    return make


@pytest.fixture
def study(make_study):
    """The demo study, owned by nobody (modules that need an owner define their own)."""
    return make_study()


@pytest.fixture
def sitting(db, study):
    """A participant of ``study`` on variant A with one session."""
    from tests.recording.factories import make_sitting

    return make_sitting(db, study)


def csrf_token(client, url: str) -> str:
    """GET ``url`` and return the CSRF token of its form."""
    html = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, email: str, password: str = TEST_PASSWORD):
        token = csrf_token(self.client, "/login")
        return self.client.post("/login", data={"email": email, "password": password,
                                                "csrf_token": token})

    def logout(self):
        token = csrf_token(self.client, "/studies/")
        return self.client.post("/logout", data={"csrf_token": token})


@pytest.fixture
def auth(client):
    return Auth(client)

"""Schema migrations: run Alembic from code, and tell whether a database is up to date.

Migrations are an explicit command (``uxlab db upgrade``), never a side effect of starting the app:
the app refuses to serve an out-of-date schema instead.

Alembic's runtime (about 0.3 s to import) is loaded only when it is used: the check every command
and the app run first compares the database's ``alembic_version`` with the head revision read from
the migration files' ``revision``/``down_revision`` lines, and asks Alembic only when they differ
or the files are not the plain chain it can read (see :func:`ensure_current`).
"""

from __future__ import annotations

import ast
import re
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

from uxlab.config import app_config, shipped_data_dir
from uxlab.db import Database

if TYPE_CHECKING:
    from alembic.config import Config


class SchemaOutOfDate(RuntimeError):
    """The database's schema revision is not the code's head revision."""


def database_url_from_environment() -> str:
    """Return the configured database URL (``UXLAB_DATABASE_URL`` or the instance's default)."""
    return app_config()["DATABASE_URL"]


def open_database(url: str, check_schema: bool = True,
                  pool_size: int | None = None) -> Database:
    """Open the database at ``url`` (``pool_size``: connections kept, None for the default);
    unless ``check_schema`` is false, raise :class:`SchemaOutOfDate` (and close it again) when
    its schema is not the code's head."""
    database = Database(url, pool_size)
    if check_schema:
        try:
            ensure_current(database.engine)
        except Exception:
            database.dispose()
            raise
    return database


def alembic_config() -> Config:
    """The repository's ``alembic.ini`` (its ``script_location`` is the migrations beside it)."""
    from alembic.config import Config

    return Config(str(shipped_data_dir() / "alembic.ini"))


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


# ``revision = 'abc'`` / ``down_revision: str | None = None`` lines of a migration script.
_REVISION_LINE = re.compile(r"^(revision|down_revision)\s*(?::[^=]*)?=\s*(.+?)\s*$", re.M)


def _head_from_files(versions: Path) -> str | None:
    """The one head of a plain chain of migration scripts in ``versions``, read from their text.

    None when the scripts are not a chain this reader is sure of (no scripts, a script without
    exactly one ``revision`` and one ``down_revision`` literal, a merge, branches): Alembic decides.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in versions.glob("*.py"):
        found: dict[str, object] = {}
        for name, value in _REVISION_LINE.findall(script.read_text(encoding="utf-8")):
            if name in found:
                return None
            try:
                found[name] = ast.literal_eval(value)
            except (ValueError, SyntaxError):
                return None
        revision, parent = found.get("revision"), found.get("down_revision", ())
        if not isinstance(revision, str) or not (parent is None or isinstance(parent, str)):
            return None
        revisions.add(revision)
        if parent is not None:
            parents.add(parent)
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 and parents <= revisions else None


def _recorded_revisions(engine: Engine) -> set[str] | None:
    """The revisions in the database's ``alembic_version`` table; None when it cannot be read."""
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT version_num FROM alembic_version"))
            return {row[0] for row in rows}
    except SQLAlchemyError:
        return None


def _run(engine: Engine, fn, *args) -> None:
    config = alembic_config()
    with engine.connect() as connection, foreign_keys_deferred(connection):
        with connection.begin():
            config.attributes["connection"] = connection
            fn(config, *args)
            check_foreign_keys(connection)


@contextmanager
def foreign_keys_deferred(connection: Connection):
    """SQLite: foreign keys off while migrating, on again after.

    SQLite cannot alter most of a table, so a migration copies it (Alembic's batch mode) and
    drops the old one; with foreign keys on, that DROP deletes every row that refers to the
    table by ``ON DELETE CASCADE``: altering ``participants`` emptied ``sessions``, ``attempts``
    and ``events``. SQLite honours the pragma only outside a transaction, so it is set on the
    driver's connection before the migration's transaction begins (the SQLite documentation's
    procedure for schema changes, https://www.sqlite.org/lang_altertable.html, section 7).
    """
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        connection.connection.driver_connection.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        if sqlite:
            connection.connection.driver_connection.execute("PRAGMA foreign_keys = ON")


def check_foreign_keys(connection: Connection) -> None:
    """SQLite: refuse (and so roll back) a migration that left a row pointing at nothing."""
    if connection.dialect.name != "sqlite":
        return
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"the migration left {len(broken)} rows whose foreign keys point at "
                           f"nothing (first: {tuple(broken[0])}); nothing was changed")


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Upgrade the schema to ``revision`` (default: the newest)."""
    from alembic import command

    _run(engine, command.upgrade, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Downgrade the schema to ``revision`` (``base`` removes every table)."""
    from alembic import command

    _run(engine, command.downgrade, revision)


def drift(engine: Engine) -> list:
    """Return the differences between the models and the database (empty when they match)."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from uxlab.models import Base

    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def ensure_current(engine: Engine) -> None:
    """Raise :class:`SchemaOutOfDate`, naming the command to run, unless the schema is current.

    The quick answer (no Alembic import) is only ever "current"; anything else is Alembic's.
    """
    head = _head_from_files(shipped_data_dir() / "migrations" / "versions")
    if head is not None and _recorded_revisions(engine) == {head}:
        return
    current, head = current_revision(engine), head_revision()
    if current != head:
        state = "has no uxlab schema" if current is None else f"is at revision {current}"
        raise SchemaOutOfDate(
            f"The database {engine.url.render_as_string(hide_password=True)} {state}, but this "
            f"version of uxlab needs revision {head}. Run `uxlab db upgrade` first."
        )

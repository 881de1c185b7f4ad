"""Schema migrations: run Alembic from code, and tell whether a database is up to date.

Migrations are an explicit command (``uxlab db upgrade``), never a side effect of starting the app:
the app refuses to serve an out-of-date schema instead.
"""

from __future__ import annotations

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from uxlab.config import app_config, shipped_data_dir
from uxlab.db import Database


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
    return Config(str(shipped_data_dir() / "alembic.ini"))


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _run(engine: Engine, fn, *args) -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        fn(config, *args)


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

    from uxlab.models import Base

    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def ensure_current(engine: Engine) -> None:
    """Raise :class:`SchemaOutOfDate`, naming the command to run, unless the schema is current."""
    current, head = current_revision(engine), head_revision()
    if current != head:
        state = "has no uxlab schema" if current is None else f"is at revision {current}"
        raise SchemaOutOfDate(
            f"The database {engine.url.render_as_string(hide_password=True)} {state}, but this "
            f"version of uxlab needs revision {head}. Run `uxlab db upgrade` first."
        )

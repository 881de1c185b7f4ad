"""What the CLI commands share: building the app and reaching its database.

Commands that only need the database open it from the app's configuration
(:func:`uxlab.config.app_config`) without building the web app: its blueprints, forms and
templates are most of a short command's start-up, and a command needs none of them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from uxlab.db import Database
from uxlab.schema import SchemaOutOfDate


def make_app(check_schema: bool = True):
    from uxlab.app import create_app

    try:
        return create_app({"CHECK_SCHEMA": check_schema})
    except SchemaOutOfDate as exc:
        raise click.ClickException(str(exc)) from exc


@contextmanager
def configured_database(check_schema: bool = True) -> Iterator[Database]:
    """Yield the configured database, as the app would open it; close it at the end."""
    from uxlab.config import app_config
    from uxlab.schema import open_database

    try:
        database = open_database(app_config()["DATABASE_URL"], check_schema=check_schema)
    except SchemaOutOfDate as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        yield database
    finally:
        database.dispose()


@contextmanager
def db_session(write: bool = True) -> Iterator[Session]:
    """Yield a session on the configured database (schema must be current); commit on success."""
    with configured_database() as database, database.session(write=write) as session:
        yield session


@contextmanager
def engine() -> Iterator[Engine]:
    """Yield the configured engine without checking its schema (for migration commands)."""
    with configured_database(check_schema=False) as database:
        yield database.engine

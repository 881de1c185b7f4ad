"""What the CLI commands share: building the app and reaching its database."""

from __future__ import annotations

from contextlib import contextmanager

import click

from uxlab.schema import SchemaOutOfDate


def make_app(check_schema: bool = True):
    from uxlab.app import create_app

    try:
        return create_app({"CHECK_SCHEMA": check_schema})
    except SchemaOutOfDate as exc:
        raise click.ClickException(str(exc)) from exc


@contextmanager
def db_session(write: bool = True):
    """Yield a session on the configured database (schema must be current); commit on success."""
    app = make_app()
    database = app.extensions["uxlab.db"]
    try:
        with app.app_context(), database.session(write=write) as session:
            yield session
    finally:
        database.dispose()


@contextmanager
def engine():
    """Yield the configured engine without checking its schema (for migration commands)."""
    database = make_app(check_schema=False).extensions["uxlab.db"]
    try:
        yield database.engine
    finally:
        database.dispose()

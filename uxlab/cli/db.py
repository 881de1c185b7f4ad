"""``uxlab db``: schema migrations."""

from __future__ import annotations

import click

from uxlab import schema
from uxlab.cli.common import engine as configured_engine


@click.group("db")
def db_group() -> None:
    """Create and migrate the database schema."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
def upgrade(revision: str) -> None:
    """Upgrade the schema (to the newest revision by default)."""
    with configured_engine() as engine:
        schema.upgrade(engine, revision)
        click.echo(f"Database at revision {schema.current_revision(engine)}.")


@db_group.command("downgrade")
@click.argument("revision")
def downgrade(revision: str) -> None:
    """Downgrade the schema to REVISION ('base' removes every table, and all data)."""
    with configured_engine() as engine:
        schema.downgrade(engine, revision)
        click.echo(f"Database at revision {schema.current_revision(engine) or 'base'}.")


@db_group.command("current")
def current() -> None:
    """Print the schema revision of the database and of the code."""
    with configured_engine() as engine:
        click.echo(f"database: {schema.current_revision(engine) or 'none'}")
    click.echo(f"code:     {schema.head_revision()}")


@db_group.command("check")
def check() -> None:
    """Check that the schema matches the models (exit 1 if it drifts or is behind)."""
    with configured_engine() as engine:
        try:
            schema.ensure_current(engine)
        except schema.SchemaOutOfDate as exc:
            raise click.ClickException(str(exc)) from exc
        differences = schema.drift(engine)
    if differences:
        for difference in differences:
            click.echo(f"drift: {difference}", err=True)
        raise click.ClickException("the database schema does not match the models")
    click.echo("No drift: the schema matches the models.")

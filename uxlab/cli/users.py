"""``uxlab user``: accounts."""

from __future__ import annotations

import click

from uxlab.accounts.service import AccountError, create_user
from uxlab.cli.common import db_session
from uxlab.models.accounts import ROLES


@click.group("user")
def user_group() -> None:
    """Manage researcher accounts."""


@user_group.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), default="researcher", show_default=True)
@click.option("--name", default="", help="Display name.")
@click.password_option(help="Asked for if not given; UXLAB_PASSWORD also works.",
                       envvar="UXLAB_PASSWORD")
def create(email: str, role: str, name: str, password: str) -> None:
    """Create an account for EMAIL."""
    try:
        with db_session() as session:
            user = create_user(session, email, password, role=role, name=name)
            click.echo(f"Created {user.role} account {user.email}.")
    except AccountError as exc:
        raise click.BadParameter(exc.message, param_hint=exc.field) from exc

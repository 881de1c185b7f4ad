"""``uxlab user``: accounts, as on the admin pages (audited with the actor "command line")."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
from sqlalchemy.orm import Session

from uxlab.accounts import administration, audit
from uxlab.accounts.password_links import open_links, set_password_path
from uxlab.accounts.service import AccountError, create_user
from uxlab.cli.common import db_session
from uxlab.models.accounts import ROLES
from uxlab.timeutil import utcnow

BASE_URL_OPTION = click.option(
    "--base-url", default="", envvar="UXLAB_BASE_URL",
    help="Where people reach this server, e.g. https://ux.example.org (without it: the "
         "link's path only).")


@click.group("user")
def user_group() -> None:
    """Manage accounts."""


@contextmanager
def _changing() -> Iterator[Session]:
    """A write session whose :class:`AccountError` becomes a usage error naming the field."""
    try:
        with db_session() as session:
            yield session
    except AccountError as exc:
        raise click.BadParameter(exc.message, param_hint=exc.field) from exc


@user_group.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), default="researcher", show_default=True)
@click.option("--name", default="", help="Display name.")
@click.password_option(help="Asked for if not given; UXLAB_PASSWORD also works.",
                       envvar="UXLAB_PASSWORD")
def create(email: str, role: str, name: str, password: str) -> None:
    """Create an account for EMAIL with a password."""
    with _changing() as session:
        user = create_user(session, email, password, role=role, name=name)
        session.flush()
        audit.record(session, None, user, "created", role=role)
        click.echo(f"Created {user.role} account {user.email}.")


@user_group.command("list")
def list_command() -> None:
    """List every account: email, role, state, last log-in."""
    with db_session(write=False) as session:
        links = open_links(session, utcnow())
        for user in administration.accounts(session):
            state = ("deactivated" if not user.active
                     else "invited" if not user.has_password else "active")
            if user.id in links and user.active:
                state += f" (link open until {links[user.id].expires_at:%Y-%m-%d %H:%M} UTC)"
            last = f"{user.last_login_at:%Y-%m-%d %H:%M} UTC" if user.last_login_at else "never"
            click.echo(f"{user.email}\t{user.role}\t{state}\tlast log-in {last}\t{user.name}")


def _link(base_url: str, token: str) -> str:
    return base_url.rstrip("/") + set_password_path(token)


@user_group.command("invite")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), default="researcher", show_default=True)
@click.option("--name", default="", help="Display name.")
@BASE_URL_OPTION
def invite(email: str, role: str, name: str, base_url: str) -> None:
    """Create an account for EMAIL without a password and print its one-time set-password link
    (an account invited before and not set up yet gets a new link, replacing the old)."""
    with _changing() as session:
        existing = session.scalar(administration.account_query(email))
        if existing is not None and not existing.has_password:
            token = administration.reinvite(session, None, existing)
        else:
            _, token = administration.invite(session, None, email, name, role)
        click.echo(_link(base_url, token))


def _change(email: str, change, done: str) -> None:
    with _changing() as session:
        user = administration.find_account(session, email)
        change(session, None, user)
        click.echo(done.format(email=user.email))


@user_group.command("deactivate")
@click.argument("email")
def deactivate(email: str) -> None:
    """Deactivate EMAIL's account: it is logged out at once and cannot log in; data stays."""
    _change(email, administration.deactivate, "Deactivated {email}; its sessions have ended.")


@user_group.command("reactivate")
@click.argument("email")
def reactivate(email: str) -> None:
    """Let EMAIL's deactivated account log in again."""
    _change(email, administration.reactivate, "{email} can log in again.")


@user_group.command("role")
@click.argument("email")
@click.argument("role", type=click.Choice(ROLES))
def role(email: str, role: str) -> None:
    """Give EMAIL's account the role ROLE."""
    _change(email, lambda session, actor, user: administration.change_role(
        session, actor, user, role), f"{{email}} is now {role}.")


@user_group.command("reset")
@click.argument("email")
@BASE_URL_OPTION
def reset(email: str, base_url: str) -> None:
    """Print a one-time link that sets a new password for EMAIL (its old one works until the
    link is used)."""
    with _changing() as session:
        user = administration.find_account(session, email)
        click.echo(_link(base_url, administration.issue_reset(session, None, user)))

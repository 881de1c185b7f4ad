"""Managing accounts: invite, deactivate and re-activate, reset passwords, change roles, and a
user's own password change. The web admin pages and ``uxlab user`` both call these.

Each function checks its rules, makes the change and adds its audit row
(:mod:`uxlab.accounts.audit`); the caller commits. ``actor`` is the admin doing it, or None for
the command line. The rules that keep an installation manageable:

* the last active admin can be neither deactivated nor demoted (the check locks the admins'
  rows on PostgreSQL, so two admins demoting each other at once cannot both succeed; SQLite's
  write transactions take turns anyway);
* in the browser an admin can neither deactivate nor demote themselves, so that nobody locks
  themselves out by a slip of the mouse: another admin (or the command line) does it.

Ending sessions is :func:`uxlab.accounts.service.end_sessions`: the account's session version,
part of every session cookie, goes up, and every cookie issued before is refused on its next
request.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from uxlab.accounts import audit, password_links
from uxlab.accounts.service import (
    AccountError,
    add_user,
    end_sessions,
    hash_password,
    normalize_email,
    password_matches,
    validate_password,
    validate_role,
)
from uxlab.models import PasswordLink, User
from uxlab.timeutil import utcnow


class LinkGone(Exception):
    """A set-password link that was used, withdrawn or has expired (``status`` says which)."""

    def __init__(self, link: PasswordLink, status: str):
        super().__init__(status)
        self.link = link
        self.status = status


def accounts(session: Session) -> list[User]:
    """Every account, admins first, then by email."""
    return list(session.scalars(select(User).order_by(User.role != "admin", User.email)))


def account_query(email: str):
    """A ``select`` of the account for ``email`` (any case)."""
    return select(User).where(User.email == normalize_email(email))


def find_account(session: Session, email: str) -> User:
    """The account for ``email``; :class:`AccountError` naming ``email`` if there is none."""
    user = session.scalar(account_query(email))
    if user is None:
        raise AccountError("email", f"no account for {normalize_email(email)}")
    return user


def invite(session: Session, actor: User | None, email: str, name: str, role: str
           ) -> tuple[User, str]:
    """Create an account without a password and its invitation; return it with the token."""
    user = add_user(session, email, "", role=role, name=name)
    session.flush()
    link, token, _ = password_links.issue_link(session, user, "invitation", actor, utcnow())
    audit.record(session, actor, user, "invited", role=role,
                 expires_at=link.expires_at.isoformat())
    return user, token


def reinvite(session: Session, actor: User | None, user: User) -> str:
    """Replace the invitation of an account that has not set its password yet."""
    if user.has_password:
        raise AccountError("account", f"{user.email} has already set a password; issue a "
                                      "password reset instead")
    _require_active(user)
    link, token, withdrawn = password_links.issue_link(session, user, "invitation", actor,
                                                       utcnow())
    audit.record(session, actor, user, "invited", role=user.role, replaced=withdrawn,
                 expires_at=link.expires_at.isoformat())
    return token


def issue_reset(session: Session, actor: User | None, user: User) -> str:
    """Make a one-time link that sets a new password for ``user``; return its token.

    The old password keeps working until the link is used (a reset requested by mistake
    locks nobody out); using it ends every session of the account.
    """
    if not user.has_password:
        return reinvite(session, actor, user)
    _require_active(user)
    link, token, withdrawn = password_links.issue_link(session, user, "reset", actor, utcnow())
    audit.record(session, actor, user, "reset_issued", replaced=withdrawn,
                 expires_at=link.expires_at.isoformat())
    return token


def open_link(session: Session, token: str, now: datetime | None = None) -> PasswordLink | None:
    """The open link of ``token``; None if unknown; :class:`LinkGone` if it has ended."""
    link = password_links.find_link(session, token)
    if link is None:
        return None
    status = password_links.link_status(link, now or utcnow())
    if status != "open":
        raise LinkGone(link, status)
    return link


def use_link(session: Session, token: str, password: str) -> User | None:
    """Set the password of the link's account and end its sessions; return the account.

    None if the token is unknown; :class:`LinkGone` if it ended (also when another request used
    it a moment ago); :class:`AccountError` naming ``password`` if the password is too short,
    and then nothing changes.
    """
    validate_password(password)
    password_hash = hash_password(password)  # slow: before the first statement
    now = utcnow()
    link = open_link(session, token, now)
    if link is None:
        return None
    if not password_links.claim_link(session, link, now):
        session.expire(link)
        raise LinkGone(link, password_links.link_status(link, now))
    user = link.user
    user.password_hash = password_hash
    session.flush()
    end_sessions(session, user)
    session.refresh(user)
    action = "invitation_used" if link.purpose == "invitation" else "reset_used"
    audit.record(session, user, user, action)
    return user


def deactivate(session: Session, actor: User | None, user: User) -> None:
    """Refuse ``user``'s log-ins and end their sessions at once; their studies stay."""
    if actor is not None and actor.id == user.id:
        raise AccountError("account", "you cannot deactivate your own account; another admin "
                                      "can")
    if not user.active:
        return
    if user.is_admin:
        _require_another_admin(session, user, "deactivated")
    user.active = False
    session.flush()
    end_sessions(session, user)
    withdrawn = password_links.withdraw_links(session, user, utcnow())
    audit.record(session, actor, user, "deactivated", links_withdrawn=withdrawn)


def reactivate(session: Session, actor: User | None, user: User) -> None:
    """Let ``user`` log in again (with their old password; issue a reset if they forgot it)."""
    if user.active:
        return
    user.active = True
    session.flush()
    audit.record(session, actor, user, "reactivated")


def change_role(session: Session, actor: User | None, user: User, role: str) -> None:
    """Give ``user`` the role ``role`` (it applies from their next request)."""
    validate_role(role)
    if role == user.role:
        return
    if user.is_admin:
        if actor is not None and actor.id == user.id:
            raise AccountError("role", "you cannot remove your own admin role; another admin "
                                       "can")
        if user.active:
            _require_another_admin(session, user, "demoted")
    old = user.role
    user.role = role
    session.flush()
    audit.record(session, actor, user, "role_changed", **{"from": old, "to": role})


def change_own_password(session: Session, user: User, current: str, new: str) -> None:
    """Change ``user``'s password and end their other sessions (the caller logs this browser
    in again with the new session version); :class:`AccountError` naming the field."""
    if not password_matches(user, current):
        raise AccountError("current", "is not your current password")
    validate_password(new, field="password")
    if current == new:
        raise AccountError("password", "is your current password; choose a new one")
    user.password_hash = hash_password(new)
    session.flush()
    end_sessions(session, user)
    session.refresh(user)
    password_links.withdraw_links(session, user, utcnow())
    audit.record(session, user, user, "password_changed")


def _require_active(user: User) -> None:
    if not user.active:
        raise AccountError("account", f"{user.email} is deactivated; re-activate it first")


def _require_another_admin(session: Session, user: User, outcome: str) -> None:
    # An invited admin who has not set a password yet cannot log in: not another admin.
    admins = session.scalars(select(User.id).where(User.role == "admin", User.active.is_(True),
                                                   User.password_hash != "")
                             .with_for_update())
    if not [admin for admin in admins if admin != user.id]:
        raise AccountError("account", f"{user.email} is the last active admin and cannot be "
                                      f"{outcome}; make another account an admin first")

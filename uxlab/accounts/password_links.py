"""One-time set-password links: invitations of new accounts and password resets.

A link carries 256 random bits from :mod:`secrets`; the database keeps only their SHA-256 (as
share links do, :mod:`uxlab.sharing.service`), so reading a backup opens no account. A link
works once, for :data:`LINK_LIFETIME`, and only while it is the account's newest link: issuing
a new one (a re-invitation, another reset) or deactivating the account withdraws it. No mail
server is assumed: the admin is shown the link once and passes it on.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import and_, select, update
from sqlalchemy.orm import Session

from uxlab.models import PasswordLink, User
from uxlab.sharing.service import hash_token

LINK_LIFETIME = timedelta(days=7)
TOKEN_BYTES = 32


def set_password_path(token: str) -> str:
    """The link's path on the server (the ``auth.set_password`` route; tested to agree)."""
    return f"/account/set-password/{token}"


def issue_link(session: Session, user: User, purpose: str, created_by: User | None,
               now: datetime) -> tuple[PasswordLink, str, int]:
    """Make a new link for ``user``; return it, its token (shown once) and how many earlier
    links of ``user`` it withdrew."""
    withdrawn = withdraw_links(session, user, now)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    link = PasswordLink(user_id=user.id, purpose=purpose, token_hash=hash_token(token),
                        created_by_id=created_by.id if created_by else None, created_at=now,
                        expires_at=now + LINK_LIFETIME)
    session.add(link)
    session.flush()
    return link, token, withdrawn


def _is_open(now: datetime):
    """The SQL condition of a link that still works at ``now``."""
    return and_(PasswordLink.used_at.is_(None), PasswordLink.withdrawn_at.is_(None),
                PasswordLink.expires_at > now)


def withdraw_links(session: Session, user: User, now: datetime) -> int:
    """End every open link of ``user``; return how many there were."""
    result = session.execute(
        update(PasswordLink)
        .where(PasswordLink.user_id == user.id, _is_open(now))
        .values(withdrawn_at=now))
    return result.rowcount


def find_link(session: Session, token: str) -> PasswordLink | None:
    return session.scalar(select(PasswordLink).where(PasswordLink.token_hash == hash_token(token)))


def link_status(link: PasswordLink, now: datetime) -> str:
    """``open``, ``used``, ``withdrawn`` or ``expired``."""
    if link.used_at is not None:
        return "used"
    if link.withdrawn_at is not None:
        return "withdrawn"
    if link.expires_at <= now:
        return "expired"
    return "open"


def claim_link(session: Session, link: PasswordLink, now: datetime) -> bool:
    """Mark ``link`` used if it is still open; False if another request (or time) ended it.

    One conditional UPDATE, so two requests racing with the same link cannot both use it, on
    SQLite or PostgreSQL, whatever process they run in.
    """
    result = session.execute(
        update(PasswordLink)
        .where(PasswordLink.id == link.id, _is_open(now))
        .values(used_at=now))
    return result.rowcount == 1


def open_links(session: Session, now: datetime) -> dict[int, PasswordLink]:
    """Each account's open link, by account id (for the admin's list)."""
    links = session.scalars(select(PasswordLink).where(_is_open(now)))
    return {link.user_id: link for link in links}

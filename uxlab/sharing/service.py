"""Share links: create, list, revoke, and resolve a token to its study.

A link carries a random token of 256 bits from :mod:`secrets`; the database keeps only the token's
SHA-256 hash, so someone who reads the database (a backup, a leak) cannot open a report. A token is
random rather than signed on purpose: revoking it is deleting its power in the database, which takes
effect on the very next request, and no key has to be rotated. The token is shown once, when the
link is created.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from uxlab.models import ShareLink, Study, User
from uxlab.timeutil import utcnow

TOKEN_BYTES = 32
L = TypeVar("L")
MAX_LABEL_LENGTH = 200


def hash_token(token: str) -> str:
    """The hex SHA-256 of a token: what ``share_links.token_hash`` stores."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_share_link(session: Session, study: Study, *, label: str = "",
                      expires_at: datetime | None = None, created_by: User | None = None
                      ) -> tuple[ShareLink, str]:
    """Create a link to ``study``'s report; return it with its token (shown once, never stored).

    ``expires_at`` (an aware datetime in the future) ends the link by itself; without it the link
    lasts until revoked.
    """
    label = (label or "").strip()
    if len(label) > MAX_LABEL_LENGTH:
        raise ValueError(f"the label is {len(label)} characters long; keep it to "
                         f"{MAX_LABEL_LENGTH}")
    if expires_at is not None:
        if expires_at.tzinfo is None:
            raise ValueError(f"expires_at must be an aware datetime, got naive {expires_at!r}")
        if expires_at <= utcnow():
            raise ValueError(f"the expiry ({expires_at.isoformat()}) is not in the future")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    link = ShareLink(study_id=study.id, token_hash=hash_token(token), label=label,
                     expires_at=expires_at, created_by_id=created_by.id if created_by else None)
    session.add(link)
    session.flush()
    return link, token


def share_links(session: Session, study: Study) -> list[ShareLink]:
    """Every link of ``study``, newest first (revoked and expired ones included)."""
    return list(session.scalars(select(ShareLink).where(ShareLink.study_id == study.id)
                                .order_by(ShareLink.created_at.desc(), ShareLink.id.desc())))


def link_status(link: ShareLink, now: datetime | None = None) -> str:
    """``active``, ``expired`` or ``revoked``."""
    if link.revoked_at is not None:
        return "revoked"
    if link.expires_at is not None and link.expires_at <= (now or utcnow()):
        return "expired"
    return "active"


def revoke_share_link(session: Session, study: Study, link_id: int) -> ShareLink:
    """Revoke link ``link_id`` of ``study`` (at once); raise LookupError if it has no such link.

    Revoking a revoked link keeps the first revocation time.
    """
    return revoke_link(session, ShareLink, study, link_id)


def revoke_link(session: Session, model: type[L], study: Study, link_id: int) -> L:
    """Revoke the token link ``link_id`` of ``study`` held in ``model`` (share links, observer
    links); LookupError if the study has none such. A second revocation keeps the first time."""
    link = session.scalar(select(model).where(model.id == link_id, model.study_id == study.id))
    if link is None:
        raise LookupError(f"study {study.slug!r} has no {model.__tablename__[:-1].replace('_', ' ')} "
                          f"{link_id}")
    link.revoked_at = link.revoked_at or utcnow()
    session.flush()
    return link


def find_share_link(session: Session, token: str) -> ShareLink | None:
    """Return the link ``token`` belongs to, whatever its status, or None for an unknown token.

    The holder of a revoked or expired token is told so (it once worked for them); an unknown
    token learns nothing.
    """
    return find_link(session, ShareLink, token)


def find_link(session: Session, model: type[L], token: str) -> L | None:
    """The row of ``model`` (a token link) whose token is ``token``, whatever its status, or
    None. The lookup is by the token's hash; the digest is compared once more in constant time."""
    if not token or len(token) > 200:
        return None
    wanted = hash_token(token)
    link = session.scalar(select(model).where(model.token_hash == wanted))
    if link is None or not hmac.compare_digest(link.token_hash, wanted):
        return None
    return link


def resolve_share_token(session: Session, token: str) -> Study | None:
    """Return the study an active link's ``token`` opens, or None (unknown, expired, revoked)."""
    link = find_share_link(session, token)
    if link is None or link_status(link) != "active":
        return None
    return session.get(Study, link.study_id)

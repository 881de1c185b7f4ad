"""Observer links: watch a study's live sessions without an account, as an observer.

The study's owner or a moderator makes a link ahead of time, for every live session of the study
or for one session, with an optional label and expiry; links are listed and revocable. Whoever
opens a link gives a display name and becomes an :class:`LinkObserver`: observer rights only
(watch the console and stream of the sessions the link covers, add notes marked as theirs),
checked by :mod:`uxlab.moderation.access` like an account's.

A token carries 256 random bits; the database keeps only its SHA-256 hash (so a leaked backup
opens nothing) and a presented token is compared with :func:`hmac.compare_digest`. Access is
looked up again on every request and every few seconds of an open stream, so revoking or expiring
a link takes effect at once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from uxlab.models import ObserverGuest, ObserverLink, Study, TestSession, User
from uxlab.sharing.service import find_link, hash_token, link_status, revoke_link
from uxlab.timeutil import utcnow

__all__ = ["LinkError", "LinkObserver", "create_observer_link", "find_observer_link",
           "GUEST_SUFFIX", "guest_label", "join_observer_link", "link_observer", "link_status", "observer_links",
           "revoke_observer_link"]

TOKEN_BYTES = 32
MAX_LABEL_LENGTH = 200
MAX_NAME_LENGTH = 80


class LinkError(ValueError):
    """Bad input for an observer link; ``field`` names the field at fault."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class LinkObserver:
    """Someone watching through an observer link: a display name, never an account.

    Shaped enough like a user for the permission API; it has no ``id`` on purpose, so nothing can
    take it for an account.
    """

    guest_id: int
    display_name: str
    link_id: int
    study_id: int
    #: The one session the link opens, or None for the study's live sessions.
    session_id: int | None
    is_authenticated = True
    is_admin = False
    role = "observer"

    @property
    def label(self) -> str:
        """How the person shows as an author and a watcher."""
        return guest_label(self.display_name)

    def covers(self, test_session: TestSession) -> bool:
        """Whether the link opens ``test_session``: its one session (also once it ended), or
        for a study-wide link any session of the study still going on (past ones stay
        closed)."""
        if self.session_id is not None:
            return self.session_id == test_session.id
        return test_session.participant.study_id == self.study_id \
            and test_session.ended_at is None and test_session.participant.completed_at is None


#: What follows a guest's display name wherever they show as an author or a watcher.
GUEST_SUFFIX = " (observer link)"


def guest_label(display_name: str) -> str:
    """How a guest shows as an author and a watcher: their name, marked as come by a link."""
    return f"{display_name}{GUEST_SUFFIX}"


def _clean_label(label: str | None) -> str:
    label = (label or "").strip()
    if len(label) > MAX_LABEL_LENGTH:
        raise LinkError("label", f"is {len(label)} characters long; at most {MAX_LABEL_LENGTH}")
    return label


def create_observer_link(db: Session, study: Study, created_by: User | None, *,
                         session: TestSession | None = None, label: str = "",
                         expires_at: datetime | None = None) -> tuple[ObserverLink, str]:
    """Make a link for ``study``'s live sessions (or only ``session``); return it with its token,
    shown once and never stored."""
    label = _clean_label(label)
    if session is not None and session.participant.study_id != study.id:
        raise LinkError("session", "is not a session of this study")
    if session is not None and session.ended_at is not None:
        raise LinkError("session", "has ended")
    if expires_at is not None:
        if expires_at.tzinfo is None:
            raise LinkError("expires_at", "needs a time zone")
        if expires_at <= utcnow():
            raise LinkError("expires_at", f"{expires_at.isoformat()} is not in the future")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    link = ObserverLink(study_id=study.id, session_id=session.id if session else None,
                        token_hash=hash_token(token), label=label, expires_at=expires_at,
                        created_by_id=created_by.id if created_by else None)
    db.add(link)
    db.flush()
    return link, token


def observer_links(db: Session, study: Study) -> list[ObserverLink]:
    """Every observer link of ``study``, newest first (revoked and expired ones included)."""
    return list(db.scalars(select(ObserverLink).where(ObserverLink.study_id == study.id)
                           .order_by(ObserverLink.created_at.desc(), ObserverLink.id.desc())))


def revoke_observer_link(db: Session, study: Study, link_id: int) -> ObserverLink:
    """Revoke link ``link_id`` of ``study`` at once; LookupError if the study has no such link.
    A second revocation keeps the first time."""
    return revoke_link(db, ObserverLink, study, link_id)


def find_observer_link(db: Session, token: str) -> ObserverLink | None:
    """The link ``token`` belongs to, whatever its status, or None for an unknown token."""
    return find_link(db, ObserverLink, token)


def join_observer_link(db: Session, link: ObserverLink, display_name: str) -> LinkObserver:
    """Record the person who opened an active ``link`` under ``display_name``."""
    name = " ".join((display_name or "").split())
    if not name:
        raise LinkError("display_name", "say what name your notes should carry")
    if len(name) > MAX_NAME_LENGTH:
        raise LinkError("display_name", f"is {len(name)} characters long; at most "
                                        f"{MAX_NAME_LENGTH}")
    if link_status(link) != "active":
        raise LinkError("link", f"this link is {link_status(link)}")
    guest = ObserverGuest(link_id=link.id, display_name=name)
    db.add(guest)
    db.flush()
    return _observer(guest, link)


def link_observer(db: Session, guest_id: int) -> LinkObserver | None:
    """The observer ``guest_id`` while their link is active; None once it is revoked, expired or
    gone."""
    row = db.execute(select(ObserverGuest, ObserverLink)
                     .join(ObserverLink, ObserverLink.id == ObserverGuest.link_id)
                     .where(ObserverGuest.id == guest_id)).first()
    if row is None or link_status(row[1]) != "active":
        return None
    return _observer(*row)


def _observer(guest: ObserverGuest, link: ObserverLink) -> LinkObserver:
    return LinkObserver(guest_id=guest.id, display_name=guest.display_name, link_id=link.id,
                        study_id=link.study_id, session_id=link.session_id)

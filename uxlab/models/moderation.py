"""Moderated sessions: who watched which session, observer links, and the audit of every
moderator change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from uxlab.models.base import Base, enum_check
from uxlab.timeutil import UTCDateTime, utcnow

SESSION_ROLES = ("moderator", "note_taker", "observer")
#: What a moderator can do to an attempt or a session (each one audited).
AUDIT_ACTIONS = ("start", "pause", "resume", "end", "skip", "outcome", "session_end")


class ObserverLink(Base):
    """A link that lets someone without an account watch a study's live sessions (or one
    session) as an observer. Only a hash of its token is stored; revoking or expiring it ends
    every guest's access at their next request."""

    __tablename__ = "observer_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"), index=True)
    #: The one session the link opens; None: every live session of the study.
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ObserverGuest(Base):
    """Someone who opened an observer link and gave a display name: the author of their notes
    and the watcher in the watch log."""

    __tablename__ = "observer_guests"

    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[int] = mapped_column(
        ForeignKey("observer_links.id", ondelete="CASCADE"), index=True)
    display_name: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SessionWatch(Base):
    """One person's watching of one session live: first and last time their console asked.

    The person is an account (``user_id``) or a guest of an observer link (``guest_id``).
    """

    __tablename__ = "session_watches"
    __table_args__ = (
        UniqueConstraint("session_id", "user_id"),
        UniqueConstraint("session_id", "guest_id"),
        CheckConstraint(enum_check("role", SESSION_ROLES), name="role"),
        CheckConstraint("(user_id IS NULL) <> (guest_id IS NULL)", name="one_watcher"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True)
    guest_id: Mapped[int | None] = mapped_column(
        ForeignKey("observer_guests.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(12))
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ModerationAudit(Base):
    """A change a moderator made: who, when, the old and new value, and why. Never updated."""

    __tablename__ = "moderation_audit"
    __table_args__ = (CheckConstraint(enum_check("action", AUDIT_ACTIONS), name="action"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    attempt_id: Mapped[int | None] = mapped_column(
        ForeignKey("attempts.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    action: Mapped[str] = mapped_column(String(12))
    old_value: Mapped[dict[str, Any]] = mapped_column(default=dict)
    new_value: Mapped[dict[str, Any]] = mapped_column(default=dict)
    reason: Mapped[str] = mapped_column(Text, default="")

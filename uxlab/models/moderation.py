"""Moderated sessions: who watched which session, and the audit of every moderator change."""

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


class SessionWatch(Base):
    """One person's watching of one session live: first and last time their console asked."""

    __tablename__ = "session_watches"
    __table_args__ = (
        UniqueConstraint("session_id", "user_id"),
        CheckConstraint(enum_check("role", SESSION_ROLES), name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
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

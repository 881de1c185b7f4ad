"""Researcher accounts and who may see which study."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from uxlab.models.base import Base, enum_check
from uxlab.timeutil import UTCDateTime, utcnow

if TYPE_CHECKING:
    from uxlab.models.studies import Study

ROLES = ("admin", "researcher", "observer")
#: Per-study access, most to least: owners and editors change the study and moderate sessions;
#: note-takers and observers watch live sessions and add notes (an observer's marked as theirs);
#: viewers read results only. See :mod:`uxlab.moderation.access`.
ACCESS_LEVELS = ("owner", "editor", "note_taker", "observer", "viewer")
#: Why a set-password link was made: to invite a new account, or to reset a forgotten password.
PASSWORD_LINK_PURPOSES = ("invitation", "reset")
#: What :class:`AccountAudit` records (see :mod:`uxlab.accounts.administration`).
ACCOUNT_AUDIT_ACTIONS = (
    "created", "invited", "invitation_used", "deactivated", "reactivated", "reset_issued",
    "reset_used", "role_changed", "password_changed",
)


class User(Base):
    """A person who logs in: an admin, a researcher or an observer (moderator/stakeholder)."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint(enum_check("role", ROLES), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    #: Empty for an invited account whose set-password link has not been used yet: such an
    #: account cannot log in.
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default="researcher")
    active: Mapped[bool] = mapped_column(default=True)
    #: Part of every session cookie of this user; raised at log-out, so that a cookie captured
    #: before then is refused after (see ``uxlab.auth.sessions``).
    session_version: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    memberships: Mapped[list[StudyMember]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def has_password(self) -> bool:
        return bool(self.password_hash)

    # Flask-Login's user protocol, spelled out so the model does not import Flask.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        # Flask-Login keeps this in the session cookie; the version ends old cookies at log-out.
        return f"{self.id}:{self.session_version}"


class StudyMember(Base):
    """Access of one user to one study (the owner has a row too)."""

    __tablename__ = "study_members"
    __table_args__ = (
        UniqueConstraint("study_id", "user_id"),
        CheckConstraint(enum_check("access", ACCESS_LEVELS), name="access"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    access: Mapped[str] = mapped_column(String(12), default="viewer")

    user: Mapped[User] = relationship(back_populates="memberships")
    study: Mapped[Study] = relationship(back_populates="members")


class LoginThrottle(Base):
    """Recent failed log-ins for one email address from one client, to slow password guessing.

    ``client`` is the client's IP address, or ``*`` for the address from every client (the
    per-address ceiling). Keyed by the address typed rather than by account, so that being
    slowed down does not tell a guesser which addresses have accounts. ``next_allowed_at`` is
    claimed by one conditional UPDATE per attempt (:mod:`uxlab.accounts.throttle`).
    """

    __tablename__ = "login_throttles"
    __table_args__ = (CheckConstraint("failures > 0", name="failures_positive"),)

    email: Mapped[str] = mapped_column(String(254), primary_key=True)
    client: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int]
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    next_allowed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PasswordLink(Base):
    """A one-time link that sets an account's password: an invitation or a reset.

    Only the SHA-256 of the link's random token is stored. A link ends when it is used, when it
    expires, or when it is withdrawn (a newer link for the same account, or the account's
    deactivation); an ended link answers 410.
    """

    __tablename__ = "password_links"
    __table_args__ = (CheckConstraint(enum_check("purpose", PASSWORD_LINK_PURPOSES),
                                      name="purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(12))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class AccountAudit(Base):
    """One change to an account: who did it (``actor``), to whom (``target``), what, when.

    ``actor`` and ``target`` keep the email addresses as they were (``command line`` for the
    CLI), so a row still reads right after an account is renamed or removed. Never updated.
    """

    __tablename__ = "account_audit"
    __table_args__ = (CheckConstraint(enum_check("action", ACCOUNT_AUDIT_ACTIONS),
                                      name="action"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(254))
    target_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    target: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(20))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)

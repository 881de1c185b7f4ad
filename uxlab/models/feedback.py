"""What people said and saw: questionnaire answers, moderator observations, usability problems."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import CheckConstraint, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from uxlab.models.base import Base, enum_check
from uxlab.timeutil import UTCDateTime, utcnow

if TYPE_CHECKING:
    from uxlab.models.participants import TestSession

OBSERVATION_KINDS = ("note", "error", "problem", "quote", "assist")


class QuestionnaireResponse(Base):
    """One answer to one item of a questionnaire, never overwritten.

    ``scope`` says what the answer is about: ``attempt:<id>`` for a post-task question,
    ``variant:<id>`` for a post-study questionnaire asked per variant (within subjects), or
    ``study``. It is a plain non-null column so the unique key below holds on SQLite and
    PostgreSQL alike (both treat NULLs in a unique key as distinct).
    """

    __tablename__ = "questionnaire_responses"
    __table_args__ = (UniqueConstraint("session_id", "questionnaire_id", "scope", "item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    questionnaire_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaires.id", ondelete="RESTRICT"), index=True
    )
    attempt_id: Mapped[int | None] = mapped_column(
        ForeignKey("attempts.id", ondelete="CASCADE"), index=True
    )
    variant_id: Mapped[int | None] = mapped_column(ForeignKey("variants.id", ondelete="RESTRICT"))
    scope: Mapped[str] = mapped_column(String(40))
    instrument: Mapped[str] = mapped_column(String(20))
    #: Item number (1-based) within the instrument.
    item: Mapped[int] = mapped_column()
    value: Mapped[float | None] = mapped_column(Float)
    text: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class UsabilityProblem(Base):
    """A usability problem found in a study, rated 0 (none) to 4 (catastrophe), Nielsen's scale."""

    __tablename__ = "usability_problems"
    __table_args__ = (CheckConstraint("severity >= 0 AND severity <= 4", name="severity"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    severity: Mapped[int] = mapped_column(default=2)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Observation(Base):
    """Something a moderator or observer logged during a session."""

    __tablename__ = "observations"
    __table_args__ = (
        CheckConstraint(enum_check("kind", OBSERVATION_KINDS), name="kind"),
        CheckConstraint("severity IS NULL OR (severity >= 0 AND severity <= 4)", name="severity"),
        CheckConstraint("offset_ms >= 0", name="offset_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    attempt_id: Mapped[int | None] = mapped_column(
        ForeignKey("attempts.id", ondelete="SET NULL"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    problem_id: Mapped[int | None] = mapped_column(
        ForeignKey("usability_problems.id", ondelete="SET NULL"), index=True
    )
    #: Milliseconds since the session started.
    offset_ms: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(10))
    severity: Mapped[int | None] = mapped_column()
    text: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    session: Mapped[TestSession] = relationship()

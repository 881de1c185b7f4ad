"""What people said and saw: questionnaire answers, moderator observations, usability problems."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from uxlab.models.base import Base, enum_check
from uxlab.timeutil import UTCDateTime, utcnow

if TYPE_CHECKING:
    from uxlab.models.participants import TestSession

OBSERVATION_KINDS = ("note", "error", "problem", "quote", "assist")
#: ``problem``: a usability problem; ``expected``: a behaviour the researchers expect to see
#: (seeded from the study file), tracked in the grid but not counted as a problem.
PROBLEM_KINDS = ("problem", "expected")


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
    """A usability problem found in a study, rated 0 (none) to 4 (catastrophe), Nielsen's scale.

    ``key`` is set for problems seeded from the study file (``[[problems]]``), which a reload of
    the file updates by key; problems found during sessions have none.
    """

    __tablename__ = "usability_problems"
    __table_args__ = (
        CheckConstraint("severity >= 0 AND severity <= 4", name="severity"),
        CheckConstraint(enum_check("kind", PROBLEM_KINDS), name="kind"),
        UniqueConstraint("study_id", "key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="SET NULL"))
    key: Mapped[str | None] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(10), default="problem")
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    severity: Mapped[int] = mapped_column(default=2)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, onupdate=utcnow)


class SeverityRating(Base):
    """One person's severity rating (Nielsen 0–4) of a problem; the list shows median and spread."""

    __tablename__ = "severity_ratings"
    __table_args__ = (
        CheckConstraint("severity >= 0 AND severity <= 4", name="severity"),
        UniqueConstraint("problem_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(
        ForeignKey("usability_problems.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    severity: Mapped[int] = mapped_column()
    rated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProblemSighting(Base):
    """A cell of the problems × participants grid set by hand: ``met`` or explicitly not.

    A cell without a row follows the observations: met when a note of the participant is linked
    to the problem. A row overrides that either way (the observer saw it but wrote no note, or a
    linked note turned out not to be about this participant's experience).
    """

    __tablename__ = "problem_sightings"
    __table_args__ = (UniqueConstraint("problem_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(
        ForeignKey("usability_problems.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    met: Mapped[bool] = mapped_column()
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Observation(Base):
    """Something a moderator or observer logged during a session.

    ``client_id`` is made by the note-taker's browser when typing starts, so saving the same draft
    again (after a reload, a retry) updates the one row. ``noted_at`` is when typing started (the
    author may move it back); ``offset_ms`` the same moment relative to the session start.
    ``after_event_id`` / ``after_event`` name the last recorded event before it ("click 'Apply'").
    """

    __tablename__ = "observations"
    __table_args__ = (
        CheckConstraint(enum_check("kind", OBSERVATION_KINDS), name="kind"),
        CheckConstraint("severity IS NULL OR (severity >= 0 AND severity <= 4)", name="severity"),
        CheckConstraint("offset_ms >= 0", name="offset_non_negative"),
        UniqueConstraint("session_id", "client_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    attempt_id: Mapped[int | None] = mapped_column(
        ForeignKey("attempts.id", ondelete="SET NULL"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: The author when they watched through an observer link (no account).
    guest_id: Mapped[int | None] = mapped_column(
        ForeignKey("observer_guests.id", ondelete="SET NULL"))
    problem_id: Mapped[int | None] = mapped_column(
        ForeignKey("usability_problems.id", ondelete="SET NULL"), index=True
    )
    client_id: Mapped[uuid.UUID] = mapped_column(Uuid, default=uuid.uuid4)
    after_event_id: Mapped[int | None] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"),
        ForeignKey("events.id", ondelete="SET NULL"))
    after_event: Mapped[str | None] = mapped_column(String(300))
    noted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Milliseconds since the session started.
    offset_ms: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(10))
    severity: Mapped[int | None] = mapped_column()
    text: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    session: Mapped[TestSession] = relationship()

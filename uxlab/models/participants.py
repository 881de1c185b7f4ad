"""Participants, their sessions, and what they did: attempts and raw events."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from uxlab.models.base import Base, enum_check
from uxlab.timeutil import UTCDateTime, utcnow

if TYPE_CHECKING:
    from uxlab.models.studies import Study, Task, Variant

SESSION_MODES = ("unmoderated", "remote_moderated", "in_person")
OUTCOMES = ("success", "partial", "failure", "abandoned", "timeout")
DECIDERS = ("auto", "participant", "moderator")
#: Why a participant was not let in: the screener turned them away, or no place was left.
TURNED_AWAY = ("screened_out", "full")


class Participant(Base):
    """A pseudonymous participant of one study, reached through a secret link token."""

    __tablename__ = "participants"
    __table_args__ = (
        UniqueConstraint("study_id", "code"),
        CheckConstraint(f"turned_away IS NULL OR {enum_check('turned_away', TURNED_AWAY)}",
                        name="turned_away"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    token: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    variant_id: Mapped[int | None] = mapped_column(
        ForeignKey("variants.id", ondelete="RESTRICT"), index=True
    )
    #: Within subjects: variant keys in the order this participant sees them.
    variant_order: Mapped[list[Any] | None] = mapped_column()
    #: Task keys in the order this participant does them.
    task_order: Mapped[list[Any] | None] = mapped_column()
    #: An eligible participant's screener answers, by question key (uxlab.screening.answers).
    screener: Mapped[dict[str, Any]] = mapped_column(default=dict)
    panel_id: Mapped[str | None] = mapped_column(String(200))
    synthetic: Mapped[bool] = mapped_column(default=False)
    #: The step the server holds the participant on (like oTree's page index).
    step: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    consented_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: SHA-256 of the exact consent text the participant agreed to, and its language if known.
    consent_text_sha256: Mapped[str | None] = mapped_column(String(64))
    consent_language: Mapped[str | None] = mapped_column(String(35))
    #: The language the participant's pages are shown in (one of the study's languages), set
    #: when they consent or switch language; None until then (their browser's choice applies).
    language: Mapped[str | None] = mapped_column(String(35))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    excluded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    exclusion_reason: Mapped[str | None] = mapped_column(Text)
    #: Set (with no answers and no session kept) when the screener or a full quota turned the
    #: participant away; the row stays only so that screen-outs can be counted.
    turned_away: Mapped[str | None] = mapped_column(String(12))
    turned_away_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    study: Mapped[Study] = relationship(back_populates="participants")
    variant: Mapped[Variant | None] = relationship()
    sessions: Mapped[list[TestSession]] = relationship(
        back_populates="participant", cascade="all, delete-orphan", order_by="TestSession.id"
    )


class TestSession(Base):
    """One sitting of a participant: unmoderated, or moderated remotely or in person."""

    __tablename__ = "sessions"
    __test__ = False  # not a pytest test class
    __table_args__ = (CheckConstraint(enum_check("mode", SESSION_MODES), name="mode"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=uuid.uuid4)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    mode: Mapped[str] = mapped_column(String(20), default="unmoderated")
    moderator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    user_agent: Mapped[str | None] = mapped_column(String(500))
    viewport_width: Mapped[int | None] = mapped_column()
    viewport_height: Mapped[int | None] = mapped_column()

    participant: Mapped[Participant] = relationship(back_populates="sessions")
    attempts: Mapped[list[Attempt]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="Attempt.position"
    )


class Attempt(Base):
    """One participant's attempt at one task on one variant, with its outcome and metrics."""

    __tablename__ = "attempts"
    __table_args__ = (
        UniqueConstraint("session_id", "task_id", "variant_id"),
        CheckConstraint(f"outcome IS NULL OR {enum_check('outcome', OUTCOMES)}", name="outcome"),
        CheckConstraint(
            f"decided_by IS NULL OR {enum_check('decided_by', DECIDERS)}", name="decided_by"
        ),
        CheckConstraint(
            f"auto_outcome IS NULL OR {enum_check('auto_outcome', OUTCOMES)}", name="auto_outcome"
        ),
        CheckConstraint("paused_ms >= 0", name="paused_non_negative"),
        CheckConstraint(
            "clicks >= 0 AND misclicks >= 0 AND errors >= 0 AND misclicks <= clicks",
            name="counts",
        ),
        CheckConstraint("time_on_task_ms IS NULL OR time_on_task_ms >= 0", name="time_positive"),
        # Smith (1996) lostness is at most sqrt(2) when the optimal path is no longer than the path.
        CheckConstraint("lostness IS NULL OR (lostness >= 0 AND lostness <= 1.5)", name="lostness"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="RESTRICT"), index=True)
    variant_id: Mapped[int] = mapped_column(
        ForeignKey("variants.id", ondelete="RESTRICT"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    outcome: Mapped[str | None] = mapped_column(String(10))
    decided_by: Mapped[str | None] = mapped_column(String(12))
    assisted: Mapped[bool] = mapped_column(default=False)
    #: Reached the goal on the expected (optimal) path; None where no path is defined.
    direct: Mapped[bool | None] = mapped_column()
    first_click_correct: Mapped[bool | None] = mapped_column()
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Server-measured time on task (ended_at − started_at).
    time_on_task_ms: Mapped[int | None] = mapped_column(BigInteger)
    #: The client's own measurement, kept beside the server's.
    client_time_ms: Mapped[int | None] = mapped_column(BigInteger)
    clicks: Mapped[int] = mapped_column(default=0)
    misclicks: Mapped[int] = mapped_column(default=0)
    errors: Mapped[int] = mapped_column(default=0)
    path: Mapped[list[Any]] = mapped_column(default=list)
    lostness: Mapped[float | None] = mapped_column()
    answer: Mapped[str | None] = mapped_column(Text)
    #: The outcome the criterion or the participant gave, kept when a moderator overrides it.
    auto_outcome: Mapped[str | None] = mapped_column(String(10))
    auto_decided_by: Mapped[str | None] = mapped_column(String(12))
    #: Time the task stood paused by the moderator, left out of the time on task.
    paused_ms: Mapped[int] = mapped_column(BigInteger, default=0)
    #: Set while the task is paused.
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the retention rule deleted this attempt's raw events; its metrics are kept as they
    #: were (see :func:`uxlab.recording.metrics.derive_attempt_metrics`).
    raw_events_deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    session: Mapped[TestSession] = relationship(back_populates="attempts")
    task: Mapped[Task] = relationship()
    variant: Mapped[Variant] = relationship()


class Event(Base):
    """A raw event from the recorder. Rows are only ever inserted (set-based, idempotent).

    ``session_id`` and ``attempt_id`` name their rows without foreign keys: checking them was
    two fifths of PostgreSQL's CPU for each inserted row (docs/performance.md). Ingestion checks
    them once per group instead (:mod:`uxlab.recording.ingest`), and whoever deletes a session
    deletes its events (:func:`uxlab.recording.removal.delete_session_events`).
    """

    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("session_id", "event_uuid"),
        CheckConstraint("seq >= 0", name="seq_non_negative"),
        Index("ix_events_session_id_seq", "session_id", "seq"),
    )

    # SQLite only autoincrements a column declared INTEGER PRIMARY KEY.
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    session_id: Mapped[int] = mapped_column()
    event_uuid: Mapped[uuid.UUID] = mapped_column(Uuid)
    seq: Mapped[int] = mapped_column()
    tab_id: Mapped[str | None] = mapped_column(String(64))
    attempt_id: Mapped[int | None] = mapped_column(index=True)
    type: Mapped[str] = mapped_column(String(32))
    #: The client's clock, milliseconds since the epoch.
    client_ts_ms: Mapped[int | None] = mapped_column(BigInteger)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    x: Mapped[float | None] = mapped_column()
    y: Mapped[float | None] = mapped_column()
    target: Mapped[str | None] = mapped_column(String(1000))
    url: Mapped[str | None] = mapped_column(String(2000))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: Arrived after its attempt had ended (past the grace of recording.ingest.LATE_AFTER):
    #: kept, but left out of the attempt's metrics.
    late: Mapped[bool] = mapped_column(default=False, server_default=false())


class IdempotencyKey(Base):
    """The first answer to a participant's lifecycle call, replayed for any repeat of the key."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("participant_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(100))
    endpoint: Mapped[str] = mapped_column(String(100))
    status_code: Mapped[int] = mapped_column()
    response: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

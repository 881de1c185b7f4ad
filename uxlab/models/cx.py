"""The customer-experience side: journeys, their stages and touchpoints, and the CX data per touchpoint.

A journey has ordered stages; a stage has ordered touchpoints. Tasks of usability studies point at
touchpoints (``Task.touchpoint``), which is where UX results meet the CX figures. CX data comes as
single survey responses (``CxResponse``) or as aggregates over a period (``CxMeasure``), each kept
once per ``(source, dedupe_key)`` so that importing or receiving the same rows again changes nothing.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from uxlab.models.base import Base, enum_check
from uxlab.timeutil import UTCDateTime, utcnow

#: Survey metrics answered by one respondent: NPS 0–10, CSAT 1–5, CES 1–7 (CES 2.0 agreement).
SURVEY_METRICS = ("nps", "csat", "ces")
#: Operational figures that come only as aggregates over a period.
OPERATIONAL_METRICS = ("tickets", "resolution_hours", "contact_rate", "churn_rate",
                       "retention_rate", "clv")
AGGREGATE_METRICS = SURVEY_METRICS + OPERATIONAL_METRICS


class Journey(Base):
    """A customer journey (e.g. Purchase), told as ordered stages."""

    __tablename__ = "journeys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    stages: Mapped[list[JourneyStage]] = relationship(
        back_populates="journey", order_by="JourneyStage.position", cascade="all, delete-orphan"
    )


class JourneyStage(Base):
    """One stage of a journey (e.g. Checkout), holding its touchpoints in order."""

    __tablename__ = "journey_stages"
    __table_args__ = (UniqueConstraint("journey_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    journey_id: Mapped[int] = mapped_column(ForeignKey("journeys.id", ondelete="CASCADE"),
                                            index=True)
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)

    journey: Mapped[Journey] = relationship(back_populates="stages")
    touchpoints: Mapped[list[Touchpoint]] = relationship(
        back_populates="stage", order_by="Touchpoint.position", cascade="all, delete-orphan"
    )


class Touchpoint(Base):
    """A point of a journey where a customer meets the product (e.g. Guest checkout).

    ``targets`` maps a metric (``nps``, ``csat``, ``ces``, an operational figure, or a UX measure
    such as ``completion``) to the value the touchpoint's owner aims for.
    """

    __tablename__ = "touchpoints"
    __table_args__ = (UniqueConstraint("journey_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    journey_id: Mapped[int] = mapped_column(ForeignKey("journeys.id", ondelete="CASCADE"),
                                            index=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("journey_stages.id", ondelete="CASCADE"),
                                          index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str] = mapped_column(String(200), default="")
    targets: Mapped[dict[str, Any]] = mapped_column(default=dict)
    position: Mapped[int] = mapped_column(default=0)

    journey: Mapped[Journey] = relationship()
    stage: Mapped[JourneyStage] = relationship(back_populates="touchpoints")


class CxResponse(Base):
    """One customer's answer to a CX question at a touchpoint, a stage or the journey as a whole.

    ``dedupe_key`` is the source's ``external_id`` where it gave one, else a hash of the row's
    content; the unique key on ``(source, dedupe_key)`` makes every import idempotent.
    """

    __tablename__ = "cx_responses"
    __table_args__ = (
        UniqueConstraint("source", "dedupe_key"),
        CheckConstraint(enum_check("metric", SURVEY_METRICS), name="metric"),
        Index("ix_cx_responses_journey_recorded", "journey_id", "recorded_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    journey_id: Mapped[int] = mapped_column(ForeignKey("journeys.id", ondelete="CASCADE"))
    stage_id: Mapped[int | None] = mapped_column(
        ForeignKey("journey_stages.id", ondelete="CASCADE"))
    touchpoint_id: Mapped[int | None] = mapped_column(
        ForeignKey("touchpoints.id", ondelete="CASCADE"), index=True)
    metric: Mapped[str] = mapped_column(String(10))
    value: Mapped[float] = mapped_column()
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    respondent: Mapped[str | None] = mapped_column(String(200))
    segment: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(100), default="import")
    external_id: Mapped[str | None] = mapped_column(String(200))
    dedupe_key: Mapped[str] = mapped_column(String(200))
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CxMeasure(Base):
    """An aggregate CX or operational figure for a period, as a CX platform or a BI export gives it.

    ``promoters``/``passives``/``detractors`` (NPS) and ``top_box`` (CSAT: how many of the ``n``
    answered in the top two boxes) or ``sd`` (CES) are what an interval needs; without them the
    figure is shown with "no interval (n unknown)".
    """

    __tablename__ = "cx_measures"
    __table_args__ = (
        UniqueConstraint("source", "dedupe_key"),
        CheckConstraint(enum_check("metric", AGGREGATE_METRICS), name="metric"),
        CheckConstraint("period_end >= period_start", name="period_order"),
        CheckConstraint("n IS NULL OR n >= 0", name="n_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    journey_id: Mapped[int] = mapped_column(ForeignKey("journeys.id", ondelete="CASCADE"),
                                            index=True)
    stage_id: Mapped[int | None] = mapped_column(
        ForeignKey("journey_stages.id", ondelete="CASCADE"))
    touchpoint_id: Mapped[int | None] = mapped_column(
        ForeignKey("touchpoints.id", ondelete="CASCADE"), index=True)
    metric: Mapped[str] = mapped_column(String(20))
    period_start: Mapped[date] = mapped_column()
    period_end: Mapped[date] = mapped_column()
    value: Mapped[float] = mapped_column()
    n: Mapped[int | None] = mapped_column()
    promoters: Mapped[int | None] = mapped_column()
    passives: Mapped[int | None] = mapped_column()
    detractors: Mapped[int | None] = mapped_column()
    top_box: Mapped[int | None] = mapped_column()
    sd: Mapped[float | None] = mapped_column()
    segment: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(100), default="import")
    dedupe_key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CxSource(Base):
    """A survey tool allowed to post responses to the webhook, with the secret it signs with.

    The secret is kept as given (not hashed) because checking an HMAC signature needs it.
    """

    __tablename__ = "cx_sources"
    __table_args__ = (CheckConstraint(enum_check("kind", ("generic", "delighted", "wootric")),
                                      name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="generic")
    secret: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ApiToken(Base):
    """A bearer token for the read API (the CX feed); only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The token's first characters, so a list can tell tokens apart without revealing them.
    prefix: Mapped[str] = mapped_column(String(12))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

"""The customer-experience side: journey touchpoints and the CX measures reported per touchpoint."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from uxlab.models.base import Base, enum_check
from uxlab.timeutil import UTCDateTime, utcnow

CX_METRICS = ("nps", "csat", "ces", "sus", "umux_lite", "seq", "completion", "time", "other")


class Touchpoint(Base):
    """A point of a customer journey (e.g. Purchase › Checkout › Guest checkout)."""

    __tablename__ = "touchpoints"
    __table_args__ = (UniqueConstraint("journey", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    journey: Mapped[str] = mapped_column(String(200))
    stage: Mapped[str] = mapped_column(String(200), default="")
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)


class CxMeasure(Base):
    """An aggregate CX figure for a touchpoint over a period (imported or computed)."""

    __tablename__ = "cx_measures"
    __table_args__ = (
        UniqueConstraint("touchpoint_id", "metric", "period_start", "period_end", "source"),
        CheckConstraint(enum_check("metric", CX_METRICS), name="metric"),
        CheckConstraint("period_end >= period_start", name="period_order"),
        CheckConstraint("n IS NULL OR n >= 0", name="n_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    touchpoint_id: Mapped[int] = mapped_column(
        ForeignKey("touchpoints.id", ondelete="CASCADE"), index=True
    )
    metric: Mapped[str] = mapped_column(String(20))
    period_start: Mapped[date] = mapped_column()
    period_end: Mapped[date] = mapped_column()
    value: Mapped[float] = mapped_column()
    n: Mapped[int | None] = mapped_column()
    source: Mapped[str] = mapped_column(String(100), default="uxlab")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CxResponse(Base):
    """One customer's answer to a CX question (NPS 0–10, CSAT 1–5, CES 1–7) at a touchpoint."""

    __tablename__ = "cx_responses"
    __table_args__ = (CheckConstraint(enum_check("metric", CX_METRICS), name="metric"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    touchpoint_id: Mapped[int] = mapped_column(
        ForeignKey("touchpoints.id", ondelete="CASCADE"), index=True
    )
    metric: Mapped[str] = mapped_column(String(20))
    value: Mapped[float] = mapped_column()
    respondent: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(100), default="uxlab")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

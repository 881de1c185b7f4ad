"""What is left of a participant whose data was deleted on request: an audited tombstone."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from uxlab.models.base import Base
from uxlab.timeutil import UTCDateTime, utcnow


class ParticipantDeletion(Base):
    """Who deleted which study's participant, when and why, and how many rows went.

    ``reference`` is random, not derived from the participant's code or token, so the tombstone
    names no one; it is what the researcher quotes to the participant as the receipt.
    ``study_slug`` and ``deleted_by_email`` are copied so the record outlives the study and the
    account.
    """

    __tablename__ = "participant_deletions"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    study_id: Mapped[int | None] = mapped_column(
        ForeignKey("studies.id", ondelete="SET NULL"), index=True)
    study_slug: Mapped[str] = mapped_column(String(200))
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: The account's email, or ``cli:<os user>`` when deleted from the command line.
    deleted_by: Mapped[str] = mapped_column(String(254))
    deleted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(Text, default="")
    #: Rows deleted per kind (sessions, attempts, events, answers, observations, …).
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)

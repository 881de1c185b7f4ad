"""Who may take part: screener questions asked before consent, and quotas on the places.

A screener question's ``rule`` says which answers are eligible; a quota's ``conditions`` say which
answers put a participant in its segment (the same rule shape, one per question key, see
:mod:`uxlab.screening.rules`). Eligible answers are kept in ``Participant.screener``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from uxlab.models.base import Base, enum_check

if TYPE_CHECKING:
    from uxlab.models.studies import Study, Variant

SCREENER_KINDS = ("single", "multiple", "number")


class ScreenerQuestion(Base):
    """One screener question: single choice, multiple choice or a number, with its rule."""

    __tablename__ = "screener_questions"
    __table_args__ = (
        UniqueConstraint("study_id", "key"),
        CheckConstraint(enum_check("kind", SCREENER_KINDS), name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"), index=True)
    #: ``^[a-z][a-z0-9_]*$``: it names the answer in ``Participant.screener`` and in exports.
    key: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(default=0)
    #: single | multiple | number
    kind: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)
    #: The choices of a single or multiple choice question, in the order shown.
    options: Mapped[list[Any]] = mapped_column(default=list)
    #: Eligibility, e.g. {"must_be": ["Weekly"]} or {"min": 18, "max": 65}; {} lets everyone in.
    rule: Mapped[dict[str, Any]] = mapped_column(default=dict)

    study: Mapped[Study] = relationship(back_populates="screener_questions")


class Quota(Base):
    """At most ``places`` places for the people whose answers meet ``conditions`` (in a variant)."""

    __tablename__ = "quotas"
    __table_args__ = (
        UniqueConstraint("study_id", "key"),
        CheckConstraint("places >= 0", name="places_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(default=0)
    places: Mapped[int] = mapped_column()
    #: Only the participants assigned to this variant count (and only it is closed when full).
    variant_id: Mapped[int | None] = mapped_column(
        ForeignKey("variants.id", ondelete="CASCADE"), index=True
    )
    #: Screener question key → rule; {} is every participant.
    conditions: Mapped[dict[str, Any]] = mapped_column(default=dict)

    study: Mapped[Study] = relationship(back_populates="quotas")
    variant: Mapped[Variant | None] = relationship()

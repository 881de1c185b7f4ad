"""What a study is: variants, tasks with success criteria, questionnaires, benchmarks."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from uxlab.models.base import Base, enum_check
from uxlab.timeutil import UTCDateTime, utcnow

if TYPE_CHECKING:
    from uxlab.models.accounts import StudyMember, User
    from uxlab.models.cx import Touchpoint
    from uxlab.models.participants import Participant
    from uxlab.models.screening import Quota, ScreenerQuestion

DESIGNS = ("between", "within")
STATUSES = ("draft", "running", "closed")
QUESTIONNAIRE_TIMINGS = ("post_task", "post_study")


class Study(Base):
    """One version of a usability study; a slug may have several versions, the newest is current."""

    __tablename__ = "studies"
    __table_args__ = (
        UniqueConstraint("slug", "version"),
        CheckConstraint(enum_check("design", DESIGNS), name="design"),
        CheckConstraint(enum_check("status", STATUSES), name="status"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), index=True)
    version: Mapped[int] = mapped_column(default=1)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    design: Mapped[str] = mapped_column(String(10), default="between")
    status: Mapped[str] = mapped_column(String(10), default="draft")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    welcome_text: Mapped[str] = mapped_column(Text, default="")
    consent_text: Mapped[str] = mapped_column(Text, default="")
    thanks_text: Mapped[str] = mapped_column(Text, default="")
    completion_redirect_url: Mapped[str | None] = mapped_column(String(2000))
    open_recruitment: Mapped[bool] = mapped_column(default=False)
    recruitment_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    panel_id_param: Mapped[str | None] = mapped_column(String(64))
    #: The recruitment panel: preset, redirect URLs and codes (see uxlab.screening.panels).
    panel: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    #: The end page of people the screener turns away, and of people who find the study full.
    screen_out_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    full_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: How long a consented participant who has not finished holds a quota place.
    place_hold_minutes: Mapped[int] = mapped_column(default=120, server_default="120")
    #: Study-level benchmark targets, e.g. {"completion": 0.78, "sus": 68, "seq": 5.5, "nps": 20}.
    benchmarks: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: Languages participants may see, the first being the language of the texts above
    #: (see docs/study-files.md, "Languages").
    languages: Mapped[list[Any]] = mapped_column(default=lambda: ["en"])
    #: The study's own texts in its other languages: {language: {section: {key: {field: text}}}}.
    translations: Mapped[dict[str, Any]] = mapped_column(default=dict)
    source_file: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    owner: Mapped[User | None] = relationship()
    members: Mapped[list[StudyMember]] = relationship(
        back_populates="study", cascade="all, delete-orphan"
    )
    variants: Mapped[list[Variant]] = relationship(
        back_populates="study", cascade="all, delete-orphan", order_by="Variant.position"
    )
    tasks: Mapped[list[Task]] = relationship(
        back_populates="study", cascade="all, delete-orphan", order_by="Task.position"
    )
    questionnaires: Mapped[list[Questionnaire]] = relationship(
        back_populates="study", cascade="all, delete-orphan", order_by="Questionnaire.position"
    )
    screener_questions: Mapped[list[ScreenerQuestion]] = relationship(
        back_populates="study", cascade="all, delete-orphan", order_by="ScreenerQuestion.position"
    )
    quotas: Mapped[list[Quota]] = relationship(
        back_populates="study", cascade="all, delete-orphan", order_by="Quota.position"
    )
    participants: Mapped[list[Participant]] = relationship(
        back_populates="study", cascade="all, delete-orphan", lazy="write_only"
    )


class Variant(Base):
    """A design variant under test, with where its prototype lives and its assignment weight."""

    __tablename__ = "variants"
    __table_args__ = (
        UniqueConstraint("study_id", "key"),
        CheckConstraint("weight > 0", name="weight_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    #: A path under the studies folder (served by uxlab) or an http(s) URL of an external prototype.
    prototype: Mapped[str] = mapped_column(String(2000))
    weight: Mapped[float] = mapped_column(default=1.0)
    position: Mapped[int] = mapped_column(default=0)

    study: Mapped[Study] = relationship(back_populates="variants")


class Task(Base):
    """A task: what the participant is asked to do and how success is decided."""

    __tablename__ = "tasks"
    __table_args__ = (
        UniqueConstraint("study_id", "key"),
        CheckConstraint("time_limit_s IS NULL OR time_limit_s > 0", name="time_limit_positive"),
        CheckConstraint("optimal_clicks IS NULL OR optimal_clicks >= 0", name="optimal_clicks"),
        CheckConstraint(
            "target_completion IS NULL OR (target_completion > 0 AND target_completion < 1)",
            name="target_completion_range",
        ),
        CheckConstraint("target_time_s IS NULL OR target_time_s > 0", name="target_time_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))
    instructions: Mapped[str] = mapped_column(Text, default="")
    #: Page of the prototype the task starts on (relative to the variant's prototype).
    start_page: Mapped[str | None] = mapped_column(String(2000))
    #: Success criterion, e.g. {"type": "url", "url": "confirm.html"}; see uxlab.studies.criteria.
    criterion: Mapped[dict[str, Any]] = mapped_column()
    #: Rules that count an error, e.g. [{"type": "url", "url": "404.html", "label": "dead end"}].
    error_rules: Mapped[list[Any]] = mapped_column(default=list)
    time_limit_s: Mapped[int | None] = mapped_column()
    optimal_path: Mapped[list[Any] | None] = mapped_column()
    optimal_clicks: Mapped[int | None] = mapped_column()
    target_completion: Mapped[float | None] = mapped_column()
    target_time_s: Mapped[float | None] = mapped_column()
    touchpoint_id: Mapped[int | None] = mapped_column(
        ForeignKey("touchpoints.id", ondelete="SET NULL"), index=True
    )

    study: Mapped[Study] = relationship(back_populates="tasks")
    touchpoint: Mapped[Touchpoint | None] = relationship()


class Questionnaire(Base):
    """A questionnaire the study asks: a standard instrument or a custom Likert scale."""

    __tablename__ = "questionnaires"
    __table_args__ = (
        UniqueConstraint("study_id", "key"),
        CheckConstraint(enum_check("timing", QUESTIONNAIRE_TIMINGS), name="timing"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"), index=True)
    #: The instrument's key in the study: "seq", "sus", "nps", … or a custom scale's key.
    key: Mapped[str] = mapped_column(String(40))
    #: seq | sus | umux_lite | nps | csat | ces | likert
    instrument: Mapped[str] = mapped_column(String(20))
    timing: Mapped[str] = mapped_column(String(10))
    position: Mapped[int] = mapped_column(default=0)
    #: Options: question wording, scale points, custom items and anchors.
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)

    study: Mapped[Study] = relationship(back_populates="questionnaires")

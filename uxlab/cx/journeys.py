"""Journeys, stages and touchpoints: finding, creating and loading them (no Flask here)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from uxlab.cx.journey_files import JourneyDef
from uxlab.models import Journey, JourneyStage, Touchpoint

#: The stage a touchpoint goes to when a study file names none.
DEFAULT_STAGE = "Other"


@dataclass
class Created:
    """What a load or an import had to create, for its summary."""

    journeys: list[str] = field(default_factory=list)
    stages: list[str] = field(default_factory=list)
    touchpoints: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.journeys or self.stages or self.touchpoints)

    def lines(self) -> list[str]:
        return ([f"journey {n}" for n in self.journeys] + [f"stage {n}" for n in self.stages]
                + [f"touchpoint {n}" for n in self.touchpoints])


class UnknownPlace(LookupError):
    """A journey, stage or touchpoint that does not exist and may not be created."""


def all_journeys(session: Session) -> list[Journey]:
    """Every journey in order, with stages and touchpoints loaded."""
    return list(session.scalars(
        select(Journey).order_by(Journey.position, Journey.name).options(
            selectinload(Journey.stages).selectinload(JourneyStage.touchpoints))
    ))


def find_journey(session: Session, name: str) -> Journey | None:
    return session.scalar(select(Journey).where(Journey.name == name))


def ensure_journey(session: Session, name: str, created: Created | None = None,
                   *, create: bool = True) -> Journey:
    journey = find_journey(session, name)
    if journey is None:
        if not create:
            raise UnknownPlace(f"journey {name!r} does not exist")
        position = session.scalar(select(func.coalesce(func.max(Journey.position), -1))) + 1
        journey = Journey(name=name, position=position)
        session.add(journey)
        session.flush()
        if created is not None:
            created.journeys.append(name)
    return journey


def ensure_stage(session: Session, journey: Journey, name: str, created: Created | None = None,
                 *, create: bool = True) -> JourneyStage:
    stage = session.scalar(select(JourneyStage).where(JourneyStage.journey_id == journey.id,
                                                      JourneyStage.name == name))
    if stage is None:
        if not create:
            raise UnknownPlace(f"stage {name!r} of journey {journey.name!r} does not exist")
        position = session.scalar(select(func.coalesce(func.max(JourneyStage.position), -1))
                                  .where(JourneyStage.journey_id == journey.id)) + 1
        stage = JourneyStage(journey_id=journey.id, name=name, position=position)
        session.add(stage)
        session.flush()
        if created is not None:
            created.stages.append(f"{journey.name} › {name}")
    return stage


def ensure_touchpoint(session: Session, journey_name: str, stage_name: str, name: str,
                      created: Created | None = None, *, create: bool = True) -> Touchpoint:
    """Return the touchpoint ``name`` of the journey, creating journey, stage and touchpoint.

    Touchpoint names are unique within a journey. An existing touchpoint keeps its stage unless
    ``stage_name`` names another one, in which case it moves there (a study file is newer).
    """
    journey = ensure_journey(session, journey_name, created, create=create)
    touchpoint = session.scalar(select(Touchpoint).where(Touchpoint.journey_id == journey.id,
                                                         Touchpoint.name == name))
    if touchpoint is not None and (not stage_name or touchpoint.stage.name == stage_name):
        return touchpoint
    stage = ensure_stage(session, journey, stage_name or DEFAULT_STAGE, created, create=create)
    if touchpoint is not None:
        touchpoint.stage_id = stage.id
        return touchpoint
    if not create:
        raise UnknownPlace(f"touchpoint {name!r} of journey {journey.name!r} does not exist")
    position = session.scalar(select(func.coalesce(func.max(Touchpoint.position), -1))
                              .where(Touchpoint.stage_id == stage.id)) + 1
    touchpoint = Touchpoint(journey_id=journey.id, stage_id=stage.id, name=name,
                            position=position)
    session.add(touchpoint)
    session.flush()
    if created is not None:
        created.touchpoints.append(f"{journey.name} › {stage.name} › {name}")
    return touchpoint


def load_journeys(session: Session, journeys: list[JourneyDef]) -> Created:
    """Create or update journeys from their definitions (idempotent; nothing is deleted).

    Stages and touchpoints take the file's order; descriptions, owners and targets are replaced
    by the file's. Touchpoints the file does not name (e.g. made by a study) are kept.
    """
    created = Created()
    for j, definition in enumerate(journeys):
        journey = ensure_journey(session, definition.name, created)
        journey.description = definition.description
        journey.position = j
        for s, stage_def in enumerate(definition.stages):
            stage = ensure_stage(session, journey, stage_def.name, created)
            stage.position = s
            for t, tp_def in enumerate(stage_def.touchpoints):
                touchpoint = ensure_touchpoint(session, journey.name, stage.name, tp_def.name,
                                               created)
                touchpoint.position = t
                touchpoint.description = tp_def.description
                touchpoint.owner = tp_def.owner
                touchpoint.targets = dict(tp_def.targets)
    session.flush()
    return created


def touchpoint_label(touchpoint: Touchpoint) -> str:
    return f"{touchpoint.journey.name} › {touchpoint.stage.name} › {touchpoint.name}"

"""Deleting one participant's data on request, leaving an audited tombstone.

Everything recorded about the participant goes, in one transaction: their sessions, attempts,
raw events, questionnaire answers, moderator notes and audit lines of their sessions, problem
sightings, replayable answers, and the participant row with its code, label, panel id and
screener answers. Results, reports and exports are computed from these rows, so they no longer
count the participant from the next request on. What stays is a :class:`ParticipantDeletion`:
who deleted, when, in which study, why, how many rows of each kind, and a random reference that
names no one.
"""

from __future__ import annotations

import base64
import secrets

from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session

from uxlab.models import (
    Attempt,
    IdempotencyKey,
    ModerationAudit,
    Observation,
    Participant,
    ParticipantDeletion,
    ProblemSighting,
    QuestionnaireResponse,
    SessionWatch,
    Study,
    TestSession,
    User,
)
from uxlab.recording.removal import delete_session_events


def new_reference() -> str:
    """A random receipt such as ``DEL-K7QF2M4XAB``: 50 bits, derived from nothing."""
    return "DEL-" + base64.b32encode(secrets.token_bytes(10)).decode()[:10]


def find_participant(session: Session, study: Study, code: str) -> Participant | None:
    return session.scalar(select(Participant).where(
        Participant.study_id == study.id, Participant.code == code))


def delete_participant(session: Session, participant: Participant, *, deleted_by: User | str,
                       reason: str = "") -> ParticipantDeletion:
    """Delete ``participant`` and everything recorded about them; return the tombstone.

    ``deleted_by`` is the account that asked, or a description of who did (the CLI's
    ``cli:<os user>``). The caller commits.
    """
    study = participant.study
    sessions = select(TestSession.id).where(TestSession.participant_id == participant.id)
    attempts = select(Attempt.id).where(Attempt.session_id.in_(sessions))
    counts = {
        # The events first: this locks the sessions, so that an ingestion storing some commits
        # before (its events are deleted here too) or finds no session after.
        "events": delete_session_events(session, sessions),
        "answers": _count(session, select(QuestionnaireResponse.id).where(
            QuestionnaireResponse.session_id.in_(sessions))),
        "observations": _count(session, select(Observation.id).where(
            Observation.session_id.in_(sessions))),
        "attempts": _count(session, attempts),
        "sessions": _count(session, sessions),
        "problem_sightings": _count(session, select(ProblemSighting.id).where(
            ProblemSighting.participant_id == participant.id)),
    }
    # Children first, explicitly, so nothing depends on the database enforcing its cascades.
    for statement in (
        delete(Observation).where(Observation.session_id.in_(sessions)),
        delete(QuestionnaireResponse).where(QuestionnaireResponse.session_id.in_(sessions)),
        delete(ModerationAudit).where(ModerationAudit.session_id.in_(sessions)),
        delete(SessionWatch).where(SessionWatch.session_id.in_(sessions)),
        delete(Attempt).where(Attempt.session_id.in_(sessions)),
        delete(TestSession).where(TestSession.participant_id == participant.id),
        delete(ProblemSighting).where(ProblemSighting.participant_id == participant.id),
        delete(IdempotencyKey).where(IdempotencyKey.participant_id == participant.id),
        delete(Participant).where(Participant.id == participant.id),
    ):
        session.execute(statement, execution_options={"synchronize_session": False})
    session.expunge(participant)
    tombstone = ParticipantDeletion(
        reference=new_reference(), study_id=study.id, study_slug=study.slug,
        deleted_by_id=deleted_by.id if isinstance(deleted_by, User) else None,
        deleted_by=deleted_by.email if isinstance(deleted_by, User) else deleted_by,
        reason=reason.strip(), counts=counts)
    session.add(tombstone)
    session.flush()
    return tombstone


def deletions_of(session: Session, study: Study) -> list[ParticipantDeletion]:
    """The study's tombstones, newest first."""
    return list(session.scalars(select(ParticipantDeletion).where(
        ParticipantDeletion.study_id == study.id).order_by(ParticipantDeletion.id.desc())))


def _count(session: Session, ids: Select) -> int:
    return session.scalar(select(func.count()).select_from(ids.subquery())) or 0

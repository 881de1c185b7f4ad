"""One JSON document with everything recorded for a study, written as it is read.

The document (``format`` ``uxlab-study-export``, ``version`` 1) holds the study and its
definition (the study-file mapping), then one array per kind of record: ``participants``,
``sessions``, ``attempts``, ``responses``, ``observations``, ``problems`` and ``events``. Records
point at each other by participant code, session public id, attempt id and problem id. Participant
link tokens are secrets and are never exported. Nothing is filtered: excluded participants are
there with ``excluded_at`` and ``exclusion_reason``, synthetic ones with ``synthetic: true``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from uxlab import __version__
from uxlab.exports.tables import events_query
from uxlab.exports.writing import dumps, iso, json_array_chunks, stream
from uxlab.models import (
    Attempt,
    Observation,
    ObserverGuest,
    Participant,
    Questionnaire,
    QuestionnaireResponse,
    Study,
    Task,
    TestSession,
    UsabilityProblem,
    User,
    Variant,
)
from uxlab.observations.notes import note_author
from uxlab.studies.service import spec_from_study
from uxlab.timeutil import utcnow

FORMAT = "uxlab-study-export"
FORMAT_VERSION = 1


def study_json(session: Session, study: Study) -> Iterator[str]:
    """Yield the JSON document of everything in ``study``, chunk by chunk."""
    head = {
        "format": FORMAT, "version": FORMAT_VERSION, "uxlab_version": __version__,
        "exported_at": iso(utcnow()),
        "study": {"slug": study.slug, "version": study.version, "title": study.title,
                  "status": study.status, "design": study.design,
                  "created_at": iso(study.created_at), "started_at": iso(study.started_at),
                  "closed_at": iso(study.closed_at),
                  "definition": spec_from_study(study).to_dict()},
    }
    yield dumps(head)[:-1]  # the object stays open for the arrays below
    sections: list[tuple[str, Callable[[Session, Study], Iterator[dict]]]] = [
        ("participants", _participants), ("sessions", _sessions), ("attempts", _attempts),
        ("responses", _responses), ("observations", _observations), ("problems", _problems),
    ]
    for name, records in sections:
        yield f',\n"{name}":'
        yield from json_array_chunks(map(dumps, records(session, study)))
    yield ',\n"events":'
    yield from json_array_chunks(_events(session, study))
    yield "}\n"


def _of_study(statement, study: Study):
    return statement.join(Participant, Participant.id == TestSession.participant_id).where(
        Participant.study_id == study.id)


def _participants(session: Session, study: Study) -> Iterator[dict]:
    p = Participant
    statement = (
        select(p.code, Variant.key.label("variant"), p.label, p.variant_order, p.task_order,
               p.synthetic, p.panel_id, p.screener, p.step, p.created_at, p.consented_at,
               p.consent_text_sha256, p.consent_language, p.language, p.completed_at,
               p.excluded_at, p.exclusion_reason)
        .outerjoin(Variant, Variant.id == p.variant_id)
        .where(p.study_id == study.id).order_by(p.id))
    for row in stream(session, statement):
        yield row._asdict()


def _sessions(session: Session, study: Study) -> Iterator[dict]:
    statement = _of_study(
        select(Participant.code, TestSession.public_id, TestSession.mode, User.email,
               TestSession.started_at, TestSession.ended_at, TestSession.user_agent,
               TestSession.viewport_width, TestSession.viewport_height)
        .select_from(TestSession).outerjoin(User, User.id == TestSession.moderator_id),
        study).order_by(TestSession.id)
    for code, public_id, mode, moderator, started, ended, agent, width, height in stream(
            session, statement):
        yield {"id": str(public_id), "participant": code, "mode": mode, "moderator": moderator,
               "started_at": iso(started), "ended_at": iso(ended), "user_agent": agent,
               "viewport": [width, height] if width and height else None}


def _attempts(session: Session, study: Study) -> Iterator[dict]:
    a = Attempt
    statement = _of_study(
        select(a.id, Participant.code.label("participant"), TestSession.public_id.label("session"),
               Task.key.label("task"), Variant.key.label("variant"), a.position, a.outcome,
               a.decided_by, a.assisted, a.direct, a.first_click_correct, a.started_at,
               a.ended_at, a.time_on_task_ms, a.client_time_ms, a.clicks, a.misclicks, a.errors,
               a.path, a.lostness, a.answer)
        .select_from(a).join(TestSession, TestSession.id == a.session_id)
        .join(Task, Task.id == a.task_id).join(Variant, Variant.id == a.variant_id),
        study).order_by(a.id)
    for row in stream(session, statement):
        yield row._asdict()  # datetimes and UUIDs become text in dumps()


def _responses(session: Session, study: Study) -> Iterator[dict]:
    r = QuestionnaireResponse
    statement = _of_study(
        select(r.id, Participant.code, TestSession.public_id, Questionnaire.key, r.instrument,
               r.scope, r.attempt_id, Variant.key, r.item, r.value, r.text, r.created_at)
        .select_from(r).join(TestSession, TestSession.id == r.session_id)
        .join(Questionnaire, Questionnaire.id == r.questionnaire_id)
        .outerjoin(Variant, Variant.id == r.variant_id), study).order_by(r.id)
    for (response_id, code, public_id, key, instrument, scope, attempt, variant, item, value,
         text, created) in stream(session, statement):
        yield {"id": response_id, "participant": code, "session": str(public_id),
               "questionnaire": key, "instrument": instrument, "scope": scope,
               "attempt": attempt, "variant": variant, "item": item, "value": value,
               "text": text, "created_at": iso(created)}


def _observations(session: Session, study: Study) -> Iterator[dict]:
    o, author = Observation, aliased(User)
    statement = _of_study(
        select(o.id, Participant.code, TestSession.public_id, o.attempt_id, note_author(author),
               o.offset_ms, o.kind, o.severity, o.text, o.tags, o.problem_id, o.created_at,
               o.client_id, o.noted_at, o.after_event_id, o.after_event, o.updated_at)
        .select_from(o).join(TestSession, TestSession.id == o.session_id)
        .outerjoin(author, author.id == o.author_id)
        .outerjoin(ObserverGuest, ObserverGuest.id == o.guest_id), study).order_by(o.id)
    for (observation_id, code, public_id, attempt, email, offset, kind, severity, text, tags,
         problem, created, client_id, noted_at, after_event_id, after_event,
         updated) in stream(session, statement):
        yield {"id": observation_id, "participant": code, "session": str(public_id),
               "attempt": attempt, "author": email, "offset_ms": offset, "kind": kind,
               "severity": severity, "text": text, "tags": tags or [], "problem": problem,
               "created_at": iso(created), "client_id": str(client_id),
               "noted_at": iso(noted_at), "after_event_id": after_event_id,
               "after_event": after_event, "updated_at": iso(updated)}


def _problems(session: Session, study: Study) -> Iterator[dict]:
    p = UsabilityProblem
    statement = (select(p.id, Task.key, p.title, p.description, p.severity, p.created_at,
                        p.key, p.kind)
                 .outerjoin(Task, Task.id == p.task_id).where(p.study_id == study.id)
                 .order_by(p.id))
    for problem_id, task, title, description, severity, created, key, kind in stream(
            session, statement):
        yield {"id": problem_id, "task": task, "title": title, "description": description,
               "severity": severity, "created_at": iso(created), "key": key, "kind": kind}


def _events(session: Session, study: Study) -> Iterator[str]:
    """Each event as JSON text; the stored payload text is put in as it is (no decode/encode)."""
    sessions = {session_id: (code, str(public_id)) for session_id, code, public_id in
                session.execute(_of_study(
                    select(TestSession.id, Participant.code, TestSession.public_id), study))}
    for (session_id, tab, seq, event_uuid, kind, client_ms, received, attempt, x, y, target,
         url, payload, late) in stream(session, events_query(study)):
        code, public_id = sessions[session_id]
        record = dumps({"participant": code, "session": public_id, "tab": tab, "seq": seq,
                        "event_id": str(event_uuid), "type": kind, "client_time_ms": client_ms,
                        "received_at": iso(received), "attempt": attempt, "x": x, "y": y,
                        "target": target, "url": url, "late": bool(late)})
        yield f'{record[:-1]},"payload":{payload or "{}"}}}'

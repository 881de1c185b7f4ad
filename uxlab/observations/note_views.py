"""The notes API of a session: list (filtered), save as typed (upsert by client id), delete, and
turn a note into a problem or link it to one."""

from __future__ import annotations

import uuid

from flask import abort, jsonify, request, url_for
from sqlalchemy import select

from uxlab.extensions import db_session
from uxlab.models import Observation
from uxlab.moderation.viewer import current_viewer
from uxlab.observations.blueprint import (
    bp,
    done,
    invalid,
    load_session,
    load_study,
    read_body,
)
from uxlab.observations.notes import (
    NoteError,
    NoteFilters,
    NotYours,
    author_label,
    delete_note,
    list_notes,
    note_json,
    parse_client_id,
    parse_note,
    save_note,
    viewer_label,
)
from uxlab.observations.permissions import can_edit_problems
from uxlab.observations.problems import ProblemError, find_problem, link_note, promote_note

NOTES = "/<int:study_id>/sessions/<uuid:public_id>/notes"


@bp.get(NOTES)
def notes_list(study_id: int, public_id: uuid.UUID):
    """The session's notes in time order; ``?author=EMAIL&tag=TAG&kind=KIND`` filter them."""
    study = load_study(study_id, watch=True)
    test_session = load_session(study, public_id)
    try:
        filters = NoteFilters.from_args(request.args)
    except NoteError as error:
        return invalid(error.field, error.message)
    notes = list_notes(db_session(), test_session, filters)
    return jsonify(notes=[note_json(o, email) for o, email in notes],
                   session_started_at=test_session.started_at.isoformat(),
                   you=viewer_label(current_viewer()))


@bp.put(f"{NOTES}/<client_id>")
def note_save(study_id: int, public_id: uuid.UUID, client_id: str):
    """Create or update the note ``client_id`` (a UUID made by the browser) as typed so far."""
    study = load_study(study_id, note=True)
    test_session = load_session(study, public_id)
    session = db_session()
    try:
        note = parse_note(read_body())
        observation, created = save_note(
            session, test_session, parse_client_id(client_id), note, current_viewer(),
            may_edit_others=can_edit_problems(session, current_viewer(), study))
    except NoteError as error:
        session.rollback()
        return invalid(error.field, error.message)
    except NotYours as error:
        session.rollback()
        abort(403, str(error))
    session.commit()
    return jsonify(note_json(observation, author_label(session, observation))), 201 if created else 200


@bp.delete(f"{NOTES}/<client_id>")
def note_delete(study_id: int, public_id: uuid.UUID, client_id: str):
    """Delete a note (its author, or an editor)."""
    study = load_study(study_id, note=True)
    test_session = load_session(study, public_id)
    session = db_session()
    observation = _note(test_session.id, client_id)
    try:
        delete_note(session, observation, current_viewer(),
                    may_edit_others=can_edit_problems(session, current_viewer(), study))
    except NotYours as error:
        abort(403, str(error))
    session.commit()
    return "", 204


@bp.post(f"{NOTES}/<client_id>/problem")
def note_problem(study_id: int, public_id: uuid.UUID, client_id: str):
    """Link the note to a problem (``problem``: an id), make a new problem of it
    (``problem``: "new", optional ``title``) or unlink it (``problem``: "" or null)."""
    study = load_study(study_id, edit=True)
    test_session = load_session(study, public_id)
    session = db_session()
    observation = _note(test_session.id, client_id)
    back = request.referrer or url_for("researcher.session_detail", study_id=study.id,
                                       public_id=public_id)
    body = read_body()
    choice = body.get("problem")
    try:
        if choice == "new":
            title = body.get("title") or None
            problem = promote_note(session, study, observation, title)
        elif choice in (None, ""):
            problem = None
            link_note(session, observation, None)
        else:
            problem = find_problem(session, study, choice)
            if problem is None:
                return invalid("problem", f"the study has no problem {choice!r}", back)
            link_note(session, observation, problem)
    except ProblemError as error:
        session.rollback()
        return invalid(error.field, error.message, back)
    session.commit()
    return done(note_json(observation, author_label(session, observation)), back,
                f"Note linked to “{problem.title}”." if problem else "Note unlinked.")


def _note(session_id: int, client_id: str) -> Observation:
    try:
        key = parse_client_id(client_id)
    except NoteError:
        abort(404)
    observation = db_session().scalar(select(Observation).where(
        Observation.session_id == session_id, Observation.client_id == key))
    if observation is None:
        abort(404)
    return observation


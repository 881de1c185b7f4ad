"""The observations blueprint and what its views share: access checks, bodies and errors.

Every write answers a JSON request with JSON (``{"error", "message", "field"}`` and a 4xx for bad
input) and a form post with a redirect back and a flashed message naming the field.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, request

from uxlab.api.common import ApiError, read_json_body
from uxlab.extensions import db_session
from uxlab.models import Study, TestSession
from uxlab.moderation.access import can_watch_session
from uxlab.moderation.viewer import current_viewer, require_viewer
from uxlab.observations.permissions import can_edit_problems, can_read, can_take_notes
from uxlab.results.review import find_session

bp = Blueprint("observations", __name__, url_prefix="/studies")


@bp.before_request
def require_login():
    """Every page and endpoint here needs a logged-in user; an observer-link guest may use the
    notes of the sessions their link covers."""
    return require_viewer(request.endpoint)


@bp.errorhandler(ApiError)
def api_error(error: ApiError):
    return error.response()


def load_study(study_id: int, edit: bool = False, note: bool = False, watch: bool = False
               ) -> Study:
    """The study if the user may see it (``edit``: change its problems; ``note``: add notes;
    ``watch``: read a session's notes, as an observer-link guest may); else 404 / 403."""
    session = db_session()
    viewer = current_viewer()
    study = session.get(Study, study_id)
    if study is None or not (can_read(session, viewer, study) or (
            (note or watch) and can_take_notes(session, viewer, study))):
        abort(404)
    if edit and not can_edit_problems(session, viewer, study):
        abort(403, "Only the study's editors and owners may change its problems and grid.")
    if note and not can_take_notes(session, viewer, study):
        abort(403, "Only the study's moderators, note-takers and observers may add notes.")
    return study


def load_session(study: Study, public_id: uuid.UUID) -> TestSession:
    test_session = find_session(db_session(), study, public_id)
    if test_session is None or not can_watch_session(current_viewer(), test_session):
        abort(404)
    return test_session


def wants_json() -> bool:
    return request.is_json or request.accept_mimetypes.best == "application/json"


def read_body() -> dict[str, Any]:
    """The request's JSON object, or its form fields (lists for repeated fields)."""
    if request.is_json:
        body = read_json_body()
        if type(body) is not dict:
            raise ApiError(400, "invalid body", "the body must be a JSON object", "body")
        return body
    form = request.form
    return {key: (form.getlist(key) if len(form.getlist(key)) > 1 else form[key])
            for key in form}


def invalid(field: str, message: str, back: str | None = None):
    """Answer bad input: JSON 400 naming the field, or a flash and a redirect back."""
    if wants_json() or back is None:
        return jsonify(error="invalid field", message=f"{field}: {message}", field=field), 400
    flash(f"{field.replace('_', ' ').capitalize()}: {message}", "error")
    return redirect(back)


def done(payload: dict, back: str, message: str, status: int = 200):
    """Answer a successful write: JSON, or a flash and a redirect back."""
    if wants_json():
        return jsonify(payload), status
    flash(message, "info")
    return redirect(back)

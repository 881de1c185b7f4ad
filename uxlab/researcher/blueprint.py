"""The researcher blueprint and the helpers its views share."""

from __future__ import annotations

from flask import Blueprint, abort
from flask_login import current_user, login_required

from uxlab.accounts.service import access_level, can_edit
from uxlab.extensions import db_session
from uxlab.models import Study
from uxlab.studies.problems import StudyDefinitionError

bp = Blueprint("researcher", __name__, url_prefix="/studies")


@bp.before_request
@login_required
def require_login():
    """Every researcher page needs a logged-in user."""


def load_study(study_id: int, edit: bool = False) -> Study:
    """Return the study if the current user may see it (edit: change it); else 404 / 403.

    A study the user has no access to answers 404, so its existence is not disclosed.
    """
    session = db_session()
    study = session.get(Study, study_id)
    if study is None or access_level(session, current_user, study) is None:
        abort(404)
    if edit and not can_edit(session, current_user, study):
        abort(403)
    return study


def attach_problems(form, error: StudyDefinitionError, prefix: str,
                    field_map: dict[str, str] | None = None) -> None:
    """Show each problem of ``error`` beside its form field (or above the form)."""
    field_map = field_map or {}
    for problem in error.problems:
        key = problem.key
        rest = key[len(prefix):] if key.startswith(prefix) else None
        name = None
        if rest is not None:
            name = field_map.get(rest) or (rest if rest in form._fields else None)
            if name is None:
                name = field_map.get(rest.split(".")[0]) or (
                    rest.split(".")[0] if rest.split(".")[0] in form._fields else None)
        if name is not None:
            form[name].errors = [*form[name].errors, problem.message]
        else:
            form.form_errors.append(str(problem))

"""The researcher blueprint and the helpers its views share."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required
from wtforms import FieldList

from uxlab.accounts.service import access_level, can_edit
from uxlab.extensions import db_session
from uxlab.models import Study
from uxlab.researcher.forms import ConfirmForm
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


def attach_problems(form, error: StudyDefinitionError, prefix: str | tuple[str, ...],
                    field_map: dict | None = None) -> None:
    """Show each problem of ``error`` once: beside its form field, or else above the form.

    ``prefix`` is the key path (or paths) of the form's part of the study (``study.``).
    ``field_map`` maps a key (after the prefix) to a field name of ``form`` or to a field
    object (a field inside a list of sub-forms).
    """
    field_map = field_map or {}
    prefixes = (prefix,) if isinstance(prefix, str) else prefix

    def field_for(rest: str):
        for candidate in (rest, rest.split(".")[0]):
            target = field_map.get(candidate) or (candidate if candidate in form._fields
                                                  else None)
            if target is not None:
                return form[target] if isinstance(target, str) else target
        return None

    for problem in error.problems:
        section = next((p for p in prefixes if problem.key.startswith(p)), None)
        target = field_for(problem.key[len(section):]) if section is not None else None
        if target is not None:
            target.errors = [*target.errors, problem.message]
        else:
            form.form_errors.append(str(problem))
    for field in form:
        if isinstance(field, FieldList):  # its errors were collected when it was validated
            entries = [entry.errors for entry in field.entries]
            field.errors = entries if any(entries) else []


#: The form field that says the researcher has seen the confirmation page.
CONFIRMED_FIELD = "confirmed"


def confirmation_page(question: str, consequence: str, button: str, cancel_url: str):
    """Return the page asking to confirm a destructive POST, or None once it is confirmed.

    A destructive button posts (with its CSRF token) to its action; the first post only answers
    with this page, which explains what will happen and posts again with ``confirmed=yes``.
    It needs no JavaScript, and is an ordinary page with a heading for screen readers.
    """
    if request.form.get(CONFIRMED_FIELD) == "yes":
        return None
    return render_template("researcher/confirm.html", question=question,
                           consequence=consequence, button=button, action=request.path,
                           cancel_url=cancel_url, form=ConfirmForm())

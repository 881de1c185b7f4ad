"""The problems page (list, grid, discovery) and its writes: create, edit, delete, merge, split,
rate, and toggle grid cells. Reading needs access to the study; writing needs an editor."""

from __future__ import annotations

from flask import abort, jsonify, render_template, request, url_for
from flask_login import current_user

from uxlab.extensions import db_session
from uxlab.models import UsabilityProblem
from uxlab.observations.blueprint import bp, done, invalid, load_study, read_body, wants_json
from uxlab.observations.grid import find_participant, set_cell
from uxlab.observations.permissions import can_edit_problems
from uxlab.observations.problem_list import problem_list
from uxlab.observations.problems import (
    SEVERITY_HINTS,
    SEVERITY_LABELS,
    ProblemError,
    create_problem,
    delete_problem,
    find_problem,
    linked_notes,
    merge_problems,
    parse_problem,
    parse_severity,
    rate_problem,
    split_problem,
    update_problem,
)
from uxlab.observations.summary import problem_list_json
from uxlab.results import formatting


@bp.get("/<int:study_id>/problems")
def problems_page(study_id: int):
    """The study's usability problems by priority, the grid and the discovery estimate."""
    study = load_study(study_id)
    session = db_session()
    listing = problem_list(session, study)
    if request.args.get("format") == "json" or wants_json():
        return jsonify(problem_list_json(listing))
    notes = {p.id: linked_notes(session, p) for p in listing.grid.problems}
    return render_template(
        "observations/problems.html", study=study, listing=listing, notes=notes,
        editable=can_edit_problems(session, current_user, study), fmt=formatting,
        severity_labels=SEVERITY_LABELS, severity_hints=SEVERITY_HINTS)


def _back(study_id: int, anchor: str = "problems-h") -> str:
    return url_for("observations.problems_page", study_id=study_id) + f"#{anchor}"


def _problem(study, problem_id: int) -> UsabilityProblem:
    problem = find_problem(db_session(), study, problem_id)
    if problem is None:
        abort(404)
    return problem


@bp.post("/<int:study_id>/problems")
def problem_create(study_id: int):
    """Add a problem by hand (``title``, optional ``description``, ``severity``, ``task``)."""
    study = load_study(study_id, edit=True)
    session = db_session()
    try:
        problem = create_problem(session, study, parse_problem(read_body(), study))
    except ProblemError as error:
        return invalid(error.field, error.message, _back(study_id))
    session.commit()
    return done({"id": problem.id, "title": problem.title}, _back(study_id),
                f"Problem “{problem.title}” added.", 201)


@bp.route("/<int:study_id>/problems/<int:problem_id>", methods=["POST", "PATCH"])
def problem_update(study_id: int, problem_id: int):
    """Rename, re-describe, re-rate or re-assign a problem (only the fields given change)."""
    study = load_study(study_id, edit=True)
    problem = _problem(study, problem_id)
    try:
        update_problem(problem, parse_problem(read_body(), study, partial=True))
    except ProblemError as error:
        return invalid(error.field, error.message, _back(study_id))
    db_session().commit()
    return done({"id": problem.id, "title": problem.title, "severity": problem.severity},
                _back(study_id), f"Problem “{problem.title}” saved.")


@bp.post("/<int:study_id>/problems/<int:problem_id>/delete")
def problem_delete(study_id: int, problem_id: int):
    """Delete a problem; its notes stay, unlinked."""
    study = load_study(study_id, edit=True)
    problem = _problem(study, problem_id)
    title = problem.title
    delete_problem(db_session(), problem)
    db_session().commit()
    return done({"deleted": problem_id}, _back(study_id), f"Problem “{title}” deleted.")


@bp.post("/<int:study_id>/problems/<int:problem_id>/merge")
def problem_merge(study_id: int, problem_id: int):
    """Merge this problem into ``into`` (another problem's id)."""
    study = load_study(study_id, edit=True)
    source = _problem(study, problem_id)
    body = read_body()
    session = db_session()
    target = find_problem(session, study, body.get("into"))
    if target is None:
        return invalid("into", f"the study has no problem {body.get('into')!r}", _back(study_id))
    title = source.title
    try:
        merge_problems(session, source, target)
    except ProblemError as error:
        session.rollback()
        return invalid(error.field, error.message, _back(study_id))
    session.commit()
    return done({"id": target.id, "merged": problem_id}, _back(study_id),
                f"“{title}” merged into “{target.title}”.")


@bp.post("/<int:study_id>/problems/<int:problem_id>/split")
def problem_split(study_id: int, problem_id: int):
    """Move some of the problem's notes (``observations``: ids) to a new problem ``title``."""
    study = load_study(study_id, edit=True)
    problem = _problem(study, problem_id)
    body = read_body()
    chosen = body.get("observations", [])
    if isinstance(chosen, (str, int)):
        chosen = [chosen]
    session = db_session()
    try:
        new = split_problem(session, problem, body.get("title") or "", chosen)
    except ProblemError as error:
        session.rollback()
        return invalid(error.field, error.message, _back(study_id))
    session.commit()
    return done({"id": new.id, "title": new.title}, _back(study_id),
                f"“{new.title}” split off “{problem.title}”.", 201)


@bp.post("/<int:study_id>/problems/<int:problem_id>/rating")
def problem_rate(study_id: int, problem_id: int):
    """Record your severity rating (0–4) of the problem; an empty ``severity`` withdraws it."""
    study = load_study(study_id, edit=True)
    problem = _problem(study, problem_id)
    value = read_body().get("severity")
    try:
        severity = None if value in (None, "") else parse_severity(value)
    except ProblemError as error:
        return invalid(error.field, error.message, _back(study_id))
    rate_problem(db_session(), problem, current_user, severity)
    db_session().commit()
    return done({"id": problem.id, "severity": severity}, _back(study_id),
                "Your rating is saved." if severity is not None else "Your rating is withdrawn.")


@bp.route("/<int:study_id>/problems/<int:problem_id>/grid/<code>", methods=["POST", "PUT"])
def grid_cell(study_id: int, problem_id: int, code: str):
    """Set whether participant ``code`` met the problem (``met``: true/false, "1"/"0")."""
    study = load_study(study_id, edit=True)
    problem = _problem(study, problem_id)
    session = db_session()
    participant = find_participant(session, study, code)
    if participant is None:
        abort(404)
    met = read_body().get("met")
    if met in ("1", "true", "on"):
        met = True
    elif met in ("0", "false", "off"):
        met = False
    if type(met) is not bool:
        return invalid("met", "must be true or false", _back(study_id, "grid-h"))
    set_cell(session, problem, participant, met, current_user)
    session.commit()
    return done({"problem": problem.id, "participant": code, "met": met},
                _back(study_id, "grid-h"),
                f"{code} {'met' if met else 'did not meet'} “{problem.title}”.")

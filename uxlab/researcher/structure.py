"""Editing a study's variants, tasks and questionnaires."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for

from uxlab.extensions import db_session
from uxlab.researcher.blueprint import attach_problems, bp, confirmation_page, load_study
from uxlab.researcher.forms import (
    BLANK_ERROR_RULES,
    ConfirmForm,
    ErrorRuleForm,
    QuestionnairesForm,
    TaskForm,
    VariantForm,
)
from uxlab.researcher.snippet import recorder_snippet
from uxlab.studies import editing
from uxlab.studies.problems import StudyDefinitionError
from uxlab.studies.service import StudyStateError

#: The study's attribute holding a study-file section's rows, where their names differ.
STUDY_ATTRIBUTES = {"screener": "screener_questions"}


def find_item(items, key):
    for index, item in enumerate(items):
        if item.key == key:
            return index, item
    abort(404)


def save_form(study, form, save, original_key, values, section, field_map=None):
    """Run an editing service; on problems show them on the form. Return True if saved."""
    session = db_session()
    try:
        save(session, study, original_key, values,
             studies_dir=current_app.config["STUDIES_DIR"])
    except StudyStateError as exc:
        session.rollback()
        form.form_errors.append(str(exc))
        return False
    except StudyDefinitionError as exc:
        session.rollback()
        items = getattr(study, STUDY_ATTRIBUTES.get(section, section))
        index = len(items) if original_key is None else find_item(items, original_key)[0]
        attach_problems(form, exc, f"{section}[{index}].", field_map)
        # A new item's index may differ if validation stopped early; show the rest above.
        return False
    session.commit()
    return True


def render_form(template, form, study, status_ok=200, **context):
    status = 400 if form.errors or form.form_errors else status_ok
    return render_template(template, form=form, study=study, **context), status


@bp.route("/<int:study_id>/variants/new", methods=["GET", "POST"],
          defaults={"key": None})
@bp.route("/<int:study_id>/variants/<key>/edit", methods=["GET", "POST"])
def variant_form(study_id: int, key: str | None):
    """Add or edit a variant."""
    study = load_study(study_id, edit=True)
    variant = find_item(study.variants, key)[1] if key else None
    form = VariantForm(obj=variant)
    if form.validate_on_submit() and save_form(study, form, editing.save_variant, key,
                                           form.values(), "variants"):
        flash(f"Variant {form.key.data} saved.", "success")
        return redirect(url_for("researcher.study_detail", study_id=study.id))
    return render_form("researcher/variant_form.html", form, study, variant=variant,
                   snippet=recorder_snippet(request.host_url))


def _task_form_data(task) -> dict:
    criterion = task.criterion or {}
    touchpoint = task.touchpoint
    return {
        "key": task.key, "title": task.title, "instructions": task.instructions,
        "start": task.start_page, "time_limit": task.time_limit_s,
        "criterion_type": criterion.get("type"), "criterion_url": criterion.get("url"),
        "criterion_match": criterion.get("match", "exact"),
        "criterion_selector": criterion.get("selector"),
        "criterion_question": criterion.get("question"),
        "criterion_answers": "\n".join(criterion.get("answers", [])),
        "optimal_path": "\n".join(task.optimal_path or []),
        "optimal_clicks": task.optimal_clicks, "benchmark_completion": task.target_completion,
        "benchmark_time": task.target_time_s,
        "touchpoint_journey": touchpoint.journey.name if touchpoint else "",
        "touchpoint_stage": touchpoint.stage.name if touchpoint else "",
        "touchpoint_name": touchpoint.name if touchpoint else "",
        "error_rules": [ErrorRuleForm.row_data(rule) for rule in task.error_rules or []],
    }


@bp.route("/<int:study_id>/tasks/new", methods=["GET", "POST"], defaults={"key": None})
@bp.route("/<int:study_id>/tasks/<key>/edit", methods=["GET", "POST"])
def task_form(study_id: int, key: str | None):
    """Add or edit a task and its success criterion."""
    study = load_study(study_id, edit=True)
    task = find_item(study.tasks, key)[1] if key else None
    form = TaskForm(data=_task_form_data(task) if task and request.method == "GET" else None)
    if request.method == "GET":
        rows = len(task.error_rules or []) if task else 0
        while len(form.error_rules) < rows + BLANK_ERROR_RULES:
            form.error_rules.append_entry()
    if form.validate_on_submit():
        values = form.values()
        if task:
            # Keep what the form has no field for: per-variant overrides and, while the type
            # stays, a criterion's label or answer pattern.
            criterion = task.criterion or {}
            same_type = criterion.get("type") == values["success"]["type"]
            for name, value in criterion.items():
                if name not in TaskForm.CRITERION_KEYS and (same_type or name == "variants"):
                    values["success"].setdefault(name, value)
        if save_form(study, form, editing.save_task, key, values, "tasks", form.problem_fields()):
            flash(f"Task {form.key.data} saved.", "success")
            return redirect(url_for("researcher.study_detail", study_id=study.id))
    return render_form("researcher/task_form.html", form, study, task=task)


@bp.route("/<int:study_id>/<any(variants, tasks):section>/<key>/delete", methods=["POST"])
def item_delete(study_id: int, section: str, key: str):
    """Remove a variant or a task."""
    study = load_study(study_id, edit=True)
    item = find_item(getattr(study, section), key)[1]
    if ConfirmForm().validate_on_submit():
        kind = section[:-1]
        name = item.name if section == "variants" else item.title
        page = confirmation_page(
            f"Remove {kind} {key} (“{name}”)?",
            f"The {kind} is removed from the study with its settings. This cannot be undone; "
            "to get it back, add it again.",
            f"Remove {kind} {key}", url_for("researcher.study_detail", study_id=study.id))
        if page is not None:
            return page
        session = db_session()
        try:
            editing.remove_item(session, study, section, key)
        except (StudyStateError, StudyDefinitionError) as exc:
            session.rollback()
            flash(f"Not removed: {exc}", "error")
        else:
            session.commit()
            flash(f"Removed {section[:-1]} {key}.", "success")
    return redirect(url_for("researcher.study_detail", study_id=study.id))


@bp.route("/<int:study_id>/tasks/<key>/move/<any(up, down):direction>", methods=["POST"])
def task_move(study_id: int, key: str, direction: str):
    """Move a task up or down the running order."""
    study = load_study(study_id, edit=True)
    find_item(study.tasks, key)
    if ConfirmForm().validate_on_submit():
        session = db_session()
        try:
            editing.move_task(session, study, key, -1 if direction == "up" else 1)
        except StudyStateError as exc:
            session.rollback()
            flash(str(exc), "error")
        else:
            session.commit()
    return redirect(url_for("researcher.study_detail", study_id=study.id, _anchor="tasks"))


@bp.route("/<int:study_id>/questionnaires", methods=["GET", "POST"])
def questionnaires_form(study_id: int):
    """Choose the questionnaires asked after each task and at the end."""
    study = load_study(study_id, edit=True)
    current = {q.timing: [] for q in study.questionnaires}
    for q in study.questionnaires:
        current.setdefault(q.timing, []).append(q.key)
    form = QuestionnairesForm(data={"post_task": current.get("post_task", []),
                                    "post_study": current.get("post_study", [])})
    if form.validate_on_submit():
        session = db_session()
        try:
            editing.set_questionnaires(session, study, form.post_task.data, form.post_study.data)
        except StudyStateError as exc:
            session.rollback()
            form.form_errors.append(str(exc))
        except StudyDefinitionError as exc:
            session.rollback()
            attach_problems(form, exc, "questionnaires.")
        else:
            session.commit()
            flash("Questionnaires saved.", "success")
            return redirect(url_for("researcher.study_detail", study_id=study.id))
    return render_form("researcher/questionnaires_form.html", form, study, confirm=ConfirmForm())

"""The researcher's screening pages: screener questions, quotas, and the panel and end texts.

Routes live on the researcher blueprint (``/studies/<id>/screener/…``, ``/quotas/…``,
``/screening``); the study page shows the questions, each quota's fill and the screen-out count
(:func:`uxlab.screening.quotas.screening_summary`).
"""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from wtforms import SelectChoice

from uxlab.extensions import db_session
from uxlab.researcher.blueprint import bp, confirmation_page, load_study
from uxlab.researcher.forms import ConfirmForm
from uxlab.researcher.structure import find_item, render_form, save_form
from uxlab.screening import editing
from uxlab.screening.forms import (
    QuotaForm,
    ScreenerQuestionForm,
    ScreeningSettingsForm,
    conditions_from_form,
)
from uxlab.studies.problems import StudyDefinitionError
from uxlab.studies.service import StudyStateError


def _back(study):
    return redirect(url_for("researcher.study_detail", study_id=study.id, _anchor="screening"))


def _without_studies_dir(save):
    return lambda session, study, key, values, studies_dir: save(session, study, key, values)


@bp.route("/<int:study_id>/screener/new", methods=["GET", "POST"], defaults={"key": None})
@bp.route("/<int:study_id>/screener/<key>/edit", methods=["GET", "POST"])
def screener_question_form(study_id: int, key: str | None):
    """Add or edit a screener question and its eligibility rule."""
    study = load_study(study_id, edit=True)
    question = find_item(study.screener_questions, key)[1] if key else None
    form = ScreenerQuestionForm(data=ScreenerQuestionForm.data_of(question)
                                if question and request.method == "GET" else None)
    if form.validate_on_submit() and save_form(
            study, form, _without_studies_dir(editing.save_question), key, form.values(),
            "screener"):
        flash(f"Screener question {form.key.data} saved.", "success")
        return _back(study)
    return render_form("researcher/screener_question_form.html", form, study, question=question)


@bp.route("/<int:study_id>/quotas/new", methods=["GET", "POST"], defaults={"key": None})
@bp.route("/<int:study_id>/quotas/<key>/edit", methods=["GET", "POST"])
def quota_form(study_id: int, key: str | None):
    """Add or edit a quota: places per segment (screener answers) and variant."""
    study = load_study(study_id, edit=True)
    quota = find_item(study.quotas, key)[1] if key else None
    form = QuotaForm(data={"key": quota.key, "places": quota.places,
                           "variant": quota.variant.key if quota.variant else ""}
                     if quota and request.method == "GET" else None)
    form.variant.choices = [SelectChoice("", "Any variant")] + [
        SelectChoice(v.key, f"{v.key}: {v.name}") for v in study.variants]
    conditions = dict(quota.conditions or {}) if quota else {}
    if request.method == "POST":
        conditions, problems = conditions_from_form(study.screener_questions, request.form,
                                                    kept=quota.conditions if quota else None)
        form.form_errors.extend(problems)
    if form.validate_on_submit() and not form.form_errors:
        values = {"key": form.key.data.strip(), "places": form.places.data,
                  "variant": form.variant.data or None, "where": conditions}
        if save_form(study, form, _without_studies_dir(editing.save_quota), key, values,
                     "quotas"):
            flash(f"Quota {form.key.data} saved.", "success")
            return _back(study)
    return render_form("researcher/quota_form.html", form, study, quota=quota,
                       conditions=conditions)


@bp.route("/<int:study_id>/screening", methods=["GET", "POST"])
def screening_settings(study_id: int):
    """The end pages' texts, how long a place is held, and the recruitment panel."""
    study = load_study(study_id, edit=True)
    panel = study.panel or {}
    form = ScreeningSettingsForm(data={
        "screen_out": study.screen_out_text, "full": study.full_text,
        "place_hold_minutes": study.place_hold_minutes,
        **{name: panel.get(name, "") for name in ScreeningSettingsForm.PANEL_FIELDS},
        "preset": panel.get("preset", "generic"),
    } if request.method == "GET" else None)
    if form.validate_on_submit():
        session = db_session()
        try:
            editing.save_settings(session, study, form.texts(), form.panel())
        except StudyDefinitionError as exc:
            session.rollback()
            _attach(form, exc)
        else:
            session.commit()
            flash("Screening settings saved.", "success")
            return _back(study)
    return render_form("researcher/screening_settings.html", form, study)


def _attach(form, error: StudyDefinitionError) -> None:
    names = {"study.screen_out": "screen_out", "study.full": "full",
             "study.place_hold_minutes": "place_hold_minutes",
             **{f"panel.{name}": name for name in ScreeningSettingsForm.PANEL_FIELDS}}
    for problem in error.problems:
        field = names.get(problem.key)
        if field:
            form[field].errors = [*form[field].errors, problem.message]
        else:
            form.form_errors.append(str(problem))


@bp.route("/<int:study_id>/<any(screener, quotas):section>/<key>/delete", methods=["POST"])
def screening_item_delete(study_id: int, section: str, key: str):
    """Remove a screener question or a quota (after a confirmation page)."""
    study = load_study(study_id, edit=True)
    find_item(study.screener_questions if section == "screener" else study.quotas, key)
    if ConfirmForm().validate_on_submit():
        kind = "screener question" if section == "screener" else "quota"
        page = confirmation_page(
            f"Remove {kind} {key}?",
            "It is removed from the study with its settings. This cannot be undone; to get it "
            "back, add it again.", f"Remove {kind} {key}",
            url_for("researcher.study_detail", study_id=study.id, _anchor="screening"))
        if page is not None:
            return page
        remove = editing.remove_question if section == "screener" else editing.remove_quota
        session = db_session()
        try:
            remove(session, study, key)
        except (StudyStateError, StudyDefinitionError) as exc:
            session.rollback()
            flash(f"Not removed: {exc}", "error")
        else:
            session.commit()
            flash(f"Removed {kind} {key}.", "success")
    return _back(study)


@bp.route("/<int:study_id>/screener/<key>/move/<any(up, down):direction>", methods=["POST"])
def screener_question_move(study_id: int, key: str, direction: str):
    """Move a screener question up or down."""
    study = load_study(study_id, edit=True)
    find_item(study.screener_questions, key)
    if ConfirmForm().validate_on_submit():
        session = db_session()
        try:
            editing.move_question(session, study, key, -1 if direction == "up" else 1)
        except StudyStateError as exc:
            session.rollback()
            flash(str(exc), "error")
        else:
            session.commit()
    return _back(study)

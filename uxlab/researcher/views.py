"""Study list, creating a study, its overview, details, status, and TOML export."""

from __future__ import annotations

from flask import Response, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from uxlab.accounts.service import accessible_studies, can_edit
from uxlab.extensions import db_session
from uxlab.models import Study
from uxlab.researcher.blueprint import attach_problems, bp, confirmation_page, load_study
from uxlab.researcher.forms import ConfirmForm, StudyForm
from uxlab.screening.quotas import screening_summary
from uxlab.studies.editing import create_study, update_details
from uxlab.studies.files import study_to_toml
from uxlab.studies.problems import StudyDefinitionError
from uxlab.studies.service import (
    StudyStateError,
    close_study,
    has_participant_data,
    participant_counts,
    spec_from_study,
    start_study,
)


@bp.route("/")
def study_list():
    """List the studies the user may see, with status and participant counts."""
    session = db_session()
    studies = session.scalars(
        accessible_studies(current_user).order_by(Study.slug, Study.version.desc())
    ).all()
    counts = participant_counts(session, [s.id for s in studies])
    return render_template("researcher/study_list.html", studies=studies, counts=counts)


@bp.route("/new", methods=["GET", "POST"])
def study_new():
    """Create a draft study."""
    if current_user.role == "observer":
        flash("Observers cannot create studies.", "error")
        return redirect(url_for("researcher.study_list"))
    form = StudyForm()
    if form.validate_on_submit():
        session = db_session()
        try:
            study = create_study(session, current_user, form.details(), form.benchmarks())
        except StudyDefinitionError as exc:
            session.rollback()
            attach_problems(form, exc, ("study.", "benchmarks."), StudyForm.PROBLEM_FIELDS)
        else:
            session.commit()
            flash(f"Study “{study.title}” created. Add its variants and tasks next.", "success")
            return redirect(url_for("researcher.study_detail", study_id=study.id))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("researcher/study_form.html", form=form, study=None), status


@bp.route("/<int:study_id>")
def study_detail(study_id: int):
    """Show a study: details, variants, tasks, questionnaires, participants."""
    study = load_study(study_id)
    session = db_session()
    versions = session.scalars(accessible_studies(current_user).where(
        Study.slug == study.slug).order_by(Study.version.desc())).all()
    return render_template(
        "researcher/study_detail.html", study=study, confirm=ConfirmForm(),
        versions=versions if len(versions) > 1 else [],
        version_counts=participant_counts(session, [v.id for v in versions]),
        editable=can_edit(session, current_user, study),
        locked=has_participant_data(session, study),
        participant_count=participant_counts(session, [study.id]).get(study.id, 0),
        screening=screening_summary(session, study),
    )


@bp.route("/<int:study_id>/edit", methods=["GET", "POST"])
def study_edit(study_id: int):
    """Edit a study's details and benchmarks."""
    study = load_study(study_id, edit=True)
    spec = spec_from_study(study)
    form = StudyForm(data={
        **{name: getattr(spec, name) for name in StudyForm.DETAIL_FIELDS},
        **{f"benchmark_{k}": v for k, v in spec.benchmarks.items()},
        **StudyForm.language_data(spec.languages),
    })
    if form.validate_on_submit():
        session = db_session()
        try:
            update_details(session, study, form.details(), form.benchmarks())
        except (StudyDefinitionError, StudyStateError) as exc:
            session.rollback()
            if isinstance(exc, StudyStateError):
                form.form_errors.append(str(exc))
            else:
                attach_problems(form, exc, ("study.", "benchmarks."), StudyForm.PROBLEM_FIELDS)
        else:
            session.commit()
            flash("Study details saved.", "success")
            return redirect(url_for("researcher.study_detail", study_id=study.id))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("researcher/study_form.html", form=form, study=study), status


@bp.route("/<int:study_id>/<any(start, close):action>", methods=["POST"])
def study_status(study_id: int, action: str):
    """Start (or reopen) or close a study."""
    study = load_study(study_id, edit=True)
    form = ConfirmForm()
    if form.validate_on_submit():
        if action == "close":
            page = confirmation_page(
                f"Close “{study.title}”?",
                "Participants can no longer start it, and anyone in the middle of a session "
                "cannot finish. The data recorded so far is kept, and you can reopen the study.",
                "Close the study", url_for("researcher.study_detail", study_id=study.id))
            if page is not None:
                return page
        try:
            if action == "start":
                start_study(study, current_app.config["STUDIES_DIR"])
            else:
                close_study(study)
        except StudyStateError as exc:
            flash(f"Cannot {action} the study: {exc}.", "error")
        else:
            db_session().commit()
            flash("The study is running: participants can now take part." if action == "start"
                  else "The study is closed.", "success")
    return redirect(url_for("researcher.study_detail", study_id=study.id))


@bp.route("/<int:study_id>/study.toml")
def study_export(study_id: int):
    """Download the study as a study file."""
    study = load_study(study_id)
    return Response(
        study_to_toml(spec_from_study(study)), mimetype="application/toml",
        headers={"Content-Disposition": f'attachment; filename="{study.slug}.toml"'},
    )

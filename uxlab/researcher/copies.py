"""Studies from a source in the browser: upload a study file, duplicate a study, use a template."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from markupsafe import Markup
from werkzeug.utils import secure_filename
from wtforms import RadioField, StringField
from wtforms.validators import DataRequired

from uxlab.extensions import db_session
from uxlab.researcher.blueprint import attach_problems, bp, load_study
from uxlab.studies.copies import (
    create_from_template,
    duplicate_study,
    load_uploaded_file,
    templates,
)
from uxlab.studies.files import MAX_STUDY_FILE_BYTES
from uxlab.studies.locate import line_of
from uxlab.studies.problems import StudyDefinitionError
from uxlab.studies.service import StudyStateError, spec_from_study
from uxlab.studies.translations import missing_translations


class UploadForm(FlaskForm):
    file = FileField("Study file (.toml)", validators=[FileRequired("Choose a study file.")],
                     description="The format is described in docs/study-files.md; download a "
                                 "study's file to start from it.")


class NewStudyNameForm(FlaskForm):
    slug = StringField("Short name (slug)", validators=[DataRequired()],
                       description="Lower-case letters, digits and dashes; used in URLs and "
                                   "file names. It cannot change later.")
    title = StringField("Title", validators=[DataRequired()])


class TemplateForm(NewStudyNameForm):
    template = RadioField("Template", validators=[DataRequired("Choose a template.")])


def _refuse_observers():
    if current_user.role == "observer":
        flash("Observers cannot create studies.", "error")
        return redirect(url_for("researcher.study_list"))
    return None


def _file_problems(error: StudyDefinitionError, content: bytes, filename: str) -> list[str]:
    """Each problem as 'FILE, line N: KEY: PROBLEM' (the line where the key is written)."""
    text = content.decode("utf-8-sig", errors="replace")
    listed = []
    for problem in error.problems:
        line = line_of(text, problem.key) if problem.key else None
        where = f"{filename}, line {line}" if line else filename
        listed.append(f"{where}: {problem}")
    return listed


@bp.route("/upload", methods=["GET", "POST"])
def study_upload_new():
    """Upload a study file: a new study, or a change to one the user may edit."""
    return _refuse_observers() or _upload(None)


@bp.route("/<int:study_id>/upload", methods=["GET", "POST"])
def study_upload(study_id: int):
    """Upload a changed study file for this study (in place, or as its next version)."""
    return _upload(load_study(study_id, edit=True))


def _upload(study):
    form = UploadForm()
    problems: list[str] = []
    if form.validate_on_submit():
        upload = form.file.data
        filename = secure_filename(upload.filename or "") or "study.toml"
        content = upload.read(MAX_STUDY_FILE_BYTES + 1)
        if len(content) > MAX_STUDY_FILE_BYTES:
            problems = [f"{filename}: larger than {MAX_STUDY_FILE_BYTES // 1024} KB; is it a "
                        "study file?"]
        else:
            session = db_session()
            try:
                result = load_uploaded_file(session, current_user, content, filename,
                                            current_app.config["STUDIES_DIR"], study)
            except StudyDefinitionError as exc:
                session.rollback()
                problems = _file_problems(exc, content, filename)
            except StudyStateError as exc:
                session.rollback()
                problems = [f"{filename}: {exc}"]
            else:
                session.commit()
                done = result.describe()
                flash(f"{done[:1].upper()}{done[1:]}.", "success")
                for warning in missing_translations(spec_from_study(result.study)):
                    flash(f"{filename}: warning: {warning}", "warning")
                return redirect(url_for("researcher.study_detail", study_id=result.study.id))
    status = 400 if form.errors or problems else 200
    return render_template("researcher/upload.html", form=form, study=study,
                           problems=problems), status


@bp.route("/<int:study_id>/duplicate", methods=["GET", "POST"])
def study_duplicate(study_id: int):
    """Copy a study's definition as a new draft (no participants, no data)."""
    study = load_study(study_id)
    refused = _refuse_observers()
    if refused:
        return refused
    form = NewStudyNameForm(data={"slug": f"{study.slug}-copy"[:80],
                                  "title": f"{study.title} (copy)"})
    if form.validate_on_submit():
        session = db_session()
        try:
            copy = duplicate_study(session, study, current_user, form.slug.data.strip(),
                                   form.title.data)
        except StudyDefinitionError as exc:
            session.rollback()
            attach_problems(form, exc, "study.")
        else:
            session.commit()
            flash(f"“{copy.title}” is a copy of “{study.title}”, as a draft without "
                  "participants or data.", "success")
            return redirect(url_for("researcher.study_detail", study_id=copy.id))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("researcher/duplicate.html", form=form, study=study), status


@bp.route("/new/template", methods=["GET", "POST"])
def study_from_template():
    """Create a study from a built-in template, with placeholder prototype pages."""
    refused = _refuse_observers()
    if refused:
        return refused
    available = templates()
    form = TemplateForm()
    form.template.choices = [
        (t.name, Markup("<strong>{}</strong> — {}").format(t.title, t.summary))
        for t in available]
    if form.validate_on_submit():
        session = db_session()
        try:
            study = create_from_template(session, current_user, form.template.data,
                                         form.slug.data.strip(), form.title.data,
                                         current_app.config["STUDIES_DIR"])
        except StudyDefinitionError as exc:
            session.rollback()
            attach_problems(form, exc, "study.")
        else:
            session.commit()
            flash(f"Study “{study.title}” created from a template, with placeholder pages in "
                  "the studies folder; replace them with your prototype.", "success")
            return redirect(url_for("researcher.study_detail", study_id=study.id))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("researcher/template_form.html", form=form), status

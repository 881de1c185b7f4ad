"""Custom rating scales (Likert) of a study: add, edit and remove them in the browser."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Optional

from uxlab.extensions import db_session
from uxlab.researcher.blueprint import attach_problems, bp, confirmation_page, load_study
from uxlab.researcher.forms import ConfirmForm, TextField
from uxlab.studies import editing
from uxlab.studies.problems import StudyDefinitionError
from uxlab.studies.service import StudyStateError


class CustomScaleForm(FlaskForm):
    key = StringField("Key", validators=[DataRequired()],
                      description="A short name for the scale in exports, e.g. trust.")
    title = StringField("Title", validators=[DataRequired()],
                        description="Shown to participants above the statements.")
    items = TextField("Statements (one per line)", validators=[DataRequired()],
                      description="Each is rated on the scale; write them as statements "
                                  "participants agree or disagree with.")
    scale = SelectField("Points", coerce=int, default=7,
                        choices=[SelectChoice(7, "7 points"), SelectChoice(5, "5 points")])
    anchor_low = StringField("Label of the low end", validators=[Optional()],
                             description="e.g. Strongly disagree")
    anchor_high = StringField("Label of the high end", validators=[Optional()],
                              description="e.g. Strongly agree")
    timing = SelectField("Asked", choices=[SelectChoice("post_task", "After each task"),
                                            SelectChoice("post_study", "At the end")])

    def definition(self) -> dict:
        """The ``[questionnaires.custom.KEY]`` table of a study file."""
        scale = {"title": self.title.data.strip(), "scale": self.scale.data,
                 "items": [line.strip() for line in self.items.data.splitlines()
                           if line.strip()]}
        if (self.anchor_low.data or "").strip() or (self.anchor_high.data or "").strip():
            scale["anchors"] = [(self.anchor_low.data or "").strip(),
                                (self.anchor_high.data or "").strip()]
        return scale


def _custom_scale(study, key):
    questionnaire = next((q for q in study.questionnaires
                          if q.instrument == "likert" and q.key == key), None)
    if questionnaire is None:
        abort(404)
    return questionnaire


@bp.route("/<int:study_id>/questionnaires/custom/new", methods=["GET", "POST"],
          defaults={"key": None})
@bp.route("/<int:study_id>/questionnaires/custom/<key>/edit", methods=["GET", "POST"])
def custom_scale_form(study_id: int, key: str | None):
    """Add or edit a custom rating scale."""
    study = load_study(study_id, edit=True)
    data = None
    if key is not None:
        scale = _custom_scale(study, key)
        options = scale.options or {}
        anchors = options.get("anchors") or ["", ""]
        data = {"key": key, "title": options.get("title", ""),
                "items": "\n".join(options.get("items", [])), "scale": options.get("scale", 7),
                "anchor_low": anchors[0], "anchor_high": anchors[1], "timing": scale.timing}
    form = CustomScaleForm(data=data)
    if form.validate_on_submit():
        session = db_session()
        new_key = form.key.data.strip()
        try:
            editing.save_custom_scale(session, study, key, new_key, form.definition(),
                                      form.timing.data)
        except StudyStateError as exc:
            session.rollback()
            form.form_errors.append(str(exc))
        except StudyDefinitionError as exc:
            session.rollback()
            attach_problems(form, exc, f"questionnaires.custom.{new_key}.",
                            {"anchors": "anchor_low"})
        else:
            session.commit()
            flash(f"Rating scale {new_key} saved.", "success")
            return redirect(url_for("researcher.questionnaires_form", study_id=study.id))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("researcher/custom_scale_form.html", form=form, study=study,
                           key=key), status


@bp.route("/<int:study_id>/questionnaires/custom/<key>/delete", methods=["POST"])
def custom_scale_delete(study_id: int, key: str):
    """Remove a custom rating scale."""
    study = load_study(study_id, edit=True)
    _custom_scale(study, key)
    if ConfirmForm().validate_on_submit():
        back = url_for("researcher.questionnaires_form", study_id=study.id)
        page = confirmation_page(
            f"Remove the rating scale {key}?",
            "Participants will no longer be asked it. This cannot be undone; to get it back, "
            "add it again.", f"Remove {key}", back)
        if page is not None:
            return page
        session = db_session()
        try:
            editing.remove_custom_scale(session, study, key)
        except (StudyStateError, StudyDefinitionError) as exc:
            session.rollback()
            flash(f"Not removed: {exc}", "error")
        else:
            session.commit()
            flash(f"Removed rating scale {key}.", "success")
    return redirect(url_for("researcher.questionnaires_form", study_id=study.id))

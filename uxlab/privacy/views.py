"""Deleting a participant's data on request, from the study's pages (owner only)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField, TextAreaField
from wtforms.validators import DataRequired, Length

from uxlab.accounts.service import access_level
from uxlab.extensions import db_session
from uxlab.privacy.deletion import delete_participant as delete_participant_data
from uxlab.privacy.deletion import deletions_of, find_participant
from uxlab.researcher.blueprint import load_study

bp = Blueprint("privacy", __name__, url_prefix="/studies")


class DeleteParticipantForm(FlaskForm):
    reason = TextAreaField("Reason (kept in the deletion record; do not name the participant)",
                           validators=[Length(max=2000)])
    confirm = BooleanField("I understand that this participant's data cannot be brought back",
                           validators=[DataRequired("Tick the box to confirm.")])


@bp.before_request
@login_required
def require_login():
    """Every page here needs a logged-in user."""


def is_study_owner(study) -> bool:
    return current_user.is_authenticated and \
        access_level(db_session(), current_user, study) == "owner"


@bp.app_context_processor
def privacy_globals():
    return {"can_delete_participants": is_study_owner,
            "participant_deletions": lambda study: deletions_of(db_session(), study)}


@bp.route("/<int:study_id>/participants/<code>/delete", methods=["GET", "POST"])
def delete_participant(study_id: int, code: str):
    """Confirm, then delete everything recorded about one participant, leaving a tombstone."""
    study = load_study(study_id)
    if not is_study_owner(study):
        abort(403)
    session = db_session()
    participant = find_participant(session, study, code)
    if participant is None:
        abort(404)
    form = DeleteParticipantForm()
    if form.validate_on_submit():
        tombstone = delete_participant_data(session, participant, deleted_by=current_user,
                                            reason=form.reason.data or "")
        session.commit()
        flash(f"Participant {code}'s data is deleted. Deletion reference: {tombstone.reference}.",
              "success")
        return redirect(url_for("researcher.participants", study_id=study.id))
    return render_template("privacy/delete_participant.html", study=study,
                           participant=participant, form=form), 400 if form.errors else 200

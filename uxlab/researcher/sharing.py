"""Share links of a study's report: create, list and revoke them (editors only)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, StringField
from wtforms.validators import Length, Optional

from uxlab.extensions import db_session
from uxlab.researcher.blueprint import bp, confirmation_page, load_study
from uxlab.researcher.forms import ConfirmForm
from uxlab.sharing.service import (
    MAX_LABEL_LENGTH,
    create_share_link,
    link_status,
    revoke_share_link,
    share_links,
)


class ShareLinkForm(FlaskForm):
    label = StringField("Label", validators=[Optional(), Length(max=MAX_LABEL_LENGTH)],
                        description="Who the link is for, e.g. “product team”.")
    expires = DateField("Works until (optional)", validators=[Optional()],
                        description="The link stops working at the end of this day (UTC). "
                                    "Leave empty for a link that works until revoked.")

    def expires_at(self) -> datetime | None:
        if self.expires.data is None:
            return None
        return datetime.combine(self.expires.data + timedelta(days=1), time(), tzinfo=UTC)


@bp.route("/<int:study_id>/share", methods=["GET", "POST"])
def share(study_id: int):
    """List the study's share links and create a new one (its URL is shown only now)."""
    study = load_study(study_id, edit=True)
    session = db_session()
    form = ShareLinkForm()
    new_url = None
    if form.validate_on_submit():
        try:
            _link, token = create_share_link(session, study, label=form.label.data or "",
                                             expires_at=form.expires_at(),
                                             created_by=current_user)
        except ValueError as exc:
            session.rollback()
            form.expires.errors = [*form.expires.errors, str(exc)]
        else:
            session.commit()
            new_url = url_for("sharing.report", token=token, _external=True)
            form = ShareLinkForm(formdata=None)
    status = 400 if form.errors else 200
    response = render_template(
        "researcher/share.html", study=study, form=form, confirm=ConfirmForm(),
        links=share_links(session, study), status_of=link_status, new_url=new_url), status
    return response


@bp.route("/<int:study_id>/share/<int:link_id>/revoke", methods=["POST"])
def share_revoke(study_id: int, link_id: int):
    """Revoke a share link; it stops working at once."""
    study = load_study(study_id, edit=True)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    session = db_session()
    link = next((link for link in share_links(session, study) if link.id == link_id), None)
    if link is None:
        abort(404)
    page = confirmation_page(
        f"Revoke the share link{f' “{link.label}”' if link.label else ''}?",
        "Anyone who has it can no longer open the report, at once. This cannot be undone; "
        "you can create a new link.", "Revoke the link",
        url_for("researcher.share", study_id=study.id))
    if page is not None:
        return page
    try:
        link = revoke_share_link(session, study, link_id)
    except LookupError:
        abort(404)
    session.commit()
    flash(f"The share link{f' “{link.label}”' if link.label else ''} no longer works.",
          "success")
    return redirect(url_for("researcher.share", study_id=study.id), 303)

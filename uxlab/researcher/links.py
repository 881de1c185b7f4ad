"""Participant links (create, print, CSV) and sharing a study with other researchers.

A participant link's token lets anyone who has it take part and send data as that participant,
so only those who may change the study (owners and editors) see links, print them or download
them; viewers, observers and note-takers see the list of participants and their progress only.
"""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from uxlab.accounts.service import can_edit, grant_access, normalize_email
from uxlab.extensions import db_session
from uxlab.models import Participant, StudyMember, User
from uxlab.participants.links import create_participants, links_csv, participant_link
from uxlab.researcher.blueprint import bp, load_study
from uxlab.researcher.forms import AccessForm, ParticipantsForm


def _participants(study):
    return db_session().scalars(
        select(Participant).where(Participant.study_id == study.id).order_by(Participant.id)
    ).all()


@bp.route("/<int:study_id>/participants", methods=["GET", "POST"])
def participants(study_id: int):
    """List participant links and create new ones."""
    study = load_study(study_id, edit=request.method == "POST")
    editable = can_edit(db_session(), current_user, study)
    form = ParticipantsForm()
    created = []
    if form.validate_on_submit():
        session = db_session()
        try:
            created = create_participants(session, study, form.count.data, form.label.data or "")
        except ValueError as exc:
            session.rollback()
            form.form_errors.append(str(exc))
        else:
            session.commit()
            flash(f"Created {len(created)} participant link(s).", "success")
    status = 400 if form.errors or form.form_errors else 200
    return render_template(
        "researcher/participants.html", study=study, form=form, created={p.id for p in created},
        editable=editable,
        participants=_participants(study), link=lambda p: participant_link(request.host_url,
                                                                            p.token),
    ), status


@bp.route("/<int:study_id>/participants.csv")
def participants_csv(study_id: int):
    """Download every participant link as CSV (owners and editors only)."""
    study = load_study(study_id, edit=True)
    return Response(
        links_csv(_participants(study), request.host_url), mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{study.slug}-participants.csv"'},
    )


@bp.route("/<int:study_id>/participants/print")
def participants_print(study_id: int):
    """A printable list of participant links (owners and editors only)."""
    study = load_study(study_id, edit=True)
    return render_template(
        "researcher/participants_print.html", study=study, participants=_participants(study),
        link=lambda p: participant_link(request.host_url, p.token),
    )


ACCESS_WORDS = {"viewer": "view", "observer": "observer", "note_taker": "note-taker",
                "editor": "edit"}


@bp.route("/<int:study_id>/access", methods=["GET", "POST"])
def access(study_id: int):
    """Give another researcher access to the study."""
    study = load_study(study_id, edit=True)
    session = db_session()
    form = AccessForm()
    if form.validate_on_submit():
        user = session.scalar(select(User).where(User.email == normalize_email(form.email.data)))
        if user is None:
            form.email.errors.append("No account has this email; create it first "
                                     "(uxlab user create).")
        elif user.id == study.owner_id:
            form.email.errors.append("This is the study's owner.")
        else:
            grant_access(session, study, user, form.access.data)
            session.commit()
            flash(f"{user.email} now has {ACCESS_WORDS[form.access.data]} access to this "
                  "study.", "success")
            return redirect(url_for("researcher.access", study_id=study.id))
    members = session.execute(
        select(User, StudyMember.access).join(StudyMember, StudyMember.user_id == User.id)
        .where(StudyMember.study_id == study.id).order_by(User.email)
    ).all()
    status = 400 if form.errors else 200
    return render_template("researcher/access.html", study=study, form=form,
                           members=members), status

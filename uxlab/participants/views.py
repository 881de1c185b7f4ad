"""Participant pages: the link, the screener, consent, tasks, questionnaires, thanks.

``/run`` always shows the step the server holds the participant on; posts carry the step they
were made for, and a stale one (an old tab, the back button) is answered 409 and changes nothing.
"""

from __future__ import annotations

import uuid

from flask import (
    Blueprint,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from sqlalchemy import select

from uxlab.extensions import db_session
from uxlab.i18n import pages as language_pages
from uxlab.i18n.catalogue import selected_language
from uxlab.i18n.choice import LanguageError, choose_language
from uxlab.i18n.study_texts import StudyTexts
from uxlab.i18n.text import gettext as _
from uxlab.models import Participant, Study
from uxlab.moderation.sessions import live_notice
from uxlab.participants import errors, flow
from uxlab.participants.answers import AnswerError, field_name, parse_answers, store_answers
from uxlab.participants.idempotency import run_once
from uxlab.participants.instruments import instrument_for
from uxlab.participants.links import create_participants
from uxlab.participants.resume import last_page
from uxlab.participants.runner_config import task_page_config
from uxlab.privacy.consent import agreement, consent_digest, consent_statement
from uxlab.recording.auth import ingest_token
from uxlab.screening import panels
from uxlab.screening.answers import ScreenerAnswerError, field_for, parse_screener_form, screen
from uxlab.security_headers import allow_frames

bp = Blueprint("participant", __name__)


@bp.after_request
def private_headers(response):
    """Keep participant URLs out of Referer headers and caches."""
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


errors.register(bp)
language_pages.register(bp)


def _message(title: str, text: str, status: int):
    """A dead end: a plain sentence, and no "Continue the study" that would lead back here."""
    return errors.message_page(title, text, status)


def _not_running(study: Study):
    if study.status == "draft":
        return _message(_("Study not open yet"), _("This study has not started yet. Please try "
                                                    "your link again later."), 403)
    return _message(_("Study closed"), _("This study is closed. Thank you for your interest."),
                    410)


@bp.route("/p/<token>")
def enter(token: str):
    """Exchange a link token for the participant cookie, then drop the token from the URL."""
    participant = db_session().scalar(select(Participant).where(Participant.token == token))
    if participant is None:
        return _message(_("Link not found"), _("This link is not valid. Please check that you "
                                               "copied all of it."), 404)
    # The same link opened again (a second tab, a bookmark) keeps the session, and with it the
    # CSRF token of the pages already open: an older tab's form stays valid, and if it is out of
    # date the step check says so in a sentence, not with a CSRF error.
    if session.get("participant_id") != participant.id:
        session.clear()
        session["participant_id"] = participant.id
    session.permanent = True
    return redirect(url_for("participant.run"))


@bp.route("/s/<token>")
def recruit(token: str):
    """Open recruitment: each new visitor becomes a participant (with their panel id)."""
    db = db_session()
    study = db.scalar(select(Study).where(Study.recruitment_token == token))
    if study is None or not study.open_recruitment:
        return _message(_("Link not found"), _("This study link is not valid."), 404)
    language_pages.show_study_in_browser_language(study)
    if study.status != "running":
        return _not_running(study)
    known = session.get("participant_id")
    if known and db.scalar(select(Participant.id).where(Participant.id == known,
                                                        Participant.study_id == study.id)):
        return redirect(url_for("participant.run"))
    id_param = panels.id_param(study.panel or {}, study.panel_id_param)
    panel_id = (request.args.get(id_param) or "")[:200] or None if id_param else None
    if panel_id:
        # A panel member the screener or a full quota turned away gets the same answer again,
        # not a second go at the screener from another browser.
        turned_away = db.scalar(select(Participant.id).where(
            Participant.study_id == study.id, Participant.panel_id == panel_id,
            Participant.turned_away.is_not(None)).limit(1))
        if turned_away:
            session.clear()
            session["participant_id"] = turned_away
            return redirect(url_for("participant.run"))
    write = current_app.extensions["uxlab.db"].write_sessions()
    with write:
        participant = create_participants(write, write.get(Study, study.id), 1, "open link")[0]
        participant.panel_id = panel_id
        write.commit()
        session.clear()
        session["participant_id"] = participant.id
        session.permanent = True
    return redirect(url_for("participant.run"))


def _participant(for_update: bool = False) -> Participant:
    participant_id = session.get("participant_id")
    if participant_id is None:
        abort(403)
    # FOR UPDATE serializes one participant's concurrent posts on PostgreSQL (SQLite's writers
    # are serialized already), so a double click cannot advance the step twice.
    participant = db_session().get(Participant, participant_id, with_for_update=for_update)
    if participant is None:  # removed by the researcher since the link was opened
        session.clear()
        abort(make_response(_message(_("Link not found"), _("This link is no longer valid."),
                                     404)))
    language_pages.show_participant_pages(participant)
    return participant


@bp.route("/run")
def run():
    """Show the participant's current step."""
    participant = _participant()
    study = participant.study
    if participant.turned_away:
        return _turned_away(study, participant)
    step = flow.current_step(study, participant)
    if step.kind == "done":
        return _done(study, participant)
    if study.status != "running":
        return _not_running(study)
    context = _context(study, participant, step)
    if step.kind == "screener":
        return _screener_page(context, errors={})
    if step.kind == "consent":
        return render_template("participant/consent.html", **context,
                               consent_sha256=_consent_sha256(study, participant),
                               consent_agreement=agreement())
    number, total = flow.task_position(study, participant)
    context.update(task_number=number, task_total=total)
    if step.kind == "task":
        test_session = flow.active_session(participant)
        attempt = flow.attempt_for(db_session(), test_session, step)
        if attempt is None:
            return render_template("participant/task_intro.html", **context)
        config = task_page_config(study, participant, step, test_session, attempt,
                                  ingest_token(current_app, test_session.public_id),
                                  last_page(db_session(), attempt.id), context["texts"])
        allow_frames(config["prototype_origin"])
        return render_template("participant/task_run.html", config=config, **context)
    return _questionnaire_page(context, step, errors={}, values=_draft_answers(participant))


def _context(study: Study, participant: Participant, step: flow.Step) -> dict:
    return {"study": study, "participant": participant, "step": step,
            "step_number": participant.step, "idempotency_key": uuid.uuid4().hex,
            "texts": StudyTexts(study, selected_language())}


def _questionnaire_page(context, step, errors, values, status=200):
    instrument = instrument_for(step.questionnaire, context["texts"])
    fields = [(field_name(step.questionnaire, n), text)
              for n, text in enumerate(instrument.items, start=1)]
    # The language switcher's buttons send this form, so answers not yet sent are kept.
    return render_template("participant/questionnaire.html", instrument=instrument,
                           fields=fields, errors=errors, values=values, answers_form="answers",
                           **context), status


#: Where the answers of a questionnaire page wait while its participant switches language.
DRAFT_KEY = "answers_draft"


def _keep_draft_answers(participant: Participant) -> None:
    """Keep the current questionnaire's answers, sent with a language switch, for its page."""
    step = flow.current_step(participant.study, participant)
    if step.kind not in ("post_task", "post_study") or \
            request.form.get("step", type=int) != participant.step:
        return
    instrument = instrument_for(step.questionnaire)
    names = {field_name(step.questionnaire, n) for n in range(1, len(instrument.items) + 1)}
    values = {name: value for name, value in request.form.items()
              if name in names and value.isdigit() and len(value) <= 2}
    session[DRAFT_KEY] = {"step": participant.step, "values": values}


def _draft_answers(participant: Participant) -> dict:
    draft = session.get(DRAFT_KEY) or {}
    return draft.get("values", {}) if draft.get("step") == participant.step else {}


def _screener_page(context, errors, status=200):
    questions = [(q, field_for(q)) for q in context["study"].screener_questions]
    return render_template("participant/screener.html", questions=questions, errors=errors,
                           form=request.form, **context), status


def _panel_redirect(study, participant, outcome):
    # The panel's id came in a query string: quoted, it cannot change where this goes.
    return panels.redirect_for(study.panel or {}, study.completion_redirect_url, outcome,
                               participant.panel_id, participant.code)


def _done(study, participant):
    target = _panel_redirect(study, participant, "completion")
    if target:
        return redirect(target)
    return render_template("participant/done.html", study=study)


def _turned_away(study, participant):
    """The end of someone the screener or a full quota turned away (or their panel's URL)."""
    screened_out = participant.turned_away == "screened_out"
    target = _panel_redirect(study, participant, "screen_out" if screened_out else "over_quota")
    if target:
        return redirect(target)
    return render_template("participant/turned_away.html", study=study,
                           screened_out=screened_out,
                           texts=StudyTexts(study, selected_language()))


def _consent_sha256(study: Study, participant: Participant) -> str:
    """The digest of the consent page's text as this participant is shown it now (in the
    language of this page)."""
    texts = StudyTexts(study, selected_language())
    return consent_digest(consent_statement(texts.welcome, texts.consent,
                                            live_notice(flow.active_session(participant))))


@bp.route("/run/language", methods=["POST"])
def switch_language():
    """Show the study in another of its languages, on the same step, keeping unsent answers."""
    db = db_session()
    participant = _participant(for_update=True)
    try:
        choose_language(participant, request.form.get("language", ""))
    except LanguageError:
        db.rollback()
        return errors.status_page(400)
    _keep_draft_answers(participant)
    db.commit()
    return redirect(url_for("participant.run"), 303)


@bp.route("/run", methods=["POST"])
def submit():
    """Accept the current step's form (consent, start task, questionnaire answers)."""
    db = db_session()
    participant = _participant(for_update=True)
    study = participant.study
    if participant.turned_away:
        return redirect(url_for("participant.run"), 303)
    key = request.form.get("idempotency_key") or None

    def act():
        try:
            step_number = request.form.get("step", type=int)
            flow.check_step(participant, step_number)
            step = flow.current_step(study, participant)
            if step.kind == "screener":
                screen(study.screener_questions, participant,
                       parse_screener_form(study.screener_questions, request.form))
            elif step.kind == "consent":
                if request.form.get("agree") != "yes":
                    return 400, {"error": "consent", "field": "agree"}
                digest = _consent_sha256(study, participant)
                if request.form.get("consent_sha256", digest) != digest:
                    return 400, {"error": "consent", "field": "consent_sha256"}
                participant.language = selected_language()  # the language they consented in
                flow.consent(db, study, participant, step_number,
                             user_agent=request.headers.get("User-Agent"),
                             consent_text_sha256=digest, consent_language=participant.language)
            elif step.kind == "task":
                flow.start_task(db, study, participant, step_number)
            elif step.kind in ("post_task", "post_study"):
                values = parse_answers(step.questionnaire, request.form)
                test_session = flow.active_session(participant)
                attempt = flow.attempt_for(db, test_session, step) if step.task else None
                store_answers(db, test_session, step.questionnaire, values, attempt,
                              step.variant if step.kind == "post_study" else None)
                flow.advance(study, participant)
            else:
                raise flow.StaleStep("the study is finished")
        except (AnswerError, ScreenerAnswerError) as exc:
            return 400, {"error": "answers", "problems": exc.problems}
        except flow.StudyUnavailable:
            return 410, {"error": "study closed"}
        except flow.StaleStep as exc:
            return 409, {"error": "stale step", "message": str(exc)}
        return 200, {"redirect": url_for("participant.run")}

    status, body = run_once(db, participant.id, key, "run", act)
    if status == 200:
        db.commit()
        if DRAFT_KEY in session:
            del session[DRAFT_KEY]
        return redirect(body["redirect"], 303)
    db.rollback()
    if status in (409, 410):
        return errors.status_page(status)
    step = flow.current_step(study, participant)
    context = _context(study, participant, step)
    if body.get("error") == "consent":
        return render_template("participant/consent.html", consent_error=body["field"],
                               consent_sha256=_consent_sha256(study, participant),
                               consent_agreement=agreement(), **context), 400
    if step.kind == "screener":
        return _screener_page(context, errors=body.get("problems", {}), status=400)
    number, total = flow.task_position(study, participant)
    context.update(task_number=number, task_total=total)
    return _questionnaire_page(context, step, errors=body.get("problems", {}),
                               values=request.form, status=400)

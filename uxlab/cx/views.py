"""The CX pages: the board, journeys, imports, and API tokens and webhook sources."""

from __future__ import annotations

import io

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.utils import secure_filename
from wtforms import SelectChoice

from uxlab.accounts.service import accessible_studies
from uxlab.cx import credentials
from uxlab.cx.board import METRIC_LABELS, BoardError, build_board
from uxlab.cx.bridge import journey_key_drivers, study_ltr
from uxlab.cx.forms import (
    ImportForm,
    JourneyFileForm,
    JourneyForm,
    SourceForm,
    StageForm,
    TokenForm,
    TouchpointForm,
)
from uxlab.cx.importing import CxImportError, import_cx_csv, parse_qualtrics_map
from uxlab.cx.journey_files import (
    MAX_JOURNEY_FILE_BYTES,
    JourneyDefinitionError,
    parse_journeys_text,
    targets_from_text,
    targets_to_text,
)
from uxlab.cx.journeys import (
    Created,
    all_journeys,
    ensure_journey,
    ensure_stage,
    ensure_touchpoint,
    load_journeys,
)
from uxlab.cx.report import render_journey_report
from uxlab.cx.text_summary import figure_text, shown_value, trend_text
from uxlab.extensions import db_session
from uxlab.models import CxSource, JourneyStage, Study, Touchpoint
from uxlab.researcher.forms import ConfirmForm
from uxlab.stats import regression

PUBLISHED = {"intercept": regression.PUBLISHED_INTERCEPT, "slope": regression.PUBLISHED_SLOPE,
             "r": regression.PUBLISHED_R, "n": regression.PUBLISHED_N}

bp = Blueprint("cx", __name__, url_prefix="/cx")


@bp.before_request
@login_required
def require_login():
    """Every CX page needs a logged-in user; changing anything needs a researcher or admin."""
    if request.method not in ("GET", "HEAD") and current_user.role == "observer":
        abort(403)


@bp.app_context_processor
def cx_helpers():
    return {"cx_figure_text": figure_text, "cx_trend_text": trend_text,
            "cx_shown_value": shown_value,
            "cx_metric_labels": METRIC_LABELS}


@bp.route("/")
def board():
    """Show the CX board of a journey under the filters in the query."""
    session = db_session()
    error = None
    try:
        board = _board_of_query(session)
    except BoardError as exc:
        error = exc
        board = build_board(session, visible_study_ids=_visible_studies(session))
    return render_template("cx/board.html", board=board, error=error,
                           synthetic=_has_synthetic(session)), 400 if error else 200


@bp.route("/report.<any(html, pdf):fmt>")
def journey_report_download(fmt: str):
    """The board under the query's filters as a journey report (HTML or PDF)."""
    session = db_session()
    try:
        board = _board_of_query(session)
    except BoardError as exc:
        return render_template("error.html", code=400, name="Bad filter",
                               description=f"{exc.field}: {exc}"), 400
    if board.journey is None:
        abort(404)
    body, mimetype = render_journey_report(board, fmt, _has_synthetic(session))
    name = f"journey-{secure_filename(board.journey.name) or 'report'}.{fmt}"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _visible_studies(session) -> set[int]:
    return set(session.scalars(accessible_studies(current_user).with_only_columns(Study.id)))


def _board_of_query(session):
    """The board under the query's filters, its UX side limited to the user's studies."""
    args = request.args
    return build_board(session, args.get("journey") or None, args.get("period") or None,
                       args.get("compare_to") or None, args.get("granularity", "month"),
                       args.get("segment") or None, visible_study_ids=_visible_studies(session))


def _has_synthetic(session) -> bool:
    from uxlab.cx.demo_data import DEMO_SOURCE
    from uxlab.models import CxResponse

    return session.scalar(select(CxResponse.id).where(CxResponse.source == DEMO_SOURCE)
                          .limit(1)) is not None


@bp.route("/journeys", methods=["GET", "POST"])
def journeys():
    """List journeys with their stages and touchpoints; add a journey, stage or touchpoint."""
    session = db_session()
    all_of_them = all_journeys(session)
    forms = _journey_forms(all_of_them)
    action = request.form.get("action")
    status = 200
    if request.method == "POST":
        form = forms.get(action)
        if form is None:
            abort(400)
        if form.validate_on_submit():
            try:
                message = _apply(session, action, form)
            except JourneyDefinitionError as exc:
                session.rollback()
                _attach(form, exc)
            else:
                session.commit()
                flash(message, "success")
                return redirect(url_for("cx.journeys"), 303)
        status = 400
    return render_template("cx/journeys.html", journeys=all_of_them, forms=forms,
                           confirm=ConfirmForm(), targets_text=targets_to_text), status


def _journey_forms(journeys) -> dict:
    stage_form = StageForm(prefix="stage")
    stage_form.journey.choices = [SelectChoice(j.id, j.name) for j in journeys]
    touchpoint_form = TouchpointForm(prefix="touchpoint")
    touchpoint_form.stage.choices = [SelectChoice(s.id, f"{j.name} › {s.name}") for j in journeys
                                     for s in j.stages]
    return {"journey": JourneyForm(prefix="journey"), "stage": stage_form,
            "touchpoint": touchpoint_form, "file": JourneyFileForm(prefix="file")}


def _apply(session, action: str, form) -> str:
    created = Created()
    if action == "journey":
        journey = ensure_journey(session, form.name.data.strip(), created)
        journey.description = form.description.data or ""
        return f"Journey {journey.name} saved."
    if action == "stage":
        from uxlab.models import Journey

        journey = session.get(Journey, form.journey.data) or abort(400)
        stage = ensure_stage(session, journey, form.name.data.strip(), created)
        return f"Stage {stage.name} saved."
    if action == "touchpoint":
        stage = session.get(JourneyStage, form.stage.data) or abort(400)
        targets = targets_from_text(form.targets.data)
        touchpoint = ensure_touchpoint(session, stage.journey.name, stage.name,
                                       form.name.data.strip(), created)
        touchpoint.owner = form.owner.data or ""
        touchpoint.description = form.description.data or ""
        touchpoint.targets = targets
        return f"Touchpoint {touchpoint.name} saved."
    text = form.file.data.read(MAX_JOURNEY_FILE_BYTES + 1)
    if len(text) > MAX_JOURNEY_FILE_BYTES:
        raise JourneyDefinitionError([_problem("file", "a journey file is at most 1 MB")])
    try:
        decoded = text.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise JourneyDefinitionError([_problem("file", "not UTF-8 text")]) from None
    created = load_journeys(session, parse_journeys_text(decoded, form.file.data.filename))
    return "Journey file loaded" + (f"; created {', '.join(created.lines())}." if created
                                    else "; nothing new.")


def _problem(key, message):
    from uxlab.studies.problems import Problem

    return Problem(key, message)


def _attach(form, error: JourneyDefinitionError) -> None:
    for problem in error.problems:
        name = problem.key.split(".")[0].split("[")[0]
        if name in form._fields:
            form[name].errors = [*form[name].errors, str(problem)]
        else:
            form.form_errors.append(str(problem))


@bp.route("/touchpoints/<int:touchpoint_id>/delete", methods=["POST"])
def delete_touchpoint(touchpoint_id: int):
    """Delete a touchpoint with its CX data (tasks keep their results, losing the mapping)."""
    session = db_session()
    touchpoint = session.get(Touchpoint, touchpoint_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    name = touchpoint.name
    session.delete(touchpoint)
    session.commit()
    flash(f"Touchpoint {name} and its CX data deleted.", "success")
    return redirect(url_for("cx.journeys"), 303)


@bp.route("/import", methods=["GET", "POST"])
def import_page():
    """Upload a CSV of CX responses, aggregates or a Qualtrics export."""
    form = ImportForm()
    summary = None
    status = 200
    if form.validate_on_submit():
        session = db_session()
        try:
            mapping = parse_qualtrics_map([line.strip() for line in
                                           (form.mapping.data or "").splitlines()
                                           if line.strip()])
        except ValueError as exc:
            form.mapping.errors = [str(exc)]
        else:
            raw = form.file.data.read()
            try:
                text = raw.decode("utf-8-sig")
                summary = import_cx_csv(session, io.StringIO(text, newline=""),
                                        create=not form.no_create.data,
                                        default_source=(form.source.data or "import").strip(),
                                        qualtrics_map=mapping,
                                        segment_column=form.segment_column.data or None)
            except UnicodeDecodeError:
                session.rollback()
                form.file.errors = ["not UTF-8 text"]
            except CxImportError as exc:
                session.rollback()
                form.file.errors = str(exc).splitlines()
            else:
                session.commit()
    if form.errors:
        status = 400
    return render_template("cx/import.html", form=form, summary=summary), status


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    """API tokens for the feed and webhook sources; a new secret is shown only once."""
    session = db_session()
    token_form, source_form = TokenForm(prefix="token"), SourceForm(prefix="source")
    shown = None
    status = 200
    action = request.form.get("action")
    if action == "token" and token_form.validate_on_submit():
        try:
            row, token = credentials.create_api_token(session, token_form.name.data,
                                                      current_user)
        except credentials.CredentialError as exc:
            token_form.name.errors = [str(exc)]
        else:
            session.commit()
            shown = ("API token", row.name, token)
            token_form = TokenForm(prefix="token", formdata=None)
    elif action == "source" and source_form.validate_on_submit():
        try:
            source, secret = credentials.create_source(session, source_form.name.data,
                                                       source_form.kind.data)
        except credentials.CredentialError as exc:
            getattr(source_form, exc.field).errors = [str(exc)]
        else:
            session.commit()
            shown = ("Signing secret", source.name, secret)
            source_form = SourceForm(prefix="source", formdata=None)
    if request.method == "POST" and (token_form.errors or source_form.errors):
        status = 400
    sources = list(session.scalars(select(CxSource).order_by(CxSource.name)))
    return render_template("cx/settings.html", token_form=token_form, source_form=source_form,
                           tokens=credentials.api_tokens(session), sources=sources,
                           shown=shown, confirm=ConfirmForm()), status


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
def revoke_token(token_id: int):
    """Revoke an API token: the feed refuses it at once."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    session = db_session()
    try:
        row = credentials.revoke_api_token(session, token_id)
    except credentials.CredentialError:
        abort(404)
    session.commit()
    flash(f"API token {row.name} revoked.", "success")
    return redirect(url_for("cx.settings"), 303)


@bp.route("/drivers")
def drivers():
    """Key drivers of a journey's overall NPS among its touchpoints' ratings."""
    session = db_session()
    journeys_list = all_journeys(session)
    name = request.args.get("journey") or (journeys_list[0].name if journeys_list else None)
    journey = next((j for j in journeys_list if j.name == name), None)
    metric = request.args.get("metric", "csat")
    if metric not in ("nps", "csat", "ces") or (name and journey is None):
        abort(400)
    result = journey_key_drivers(session, journey, metric) if journey else None
    return render_template("cx/drivers.html", journeys=journeys_list, journey=journey,
                           metric=metric, drivers=result)


@bp.route("/studies/<int:study_id>/ltr")
def study_ltr_page(study_id: int):
    """The study's own SUS → likelihood-to-recommend line beside Sauro's, with a what-if."""
    session = db_session()
    study = session.scalar(accessible_studies(current_user).where(Study.id == study_id))
    if study is None:
        abort(404)
    fit = study_ltr(session, study)
    sus_text = request.args.get("sus", "80")
    what_if, error = None, None
    if not isinstance(fit, str):
        try:
            what_if = fit.predict(float(sus_text))
        except ValueError:
            error = f"SUS must be a number from 0 to 100, not {sus_text!r}"
    return render_template("cx/ltr.html", study=study, fit=fit, what_if=what_if, error=error,
                           sus=sus_text, published=PUBLISHED), 400 if error else 200

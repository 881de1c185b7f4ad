"""A study's results page, its report as a download, and the review of one session."""

from __future__ import annotations

import uuid

from flask import Response, abort, render_template, request
from flask_login import current_user

from uxlab.analysis.dataset import Filters
from uxlab.extensions import db_session
from uxlab.models.participants import SESSION_MODES
from uxlab.observations.permissions import can_edit_problems, outcome_correction_url
from uxlab.observations.problems import problems_of
from uxlab.observations.timeline import session_timeline
from uxlab.researcher.blueprint import bp, load_study
from uxlab.researcher.exports import filter_query, filters_from_args, range_redirect
from uxlab.results import build_results, find_session, formatting, session_review
from uxlab.results.charts import page_charts
from uxlab.results.report import ReportUnavailable, study_report


def page_filters(study) -> tuple[Filters, str | None, dict[str, list[str]]]:
    """The request's filters for ``study``: (filters, error, query to keep in links).

    A bad filter gives no filters, its message, and an empty query.
    """
    try:
        filters = filters_from_args(request.args)
        filters.check(study)
    except ValueError as exc:
        return Filters(), str(exc), {}
    return filters, None, filter_query(request.args)


@bp.route("/<int:study_id>/results")
def results(study_id: int):
    """Show the study's results under the filters of the query string."""
    study = load_study(study_id)
    if (moved := range_redirect("researcher.results", study.id, request.args)) is not None:
        return moved
    filters, error, query = page_filters(study)
    page = build_results(db_session(), study, filters, with_clicks=False)  # no map drawn here
    return render_template(
        "researcher/results.html", study=study, page=page, charts=page_charts(page),
        filter_error=error, query=query, modes=SESSION_MODES, fmt=formatting,
    ), 400 if error else 200


@bp.route("/<int:study_id>/report.<any(html, pdf, json):fmt>")
def report_download(study_id: int, fmt: str):
    """Download the study's report under the filters of the query string (as on the page)."""
    study = load_study(study_id)
    try:
        report = study_report(db_session(), study, filters_from_args(request.args), fmt)
    except ValueError as exc:
        abort(400, description=str(exc))
    except ReportUnavailable as exc:
        abort(404, description=str(exc))
    return Response(report.content, mimetype=report.mimetype, headers={
        "Content-Disposition": f'attachment; filename="{report.filename}"',
        "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})


@bp.route("/<int:study_id>/sessions/<uuid:public_id>")
def session_detail(study_id: int, public_id: uuid.UUID):
    """Review one session on its timeline (``?t=SECONDS`` marks a moment): tasks, events and
    notes, where notes can still be added; attempts, answers, event counts."""
    study = load_study(study_id)
    session = db_session()
    test_session = find_session(session, study, public_id)
    if test_session is None:
        abort(404)
    moment = request.args.get("t", "")
    moment = int(moment) if moment.isdigit() and len(moment) < 9 else None
    timeline = session_timeline(session, test_session, moment)
    moment = timeline.clamp(moment)
    return render_template(
        "researcher/session.html", study=study, fmt=formatting,
        review=session_review(session, study, test_session), timeline=timeline, moment=moment,
        problems=problems_of(session, study) if can_edit_problems(session, current_user, study)
        else None, correction_url=outcome_correction_url(session, current_user, study, test_session))

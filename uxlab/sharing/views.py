"""The public side of share links: ``GET /share/<token>`` shows one study's report, read-only.

No login: the token is the permission. The page is the study's full report
(:func:`uxlab.results.report.study_report` as HTML: self-contained, no links into the researcher
UI), built from the same results as the researcher's results page with its default filters
(excluded participants left out). Every response here says ``Referrer-Policy: no-referrer`` (the token is
in the URL and must not leak to another site through a Referer header), ``X-Robots-Tag:
noindex`` (a pasted link must not end up in a search engine) and ``Cache-Control: no-store`` (so
a revoked link does not live on in a cache). A revoked or expired link answers 410 with a sentence
saying so; an unknown token 404.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template

from uxlab.extensions import db_session
from uxlab.models import Study
from uxlab.results.report import ReportUnavailable, study_report
from uxlab.sharing.service import find_share_link, link_status

bp = Blueprint("sharing", __name__, url_prefix="/share")


@bp.after_request
def private_headers(response):
    """Keep share pages out of Referer headers, search engines and caches."""
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/<token>")
def report(token: str):
    """Show the report of the study this token opens (410 if expired or revoked, 404 unknown)."""
    session = db_session()
    link = find_share_link(session, token)
    if link is None:
        abort(404)
    status = link_status(link)
    if status != "active":
        return render_template("sharing/gone.html", status=status, link=link), 410
    study = session.get(Study, link.study_id)
    try:
        report = study_report(session, study, fmt="html")
    except ReportUnavailable:
        return render_template("sharing/no_results.html", study=study)
    return Response(report.content, mimetype=report.mimetype)

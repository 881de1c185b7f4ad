"""The public side of share links: ``GET /share/<token>`` shows one study's report, read-only.

No login: the token is the permission. The page shows only the study the token opens, never a
link into the researcher UI. Every response here says ``Referrer-Policy: no-referrer`` (the token
is in the URL, and must not leak to another site through a Referer header), ``X-Robots-Tag:
noindex`` (a pasted link must not end up in a search engine) and ``Cache-Control: no-store`` (so
a revoked link does not live on in a cache).
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from uxlab.analysis.dataset import analyze_dataset, build_dataset
from uxlab.analysis.tidy import TidyDataError
from uxlab.extensions import db_session
from uxlab.sharing.service import resolve_share_token
from uxlab.timeutil import utcnow

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
    """Show the report of the study this token opens (404 if unknown, expired or revoked)."""
    session = db_session()
    study = resolve_share_token(session, token)
    if study is None:
        abort(404)
    dataset = build_dataset(session, study)
    try:
        analysis = analyze_dataset(dataset)
    except TidyDataError:
        analysis = None  # no attempts recorded yet
    return render_template(
        "sharing/report.html", study=study, analysis=analysis, dataset=dataset,
        task_titles={t.key: t.title for t in study.tasks},
        variant_names={v.key: v.name for v in study.variants}, generated_at=utcnow())

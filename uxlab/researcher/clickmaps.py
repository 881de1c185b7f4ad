"""A study's click maps: per task, the first-click map and a click map per prototype page."""

from __future__ import annotations

from flask import render_template, request

from uxlab.analysis.dataset import Filters
from uxlab.extensions import db_session
from uxlab.researcher.blueprint import bp, load_study
from uxlab.researcher.exports import filters_from_args
from uxlab.results.clickmaps import click_map_sections


@bp.route("/<int:study_id>/results/clicks")
def click_maps(study_id: int):
    """Show the click maps of the study's attempts under the filters of the query string."""
    study = load_study(study_id)
    error = None
    try:
        filters = filters_from_args(request.args)
        filters.check(study)
    except ValueError as exc:
        error, filters = str(exc), Filters()
    query = {} if error else {key: values for key in request.args
                              if (values := [v for v in request.args.getlist(key) if v])}
    sections = click_map_sections(db_session(), study, filters)
    return render_template("researcher/click_maps.html", study=study, sections=sections,
                           filters=filters, filter_error=error, query=query), \
        400 if error else 200

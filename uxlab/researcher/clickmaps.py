"""A study's click maps: per task, the first-click map and a click map per prototype page."""

from __future__ import annotations

from flask import render_template

from uxlab.extensions import db_session
from uxlab.researcher.blueprint import bp, load_study
from uxlab.researcher.results import page_filters
from uxlab.results.clickmaps import click_map_sections


@bp.route("/<int:study_id>/results/clicks")
def click_maps(study_id: int):
    """Show the click maps of the study's attempts under the filters of the query string."""
    study = load_study(study_id)
    filters, error, query = page_filters(study)
    sections = click_map_sections(db_session(), study, filters)
    return render_template("researcher/click_maps.html", study=study, sections=sections,
                           filters=filters, filter_error=error, query=query), \
        400 if error else 200

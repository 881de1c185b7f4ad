"""A study's report under the results page's filters: the service behind ``uxlab report``.

The report of a study is the report of its results page: the same filtered rows, the same
analysis document and the same context (:func:`uxlab.results.context.report_context`), rendered
as HTML, PDF or JSON by :func:`uxlab.reports.files.report_file`. The CLI, the results page's
downloads and share links all call :func:`study_report`, so they give the same report for the
same filters.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from uxlab.analysis.dataset import Filters
from uxlab.cx.report import study_cx_touchpoints
from uxlab.models import Study
from uxlab.reports.files import ReportFile, check_format, report_file
from uxlab.results.context import report_context
from uxlab.results.page import build_results

if TYPE_CHECKING:
    from uxlab.reports.html import ChartDrawer


class ReportUnavailable(Exception):
    """The study has nothing to report under these filters (the message says why)."""


def study_report(session: Session, study: Study, filters: Filters | None = None,
                 fmt: str = "html", title: str | None = None,
                 draw_charts: ChartDrawer | None = None) -> ReportFile:
    """Render the report of ``study`` under ``filters`` as ``fmt`` (html, pdf or json).

    ``title`` replaces the study's title on the report (not in the database). ``draw_charts``
    draws the HTML report's charts (by default in this process; ``uxlab report`` hands them to a
    second process, :mod:`uxlab.cli.chart_worker`).

    Raises ValueError for a filter the study does not fit (e.g. an unknown variant) or an
    unknown format, and :class:`ReportUnavailable` when no attempts match the filters or the
    rows cannot be analysed.
    """
    check_format(fmt)  # before the work of the analysis
    page = build_results(session, study, filters)
    if page.analysis is None:
        raise ReportUnavailable(page.analysis_error or "there is nothing to analyse")
    context = dataclasses.replace(report_context(page),
                                  cx_touchpoints=study_cx_touchpoints(session, study))
    if title:
        context = dataclasses.replace(
            context, study=dataclasses.replace(context.study, title=title))
    name = "-".join((study.slug, f"v{study.version}", *page.filters.variants))
    return report_file(page.analysis, context, fmt, name=name, draw_charts=draw_charts)

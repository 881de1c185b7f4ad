"""The HTML report: one self-contained file, charts inline as SVG, CSS inline, no scripts.

The templates live in ``uxlab/templates/reports/`` and are rendered with a standalone Jinja2
environment (no Flask), so the CLI, the web app and tests produce the same file.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from uxlab.reports.chart_set import ReportCharts
from uxlab.reports.content import build_report
from uxlab.reports.context import ReportContext

#: Draws a report's charts as :class:`~uxlab.reports.chart_set.SvgChart` (in this process, or in
#: another: ``uxlab report``'s chart worker).
ChartDrawer = Callable[[dict, ReportContext], ReportCharts]


def render_html_report(analysis: dict, context: ReportContext | None = None,
                       draw_charts: ChartDrawer | None = None) -> str:
    """Render the report of an analysis document as one self-contained HTML page.

    Parameters
    ----------
    analysis : dict
        The analysis document (docs/analysis-json.md).
    context : ReportContext, optional
        Study, names, problems, clicks and versions; defaults render from the document alone.
    draw_charts : callable, optional
        Builds the charts as SVG; :func:`svg_charts` (in this process) by default. Any other
        must give what :func:`svg_charts` gives for the same input.

    Returns
    -------
    str
        An HTML5 document: title page, executive summary, tasks at a glance, one section per
        task, questionnaires, problems and the methods appendix. It references no external file
        (CSS inline, charts inline SVG with ``<title>``/``<desc>``) and needs no script; print
        CSS starts each major section on a new page.
    """
    context = context or ReportContext()
    charts = (draw_charts or svg_charts)(analysis, context)
    report = build_report(analysis, context, charts)
    svgs = {chart.key: Markup(chart.svg) for chart in charts.all()}
    template = _environment().get_template("reports/report.html")
    return template.render(report=report, svgs=svgs,
                           uxlab_version=context.versions.uxlab or "unknown")


def svg_charts(analysis: dict, context: ReportContext) -> ReportCharts:
    """Draw the report's charts in this process and render them as inline SVG."""
    from uxlab.reports.charts import Chart, report_charts  # matplotlib: only when drawing here

    return report_charts(analysis, context, Chart.svg_chart)


@lru_cache(maxsize=1)
def _environment() -> Environment:
    environment = Environment(loader=PackageLoader("uxlab", "templates"),
                              autoescape=select_autoescape(["html"]),
                              undefined=StrictUndefined, trim_blocks=False,
                              lstrip_blocks=False)
    environment.filters["block_kind"] = lambda block: type(block).__name__.lower()
    return environment


def render_report_blocks(report, uxlab_version: str = "") -> str:
    """Render an already built :class:`uxlab.reports.blocks.Report` without charts as HTML.

    For reports assembled elsewhere from the same blocks (the CX journey report), so that they
    share the study report's layout, stylesheet and accessibility.
    """
    template = _environment().get_template("reports/report.html")
    return template.render(report=report, svgs={}, uxlab_version=uxlab_version or "unknown")

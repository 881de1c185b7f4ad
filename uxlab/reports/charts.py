"""The report's charts: build every chart an analysis document and its context call for.

Each chart function takes the analysis document (docs/analysis-json.md) and a
:class:`~uxlab.reports.context.ReportContext` and returns a :class:`Chart` (or ``None`` when there
is nothing to draw); ``Chart.svg()`` gives inline SVG text with ``<title>``/``<desc>``,
``Chart.png()`` PNG bytes, and ``Chart.alt`` the text alternative. Every estimate is drawn with its
interval (see :mod:`uxlab.reports.charts_common`).
"""

from __future__ import annotations

from uxlab.reports.chart_set import ReportCharts
from uxlab.reports.charts_clicks import click_charts, click_map
from uxlab.reports.charts_common import Chart
from uxlab.reports.charts_problems import discovery_chart, problem_chart
from uxlab.reports.charts_questionnaires import nps_chart, sus_chart
from uxlab.reports.charts_tasks import completion_chart, seq_chart, time_chart
from uxlab.reports.context import ReportContext
from uxlab.reports.style import render

__all__ = ["Chart", "ReportCharts", "report_charts", "svg_charts", "render", "completion_chart",
           "time_chart", "seq_chart", "sus_chart", "nps_chart", "problem_chart", "discovery_chart",
           "click_charts", "click_map"]


def report_charts(analysis: dict, context: ReportContext) -> ReportCharts:
    """Build every chart of a report (charts without data are left out)."""
    variants = list(analysis.get("variants", {}))
    present = lambda *charts: tuple(c for c in charts if c is not None)  # noqa: E731
    return ReportCharts(
        tasks=present(completion_chart(analysis, context), time_chart(analysis, context),
                      seq_chart(analysis, context)),
        task_clicks={task: tuple(click_charts(context, task, variants))
                     for task in context.task_order(analysis)},
        questionnaires=present(sus_chart(analysis, context), nps_chart(analysis, context)),
        problems=present(problem_chart(context, analysis.get("confidence", 0.95)),
                         discovery_chart(context)),
    )


def svg_charts(analysis: dict, context: ReportContext) -> ReportCharts:
    """Build every chart of a report and render it as the HTML report's inline SVG."""
    return report_charts(analysis, context).map(Chart.svg_chart)

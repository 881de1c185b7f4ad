"""The results page's charts, drawn by the report charts (:mod:`uxlab.reports.charts`).

The page embeds the same SVG charts as the exported report: completion, task time and SEQ per
task and variant, SUS against the grade bands, and the NPS composition, each estimate with its
interval. Charts without data are left out.
"""

from __future__ import annotations

from dataclasses import replace

from uxlab.reports.chart_set import SvgChart
from uxlab.reports.charts import completion_chart, nps_chart, seq_chart, sus_chart, time_chart
from uxlab.results.context import report_context
from uxlab.results.page import ResultsPage

#: The page's charts, in the order they appear, with the section each belongs to.
PAGE_CHARTS = (("tasks", completion_chart), ("tasks", time_chart), ("tasks", seq_chart),
               ("questionnaires", sus_chart), ("questionnaires", nps_chart))


def page_charts(page: ResultsPage) -> tuple[SvgChart, ...]:
    """Draw the charts of ``page`` (none without an analysis)."""
    if page.analysis is None:
        return ()
    context = report_context(page)
    charts = []
    for section, draw in PAGE_CHARTS:
        chart = draw(page.analysis, context)
        if chart is not None:
            charts.append(replace(chart.svg_chart(f"results-{chart.key}"), section=section))
    return tuple(charts)

"""The report's charts: build every chart an analysis document and its context call for.

Each chart function takes the analysis document (docs/analysis-json.md) and a
:class:`~uxlab.reports.context.ReportContext` and returns a :class:`Chart` (or ``None`` when there
is nothing to draw); ``Chart.svg()`` gives inline SVG text with ``<title>``/``<desc>``,
``Chart.png()`` PNG bytes, and ``Chart.alt`` the text alternative. Every estimate is drawn with its
interval (see :mod:`uxlab.reports.charts_common`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import Any

from uxlab.reports.chart_set import ReportCharts
from uxlab.reports.charts_clicks import click_charts, click_map
from uxlab.reports.charts_common import Chart
from uxlab.reports.charts_problems import discovery_chart, problem_chart
from uxlab.reports.charts_questionnaires import nps_chart, sus_chart
from uxlab.reports.charts_tasks import completion_chart, seq_chart, time_chart
from uxlab.reports.context import ReportContext
from uxlab.reports.style import render

__all__ = ["Chart", "ReportCharts", "report_charts", "render", "completion_chart",
           "time_chart", "seq_chart", "sus_chart", "nps_chart", "problem_chart", "discovery_chart",
           "click_charts", "click_map", "chart_jobs", "draw_jobs", "assemble_charts"]


#: A chart to draw: the section of :class:`ReportCharts` it goes to (for ``task_clicks`` the task
#: too) and the drawing, which gives a chart, a list of charts or ``None`` (nothing to draw).
ChartJob = tuple[str, str | None, Callable[[], "Chart | list[Chart] | None"]]


def chart_jobs(analysis: dict, context: ReportContext) -> list[ChartJob]:
    """Every chart of a report as a job to draw, in report order (the costliest first).

    The list is the same in every process for the same input, so the jobs can be shared out by
    their numbers (``uxlab report`` draws them in two processes) and put together again.
    """
    variants = list(analysis.get("variants", {}))
    return [
        ("tasks", None, partial(completion_chart, analysis, context)),
        ("tasks", None, partial(time_chart, analysis, context)),
        ("tasks", None, partial(seq_chart, analysis, context)),
        *(("task_clicks", task, partial(click_charts, context, task, variants))
          for task in context.task_order(analysis)),
        ("questionnaires", None, partial(sus_chart, analysis, context)),
        ("questionnaires", None, partial(nps_chart, analysis, context)),
        ("problems", None, partial(problem_chart, context, analysis.get("confidence", 0.95))),
        ("problems", None, partial(discovery_chart, context)),
    ]


def draw_jobs(jobs: list[ChartJob], numbers: Iterable[int],
              convert: Callable[[Chart], Any] | None = None) -> dict[int, tuple]:
    """Draw the jobs numbered ``numbers``: job number → its charts, each through ``convert``."""
    drawn = {}
    for number in numbers:
        result = jobs[number][2]()
        charts = result if isinstance(result, list) else [] if result is None else [result]
        drawn[number] = tuple(convert(chart) if convert else chart for chart in charts)
    return drawn


def assemble_charts(jobs: list[ChartJob], drawn: Mapping[int, tuple]) -> ReportCharts:
    """Put the charts drawn for every job (``drawn``, by job number) in their places."""
    sections: dict[str, list] = {"tasks": [], "questionnaires": [], "problems": []}
    task_clicks = {}
    for number, (section, task, _) in enumerate(jobs):
        if section == "task_clicks":
            task_clicks[task] = drawn[number]
        else:
            sections[section] += drawn[number]
    return ReportCharts(tasks=tuple(sections["tasks"]), task_clicks=task_clicks,
                        questionnaires=tuple(sections["questionnaires"]),
                        problems=tuple(sections["problems"]))


def report_charts(analysis: dict, context: ReportContext,
                  convert: Callable[[Chart], Any] | None = None) -> ReportCharts:
    """Build every chart of a report (charts without data are left out), each through
    ``convert`` if given (``Chart.svg_chart``: the HTML report's inline SVG)."""
    jobs = chart_jobs(analysis, context)
    return assemble_charts(jobs, draw_jobs(jobs, range(len(jobs)), convert))

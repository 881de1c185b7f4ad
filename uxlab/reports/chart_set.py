"""The charts of one report, and a chart rendered as SVG: plain data, no matplotlib.

The report's content (:mod:`uxlab.reports.content`) and the HTML template only need each chart's
key, title, text alternative and, for the HTML, its SVG text. Keeping those types here, apart from
the drawing code, lets the HTML report be assembled in a process that never imports matplotlib
while its charts are drawn in another (``uxlab report``, :mod:`uxlab.cli.chart_worker`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, kw_only=True)
class ChartFacts:
    """What a chart shows and counts, whatever form it is in.

    ``estimates`` counts the point estimates drawn, ``intervals`` their interval bars and
    ``without_interval`` the estimates the analysis gave no interval for (labelled on the chart).
    """

    key: str
    title: str
    alt: str
    section: str = "tasks"
    estimates: int = 0
    intervals: int = 0
    without_interval: int = 0


@dataclass(frozen=True, kw_only=True)
class SvgChart(ChartFacts):
    """A chart as a page embeds it: accessible inline SVG, as plain data (no matplotlib).

    ``svg`` already has its ids prefixed and its ``<title>``/``<desc>`` (see
    :meth:`uxlab.reports.charts_common.Chart.svg_chart`).
    """

    svg: str = field(repr=False)


@dataclass(frozen=True)
class ReportCharts:
    """The charts of one report, by the section they belong to.

    The entries are :class:`uxlab.reports.charts_common.Chart` (matplotlib figures, for the PDF)
    or :class:`SvgChart` (rendered, for the HTML).
    """

    tasks: tuple[Any, ...] = ()
    task_clicks: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    questionnaires: tuple[Any, ...] = ()
    problems: tuple[Any, ...] = ()

    def all(self) -> list:
        clicks = [chart for charts in self.task_clicks.values() for chart in charts]
        return [*self.tasks, *clicks, *self.questionnaires, *self.problems]

    def map(self, convert: Callable[[Any], Any]) -> ReportCharts:
        """The same charts, in the same places, each passed through ``convert``."""
        return ReportCharts(
            tasks=tuple(map(convert, self.tasks)),
            task_clicks={task: tuple(map(convert, charts))
                         for task, charts in self.task_clicks.items()},
            questionnaires=tuple(map(convert, self.questionnaires)),
            problems=tuple(map(convert, self.problems)))

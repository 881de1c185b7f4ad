"""The click-map page's content: per task, first-click maps and per-page click maps as SVG.

Drawn by the report's chart functions (:mod:`uxlab.reports.charts_clicks`,
:mod:`uxlab.reports.charts_navigation`) from the clicks of the attempts the filters keep, so the
page and an exported report show the same maps.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from uxlab.analysis.dataset import Filters
from uxlab.models import Study
from uxlab.reports.chart_set import SvgChart
from uxlab.reports.charts_clicks import click_charts
from uxlab.reports.charts_navigation import first_click_charts
from uxlab.reports.context import ReportContext
from uxlab.results.navigation import task_clicks


@dataclass(frozen=True)
class TaskClickMaps:
    """One task's maps: first clicks per variant, then every page's clicks per variant."""

    task: str
    title: str
    first_clicks: tuple[SvgChart, ...]
    pages: tuple[SvgChart, ...]


def click_map_sections(session: Session, study: Study, filters: Filters
                       ) -> tuple[TaskClickMaps, ...]:
    """The click maps of every task of ``study`` that has clicks under ``filters``."""
    clicks = task_clicks(session, study, filters)
    context = ReportContext(variant_names={v.key: v.name for v in study.variants},
                            task_titles={t.key: t.title for t in study.tasks}, clicks=clicks)
    variants = [v.key for v in study.variants]
    sections = []
    for task in study.tasks:
        if not any(context.clicks_for(task.key, v) for v in variants):
            continue
        sections.append(TaskClickMaps(
            task=task.key, title=task.title,
            first_clicks=tuple(_page_chart(c) for c in first_click_charts(context, task.key,
                                                                          variants)),
            pages=tuple(_page_chart(c) for c in click_charts(context, task.key, variants))))
    return tuple(sections)


def _page_chart(chart) -> SvgChart:
    return replace(chart.svg_chart(f"clickmap-{chart.key}"), section="clicks")

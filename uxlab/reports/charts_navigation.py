"""First-click maps: where each task's participants clicked first, per variant.

The first click predicts success (Bailey & Wolfson 2005, in Sauro & Lewis's and Tullis &
Albert's accounts of first-click testing), so each task gets its own map of first clicks, drawn
with the click map of :mod:`uxlab.reports.charts_clicks` on the page where most first clicks
happened (normally the task's start page).
"""

from __future__ import annotations

from collections import Counter

from uxlab.reports.charts_clicks import _slug, click_map
from uxlab.reports.charts_common import Chart
from uxlab.reports.context import ReportContext


def first_click_charts(context: ReportContext, task: str, variants: list[str]) -> list[Chart]:
    """One first-click map per variant of ``task`` that has first clicks."""
    charts = []
    for variant in variants:
        firsts = [c for c in context.clicks_for(task, variant) if c.first]
        if not firsts:
            continue
        page, _ = Counter(c.page for c in firsts).most_common(1)[0]
        on_page = [c for c in firsts if c.page == page]
        elsewhere = len(firsts) - len(on_page)
        title = (f"First clicks on {page}: {context.task_title(task)}, variant "
                 f"{context.variant_label(variant)}"
                 + (f" ({elsewhere} first clicks on other pages not shown)" if elsewhere else ""))
        charts.append(click_map(context, task, variant, page, on_page, title=title,
                                key=f"first-clicks-{_slug(task)}-{_slug(variant)}"))
    return charts

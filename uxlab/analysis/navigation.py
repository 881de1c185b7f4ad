"""Navigation metrics of one task: direct success, first-click success and lostness per variant.

These come from the optional navigation columns of the tidy attempts (``direct``,
``first_click``, ``lostness``, docs/exports.md). A task gets a metric only when at least one of
its attempts has a value for it (a task without an optimal path has none), so a table without
the columns gives the same document as before. Direct and first-click success are rates, with
the adjusted-Wald interval and the completion rate's comparisons (see
:mod:`uxlab.analysis.task_comparisons`); lostness is a mean with a t-interval truncated to the
measure's range.
"""

from __future__ import annotations

import numpy as np

from uxlab.analysis.document import add_note, scale_interval, unavailable
from uxlab.analysis.grouping import Cell
from uxlab.stats import counts as count_stats
from uxlab.stats import proportions

#: The rate metrics (compared like completion) and the column each is read from.
RATE_METRICS = ("direct", "first_click")
LOSTNESS_METHOD = "t-interval, truncated to 0–√2"


def navigation_metrics(cells: dict[str, Cell]) -> tuple[str, ...]:
    """The navigation metrics a task has values for, in document order."""
    return tuple(metric for metric in (*RATE_METRICS, "lostness")
                 if any(np.any(~np.isnan(getattr(cell, metric))) for cell in cells.values()))


def navigation_summary(cell: Cell, metrics: tuple[str, ...], confidence: float) -> dict:
    """The navigation entries of one variant's task summary (only the task's ``metrics``)."""
    summary = {}
    for metric in metrics:
        values = getattr(cell, metric)
        values = values[~np.isnan(values)]
        summary[metric] = (_lostness(values, confidence) if metric == "lostness"
                           else _rate(values, confidence, metric))
    return summary


def _rate(values: np.ndarray, confidence: float, metric: str) -> dict:
    """Share of 1s with its adjusted-Wald interval (Sauro & Lewis ch. 3)."""
    n, successes = int(values.size), int(values.sum())
    if n == 0:
        return unavailable("no attempts with a value", "estimate", "low", "high",
                           n=0, successes=0, method="adjusted-wald")
    estimate = proportions.completion_interval(successes, n, confidence)
    summary = scale_interval({"estimate": estimate.estimate}, metric, estimate.low,
                             estimate.high)
    summary.update(n=n, successes=successes, method=estimate.method)
    return summary


def _lostness(values: np.ndarray, confidence: float) -> dict:
    """Mean lostness with a t-interval truncated to [0, √2], the range lostness can take.

    Lostness means are bounded and, at usability sample sizes, close enough to normal for the
    t-interval of a mean (Sauro & Lewis ch. 3); bounds beyond the range are truncated (and the
    entry says so), or the interval withheld when it says nothing the range does not, as every
    interval of the document is (:func:`uxlab.analysis.document.scale_interval`).
    """
    if values.size < 2:
        return unavailable("fewer than 2 values" if values.size else "no values",
                           "mean", "low", "high", n=int(values.size), method=LOSTNESS_METHOD,
                           **({"mean": float(values[0])} if values.size else {}))
    estimate = count_stats.mean_interval(values, confidence)
    summary = scale_interval({"mean": estimate.estimate}, "lostness", estimate.low,
                             estimate.high)
    summary.update(n=int(values.size), method=LOSTNESS_METHOD)
    if summary.get("low_untruncated") is not None and not summary.get("interval_withheld"):
        add_note(summary, "the interval is truncated to the range of lostness (0 to √2)")
    if estimate.low == estimate.high:
        add_note(summary, "all values are equal")
    return summary

"""The ``tasks`` part of an analysis: per-variant summaries and comparisons of each task."""

from __future__ import annotations

from uxlab.analysis.grouping import Grouped
from uxlab.analysis.task_comparisons import TaskComparisons
from uxlab.analysis.task_summaries import TaskSummaries


def task_results(grouped: Grouped, *, design: str, confidence: float, times: str, adjust: str,
                 benchmarks: dict) -> list[dict]:
    """One entry per task: ``{"task", "variants", "comparisons"}``."""
    results = []
    for task in grouped.tasks:
        cells = {v: grouped.cell(task, v) for v in grouped.variants}
        context = (task, cells, design, confidence, times, adjust, benchmarks)
        results.append({"task": task, "variants": TaskSummaries(*context).summaries(),
                        "comparisons": TaskComparisons(*context).comparisons()})
    return results

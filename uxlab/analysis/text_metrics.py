"""Text-report sections for navigation, benchmarks and the Single Usability Metric.

Kept apart from :mod:`uxlab.analysis.text_report` (the tables of completion, time, counts and
questionnaires), which calls these to add: per task, direct and first-click success and lostness
with their intervals; every benchmark test's sentence; and one SUM per variant.
"""

from __future__ import annotations

import textwrap

_WIDTH = 100
_NAVIGATION_TITLES = {"direct": "direct success", "first_click": "first-click success",
                      "lostness": "mean lostness"}


def navigation_table(task: dict, level: str, table, interval, pct, decimals) -> list[str]:
    """Rows of direct / first-click success and lostness per variant (none without values)."""
    metrics = [m for m in ("direct", "first_click", "lostness")
               if any(m in v for v in task["variants"].values())]
    if not metrics:
        return []
    header = ["variant", *(f"{_NAVIGATION_TITLES[m]} ({level} CI)" for m in metrics)]
    rows = []
    for name, summary in task["variants"].items():
        row = [name]
        for metric in metrics:
            row.append(interval(summary.get(metric, {}),
                                "mean" if metric == "lostness" else "estimate",
                                decimals if metric == "lostness" else pct))
        rows.append(row)
    return ["", *table(header, rows)]


def benchmark_lines(summaries: dict, keys: tuple[str, ...]) -> list[str]:
    """The sentence of every benchmark test in ``summaries`` (variant → summary)."""
    sentences = []
    for summary in summaries.values():
        for key in keys:
            entry = summary.get(key) if key else summary
            benchmark = (entry or {}).get("benchmark")
            if benchmark and benchmark.get("interpretation"):
                sentences.append(benchmark["interpretation"])
            elif benchmark and benchmark.get("note"):
                sentences.append(f"Benchmark not tested: {benchmark['note']}.")
    return _bullets("Benchmarks", sentences)


def usability_metric_lines(document: dict, level: str, table, interval, pct) -> list[str]:
    """The Single Usability Metric section: one row per variant with its components."""
    result = document.get("usability_metric")
    if not result or not result.get("variants"):
        return []
    header = ["variant", "participants", f"SUM ({level} CI)", "completion", "time",
              "satisfaction"]
    rows = []
    for name, entry in result["variants"].items():
        parts = entry.get("components") or {}
        rows.append([name, str(entry.get("n", 0)),
                     interval(entry, "score", pct),
                     *("–" if parts.get(c) is None else pct(parts[c])
                       for c in ("completion", "time", "satisfaction"))])
    lines = ["", "Single Usability Metric (Sauro & Kindlund 2005; 0–100%)", "",
             *(f"    {line}" for line in table(header, rows))]
    if result.get("note"):
        lines.append(f"    Note: {result['note']}.")
    return lines


def _bullets(title: str, sentences: list[str]) -> list[str]:
    if not sentences:
        return []
    lines = ["", f"  {title}:"]
    for sentence in sentences:
        lines += textwrap.wrap(sentence, width=_WIDTH, initial_indent="  - ",
                               subsequent_indent="    ")
    return lines

"""Report content of navigation and the Single Usability Metric.

Per task: direct and first-click success and lostness by variant and the most common paths (the
click maps, whose right panels map the first clicks, follow in the task's "Clicks" blocks); and a
section with one SUM per variant. The task blocks of
:mod:`uxlab.reports.content_results` and the section list of :mod:`uxlab.reports.content`
call these.
"""

from __future__ import annotations

from uxlab.reports import formatting as fmt
from uxlab.reports.blocks import Block, Heading, Paragraph, Section, Table
from uxlab.reports.context import ReportContext

_NAVIGATION = (("direct", "Direct success", "estimate", fmt.percent),
               ("first_click", "First-click success", "estimate", fmt.percent),
               ("lostness", "Lostness", "mean", fmt.decimal))


def navigation_blocks(task: dict, analysis: dict, context: ReportContext) -> list[Block]:
    """Navigation table, most common paths and first-click maps of one task (those it has)."""
    level = fmt.confidence_label(analysis["confidence"])
    title = context.task_title(task["task"])
    blocks: list[Block] = []
    shown = [m for m in _NAVIGATION if any(m[0] in v for v in task["variants"].values())]
    if shown:
        rows = tuple((context.variant_label(variant),
                      *(fmt.interval(v.get(key, {}).get(value), v.get(key, {}).get("low"),
                                     v.get(key, {}).get("high"), text)
                        for key, _, value, text in shown))
                     for variant, v in task["variants"].items())
        blocks += [Heading("Navigation"), Table(
            f"Navigation by variant: {title} ({level} confidence intervals; adjusted-Wald for "
            f"the rates, t-interval truncated to 0–√2 for lostness)",
            ("Variant", *(label for _, label, _, _ in shown)), rows,
            numeric=(False, *(True for _ in shown)))]
        blocks.append(Paragraph(
            "Direct success: reached the goal on the optimal path. First-click success: the "
            "first move went where the optimal path goes. Lostness (Smith 1996): 0 is a "
            "navigation without detours or revisits; above about 0.4 participants look lost.",
            "note"))
    paths = context.paths_for(task["task"])
    if paths:
        blocks.append(Heading("Most common paths"))
    for entry in paths:
        rows = tuple((path.label, str(path.count), fmt.percent(entry.share(path)))
                     for path in entry.paths)
        if entry.others:
            rows += (("Other paths", str(entry.others), fmt.percent(entry.others /
                                                                   entry.attempts)),)
        blocks.append(Table(
            f"Most common paths: {title}, variant {context.variant_label(entry.variant)} "
            f"({entry.attempts} attempts with a recorded path; reloads collapsed)",
            ("Pages visited", "Attempts", "Share"), rows, numeric=(False, True, True),
            widths=(4.6, 0.9, 0.9)))
    return blocks


def usability_metric_section(analysis: dict, context: ReportContext) -> Section | None:
    """The Single Usability Metric per variant, with its components (None without one)."""
    result = analysis.get("usability_metric")
    if not result or not result.get("variants"):
        return None
    level = fmt.confidence_label(analysis["confidence"])
    rows = []
    for variant, entry in result["variants"].items():
        parts = entry.get("components") or {}
        rows.append((context.variant_label(variant), str(entry.get("n", 0)),
                     fmt.interval(entry.get("score"), entry.get("low"), entry.get("high"),
                                  fmt.percent),
                     *(fmt.percent(parts.get(c)) for c in ("completion", "time",
                                                            "satisfaction"))))
    targets = result.get("time_targets") or {}
    blocks: list[Block] = [
        Paragraph(
            "The Single Usability Metric (Sauro & Kindlund 2005) puts completion, time and "
            "satisfaction on one 0–100% scale: each attempt's completion (1 or 0), its time "
            "against the task's time target and its SEQ rating against "
            f"{result.get('satisfaction_spec', 5.5):g} are standardized (the share of a normal "
            "distribution meeting the target) and averaged; a variant's SUM is the mean over "
            f"its participants, with a {level} t-interval truncated to 0–100%."),
        Table(f"Single Usability Metric by variant ({level} confidence intervals)",
              ("Variant", "Participants", "SUM", "Completion", "Time", "Satisfaction"),
              tuple(rows), numeric=(False, True, True, True, True, True)),
    ]
    if targets:
        blocks.append(Paragraph("Time targets: " + ", ".join(
            f"{context.task_title(task)} {fmt.seconds(seconds)}"
            for task, seconds in targets.items()) + ".", "note"))
    if result.get("note"):
        blocks.append(Paragraph(f"Note: {result['note']}.", "note"))
    return Section("usability-metric", "Single Usability Metric", tuple(blocks))

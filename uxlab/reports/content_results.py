"""Report content of the results: one section per task, and the questionnaires section."""

from __future__ import annotations

from typing import TYPE_CHECKING

from uxlab.reports import formatting as fmt
from uxlab.reports.blocks import Block, Figure, Heading, Items, Paragraph, Table
from uxlab.reports.content_navigation import navigation_blocks
from uxlab.reports.context import ReportContext

if TYPE_CHECKING:
    from uxlab.reports.chart_set import SvgChart
    from uxlab.reports.charts_common import Chart

METRIC_NAMES = {"completion": "Completion", "time": "Time", "errors": "Errors",
                "clicks": "Clicks", "seq": "SEQ", "sus": "SUS", "umux_lite": "UMUX-Lite",
                "nps": "NPS", "csat": "CSAT", "ces": "CES", "direct": "Direct success",
                "first_click": "First-click success"}
INSTRUMENT_TITLES = {"sus": "System Usability Scale (SUS)", "umux_lite": "UMUX-Lite",
                     "nps": "Net Promoter Score (NPS)",
                     "csat": "Customer satisfaction (CSAT, top-two-box)",
                     "ces": "Customer Effort Score (CES)"}
_BENCHMARK_METRICS = (("completion", "Completion"), ("time", "Time"), ("seq", "SEQ"))


def task_blocks(task: dict, analysis: dict, context: ReportContext,
                clicks: tuple[Chart | SvgChart, ...]) -> list[Block]:
    """The blocks of one task's section: results table, benchmarks, comparisons, click maps."""
    level = fmt.confidence_label(analysis["confidence"])
    title = context.task_title(task["task"])
    blocks: list[Block] = []
    if title != task["task"]:
        blocks.append(Paragraph(f"Task key: {task['task']}.", "note"))
    blocks.append(_task_table(task, context, level, title))
    notes = _task_notes(task, context)
    if notes:
        blocks.append(Items(tuple(("", note) for note in notes)))
    usability = _usability_metric_table(task, context, title)
    if usability:
        blocks.append(usability)
    blocks += navigation_blocks(task, analysis, context)
    benchmarks = [(label, summary[metric]["benchmark"]["interpretation"])
                  for summary in task["variants"].values()
                  for metric, label in _BENCHMARK_METRICS
                  if summary.get(metric, {}).get("benchmark")]
    if benchmarks:
        blocks += [Heading("Against the benchmarks"), Items(tuple(benchmarks))]
    if task["comparisons"]:
        blocks += [Heading("Comparisons between variants"),
                   comparison_table(task["comparisons"], level, f"Comparisons: {title}"),
                   comparison_sentences(task["comparisons"])]
    if clicks:
        blocks.append(Heading("Clicks"))
        blocks += [Figure(chart) for chart in clicks]
    return blocks


def _task_table(task: dict, context: ReportContext, level: str, title: str) -> Table:
    rows = []
    for variant, v in task["variants"].items():
        completion, time = v.get("completion", {}), v.get("time", {})
        rows.append((
            context.variant_label(variant), f"{v.get('successes', 0)} / {v.get('n', 0)}",
            fmt.summary_interval(completion, "estimate", fmt.percent),
            fmt.summary_interval(time, "geometric_mean", fmt.seconds),
            _mean(v.get("errors", {})), _mean(v.get("clicks", {})),
            _mean(v.get("seq", {}))))
    return Table(f"Results by variant: {title} (estimates with {level} confidence intervals)",
                 ("Variant", "Successes / n", "Completion", "Time (geometric mean)", "Errors",
                  "Clicks", "SEQ (1–7)"), tuple(rows),
                 numeric=(False, True, True, True, True, True, True),
                 widths=(1.4, 0.8, 1.25, 1.35, 1.1, 1.1, 1.1))


def _mean(summary: dict) -> str:
    return fmt.summary_interval(summary, "mean")


def _task_notes(task: dict, context: ReportContext) -> list[str]:
    notes = []
    for variant, v in task["variants"].items():
        for metric in ("completion", "time", "errors", "clicks", "seq"):
            note = v.get(metric, {}).get("note")
            if note and not v.get(metric, {}).get("benchmark"):
                notes.append(f"{context.variant_label(variant)}, {METRIC_NAMES[metric]}: {note}.")
    return notes


def _usability_metric_table(task: dict, context: ReportContext, title: str) -> Table | None:
    rows = []
    for variant, v in task["variants"].items():
        metric = v.get("usability_metric")
        if metric and metric.get("score") is not None:
            rows.append((context.variant_label(variant), fmt.percent(metric["score"]),
                         fmt.percent(metric.get("completion")), fmt.percent(metric.get("time")),
                         fmt.percent(metric.get("satisfaction")),
                         fmt.seconds(metric.get("spec_time"))))
    if not rows:
        return None
    return Table(f"Single Usability Metric: {title} (Sauro & Kindlund 2005)",
                 ("Variant", "SUM", "Completion", "Time", "Satisfaction", "Time target"),
                 tuple(rows), numeric=(False, True, True, True, True, True))


def comparison_table(comparisons: list[dict], level: str, caption: str) -> Table:
    """One row per comparison: test, statistic, p, adjusted p, effect with its interval."""
    rows = []
    for entry in comparisons:
        pair = ("all variants" if entry["kind"] == "omnibus"
                else f"{entry['b']} vs {entry['a']}")
        statistic = fmt.number(entry.get("statistic"))
        if entry.get("df") is not None and entry.get("statistic") is not None:
            statistic += f" (df {fmt.degrees_of_freedom(entry['df'])})"
        effect_size = entry.get("effect_size") or {}
        rows.append((
            f"{METRIC_NAMES.get(entry['metric'], entry['metric'])}, {pair}",
            fmt.test_name(entry["test"]) if entry.get("test") else fmt.MISSING,
            statistic, fmt.p_value(entry.get("p")), fmt.p_value(entry.get("p_adjusted")),
            _effect(entry),
            (f"{effect_size['name']} {fmt.number(effect_size['value'])}"
             if effect_size.get("value") is not None else fmt.MISSING)))
    return Table(f"{caption} (the effect of “C vs A” is C − A, for time the ratio C / A; "
                 f"{level} CI)",
                 ("Comparison", "Test", "Statistic", "p", "Adjusted p", "Effect (CI)",
                  "Effect size"), tuple(rows),
                 numeric=(False, False, True, True, True, True, False),
                 widths=(1.2, 1.6, 1.0, 0.68, 0.9, 1.6, 1.1))


def _effect(entry: dict) -> str:
    difference = entry.get("difference")
    if difference is None:
        return fmt.MISSING
    effect = entry.get("effect") or ""
    if effect.startswith("ratio"):
        text = lambda v: f"{v:.2f}×"  # noqa: E731
    elif effect.startswith("difference in proportions"):
        text = fmt.points_difference
    elif "NPS" in effect:
        text = lambda v: fmt.signed(f"{v:+.0f}")  # noqa: E731
    else:
        text = lambda v: fmt.signed(f"{v:+.2f}")  # noqa: E731
    return fmt.interval(difference, entry.get("low"), entry.get("high"), text)


def comparison_sentences(comparisons: list[dict]) -> Items:
    """Each comparison's plain-language sentence, led by what it compares."""
    return Items(tuple(
        (f"{METRIC_NAMES.get(e['metric'], e['metric'])}, "
         f"{'all variants' if e['kind'] == 'omnibus' else e['b'] + ' vs ' + e['a']}:",
         e["interpretation"]) for e in comparisons))


def questionnaire_blocks(analysis: dict, context: ReportContext,
                         charts: dict[str, Chart | SvgChart]) -> list[Block]:
    """SUS, UMUX-Lite, NPS (and CSAT, CES when asked): tables, charts, comparisons."""
    level = fmt.confidence_label(analysis["confidence"])
    questionnaires = analysis.get("questionnaires", {})
    if not any(q.get("variants") for q in questionnaires.values()):
        note = next((q.get("note") for q in questionnaires.values() if q.get("note")), None)
        return [Paragraph("No questionnaire answers were analysed"
                          + (f" ({note})." if note else "."))]
    blocks: list[Block] = []
    for name, result in questionnaires.items():
        if not result.get("variants"):
            continue  # not asked (or not answered by anyone): no empty section
        title = INSTRUMENT_TITLES.get(name, name)
        blocks.append(Heading(title))
        blocks.append(_instrument_table(name, result, context, level, title))
        if result.get("note"):
            blocks.append(Paragraph(f"Note: {result['note']}.", "note"))
        benchmarks = [("", s["benchmark"]["interpretation"])
                      for s in result["variants"].values() if s.get("benchmark")]
        if benchmarks:
            blocks.append(Items(tuple(benchmarks)))
        if name in charts:
            blocks.append(Figure(charts[name]))
        if result.get("comparisons"):
            blocks += [comparison_table(result["comparisons"], level, f"Comparisons: {title}"),
                       comparison_sentences(result["comparisons"])]
    return blocks


def _instrument_table(name: str, result: dict, context: ReportContext, level: str,
                      title: str) -> Table:
    variants = result["variants"]
    caption = f"{title} by variant ({level} confidence intervals)"
    if name == "nps":
        rows = tuple((context.variant_label(v), str(s.get("n", 0)),
                      fmt.summary_interval(s, "score", fmt.whole),
                      _count(s, "promoters"), _count(s, "passives"), _count(s, "detractors"))
                     for v, s in variants.items())
        return Table(caption, ("Variant", "n", "NPS", "Promoters", "Passives", "Detractors"),
                     rows, numeric=(False, True, True, True, True, True))
    if name == "csat":
        rows = tuple((context.variant_label(v), str(s.get("n", 0)),
                      fmt.summary_interval(s, "estimate", fmt.percent))
                     for v, s in variants.items())
        return Table(caption, ("Variant", "n", "Top-two-box share"), rows,
                     numeric=(False, True, True))
    one = lambda v: fmt.decimal(v, 1)  # noqa: E731
    header = ["Variant", "n", "Mean"]
    if name == "sus":
        header += ["Grade", "Percentile"]
    elif name == "umux_lite":
        header += ["SUS equivalent"]
    rows = []
    for v, s in variants.items():
        row = [context.variant_label(v), str(s.get("n", 0)),
               fmt.summary_interval(s, "mean", fmt.decimal if name == "ces" else one)]
        if name == "sus":
            row += [s.get("grade") or fmt.MISSING, fmt.whole(s.get("percentile"))]
        elif name == "umux_lite":
            row += [one(s.get("sus_equivalent"))]
        rows.append(tuple(row))
    return Table(caption, tuple(header), tuple(rows),
                 numeric=(False, True, True) + (True,) * (len(header) - 3))


def _count(summary: dict, key: str) -> str:
    value = summary.get(key)
    return fmt.MISSING if value is None else str(value)

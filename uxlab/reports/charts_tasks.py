"""Per-task charts: completion rate, task time and SEQ, one row per task, a marker per variant.

Each estimate is drawn with its interval (adjusted-Wald for completion, a t-interval on log times
back-transformed for the geometric mean time, a t-interval for SEQ), and the benchmark as a dashed
line. Tasks run down the chart (long titles stay readable); variants are offset within a row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator, PercentFormatter

from uxlab.reports import formatting as fmt
from uxlab.reports import style
from uxlab.reports.charts_common import (
    BENCHMARK_LINESTYLE,
    Chart,
    Tally,
    benchmark_line,
    dodge,
    new_figure,
    point_interval,
    separate_rows,
    task_rows_height,
    variant_legend,
    wrap,
)
from uxlab.reports.context import ReportContext


@dataclass(frozen=True)
class _Metric:
    key: str
    title: str
    axis_label: str
    summary: str  # key of the variant summary in the analysis document
    value: str  # key of the estimate within it
    text: Callable[[float | None], str]
    limits: tuple[float, float] | None = None
    log: bool = False


COMPLETION = _Metric("completion", "Completion rate by task", "completion rate",
                     "completion", "estimate", fmt.percent, (0.0, 1.0))
TIME = _Metric("time", "Task time by task (geometric mean)",
               "task time, seconds (geometric mean, log scale)", "time", "geometric_mean",
               fmt.seconds, log=True)
SEQ = _Metric("seq", "Ease rating by task (SEQ, 1–7)", "SEQ score (1 = very difficult, "
              "7 = very easy)", "seq", "mean", fmt.decimal, (1.0, 7.0))


def completion_chart(analysis: dict, context: ReportContext) -> Chart | None:
    """Completion rate per task per variant with adjusted-Wald intervals and the benchmark."""
    return _task_chart(analysis, context, COMPLETION)


def time_chart(analysis: dict, context: ReportContext) -> Chart | None:
    """Geometric mean task time per task per variant with intervals, on a log axis."""
    return _task_chart(analysis, context, TIME)


def seq_chart(analysis: dict, context: ReportContext) -> Chart | None:
    """Mean SEQ per task per variant with t-intervals and the 5.5 benchmark."""
    return _task_chart(analysis, context, SEQ)


def _task_chart(analysis: dict, context: ReportContext, metric: _Metric) -> Chart | None:
    tasks = {t["task"]: t for t in analysis.get("tasks", [])}
    order = context.task_order(analysis)
    variants = list(analysis.get("variants", {}))
    if not order or not variants:
        return None
    level = fmt.confidence_label(analysis["confidence"])
    tally = Tally()
    rows = [[tasks[key]["variants"].get(name, {}).get(metric.summary, {}) for name in variants]
            for key in order]
    target = analysis.get("benchmarks", {}).get(metric.key)
    targets = [t for t in (target.values() if isinstance(target, dict) else [target])
               if t is not None]
    limits = _axis_limits(metric, rows, targets)
    with style.styled():
        figure = new_figure(task_rows_height(len(order), len(variants)))
        ax = figure.add_subplot()
        described = []
        for row, (key, summaries) in enumerate(zip(order, rows, strict=True)):
            parts = []
            for i, (name, summary) in enumerate(zip(variants, summaries, strict=True)):
                value = summary.get(metric.value)
                low, high = summary.get("low"), summary.get("high")
                point_interval(ax, tally, value, row + dodge(len(variants), i), low, high,
                               style.variant_style(i), missing_text=_missing_reason(summary),
                               limits=limits)
                parts.append(f"{context.variant_name(name)} "
                             f"{fmt.interval(value, low, high, metric.text)}"
                             if value is not None else
                             f"{context.variant_name(name)} not estimated "
                             f"({_missing_reason(summary)})")
            described.append(f"{context.task_title(key)}: {', '.join(parts)}")
        ax.set_yticks(range(len(order)),
                      [wrap(context.task_title(k), 28) for k in order])
        ax.set_ylim(len(order) - 0.5, -0.5)
        ax.grid(axis="y", visible=False)
        separate_rows(ax, len(order))
        benchmark_text, handles = _benchmarks(ax, analysis, metric, order)
        _value_axis(ax, metric, limits)
        ax.set_xlabel(metric.axis_label)
        ax.set_ylabel("task")
        ax.set_title(metric.title)
        variant_legend(ax, variants, context, handles)
    alt = (f"{metric.title}, each variant's estimate with its {level} confidence interval. "
           + "; ".join(described) + "." + benchmark_text)
    return tally.chart(metric.key, metric.title, alt, figure, "tasks")


def _missing_reason(summary: dict) -> str:
    note = summary.get("note") or "not estimated"
    return note if len(note) <= 40 else note[:39] + "…"


#: On the log axis of times, how far beyond the estimates an interval bound may lie and still
#: widen the axis; a bound further out ends in an arrow at the axis edge (its value is in the
#: table and the chart's text).
PLAUSIBLE_SPAN = 4.0


def _axis_limits(metric: _Metric, rows: list[list[dict]], targets: list[float]
                 ) -> tuple[float, float]:
    """The value axis: fitted to the estimates and the plausible part of their intervals.

    Rates, SEQ have their scale's fixed axis. The log axis of times spans the estimates and the
    targets, then widens to take in each interval bound within :data:`PLAUSIBLE_SPAN` times of
    the estimates (one very wide interval would otherwise squeeze every other task into a
    sliver, as a 2e-12 to 3e10 s interval once did).
    """
    if metric.limits is not None:
        low, high = metric.limits
        margin = 0.02 if metric.key == "completion" else 0.2
        return low - margin, high + margin
    estimates = [s.get(metric.value) for row in rows for s in row]
    estimates = [v for v in estimates if v is not None and v > 0]
    if not estimates:
        return 1.0, 100.0
    inner = [min(estimates + targets), max(estimates + targets)]
    window = (inner[0] / PLAUSIBLE_SPAN, inner[1] * PLAUSIBLE_SPAN)
    bounds = [s.get(key) for row in rows for s in row for key in ("low", "high")]
    plausible = [b for b in bounds if b is not None and window[0] <= b <= window[1]]
    low, high = min(inner + plausible) / 1.25, max(inner + plausible) * 1.25
    if high / low < 3:
        middle = (high * low) ** 0.5
        low, high = middle / 1.8, middle * 1.8
    return low, high


def _value_axis(ax, metric: _Metric, limits: tuple[float, float]) -> None:
    ax.set_xlim(*limits)
    if metric.key == "completion":
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    elif metric.key == "seq":
        ax.set_xticks(range(1, 8))
    elif metric.log:
        ax.set_xscale("log")
        ax.set_xlim(*limits)
        ax.xaxis.set_major_locator(FixedLocator(_nice_log_ticks(*limits)))
        ax.xaxis.set_minor_locator(NullLocator())
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))


def _nice_log_ticks(low: float, high: float) -> list[float]:
    """1-1.5-2-3-5-7 ticks between ``low`` and ``high``, thinned to at most eight."""
    ticks = [m * 10.0 ** e for e in range(int(np.floor(np.log10(low))),
                                          int(np.ceil(np.log10(high))) + 1)
             for m in (1, 1.5, 2, 3, 5, 7) if low <= m * 10.0 ** e <= high]
    if len(ticks) < 3:
        ticks = [float(f"{v:.2g}") for v in np.geomspace(low, high, 4)[1:-1]]
    step = max(1, int(np.ceil(len(ticks) / 8)))
    return ticks[::step]


def _benchmarks(ax, analysis: dict, metric: _Metric, order: list[str]) -> tuple[str, list]:
    """Draw the metric's benchmark; return a sentence for the alt text and legend handles."""
    value = analysis.get("benchmarks", {}).get(metric.key)
    if value is None:
        return "", []
    if isinstance(value, dict):
        handle = None
        for row, key in enumerate(order):
            if key in value:
                (handle,) = ax.plot([value[key]] * 2, [row - 0.45, row + 0.45],
                                    color=style.BENCHMARK, linestyle=BENCHMARK_LINESTYLE,
                                    linewidth=1.3, zorder=2, label="time target of the task")
        targets = ", ".join(f"{k} {metric.text(v)}" for k, v in value.items())
        return f" Dashed lines: the time target of each task ({targets}).", [handle] * bool(handle)
    text = f"{value:g}" if metric.key == "seq" else metric.text(value)
    return (f" The dashed line is the benchmark of {text}.",
            [benchmark_line(ax, value, f"benchmark {text}")])

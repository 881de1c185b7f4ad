"""Per-variant summaries of one task: completion, time, errors, clicks, SEQ, benchmarks, SUM."""

from __future__ import annotations

import numpy as np

from uxlab.analysis.comparisons import from_test, untestable_benchmark
from uxlab.analysis.document import add_note, number, scale_interval, t_interval, unavailable
from uxlab.analysis.grouping import Cell
from uxlab.analysis.interpretation import interpret_benchmark, percent
from uxlab.analysis.navigation import navigation_metrics, navigation_summary
from uxlab.analysis.task_context import TaskContext
from uxlab.stats import counts as count_stats
from uxlab.stats import proportions
from uxlab.stats import times as time_stats
from uxlab.stats.questionnaires import benchmark_seq_test, seq_summary
from uxlab.stats.usability_metric import single_usability_metric

_MEAN_KEYS = ("mean", "low", "high")


class TaskSummaries(TaskContext):
    """The ``variants`` object of a task entry."""

    def summaries(self) -> dict:
        navigation = navigation_metrics(self.cells)
        return {v: {**self._summary(v, cell),
                    **navigation_summary(cell, navigation, self.confidence)}
                for v, cell in self.cells.items()}

    def _summary(self, variant: str, cell: Cell) -> dict:
        known = ~np.isnan(cell.success)
        n, successes = int(known.sum()), int(np.nansum(cell.success))
        summary = {"n": n, "successes": successes, "attempts": len(cell),
                   "completion": self._completion(variant, successes, n),
                   "time": self._time(variant, cell),
                   "errors": self._mean(cell.errors, count_stats.mean_interval, "errors"),
                   "clicks": self._mean(cell.clicks, count_stats.mean_interval, "clicks"),
                   "seq": self._seq(variant, cell)}
        if self.time_target() is not None:
            summary["usability_metric"] = self._usability_metric(cell)
        return summary

    def _usability_metric(self, cell: Cell) -> dict:
        """Single Usability Metric against the task's time target and the SEQ benchmark."""
        keys = ("score", "completion", "time", "satisfaction")
        satisfaction_spec = self.benchmarks.get("seq") or 5.5
        try:
            metric = single_usability_metric(
                cell.success[~np.isnan(cell.success)], self.times_of(cell),
                self.time_target(), cell.seq[~np.isnan(cell.seq)], satisfaction_spec)
        except ValueError as error:
            return unavailable(str(error), *keys, method=None)
        return {"score": metric.score, **metric.components, "n": metric.n,
                "spec_time": self.time_target(), "satisfaction_spec": satisfaction_spec,
                "method": metric.method}

    def _completion(self, variant, successes, n) -> dict:
        if n == 0:
            return unavailable("no attempts with a known outcome", "estimate", "low", "high",
                               method="adjusted-wald")
        estimate = proportions.completion_interval(successes, n, self.confidence)
        best = proportions.best_point_estimate(successes, n, self.confidence)
        summary = scale_interval({"estimate": estimate.estimate}, "completion", estimate.low,
                                 estimate.high)
        summary.update(method=estimate.method,
                       best_estimate={"estimate": best.estimate, "method": best.method})
        target = self.completion_target()
        if target is not None:
            result = proportions.benchmark_completion_test(successes, n, target, self.confidence)
            summary["benchmark"] = self._benchmark(result, target, variant, "completion",
                                                   percent(estimate.estimate), percent(target))
        return summary

    def _time(self, variant, cell: Cell) -> dict:
        values = self.times_of(cell)
        keys = ("geometric_mean", "low", "high")
        if values.size == 0:
            successful = self.times == "successful" and not np.any(cell.success == 1)
            return unavailable("no successful attempts" if successful else "no times",
                               *keys, n=0, method=None)
        if values.size == 1:
            return unavailable("fewer than 2 values: no interval", "low", "high",
                               geometric_mean=float(values[0]), n=1, method=None)
        estimate = time_stats.geometric_mean_interval(values, self.confidence)
        best = time_stats.best_average(values, self.confidence)
        summary = scale_interval({"geometric_mean": estimate.estimate}, "time", estimate.low,
                                 estimate.high, values)
        summary.update(n=int(values.size), method=estimate.method,
                       best_average=scale_interval({"estimate": best.estimate}, "time",
                                                   best.low, best.high, values))
        summary["best_average"]["method"] = best.method
        if values.size >= time_stats.MEDIAN_FROM_N:
            median = best if best.method.startswith("median") else \
                time_stats.median_interval(values, self.confidence)
            summary["median"] = {"estimate": median.estimate, "low": number(median.low),
                                 "high": number(median.high), "method": median.method}
        target = self.time_target()
        if target is not None:
            try:
                result = time_stats.benchmark_time_test(values, target, self.confidence)
            except ValueError as exc:  # e.g. times that do not vary: no t-test is defined
                summary["benchmark"] = untestable_benchmark(
                    exc, variant=variant, metric="time", target=target, alternative="less",
                    shown=f"{estimate.estimate:.1f} s", target_text=f"{target:g} s")
            else:
                summary["benchmark"] = self._benchmark(
                    result, target, variant, "time", f"{estimate.estimate:.1f} s",
                    f"{target:g} s")
        return summary

    def _mean(self, values: np.ndarray, summarize, metric: str) -> dict:
        values = values[~np.isnan(values)]
        if values.size < 2:
            return unavailable("fewer than 2 values" if values.size else "no values",
                               *_MEAN_KEYS, n=int(values.size))
        estimate = summarize(values, self.confidence)
        if not np.isfinite(estimate.estimate):
            return unavailable("the values are too large to average", *_MEAN_KEYS,
                               n=int(values.size))
        summary = scale_interval({"mean": estimate.estimate}, metric, estimate.low,
                                 estimate.high, values)
        summary.update(n=int(values.size), method=t_interval(estimate.method))
        return summary

    def _seq(self, variant, cell: Cell) -> dict:
        summary = self._mean(cell.seq, seq_summary, "seq")
        target = self.benchmarks.get("seq")
        if summary["mean"] is not None and target is not None:
            values = cell.seq[~np.isnan(cell.seq)]
            shown, target_text = f"{summary['mean']:.2f}", f"{target:g}"
            try:
                result = benchmark_seq_test(values, target, self.confidence)
            except ValueError as exc:  # ratings that do not vary: no t-test is defined
                summary["benchmark"] = untestable_benchmark(
                    exc, variant=variant, metric="seq", target=target, alternative="greater",
                    shown=shown, target_text=target_text)
            else:
                summary["benchmark"] = self._benchmark(result, target, variant, "seq", shown,
                                                       target_text)
        return summary

    def _benchmark(self, result, target, variant, metric, shown, target_text) -> dict:
        entry = from_test(result, target=target, alternative=result.alternative)
        if entry["low"] is None or entry["high"] is None:
            add_note(entry, "one-sided test: the interval is open on one side")
        entry["interpretation"] = interpret_benchmark(variant, metric, entry,
                                                      confidence=self.confidence, shown=shown,
                                                      target=target_text)
        return entry

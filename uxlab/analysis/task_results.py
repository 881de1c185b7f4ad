"""The ``tasks`` part of an analysis: per-variant summaries and comparisons of each task."""

from __future__ import annotations

import math

import numpy as np

from uxlab.analysis.comparisons import comparison_family, from_test, require
from uxlab.analysis.document import add_note, number, t_interval, unavailable
from uxlab.analysis.grouping import Cell, Grouped, paired
from uxlab.analysis.interpretation import interpret_benchmark, percent
from uxlab.analysis.omnibus import means_omnibus, ranks_omnibus
from uxlab.stats import counts as count_stats
from uxlab.stats import proportions
from uxlab.stats import times as time_stats
from uxlab.stats.effects import pooled_sd
from uxlab.stats.planning import sample_size_compare_means, sample_size_compare_proportions
from uxlab.stats.questionnaires import (
    benchmark_seq_test,
    compare_means_between,
    compare_means_within,
    seq_summary,
)
from uxlab.stats.usability_metric import single_usability_metric

_POWER = 0.8
_MEAN_KEYS = ("mean", "low", "high")


def task_results(grouped: Grouped, *, design: str, confidence: float, times: str, adjust: str,
                 benchmarks: dict) -> list[dict]:
    """One entry per task: ``{"task", "variants", "comparisons"}``."""
    results = []
    for task in grouped.tasks:
        cells = {v: grouped.cell(task, v) for v in grouped.variants}
        analysis = _TaskAnalysis(task, cells, design, confidence, times, adjust, benchmarks)
        results.append({"task": task, "variants": analysis.summaries(),
                        "comparisons": analysis.comparisons()})
    return results


class _TaskAnalysis:
    """Everything computed for one task; one method per metric."""

    def __init__(self, task, cells: dict[str, Cell], design, confidence, times, adjust,
                 benchmarks):
        self.task, self.cells, self.design = task, cells, design
        self.confidence, self.times, self.adjust = confidence, times, adjust
        self.benchmarks = benchmarks
        self.variants = tuple(cells)

    # --- per-variant summaries ----------------------------------------------------------------

    def summaries(self) -> dict:
        return {v: self._summary(v, cell) for v, cell in self.cells.items()}

    def _summary(self, variant: str, cell: Cell) -> dict:
        known = ~np.isnan(cell.success)
        n, successes = int(known.sum()), int(np.nansum(cell.success))
        summary = {"n": n, "successes": successes, "attempts": len(cell),
                   "completion": self._completion(variant, successes, n),
                   "time": self._time(variant, cell),
                   "errors": self._mean(cell.errors, count_stats.mean_interval),
                   "clicks": self._mean(cell.clicks, count_stats.mean_interval),
                   "seq": self._seq(variant, cell)}
        if self._time_target() is not None:
            summary["usability_metric"] = self._usability_metric(cell)
        return summary

    def _usability_metric(self, cell: Cell) -> dict:
        """Single Usability Metric against the task's time target and the SEQ benchmark."""
        keys = ("score", "completion", "time", "satisfaction")
        satisfaction_spec = self.benchmarks.get("seq") or 5.5
        try:
            metric = single_usability_metric(
                cell.success[~np.isnan(cell.success)], self._times_of(cell),
                self._time_target(), cell.seq[~np.isnan(cell.seq)], satisfaction_spec)
        except ValueError as error:
            return unavailable(str(error), *keys, method=None)
        return {"score": metric.score, **metric.components, "n": metric.n,
                "spec_time": self._time_target(), "satisfaction_spec": satisfaction_spec,
                "method": metric.method}

    def _completion(self, variant, successes, n) -> dict:
        if n == 0:
            return unavailable("no attempts with a known outcome", "estimate", "low", "high",
                               method="adjusted-wald")
        estimate = proportions.completion_interval(successes, n, self.confidence)
        best = proportions.best_point_estimate(successes, n, self.confidence)
        summary = {"estimate": estimate.estimate, "low": estimate.low, "high": estimate.high,
                   "method": estimate.method,
                   "best_estimate": {"estimate": best.estimate, "method": best.method}}
        target = self.benchmarks.get("completion")
        if target is not None:
            result = proportions.benchmark_completion_test(successes, n, target, self.confidence)
            summary["benchmark"] = self._benchmark(result, target, variant, "completion",
                                                   percent(estimate.estimate), percent(target))
        return summary

    def _times_of(self, cell: Cell) -> np.ndarray:
        keep = ~np.isnan(cell.time_s)
        if self.times == "successful":
            keep &= cell.success == 1
        return cell.time_s[keep]

    def _time(self, variant, cell: Cell) -> dict:
        values = self._times_of(cell)
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
        summary = {"geometric_mean": estimate.estimate, "low": number(estimate.low),
                   "high": number(estimate.high), "n": int(values.size),
                   "method": estimate.method,
                   "best_average": {"estimate": best.estimate, "low": number(best.low),
                                    "high": number(best.high), "method": best.method}}
        if values.size >= time_stats.MEDIAN_FROM_N:
            median = best if best.method.startswith("median") else \
                time_stats.median_interval(values, self.confidence)
            summary["median"] = {"estimate": median.estimate, "low": number(median.low),
                                 "high": number(median.high), "method": median.method}
        target = self._time_target()
        if target is not None:
            result = time_stats.benchmark_time_test(values, target, self.confidence)
            summary["benchmark"] = self._benchmark(result, target, variant, "time",
                                                   f"{estimate.estimate:.1f} s", f"{target:g} s")
        return summary

    def _time_target(self) -> float | None:
        target = self.benchmarks.get("time")
        if isinstance(target, dict):
            return target.get(self.task)
        return target

    def _mean(self, values: np.ndarray, summarize) -> dict:
        values = values[~np.isnan(values)]
        if values.size < 2:
            return unavailable("fewer than 2 values" if values.size else "no values",
                               *_MEAN_KEYS, n=int(values.size))
        estimate = summarize(values, self.confidence)
        summary = {"mean": estimate.estimate, "low": number(estimate.low),
                   "high": number(estimate.high), "n": int(values.size),
                   "method": t_interval(estimate.method)}
        if summary["low"] is None:
            add_note(summary, "all values are equal")
        return summary

    def _seq(self, variant, cell: Cell) -> dict:
        summary = self._mean(cell.seq, seq_summary)
        target = self.benchmarks.get("seq")
        if summary["mean"] is not None and target is not None:
            values = cell.seq[~np.isnan(cell.seq)]
            summary["benchmark"] = self._benchmark(
                benchmark_seq_test(values, target, self.confidence), target, variant, "seq",
                f"{summary['mean']:.2f}", f"{target:g}")
        return summary

    def _benchmark(self, result, target, variant, metric, shown, target_text) -> dict:
        entry = from_test(result, target=target, alternative=result.alternative)
        if entry["low"] is None or entry["high"] is None:
            add_note(entry, "one-sided test: the interval is open on one side")
        entry["interpretation"] = interpret_benchmark(variant, metric, entry,
                                                      confidence=self.confidence, shown=shown,
                                                      target=target_text)
        return entry

    # --- comparisons --------------------------------------------------------------------------

    def comparisons(self) -> list[dict]:
        family = {"confidence": self.confidence, "design": self.design, "adjust": self.adjust}
        within = self.design == "within"
        note = ("no omnibus test for within-subjects designs; the pairwise comparisons are "
                "adjusted for multiplicity") if within else None
        return [
            *comparison_family("completion", self.variants, self._compare_completion,
                               None if within else self._completion_omnibus,
                               omnibus_note=note, **family),
            *comparison_family("time", self.variants, self._compare_time,
                               None if within else self._time_omnibus, omnibus_note=note,
                               **family),
            *comparison_family("errors", self.variants,
                               lambda a, b: self._compare_counts("errors", a, b),
                               None if within else lambda: self._rank_omnibus("errors"),
                               omnibus_note=note, **family),
            *comparison_family("clicks", self.variants,
                               lambda a, b: self._compare_counts("clicks", a, b),
                               None if within else lambda: self._rank_omnibus("clicks"),
                               omnibus_note=note, **family),
            *comparison_family("seq", self.variants, self._compare_seq,
                               None if within else self._seq_omnibus, omnibus_note=note,
                               **family),
        ]

    def _counts(self, variant) -> tuple[int, int]:
        success = self.cells[variant].success
        return int(np.nansum(success)), int((~np.isnan(success)).sum())

    def _compare_completion(self, a, b) -> dict:
        if self.design == "within":
            x, y = paired(self.cells[a], self.cells[b], "success")
            require(x.size > 0, "no participant has a known outcome in both variants")
            x, y = x == 1, y == 1
            result = proportions.mcnemar_test(int((x & y).sum()), int((x & ~y).sum()),
                                              int((~x & y).sum()), int((~x & ~y).sum()),
                                              self.confidence)
            entry = from_test(result, effect="difference in proportions (b - a), matched pairs",
                              a_estimate=float(x.mean()), b_estimate=float(y.mean()))
            add_note(entry, "the Bayesian probability needs independent groups; "
                            "no sample-size planning for matched proportions")
            return entry
        (x_a, n_a), (x_b, n_b) = self._counts(a), self._counts(b)
        require(n_a > 0 and n_b > 0, "a variant has no attempts with a known outcome")
        result = proportions.two_proportion_test(x_a, n_a, x_b, n_b, self.confidence)
        posterior = proportions.probability_b_better(x_a, n_a, x_b, n_b,
                                                     confidence=self.confidence)
        entry = from_test(result, effect="difference in proportions (b - a)",
                          a_estimate=x_a / n_a, b_estimate=x_b / n_b,
                          probability_b_better=number(posterior.probability_b_better),
                          credible_low=number(posterior.interval.low),
                          credible_high=number(posterior.interval.high))
        p_a, p_b = x_a / n_a, x_b / n_b
        if result.pvalue >= 1 - self.confidence and p_a != p_b:
            if 0 < p_a < 1 and 0 < p_b < 1:
                entry["sample_size_to_detect"] = sample_size_compare_proportions(
                    p_a, p_b, self.confidence, _POWER)
            else:
                add_note(entry, "no sample size planned for a rate of 0 or 100%")
        return entry

    def _completion_omnibus(self) -> dict:
        counts = [self._counts(v) for v in self.variants]
        require(all(n > 0 for _, n in counts), "a variant has no attempts with a known outcome")
        return from_test(proportions.completion_omnibus([x for x, _ in counts],
                                                        [n for _, n in counts]))

    def _time_pair(self, a, b) -> tuple[np.ndarray, np.ndarray]:
        cell_a, cell_b = self.cells[a], self.cells[b]
        if self.design == "within":
            keep_a = keep_b = None
            if self.times == "successful":
                keep_a, keep_b = cell_a.success == 1, cell_b.success == 1
            return paired(cell_a, cell_b, "time_s", keep_a, keep_b)
        return self._times_of(cell_a), self._times_of(cell_b)

    def _compare_time(self, a, b) -> dict:
        x, y = self._time_pair(a, b)
        which = "successful " if self.times == "successful" else ""
        pairs = " pairs of" if self.design == "within" else ""
        require(x.size >= 2 and y.size >= 2, f"fewer than 2{pairs} {which}times")
        log_x, log_y = np.log(x), np.log(y)
        if self.design == "within":
            result = time_stats.compare_times_within(x, y, self.confidence)
            effect_size = {"name": "paired d_z of log times", "value": result.extra["d_z"]}
            sd = float(np.std(log_y - log_x, ddof=1))
        else:
            result = time_stats.compare_times_between(x, y, self.confidence)
            effect_size = {"name": "hedges g of log times", "value": result.extra["hedges_g"]}
            sd = pooled_sd(log_x, log_y)
        entry = from_test(result, effect="ratio of geometric means (b / a)",
                          a_estimate=math.exp(log_x.mean()), b_estimate=math.exp(log_y.mean()),
                          effect_size=_clean(effect_size))
        shift = float(log_y.mean() - log_x.mean())
        if result.pvalue >= 1 - self.confidence and shift != 0 and sd > 0:
            entry["sample_size_to_detect"] = sample_size_compare_means(
                sd, shift, self.confidence, _POWER, paired=self.design == "within")
        return entry

    def _time_omnibus(self) -> dict:
        groups = [self._times_of(self.cells[v]) for v in self.variants]
        require(all(g.size >= 2 for g in groups), "fewer than 2 times in a variant")
        return from_test(time_stats.times_omnibus(groups))

    def _value_pair(self, measure, a, b):
        if self.design == "within":
            return paired(self.cells[a], self.cells[b], measure)
        values_a, values_b = getattr(self.cells[a], measure), getattr(self.cells[b], measure)
        return values_a[~np.isnan(values_a)], values_b[~np.isnan(values_b)]

    def _compare_counts(self, measure, a, b) -> dict:
        x, y = self._value_pair(measure, a, b)
        require(x.size >= 2 and y.size >= 2, "fewer than 2 values in a variant")
        if self.design == "within":
            result = count_stats.compare_counts_within(x, y, self.confidence)
        else:
            result = count_stats.compare_counts_between(x, y, self.confidence)
        entry = from_test(result, effect="difference in means (b - a)",
                          a_estimate=float(x.mean()), b_estimate=float(y.mean()))
        self._plan_means(entry, result, x, y)
        return entry

    def _rank_omnibus(self, measure) -> dict:
        groups = [getattr(self.cells[v], measure) for v in self.variants]
        groups = [g[~np.isnan(g)] for g in groups]
        require(all(g.size >= 2 for g in groups), "fewer than 2 values in a variant")
        return from_test(ranks_omnibus(groups))

    def _compare_seq(self, a, b) -> dict:
        x, y = self._value_pair("seq", a, b)
        require(x.size >= 2 and y.size >= 2, "fewer than 2 ratings in a variant")
        if self.design == "within":
            result = compare_means_within(x, y, self.confidence)
            effect_size = {"name": "paired d_z", "value": result.extra["paired_d"]}
        else:
            result = compare_means_between(x, y, self.confidence)
            effect_size = {"name": "hedges g", "value": result.extra["hedges_g"]}
        entry = from_test(result, effect="difference in means (b - a)",
                          a_estimate=result.extra["mean_a"], b_estimate=result.extra["mean_b"],
                          effect_size=_clean(effect_size))
        self._plan_means(entry, result, x, y)
        return entry

    def _seq_omnibus(self) -> dict:
        groups = [self.cells[v].seq[~np.isnan(self.cells[v].seq)] for v in self.variants]
        require(all(g.size >= 2 for g in groups), "fewer than 2 ratings in a variant")
        return from_test(means_omnibus(groups))

    def _plan_means(self, entry, result, x, y) -> None:
        """Sample size that would detect the observed mean difference (t-test planning)."""
        if result.pvalue < 1 - self.confidence:
            return
        shift = float(y.mean() - x.mean())
        sd = float(np.std(y - x, ddof=1)) if self.design == "within" else pooled_sd(x, y)
        if shift != 0 and sd > 0:
            entry["sample_size_to_detect"] = sample_size_compare_means(
                sd, shift, self.confidence, _POWER, paired=self.design == "within")


def _clean(effect_size: dict) -> dict:
    return {"name": effect_size["name"], "value": number(effect_size["value"])}

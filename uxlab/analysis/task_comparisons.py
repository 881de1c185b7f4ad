"""Comparisons between the variants of one task, metric by metric."""

from __future__ import annotations

import math

import numpy as np

from uxlab.analysis.comparisons import (
    PLANNING_NOTE,
    comparison_family,
    from_test,
    means_sample_size,
    planned,
    require,
)
from uxlab.analysis.document import add_note, number, scale_difference
from uxlab.analysis.grouping import paired
from uxlab.analysis.navigation import RATE_METRICS, navigation_metrics
from uxlab.analysis.task_context import TaskContext
from uxlab.stats import counts as count_stats
from uxlab.stats import proportions
from uxlab.stats import times as time_stats
from uxlab.stats.bayesian import probability_b_better
from uxlab.stats.contingency import completion_omnibus
from uxlab.stats.effects import pooled_sd
from uxlab.stats.planning import (
    sample_size_compare_proportions,
    sample_size_matched_proportions,
)
from uxlab.stats.ratings import compare_means_between, compare_means_within, means_omnibus

_POWER = 0.8


class TaskComparisons(TaskContext):
    """The ``comparisons`` list of a task entry: omnibus (3+ variants) and pairwise, per metric."""

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
            *self._navigation_comparisons(family, note),
        ]

    def _navigation_comparisons(self, family: dict, note: str | None) -> list[dict]:
        """Direct and first-click success, compared with the completion rate's tests."""
        entries = []
        for metric in navigation_metrics(self.cells):
            if metric in RATE_METRICS:
                entries += comparison_family(
                    metric, self.variants,
                    lambda a, b, m=metric: self._compare_completion(a, b, m),
                    None if self.design == "within" else
                    lambda m=metric: self._completion_omnibus(m),
                    omnibus_note=note, **family)
        return entries

    def _counts(self, variant, measure: str = "success") -> tuple[int, int]:
        success = getattr(self.cells[variant], measure)
        return int(np.nansum(success)), int((~np.isnan(success)).sum())

    def _compare_completion(self, a, b, measure: str = "success") -> dict:
        """Two rates of 0/1 values (``measure``: success, direct or first_click)."""
        if self.design == "within":
            x, y = paired(self.cells[a], self.cells[b], measure)
            require(x.size > 0, "no participant has a known outcome in both variants")
            x, y = x == 1, y == 1
            only_a, only_b = int((x & ~y).sum()), int((~x & y).sum())
            result = proportions.mcnemar_test(int((x & y).sum()), only_a, only_b,
                                              int((~x & ~y).sum()), self.confidence)
            entry = from_test(result, effect="difference in proportions (b - a), matched pairs",
                              a_estimate=float(x.mean()), b_estimate=float(y.mean()),
                              n_a=int(x.size), n_b=int(y.size))
            add_note(entry, "the Bayesian probability needs independent groups")
            if only_a != only_b:
                entry["sample_size_to_detect"] = planned(
                    sample_size_matched_proportions,
                    only_a / x.size, only_b / x.size, self.confidence, _POWER)
            return entry
        (x_a, n_a), (x_b, n_b) = self._counts(a, measure), self._counts(b, measure)
        require(n_a > 0 and n_b > 0, "a variant has no attempts with a known outcome")
        result = proportions.two_proportion_test(x_a, n_a, x_b, n_b, self.confidence)
        posterior = probability_b_better(x_a, n_a, x_b, n_b, confidence=self.confidence)
        entry = from_test(result, effect="difference in proportions (b - a)",
                          a_estimate=x_a / n_a, b_estimate=x_b / n_b, n_a=n_a, n_b=n_b,
                          probability_b_better=number(posterior.probability_b_better),
                          credible_low=number(posterior.interval.low),
                          credible_high=number(posterior.interval.high))
        p_a, p_b = x_a / n_a, x_b / n_b
        if p_a != p_b:
            if 0 < p_a < 1 and 0 < p_b < 1:
                entry["sample_size_to_detect"] = planned(
                    sample_size_compare_proportions,
                    p_a, p_b, self.confidence, _POWER)
            else:
                entry[PLANNING_NOTE] = "no sample size planned for a rate of 0 or 100%"
        return entry

    def _completion_omnibus(self, measure: str = "success") -> dict:
        counts = [self._counts(v, measure) for v in self.variants]
        require(all(n > 0 for _, n in counts), "a variant has no attempts with a known outcome")
        return from_test(completion_omnibus([x for x, _ in counts], [n for _, n in counts]))

    def _time_pair(self, a, b) -> tuple[np.ndarray, np.ndarray]:
        cell_a, cell_b = self.cells[a], self.cells[b]
        if self.design == "within":
            keep_a = keep_b = None
            if self.times == "successful":
                keep_a, keep_b = cell_a.success == 1, cell_b.success == 1
            return paired(cell_a, cell_b, "time_s", keep_a, keep_b)
        return self.times_of(cell_a), self.times_of(cell_b)

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
                          n_a=int(x.size), n_b=int(y.size),
                          a_estimate=math.exp(log_x.mean()), b_estimate=math.exp(log_y.mean()),
                          effect_size=_clean(effect_size))
        scale_difference(entry, "time", result.interval, x, y)
        shift = float(log_y.mean() - log_x.mean())
        entry["sample_size_to_detect"] = means_sample_size(
            sd, shift, self.confidence, _POWER, paired=self.design == "within")
        return entry

    def _time_omnibus(self) -> dict:
        groups = [self.times_of(self.cells[v]) for v in self.variants]
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
                          n_a=int(x.size), n_b=int(y.size),
                          a_estimate=float(x.mean()), b_estimate=float(y.mean()))
        scale_difference(entry, measure, result.interval, x, y)
        self._plan_means(entry, result, x, y)
        return entry

    def _rank_omnibus(self, measure) -> dict:
        groups = [getattr(self.cells[v], measure) for v in self.variants]
        groups = [g[~np.isnan(g)] for g in groups]
        require(all(g.size >= 2 for g in groups), "fewer than 2 values in a variant")
        return from_test(count_stats.counts_omnibus(groups))

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
                          n_a=int(x.size), n_b=int(y.size),
                          a_estimate=result.extra["mean_a"], b_estimate=result.extra["mean_b"],
                          effect_size=_clean(effect_size))
        scale_difference(entry, "seq", result.interval, x, y)
        self._plan_means(entry, result, x, y)
        return entry

    def _seq_omnibus(self) -> dict:
        groups = [self.cells[v].seq[~np.isnan(self.cells[v].seq)] for v in self.variants]
        require(all(g.size >= 2 for g in groups), "fewer than 2 ratings in a variant")
        return from_test(means_omnibus(groups))

    def _plan_means(self, entry, result, x, y) -> None:
        """Sample size that would detect the observed mean difference (t-test planning)."""
        shift = float(y.mean() - x.mean())
        sd = float(np.std(y - x, ddof=1)) if self.design == "within" else pooled_sd(x, y)
        entry["sample_size_to_detect"] = means_sample_size(
            sd, shift, self.confidence, _POWER, paired=self.design == "within")


def _clean(effect_size: dict) -> dict:
    return {"name": effect_size["name"], "value": number(effect_size["value"])}

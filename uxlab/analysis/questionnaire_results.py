"""The ``questionnaires`` part of an analysis: SUS, UMUX-Lite, NPS, and CSAT / CES when asked."""

from __future__ import annotations

import math

import numpy as np

from uxlab.analysis.comparisons import (
    comparison_family,
    from_test,
    means_sample_size,
    planned,
    require,
    untestable_benchmark,
)
from uxlab.analysis.document import (
    add_note,
    number,
    scale_difference,
    scale_interval,
    t_interval,
    unavailable,
)
from uxlab.analysis.interpretation import interpret_benchmark
from uxlab.analysis.tidy import SurveyTable
from uxlab.stats import questionnaires as q
from uxlab.stats import ratings
from uxlab.stats.effects import pooled_sd
from uxlab.stats.nps import benchmark_nps_test, nps, nps_difference
from uxlab.stats.planning import sample_size_compare_nps
from uxlab.stats.proportions import mcnemar_test, two_proportion_test

INSTRUMENTS = ("sus", "umux_lite", "nps", "csat", "ces")
_POWER = 0.8


def questionnaire_results(survey: SurveyTable | None, variants: tuple[str, ...], *,
                          design: str, confidence: float, adjust: str,
                          benchmarks: dict) -> dict:
    """Summaries per variant and comparisons for every instrument in the survey."""
    results = {}
    for instrument in INSTRUMENTS:
        if survey is None or instrument not in survey.instruments:
            if instrument in ("sus", "umux_lite", "nps"):
                why = "no survey data" if survey is None else f"the survey has no {instrument} columns"
                results[instrument] = {"variants": {}, "comparisons": [], "note": why}
            continue
        scores = _scores(survey, instrument)
        if scores[2] == 0:
            # Columns without a single answer: the instrument was not asked (the survey CSV has
            # the SUS, UMUX-Lite and NPS columns whatever the study asked).
            results[instrument] = {"variants": {}, "comparisons": [],
                                   "note": "no respondent answered it"}
            continue
        results[instrument] = _instrument(instrument, scores, survey, variants, design=design,
                                          confidence=confidence, adjust=adjust,
                                          benchmarks=benchmarks)
    return results


def _scores(survey: SurveyTable, instrument: str) -> tuple[np.ndarray, int, int]:
    """Per-respondent scores (nan where a respondent cannot be scored), how many were not, and
    how many respondents answered at least one item."""
    if instrument in ("sus", "umux_lite"):
        matrix = survey.matrix(instrument)
        scores = (q.sus_scores(matrix) if instrument == "sus" else
                  _score_patterns(matrix, _umux_lite))
        blank = np.isnan(matrix).all(axis=1)
    else:
        scores = survey.column(instrument)
        blank = np.isnan(scores)
    excluded = int((np.isnan(scores) & ~blank).sum())
    return scores, excluded, int((~blank).sum())


def _score_patterns(matrix: np.ndarray, score) -> np.ndarray:
    """Apply ``score`` to each distinct row of answers once (respondents often answer alike).

    A row that ``score`` rejects (an item missing) scores nan.
    """
    digits = np.nan_to_num(matrix, nan=0.0).astype(np.int64)  # answers 1–7, 0 = missing
    code = digits @ (8 ** np.arange(matrix.shape[1], dtype=np.int64))
    patterns, first, inverse = np.unique(code, return_index=True, return_inverse=True)
    values = np.full(len(patterns), np.nan)
    # Whole answers go in as ints (cheaper to check than floats); rows with a gap keep their nan.
    answers = matrix[first]
    complete = ~np.isnan(answers).any(axis=1)
    rows = [whole if full else partial for whole, partial, full in zip(
        digits[first].tolist(), answers.tolist(), complete.tolist(), strict=True)]
    for i, row in enumerate(rows):
        try:
            values[i] = score(row)
        except ValueError:
            pass  # an item missing: excluded and counted by the caller
    return values[inverse]


def _umux_lite(row: list[float]) -> float:
    first, second = row
    if math.isnan(first) or math.isnan(second):
        raise ValueError("a UMUX-Lite item is missing")
    return q.umux_lite_score(int(first), int(second))


def _instrument(instrument, scored, survey, variants, *, design, confidence, adjust, benchmarks):
    scores, excluded, _ = scored
    by_variant = {v: survey.variant == v for v in variants}
    summaries = {}
    for variant in variants:
        values = scores[by_variant[variant] & ~np.isnan(scores)]
        summaries[variant] = _summary(instrument, values, variant, confidence, benchmarks)

    def values_of(variant):
        return scores[by_variant[variant] & ~np.isnan(scores)]

    def paired_values(a, b):
        mask_a, mask_b = by_variant[a] & ~np.isnan(scores), by_variant[b] & ~np.isnan(scores)
        _, index_a, index_b = np.intersect1d(survey.participant[mask_a],
                                             survey.participant[mask_b], return_indices=True)
        return scores[mask_a][index_a], scores[mask_b][index_b]

    def compare(a, b):
        if design == "within":
            x, y = paired_values(a, b)
        else:
            x, y = values_of(a), values_of(b)
        if instrument == "nps":
            require(design == "between", "the NPS comparison needs independent groups "
                                         "(between-subjects)")
            require(len(x) >= 1 and len(y) >= 1, "a variant has no NPS ratings")
            result = nps_difference(x, y, confidence)
            a_nps, b_nps = result.extra["a"], result.extra["b"]
            entry = from_test(result, effect="difference in NPS points (b - a)",
                              n_a=len(x), n_b=len(y),
                              a_estimate=a_nps.estimate, b_estimate=b_nps.estimate)
            scale_difference(entry, "nps", result.interval, x, y)
            if a_nps.estimate != b_nps.estimate:
                entry["sample_size_to_detect"] = planned(
                    sample_size_compare_nps,
                    a_nps.promoters / a_nps.n, a_nps.detractors / a_nps.n,
                    b_nps.promoters / b_nps.n, b_nps.detractors / b_nps.n, confidence, _POWER)
            return entry
        if instrument == "csat":
            return _compare_top_two_box(x, y, design, confidence)
        require(len(x) >= 2 and len(y) >= 2, "fewer than 2 values in a variant")
        if design == "within":
            result = ratings.compare_means_within(x, y, confidence)
            effect_size = {"name": "paired d_z", "value": number(result.extra["paired_d"])}
            sd = float(np.std(y - x, ddof=1))
        else:
            result = ratings.compare_means_between(x, y, confidence)
            effect_size = {"name": "hedges g", "value": number(result.extra["hedges_g"])}
            sd = pooled_sd(x, y)
        entry = from_test(result, effect="difference in means (b - a)",
                          n_a=len(x), n_b=len(y),
                          a_estimate=result.extra["mean_a"], b_estimate=result.extra["mean_b"],
                          effect_size=effect_size)
        scale_difference(entry, instrument, result.interval, x, y)
        entry["sample_size_to_detect"] = means_sample_size(
            sd, result.difference, confidence, _POWER, paired=design == "within")
        return entry

    omnibus = None
    note = None
    if instrument in ("sus", "umux_lite", "ces") and design == "between":
        def omnibus():
            groups = [values_of(v) for v in variants]
            require(all(len(g) >= 2 for g in groups), "fewer than 2 values in a variant")
            return from_test(ratings.means_omnibus(groups))
    else:
        note = ("no omnibus test for this instrument" if design == "between" else
                "no omnibus test for within-subjects designs; the pairwise comparisons are "
                "adjusted for multiplicity")
    comparisons = comparison_family(instrument, variants, compare, omnibus,
                                    confidence=confidence, design=design, adjust=adjust,
                                    omnibus_note=note)
    result = {"variants": summaries, "comparisons": comparisons}
    if excluded:
        result["note"] = (f"{excluded} respondent{'s' if excluded > 1 else ''} not scored "
                          + ("(more than one SUS item missing)" if instrument == "sus" else
                             "(an item missing)"))
    return result


def _summary(instrument, values, variant, confidence, benchmarks) -> dict:
    n = int(values.size)
    if instrument == "nps":
        if n == 0:
            return unavailable("no ratings", "score", "low", "high", n=0)
        estimate = nps(values.astype(int), confidence)
        summary = scale_interval({"n": n, "score": estimate.estimate}, "nps",
                                 estimate.computed_low, estimate.computed_high)
        summary.update(promoters=estimate.promoters, passives=estimate.passives,
                       detractors=estimate.detractors, method=estimate.method)
        target = benchmarks.get("nps")
        if target is not None:
            summary["benchmark"] = _benchmark(
                benchmark_nps_test(values.astype(int), target, confidence), target, variant,
                f"{estimate.estimate:.0f}", confidence, "nps")
        return summary
    if instrument == "csat":
        if n == 0:
            return unavailable("no ratings", "estimate", "low", "high", n=0)
        estimate = q.csat_top_two_box(values.astype(int), 5, confidence)
        summary = scale_interval({"n": n, "estimate": estimate.estimate}, "csat", estimate.low,
                                 estimate.high)
        summary["method"] = "top-two-box, " + estimate.method
        return summary
    keys = ("mean", "low", "high")
    if instrument == "sus":
        keys += ("grade", "percentile")
    elif instrument == "umux_lite":
        keys += ("sus_equivalent",)
    if n < 2:
        return unavailable("fewer than 2 values" if n else "no answers", *keys, n=n)
    if instrument == "sus":
        estimate = q.sus_summary(values, confidence)
    elif instrument == "ces":
        estimate = q.ces_summary(values, confidence)
    else:
        estimate = q.umux_lite_summary(values, confidence)
    summary = scale_interval({"n": n, "mean": estimate.estimate}, instrument, estimate.low,
                             estimate.high)
    summary["method"] = t_interval(estimate.method)
    if instrument == "sus":
        summary["grade"] = q.sus_grade(estimate.estimate)
        summary["percentile"] = q.sus_percentile(estimate.estimate)
        target = benchmarks.get("sus")
        if target is not None:
            summary["benchmark"] = _mean_benchmark(q.benchmark_sus_test, values, target, variant,
                                                   f"{estimate.estimate:.1f}", confidence, "sus")
    elif instrument == "umux_lite":
        summary["sus_equivalent"] = q.umux_lite_sus_equivalent(estimate.estimate)
        target = benchmarks.get("umux_lite")
        if target is not None:
            summary["benchmark"] = _mean_benchmark(q.benchmark_umux_lite_test, values, target,
                                                   variant, f"{estimate.estimate:.1f}",
                                                   confidence, "umux_lite")
    return summary


def _compare_top_two_box(x, y, design, confidence) -> dict:
    require(len(x) >= 1 and len(y) >= 1, "a variant has no ratings")
    top_x, top_y = x >= 4, y >= 4
    if design == "within":
        result = mcnemar_test(int((top_x & top_y).sum()), int((top_x & ~top_y).sum()),
                              int((~top_x & top_y).sum()), int((~top_x & ~top_y).sum()),
                              confidence)
    else:
        result = two_proportion_test(int(top_x.sum()), len(x), int(top_y.sum()), len(y),
                                     confidence)
    return from_test(result, effect="difference in proportions (b - a)",
                     a_estimate=float(top_x.mean()), b_estimate=float(top_y.mean()),
                     n_a=len(x), n_b=len(y))


def _mean_benchmark(test, values, target, variant, shown, confidence, metric) -> dict:
    """A mean score's one-sample benchmark test, or why it cannot be tested."""
    try:
        result = test(values, target, confidence)
    except ValueError as error:  # scores that do not vary: no t-test is defined
        return untestable_benchmark(error, variant=variant, metric=metric, target=target,
                                    alternative="greater", shown=shown, target_text=f"{target:g}")
    return _benchmark(result, target, variant, shown, confidence, metric)


def _benchmark(result, target, variant, shown, confidence, metric="sus") -> dict:
    entry = from_test(result, target=target, alternative=result.alternative)
    if entry["low"] is None or entry["high"] is None:
        add_note(entry, "one-sided test: the interval is open on one side")
    entry["interpretation"] = interpret_benchmark(variant, metric, entry, confidence=confidence,
                                                  shown=shown, target=f"{target:g}")
    return entry

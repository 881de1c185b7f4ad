"""Task times: averages with intervals, comparisons and benchmarks on the log scale.

Task times are positively skewed (a few participants take much longer), so, following Sauro &
Lewis, *Quantifying the User Experience* (2nd ed., 2016), chapters 3–5, times are analysed as
natural logarithms of seconds and reported back-transformed: a mean of logs becomes a geometric
mean, a difference of logs a ratio of geometric means (B / A; below 1 means B is faster).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np
from scipy import stats

from uxlab.stats.effects import hedges_g, paired_d
from uxlab.stats.ratings import means_omnibus
from uxlab.stats.results import Estimate, Interval, TestResult, check_confidence, varies
from uxlab.stats.scales import safe_exp

# Sauro & Lewis: the geometric mean is the better centre below 25 times, the median from 25 on.
MEDIAN_FROM_N = 25


def _log_times(times: Sequence[float], name: str = "times", minimum: int = 2) -> np.ndarray:
    array = np.asarray(times, dtype=float)
    if array.ndim != 1:
        raise ValueError(f"{name} must be a one-dimensional sequence of seconds")
    if array.size < minimum:
        raise ValueError(f"{name} needs at least {minimum} values, got {array.size}")
    bad = ~(np.isfinite(array) & (array > 0))
    if bad.any():
        position = int(np.argmax(bad))
        value = float(array[position])
        raise ValueError(f"{name} must be positive finite seconds, got {value!r} at position "
                         f"{position}")
    return np.log(array)


def _varies(logs: np.ndarray, name: str, scale: float = 0.0) -> None:
    if not varies(logs, scale):
        raise ValueError(f"{name} do not vary (their variability is zero), so the t-test is "
                         f"undefined")


def geometric_mean_interval(times: Sequence[float], confidence: float = 0.95) -> Estimate:
    """Geometric mean task time with its t-interval, back-transformed from log seconds.

    The best estimate of the typical task time for fewer than 25 times (Sauro & Lewis); the
    interval is asymmetric around it, as skewed times are.

    Parameters
    ----------
    times : sequence of float
        Task times in seconds, all positive, at least two.
    confidence : float
        Two-sided confidence level.

    Returns
    -------
    Estimate
        ``estimate`` = exp(mean ln t); ``interval`` = exp(mean ln t ± t* s / √n).

    Notes
    -----
    s is the sample standard deviation of ln t (ddof = 1) and t* the (1 + confidence) / 2
    quantile of Student's t with n − 1 degrees of freedom.

    References
    ----------
    Sauro, J., & Lewis, J. R. (2016). *Quantifying the User Experience* (2nd ed.), ch. 3.
    Sauro, J., & Lewis, J. R. (2010). Average task times in usability tests: What to report?
    *Proceedings of CHI 2010*, 2347–2350.
    """
    logs = _log_times(times)
    confidence = check_confidence(confidence)
    mean = logs.mean()
    margin = stats.t.ppf((1 + confidence) / 2, logs.size - 1) * logs.std(ddof=1) / math.sqrt(
        logs.size)
    interval = Interval(safe_exp(mean - margin), safe_exp(mean + margin), confidence)
    return Estimate(math.exp(mean), interval, "geometric mean (t-interval on log times)",
                    int(logs.size))


def median_interval(times: Sequence[float], confidence: float = 0.95) -> Estimate:
    """Median task time with a distribution-free interval from the binomial distribution.

    The best estimate of the typical task time from 25 times on (Sauro & Lewis); the interval
    bounds are two of the observed times.

    Parameters
    ----------
    times : sequence of float
        Task times in seconds. Small samples cannot reach every confidence level (with n times
        the widest interval, min to max, covers 1 − 2 · 0.5ⁿ); then ``ValueError`` is raised.
    confidence : float
        Two-sided confidence level (the coverage reached is at least this).

    Returns
    -------
    Estimate
        ``estimate`` = sample median; ``interval`` = (t₍ₖ₎, t₍ₙ₋ₖ₊₁₎), order statistics.

    Notes
    -----
    The number of times below the population median is Binomial(n, ½). k is the largest rank
    with P(X ≤ k − 1) ≤ (1 − confidence) / 2, so P(t₍ₖ₎ ≤ median ≤ t₍ₙ₋ₖ₊₁₎) =
    1 − 2 P(X ≤ k − 1) ≥ confidence. Sauro & Lewis find the ranks with the normal approximation
    np ± z √(np(1 − p)), p = ½; the exact ranks used here guarantee the coverage and agree with
    the approximation's rounded ranks for large samples (e.g. ranks 40 and 61 of 100 at 95%,
    Gardner & Altman).

    References
    ----------
    Sauro, J., & Lewis, J. R. (2016). *Quantifying the User Experience* (2nd ed.), ch. 3.
    Gardner, M. J., & Altman, D. G. (Eds.) (1989). *Statistics with Confidence*. BMJ, ch. 8.
    """
    logs = _log_times(times, minimum=1)
    confidence = check_confidence(confidence)
    n = logs.size
    tail = (1 - confidence) / 2
    below = int(stats.binom.ppf(tail, n, 0.5))
    if stats.binom.cdf(below, n, 0.5) > tail:
        below -= 1
    if below < 0:
        raise ValueError(f"{n} times are too few for a {confidence:.0%} interval around the "
                         f"median (the range covers only {1 - 2 * 0.5 ** n:.1%})")
    ordered = np.sort(np.asarray(times, dtype=float))
    interval = Interval(float(ordered[below]), float(ordered[n - 1 - below]), confidence)
    return Estimate(float(np.median(ordered)), interval, "median (binomial order statistics)", n)


def best_average(times: Sequence[float], confidence: float = 0.95) -> Estimate:
    """The best average task time for the sample size, with its interval.

    Returns :func:`geometric_mean_interval` for fewer than 25 times and :func:`median_interval`
    from 25 on; ``method`` says which.

    Notes
    -----
    Sauro & Lewis (2010) found by simulation on 61 large usability datasets that the sample median
    overestimates the population median in small samples, while the geometric mean had less error
    and bias below about 25 participants.

    References
    ----------
    Sauro, J., & Lewis, J. R. (2016). *Quantifying the User Experience* (2nd ed.), ch. 3.
    Sauro, J., & Lewis, J. R. (2010). *Proceedings of CHI 2010*, 2347–2350.
    """
    logs = _log_times(times, minimum=1)
    if logs.size < MEDIAN_FROM_N:
        return geometric_mean_interval(times, confidence)
    return median_interval(times, confidence)


def compare_times_between(a: Sequence[float], b: Sequence[float],
                          confidence: float = 0.95) -> TestResult:
    """Compare the task times of two independent groups (A, B) with Welch's t on log times.

    Returns
    -------
    TestResult
        ``test`` = ``"welch t (log times)"``; ``statistic`` = t (positive when B is slower);
        ``df`` = Welch–Satterthwaite degrees of freedom (fractional, as scipy computes them);
        ``difference`` = geometric mean ratio B / A with its ``interval``; ``extra`` holds both
        geometric means, the difference of mean logs and Hedges' g of the log times.

    Notes
    -----
    t = (ȳ_B − ȳ_A) / √(s_A²/n_A + s_B²/n_B) on y = ln t, via
    ``scipy.stats.ttest_ind(equal_var=False)``; the interval of ȳ_B − ȳ_A is exponentiated.
    Hedges' g is :func:`uxlab.stats.effects.hedges_g` of the log times. One group of equal
    times is fine (its variance is 0); when neither group's times vary (each group's own range,
    :func:`uxlab.stats.results.varies`) t is undefined and ``ValueError`` is raised.

    References
    ----------
    Sauro, J., & Lewis, J. R. (2016). *Quantifying the User Experience* (2nd ed.), ch. 5.
    Welch, B. L. (1947). The generalization of "Student's" problem when several different
    population variances are involved. *Biometrika*, 34(1/2), 28–35.
    """
    log_a = _log_times(a, "a")
    log_b = _log_times(b, "b")
    confidence = check_confidence(confidence)
    # Each group's own spread: deviations from the group means would carry the means' rounding
    # error, which two groups of identical times then "differ" by.
    constant_a, constant_b = not varies(log_a), not varies(log_b)
    if constant_a and constant_b:
        raise ValueError("the times do not vary within either group (their variability is "
                         "zero), so Welch's t is undefined")
    with warnings.catch_warnings():
        if constant_a or constant_b:
            # scipy warns of "precision loss" for a group of identical values; its variance is
            # exactly zero then, which Welch's standard error handles correctly.
            warnings.filterwarnings("ignore", "Precision loss occurred", RuntimeWarning)
        result = stats.ttest_ind(log_b, log_a, equal_var=False)
    low, high = result.confidence_interval(confidence)
    log_difference = float(log_b.mean() - log_a.mean())
    extra = {"geometric_mean_a": math.exp(log_a.mean()),
             "geometric_mean_b": math.exp(log_b.mean()),
             "log_difference": log_difference, "hedges_g": hedges_g(log_a, log_b)}
    return TestResult("welch t (log times)", float(result.statistic), float(result.pvalue),
                      df=float(result.df), difference=safe_exp(log_difference),
                      interval=Interval(safe_exp(low), safe_exp(high), confidence), extra=extra)


def compare_times_within(a: Sequence[float], b: Sequence[float],
                         confidence: float = 0.95) -> TestResult:
    """Compare task times of the same participants on A and B with a paired t on log times.

    Parameters
    ----------
    a, b : sequence of float
        Times in seconds, participant i at position i in both.

    Returns
    -------
    TestResult
        ``test`` = ``"paired t (log times)"``; ``difference`` = geometric mean of the ratios
        B / A with its ``interval``; ``extra`` holds d_z of the log times.

    Notes
    -----
    With dᵢ = ln bᵢ − ln aᵢ: t = d̄ / (s_d / √n) on n − 1 df (``scipy.stats.ttest_rel``);
    the interval of d̄ is exponentiated. When the ratios bᵢ / aᵢ do not vary (the dᵢ agree up to
    the rounding of the logs, :func:`uxlab.stats.results.varies`) t is undefined and
    ``ValueError`` is raised.

    References
    ----------
    Sauro, J., & Lewis, J. R. (2016). *Quantifying the User Experience* (2nd ed.), ch. 5.
    """
    log_a = _log_times(a, "a")
    log_b = _log_times(b, "b")
    if log_a.size != log_b.size:
        raise ValueError(f"paired times must have the same length, got {log_a.size} and "
                         f"{log_b.size}")
    confidence = check_confidence(confidence)
    # ln b − ln a of a constant ratio still differs in the last bits from pair to pair.
    _varies(log_b - log_a, "the ratios of the paired times",
            scale=1 + float(np.abs(log_a).max() + np.abs(log_b).max()))
    result = stats.ttest_rel(log_b, log_a)
    low, high = result.confidence_interval(confidence)
    log_difference = float((log_b - log_a).mean())
    extra = {"log_difference": log_difference, "d_z": paired_d(log_a, log_b)}
    return TestResult("paired t (log times)", float(result.statistic), float(result.pvalue),
                      df=float(result.df), difference=safe_exp(log_difference),
                      interval=Interval(safe_exp(low), safe_exp(high), confidence), extra=extra)


def benchmark_time_test(times: Sequence[float], target: float,
                        confidence: float = 0.95) -> TestResult:
    """Test whether the typical task time is below a target time (one-sided).

    Parameters
    ----------
    times : sequence of float
        Task times in seconds.
    target : float
        The benchmark time in seconds, positive.
    confidence : float
        1 − α of the one-sided test; the interval bounds are one-sided bounds at this level.

    Returns
    -------
    TestResult
        ``test`` = ``"one-sample t (log times)"``, ``alternative`` = ``"less"``; ``difference`` =
        geometric mean / target with a two-sided (2·confidence − 1) interval, whose upper bound is
        the one-sided bound; ``extra["meets_target"]`` says whether the geometric mean is
        significantly below the target.

    Notes
    -----
    t = (mean ln t − ln target) / (s / √n) on n − 1 df, p = P(T ≤ t)
    (``scipy.stats.ttest_1samp(..., alternative="less")``).

    References
    ----------
    Sauro, J., & Lewis, J. R. (2016). *Quantifying the User Experience* (2nd ed.), ch. 4.
    """
    logs = _log_times(times)
    if isinstance(target, bool) or not (isinstance(target, (int, float)) and target > 0
                                        and math.isfinite(target)):
        raise ValueError(f"target must be a positive number of seconds, got {target!r}")
    confidence = check_confidence(confidence)
    _varies(logs, "the times")
    result = stats.ttest_1samp(logs, math.log(target), alternative="less")
    margin = stats.t.ppf(confidence, logs.size - 1) * logs.std(ddof=1) / math.sqrt(logs.size)
    mean = float(logs.mean())
    interval = Interval(safe_exp(mean - margin) / target, safe_exp(mean + margin) / target,
                        confidence)
    extra = {"geometric_mean": math.exp(mean), "target": float(target),
             "meets_target": bool(result.pvalue < 1 - confidence)}
    return TestResult("one-sample t (log times)", float(result.statistic), float(result.pvalue),
                      alternative="less", df=float(result.df), difference=math.exp(mean) / target,
                      interval=interval, extra=extra)


def times_omnibus(groups: Sequence[Sequence[float]]) -> TestResult:
    """Test whether two or more variants share one typical task time.

    Use it before pairwise comparisons when a study has three or more variants. Welch's ANOVA
    does not assume equal variances; the Kruskal–Wallis test, which needs no distributional
    assumption at all, is reported beside it.

    Parameters
    ----------
    groups : sequence of sequences of float
        Task times in seconds per variant, at least two variants of at least two times each.

    Returns
    -------
    TestResult
        ``test`` = ``"welch anova (log times)"``; ``statistic`` = F; ``df`` = the denominator
        degrees of freedom; ``extra`` holds ``df_num`` (k − 1), the geometric means and
        ``kruskal_wallis``, a :class:`TestResult` of ``scipy.stats.kruskal`` on the times.

    Notes
    -----
    Welch's ANOVA (:func:`uxlab.stats.ratings.means_omnibus`) on yᵢⱼ = ln tᵢⱼ: with wᵢ = nᵢ / sᵢ²,
    W = Σ wᵢ, ȳ_w = Σ wᵢ ȳᵢ / W and Λ = Σ (1 − wᵢ/W)² / (nᵢ − 1),
    F = [Σ wᵢ (ȳᵢ − ȳ_w)² / (k − 1)] / [1 + 2 (k − 2) Λ / (k² − 1)] on k − 1 and
    (k² − 1) / (3 Λ) degrees of freedom. For k = 2 it equals the square of Welch's t.
    Kruskal–Wallis H (``scipy.stats.kruskal``) ranks the times; logs do not change the ranks.

    References
    ----------
    Welch, B. L. (1951). On the comparison of several mean values: An alternative approach.
    *Biometrika*, 38(3/4), 330–336.
    Kruskal, W. H., & Wallis, W. A. (1952). Use of ranks in one-criterion variance analysis.
    *JASA*, 47(260), 583–621.
    """
    if len(groups) < 2:
        raise ValueError(f"times_omnibus needs at least two groups, got {len(groups)}")
    logs = [_log_times(g, f"groups[{i}]") for i, g in enumerate(groups)]
    welch = means_omnibus(logs)
    kruskal = stats.kruskal(*logs)
    extra = {"df_num": welch.extra["df_num"],
             "geometric_means": [math.exp(m) for m in welch.extra["means"]],
             "kruskal_wallis": TestResult("kruskal-wallis", float(kruskal.statistic),
                                          float(kruskal.pvalue), df=float(len(logs) - 1))}
    return TestResult("welch anova (log times)", welch.statistic, welch.pvalue, df=welch.df,
                      extra=extra)

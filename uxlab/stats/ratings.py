"""Rating scales: validation, means with t-intervals and comparisons of rating means.

The shared machinery behind the questionnaires (SUS, UMUX-Lite, SEQ, CES) and any other rating:
a mean with its t-interval (Sauro & Lewis, *Quantifying the User Experience*, 2nd ed., 2016,
ch. 3) and the comparisons of two means, Welch's t between subjects and the paired t within, each
with an effect size (ch. 5).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import numpy as np
from scipy import stats

from uxlab.stats.effects import cohens_d, hedges_g, paired_d
from uxlab.stats.results import Estimate, Interval, TestResult, check_confidence, varies


def _ratings(values: Sequence[float], name: str, low: float, high: float,
             minimum: int = 2, integers: bool = False) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    if array.ndim != 1:
        raise ValueError(f"{name} must be a one-dimensional sequence of numbers")
    if array.size < minimum:
        raise ValueError(f"{name} needs at least {minimum} values, got {array.size}")
    bad = array[~np.isfinite(array) | (array < low) | (array > high)
                | ((array != np.round(array)) if integers else False)]
    if bad.size:
        kind = "integers" if integers else "values"
        raise ValueError(f"{name} must be {kind} from {low:g} to {high:g}, found {bad[0]:g}")
    return array


def _mean_with_t_interval(values: np.ndarray, confidence: float, method: str) -> Estimate:
    confidence = check_confidence(confidence)
    mean = float(values.mean())
    if not varies(values):
        low = high = mean
    else:
        low, high = stats.t.interval(confidence, values.size - 1, loc=mean,
                                     scale=float(stats.sem(values)))
    return Estimate(mean, Interval(float(low), float(high), confidence), method, values.size)


@contextmanager
def _exactly_constant_samples_allowed(*samples: np.ndarray) -> Iterator[None]:
    # scipy warns of "precision loss" for any constant sample. For equal ratings (all 7s, say)
    # nothing is lost, so that one warning is silenced; near-constant data still warn.
    with warnings.catch_warnings():
        if any(not varies(sample) for sample in samples):
            warnings.filterwarnings("ignore", message="Precision loss occurred",
                                    category=RuntimeWarning)
        yield


def compare_means_between(a: Sequence[float], b: Sequence[float],
                          confidence: float = 0.95) -> TestResult:
    """Welch t-test of two independent groups' rating means (B − A), with effect sizes.

    Returns
    -------
    TestResult
        Welch t (fractional Welch–Satterthwaite df), the difference of means with its interval,
        and ``extra`` = means, Cohen's d and Hedges' g.

    References
    ----------
    Welch, B. L. (1947). The generalization of "Student's" problem when several different
    population variances are involved. *Biometrika*, 34(1/2), 28–35.
    Sauro, J., & Lewis, J. R. (2016). *Quantifying the User Experience* (2nd ed.), ch. 5.
    """
    confidence = check_confidence(confidence)
    x = _ratings(a, "a", -math.inf, math.inf)
    y = _ratings(b, "b", -math.inf, math.inf)
    if not varies(x) and not varies(y):
        raise ValueError("both groups have zero variance: a t-test is undefined")
    with _exactly_constant_samples_allowed(x, y):
        result = stats.ttest_ind(y, x, equal_var=False)
    low, high = result.confidence_interval(confidence)
    return TestResult(
        test="welch t",
        statistic=float(result.statistic),
        pvalue=float(result.pvalue),
        df=float(result.df),
        difference=float(y.mean() - x.mean()),
        interval=Interval(float(low), float(high), confidence),
        extra={"mean_a": float(x.mean()), "mean_b": float(y.mean()),
               "cohens_d": cohens_d(x, y), "hedges_g": hedges_g(x, y)},
    )


def compare_means_within(a: Sequence[float], b: Sequence[float],
                         confidence: float = 0.95) -> TestResult:
    """Paired t-test of the same participants' ratings of A and B (B − A), with d_z.

    References
    ----------
    Sauro, J., & Lewis, J. R. (2016). *Quantifying the User Experience* (2nd ed.), ch. 5
    ("Within-subjects comparison (paired t-test)").
    """
    confidence = check_confidence(confidence)
    x = _ratings(a, "a", -math.inf, math.inf)
    y = _ratings(b, "b", -math.inf, math.inf)
    if x.size != y.size:
        raise ValueError(f"paired samples must have the same length, got {x.size} and {y.size}")
    # Differences of equally shifted non-integer ratings differ in the last bits.
    if not varies(y - x, scale=float(max(np.abs(x).max(), np.abs(y).max()))):
        raise ValueError("every pair differs by the same amount: a paired t-test is undefined")
    result = stats.ttest_rel(y, x)
    low, high = result.confidence_interval(confidence)
    return TestResult(
        test="paired t",
        statistic=float(result.statistic),
        pvalue=float(result.pvalue),
        df=float(result.df),
        difference=float((y - x).mean()),
        interval=Interval(float(low), float(high), confidence),
        extra={"mean_a": float(x.mean()), "mean_b": float(y.mean()),
               "paired_d": paired_d(x, y)},
    )

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


def means_omnibus(groups: Sequence[Sequence[float]]) -> TestResult:
    """Welch's ANOVA: do two or more independent groups share one mean rating?

    The omnibus test before the pairwise Welch t-tests of SEQ, SUS, UMUX-Lite or CES means when a
    study has three or more variants; like them it does not assume equal variances. Task times use
    it on log seconds (:func:`uxlab.stats.times.times_omnibus`).

    Parameters
    ----------
    groups : sequence of sequences of float
        The values of each group (variant), at least two groups of at least two values each; every
        group's values must vary.

    Returns
    -------
    TestResult
        ``test`` = ``"welch anova"``; ``statistic`` = F; ``df`` = the denominator degrees of
        freedom; ``extra`` holds ``df_num`` (k − 1) and the group ``means``.

    Notes
    -----
    With group sizes nᵢ, means ȳᵢ and variances sᵢ² (ddof = 1): wᵢ = nᵢ / sᵢ², W = Σ wᵢ,
    ȳ_w = Σ wᵢ ȳᵢ / W, Λ = Σ (1 − wᵢ/W)² / (nᵢ − 1),
    F = [Σ wᵢ (ȳᵢ − ȳ_w)² / (k − 1)] / [1 + 2 (k − 2) Λ / (k² − 1)],
    on k − 1 and (k² − 1) / (3 Λ) degrees of freedom; p from the F distribution. For k = 2, F is
    the square of Welch's t. A group whose values do not vary has an infinite weight, so the test
    is undefined (``ValueError``). ``scipy.stats.f_oneway(equal_var=False)`` computes the same F
    from scipy 1.15 on; uxlab supports older scipy, so it computes F itself (the tests check the
    two agree).

    References
    ----------
    Welch, B. L. (1951). On the comparison of several mean values: An alternative approach.
    *Biometrika*, 38(3/4), 330–336.
    """
    if len(groups) < 2:
        raise ValueError(f"Welch's ANOVA needs at least two groups, got {len(groups)}")
    arrays = [_ratings(g, f"groups[{i}]", -math.inf, math.inf) for i, g in enumerate(groups)]
    for i, values in enumerate(arrays):
        if not varies(values):
            raise ValueError(f"the values of groups[{i}] do not vary (their variability is "
                             f"zero), so Welch's ANOVA is undefined")
    k = len(arrays)
    sizes = np.array([g.size for g in arrays], dtype=float)
    means = np.array([g.mean() for g in arrays])
    weights = sizes / np.array([g.var(ddof=1) for g in arrays])
    total = weights.sum()
    centre = (weights * means).sum() / total
    lam = ((1 - weights / total) ** 2 / (sizes - 1)).sum()
    statistic = ((weights * (means - centre) ** 2).sum() / (k - 1)) / (
        1 + 2 * (k - 2) * lam / (k * k - 1))
    df_den = (k * k - 1) / (3 * lam)
    pvalue = float(stats.f.sf(statistic, k - 1, df_den))
    return TestResult("welch anova", float(statistic), pvalue, df=float(df_den),
                      extra={"df_num": float(k - 1), "means": [float(m) for m in means]})

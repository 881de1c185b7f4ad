"""Errors, clicks and other per-participant counts: means, comparisons and error rates.

Counts are small, discrete and often piled up at zero, so comparisons use rank tests
(Mann–Whitney between subjects, Wilcoxon signed-rank within), each reported with the difference of
means and its t-based interval so the size of the difference is visible beside the p-value
(Sauro & Lewis, *Quantifying the User Experience*, 2nd ed., 2016, chapters 3 and 5).
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Sequence

import numpy as np
from scipy import stats

from uxlab.stats.proportions import completion_interval
from uxlab.stats.results import Estimate, Interval, TestResult, check_confidence, varies


def _values(values: Sequence[float], name: str, minimum: int = 2) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    if array.ndim != 1:
        raise ValueError(f"{name} must be a one-dimensional sequence of numbers")
    if array.size < minimum:
        raise ValueError(f"{name} needs at least {minimum} values, got {array.size}")
    bad = ~(np.isfinite(array) & (array >= 0))
    if bad.any():
        position = int(np.argmax(bad))
        raise ValueError(f"{name} must be non-negative finite counts, got "
                         f"{float(array[position])!r} at position {position}")
    return array


def mean_interval(values: Sequence[float], confidence: float = 0.95) -> Estimate:
    """Mean count (errors, clicks) per participant with its t confidence interval.

    Parameters
    ----------
    values : sequence of float
        One non-negative count per participant, at least two.
    confidence : float
        Two-sided confidence level.

    Returns
    -------
    Estimate
        ``estimate`` = mean; ``interval`` = mean ± t* s / √n (a single point when every value is
        the same, e.g. nobody made an error).

    Notes
    -----
    t* is the (1 + confidence) / 2 quantile of Student's t on n − 1 df, s the sample standard
    deviation (ddof = 1). The t-interval is robust enough for means of counts at usability sample
    sizes (Sauro & Lewis ch. 3); lower bounds below zero are reported as computed.

    References
    ----------
    Sauro, J., & Lewis, J. R. (2016). *Quantifying the User Experience* (2nd ed.), ch. 3.
    """
    array = _values(values, "values")
    confidence = check_confidence(confidence)
    mean = float(array.mean())
    if not varies(array):
        interval = Interval(mean, mean, confidence)
    else:
        low, high = stats.t.interval(confidence, array.size - 1, loc=mean,
                                     scale=stats.sem(array))
        interval = Interval(float(low), float(high), confidence)
    return Estimate(mean, interval, "t-interval", int(array.size))


def compare_counts_between(a: Sequence[float], b: Sequence[float],
                           confidence: float = 0.95) -> TestResult:
    """Compare counts of two independent groups (A, B) with the Mann–Whitney U test.

    Returns
    -------
    TestResult
        ``test`` = ``"mann-whitney u"``; ``statistic`` = U of B (large when B's counts are
        larger); two-sided ``pvalue``; ``difference`` = mean(B) − mean(A) with a Welch
        ``interval``; ``extra`` holds both means and the Welch degrees of freedom.

    Notes
    -----
    ``scipy.stats.mannwhitneyu(b, a, alternative="two-sided")``: exact p for small samples
    without ties, else the normal approximation with tie and continuity corrections. When every
    count in both groups is the same the groups cannot differ and p = 1.
    Interval: d ± t* √(s_A²/n_A + s_B²/n_B) with Welch–Satterthwaite df
    (``scipy.stats.ttest_ind(b, a, equal_var=False).confidence_interval``).

    References
    ----------
    Mann, H. B., & Whitney, D. R. (1947). On a test of whether one of two random variables is
    stochastically larger than the other. *Annals of Mathematical Statistics*, 18(1), 50–60.
    Welch, B. L. (1947). *Biometrika*, 34(1/2), 28–35.
    Sauro, J., & Lewis, J. R. (2016). *Quantifying the User Experience* (2nd ed.), ch. 5.
    """
    x = _values(a, "a")
    y = _values(b, "b")
    confidence = check_confidence(confidence)
    difference = float(y.mean() - x.mean())
    # Each group's spread from np.ptp, not from its variance: a mean of equal non-integer counts
    # can miss them by a unit in the last place, leaving a tiny "variance" and a bogus interval.
    constant_x, constant_y = not varies(x), not varies(y)
    if constant_x and constant_y:
        difference = float(y[0] - x[0])
        df, interval = float(x.size + y.size - 2), Interval(difference, difference, confidence)
    else:
        with warnings.catch_warnings():
            if constant_x or constant_y:
                # scipy warns of "precision loss" for a group of identical counts (e.g. nobody
                # erred); the variance is exactly zero then and Welch's interval is still right.
                warnings.filterwarnings("ignore", "Precision loss occurred", RuntimeWarning)
            welch = stats.ttest_ind(y, x, equal_var=False)
        df, interval = float(welch.df), Interval(*map(float, welch.confidence_interval(
            confidence)), confidence)
    if np.ptp(np.concatenate([x, y])) == 0:
        statistic, pvalue = x.size * y.size / 2, 1.0
    else:
        result = stats.mannwhitneyu(y, x, alternative="two-sided")
        statistic, pvalue = float(result.statistic), float(result.pvalue)
    extra = {"mean_a": float(x.mean()), "mean_b": float(y.mean()), "welch_df": float(df)}
    return TestResult("mann-whitney u", statistic, pvalue, difference=difference,
                      interval=interval, extra=extra)


def compare_counts_within(a: Sequence[float], b: Sequence[float],
                          confidence: float = 0.95) -> TestResult:
    """Compare counts of the same participants on A and B with the Wilcoxon signed-rank test.

    Parameters
    ----------
    a, b : sequence of float
        Counts, participant i at position i in both.

    Returns
    -------
    TestResult
        ``test`` = ``"wilcoxon signed-rank"``; ``statistic`` = min(W⁺, W⁻) as scipy reports it for
        a two-sided test; ``difference`` = mean(B − A) with a paired-t ``interval``.

    Notes
    -----
    ``scipy.stats.wilcoxon(b − a)``: zero differences are dropped (Wilcoxon's method), exact p
    for small samples without ties, else the normal approximation. When every difference is zero
    p = 1. Interval: d̄ ± t* s_d / √n on n − 1 df (``scipy.stats.ttest_rel``).

    References
    ----------
    Wilcoxon, F. (1945). Individual comparisons by ranking methods. *Biometrics Bulletin*, 1(6),
    80–83.
    Sauro, J., & Lewis, J. R. (2016). *Quantifying the User Experience* (2nd ed.), ch. 5.
    """
    x = _values(a, "a")
    y = _values(b, "b")
    if x.size != y.size:
        raise ValueError(f"paired counts must have the same length, got {x.size} and {y.size}")
    confidence = check_confidence(confidence)
    differences = y - x
    mean = float(differences.mean())
    # Equal shifts of non-integer counts leave differences that differ in the last bits.
    if not varies(differences, scale=float(max(x.max(), y.max()))):
        interval = Interval(mean, mean, confidence)
    else:
        paired = stats.ttest_rel(y, x)
        interval = Interval(*map(float, paired.confidence_interval(confidence)), confidence)
    if not differences.any():
        statistic, pvalue = 0.0, 1.0
    else:
        result = stats.wilcoxon(differences)
        statistic, pvalue = float(result.statistic), float(result.pvalue)
    return TestResult("wilcoxon signed-rank", statistic, pvalue, difference=mean,
                      interval=interval, extra={"nonzero_pairs": int(np.count_nonzero(differences))})


def counts_omnibus(groups: Sequence[Sequence[float]]) -> TestResult:
    """Kruskal–Wallis test: do the counts (errors, clicks) of two or more variants differ?

    The omnibus test before the pairwise Mann–Whitney tests when a study has three or more
    variants; like them it uses ranks, so piles of zeros and a few large counts do no harm.

    Parameters
    ----------
    groups : sequence of sequences of float
        Non-negative counts of each group (variant), at least two groups of at least one value.

    Returns
    -------
    TestResult
        ``test`` = ``"kruskal-wallis"``; ``statistic`` = H; ``df`` = k − 1.

    Notes
    -----
    H = 12 / (N (N + 1)) Σ Rᵢ² / nᵢ − 3 (N + 1) with Rᵢ the rank sum of group i (mid-ranks for
    ties), divided by the tie correction 1 − Σ (t³ − t) / (N³ − N); p from χ² on k − 1 df
    (``scipy.stats.kruskal``). When every count is the same the groups cannot differ: H = 0 and
    p = 1.

    References
    ----------
    Kruskal, W. H., & Wallis, W. A. (1952). Use of ranks in one-criterion variance analysis.
    *JASA*, 47(260), 583–621.
    Sauro, J., & Lewis, J. R. (2016). *Quantifying the User Experience* (2nd ed.), ch. 5.
    """
    if len(groups) < 2:
        raise ValueError(f"counts_omnibus needs at least two groups, got {len(groups)}")
    arrays = [_values(g, f"groups[{i}]", minimum=1) for i, g in enumerate(groups)]
    df = float(len(arrays) - 1)
    # Exact equality, as ranks see it: equal counts tie whatever their rounding.
    if np.ptp(np.concatenate(arrays)) == 0:
        return TestResult("kruskal-wallis", 0.0, 1.0, df=df)
    result = stats.kruskal(*arrays)
    return TestResult("kruskal-wallis", float(result.statistic), float(result.pvalue), df=df)


def error_rate(errors, opportunities, confidence: float = 0.95) -> Estimate:
    """Errors per error opportunity, with an adjusted-Wald interval.

    Use it where a task defines how many errors a participant could make (e.g. fields of a form);
    the rate is then comparable across tasks of different length.

    Parameters
    ----------
    errors : int or sequence of int
        Errors per participant (or the total).
    opportunities : int or sequence of int
        Error opportunities per participant: one number for all, or one per participant.
    confidence : float
        Two-sided confidence level.

    Returns
    -------
    Estimate
        ``estimate`` = Σ errors / Σ opportunities; ``interval`` from
        :func:`uxlab.stats.proportions.completion_interval`; ``n`` = Σ opportunities.

    Notes
    -----
    Each opportunity is treated as a binomial trial (Sauro & Lewis treat an error rate as a
    proportion): p_adj = (E + z²/2) / (O + z²), p_adj ± z √(p_adj (1 − p_adj) / (O + z²)),
    one-sided z when E = 0 or E = O, clipped to [0, 1]. Errors of one participant are not fully
    independent, so the interval is somewhat optimistic when participants differ a lot.

    References
    ----------
    Sauro, J., & Lewis, J. R. (2016). *Quantifying the User Experience* (2nd ed.), ch. 3.
    Sauro, J., & Kindlund, E. (2005). A method to standardize usability metrics into a single
    score. *Proceedings of CHI 2005*, 401–409.
    """
    counts = _integers(errors, "errors")
    if isinstance(opportunities, numbers.Integral) and not isinstance(opportunities, bool):
        chances = [int(opportunities)] * len(counts)
    else:
        chances = _integers(opportunities, "opportunities")
        if len(chances) != len(counts):
            raise ValueError(f"errors and opportunities must have the same length, got "
                             f"{len(counts)} and {len(chances)}")
    for i, (e, o) in enumerate(zip(counts, chances, strict=True)):
        if o < 1:
            raise ValueError(f"opportunities must be at least 1, got {o} at position {i}")
        if e > o:
            raise ValueError(f"errors ({e}) exceed opportunities ({o}) at position {i}")
    total = sum(chances)
    result = completion_interval(sum(counts), total, confidence)
    return Estimate(result.estimate, result.interval, "adjusted-wald", total)


def _integers(values, name: str) -> list[int]:
    items = [values] if isinstance(values, numbers.Integral) else list(values)
    if not items:
        raise ValueError(f"{name} must not be empty")
    out = []
    for i, value in enumerate(items):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
            raise ValueError(f"{name} must be non-negative whole numbers, got {value!r} at "
                             f"position {i}")
        out.append(int(value))
    return out

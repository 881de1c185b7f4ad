"""Completion rates: intervals, best point estimates, comparisons and benchmarks.

Everything here works on counts (successes out of attempts), following Sauro & Lewis,
*Quantifying the User Experience* (2nd ed., 2016), chapters 3 (intervals), 4 (benchmarks) and 5
(comparisons). Differences are always B − A, so a positive difference means B completes more often.
The Bayesian comparison is in :mod:`uxlab.stats.bayesian`, the omnibus test of three or more rates
in :mod:`uxlab.stats.contingency`.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
from scipy import stats

from uxlab.stats.results import Estimate, Interval, TestResult, check_confidence

INTERVAL_METHODS = ("adjusted-wald", "wilson", "exact")


def _count(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value!r}")
    return int(value)


def _rate(successes, n, names=("successes", "n")) -> tuple[int, int]:
    x = _count(successes, names[0])
    size = _count(n, names[1])
    if size == 0:
        raise ValueError(f"{names[1]} must be at least 1, got 0")
    if x > size:
        raise ValueError(f"{names[0]} ({x}) cannot exceed {names[1]} ({size})")
    return x, size


def _two_sided_z(confidence: float) -> float:
    return float(stats.norm.ppf((1 + confidence) / 2))


def _clip(value: float, low: float = 0.0, high: float = 1.0) -> float:
    return float(min(max(value, low), high))


def completion_interval(successes: int, n: int, confidence: float = 0.95,
                        method: str = "adjusted-wald") -> Estimate:
    """Completion rate with its confidence interval.

    The estimate is the observed rate x / n; the interval is the adjusted-Wald interval by
    default (the one Sauro & Lewis recommend for usability sample sizes), or Wilson's score
    interval or the exact Clopper–Pearson interval by name.

    Parameters
    ----------
    successes, n : int
        Successful attempts and all attempts (0 ≤ successes ≤ n, n ≥ 1).
    confidence : float
        Two-sided confidence level, default 0.95.
    method : {"adjusted-wald", "wilson", "exact"}

    Returns
    -------
    Estimate
        ``estimate`` = x / n, ``interval`` at ``confidence``, ``method`` the name given.

    Notes
    -----
    Adjusted Wald (Agresti & Coull, 1998): p_adj = (x + z²/2) / (n + z²), n_adj = n + z²,
    p_adj ± z √(p_adj (1 − p_adj) / n_adj), with z the two-sided critical value. When x = 0 or
    x = n the one-sided z (Φ⁻¹(confidence)) is used instead, uxlab's convention for the one bound
    that can move (docs/statistics.md). Bounds are clipped to [0, 1].
    Wilson and exact intervals come from ``scipy.stats.binomtest(x, n).proportion_ci``.

    References
    ----------
    Sauro, J., & Lewis, J. R. (2016). *Quantifying the User Experience* (2nd ed.), ch. 3.
    Agresti, A., & Coull, B. A. (1998). Approximate is better than "exact" for interval estimation
    of binomial proportions. *The American Statistician*, 52(2), 119–126.
    Clopper, C. J., & Pearson, E. S. (1934). *Biometrika*, 26(4), 404–413.
    """
    x, size = _rate(successes, n)
    confidence = check_confidence(confidence)
    if method == "adjusted-wald":
        z = float(stats.norm.ppf(confidence)) if x in (0, size) else _two_sided_z(confidence)
        low, high = _adjusted_wald(x, size, z)
    elif method in ("wilson", "exact"):
        ci = stats.binomtest(x, size).proportion_ci(confidence_level=confidence, method=method)
        low, high = float(ci.low), float(ci.high)
    else:
        raise ValueError(f"method must be one of {INTERVAL_METHODS}, got {method!r}")
    return Estimate(x / size, Interval(low, high, confidence), method, size)


def _adjusted_wald(x: int, n: int, z: float) -> tuple[float, float]:
    n_adj = n + z * z
    p_adj = (x + z * z / 2) / n_adj
    margin = z * math.sqrt(p_adj * (1 - p_adj) / n_adj)
    return _clip(p_adj - margin), _clip(p_adj + margin)


def best_point_estimate(successes: int, n: int, confidence: float = 0.95,
                        expect_high_rates: bool = True) -> Estimate:
    """Best point estimate of a completion rate from a small sample (Lewis & Sauro's rule).

    The observed rate x / n is a poor guess when n is small and the rate is extreme (a 5/5
    success does not mean everybody succeeds). Lewis & Sauro compared estimators on real usability
    data; this applies their recommendation.

    Parameters
    ----------
    successes, n : int
        Successful attempts and all attempts.
    confidence : float
        Confidence of the Wilson adjustment and of the adjusted-Wald interval reported with it.
    expect_high_rates : bool
        True (the usual case in usability testing) when completion rates are expected between
        50% and 100%; False when any rate from 0% to 100% is as likely.

    Returns
    -------
    Estimate
        The chosen point estimate with the adjusted-Wald interval (:func:`completion_interval`);
        ``method`` names the estimator, e.g. ``"laplace (adjusted-wald interval)"``.

    Notes
    -----
    MLE = x / n; Laplace = (x + 1) / (n + 2); Wilson = (x + z²/2) / (n + z²).
    With ``expect_high_rates``: Wilson when x / n < 0.5, Laplace when x / n > 0.9, MLE otherwise.
    Without it: Laplace always. The sample size enters through the estimators themselves: the
    adjustments shrink toward 0.5 by an amount that vanishes as n grows.

    References
    ----------
    Lewis, J. R., & Sauro, J. (2006). When 100% really isn't 100%: Improving the accuracy of
    small-sample estimates of completion rates. *Journal of Usability Studies*, 1(3), 136–150.
    Sauro, J., & Lewis, J. R. (2016). *Quantifying the User Experience* (2nd ed.), ch. 3.
    """
    x, size = _rate(successes, n)
    confidence = check_confidence(confidence)
    observed = x / size
    if not expect_high_rates or observed > 0.9:
        rule, value = "laplace", (x + 1) / (size + 2)
    elif observed < 0.5:
        z = _two_sided_z(confidence)
        rule, value = "wilson", (x + z * z / 2) / (size + z * z)
    else:
        rule, value = "mle", observed
    interval = completion_interval(x, size, confidence).interval
    return Estimate(value, interval, f"{rule} (adjusted-wald interval)", size)


def _difference_interval(x1: int, n1: int, x2: int, n2: int, confidence: float) -> Interval:
    z = _two_sided_z(confidence)
    p1 = (x1 + z * z / 4) / (n1 + z * z / 2)
    p2 = (x2 + z * z / 4) / (n2 + z * z / 2)
    se = math.sqrt(p1 * (1 - p1) / (n1 + z * z / 2) + p2 * (1 - p2) / (n2 + z * z / 2))
    return Interval(_clip(p2 - p1 - z * se, -1), _clip(p2 - p1 + z * se, -1), confidence)


def two_proportion_test(x1: int, n1: int, x2: int, n2: int,
                        confidence: float = 0.95) -> TestResult:
    """Compare the completion rates of two independent groups (A = 1, B = 2).

    Between-subjects comparison: different participants tried each variant. Uses the N−1
    two-proportion test, or Fisher's exact test when the table is too sparse for it.

    Parameters
    ----------
    x1, n1 : int
        Successes and attempts of variant A.
    x2, n2 : int
        Successes and attempts of variant B.
    confidence : float
        Confidence of the interval around the difference.

    Returns
    -------
    TestResult
        ``test`` is ``"n-1 two-proportion"`` (``statistic`` = z, positive when B is higher) or
        ``"fisher exact"`` (``statistic`` = probability of the observed table under the null, as
        scipy reports it for tables larger than 2 × 2; the sample odds ratio is in
        ``extra["odds_ratio"]`` and may be infinite). ``difference`` = p₂ − p₁ with its
        adjusted-Wald ``interval``; ``extra`` holds both rates and the smallest expected count.

    Notes
    -----
    z = (p̂₂ − p̂₁) / √(P Q (1/n₁ + 1/n₂)) · √((N − 1) / N), P = (x₁ + x₂) / N, Q = 1 − P,
    two-sided p from the normal distribution; z² is the "N − 1" chi-square of E. Pearson.
    Following Campbell (2007), when any expected cell count (row total × column total / N) is
    below 1 the two-sided Fisher exact test by Irwin's rule (``scipy.stats.fisher_exact``) is used.
    Interval: adjusted Wald for a difference, adding z²/4 successes and z²/2 attempts to each
    group, p̂ᵢ,adj ± z √Σ p̂ᵢ,adj (1 − p̂ᵢ,adj) / nᵢ,adj, clipped to [−1, 1].

    References
    ----------
    Sauro, J., & Lewis, J. R. (2016). *Quantifying the User Experience* (2nd ed.), ch. 5.
    Campbell, I. (2007). Chi-squared and Fisher–Irwin tests of two-by-two tables with small sample
    recommendations. *Statistics in Medicine*, 26(19), 3661–3675.
    Agresti, A., & Caffo, B. (2000). Simple and effective confidence intervals for proportions and
    differences of proportions result from adding two successes and two failures.
    *The American Statistician*, 54(4), 280–288.
    """
    x1, n1 = _rate(x1, n1, ("x1", "n1"))
    x2, n2 = _rate(x2, n2, ("x2", "n2"))
    confidence = check_confidence(confidence)
    table = np.array([[x1, n1 - x1], [x2, n2 - x2]])
    total = n1 + n2
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / total
    p1, p2 = x1 / n1, x2 / n2
    extra = {"p1": p1, "p2": p2, "min_expected": float(expected.min())}
    interval = _difference_interval(x1, n1, x2, n2, confidence)
    if expected.min() < 1:
        result = stats.fisher_exact(table)
        table_probability = stats.hypergeom.pmf(x1, total, x1 + x2, n1)
        extra["odds_ratio"] = float(result.statistic)
        return TestResult("fisher exact", float(table_probability), float(result.pvalue),
                          difference=p2 - p1, interval=interval, extra=extra)
    pooled = (x1 + x2) / total
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    z = (p2 - p1) / se * math.sqrt((total - 1) / total)
    pvalue = float(2 * stats.norm.sf(abs(z)))
    return TestResult("n-1 two-proportion", z, pvalue, difference=p2 - p1, interval=interval,
                      extra=extra)


def mcnemar_test(both: int, only_a: int, only_b: int, neither: int,
                 confidence: float = 0.95) -> TestResult:
    """Compare two completion rates measured on the same participants (within subjects).

    Parameters
    ----------
    both, only_a, only_b, neither : int
        Participants who succeeded on both variants, only on A, only on B, on neither.
    confidence : float
        Confidence of the interval around the difference.

    Returns
    -------
    TestResult
        ``test`` = ``"mcnemar exact mid-p"``; ``statistic`` = the smaller discordant count;
        ``pvalue`` = two-sided mid-p; ``difference`` = p_B − p_A = (only_b − only_a) / N with its
        adjusted-Wald ``interval``; ``extra`` holds the exact (not mid-p) p-value and both rates.

    Notes
    -----
    Under the null the m = only_a + only_b discordant pairs split as Binomial(m, ½). With
    k = min(only_a, only_b): exact p = min(1, 2 P(X ≤ k)), mid-p = min(1, 2 (P(X ≤ k) − ½ P(X = k))).
    With no discordant pairs both are 1.
    Interval (Agresti & Min, 2005, as in Sauro & Lewis): add z²/8 to every cell, N_adj = N + z²/2,
    p₁₂ = only_a_adj / N_adj, p₂₁ = only_b_adj / N_adj,
    (p₂₁ − p₁₂) ± z √(((p₁₂ + p₂₁) − (p₂₁ − p₁₂)²) / N_adj), clipped to [−1, 1].

    References
    ----------
    Sauro, J., & Lewis, J. R. (2016). *Quantifying the User Experience* (2nd ed.), ch. 5.
    Fagerland, M. W., Lydersen, S., & Laake, P. (2013). The McNemar test for binary matched-pairs
    data: mid-p and asymptotic are better than exact conditional. *BMC Medical Research
    Methodology*, 13, 91.
    Agresti, A., & Min, Y. (2005). Simple improved confidence intervals for comparing matched
    proportions. *Statistics in Medicine*, 24(5), 729–740.
    """
    cells = [_count(v, name) for v, name in
             ((both, "both"), (only_a, "only_a"), (only_b, "only_b"), (neither, "neither"))]
    confidence = check_confidence(confidence)
    total = sum(cells)
    if total == 0:
        raise ValueError("mcnemar_test needs at least one participant, got all counts 0")
    b, c = cells[1], cells[2]
    m, k = b + c, min(b, c)
    if m == 0:
        exact_p = mid_p = 1.0
    else:
        tail = float(stats.binom.cdf(k, m, 0.5))
        exact_p = min(1.0, 2 * tail)
        mid_p = min(1.0, 2 * (tail - 0.5 * float(stats.binom.pmf(k, m, 0.5))))
    z = _two_sided_z(confidence)
    n_adj = total + z * z / 2
    p12 = (b + z * z / 8) / n_adj
    p21 = (c + z * z / 8) / n_adj
    se = math.sqrt(((p12 + p21) - (p21 - p12) ** 2) / n_adj)
    interval = Interval(_clip(p21 - p12 - z * se, -1), _clip(p21 - p12 + z * se, -1), confidence)
    extra = {"exact_p": exact_p, "p_a": (cells[0] + b) / total, "p_b": (cells[0] + c) / total,
             "discordant": m}
    return TestResult("mcnemar exact mid-p", float(k), mid_p, difference=(c - b) / total,
                      interval=interval, extra=extra)


def benchmark_completion_test(successes: int, n: int, benchmark: float = 0.78,
                              confidence: float = 0.95) -> TestResult:
    """Test whether a completion rate exceeds a benchmark (default 78%, the average task).

    Parameters
    ----------
    successes, n : int
        Successful attempts and all attempts.
    benchmark : float
        The rate to beat, strictly between 0 and 1.
    confidence : float
        1 − α of the one-sided test and of the one-sided bounds reported.

    Returns
    -------
    TestResult
        ``test`` = ``"exact binomial mid-p"``, ``alternative`` = ``"greater"``; ``statistic`` =
        x / n; ``pvalue`` = one-sided mid-p; ``difference`` = x / n − benchmark with an interval
        whose bounds are one-sided ``confidence`` bounds (a two-sided 2·confidence − 1 adjusted-Wald
        interval, shifted by the benchmark); ``extra["exceeds_benchmark"]`` says whether the rate
        is significantly above the benchmark, ``extra["exact_p"]`` holds the exact p-value.

    Notes
    -----
    Under H₀: p = b, X ~ Binomial(n, b). Exact p = P(X ≥ x); mid-p = P(X > x) + ½ P(X = x).
    Sauro & Lewis recommend the mid-p for small samples: the exact test is conservative.

    References
    ----------
    Sauro, J., & Lewis, J. R. (2016). *Quantifying the User Experience* (2nd ed.), ch. 4.
    Sauro, J., & Lewis, J. R. (2005). Estimating completion rates from small samples using binomial
    confidence intervals. *Proceedings of the HFES 49th Annual Meeting*, 2100–2104.
    """
    x, size = _rate(successes, n)
    confidence = check_confidence(confidence)
    if not (isinstance(benchmark, numbers.Real) and 0 < benchmark < 1):
        raise ValueError(f"benchmark must be a rate strictly between 0 and 1, got {benchmark!r}")
    exact_p = float(stats.binom.sf(x - 1, size, benchmark))
    mid_p = float(stats.binom.sf(x, size, benchmark) + 0.5 * stats.binom.pmf(x, size, benchmark))
    low, high = _adjusted_wald(x, size, float(stats.norm.ppf(confidence)))
    interval = Interval(low - benchmark, high - benchmark, confidence)
    extra = {"exact_p": exact_p, "benchmark": float(benchmark),
             "exceeds_benchmark": mid_p < 1 - confidence}
    return TestResult("exact binomial mid-p", x / size, mid_p, alternative="greater",
                      difference=x / size - benchmark, interval=interval, extra=extra)

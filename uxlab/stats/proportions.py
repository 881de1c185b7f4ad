"""Completion rates: intervals, best point estimates, comparisons and benchmarks.

Everything here works on counts (successes out of attempts), following Sauro & Lewis,
*Quantifying the User Experience* (2nd ed., 2016), chapters 3 (intervals), 4 (benchmarks) and 5
(comparisons). Differences are always B − A, so a positive difference means B completes more often.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import optimize, special, stats

from uxlab.stats.results import Estimate, Interval, TestResult, check_confidence

INTERVAL_METHODS = ("adjusted-wald", "wilson", "exact")

# Cochran's (1954) rule for a chi-square test on an r × c table: no expected count below 1 and no
# more than a fifth of them below 5. Outside it completion_omnibus uses the exact test.
_COCHRAN_MIN_EXPECTED = 1.0
_COCHRAN_SMALL = 5.0
_COCHRAN_SMALL_SHARE = 0.2
# Exact enumeration of r × 2 tables is merged by probability; past this many distinct partial
# tables the table is too large for it and a seeded Monte Carlo estimate is used instead.
_EXACT_STATE_LIMIT = 200_000
_MONTE_CARLO_RESAMPLES = 100_000
_MONTE_CARLO_SEED = 20160101
# Tanh-sinh nodes (and range of the step variable) for probability_b_better's integrals.
_QUADRATURE_NODES = 161
_TANH_SINH_LIMIT = 3.2


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


@dataclass(frozen=True)
class PosteriorComparison:
    """Bayesian comparison of two completion rates: a probability, not a p-value.

    ``probability_b_better`` is P(p_B > p_A | data); ``difference`` is the posterior mean of
    p_B − p_A and ``interval`` its equal-tailed credible interval.
    """

    probability_b_better: float
    difference: float
    interval: Interval
    prior: tuple[float, float]
    method: str = "beta-binomial posterior"


def probability_b_better(x_a: int, n_a: int, x_b: int, n_b: int,
                         prior: tuple[float, float] = (1.0, 1.0),
                         confidence: float = 0.95) -> PosteriorComparison:
    """Posterior probability that variant B's completion rate is higher than A's.

    Answers the question stakeholders usually ask ("how likely is B better?") directly, beside
    the frequentist test. It is a probability under the stated prior, not a p-value.

    Parameters
    ----------
    x_a, n_a, x_b, n_b : int
        Successes and attempts of A and of B.
    prior : (float, float)
        Beta(α, β) prior for each rate; (1, 1) is uniform.
    confidence : float
        Probability content of the credible interval of p_B − p_A.

    Returns
    -------
    PosteriorComparison

    Notes
    -----
    Posteriors p_A ~ Beta(α + x_A, β + n_A − x_A), p_B likewise. With D = p_B − p_A,
    P(D ≤ d) = ∫₀¹ F_B(F_A⁻¹(u) + d) du, integrated deterministically by tanh-sinh quadrature
    over the quantiles u of the narrower posterior (the other one's CDF is smooth there).
    P(B better) = 1 − P(D ≤ 0); the credible interval solves P(D ≤ d) = (1 ∓ confidence) / 2.

    References
    ----------
    Gelman, A., et al. (2013). *Bayesian Data Analysis* (3rd ed.), ch. 2 (beta-binomial model).
    Sauro, J., & Lewis, J. R. (2016). *Quantifying the User Experience* (2nd ed.), ch. 5.
    """
    x_a, n_a = _rate(x_a, n_a, ("x_a", "n_a"))
    x_b, n_b = _rate(x_b, n_b, ("x_b", "n_b"))
    confidence = check_confidence(confidence)
    try:
        alpha, beta = (float(v) for v in prior)
    except (TypeError, ValueError):
        raise ValueError(f"prior must be a pair of positive numbers, got {prior!r}") from None
    if not (alpha > 0 and beta > 0 and math.isfinite(alpha) and math.isfinite(beta)):
        raise ValueError(f"prior must be a pair of positive numbers, got {prior!r}")
    a = (alpha + x_a, beta + n_a - x_a)
    b = (alpha + x_b, beta + n_b - x_b)
    cdf = _beta_difference_cdf(a, b)
    tail = (1 - confidence) / 2
    low = optimize.brentq(lambda d: cdf(d) - tail, -1.0, 1.0, xtol=1e-10)
    high = optimize.brentq(lambda d: cdf(d) - (1 - tail), -1.0, 1.0, xtol=1e-10)
    mean = b[0] / sum(b) - a[0] / sum(a)
    return PosteriorComparison(_clip(1 - cdf(0.0)), float(mean),
                               Interval(float(low), float(high), confidence), (alpha, beta))


def _beta_difference_cdf(a: tuple[float, float], b: tuple[float, float]):
    """Return d ↦ P(p_b − p_a ≤ d) for independent Beta(a) and Beta(b) variables."""
    # Tanh-sinh (double-exponential) quadrature on [0, 1]: it converges fast even where the
    # Beta quantile function has infinite slope at an end (e.g. Beta(1, 6) near 1), where
    # Gauss–Legendre loses about six digits.
    t = np.linspace(-_TANH_SINH_LIMIT, _TANH_SINH_LIMIT, _QUADRATURE_NODES)
    z = np.pi * np.sinh(t)
    nodes = special.expit(z)
    weights = (t[1] - t[0]) * np.pi * np.cosh(t) * special.expit(z) * special.expit(-z)

    def variance(p):
        s = sum(p)
        return p[0] * p[1] / (s * s * (s + 1))

    def expectation(outer, integrand, u_low, u_high):
        # ∫ integrand(F_outer⁻¹(u)) du over [u_low, u_high]: outside those kinks the integrand
        # is constant (0 or 1), so they are added exactly and the quadrature sees a smooth curve.
        if u_high <= u_low:
            return 0.0
        u = u_low + (u_high - u_low) * nodes
        values = integrand(special.betaincinv(outer[0], outer[1], u))
        return float((u_high - u_low) * (weights @ values))

    if variance(a) <= variance(b):
        # Over p_a's quantiles: P(D ≤ d) = E[F_b(p_a + d)], 0 where p_a ≤ −d, 1 where p_a ≥ 1 − d.
        def cdf(d):
            u_low = special.betainc(a[0], a[1], min(max(-d, 0.0), 1.0))
            u_high = special.betainc(a[0], a[1], min(max(1 - d, 0.0), 1.0))
            inside = expectation(a, lambda x: special.betainc(b[0], b[1], np.clip(x + d, 0, 1)),
                                 u_low, u_high)
            return inside + (1 - u_high)
    else:
        # Over p_b's quantiles: P(D ≤ d) = E[1 − F_a(p_b − d)], 1 where p_b ≤ d, 0 where
        # p_b ≥ 1 + d.
        def cdf(d):
            u_low = special.betainc(b[0], b[1], min(max(d, 0.0), 1.0))
            u_high = special.betainc(b[0], b[1], min(max(1 + d, 0.0), 1.0))
            inside = expectation(
                b, lambda y: 1 - special.betainc(a[0], a[1], np.clip(y - d, 0, 1)), u_low, u_high)
            return inside + u_low

    return cdf


def completion_omnibus(successes: Sequence[int], ns: Sequence[int]) -> TestResult:
    """Test whether three or more variants share one completion rate.

    Use it before pairwise comparisons (adjusted with :func:`uxlab.stats.multiple.adjust_pvalues`)
    when a study has more than two variants.

    Parameters
    ----------
    successes, ns : sequence of int
        Successes and attempts of each variant, in the same order (at least two variants).

    Returns
    -------
    TestResult
        ``test`` is ``"chi-square"`` (Pearson, no continuity correction; ``statistic`` = χ²,
        ``df`` = k − 1) or ``"fisher-freeman-halton"`` (``statistic`` = probability of the observed
        table under the null). ``extra`` holds the rates, the smallest expected count and, for the
        exact test, ``"exact"``: True for full enumeration, False for the Monte Carlo fallback.

    Notes
    -----
    Chi-square test of homogeneity on the k × 2 table of successes and failures
    (``scipy.stats.chi2_contingency(table, correction=False)``), used when Cochran's rule holds:
    every expected count ≥ 1 and at most 20% of them < 5. Otherwise the Fisher–Freeman–Halton
    exact test: the p-value is the total null probability, with all margins fixed, of the tables
    no more probable than the observed one, P(table) = Π C(nᵢ, xᵢ) / C(N, S). The tables are
    enumerated exactly, group by group, merging partial tables of equal probability (the
    network idea of Mehta & Patel, 1983). Tables too large for that (which Cochran's rule rarely
    sends here) get a Monte Carlo estimate from ``scipy.stats.fisher_exact`` with 100,000
    resamples and a fixed seed, so results are reproducible.

    References
    ----------
    Sauro, J., & Lewis, J. R. (2016). *Quantifying the User Experience* (2nd ed.), ch. 5.
    Cochran, W. G. (1954). Some methods for strengthening the common χ² tests. *Biometrics*,
    10(4), 417–451.
    Freeman, G. H., & Halton, J. H. (1951). Note on an exact treatment of contingency, goodness of
    fit and other problems of significance. *Biometrika*, 38(1/2), 141–149.
    Mehta, C. R., & Patel, N. R. (1983). A network algorithm for performing Fisher's exact test in
    r × c contingency tables. *JASA*, 78(382), 427–434.
    """
    if len(successes) != len(ns):
        raise ValueError(f"successes and ns must have the same length, got {len(successes)} "
                         f"and {len(ns)}")
    if len(ns) < 2:
        raise ValueError(f"completion_omnibus needs at least two variants, got {len(ns)}")
    pairs = [_rate(x, n, (f"successes[{i}]", f"ns[{i}]"))
             for i, (x, n) in enumerate(zip(successes, ns, strict=True))]
    table = np.array([[x, n - x] for x, n in pairs])
    total = int(table.sum())
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / total
    extra = {"rates": [x / n for x, n in pairs], "min_expected": float(expected.min())}
    cochran = (expected.min() >= _COCHRAN_MIN_EXPECTED
               and np.mean(expected < _COCHRAN_SMALL) <= _COCHRAN_SMALL_SHARE)
    if cochran:
        result = stats.chi2_contingency(table, correction=False)
        return TestResult("chi-square", float(result.statistic), float(result.pvalue),
                          df=float(result.dof), extra=extra)
    exact = _freeman_halton_r_by_2(table)
    if exact is None:
        method = stats.MonteCarloMethod(n_resamples=_MONTE_CARLO_RESAMPLES,
                                        rng=np.random.default_rng(_MONTE_CARLO_SEED))
        result = stats.fisher_exact(table, method=method)
        statistic, pvalue = float(result.statistic), float(result.pvalue)
        extra["exact"] = False
    else:
        statistic, pvalue = exact
        extra["exact"] = True
    return TestResult("fisher-freeman-halton", statistic, pvalue, df=float(len(ns) - 1),
                      extra=extra)


def _freeman_halton_r_by_2(table: np.ndarray) -> tuple[float, float] | None:
    """Exact (observed-table probability, p-value) of an r × 2 table, or None if too large."""
    sizes = table.sum(axis=1)
    successes = int(table[:, 0].sum())
    total = int(sizes.sum())
    observed = table[:, 0]
    if successes > total - successes:
        # P(table) is symmetric in the two columns; enumerate the smaller one.
        successes, observed = total - successes, table[:, 1]

    def log_weight(n, x):
        return special.gammaln(n + 1) - special.gammaln(x + 1) - special.gammaln(n - x + 1)

    # state: (column total so far, rounded log weight) -> [log weight, number of partial tables]
    states: dict[tuple[int, float], list] = {(0, 0.0): [0.0, 1]}
    for n in (int(v) for v in sizes):
        step: dict[tuple[int, float], list] = {}
        for (s, _), (lw, count) in states.items():
            for x in range(min(n, successes - s) + 1):
                w = lw + float(log_weight(n, x))
                key = (s + x, round(w, 9))
                if key in step:
                    step[key][1] += count
                else:
                    step[key] = [w, count]
        states = step
        if len(states) > _EXACT_STATE_LIMIT:
            return None
    log_total = float(log_weight(total, successes))
    log_observed = float(sum(log_weight(int(n), int(x)) for n, x in zip(sizes, observed,
                                                                         strict=True)))
    # Tables as probable as the observed one, up to rounding, count as "no more probable".
    cutoff = log_observed + 1e-7
    pvalue = sum(count * math.exp(lw - log_total)
                 for (s, _), (lw, count) in states.items() if s == successes and lw <= cutoff)
    return math.exp(log_observed - log_total), min(1.0, pvalue)

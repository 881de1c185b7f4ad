"""Bayesian comparison of two completion rates: the probability that B is better.

Beside the frequentist two-proportion test, stakeholders usually ask "how likely is B better?";
with Beta posteriors for both rates that question has a direct answer, reported as a probability
under the stated prior and never as a p-value (Sauro & Lewis, *Quantifying the User Experience*,
2nd ed., 2016, ch. 5).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize, special

from uxlab.stats.proportions import _clip, _rate
from uxlab.stats.results import Interval, check_confidence

# Tanh-sinh nodes (and range of the step variable) for probability_b_better's integrals.
_QUADRATURE_NODES = 161
_TANH_SINH_LIMIT = 3.2


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

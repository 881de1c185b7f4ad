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
from scipy import special

from uxlab.stats.proportions import _clip, _rate
from uxlab.stats.results import Interval, check_confidence

# Tanh-sinh nodes (and range of the step variable) for probability_b_better's integrals.
_QUADRATURE_NODES = 161
_TANH_SINH_LIMIT = 3.2
# Credible bounds are found to 1e-11 (the quadrature is good to about 1e-12 in probability).
_QUANTILE_TOLERANCE = 1e-11
_MAX_ITERATIONS = 200
# Miller's sum costs one term per unit of its parameter; past this the quadrature is cheaper.
_CLOSED_FORM_MAX_TERMS = 100_000


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
    Posteriors p_A ~ Beta(α_A, β_A) = Beta(α + x_A, β + n_A − x_A), p_B likewise.

    P(p_B > p_A) is a finite sum when a posterior parameter is a whole number, as it is for the
    uniform prior (Miller, 2015): with α_B whole,

        P(p_B > p_A) = Σ_{i=0}^{α_B−1} B(α_A + i, β_A + β_B) / ((β_B + i) B(1 + i, β_B) B(α_A, β_A)),

    and by the symmetries p ↦ 1 − p and A ↔ B the sum may run over α_A, β_A or β_B instead;
    the shortest is used. Otherwise (e.g. a Jeffreys prior) it is 1 − P(D ≤ 0) below.

    With D = p_B − p_A, P(D ≤ d) = ∫₀¹ F_B(F_A⁻¹(u) + d) du, integrated deterministically by
    tanh-sinh quadrature over the quantiles u of the narrower posterior (the other one's CDF is
    smooth there). The credible interval solves P(D ≤ d) = (1 ∓ confidence) / 2 by Newton's
    method from the normal approximation, with the density of D, ∫₀¹ f_B(F_A⁻¹(u) + d) du, from
    the same quadrature nodes, safeguarded by bisection.

    References
    ----------
    Gelman, A., et al. (2013). *Bayesian Data Analysis* (3rd ed.), ch. 2 (beta-binomial model).
    Miller, E. (2015). Formulas for Bayesian A/B testing.
    https://www.evanmiller.org/bayesian-ab-testing.html
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
    difference = _BetaDifference(a, b)
    better = _b_better_closed_form(a, b)
    if better is None:
        better = 1 - difference.cdf(0.0)
    tail = (1 - confidence) / 2
    low = difference.quantile(tail)
    high = difference.quantile(1 - tail)
    return PosteriorComparison(_clip(better), float(difference.mean),
                               Interval(float(low), float(high), confidence), (alpha, beta))


def _b_better_closed_form(a: tuple[float, float], b: tuple[float, float]) -> float | None:
    """P(p_b > p_a) by Miller's finite sum, or None if no posterior parameter is whole."""
    # P(B > A) = h(A, B) = 1 − h(B, A) = h(B', A') = 1 − h(A', B') with X' = 1 − X ~ Beta(β, α);
    # h(X1, X2) sums over X2's first parameter, so take the smallest whole one.
    options = [(b[0], a, b, False), (a[0], b, a, True),
               (a[1], b[::-1], a[::-1], False), (b[1], a[::-1], b[::-1], True)]
    whole = [o for o in options if float(o[0]).is_integer() and o[0] <= _CLOSED_FORM_MAX_TERMS]
    if not whole:
        return None
    _, first, second, complement = min(whole, key=lambda o: o[0])
    value = _second_beats_first(first, second)
    return 1 - value if complement else value


def _second_beats_first(first: tuple[float, float], second: tuple[float, float]) -> float:
    """P(X₂ > X₁) for X₁ ~ Beta(first), X₂ ~ Beta(second) with a whole first parameter of X₂."""
    a1, b1 = first
    a2, b2 = second
    i = np.arange(int(a2), dtype=float)
    terms = (special.betaln(a1 + i, b1 + b2) - np.log(b2 + i) - special.betaln(1 + i, b2)
             - special.betaln(a1, b1))
    return float(np.exp(terms).sum())


class _BetaDifference:
    """The distribution of D = p_b − p_a for independent Beta(a) and Beta(b) variables."""

    def __init__(self, a: tuple[float, float], b: tuple[float, float]):
        self.a, self.b = a, b
        self.mean = b[0] / sum(b) - a[0] / sum(a)
        self.sd = math.sqrt(_variance(a) + _variance(b))
        # Integrate over the quantiles of the narrower posterior: the other one's CDF is smooth
        # there (see probability_b_better).
        self.over_a = _variance(a) <= _variance(b)
        self._quantiles: dict[tuple[float, float], np.ndarray] = {}

    def cdf(self, d: float) -> float:
        """P(D ≤ d)."""
        return self._cdf_and_density(d)[0]

    def quantile(self, probability: float) -> float:
        """The d with P(D ≤ d) = probability, by safeguarded Newton from the normal guess."""
        # Cantelli's inequality P(D − mean ≤ −k·sd) ≤ 1 / (1 + k²) brackets the quantile within
        # −√((1 − q)/q) and +√(q/(1 − q)) standard deviations of the mean (and within [−1, 1]).
        low = max(-1.0, self.mean - math.sqrt((1 - probability) / probability) * self.sd)
        high = min(1.0, self.mean + math.sqrt(probability / (1 - probability)) * self.sd)
        d = self.mean + self.sd * float(special.ndtri(probability))
        if not low < d < high:
            d = (low + high) / 2
        for _ in range(_MAX_ITERATIONS):
            value, density = self._cdf_and_density(d)
            gap = value - probability
            if gap == 0:
                return d
            if gap < 0:
                low = d
            else:
                high = d
            step = gap / density if density > 0 and math.isfinite(density) else math.inf
            updated = d - step
            if not low < updated < high:
                updated = (low + high) / 2  # Newton left the bracket: bisect instead
            if abs(updated - d) <= _QUANTILE_TOLERANCE:
                return updated
            d = updated
        return d

    def _nodes(self, outer: tuple[float, float], u_low: float, u_high: float) -> np.ndarray:
        # The quantile function is the expensive part; bounds often repeat (0 and 1 whenever the
        # kinks lie beyond the posteriors' reach), so each set of nodes is computed once.
        key = (u_low, u_high)
        if key not in self._quantiles:
            u = u_low + (u_high - u_low) * _NODES
            self._quantiles[key] = special.betaincinv(outer[0], outer[1], u)
        return self._quantiles[key]

    def _cdf_and_density(self, d: float) -> tuple[float, float]:
        # ∫ g(F_outer⁻¹(u)) du over [u_low, u_high]: outside those kinks the integrand is constant
        # (0 or 1), so that part is added exactly and the quadrature sees a smooth curve. The
        # boundary terms of d/dd cancel, so the density is the same integral of the inner density.
        a, b = self.a, self.b
        if self.over_a:
            # P(D ≤ d) = E[F_b(p_a + d)]: 0 where p_a ≤ −d, 1 where p_a ≥ 1 − d.
            u_low = float(special.betainc(a[0], a[1], min(max(-d, 0.0), 1.0)))
            u_high = float(special.betainc(a[0], a[1], min(max(1 - d, 0.0), 1.0)))
            if u_high <= u_low:
                return 1 - u_high, 0.0
            inner = np.clip(self._nodes(a, u_low, u_high) + d, 0.0, 1.0)
            width = u_high - u_low
            cdf = width * float(_WEIGHTS @ special.betainc(b[0], b[1], inner)) + (1 - u_high)
            return cdf, width * float(_WEIGHTS @ _beta_density(b, inner))
        # P(D ≤ d) = E[1 − F_a(p_b − d)]: 1 where p_b ≤ d, 0 where p_b ≥ 1 + d.
        u_low = float(special.betainc(b[0], b[1], min(max(d, 0.0), 1.0)))
        u_high = float(special.betainc(b[0], b[1], min(max(1 + d, 0.0), 1.0)))
        if u_high <= u_low:
            return u_low, 0.0
        inner = np.clip(self._nodes(b, u_low, u_high) - d, 0.0, 1.0)
        width = u_high - u_low
        cdf = width * float(_WEIGHTS @ (1 - special.betainc(a[0], a[1], inner))) + u_low
        return cdf, width * float(_WEIGHTS @ _beta_density(a, inner))


def _variance(p: tuple[float, float]) -> float:
    s = p[0] + p[1]
    return p[0] * p[1] / (s * s * (s + 1))


def _beta_density(p: tuple[float, float], x: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        density = np.exp(special.xlogy(p[0] - 1, x) + special.xlog1py(p[1] - 1, -x)
                         - special.betaln(p[0], p[1]))
    # An outer node that rounds onto an end where the density is infinite (a parameter below 1)
    # stands for a point the integral gives no weight; inf × its tiny weight would swamp it.
    return np.where(np.isinf(density), 0.0, density)


def _tanh_sinh() -> tuple[np.ndarray, np.ndarray]:
    # Tanh-sinh (double-exponential) quadrature on [0, 1]: it converges fast even where the
    # Beta quantile function has infinite slope at an end (e.g. Beta(1, 6) near 1), where
    # Gauss–Legendre loses about six digits.
    t = np.linspace(-_TANH_SINH_LIMIT, _TANH_SINH_LIMIT, _QUADRATURE_NODES)
    z = np.pi * np.sinh(t)
    weights = (t[1] - t[0]) * np.pi * np.cosh(t) * special.expit(z) * special.expit(-z)
    return special.expit(z), weights


_NODES, _WEIGHTS = _tanh_sinh()

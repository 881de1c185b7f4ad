"""Key-driver analysis: how much of an overall rating each touchpoint rating explains.

The share of each driver is its Shapley value of the R² of the least-squares regression of the
outcome on the drivers — Lindeman, Merenda & Gold's (1980) "LMG" averaging over orderings, which
Budescu (1993) called general dominance and Grömping (2006) implemented as ``relaimpo``'s
``lmg``. The shares are non-negative for R², do not depend on the order of the drivers, and sum to
the full model's R², so they answer "how much of what the drivers explain together is due to
each". Intervals come from the percentile bootstrap over respondents.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from uxlab.stats.results import check_confidence, varies

#: Fewer respondents per driver than this and the shares are too unstable to report.
MIN_RESPONDENTS_PER_DRIVER = 10
#: 2^p regressions per decomposition: beyond this many drivers exact Shapley is too costly.
MAX_DRIVERS = 12


@dataclass(frozen=True)
class DriverShare:
    driver: str
    share: float  # the driver's Shapley value of R²
    low: float
    high: float
    relative: float  # share / R²


@dataclass(frozen=True)
class KeyDriverResult:
    r_squared: float
    n: int
    drivers: tuple[DriverShare, ...]
    confidence: float
    resamples: int
    method: str = "shapley decomposition of r2 (lmg / general dominance), percentile bootstrap"


def r_squared(x: np.ndarray, y: np.ndarray) -> float:
    """R² of the least-squares regression of ``y`` on the columns of ``x`` (with an intercept)."""
    if x.shape[1] == 0:
        return 0.0
    design = np.column_stack([np.ones(len(y)), x])
    coefficients, *_ = np.linalg.lstsq(design, y, rcond=None)
    residual = y - design @ coefficients
    total = float(((y - y.mean()) ** 2).sum())
    return 0.0 if total == 0 else max(0.0, 1.0 - float((residual ** 2).sum()) / total)


def shapley_r2(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Exact Shapley values of R² for the columns of ``x``: they sum to the full model's R².

    Notes
    -----
    For p drivers and every subset S not holding driver j,
    φ_j = Σ_S |S|! (p − |S| − 1)! / p! · [R²(S ∪ {j}) − R²(S)],
    computed from the R² of all 2^p subsets (Lindeman, Merenda & Gold 1980; Shapley 1953).

    References
    ----------
    Lindeman, R. H., Merenda, P. F., & Gold, R. Z. (1980). *Introduction to Bivariate and
    Multivariate Analysis*. Scott, Foresman, p. 119 ff.
    Budescu, D. V. (1993). Dominance analysis: A new approach to the problem of relative
    importance of predictors in multiple regression. *Psychological Bulletin*, 114(3), 542–551.
    Grömping, U. (2006). Relative importance for linear regression in R: the package relaimpo.
    *Journal of Statistical Software*, 17(1), 1–27.
    """
    p = x.shape[1]
    fits = {subset: r_squared(x[:, list(subset)], y)
            for size in range(p + 1) for subset in itertools.combinations(range(p), size)}
    shares = np.zeros(p)
    for j in range(p):
        others = [k for k in range(p) if k != j]
        for size in range(p):
            weight = math.factorial(size) * math.factorial(p - size - 1) / math.factorial(p)
            for subset in itertools.combinations(others, size):
                with_j = tuple(sorted((*subset, j)))
                shares[j] += weight * (fits[with_j] - fits[subset])
    return shares


def key_drivers(drivers: dict[str, np.ndarray], outcome: np.ndarray, confidence: float = 0.95,
                resamples: int = 1000, seed: int = 2016) -> KeyDriverResult:
    """Shapley decomposition of R² of ``outcome`` on ``drivers`` with bootstrap intervals.

    Parameters
    ----------
    drivers : mapping of name → array
        One rating per respondent for each driver (same respondents, same order as ``outcome``).
    outcome : array
        The overall rating of the same respondents (e.g. likelihood to recommend).
    confidence : float
        Level of the percentile bootstrap intervals.
    resamples : int
        Bootstrap resamples of respondents (with replacement).
    seed : int
        Seed of the resampling, so a report is repeatable.

    Raises
    ------
    ValueError
        With fewer than 10 respondents per driver (the reason is in the message), more than 12
        drivers, unequal lengths, non-finite values, or an outcome or driver that does not vary.
    """
    confidence = check_confidence(confidence)
    names = list(drivers)
    y = np.asarray(outcome, dtype=float)
    if not names:
        raise ValueError("no drivers")
    if len(names) > MAX_DRIVERS:
        raise ValueError(f"at most {MAX_DRIVERS} drivers (exact Shapley needs 2^p regressions)")
    x = np.column_stack([np.asarray(drivers[name], dtype=float) for name in names])
    if x.shape[0] != y.size:
        raise ValueError("every driver needs one value per respondent of the outcome")
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise ValueError("drivers and outcome must be finite numbers")
    needed = MIN_RESPONDENTS_PER_DRIVER * len(names)
    if y.size < needed:
        raise ValueError(f"{y.size} respondents rated every driver; a key-driver analysis of "
                         f"{len(names)} drivers needs at least {needed} "
                         f"({MIN_RESPONDENTS_PER_DRIVER} per driver)")
    if not varies(y):
        raise ValueError("the overall rating does not vary")
    for name, column in zip(names, x.T, strict=True):
        if not varies(column):
            raise ValueError(f"driver {name!r} does not vary")
    shares = shapley_r2(x, y)
    total = float(shares.sum())
    rng = np.random.default_rng(seed)
    boot = np.empty((resamples, len(names)))
    for b in range(resamples):
        rows = rng.integers(0, y.size, y.size)
        boot[b] = shapley_r2(x[rows], y[rows])
    alpha = 1 - confidence
    lows, highs = np.quantile(boot, [alpha / 2, 1 - alpha / 2], axis=0)
    return KeyDriverResult(
        r_squared=total, n=int(y.size), confidence=confidence, resamples=resamples,
        drivers=tuple(DriverShare(name, float(s), float(lo), float(hi),
                                  float(s / total) if total > 0 else 0.0)
                      for name, s, lo, hi in zip(names, shares, lows, highs, strict=True)))

"""Sample-size planning for summative and formative usability studies.

Each function returns the number of participants (per group where there are groups) as an
``int``: the smallest n that meets the stated precision or power. The methods are those of
Sauro & Lewis, *Quantifying the User Experience* (2nd ed., 2016), chapters 6 and 7.
"""

from __future__ import annotations

import math

from scipy import stats

from uxlab.stats.discovery import participants_needed
from uxlab.stats.results import check_confidence

_MAX_ITERATIONS = 1000


def _check_open_unit(value: float, name: str) -> float:
    if not (isinstance(value, (int, float)) and 0 < value < 1) or math.isnan(value):
        raise ValueError(f"{name} must be between 0 and 1 (exclusive), got {value!r}")
    return float(value)


def _check_positive(value: float, name: str) -> float:
    if not (isinstance(value, (int, float)) and value > 0) or not math.isfinite(value):
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    return float(value)


def sample_size_completion_margin(margin: float, confidence: float = 0.95,
                                  p: float = 0.5) -> int:
    """Participants needed so a completion rate's adjusted-Wald interval is ± ``margin``.

    Parameters
    ----------
    margin : float
        Half-width of the interval as a proportion (0.10 for ±10 points).
    confidence : float
        Two-sided confidence level of the interval.
    p : float
        Expected completion rate; 0.5 (the default) gives the largest, safest n.

    Returns
    -------
    int
        The smallest n whose adjusted-Wald margin is at most ``margin``.

    Notes
    -----
    The adjusted-Wald interval adds z²/2 successes and z² trials, so its margin is
    d = z·√(p_adj(1 − p_adj)/(n + z²)) with p_adj = (n·p + z²/2)/(n + z²). Solving for n:

        n = z² · p_adj(1 − p_adj) / d² − z²

    Because p_adj depends on n, the solution is iterated from the Wald value until it no longer
    changes (at p = 0.5, p_adj = 0.5 and one step suffices).

    References
    ----------
    Sauro, J., & Lewis, J. R. (2016). *Quantifying the User Experience* (2nd ed.), ch. 6
    ("Sample size estimation for binomial confidence intervals").
    Agresti, A., & Coull, B. A. (1998). Approximate is better than "exact" for interval
    estimation of binomial proportions. *The American Statistician*, 52(2), 119–126.
    """
    margin = _check_open_unit(margin, "margin")
    confidence = check_confidence(confidence)
    p = _check_open_unit(p, "p")
    z = stats.norm.ppf(1 - (1 - confidence) / 2)
    z2 = z * z
    n = max(1.0, z2 * p * (1 - p) / margin**2)
    for _ in range(_MAX_ITERATIONS):
        p_adj = (n * p + z2 / 2) / (n + z2)
        updated = max(1.0, z2 * p_adj * (1 - p_adj) / margin**2 - z2)
        if abs(updated - n) < 1e-9:
            break
        n = updated
    return max(1, math.ceil(n - 1e-9))


def sample_size_compare_proportions(p1: float, p2: float, confidence: float = 0.95,
                                    power: float = 0.8) -> int:
    """Participants per group to detect p1 vs p2 with the N−1 two-proportion test.

    Parameters
    ----------
    p1, p2 : float
        Completion rates expected in the two (independent) groups; they must differ.
    confidence : float
        1 − α of the two-sided test.
    power : float
        Probability of detecting the difference if it is real (1 − β).

    Returns
    -------
    int
        Participants in each group.

    Notes
    -----
    The N−1 chi-square statistic is the Pearson statistic times (N − 1)/N. With n per group
    (N = 2n) and the average proportion p̄ = (p1 + p2)/2, requiring it to reach
    (z_{1−α/2} + z_{power})² gives

        n = 2·p̄(1 − p̄)·(z_{1−α/2} + z_{power})² / d² + ½,   d = |p1 − p2|,

    the same as the usual two-proportion formula plus the half participant that the N − 1
    adjustment costs, rounded up.

    References
    ----------
    Sauro, J., & Lewis, J. R. (2016). *Quantifying the User Experience* (2nd ed.), ch. 6
    ("Sample size estimation for chi-square tests (independent proportions)").
    Campbell, I. (2007). Chi-squared and Fisher–Irwin tests of two-by-two tables with small
    sample recommendations. *Statistics in Medicine*, 26(19), 3661–3675.
    """
    p1 = _check_open_unit(p1, "p1")
    p2 = _check_open_unit(p2, "p2")
    if p1 == p2:
        raise ValueError(f"p1 and p2 must differ to plan a comparison, both are {p1!r}")
    confidence = check_confidence(confidence)
    power = _check_open_unit(power, "power")
    z_alpha = stats.norm.ppf(1 - (1 - confidence) / 2)
    z_beta = stats.norm.ppf(power)
    p_bar = (p1 + p2) / 2
    n = 2 * p_bar * (1 - p_bar) * (z_alpha + z_beta) ** 2 / (p1 - p2) ** 2 + 0.5
    return max(2, math.ceil(n - 1e-9))


def sample_size_compare_means(sd: float, difference: float, confidence: float = 0.95,
                              power: float = 0.8, paired: bool = False) -> int:
    """Participants needed to detect a mean difference with a t-test (iterative t method).

    Parameters
    ----------
    sd : float
        Expected standard deviation: of the measure (between subjects) or of the paired
        differences (``paired=True``). For task times, give both on the log scale.
    difference : float
        Smallest difference in means worth detecting, in the units of ``sd``.
    confidence : float
        1 − α of the two-sided test.
    power : float
        1 − β.
    paired : bool
        ``True`` for a within-subjects (paired t) design: the result is the number of
        participants. ``False`` (default): independent groups, the result is per group.

    Returns
    -------
    int
        The smallest n meeting the power requirement.

    Notes
    -----
    Start from the normal approximation n = k·s²(z_{1−α/2} + z_{power})²/d² (k = 1 paired,
    k = 2 per group between subjects), then replace the z values by t values with the degrees
    of freedom of that n (n − 1 paired, 2(n − 1) between) and recompute until n stops changing:
    the result is the smallest n whose own degrees of freedom give the required power.

    References
    ----------
    Sauro, J., & Lewis, J. R. (2016). *Quantifying the User Experience* (2nd ed.), ch. 6
    ("Comparing values", iterative sample size estimation with t).
    """
    sd = _check_positive(sd, "sd")
    if not isinstance(difference, (int, float)) or not math.isfinite(difference) \
            or difference == 0:
        raise ValueError(f"difference must be a non-zero number, got {difference!r}")
    confidence = check_confidence(confidence)
    power = _check_open_unit(power, "power")
    groups = 1 if paired else 2
    alpha_quantile = 1 - (1 - confidence) / 2
    ratio = groups * (sd / abs(difference)) ** 2

    def required(df: float | None) -> int:
        if df is None:
            quantiles = stats.norm.ppf(alpha_quantile) + stats.norm.ppf(power)
        else:
            quantiles = stats.t.ppf(alpha_quantile, df) + stats.t.ppf(power, df)
        return max(2, math.ceil(ratio * quantiles**2 - 1e-9))

    def degrees_of_freedom(n: int) -> int:
        return n - 1 if paired else 2 * (n - 1)

    # required() falls as n grows, so the smallest self-consistent n (n ≥ required(df(n))) is
    # found by stepping up from the normal-approximation value, which is a lower bound.
    n = required(None)
    while n < required(degrees_of_freedom(n)):
        n += 1
    return n


def sample_size_discovery(p: float, goal: float) -> int:
    """Participants needed to see, with probability ``goal``, a problem of occurrence ``p``.

    Notes
    -----
    n = ⌈ln(1 − goal) / ln(1 − p)⌉; see :func:`uxlab.stats.discovery.participants_needed`.

    References
    ----------
    Sauro, J., & Lewis, J. R. (2016). *Quantifying the User Experience* (2nd ed.), ch. 7.
    """
    return participants_needed(p, goal)

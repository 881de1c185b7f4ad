"""Sample-size planning for summative and formative usability studies.

Each function returns the number of participants (per group where there are groups) as an
``int``: the smallest n that meets the stated precision or power. The methods are those of
Sauro & Lewis, *Quantifying the User Experience* (2nd ed., 2016), chapters 6 and 7, Connor (1987)
for matched proportions and Lewis & Sauro's MeasuringU method for two Net Promoter Scores.
"""

from __future__ import annotations

import math

from scipy import stats

from uxlab.stats.discovery import participants_needed
from uxlab.stats.results import check_confidence

_MAX_ITERATIONS = 1000

#: A difference at most this fraction of the SD is treated as no difference at all.
NEGLIGIBLE_DIFFERENCE = 1e-9


def _check_open_unit(value: float, name: str) -> float:
    if not (isinstance(value, (int, float)) and 0 < value < 1) or math.isnan(value):
        raise ValueError(f"{name} must be between 0 and 1 (exclusive), got {value!r}")
    return float(value)


def _check_unit(value: float, name: str) -> float:
    if not (isinstance(value, (int, float)) and 0 <= value <= 1) or math.isnan(value):
        raise ValueError(f"{name} must be a proportion from 0 to 1, got {value!r}")
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


def sample_size_matched_proportions(p_only_a: float, p_only_b: float, confidence: float = 0.95,
                                    power: float = 0.8) -> int:
    """Participants to detect a difference between two completion rates measured on the same people.

    The within-subjects counterpart of :func:`sample_size_compare_proportions`, for McNemar's test
    (:func:`uxlab.stats.proportions.mcnemar_test`): only the participants who succeed on one
    variant but not the other carry information, so the plan needs the expected shares of those.

    Parameters
    ----------
    p_only_a, p_only_b : float
        Expected proportions of participants who succeed on A only (p₁₂) and on B only (p₂₁);
        each from 0 to 1, together at most 1, and different (their difference is p_B − p_A).
    confidence : float
        1 − α of the two-sided test.
    power : float
        1 − β.

    Returns
    -------
    int
        Participants, each trying both variants.

    Notes
    -----
    Connor (1987), for McNemar's test with the normal approximation: with the discordant share
    p_disc = p₁₂ + p₂₁ and the difference p_diff = p₂₁ − p₁₂,

        n = [z_{1−α/2} √p_disc + z_{power} √(p_disc − p_diff²)]² / p_diff²,

    rounded up (at least 2). uxlab's McNemar test is the exact mid-p; enumerated exactly, its
    power at this n is at or a little above the target (0.848 at n = 23 for p₁₂ = 0.05,
    p₂₁ = 0.45; 0.810 at n = 120 for 0.10 and 0.25, at 95% confidence and 80% power).

    References
    ----------
    Connor, R. J. (1987). Sample size for testing differences in proportions for the
    paired-sample design. *Biometrics*, 43(1), 207–211.
    """
    p12 = _check_unit(p_only_a, "p_only_a")
    p21 = _check_unit(p_only_b, "p_only_b")
    if p12 + p21 > 1:
        raise ValueError(f"p_only_a + p_only_b must be at most 1, got {p12 + p21!r}")
    if p12 == p21:
        raise ValueError(f"p_only_a and p_only_b must differ to plan a comparison, both are "
                         f"{p12!r}")
    confidence = check_confidence(confidence)
    power = _check_open_unit(power, "power")
    discordant, difference = p12 + p21, p21 - p12
    z_alpha = stats.norm.ppf(1 - (1 - confidence) / 2)
    z_beta = stats.norm.ppf(power)
    n = (z_alpha * math.sqrt(discordant)
         + z_beta * math.sqrt(max(0.0, discordant - difference**2))) ** 2 / difference**2
    return max(2, math.ceil(n - 1e-9))


def sample_size_compare_nps(promoters_a: float, detractors_a: float, promoters_b: float,
                            detractors_b: float, confidence: float = 0.95,
                            power: float = 0.8) -> int:
    """Respondents per group to detect a difference between two independent Net Promoter Scores.

    The plan for :func:`uxlab.stats.nps.nps_difference`, the adjusted-Wald z-test of two NPS.

    Parameters
    ----------
    promoters_a, detractors_a, promoters_b, detractors_b : float
        Expected proportions (0–1) of promoters and of detractors in each group; in each group
        they add up to at most 1, and the two groups' NPS must differ.
    confidence : float
        1 − α of the two-sided test.
    power : float
        1 − β.

    Returns
    -------
    int
        Respondents in each group (at least 2).

    Notes
    -----
    Lewis & Sauro: n = s² z² / d² − 3 per group, with z = z_{1−α/2} + z_{power}, d the
    difference of the two NPS as proportions, and s² the variance of that difference for one
    respondent per group, s² = Var_A + Var_B, where Var = p_pro + p_det − (p_pro − p_det)² is the
    variance of one respondent's +1 / 0 / −1 score. It is the adjusted-Wald test solved for n:
    with n respondents per group its standard error is √((Var_A + Var_B) / (n + 3)), and the
    three pseudo-respondents that the adjustment adds are taken off again.

    References
    ----------
    Lewis, J. R., & Sauro, J. Sample sizes for comparing Net Promoter Scores. MeasuringU,
    https://measuringu.com/nps-sig-test-sample-size/.
    Lewis, J. R., & Sauro, J. How to statistically compare two Net Promoter Scores. MeasuringU,
    https://measuringu.com/nps-significance-test/.
    """
    groups = []
    for name, pro, det in (("a", promoters_a, detractors_a), ("b", promoters_b, detractors_b)):
        pro = _check_unit(pro, f"promoters_{name}")
        det = _check_unit(det, f"detractors_{name}")
        if pro + det > 1:
            raise ValueError(f"promoters_{name} + detractors_{name} must be at most 1, got "
                             f"{pro + det!r}")
        groups.append((pro - det, pro + det - (pro - det) ** 2))
    (score_a, variance_a), (score_b, variance_b) = groups
    if score_a == score_b:
        raise ValueError(f"the two NPS must differ to plan a comparison, both are {score_a!r}")
    confidence = check_confidence(confidence)
    power = _check_open_unit(power, "power")
    z = stats.norm.ppf(1 - (1 - confidence) / 2) + stats.norm.ppf(power)
    n = (variance_a + variance_b) * z**2 / (score_b - score_a) ** 2 - 3
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
    if abs(difference) <= NEGLIGIBLE_DIFFERENCE * sd:
        # Equal means differ by rounding noise (e.g. 1e-14); no sample size detects that.
        raise ValueError(f"difference {difference!r} is negligible against sd {sd!r}")
    confidence = check_confidence(confidence)
    power = _check_open_unit(power, "power")
    groups = 1 if paired else 2
    alpha_quantile = 1 - (1 - confidence) / 2
    ratio = groups * (sd / abs(difference)) ** 2

    def required(df: float | None) -> int:
        if df is None:
            quantiles = stats.norm.ppf(alpha_quantile) + stats.norm.ppf(power)
        else:
            quantiles = stats.t.ppf(alpha_quantile, float(df)) + stats.t.ppf(power, float(df))
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

"""Net Promoter Score: the score with its adjusted-Wald interval, and two scores compared.

Likelihood-to-recommend ratings 0–10 are promoters (9–10), passives (7–8) or detractors (0–6);
NPS = % promoters − % detractors. Its interval and the comparison of two independent scores use
Lewis & Sauro's adjusted-Wald method (MeasuringU), after Rocks (2016).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from scipy import stats

from uxlab.stats.ratings import _ratings
from uxlab.stats.results import Estimate, Interval, TestResult, check_confidence


@dataclass(frozen=True)
class NetPromoterEstimate(Estimate):
    """A Net Promoter Score in points (−100 … 100) with its interval and the group counts.

    ``estimate`` is the observed NPS; the adjusted-Wald interval is centred on
    ``adjusted_estimate``, so with very few respondents the interval can exclude ``estimate``.
    """

    promoters: int = 0
    passives: int = 0
    detractors: int = 0
    adjusted_estimate: float = 0.0
    #: The interval before clipping to −100 … 100 (``None`` where it was not computed).
    computed_low: float | None = None
    computed_high: float | None = None


def _nps_counts(scores: Sequence[int], name: str) -> tuple[int, int, int]:
    array = _ratings(scores, name, 0, 10, minimum=1, integers=True)
    return int((array >= 9).sum()), int(((array >= 7) & (array <= 8)).sum()), \
        int((array <= 6).sum())


def _nps_adjusted(promoters: int, detractors: int, n: int) -> tuple[float, float, float]:
    """Return (adjusted NPS, its trinomial variance, adjusted n) as proportions."""
    n_adj = n + 3
    p_pro = (promoters + 0.75) / n_adj
    p_det = (detractors + 0.75) / n_adj
    return p_pro - p_det, p_pro + p_det - (p_pro - p_det) ** 2, n_adj


def nps(scores: Sequence[int], confidence: float = 0.95) -> NetPromoterEstimate:
    """Net Promoter Score of 0–10 likelihood-to-recommend ratings, with adjusted-Wald interval.

    Parameters
    ----------
    scores : sequence of int
        Ratings 0–10: promoters 9–10, passives 7–8, detractors 0–6.
    confidence : float
        Two-sided confidence level.

    Returns
    -------
    NetPromoterEstimate
        NPS = 100 · (promoters − detractors) / n, interval bounds clipped to [−100, 100]
        (the bounds before clipping in ``computed_low`` / ``computed_high``).

    Notes
    -----
    Adjusted-Wald: n_adj = n + 3, p_pro = (promoters + ¾)/n_adj, p_det = (detractors + ¾)/n_adj,
    NPS_adj = p_pro − p_det, Var = p_pro + p_det − NPS_adj² (the variance of a +1/0/−1 trinomial
    score), interval NPS_adj ± z_{1−α/2} · √(Var / n_adj), all × 100. Adding 3 to n is adding
    pseudo-observations ¾ detractor, 1½ passive, ¾ promoter — the defaults of Rocks's
    ``NPS::nps_test(test = "adjusted.wald")``.

    References
    ----------
    Lewis, J. R., & Sauro, J. Confidence intervals for Net Promoter Scores. MeasuringU,
    https://measuringu.com/nps-confidence-intervals/.
    Rocks, B. (2016). Interval estimation for the "net promoter score". *The American
    Statistician*, 70(4), 365–372.
    """
    confidence = check_confidence(confidence)
    promoters, passives, detractors = _nps_counts(scores, "NPS ratings")
    n = promoters + passives + detractors
    adjusted, variance, n_adj = _nps_adjusted(promoters, detractors, n)
    margin = float(stats.norm.ppf(1 - (1 - confidence) / 2)) * math.sqrt(variance / n_adj)
    low, high = 100 * (adjusted - margin), 100 * (adjusted + margin)
    return NetPromoterEstimate(
        estimate=100 * (promoters - detractors) / n,
        interval=Interval(max(-100.0, low), min(100.0, high), confidence),
        method="adjusted-wald",
        n=n,
        promoters=promoters,
        passives=passives,
        detractors=detractors,
        adjusted_estimate=100 * adjusted,
        computed_low=low,
        computed_high=high,
    )


def nps_difference(a_scores: Sequence[int], b_scores: Sequence[int],
                   confidence: float = 0.95) -> TestResult:
    """Compare two independent Net Promoter Scores: B − A with interval and z-test.

    Returns
    -------
    TestResult
        ``difference`` is the observed NPS_B − NPS_A in points; ``interval`` and ``statistic``
        use the adjusted-Wald estimates; ``extra`` holds both groups' NPS and counts.

    Notes
    -----
    For each group compute NPS_adj, Var and n_adj as in :func:`nps`. Then
    se = √(Var_A/n_adj,A + Var_B/n_adj,B), z = (NPS_adj,B − NPS_adj,A) / se, two-sided p from
    the standard normal, and the interval (NPS_adj,B − NPS_adj,A) ± z_{1−α/2} · se, × 100.

    References
    ----------
    Lewis, J. R., & Sauro, J. How to statistically compare two Net Promoter Scores. MeasuringU,
    https://measuringu.com/nps-significance-test/.
    Lewis, J. R., & Sauro, J. (2021, February 16). Evaluating NPS significance tests with
    real-world data. MeasuringU, https://measuringu.com/nps-three-significance-tests/.
    """
    confidence = check_confidence(confidence)
    a = nps(a_scores, confidence)
    b = nps(b_scores, confidence)
    adj_a, var_a, n_a = _nps_adjusted(a.promoters, a.detractors, a.n)
    adj_b, var_b, n_b = _nps_adjusted(b.promoters, b.detractors, b.n)
    se = math.sqrt(var_a / n_a + var_b / n_b)
    shift = adj_b - adj_a
    z = shift / se
    margin = float(stats.norm.ppf(1 - (1 - confidence) / 2)) * se
    return TestResult(
        test="adjusted-wald NPS difference z",
        statistic=z,
        pvalue=float(2 * stats.norm.sf(abs(z))),
        difference=b.estimate - a.estimate,
        interval=Interval(max(-200.0, 100 * (shift - margin)),
                          min(200.0, 100 * (shift + margin)), confidence),
        extra={"a": a, "b": b, "adjusted_difference": 100 * shift},
    )


def benchmark_nps_test(scores: Sequence[int], benchmark: float,
                       confidence: float = 0.95) -> TestResult:
    """One-sided test: is the Net Promoter Score above ``benchmark`` (in points, −100 … 100)?

    Returns
    -------
    TestResult
        ``test`` = ``"adjusted-wald NPS z (one-sided) vs benchmark"``, ``alternative`` =
        ``"greater"``; ``statistic`` = z; ``pvalue`` = one-sided p; ``difference`` = observed
        NPS − benchmark with its one-sided interval (lower bound; upper bound +∞).

    Notes
    -----
    The one-sample form of :func:`nps_difference`: with NPS_adj, Var and n_adj as in :func:`nps`,
    se = √(Var / n_adj), z = (NPS_adj − benchmark/100) / se, p = 1 − Φ(z); the lower bound is
    NPS_adj − z_{1−α} · se (× 100, minus the benchmark). This is Sauro & Lewis's benchmark test
    for a proportion (compare the one-sided bound with the target) applied to the adjusted-Wald
    NPS.

    References
    ----------
    Sauro, J., & Lewis, J. R. (2016). *Quantifying the User Experience* (2nd ed.), ch. 4.
    Lewis, J. R., & Sauro, J. Confidence intervals for Net Promoter Scores. MeasuringU,
    https://measuringu.com/nps-confidence-intervals/.
    """
    confidence = check_confidence(confidence)
    if not isinstance(benchmark, (int, float)) or not -100 <= benchmark <= 100:
        raise ValueError(f"an NPS benchmark must be a number from −100 to 100, got {benchmark!r}")
    estimate = nps(scores, confidence)
    adjusted, variance, n_adj = _nps_adjusted(estimate.promoters, estimate.detractors,
                                              estimate.n)
    se = math.sqrt(variance / n_adj)
    z = (adjusted - benchmark / 100) / se
    low = 100 * (adjusted - float(stats.norm.ppf(confidence)) * se) - benchmark
    return TestResult(
        test="adjusted-wald NPS z (one-sided) vs benchmark",
        statistic=z,
        pvalue=float(stats.norm.sf(z)),
        alternative="greater",
        difference=estimate.estimate - benchmark,
        interval=Interval(max(-100.0 - benchmark, low), math.inf, confidence),
        extra={"nps": estimate, "benchmark": float(benchmark)},
    )

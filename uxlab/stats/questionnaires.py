"""Standardized questionnaires: SUS, UMUX-Lite, SEQ, CES and CSAT.

Scoring follows each instrument's published rule; summaries are means with t intervals
(Sauro & Lewis, 2016, ch. 3) and benchmarks one-sided one-sample t-tests (ch. 4). The comparisons
of rating means are in :mod:`uxlab.stats.ratings`, the Net Promoter Score in :mod:`uxlab.stats.nps`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy import stats

from uxlab.stats.proportions import completion_interval
from uxlab.stats.ratings import _mean_with_t_interval, _ratings
from uxlab.stats.results import Estimate, Interval, TestResult, check_confidence, varies

# --------------------------------------------------------------------------- SUS

SUS_ITEMS = 10

# Sauro–Lewis curved grading scale: (lower cut point, grade, lower bound of percentile range).
SUS_GRADES: tuple[tuple[float, str, float], ...] = (
    (84.1, "A+", 96), (80.8, "A", 90), (78.9, "A-", 85), (77.2, "B+", 80), (74.1, "B", 70),
    (72.6, "B-", 65), (71.1, "C+", 60), (65.0, "C", 41), (62.7, "C-", 35), (51.7, "D", 15),
    (0.0, "F", 0),
)

# Published (SUS, percentile) points: the grade table's cut points, the mean of 68 at the 50th
# percentile, and the ends of the scale.
_SUS_PERCENTILE_POINTS = tuple(sorted(
    [(cut, pct) for cut, _, pct in SUS_GRADES] + [(68.0, 50.0), (100.0, 100.0)]))


def sus_score(responses: Sequence[int | None]) -> float:
    """Score one respondent's System Usability Scale questionnaire (0–100).

    Parameters
    ----------
    responses : sequence of 10 int or None
        Items 1–10 in questionnaire order, each 1 (strongly disagree) to 5 (strongly agree);
        ``None`` (or NaN) for an item left blank.

    Returns
    -------
    float
        The SUS score.

    Raises
    ------
    ValueError
        If the length is not 10, a response is outside 1–5, or more than one item is missing
        (such a respondent is excluded from the analysis).

    Notes
    -----
    Item contributions are x − 1 for the odd (positively worded) items and 5 − x for the even
    ones, each 0–4; SUS = 2.5 · Σ contributions.

    Missing items: at most one may be missing. The score is then 100/36 · Σ of the nine
    answered contributions — Lewis & Sauro's (2017) rule for a nine-item SUS, whose means they
    found within one point of the ten-item SUS for whichever item is dropped. (Brooke's
    instruction to respondents is to mark the centre point for an item they cannot answer; that
    happens before scoring and needs no rule here.)

    References
    ----------
    Brooke, J. (1996). SUS: A "quick and dirty" usability scale. In *Usability Evaluation in
    Industry* (pp. 189–194). Taylor & Francis.
    Lewis, J. R., & Sauro, J. (2017). Can I leave this one out? The effect of dropping an item
    from the SUS. *Journal of Usability Studies*, 13(1), 38–46.
    Sauro, J., & Lewis, J. R. (2016). *Quantifying the User Experience* (2nd ed.), ch. 8.
    """
    if len(responses) != SUS_ITEMS:
        raise ValueError(f"SUS has {SUS_ITEMS} items, got {len(responses)} responses")
    contributions = []
    missing = []
    for item, response in enumerate(responses, start=1):
        if response is None or (isinstance(response, float) and math.isnan(response)):
            missing.append(item)
            continue
        if response not in (1, 2, 3, 4, 5):
            raise ValueError(f"SUS item {item} must be an integer from 1 to 5, got {response!r}")
        contributions.append(response - 1 if item % 2 else 5 - response)
    if len(missing) > 1:
        raise ValueError(f"SUS items {missing} are missing; at most one may be missing, so this "
                         "respondent must be excluded")
    return sum(contributions) * (100 / (4 * len(contributions)))


def sus_scores(matrix) -> np.ndarray:
    """Score many respondents' SUS questionnaires at once (0–100; NaN where not scorable).

    The vectorized :func:`sus_score` for an analysis: one row per respondent, so ten thousand
    respondents take a fraction of a millisecond instead of a Python call each.

    Parameters
    ----------
    matrix : array_like, shape (n, 10)
        Items 1–10 in questionnaire order, one row per respondent, each 1 to 5; NaN for an item
        left blank.

    Returns
    -------
    numpy.ndarray, shape (n,)
        The SUS score of each respondent; NaN for a respondent with more than one item missing
        (:func:`sus_score` raises for such a respondent; here the row is marked so the caller can
        exclude and count it).

    Raises
    ------
    ValueError
        If the matrix is not n × 10, or an answer is not an integer from 1 to 5 (the message
        names the row and item).

    Notes
    -----
    As :func:`sus_score`, row by row and to the last bit: contributions x − 1 for the odd items
    and 5 − x for the even ones; with all ten answered SUS = 2.5 · Σ contributions, with one
    missing 100/36 · Σ of the nine answered (Lewis & Sauro, 2017), with more missing NaN.

    References
    ----------
    Brooke, J. (1996). SUS: A "quick and dirty" usability scale. In *Usability Evaluation in
    Industry* (pp. 189–194). Taylor & Francis.
    Lewis, J. R., & Sauro, J. (2017). Can I leave this one out? The effect of dropping an item
    from the SUS. *Journal of Usability Studies*, 13(1), 38–46.
    """
    answers = np.asarray(matrix, dtype=float)
    if answers.ndim != 2 or answers.shape[1] != SUS_ITEMS:
        raise ValueError(f"SUS answers must be a matrix of {SUS_ITEMS} columns, one row per "
                         f"respondent, got shape {answers.shape}")
    missing = np.isnan(answers)
    bad = ~missing & ~np.isin(answers, (1, 2, 3, 4, 5))
    if bad.any():
        row, column = (int(i) for i in np.argwhere(bad)[0])
        raise ValueError(f"SUS item {column + 1} of row {row} must be an integer from 1 to 5, "
                         f"got {float(answers[row, column])!r}")
    # Σ contributions = Σ ± x over the answered items, + answered odd items · (−1) + answered
    # even items · 5 (items 1, 3, 5, … sit at indices 0, 2, 4, …); whole numbers, so exact.
    odd_item = np.arange(SUS_ITEMS) % 2 == 0
    sign, offset = np.where(odd_item, 1.0, -1.0), np.where(odd_item, -1.0, 5.0)
    total = np.where(missing, 0.0, answers) @ sign + (~missing) @ offset
    answered = (~missing) @ np.ones(SUS_ITEMS)
    scores = np.full(answers.shape[0], np.nan)
    scorable = answered >= SUS_ITEMS - 1
    scores[scorable] = total[scorable] * (100 / (4 * answered[scorable]))
    return scores


def sus_summary(scores: Sequence[float], confidence: float = 0.95) -> Estimate:
    """Mean SUS score with its t confidence interval.

    Notes
    -----
    mean ± t_{1−α/2, n−1} · s/√n. SUS means are close enough to normal for the t interval even
    at small n (Sauro & Lewis, 2016, ch. 3 and 8).

    References
    ----------
    Sauro, J., & Lewis, J. R. (2016). *Quantifying the User Experience* (2nd ed.), ch. 3, 8.
    """
    return _mean_with_t_interval(_ratings(scores, "SUS scores", 0, 100), confidence, "t")


def sus_grade(score: float) -> str:
    """Letter grade (A+ … F) of a mean SUS score on the Sauro–Lewis curved grading scale.

    Notes
    -----
    A score takes the grade whose lower cut point it reaches: 84.1 → A+, 84.0 → A. Cut points:
    A+ 84.1, A 80.8, A− 78.9, B+ 77.2, B 74.1, B− 72.6, C+ 71.1, C 65.0, C− 62.7, D 51.7, F 0.
    Grades are returned with an ASCII hyphen ("A-").

    References
    ----------
    Sauro, J., & Lewis, J. R. (2016). *Quantifying the User Experience* (2nd ed.), ch. 8,
    curved grading scale (from 241 industrial studies).
    """
    score = _check_sus(score)
    return next(grade for cut, grade, _ in SUS_GRADES if score >= cut)


def sus_percentile(score: float) -> float:
    """Approximate percentile rank (0–100) of a mean SUS score among published studies.

    Notes
    -----
    Linear interpolation between published points: each lower cut point of the curved grading
    scale at the lower bound of its percentile range (51.7 → 15, 62.7 → 35, 65.0 → 41,
    71.1 → 60, 72.6 → 65, 74.1 → 70, 77.2 → 80, 78.9 → 85, 80.8 → 90, 84.1 → 96), the mean 68 at
    the 50th percentile, and 0 → 0, 100 → 100. It is within one percentile point of the
    printed examples (52 → 15th, 74 → 70th, 75 → 73rd). Below 51.7 and above 84.1 the published
    table only bounds the rank (under 15, over 96), so values there are coarse.

    The normal approximation N(68, 12.5²) is not used: the SUS distribution is skewed and that
    approximation puts 51.7 at the 10th percentile where the published table has the 15th.

    References
    ----------
    Sauro, J., & Lewis, J. R. (2016). *Quantifying the User Experience* (2nd ed.), ch. 8.
    Sauro, J. (2018). 5 ways to interpret a SUS score. MeasuringU,
    https://measuringu.com/interpret-sus-score/.
    """
    score = _check_sus(score)
    xs, ys = zip(*_SUS_PERCENTILE_POINTS, strict=True)
    return float(np.interp(score, xs, ys))


def _check_sus(score: float) -> float:
    if not isinstance(score, (int, float, np.floating)) or not 0 <= score <= 100:
        raise ValueError(f"a SUS score must be a number from 0 to 100, got {score!r}")
    return float(score)


def benchmark_sus_test(scores: Sequence[float], benchmark: float = 68.0,
                       confidence: float = 0.95) -> TestResult:
    """One-sided one-sample t-test: is the mean SUS above ``benchmark`` (default 68)?

    Returns
    -------
    TestResult
        ``alternative="greater"``; ``difference`` = mean − benchmark with its one-sided interval
        (upper bound +∞) at ``confidence``.

    Raises
    ------
    ValueError
        If every score is the same: without spread the t statistic is undefined, so whether the
        mean is above the benchmark cannot be tested.

    References
    ----------
    Sauro, J., & Lewis, J. R. (2016). *Quantifying the User Experience* (2nd ed.), ch. 4
    ("Comparing a satisfaction score to a benchmark").
    """
    return _benchmark_test(_ratings(scores, "SUS scores", 0, 100), benchmark, confidence, "SUS")


# --------------------------------------------------------------------------- UMUX-Lite


def umux_lite_score(item1: int, item2: int) -> float:
    """UMUX-Lite score (0–100) of one respondent's two 7-point items.

    Notes
    -----
    UMUX-Lite = ((item1 − 1) + (item2 − 1)) / 12 · 100.

    References
    ----------
    Lewis, J. R., Utesch, B. S., & Maher, D. E. (2013). UMUX-LITE: When there's no time for the
    SUS. *Proceedings of CHI 2013*, 2099–2102.
    """
    for name, item in (("item1", item1), ("item2", item2)):
        if item not in (1, 2, 3, 4, 5, 6, 7):
            raise ValueError(f"UMUX-Lite {name} must be an integer from 1 to 7, got {item!r}")
    return ((item1 - 1) + (item2 - 1)) / 12 * 100


def umux_lite_summary(scores: Sequence[float], confidence: float = 0.95) -> Estimate:
    """Mean UMUX-Lite score with its t confidence interval.

    Notes
    -----
    mean ± t_{1−α/2, n−1} · s/√n of the respondents' :func:`umux_lite_score` values (a single
    point when every score is the same). Like SUS means, UMUX-Lite means are close enough to
    normal for the t-interval at usability sample sizes.

    References
    ----------
    Lewis, J. R., Utesch, B. S., & Maher, D. E. (2013). UMUX-LITE: When there's no time for the
    SUS. *Proceedings of CHI 2013*, 2099–2102.
    Sauro, J., & Lewis, J. R. (2016). *Quantifying the User Experience* (2nd ed.), ch. 3, 8.
    """
    return _mean_with_t_interval(_ratings(scores, "UMUX-Lite scores", 0, 100), confidence, "t")


def umux_lite_sus_equivalent(score: float) -> float:
    """SUS-equivalent of a UMUX-Lite score by the published regression.

    Notes
    -----
    SUS ≈ 0.65 · UMUX-Lite + 22.9. Later work (Lewis & Sauro's UX-Lite research) found the
    unadjusted score closer to SUS for well-rated products; report both where it matters.

    References
    ----------
    Lewis, J. R., Utesch, B. S., & Maher, D. E. (2013). *Proceedings of CHI 2013*, 2099–2102.
    Lewis, J. R., Utesch, B. S., & Maher, D. E. (2015). Investigating the correspondence between
    UMUX-LITE and SUS scores. *HCII 2015*, LNCS 9186 (Springer).
    """
    if not isinstance(score, (int, float, np.floating)) or not 0 <= score <= 100:
        raise ValueError(f"a UMUX-Lite score must be a number from 0 to 100, got {score!r}")
    return 0.65 * float(score) + 22.9


def benchmark_umux_lite_test(scores: Sequence[float], benchmark: float,
                             confidence: float = 0.95) -> TestResult:
    """One-sided one-sample t-test: is the mean UMUX-Lite score above ``benchmark``?

    The same test as :func:`benchmark_sus_test` (UMUX-Lite shares SUS's 0–100 scale and its
    close-to-normal means); see it for the returned fields.

    References
    ----------
    Sauro, J., & Lewis, J. R. (2016). *Quantifying the User Experience* (2nd ed.), ch. 4
    ("Comparing a satisfaction score to a benchmark").
    """
    return _benchmark_test(_ratings(scores, "UMUX-Lite scores", 0, 100), benchmark, confidence,
                           "UMUX-Lite")


# --------------------------------------------------------------------------- SEQ, CES


def seq_summary(ratings: Sequence[float], confidence: float = 0.95) -> Estimate:
    """Mean Single Ease Question rating (1–7) with its t confidence interval.

    References
    ----------
    Sauro, J., & Dumas, J. S. (2009). Comparison of three one-question, post-task usability
    questionnaires. *Proceedings of CHI 2009*, 1599–1608.
    Sauro, J., & Lewis, J. R. (2016). *Quantifying the User Experience* (2nd ed.), ch. 3.
    """
    return _mean_with_t_interval(_ratings(ratings, "SEQ ratings", 1, 7), confidence, "t")


def benchmark_seq_test(ratings: Sequence[float], benchmark: float = 5.5,
                       confidence: float = 0.95) -> TestResult:
    """One-sided one-sample t-test: is the mean SEQ above ``benchmark`` (default 5.5)?

    Raises ``ValueError`` when the ratings do not vary (see :func:`benchmark_sus_test`).

    References
    ----------
    Sauro, J., & Lewis, J. R. (2016). *Quantifying the User Experience* (2nd ed.), ch. 4.
    """
    return _benchmark_test(_ratings(ratings, "SEQ ratings", 1, 7), benchmark, confidence, "SEQ")


def ces_summary(ratings: Sequence[float], confidence: float = 0.95) -> Estimate:
    """Mean Customer Effort Score (1–7 agreement) with its t confidence interval.

    References
    ----------
    Dixon, M., Freeman, K., & Toman, N. (2010). Stop trying to delight your customers.
    *Harvard Business Review*, 88(7/8), 116–122.
    Sauro, J., & Lewis, J. R. (2016). *Quantifying the User Experience* (2nd ed.), ch. 3.
    """
    return _mean_with_t_interval(_ratings(ratings, "CES ratings", 1, 7), confidence, "t")


def _benchmark_test(values: np.ndarray, benchmark: float, confidence: float,
                    measure: str) -> TestResult:
    confidence = check_confidence(confidence)
    if not isinstance(benchmark, (int, float)) or not math.isfinite(benchmark):
        raise ValueError(f"benchmark must be a finite number, got {benchmark!r}")
    if not varies(values):
        # No spread, no standard error: t is undefined, and its limit (±infinity, p = 0) would
        # call two identical answers "significantly above the benchmark".
        raise ValueError(f"the {measure} answers do not vary (their variability is zero), so "
                         "the one-sample t-test against the benchmark is undefined")
    gap = float(values.mean() - benchmark)
    result = stats.ttest_1samp(values, benchmark, alternative="greater")
    statistic, pvalue = float(result.statistic), float(result.pvalue)
    low, high = result.confidence_interval(confidence)
    return TestResult(
        test=f"one-sample t (one-sided) vs {measure} benchmark",
        statistic=statistic,
        pvalue=pvalue,
        alternative="greater",
        df=float(values.size - 1),
        difference=gap,
        interval=Interval(float(low - benchmark), float(high), confidence),
        extra={"mean": float(values.mean()), "benchmark": float(benchmark)},
    )


# --------------------------------------------------------------------------- NPS


# --------------------------------------------------------------------------- CSAT


def csat_top_two_box(ratings: Sequence[int], scale_max: int = 5,
                     confidence: float = 0.95) -> Estimate:
    """Proportion of satisfaction ratings in the top two boxes, with adjusted-Wald interval.

    Parameters
    ----------
    ratings : sequence of int
        Ratings from 1 to ``scale_max``.
    scale_max : int
        Highest scale point (5 for the usual CSAT; 7 or 10 also work).

    Notes
    -----
    Top-two-box = #(rating ≥ scale_max − 1) / n, a binomial proportion, so it takes the
    adjusted-Wald interval of :func:`uxlab.stats.proportions.completion_interval`:
    p_adj = (x + z²/2)/(n + z²), p_adj ± z·√(p_adj(1 − p_adj)/(n + z²)), with the one-sided z at
    x = 0 or x = n and bounds clipped to [0, 1].

    References
    ----------
    Sauro, J., & Lewis, J. R. (2016). *Quantifying the User Experience* (2nd ed.), ch. 3
    (adjusted-Wald interval) and ch. 9 (top-box scoring).
    Agresti, A., & Coull, B. A. (1998). *The American Statistician*, 52(2), 119–126.
    """
    if not isinstance(scale_max, int) or scale_max < 3:
        raise ValueError(f"scale_max must be an integer of at least 3, got {scale_max!r}")
    confidence = check_confidence(confidence)
    array = _ratings(ratings, "CSAT ratings", 1, scale_max, minimum=1, integers=True)
    top = int((array >= scale_max - 1).sum())
    return completion_interval(top, int(array.size), confidence)

"""Questionnaires: SUS, UMUX-Lite, SEQ, NPS, CSAT, CES and rating-mean comparisons."""

import math
import statistics

import pytest
from scipy import stats

from uxlab.stats.questionnaires import (
    benchmark_seq_test,
    benchmark_sus_test,
    ces_summary,
    compare_means_between,
    compare_means_within,
    csat_top_two_box,
    nps,
    nps_difference,
    seq_summary,
    sus_grade,
    sus_percentile,
    sus_score,
    sus_summary,
    umux_lite_score,
    umux_lite_sus_equivalent,
)
from uxlab.stats.results import Estimate

# ----------------------------------------------------------------------------- SUS scoring

# Brooke (1996), "SUS: a quick and dirty usability scale", scored example (reproduced as
# Fig. 6.8 of Tullis & Albert, Measuring the User Experience): contributions
# 4, 1, 1, 4, 1, 2, 1, 1, 4, 3 → total 22 → SUS = 22 × 2.5 = 55.
BROOKE_RESPONSES = [5, 4, 2, 1, 2, 3, 2, 4, 5, 2]


def test_sus_score_reproduces_brookes_example():
    assert sus_score(BROOKE_RESPONSES) == 55.0


def test_sus_score_extremes():
    assert sus_score([5, 1] * 5) == 100.0
    assert sus_score([1, 5] * 5) == 0.0


def test_one_missing_item_is_prorated_by_100_over_36():
    # Lewis & Sauro (2017): nine-item SUS scored as Σ contributions × 100/36. Without item 2
    # the Brooke example leaves 4+1+4+1+2+1+1+4+3 = 21 → 21 × 100/36 = 58.33.
    responses = list(BROOKE_RESPONSES)
    responses[1] = None
    assert sus_score(responses) == pytest.approx(2100 / 36)
    responses[1] = float("nan")
    assert sus_score(responses) == pytest.approx(2100 / 36)


@pytest.mark.parametrize(("responses", "message"), [
    ([None, None, 3, 3, 3, 3, 3, 3, 3, 3], r"items \[1, 2\] are missing"),
    ([3] * 9, "10 items"),
    ([3] * 9 + [6], "item 10 must be"),
    ([3] * 9 + [2.5], "item 10 must be"),
])
def test_sus_score_rejects_bad_responses(responses, message):
    with pytest.raises(ValueError, match=message):
        sus_score(responses)


def test_sus_summary_is_a_t_interval():
    scores = [55.0, 72.5, 80.0, 67.5, 90.0]
    result = sus_summary(scores, 0.9)
    # Independent: mean ± t(.95, 4) · s/√n with t = 2.132 (printed t table).
    mean, s = statistics.mean(scores), statistics.stdev(scores)
    assert isinstance(result, Estimate)
    assert result.estimate == pytest.approx(mean)
    assert result.low == pytest.approx(mean - 2.132 * s / math.sqrt(5), abs=0.01)
    assert result.high == pytest.approx(mean + 2.132 * s / math.sqrt(5), abs=0.01)
    assert (result.n, result.method, result.interval.confidence) == (5, "t", 0.9)


# ----------------------------------------------------------------------------- SUS grades

# Sauro & Lewis (2016), Quantifying the User Experience, ch. 8: the curved grading scale.
CURVED_GRADING_SCALE = [
    ("A+", 84.1, 100.0), ("A", 80.8, 84.0), ("A-", 78.9, 80.7), ("B+", 77.2, 78.8),
    ("B", 74.1, 77.1), ("B-", 72.6, 74.0), ("C+", 71.1, 72.5), ("C", 65.0, 71.0),
    ("C-", 62.7, 64.9), ("D", 51.7, 62.6), ("F", 0.0, 51.6),
]


@pytest.mark.parametrize(("grade", "low", "high"), CURVED_GRADING_SCALE)
def test_sus_grade_reproduces_the_curved_grading_scale(grade, low, high):
    assert sus_grade(low) == grade
    assert sus_grade(high) == grade


def test_a_score_takes_the_grade_whose_cut_point_it_reaches():
    assert sus_grade(84.1) == "A+"
    assert sus_grade(84.0) == "A"
    assert sus_grade(84.09) == "A"
    assert sus_grade(68) == "C"


@pytest.mark.parametrize(("score", "percentile"), [
    (68, 50),   # MeasuringU "5 ways to interpret a SUS score": the average 68 is the 50th
    (75, 73),   # 75 is at the 73rd percentile
    (52, 15),   # 52 is at the 15th percentile
    (74, 70),   # Sauro (2011), MeasuringU "Measuring usability with the SUS": 74 → 70%
])
def test_sus_percentile_reproduces_published_examples(score, percentile):
    # Linear interpolation of the grade table is within one percentile point of these.
    assert sus_percentile(score) == pytest.approx(percentile, abs=1)


@pytest.mark.parametrize(("grade", "low", "percentile"), [
    ("A+", 84.1, 96), ("A", 80.8, 90), ("A-", 78.9, 85), ("B+", 77.2, 80), ("B", 74.1, 70),
    ("B-", 72.6, 65), ("C+", 71.1, 60), ("C", 65.0, 41), ("C-", 62.7, 35), ("D", 51.7, 15),
])
def test_sus_percentile_at_grade_cut_points(grade, low, percentile):
    # Sauro & Lewis (2016), ch. 8: each grade's score range with its percentile range.
    assert sus_percentile(low) == pytest.approx(percentile)


def test_sus_percentile_ends_and_errors():
    assert sus_percentile(0) == 0 and sus_percentile(100) == 100
    with pytest.raises(ValueError, match="SUS score"):
        sus_percentile(101)
    with pytest.raises(ValueError, match="SUS score"):
        sus_grade(-1)


def test_benchmark_sus_test_is_one_sided():
    scores = [70, 80, 75, 90, 60, 85]
    result = benchmark_sus_test(scores)
    # Independent: t = (76.667 − 68)/(10.801/√6) = 1.965, one-sided p from the t(5) tail.
    t = (statistics.mean(scores) - 68) / (statistics.stdev(scores) / math.sqrt(6))
    assert result.statistic == pytest.approx(t)
    assert result.pvalue == pytest.approx(stats.t.sf(t, 5))
    assert result.alternative == "greater" and result.df == 5
    assert result.difference == pytest.approx(76.6667 - 68, abs=1e-4)
    assert not result.significant  # t(.95, 5) = 2.015 > 1.965
    assert result.interval.high == math.inf
    assert result.interval.low == pytest.approx(
        statistics.mean(scores) - 2.015 * statistics.stdev(scores) / math.sqrt(6) - 68, abs=0.01)


# ----------------------------------------------------------------------------- UMUX-Lite


@pytest.mark.parametrize(("item1", "item2", "expected"), [
    (7, 7, 100.0), (1, 1, 0.0), (4, 4, 50.0), (7, 4, 75.0),
])
def test_umux_lite_score(item1, item2, expected):
    # Lewis, Utesch & Maher (2013): ((i1 − 1) + (i2 − 1))/12 × 100.
    assert umux_lite_score(item1, item2) == pytest.approx(expected)


def test_umux_lite_sus_equivalent_uses_the_published_regression():
    # Lewis, Utesch & Maher (2013): SUS ≈ .65 × UMUX-LITE + 22.9.
    assert umux_lite_sus_equivalent(100) == pytest.approx(87.9)
    assert umux_lite_sus_equivalent(0) == pytest.approx(22.9)
    assert umux_lite_sus_equivalent(75) == pytest.approx(71.65)


def test_umux_lite_rejects_bad_items():
    with pytest.raises(ValueError, match="item2"):
        umux_lite_score(4, 8)
    with pytest.raises(ValueError, match="0 to 100"):
        umux_lite_sus_equivalent(120)


# ----------------------------------------------------------------------------- SEQ, CES


def test_seq_summary_by_hand():
    # [3, 5, 6, 6, 5]: mean 5, s² = 6/4 = 1.5, se = √(1.5/5) = 0.5477;
    # t(.975, 4) = 2.776 (printed t table) → 5 ± 1.5205 = [3.48, 6.52].
    result = seq_summary([3, 5, 6, 6, 5])
    assert result.estimate == 5
    assert result.low == pytest.approx(3.48, abs=0.005)
    assert result.high == pytest.approx(6.52, abs=0.005)


def test_identical_ratings_give_a_zero_width_interval():
    result = seq_summary([6, 6, 6])
    assert (result.low, result.high) == (6, 6)


def test_benchmark_seq_test_defaults_to_5_5():
    result = benchmark_seq_test([6, 7, 6, 7, 7, 6, 7])
    assert result.extra["benchmark"] == 5.5
    assert result.significant


def test_benchmark_with_identical_ratings_returns_the_limits():
    above = benchmark_seq_test([7, 7, 7, 7])
    assert (above.statistic, above.pvalue, above.difference) == (math.inf, 0.0, 1.5)
    assert above.interval.low == 1.5
    level = benchmark_seq_test([5.5, 5.5])
    assert (level.statistic, level.pvalue) == (0.0, 1.0)


def test_between_comparison_allows_one_constant_group():
    result = compare_means_between([7, 7, 7], [5, 6, 7])
    assert result.difference == pytest.approx(-1.0)
    assert 0 < result.pvalue < 1


def test_ces_summary_rejects_off_scale_values():
    with pytest.raises(ValueError, match="from 1 to 7, found 8"):
        ces_summary([4, 5, 8])
    assert ces_summary([4, 6]).estimate == 5


# ----------------------------------------------------------------------------- NPS


def test_nps_point_estimate_reproduces_talkstats_example():
    # talkstats.com NPS thread: 291 promoters, 476 passives, 395 detractors of 1162 → NPS −9.
    result = nps([10] * 291 + [8] * 476 + [5] * 395)
    assert round(result.estimate) == -9
    assert (result.promoters, result.passives, result.detractors, result.n) == (291, 476, 395,
                                                                                 1162)


def test_nps_adjusted_wald_interval_by_hand():
    # Independent hand computation of Lewis & Sauro's adjusted-Wald NPS interval:
    # 40 promoters, 40 passives, 20 detractors; n_adj = 103; p_pro = 40.75/103 = .395631;
    # p_det = 20.75/103 = .201456; NPS_adj = .194175; Var = .597087 − .194175² = .559383;
    # se = √(.559383/103) = .073694; ±1.959964·se = ±.144439 → [4.97, 33.86] points.
    result = nps([10] * 40 + [7] * 40 + [3] * 20)
    assert result.estimate == pytest.approx(20.0)
    assert result.adjusted_estimate == pytest.approx(19.4175, abs=1e-4)
    assert result.low == pytest.approx(4.974, abs=1e-3)
    assert result.high == pytest.approx(33.861, abs=1e-3)
    assert result.method == "adjusted-wald"


def test_nps_bounds_are_clipped():
    result = nps([10, 10, 9])
    assert -100 <= result.low <= result.high <= 100


def test_nps_difference_by_hand():
    # A: 40/40/20 as above; B: 30/40/30 → NPS_adj,B = 0, Var_B = 61.5/103 = .597087.
    # se = √((.559383 + .597087)/103) = .105962; z = (0 − .194175)/.105962 = −1.8325;
    # p = 2Φ(−1.8325) = .0669; interval −19.42 ± 1.959964·10.5962 = [−40.19, 1.35].
    a = [10] * 40 + [7] * 40 + [3] * 20
    b = [10] * 30 + [7] * 40 + [3] * 30
    result = nps_difference(a, b)
    assert result.difference == pytest.approx(-20.0)
    assert result.statistic == pytest.approx(-1.8325, abs=1e-4)
    assert result.pvalue == pytest.approx(0.0669, abs=1e-4)
    assert result.interval.low == pytest.approx(-40.19, abs=0.01)
    assert result.interval.high == pytest.approx(1.35, abs=0.01)
    assert result.extra["a"].estimate == 20.0 and result.extra["b"].estimate == 0.0


def test_nps_rejects_bad_ratings():
    with pytest.raises(ValueError, match="integers from 0 to 10, found 11"):
        nps([9, 11])
    with pytest.raises(ValueError, match="at least 1"):
        nps([])


# ----------------------------------------------------------------------------- CSAT


def test_csat_top_two_box_by_hand():
    # 8 of 10 in the top two boxes (4 or 5 of 5). Adjusted Wald at 95%: z² = 3.8415;
    # p_adj = (8 + 1.9207)/13.8415 = .71674; ±1.96·√(.71674·.28326/13.8415) = ±.23738
    # → [.4794, .9541].
    result = csat_top_two_box([5, 4, 5, 5, 4, 4, 5, 3, 2, 5])
    assert result.estimate == pytest.approx(0.8)
    assert result.low == pytest.approx(0.4794, abs=1e-4)
    assert result.high == pytest.approx(0.9541, abs=1e-4)


def test_csat_all_top_box_uses_the_one_sided_z():
    # x = n = 10 at 95%: z = 1.645, p_adj = (10 + 1.3528)/12.7055 = .89353;
    # lower = .89353 − 1.645·√(.89353·.10647/12.7055) = .7512; upper = 1.
    result = csat_top_two_box([5] * 10)
    assert result.low == pytest.approx(0.7512, abs=1e-4)
    assert result.high == 1.0


def test_csat_scale_max_sets_the_top_two_boxes():
    assert csat_top_two_box([6, 7, 5, 1], scale_max=7).estimate == 0.5
    with pytest.raises(ValueError, match="scale_max"):
        csat_top_two_box([1, 2], scale_max=2)


# ----------------------------------------------------------------------------- comparisons

# Lakens (2013), Frontiers in Psychology 4:863, Table 1 (movie ratings).
MOVIE_1 = [9, 7, 8, 9, 8, 9, 9, 10, 9, 9]
MOVIE_2 = [9, 6, 7, 8, 7, 9, 8, 8, 8, 7]


def test_compare_means_between_reproduces_lakens_2013():
    # Lakens (2013): t = 2.52, p = .022, d_s = 1.13, g_s = 1.08 (equal n, so Welch's t equals
    # Student's; its df is fractional).
    result = compare_means_between(MOVIE_2, MOVIE_1)
    assert round(result.statistic, 2) == 2.52
    assert round(result.pvalue, 3) == 0.022
    assert result.difference == pytest.approx(1.0)
    assert round(result.extra["cohens_d"], 2) == 1.13
    assert round(result.extra["hedges_g"], 2) == 1.08
    assert 17 < result.df < 18
    assert result.interval.contains(1.0)


def test_compare_means_within_reproduces_lakens_2013():
    # Lakens (2013): paired t(9) = 4.74, p = .001, d_z = 1.50.
    result = compare_means_within(MOVIE_2, MOVIE_1)
    assert round(result.statistic, 2) == 4.74
    assert result.df == 9
    assert round(result.pvalue, 3) == 0.001
    assert round(result.extra["paired_d"], 2) == 1.50
    # Independent: 1 ± t(.975, 9)·s_d/√10 with s_d = 0.6667, t = 2.262 → [0.523, 1.477].
    assert result.interval.low == pytest.approx(0.523, abs=1e-3)
    assert result.interval.high == pytest.approx(1.477, abs=1e-3)


def test_comparisons_reject_degenerate_data():
    with pytest.raises(ValueError, match="zero variance"):
        compare_means_between([3, 3], [4, 4])
    with pytest.raises(ValueError, match="same amount"):
        compare_means_within([1, 2, 3], [2, 3, 4])
    with pytest.raises(ValueError, match="same length"):
        compare_means_within([1, 2, 3], [2, 3])


# Review follow-up: rounding noise of equal non-integer scores passed for variation.


def test_equal_prorated_sus_scores_are_not_compared():
    # 100/36 · 21 (a nine-item SUS): seven and three equal scores gave t = 2.45, p = 0.0498.
    with pytest.raises(ValueError, match="zero variance"):
        compare_means_between([2100 / 36] * 7, [2100 / 36] * 3)
    result = sus_summary([2100 / 36] * 7)
    assert result.low == result.high == pytest.approx(2100 / 36)


def test_equally_shifted_umux_scores_are_not_a_paired_comparison():
    umux = [k / 12 * 100 for k in (0, 1, 2, 5, 7, 9, 11)]
    with pytest.raises(ValueError, match="same amount"):
        compare_means_within(umux, [u + 100 / 12 for u in umux])

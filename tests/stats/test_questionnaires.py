"""Questionnaires: SUS, UMUX-Lite, SEQ, NPS, CSAT, CES and rating-mean comparisons."""

import math
import statistics

import numpy as np
import pytest
from scipy import stats

from uxlab.stats.questionnaires import (
    benchmark_seq_test,
    benchmark_sus_test,
    ces_summary,
    csat_top_two_box,
    seq_summary,
    sus_grade,
    sus_percentile,
    sus_score,
    sus_scores,
    sus_summary,
    umux_lite_score,
    umux_lite_summary,
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


def test_sus_scores_score_each_row_like_sus_score():
    # Brooke's example (55), the same with item 2 blank (21 × 100/36), two items blank (not
    # scorable), all blank, and the extremes.
    nan = math.nan
    one_missing = [5, nan, 2, 1, 2, 3, 2, 4, 5, 2]
    two_missing = [nan, nan, 3, 3, 3, 3, 3, 3, 3, 3]
    scores = sus_scores([BROOKE_RESPONSES, one_missing, two_missing, [nan] * 10, [5, 1] * 5,
                         [1, 5] * 5])
    assert scores[0] == 55.0
    assert scores[1] == sus_score([5, None, 2, 1, 2, 3, 2, 4, 5, 2]) == pytest.approx(2100 / 36)
    assert math.isnan(scores[2]) and math.isnan(scores[3])
    assert (scores[4], scores[5]) == (100.0, 0.0)
    assert sus_scores(np.empty((0, 10))).shape == (0,)


@pytest.mark.parametrize(("matrix", "message"), [
    ([[3] * 9], "10 columns"),
    ([3] * 10, "10 columns"),
    ([[3] * 10, [3] * 9 + [6]], "item 10 of row 1 must be an integer from 1 to 5, got 6.0"),
    ([[3] * 10, [2.5] + [3] * 9], "item 1 of row 1 must be"),
])
def test_sus_scores_reject_bad_answers(matrix, message):
    with pytest.raises(ValueError, match=message):
        sus_scores(matrix)


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


def test_umux_lite_summary_by_hand():
    # Scores 50, 75, 100, 62.5: mean 71.875, s² = (21.875² + 3.125² + 28.125² + 9.375²)/3 =
    # 1367.1875/3 = 455.73, se = √(455.73/4) = 10.674; t(.975, 3) = 3.182 (printed t table)
    # → ±33.965 → [37.91, 105.84].
    result = umux_lite_summary([50, 75, 100, 62.5])
    assert result.estimate == pytest.approx(71.875)
    assert result.low == pytest.approx(37.91, abs=0.01)
    assert result.high == pytest.approx(105.84, abs=0.01)
    assert (result.n, result.method) == (4, "t")
    with pytest.raises(ValueError, match="UMUX-Lite scores must be values from 0 to 100"):
        umux_lite_summary([50, 120])


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


def test_benchmark_with_identical_ratings_cannot_be_tested():
    # Issue 9: two SEQ answers of 6 (three SUS scores of 75) gave p = 0, "significantly above".
    for ratings in ([7, 7, 7, 7], [6, 6], [5.5, 5.5]):
        with pytest.raises(ValueError, match="do not vary"):
            benchmark_seq_test(ratings)
    with pytest.raises(ValueError, match="SUS answers do not vary"):
        benchmark_sus_test([75, 75, 75])


def test_ces_summary_rejects_off_scale_values():
    with pytest.raises(ValueError, match="from 1 to 7, found 8"):
        ces_summary([4, 5, 8])
    assert ces_summary([4, 6]).estimate == 5


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


def test_equal_prorated_sus_scores_give_a_point_interval():
    # Review follow-up: the mean of seven equal prorated scores (100/36 · 21) misses them by a
    # unit in the last place, which gave an interval of width ~1e-14 instead of a point.
    result = sus_summary([2100 / 36] * 7)
    assert result.low == result.high == pytest.approx(2100 / 36)

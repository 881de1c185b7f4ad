"""Comparisons of rating means (SEQ, SUS, UMUX-Lite, CES) against published examples."""

import pytest

from uxlab.stats.ratings import compare_means_between, compare_means_within

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


def test_between_comparison_allows_one_constant_group():
    result = compare_means_between([7, 7, 7], [5, 6, 7])
    assert result.difference == pytest.approx(-1.0)
    assert 0 < result.pvalue < 1


# Review follow-up: rounding noise of equal non-integer scores passed for variation.


def test_equal_prorated_sus_scores_are_not_compared():
    # 100/36 · 21 (a nine-item SUS): seven and three equal scores gave t = 2.45, p = 0.0498.
    with pytest.raises(ValueError, match="zero variance"):
        compare_means_between([2100 / 36] * 7, [2100 / 36] * 3)


def test_equally_shifted_umux_scores_are_not_a_paired_comparison():
    umux = [k / 12 * 100 for k in (0, 1, 2, 5, 7, 9, 11)]
    with pytest.raises(ValueError, match="same amount"):
        compare_means_within(umux, [u + 100 / 12 for u in umux])

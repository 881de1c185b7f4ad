"""Comparisons of rating means (SEQ, SUS, UMUX-Lite, CES) against published examples."""

import inspect
import math

import pytest
from scipy import stats

from uxlab.stats.ratings import compare_means_between, compare_means_within, means_omnibus

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


# --- means_omnibus (Welch's ANOVA) ---------------------------------------------------------------

# mtcars (Henderson & Velleman, 1981), as shipped with R: weight (1000 lb) by number of cylinders.
WT = [2.620, 2.875, 2.320, 3.215, 3.440, 3.460, 3.570, 3.190, 3.150, 3.440, 3.440, 4.070, 3.730,
      3.780, 5.250, 5.424, 5.345, 2.200, 1.615, 1.835, 2.465, 3.520, 3.435, 3.840, 3.845, 1.935,
      2.140, 1.513, 3.170, 2.770, 3.570, 2.780]
CYL = [6, 6, 4, 6, 8, 6, 8, 4, 4, 6, 6, 8, 8, 8, 8, 8, 8, 4, 4, 4, 4, 8, 8, 8, 8, 4, 4, 4, 8, 6, 8, 4]


def test_welch_anova_published_mtcars_output():
    # R, oneway.test(wt ~ cyl, data = mtcars), as recorded in the statsExpressions test snapshot
    # (tests/testthat/_snaps/oneway_anova_parametric.md): F_Welch(2, 18.97383) = 20.24946,
    # p = 1.96e-5.
    groups = [[w for w, c in zip(WT, CYL, strict=True) if c == k] for k in (4, 6, 8)]
    result = means_omnibus(groups)
    assert result.test == "welch anova"
    assert result.statistic == pytest.approx(20.24946, abs=1e-5)
    assert result.df == pytest.approx(18.97383, abs=1e-5)
    assert result.extra["df_num"] == 2
    assert result.pvalue == pytest.approx(1.96e-5, abs=5e-8)
    assert result.extra["means"] == pytest.approx([sum(g) / len(g) for g in groups])


def test_welch_anova_agrees_with_scipy():
    # Independent implementation: scipy.stats.f_oneway(equal_var=False) (scipy ≥ 1.15).
    groups = [MOVIE_1, MOVIE_2, [6, 7, 5, 8, 6, 7, 9, 5]]
    if "equal_var" not in inspect.signature(stats.f_oneway).parameters:
        pytest.skip("this scipy has no Welch option in f_oneway")
    expected = stats.f_oneway(*groups, equal_var=False)
    result = means_omnibus(groups)
    assert result.statistic == pytest.approx(expected.statistic, rel=1e-12)
    assert result.pvalue == pytest.approx(expected.pvalue, rel=1e-10)


def test_welch_anova_of_two_groups_is_welch_t_squared():
    welch = compare_means_between(MOVIE_2, MOVIE_1)
    result = means_omnibus([MOVIE_2, MOVIE_1])
    assert result.statistic == pytest.approx(welch.statistic ** 2)
    assert result.df == pytest.approx(welch.df)
    assert result.pvalue == pytest.approx(welch.pvalue)


@pytest.mark.parametrize("groups, message", [
    ([[1, 2, 3]], "at least two groups"),
    ([[1, 2, 3], [4]], r"groups\[1\] needs at least 2"),
    ([[1, 2, 3], [4, 4, 4]], r"groups\[1\] do not vary"),
    ([[1, 2, 3], [2100 / 36] * 3], r"groups\[1\] do not vary"),
    ([[1, 2, math.nan], [4, 5]], r"groups\[0\] must be values"),
])
def test_means_omnibus_validates(groups, message):
    with pytest.raises(ValueError, match=message):
        means_omnibus(groups)


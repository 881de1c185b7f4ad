"""Effect sizes: Cohen's d, Hedges' g, paired d_z."""

import math

import pytest
from scipy import stats

from uxlab.stats.effects import cohens_d, hedges_correction, hedges_g, paired_d, pooled_sd

# Lakens (2013), "Calculating and reporting effect sizes to facilitate cumulative science",
# Frontiers in Psychology 4:863, Table 1: ten friends' ratings of two movies.
MOVIE_1 = [9, 7, 8, 9, 8, 9, 9, 10, 9, 9]
MOVIE_2 = [9, 6, 7, 8, 7, 9, 8, 8, 8, 7]


def test_cohens_d_reproduces_lakens_2013_between_subjects():
    # Lakens (2013): d_s = 1.13 for movie 1 vs movie 2 as independent groups.
    assert round(cohens_d(MOVIE_2, MOVIE_1), 2) == 1.13


def test_hedges_g_reproduces_lakens_2013():
    # Lakens (2013): Hedges' g_s = 1.08.
    assert round(hedges_g(MOVIE_2, MOVIE_1), 2) == 1.08


def test_paired_d_reproduces_lakens_2013_within_subjects():
    # Lakens (2013): d_z = 1.50 when the same ten friends rated both movies.
    assert round(paired_d(MOVIE_2, MOVIE_1), 2) == 1.50


def test_direction_is_b_relative_to_a():
    assert cohens_d(MOVIE_1, MOVIE_2) == pytest.approx(-cohens_d(MOVIE_2, MOVIE_1))
    assert paired_d(MOVIE_1, MOVIE_2) == pytest.approx(-1.5)


def test_paired_d_equals_t_over_root_n():
    # Independent check: d_z = t / √n of scipy's paired t-test.
    t = stats.ttest_rel(MOVIE_1, MOVIE_2).statistic
    assert paired_d(MOVIE_2, MOVIE_1) == pytest.approx(t / math.sqrt(len(MOVIE_1)))


def test_pooled_sd_by_hand():
    # s² = 0.6778 and 0.9 (ddof 1); pooled over 18 df: √((9·0.6778 + 9·0.9)/18) = √0.7889.
    assert pooled_sd(MOVIE_1, MOVIE_2) == pytest.approx(math.sqrt((61 / 90 + 0.9) / 2))


@pytest.mark.parametrize("df", [4, 10, 18, 50, 200])
def test_exact_hedges_factor_is_close_to_the_usual_approximation(df):
    # Hedges & Olkin (1985): J ≈ 1 − 3/(4·df − 1).
    assert hedges_correction(df) == pytest.approx(1 - 3 / (4 * df - 1), rel=3e-3)


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match="at least 2"):
        cohens_d([1], [2, 3])
    with pytest.raises(ValueError, match="zero variance"):
        cohens_d([2, 2], [3, 3])
    with pytest.raises(ValueError, match="same length"):
        paired_d([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="same amount"):
        paired_d([1, 2, 3], [2, 3, 4])
    with pytest.raises(ValueError, match="missing or infinite"):
        hedges_g([1, float("nan"), 3], [1, 2, 3])
    with pytest.raises(ValueError, match="degree of freedom"):
        hedges_correction(1)


def test_effect_sizes_ignore_rounding_noise():
    # Review follow-up: equal prorated SUS scores (100/36 · 21) and UMUX-Lite scores shifted by
    # one step (100/12) differ only in the last bits after averaging or subtracting.
    with pytest.raises(ValueError, match="zero variance"):
        cohens_d([2100 / 36] * 7, [2100 / 36] * 3)
    assert pooled_sd([2100 / 36] * 7, [0.1] * 3) == 0.0  # ~1e-14 before: noise, not spread
    # A varying group keeps its variance: √(((3 − 1) · 1) / (3 + 7 − 2)) = √(2/8) = 0.5.
    assert pooled_sd([2100 / 36] * 7, [4, 5, 6]) == pytest.approx(0.5)
    umux = [k / 12 * 100 for k in (0, 1, 2, 5, 7, 9, 11)]
    with pytest.raises(ValueError, match="same amount"):
        paired_d(umux, [u + 100 / 12 for u in umux])

"""Sample-size planning (Sauro & Lewis 2016, ch. 6 and 7)."""

import math

import numpy as np
import pytest
from scipy import stats

from uxlab.stats.nps import nps_difference
from uxlab.stats.planning import (
    sample_size_compare_means,
    sample_size_compare_nps,
    sample_size_compare_proportions,
    sample_size_completion_margin,
    sample_size_discovery,
    sample_size_matched_proportions,
)
from uxlab.stats.proportions import mcnemar_test


def _adjusted_wald_margin(n, p, confidence):
    z = stats.norm.ppf(1 - (1 - confidence) / 2)
    p_adj = (n * p + z * z / 2) / (n + z * z)
    return z * math.sqrt(p_adj * (1 - p_adj) / (n + z * z))


@pytest.mark.parametrize(("margin", "confidence", "expected"), [
    # Independent hand computation of n = z²·¼/d² − z² (p = .5):
    (0.20, 0.95, 21),   # 24.01 − 3.84 = 20.17
    (0.10, 0.95, 93),   # 96.04 − 3.84 = 92.20
    (0.05, 0.95, 381),  # 384.15 − 3.84 = 380.31
    (0.20, 0.90, 15),   # 16.91 − 2.71 = 14.20
    (0.10, 0.90, 65),   # 67.64 − 2.71 = 64.94
])
def test_completion_margin_at_p_half(margin, confidence, expected):
    assert sample_size_completion_margin(margin, confidence) == expected


@pytest.mark.parametrize("p", [0.5, 0.7, 0.9])
@pytest.mark.parametrize(("margin", "confidence"), [(0.1, 0.95), (0.15, 0.9)])
def test_completion_margin_is_the_smallest_n_meeting_the_margin(margin, confidence, p):
    # Independent check: evaluate the adjusted-Wald margin directly at n and n − 1.
    n = sample_size_completion_margin(margin, confidence, p)
    assert _adjusted_wald_margin(n, p, confidence) <= margin + 1e-12
    assert _adjusted_wald_margin(n - 1, p, confidence) > margin


def test_compare_proportions_by_hand():
    # p1 = .70, p2 = .90: p̄ = .80, p̄q̄ = .16, (1.95996 + 0.84162)² = 7.8489;
    # n = 2·.16·7.8489/.04 + .5 = 62.79 + .5 = 63.29 → 64 per group.
    assert sample_size_compare_proportions(0.7, 0.9) == 64
    assert sample_size_compare_proportions(0.9, 0.7) == 64


def test_compare_proportions_meets_power_under_the_n_minus_1_statistic():
    # Independent check: the expected N−1 z at n per group is d·√((2n − 1)/(4 p̄q̄)).
    n = sample_size_compare_proportions(0.5, 0.75, confidence=0.9, power=0.9)
    needed = stats.norm.ppf(0.95) + stats.norm.ppf(0.9)

    def expected_z(size):
        return 0.25 * math.sqrt((2 * size - 1) / (4 * 0.625 * 0.375))

    assert expected_z(n) >= needed > expected_z(n - 1)


def _two_sample_t_power(n, sd, difference, confidence):
    df = 2 * (n - 1)
    ncp = difference / (sd * math.sqrt(2 / n))
    t_crit = stats.t.ppf(1 - (1 - confidence) / 2, df)
    return stats.nct.sf(t_crit, df, ncp) + stats.nct.cdf(-t_crit, df, ncp)


@pytest.mark.parametrize(("sd", "difference"), [(1.0, 0.5), (10.0, 8.0), (0.4, 0.3)])
def test_compare_means_between_delivers_its_power(sd, difference):
    # Independent check with the exact noncentral-t power of a two-sample t-test.
    n = sample_size_compare_means(sd, difference, confidence=0.95, power=0.8)
    assert _two_sample_t_power(n, sd, difference, 0.95) >= 0.79
    assert _two_sample_t_power(n - 2, sd, difference, 0.95) < 0.8


def test_compare_means_d_half_matches_the_textbook_64_per_group():
    # Cohen (1988), Table 2.4.1: d = .50, two-tailed α = .05, power .80 → n = 64 per group.
    assert sample_size_compare_means(1.0, 0.5) == 64


def test_compare_means_paired_uses_n_minus_1_df():
    # Hand computation: z-start (1.95996 + 0.84162)²/0.25 = 31.40 → 32; t at df 31 gives
    # (2.03951 + 0.85337)²/0.25 = 33.48 → 34; at df 33: (2.03452 + 0.85265)²/0.25 = 33.34 → 34.
    assert sample_size_compare_means(1.0, 0.5, paired=True) == 34


def test_discovery_sample_size():
    # MeasuringU (https://measuringu.com/qualitative_sidebar/): p = .10, 90% → 22 users.
    assert sample_size_discovery(0.10, 0.90) == 22


@pytest.mark.parametrize(("call", "message"), [
    (lambda: sample_size_completion_margin(0), "margin"),
    (lambda: sample_size_completion_margin(0.1, confidence=1), "confidence"),
    (lambda: sample_size_compare_proportions(0.5, 0.5), "must differ"),
    (lambda: sample_size_compare_proportions(0.5, 0.7, power=1.2), "power"),
    (lambda: sample_size_compare_means(0, 1), "sd"),
    (lambda: sample_size_compare_means(1, 0), "difference"),
    (lambda: sample_size_matched_proportions(0.2, 0.2), "must differ"),
    (lambda: sample_size_matched_proportions(0.6, 0.5), "at most 1"),
    (lambda: sample_size_matched_proportions(-0.1, 0.5), "p_only_a must be a proportion"),
    (lambda: sample_size_compare_nps(0.4, 0.2, 0.5, 0.3), "must differ"),
    (lambda: sample_size_compare_nps(0.7, 0.4, 0.5, 0.2), "promoters_a \\+ detractors_a"),
    (lambda: sample_size_compare_nps(0.4, 0.2, 1.5, 0.2), "promoters_b must be a proportion"),
])
def test_bad_arguments_are_rejected(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# --- matched proportions (McNemar) ---------------------------------------------------------------


def test_matched_proportions_reproduce_connors_example():
    # Connor (1987), Biometrics 43(1), p. 209, as worked in the powerandsamplesize.com McNemar
    # calculators: p₁₀ = 0.05, p₀₁ = 0.45, α = 0.05 two-sided, power 0.80 → n = 22.01 → 23 pairs.
    # By hand: p_disc = 0.5, p_diff = 0.4; (1.95996·√0.5 + 0.84162·√0.34)² / 0.16 = 22.011.
    assert sample_size_matched_proportions(0.05, 0.45) == 23
    assert sample_size_matched_proportions(0.45, 0.05) == 23  # the direction does not matter


def _mcnemar_mid_p_power(n, p_only_a, p_only_b, alpha=0.05):
    # Exact: enumerate the discordant counts (b, c) of n participants, a trinomial.
    total = 0.0
    for b in range(n + 1):
        for c in range(n - b + 1):
            chance = (math.comb(n, b) * math.comb(n - b, c) * p_only_a ** b * p_only_b ** c
                      * (1 - p_only_a - p_only_b) ** (n - b - c))
            if chance > 1e-15 and mcnemar_test(0, b, c, n - b - c).pvalue < alpha:
                total += chance
    return total


@pytest.mark.parametrize(("p_only_a", "p_only_b"), [(0.05, 0.45), (0.10, 0.25)])
def test_matched_plan_delivers_its_power_with_the_mid_p_test(p_only_a, p_only_b):
    # Independent check: uxlab's exact mid-p McNemar test, its power enumerated exactly.
    n = sample_size_matched_proportions(p_only_a, p_only_b)
    assert 0.80 <= _mcnemar_mid_p_power(n, p_only_a, p_only_b) <= 0.85


# --- two Net Promoter Scores ---------------------------------------------------------------------


def test_nps_plan_by_hand():
    # Lewis & Sauro (MeasuringU, "Sample sizes for comparing Net Promoter Scores"): n = s²z²/d² − 3.
    # Independent hand computation: A 40% promoters, 20% detractors (NPS 20), B 50% / 15%
    # (NPS 35). Var_A = .60 − .20² = .56, Var_B = .65 − .35² = .5275, s² = 1.0875;
    # z = 1.959964 + 0.841621 = 2.801585, z² = 7.848879; d = .15.
    # n = 1.0875 · 7.848879 / .0225 − 3 = 376.36 → 377 per group.
    assert sample_size_compare_nps(0.40, 0.20, 0.50, 0.15) == 377
    assert sample_size_compare_nps(0.50, 0.15, 0.40, 0.20) == 377


def test_nps_plan_delivers_its_power_with_the_adjusted_wald_test():
    # Independent check by seeded simulation: 1,000 pairs of samples of the planned size, tested
    # with uxlab's adjusted-Wald NPS test at 95%; the share significant estimates the power
    # (Monte Carlo standard error 0.013).
    n = sample_size_compare_nps(0.30, 0.30, 0.45, 0.20)
    rng = np.random.default_rng(2021)
    significant = 0
    for _ in range(1000):
        a = rng.choice([10, 8, 3], size=n, p=[0.30, 0.40, 0.30])
        b = rng.choice([10, 8, 3], size=n, p=[0.45, 0.35, 0.20])
        significant += nps_difference(a, b).pvalue < 0.05
    assert significant / 1000 == pytest.approx(0.80, abs=0.04)


"""Sample-size planning (Sauro & Lewis 2016, ch. 6 and 7)."""

import math

import pytest
from scipy import stats

from uxlab.stats.planning import (
    sample_size_compare_means,
    sample_size_compare_proportions,
    sample_size_completion_margin,
    sample_size_discovery,
)


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
])
def test_bad_arguments_are_rejected(call, message):
    with pytest.raises(ValueError, match=message):
        call()

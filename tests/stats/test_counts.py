"""Error and click statistics against published examples and independent computations."""

import math
from itertools import combinations, product

import numpy as np
import pytest
from scipy import stats

from uxlab.stats.counts import (
    compare_counts_between,
    compare_counts_within,
    counts_omnibus,
    error_rate,
    mean_interval,
)

MPG = [21.0, 21.0, 22.8, 21.4, 18.7, 18.1, 14.3, 24.4, 22.8, 19.2, 17.8, 16.4, 17.3, 15.2, 10.4,
       10.4, 14.7, 32.4, 30.4, 33.9, 21.5, 15.5, 15.2, 13.3, 19.2, 27.3, 26.0, 30.4, 15.8, 19.7,
       15.0, 21.4]


def test_mean_interval_mtcars_one_sample_t():
    # R, t.test(mtcars$mpg): mean 20.09062, 95 percent confidence interval 17.91768 22.26357.
    # Also checked by the hand formula mean ± t*(0.975, 31) · s / √32.
    result = mean_interval(MPG)
    margin = stats.t.ppf(0.975, 31) * np.std(MPG, ddof=1) / math.sqrt(32)
    assert result.low == pytest.approx(np.mean(MPG) - margin)
    assert result.estimate == pytest.approx(20.09062, abs=1e-5)
    assert (round(result.low, 5), round(result.high, 5)) == (17.91768, 22.26357)


def test_mean_interval_without_variation_is_a_point():
    result = mean_interval([0, 0, 0, 0])
    assert (result.estimate, result.low, result.high) == (0.0, 0.0, 0.0)


def test_mann_whitney_hollander_wolfe_permeability():
    # Data of R's wilcox.test help example (Hollander & Wolfe, 1973, p. 69): W = 35 for x against
    # y. Independent check: exact two-sided p by enumerating all C(15, 5) = 3003 rank sets of y.
    x = [0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46]
    y = [1.15, 0.88, 0.90, 0.74, 1.21]
    pooled = np.array(x + y)
    ranks = stats.rankdata(pooled)
    u_observed = ranks[:10].sum() - 10 * 11 / 2
    us = [sum(ranks[list(c)]) - 55 for c in combinations(range(15), 10)]
    mean_u = 25.0
    p_exact = np.mean([abs(u - mean_u) >= abs(u_observed - mean_u) for u in us])
    result = compare_counts_between(a=y, b=x)
    assert result.statistic == 35 == u_observed
    assert result.pvalue == pytest.approx(p_exact)
    assert round(result.pvalue, 4) == 0.2544
    assert result.difference == pytest.approx(np.mean(x) - np.mean(y))
    welch = stats.ttest_ind(x, y, equal_var=False).confidence_interval()
    assert (result.interval.low, result.interval.high) == pytest.approx((welch.low, welch.high))


def test_wilcoxon_hollander_wolfe_depression_scale():
    # Data of R's wilcox.test help example (Hollander & Wolfe, 1973, p. 29): paired x (first
    # visit) and y (second visit), V = 40 for x − y. Independent check: exact two-sided p by
    # enumerating the 2⁹ sign patterns of the ranks.
    x = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30]
    y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]
    d = np.subtract(x, y)
    ranks = stats.rankdata(np.abs(d))
    w_plus = ranks[d > 0].sum()
    assert w_plus == 40
    sums = [sum(r for r, s in zip(ranks, signs, strict=True) if s) for signs in
            product([0, 1], repeat=9)]
    p_exact = np.mean([min(s, 45 - s) <= min(w_plus, 45 - w_plus) for s in sums])
    result = compare_counts_within(a=y, b=x)
    assert result.statistic == 45 - 40  # scipy reports min(W+, W−)
    assert result.pvalue == pytest.approx(p_exact)
    assert result.pvalue == pytest.approx(20 / 512)
    assert result.difference == pytest.approx(d.mean())


def test_count_comparisons_without_any_difference():
    assert compare_counts_between([0, 0, 0], [0, 0]).pvalue == 1.0
    within = compare_counts_within([2, 1, 0], [2, 1, 0])
    assert (within.pvalue, within.difference) == (1.0, 0.0)


def test_error_rate_by_hand():
    # 3 errors in 3 × 5 opportunities, adjusted Wald (Sauro & Lewis ch. 3) by hand.
    z = stats.norm.ppf(0.975)
    p_adj = (3 + z * z / 2) / (15 + z * z)
    margin = z * math.sqrt(p_adj * (1 - p_adj) / (15 + z * z))
    result = error_rate([0, 1, 2], 5)
    assert result.estimate == 0.2
    assert result.n == 15
    assert (result.low, result.high) == pytest.approx((p_adj - margin, p_adj + margin))
    assert error_rate([1, 2], [4, 6]).estimate == pytest.approx(0.3)


@pytest.mark.parametrize("call, message", [
    (lambda: mean_interval([]), "at least 2"),
    (lambda: mean_interval([1, -1]), "non-negative finite counts, got -1.0 at position 1"),
    (lambda: compare_counts_within([1, 2], [1, 2, 3]), "same length"),
    (lambda: error_rate([1, 6], 5), r"errors \(6\) exceed opportunities \(5\) at position 1"),
    (lambda: error_rate([1, -1], 5), "non-negative whole numbers, got -1"),
    (lambda: error_rate([1, 1], [5]), "same length"),
    (lambda: error_rate([0], 0), "at least 1"),
    (lambda: error_rate([], 3), "must not be empty"),
])
def test_counts_validate_inputs(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# Review follow-up: equal non-integer counts have means that miss them by a unit in the last
# place, which left a "variance" of ~1e-33 and an interval excluding 0 for identical groups.


def test_identical_non_integer_counts_have_a_point_difference():
    result = compare_counts_between([0.1] * 7, [0.1] * 5)
    assert result.pvalue == 1.0
    assert (result.difference, result.interval.low, result.interval.high) == (0.0, 0.0, 0.0)


def test_equally_shifted_counts_give_a_point_interval_within():
    a = [0.1, 0.2, 0.7, 1.3]
    result = compare_counts_within(a, [v + 0.3 for v in a])
    assert result.interval.low == result.interval.high == pytest.approx(0.3)
    # Every difference is positive: the exact signed-rank p for 4 pairs is 2 / 2⁴.
    assert result.pvalue == pytest.approx(0.125)


# --- counts_omnibus (Kruskal–Wallis) -------------------------------------------------------------


def test_kruskal_wallis_hollander_wolfe_example():
    # R's kruskal.test help example (Hollander & Wolfe, 1973, p. 116, mucociliary efficiency):
    # "Kruskal-Wallis chi-squared = 0.77143, df = 2"; no ties, so p = e^(−H/2) on 2 df.
    result = counts_omnibus([[2.9, 3.0, 2.5, 2.6, 3.2], [3.8, 2.7, 4.0, 2.4],
                             [2.8, 3.4, 3.7, 2.2, 2.0]])
    assert result.test == "kruskal-wallis"
    assert round(result.statistic, 5) == 0.77143
    assert result.df == 2
    assert result.pvalue == pytest.approx(math.exp(-result.statistic / 2))


def test_kruskal_wallis_with_tied_counts_by_hand():
    # Independent hand computation. Mid-ranks of the 12 counts: 0 → 2, 1 → 5, 2 → 7.5, 3 → 9.5,
    # 4 → 11, 5 → 12; rank sums 16.5, 31.5, 30. H = 12/(12·13) · Σ R²/4 − 3·13 = 2.625; ties of
    # 3, 3, 2, 2 give the correction 1 − 60/1716, so H = 2.72011 and p = e^(−H/2) = 0.25665.
    result = counts_omnibus([[0, 0, 1, 2], [1, 2, 3, 3], [0, 1, 4, 5]])
    assert result.statistic == pytest.approx(2.625 / (1 - 60 / 1716))
    assert round(result.statistic, 5) == 2.72011
    assert result.pvalue == pytest.approx(0.25665, abs=1e-5)


def test_kruskal_wallis_without_any_difference():
    result = counts_omnibus([[0, 0], [0, 0, 0], [0]])
    assert (result.statistic, result.pvalue, result.df) == (0.0, 1.0, 2.0)


@pytest.mark.parametrize("groups, message", [
    ([[1, 2]], "at least two groups"),
    ([[1, 2], []], r"groups\[1\] needs at least 1"),
    ([[1, 2], [3, -1]], r"groups\[1\] must be non-negative"),
])
def test_counts_omnibus_validates(groups, message):
    with pytest.raises(ValueError, match=message):
        counts_omnibus(groups)

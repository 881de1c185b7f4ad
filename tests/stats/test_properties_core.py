"""Property tests (hypothesis) for the core comparison statistics.

Invariants: intervals contain their estimates and stay within [0, 1] for rates; swapping the two
variants mirrors every comparison; rescaling times rescales their averages; adjusted p-values
never fall below the raw ones.
"""

import math
from fractions import Fraction
from itertools import pairwise

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from uxlab.stats.bayesian import probability_b_better
from uxlab.stats.contingency import completion_omnibus
from uxlab.stats.counts import compare_counts_between, compare_counts_within, mean_interval
from uxlab.stats.multiple import adjust_pvalues
from uxlab.stats.proportions import (
    INTERVAL_METHODS,
    benchmark_completion_test,
    best_point_estimate,
    completion_interval,
    mcnemar_test,
    two_proportion_test,
)
from uxlab.stats.srm import sample_ratio_test
from uxlab.stats.times import (
    compare_times_between,
    compare_times_within,
    geometric_mean_interval,
    median_interval,
)

EPS = 1e-12


@st.composite
def rates(draw, max_n=200):
    n = draw(st.integers(1, max_n))
    return draw(st.integers(0, n)), n


confidences = st.sampled_from([0.8, 0.9, 0.95, 0.99])
times = st.lists(st.integers(1, 3600), min_size=2, max_size=40).map(
    lambda xs: [float(x) for x in xs])
counts = st.lists(st.integers(0, 30), min_size=2, max_size=30)


@given(rates(), confidences, st.sampled_from(INTERVAL_METHODS))
def test_completion_interval_contains_rate_within_unit_interval(rate, confidence, method):
    result = completion_interval(*rate, confidence, method)
    assert 0 <= result.low <= result.estimate <= result.high <= 1
    assert result.estimate == rate[0] / rate[1]


@given(rates(), st.sampled_from(INTERVAL_METHODS))
def test_higher_confidence_gives_a_wider_interval(rate, method):
    narrow = completion_interval(*rate, 0.9, method)
    wide = completion_interval(*rate, 0.99, method)
    assert wide.low <= narrow.low + EPS and narrow.high <= wide.high + EPS


@given(rates(), st.booleans())
def test_best_point_estimate_is_a_rate_inside_its_interval(rate, expect_high):
    result = best_point_estimate(*rate, expect_high_rates=expect_high)
    assert 0 <= result.low <= result.estimate <= result.high <= 1


@given(rates(60), rates(60), confidences)
def test_two_proportion_test_mirrors_when_variants_swap(a, b, confidence):
    ab = two_proportion_test(*a, *b, confidence)
    ba = two_proportion_test(*b, *a, confidence)
    assert ab.test == ba.test
    assert 0 <= ab.pvalue <= 1
    assert ab.pvalue == pytest.approx(ba.pvalue, abs=1e-12)
    assert ab.difference == pytest.approx(-ba.difference)
    if ab.test == "n-1 two-proportion":
        assert ab.statistic == pytest.approx(-ba.statistic)
    assert ab.interval.low == pytest.approx(-ba.interval.high)
    assert ab.interval.contains(ab.difference)
    assert -1 <= ab.interval.low <= ab.interval.high <= 1


@given(st.integers(0, 40), st.integers(0, 40), st.integers(0, 40), st.integers(0, 40),
       confidences)
def test_mcnemar_mirrors_when_variants_swap(both, only_a, only_b, neither, confidence):
    assume(both + only_a + only_b + neither > 0)
    ab = mcnemar_test(both, only_a, only_b, neither, confidence)
    ba = mcnemar_test(both, only_b, only_a, neither, confidence)
    assert 0 <= ab.pvalue <= ab.extra["exact_p"] <= 1
    assert ab.pvalue == ba.pvalue
    assert ab.difference == pytest.approx(-ba.difference)
    assert ab.interval.low == pytest.approx(-ba.interval.high)
    assert ab.interval.contains(ab.difference)


@settings(max_examples=40, deadline=None)
@given(rates(80), rates(80))
def test_probability_b_better_is_complementary(a, b):
    ab = probability_b_better(*a, *b)
    ba = probability_b_better(*b, *a)
    assert 0 <= ab.probability_b_better <= 1
    assert ab.probability_b_better + ba.probability_b_better == pytest.approx(1, abs=1e-6)
    assert ab.interval.low == pytest.approx(-ba.interval.high, abs=1e-6)
    assert ab.interval.contains(ab.difference)


@given(rates(60), st.sampled_from([0.5, 0.7, 0.78, 0.9]))
def test_benchmark_mid_p_is_below_exact_and_never_rises_with_more_successes(rate, benchmark):
    x, n = rate
    result = benchmark_completion_test(x, n, benchmark)
    assert 0 <= result.pvalue <= result.extra["exact_p"] <= 1
    if x < n:
        assert benchmark_completion_test(x + 1, n, benchmark).pvalue <= result.pvalue


@settings(max_examples=60, deadline=None)
@given(st.lists(rates(12), min_size=2, max_size=5), st.randoms(use_true_random=False))
def test_omnibus_does_not_depend_on_variant_order(groups, random):
    shuffled = groups[:]
    random.shuffle(shuffled)
    first = completion_omnibus([x for x, _ in groups], [n for _, n in groups])
    second = completion_omnibus([x for x, _ in shuffled], [n for _, n in shuffled])
    assert 0 <= first.pvalue <= 1
    assert first.test == second.test
    assert first.pvalue == pytest.approx(second.pvalue, rel=1e-9, abs=1e-12)


@given(times, confidences, st.sampled_from([0.5, 2.0, 60.0]))
def test_geometric_mean_interval_contains_mean_and_scales_with_time(values, confidence, scale):
    result = geometric_mean_interval(values, confidence)
    assert result.low <= result.estimate * (1 + EPS) and result.estimate <= result.high * (1 + EPS)
    scaled = geometric_mean_interval([v * scale for v in values], confidence)
    assert scaled.estimate == pytest.approx(result.estimate * scale)
    assert scaled.high == pytest.approx(result.high * scale)


@given(st.lists(st.integers(1, 3600), min_size=8, max_size=60))
def test_median_interval_contains_median(values):
    result = median_interval(values)
    assert result.low <= result.estimate <= result.high


@given(times, times)
def test_time_comparison_inverts_when_variants_swap(a, b):
    assume(np.ptp(np.log(a)) > 0 or np.ptp(np.log(b)) > 0)
    ab = compare_times_between(a, b)
    ba = compare_times_between(b, a)
    assert ab.difference == pytest.approx(1 / ba.difference)
    assert ab.statistic == pytest.approx(-ba.statistic)
    assert ab.pvalue == pytest.approx(ba.pvalue)
    assert ab.interval.low == pytest.approx(1 / ba.interval.high)
    assert ab.interval.low <= ab.difference <= ab.interval.high


@given(st.lists(st.tuples(st.integers(1, 3600), st.integers(1, 3600)), min_size=2, max_size=30))
def test_paired_time_comparison_inverts_when_variants_swap(pairs):
    a = [float(x) for x, _ in pairs]
    b = [float(y) for _, y in pairs]
    # Exact ratios: ln b − ln a of a constant ratio varies in its last bits, which is no variation.
    assume(len({Fraction(y, x) for x, y in pairs}) > 1)
    ab = compare_times_within(a, b)
    ba = compare_times_within(b, a)
    assert ab.difference == pytest.approx(1 / ba.difference)
    assert ab.pvalue == pytest.approx(ba.pvalue)
    assert ab.interval.low <= ab.difference <= ab.interval.high


@given(st.floats(0.05, 3600), st.integers(2, 40), st.integers(2, 40))
def test_equal_times_are_never_compared(seconds, n_a, n_b):
    with pytest.raises(ValueError, match="do not vary"):
        compare_times_between([seconds] * n_a, [seconds] * n_b)


@given(st.lists(st.floats(0.5, 3600), min_size=2, max_size=30), st.floats(0.1, 10))
def test_a_constant_ratio_is_never_a_paired_comparison(a, ratio):
    with pytest.raises(ValueError, match="do not vary"):
        compare_times_within(a, [t * ratio for t in a])


@given(counts, counts)
def test_count_comparison_mirrors_when_variants_swap(a, b):
    ab = compare_counts_between(a, b)
    ba = compare_counts_between(b, a)
    assert 0 <= ab.pvalue <= 1
    assert ab.pvalue == pytest.approx(ba.pvalue)
    assert ab.difference == pytest.approx(-ba.difference)
    assert ab.interval.low <= ab.difference <= ab.interval.high
    assert mean_interval(a).low <= np.mean(a) <= mean_interval(a).high


# scipy's exact Wilcoxon with ties enumerates all sign permutations for up to 13 pairs (~0.2 s).
@settings(max_examples=15, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 20), st.integers(0, 20)), min_size=2, max_size=30))
def test_paired_count_comparison_mirrors_when_variants_swap(pairs):
    a = [x for x, _ in pairs]
    b = [y for _, y in pairs]
    ab = compare_counts_within(a, b)
    ba = compare_counts_within(b, a)
    assert 0 <= ab.pvalue <= 1
    assert ab.pvalue == pytest.approx(ba.pvalue)
    assert ab.difference == pytest.approx(-ba.difference)


@given(st.lists(st.floats(0, 1), max_size=30), st.sampled_from(["holm", "bh"]),
       st.randoms(use_true_random=False))
def test_adjusted_pvalues_bound_raw_ones_and_follow_the_input_order(pvalues, method, random):
    adjusted = adjust_pvalues(pvalues, method)
    assert len(adjusted) == len(pvalues)
    assert all(p <= q + EPS and q <= 1 for p, q in zip(pvalues, adjusted, strict=True))
    order = list(range(len(pvalues)))
    random.shuffle(order)
    shuffled = adjust_pvalues([pvalues[i] for i in order], method)
    assert shuffled == pytest.approx([adjusted[i] for i in order])
    ranked = sorted(range(len(pvalues)), key=lambda i: pvalues[i])
    assert all(adjusted[i] <= adjusted[j] + EPS for i, j in pairwise(ranked))
    if method == "holm":
        bh = adjust_pvalues(pvalues, "bh")
        assert all(b <= h + EPS for b, h in zip(bh, adjusted, strict=True))


@given(st.dictionaries(st.sampled_from("ABCDE"), st.integers(0, 5000), min_size=1),
       st.floats(0.1, 10))
def test_srm_ignores_the_scale_of_the_weights(observed, scale):
    assume(sum(observed.values()) > 0)
    weights = {name: 1.0 for name in observed}
    result = sample_ratio_test(observed, weights)
    scaled = sample_ratio_test(observed, {name: scale for name in observed})
    assert 0 <= result.pvalue <= 1
    assert result.pvalue == pytest.approx(scaled.pvalue)
    assert result.extra["flag"] == (result.pvalue < 0.001)
    assert math.isclose(sum(result.extra["expected"].values()), sum(observed.values()))

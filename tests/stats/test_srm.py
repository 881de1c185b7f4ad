"""Sample-ratio mismatch test against a published example and hand computations."""

import pytest
from scipy import stats

from uxlab.stats.srm import sample_ratio_test


def test_srm_550_450_published_example():
    # madinterview.com, "A/B testing: sample ratio mismatch": 1,000 users meant to split 50/50
    # arrive as 550/450 -> chi-squared statistic 10.0, p-val 0.002. That is not below the 0.001
    # threshold, so it is not flagged.
    result = sample_ratio_test({"A": 550, "B": 450}, {"A": 0.5, "B": 0.5})
    assert result.statistic == pytest.approx(10.0)
    assert round(result.pvalue, 3) == 0.002
    assert result.df == 1
    assert result.extra["flag"] is False


def test_srm_unequal_weights_by_hand():
    # 2:1 assignment of 300 participants, observed 170/130: expected 200/100, by hand
    # χ² = 30²/200 + 30²/100 = 13.5 on 1 df, p = 0.00024 < 0.001 -> flagged.
    result = sample_ratio_test({"A": 170, "B": 130}, {"A": 2, "B": 1})
    assert result.statistic == pytest.approx(13.5)
    assert result.pvalue == pytest.approx(stats.chi2.sf(13.5, 1))
    assert result.extra["expected"] == pytest.approx({"A": 200.0, "B": 100.0})
    assert result.extra["flag"] is True


def test_srm_three_variants_and_single_variant():
    even = sample_ratio_test({"A": 100, "B": 100, "C": 100}, {"A": 1, "B": 1, "C": 1})
    assert (even.statistic, even.pvalue, even.df) == (0.0, 1.0, 2)
    single = sample_ratio_test({"A": 12}, {"A": 1.0})
    assert (single.pvalue, single.extra["flag"]) == (1.0, False)


@pytest.mark.parametrize("counts, weights, message", [
    ({"A": 5, "B": 5}, {"A": 1}, "same variants"),
    ({"A": -1, "B": 5}, {"A": 1, "B": 1}, "count of variant 'A'"),
    ({"A": 1.5, "B": 5}, {"A": 1, "B": 1}, "whole number, got 1.5"),
    ({"A": 5, "B": 5}, {"A": 1, "B": 0}, "weight of variant 'B'"),
    ({"A": 0, "B": 0}, {"A": 1, "B": 1}, "at least one participant"),
])
def test_srm_validates(counts, weights, message):
    with pytest.raises(ValueError, match=message):
        sample_ratio_test(counts, weights)

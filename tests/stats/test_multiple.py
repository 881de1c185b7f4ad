"""p-value adjustment against the Benjamini & Hochberg (1995) example and hand computations."""

import pytest

from uxlab.stats.multiple import adjust_pvalues

# Benjamini & Hochberg (1995), worked example: the 15 p-values of the thrombolysis trial (also the
# example of scipy.stats.false_discovery_control's documentation).
BH_EXAMPLE = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240,
              0.4262, 0.5719, 0.6528, 0.7590, 1.000]


def test_benjamini_hochberg_rejects_four_of_fifteen():
    # BH (1995): at q = 0.05 the FDR procedure rejects the four smallest p-values; the printed
    # adjusted values (scipy docs) begin 0.0015, 0.003, 0.0095, 0.035625, 0.0603.
    adjusted = adjust_pvalues(BH_EXAMPLE, method="bh")
    assert sum(p < 0.05 for p in adjusted) == 4
    assert adjusted[:5] == pytest.approx([0.0015, 0.003, 0.0095, 0.035625, 0.0603])


def test_holm_rejects_three_of_fifteen_by_hand():
    # Bonferroni rejects three hypotheses in BH's example (p ≤ 0.05/15); Holm steps down:
    # 15·0.0001, 14·0.0004, 13·0.0019 are below 0.05, 12·0.0095 = 0.114 is not, so it stops at 3.
    adjusted = adjust_pvalues(BH_EXAMPLE)
    assert adjusted[:4] == pytest.approx([0.0015, 0.0056, 0.0247, 0.114])
    assert sum(p < 0.05 for p in adjusted) == 3
    assert adjusted[-1] == 1.0


def test_holm_keeps_input_order_and_monotonicity():
    # Hand computation (Holm, 1979) on unsorted input: sorted 0.01, 0.02, 0.03, 0.04 become
    # 4·0.01 = 0.04, 3·0.02 = 0.06, max(0.06, 2·0.03) = 0.06, max(0.06, 0.04) = 0.06.
    assert adjust_pvalues([0.03, 0.01, 0.04, 0.02]) == pytest.approx([0.06, 0.04, 0.06, 0.06])
    assert adjust_pvalues([0.5]) == [0.5]
    assert adjust_pvalues([]) == []


@pytest.mark.parametrize("pvalues, method, message", [
    ([0.2, 1.5], "holm", "got 1.5 at position 1"),
    ([float("nan")], "bh", "between 0 and 1"),
    (["0.1"], "holm", "got '0.1'"),
    ([0.1], "bonferroni", "method"),
])
def test_adjust_pvalues_validates(pvalues, method, message):
    with pytest.raises(ValueError, match=message):
        adjust_pvalues(pvalues, method=method)

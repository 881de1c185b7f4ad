"""The omnibus test of three or more completion rates against hand and brute-force computations."""

import math
from itertools import product

import pytest

from uxlab.stats.contingency import completion_omnibus

# --- completion_omnibus ------------------------------------------------------------------------


def test_chi_square_homogeneity_by_hand():
    # 5/10, 8/10, 2/10: every expected count is 5, so Cochran's rule allows chi-square. By hand:
    # Σ (O − E)²/E = 2 · (0 + 9 + 9) / 5 = 7.2 on 2 df.
    result = completion_omnibus([5, 8, 2], [10, 10, 10])
    assert result.test == "chi-square"
    assert result.statistic == pytest.approx(7.2)
    assert result.df == 2
    assert result.pvalue == pytest.approx(math.exp(-7.2 / 2))  # χ² survival on 2 df is e^(−x/2)


def _brute_force_freeman_halton(successes, ns):
    def probability(xs):
        return math.prod(math.comb(n, x) for n, x in zip(ns, xs, strict=True)) / \
            math.comb(sum(ns), sum(successes))
    observed = probability(successes)
    return sum(p for xs in product(*(range(n + 1) for n in ns)) if sum(xs) == sum(successes)
               and (p := probability(xs)) <= observed * (1 + 1e-9))


@pytest.mark.parametrize("successes, ns", [
    ([3, 1, 0], [4, 5, 3]), ([2, 3, 1, 4], [5, 5, 5, 5]), ([0, 0, 4], [3, 4, 6]),
    ([1, 3, 10], [12, 12, 12]),
])
def test_freeman_halton_matches_brute_force_enumeration(successes, ns):
    result = completion_omnibus(successes, ns)
    assert result.test == "fisher-freeman-halton"
    assert result.extra["exact"] is True
    assert result.pvalue == pytest.approx(_brute_force_freeman_halton(successes, ns), rel=1e-9)


def test_omnibus_without_any_success_is_not_significant():
    result = completion_omnibus([0, 0, 0], [3, 3, 3])
    assert result.pvalue == pytest.approx(1.0)


def test_omnibus_validates():
    with pytest.raises(ValueError, match="same length"):
        completion_omnibus([1, 2], [3])
    with pytest.raises(ValueError, match="at least two variants"):
        completion_omnibus([1], [3])
    with pytest.raises(ValueError, match=r"successes\[1\] \(4\) cannot exceed ns\[1\] \(3\)"):
        completion_omnibus([1, 4], [3, 3])

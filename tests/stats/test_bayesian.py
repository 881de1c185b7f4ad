"""The Bayesian comparison of two completion rates against independent computations."""

import math

import numpy as np
import pytest
from scipy import special

from uxlab.stats.bayesian import probability_b_better

# --- probability_b_better ----------------------------------------------------------------------


def _closed_form_b_better(a_a, b_a, a_b, b_b):
    # Independent closed form for integer a_b (Miller, "Formulas for Bayesian A/B testing", 2015):
    # P(p_B > p_A) = Σ_{i<a_b} B(a_a + i, b_a + b_b) / ((b_b + i) B(1 + i, b_b) B(a_a, b_a)).
    return sum(math.exp(special.betaln(a_a + i, b_a + b_b) - math.log(b_b + i)
                        - special.betaln(1 + i, b_b) - special.betaln(a_a, b_a))
               for i in range(int(a_b)))


@pytest.mark.parametrize("x_a, n_a, x_b, n_b", [
    (9, 12, 11, 12), (0, 5, 5, 5), (3, 10, 3, 10), (700, 1000, 720, 1000), (48, 50, 50, 50),
])
def test_probability_b_better_matches_closed_form(x_a, n_a, x_b, n_b):
    result = probability_b_better(x_a, n_a, x_b, n_b)
    expected = _closed_form_b_better(1 + x_a, 1 + n_a - x_a, 1 + x_b, 1 + n_b - x_b)
    assert result.probability_b_better == pytest.approx(expected, abs=1e-5)
    assert result.difference == pytest.approx((1 + x_b) / (2 + n_b) - (1 + x_a) / (2 + n_a))


def test_credible_interval_matches_seeded_monte_carlo():
    # Independent check by simulation (seeded): Jeffreys prior, 3/40 vs 1/3.
    rng = np.random.default_rng(7)
    draws = rng.beta(1.5, 2.5, 400_000) - rng.beta(3.5, 37.5, 400_000)
    result = probability_b_better(3, 40, 1, 3, prior=(0.5, 0.5))
    low, high = np.quantile(draws, [0.025, 0.975])
    assert result.interval.low == pytest.approx(low, abs=0.005)
    assert result.interval.high == pytest.approx(high, abs=0.005)
    assert result.probability_b_better == pytest.approx((draws > 0).mean(), abs=0.003)


def test_probability_b_better_validates_prior():
    with pytest.raises(ValueError, match="prior"):
        probability_b_better(1, 2, 1, 2, prior=(0, 1))
    with pytest.raises(ValueError, match="prior"):
        probability_b_better(1, 2, 1, 2, prior="flat")

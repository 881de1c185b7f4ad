"""Key drivers (Shapley decomposition of R²) and the SUS → LTR regression, against hand formulas."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy import stats

from uxlab.stats.drivers import key_drivers, shapley_r2
from uxlab.stats.regression import ltr_on_sus


def r2_from_correlations(x: np.ndarray, y: np.ndarray, columns: list[int]) -> float:
    """R² = r_yx' R_xx⁻¹ r_yx, from the correlation matrix: no least squares involved."""
    if not columns:
        return 0.0
    corr = np.corrcoef(np.column_stack([x[:, columns], y]), rowvar=False)
    r_xx, r_yx = corr[:-1, :-1], corr[:-1, -1]
    return float(r_yx @ np.linalg.solve(r_xx, r_yx))


def sample(n: int = 120, seed: int = 5) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    a = rng.normal(size=n)
    b = 0.5 * a + rng.normal(size=n)
    c = rng.normal(size=n)
    y = 1.0 * a + 0.6 * b + 0.2 * c + rng.normal(size=n)
    return np.column_stack([a, b, c]), y


def test_two_drivers_match_the_hand_formula():
    # Two predictors (Lindeman, Merenda & Gold 1980; Budescu 1993): each ordering counts half,
    # φ1 = ½·R²(1) + ½·(R²(1,2) − R²(2)), with R²(1,2) = (r1² + r2² − 2·r1·r2·r12) / (1 − r12²).
    x, y = sample()
    x = x[:, :2]
    r1, r2 = np.corrcoef(x[:, 0], y)[0, 1], np.corrcoef(x[:, 1], y)[0, 1]
    r12 = np.corrcoef(x[:, 0], x[:, 1])[0, 1]
    full = (r1 ** 2 + r2 ** 2 - 2 * r1 * r2 * r12) / (1 - r12 ** 2)
    expected = [0.5 * r1 ** 2 + 0.5 * (full - r2 ** 2), 0.5 * r2 ** 2 + 0.5 * (full - r1 ** 2)]
    assert shapley_r2(x, y) == pytest.approx(expected, rel=1e-10)


def test_three_drivers_match_the_average_over_orderings():
    # An independent computation: the mean over all 3! orderings of each driver's marginal R²,
    # with R² from the correlation matrix instead of least squares.
    x, y = sample()
    expected = np.zeros(3)
    orderings = list(itertools.permutations(range(3)))
    for order in orderings:
        for position, driver in enumerate(order):
            before = list(order[:position])
            expected[driver] += (r2_from_correlations(x, y, before + [driver])
                                 - r2_from_correlations(x, y, before)) / len(orderings)
    shares = shapley_r2(x, y)
    assert shares == pytest.approx(expected, rel=1e-9)
    assert shares.sum() == pytest.approx(r2_from_correlations(x, y, [0, 1, 2]), rel=1e-12)


def test_key_drivers_sum_to_r_squared_and_bracket_the_shares():
    x, y = sample()
    result = key_drivers({"a": x[:, 0], "b": x[:, 1], "c": x[:, 2]}, y, resamples=200)
    assert sum(d.share for d in result.drivers) == pytest.approx(result.r_squared)
    assert sum(d.relative for d in result.drivers) == pytest.approx(1.0)
    for driver in result.drivers:
        assert driver.low <= driver.share <= driver.high
    assert [d.driver for d in sorted(result.drivers, key=lambda d: -d.share)][0] == "a"
    again = key_drivers({"a": x[:, 0], "b": x[:, 1], "c": x[:, 2]}, y, resamples=200)
    assert again == result  # seeded: a report is repeatable


def test_key_drivers_refuse_too_few_respondents():
    x, y = sample(n=29)
    with pytest.raises(ValueError, match="needs at least 30 \\(10 per driver\\)"):
        key_drivers({"a": x[:, 0], "b": x[:, 1], "c": x[:, 2]}, y)
    with pytest.raises(ValueError, match="does not vary"):
        key_drivers({"a": np.ones(40)}, np.arange(40.0))


def test_ltr_regression_and_its_prediction_interval():
    rng = np.random.default_rng(3)
    sus = rng.uniform(30, 95, 40)
    ltr = np.clip(np.round(0.5 + 0.09 * sus + rng.normal(0, 1.3, 40)), 0, 10)
    fit = ltr_on_sus(sus, ltr)
    reference = stats.linregress(sus, ltr)
    assert (fit.slope, fit.intercept, fit.r) == pytest.approx(
        (reference.slope, reference.intercept, reference.rvalue))
    t = stats.t.ppf(0.975, 38)
    assert fit.slope_interval.low == pytest.approx(reference.slope - t * reference.stderr)
    # Prediction interval for one respondent at SUS 80, by the textbook formula.
    residuals = ltr - (reference.intercept + reference.slope * sus)
    s = math.sqrt((residuals ** 2).sum() / 38)
    half = t * s * math.sqrt(1 + 1 / 40 + (80 - sus.mean()) ** 2 / ((sus - sus.mean()) ** 2).sum())
    prediction = fit.predict(80)
    centre = reference.intercept + reference.slope * 80
    assert prediction.estimate == pytest.approx(centre)
    assert prediction.interval.low == pytest.approx(max(0, centre - half))
    assert prediction.interval.high == pytest.approx(min(10, centre + half))
    assert prediction.published == pytest.approx(0.52 + 0.09 * 80)  # Sauro (2012)


def test_ltr_regression_refuses_what_it_cannot_fit():
    with pytest.raises(ValueError, match="at least 5"):
        ltr_on_sus(np.array([50.0, 60, 70]), np.array([5.0, 6, 7]))
    with pytest.raises(ValueError, match="does not vary"):
        ltr_on_sus(np.full(6, 70.0), np.arange(6.0))
    with pytest.raises(ValueError, match="from 0 to 100"):
        ltr_on_sus(np.array([50.0, 60, 70, 80, 120]), np.arange(5.0))

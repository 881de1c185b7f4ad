"""Shared result types and checks."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from uxlab.stats.results import Interval, check_confidence, varies


def test_equal_values_never_vary():
    assert not varies([])
    assert not varies([61.3] * 7)
    assert not varies(np.log([61.3] * 7))


def test_real_variation_varies():
    assert varies([30.0, 30.001])           # a millisecond in half a minute
    assert varies([4.0, 4.01])              # a hundredth of a rating point
    assert varies([0.0, 1e-300])            # anything distinguishable from exact zeros


def test_rounding_noise_of_derived_values_does_not_vary():
    a = np.array([12.3, 45.6, 7.8, 20.1, 33.3])
    differences = np.log(a * 1.1) - np.log(a)
    assert np.ptp(differences) > 0          # the noise is there ...
    scale = 1 + np.abs(np.log(a * 1.1)).max() + np.abs(np.log(a)).max()
    assert not varies(differences, scale)   # ... and is not taken for variation


@given(st.lists(st.floats(0, 1000), min_size=2, max_size=40), st.floats(-500, 500))
def test_equal_shifts_do_not_vary(values, shift):
    x = np.array(values)
    y = x + shift
    assert not varies(y - x, scale=max(np.abs(x).max(), np.abs(y).max()))


def test_interval_and_confidence_checks():
    interval = Interval(0.2, 0.6, 0.95)
    assert tuple(interval) == (0.2, 0.6) and interval.contains(0.6)
    assert check_confidence(0.9) == 0.9
    for bad in (0, 1, 1.5, math.nan, "0.9"):
        with pytest.raises(ValueError, match="confidence"):
            check_confidence(bad)

"""Single Usability Metric (Sauro & Kindlund 2005)."""

import math

import pytest

from uxlab.stats.usability_metric import single_usability_metric


def _phi(z):
    return 0.5 * (1 + math.erf(z / math.sqrt(2)))


def test_four_metric_sum_by_hand():
    # Independent hand computation of the SUM standardizations:
    # completion 3/4 = .75;
    # time: mean 65 s, sd √(500/3) = 12.910, spec 60 s → z = −5/12.910 = −.3873, Φ = .3493;
    # satisfaction: mean 5.5 = spec → z = 0, Φ = .5;
    # errors: 3 errors over 4 × 5 opportunities → 1 − 3/20 = .85;
    # SUM = (.75 + .3493 + .5 + .85)/4 = .6123.
    result = single_usability_metric([1, 1, 0, 1], [50, 60, 70, 80], 60, [6, 5, 7, 4],
                                     errors=[0, 1, 2, 0], error_opportunities=5)
    time = _phi(-5 / math.sqrt(500 / 3))
    assert result.completion == 0.75
    assert result.time == pytest.approx(time)
    assert result.satisfaction == pytest.approx(0.5)
    assert result.errors == pytest.approx(0.85)
    assert result.score == pytest.approx((0.75 + time + 0.5 + 0.85) / 4)
    assert result.score == pytest.approx(0.6123, abs=1e-4)
    assert set(result.components) == {"completion", "time", "satisfaction", "errors"}
    assert result.n == 4


def test_three_metric_sum_without_errors():
    result = single_usability_metric([1, 1, 0, 1], [50, 60, 70, 80], 60, [6, 5, 7, 4])
    assert result.errors is None
    assert set(result.components) == {"completion", "time", "satisfaction"}
    assert result.score == pytest.approx((0.75 + result.time + 0.5) / 3)


def test_five_point_satisfaction_spec_of_four():
    # Sauro & Kindlund (2005) use 4 on a 5-point scale: mean 4.5, sd √(1/3) → z = .866.
    result = single_usability_metric([1, 1], [20, 30], 60, [4, 5, 4, 5],
                                     satisfaction_spec=4)
    assert result.satisfaction == pytest.approx(_phi(0.5 / math.sqrt(1 / 3)))


def test_log_times_standardize_on_the_log_scale():
    times = [40, 60, 90]
    result = single_usability_metric([1, 1, 1], times, 60, [6, 6, 7], log_times=True)
    logs = [math.log(t) for t in times]
    mean = sum(logs) / 3
    sd = math.sqrt(sum((x - mean) ** 2 for x in logs) / 2)
    assert result.time == pytest.approx(_phi((math.log(60) - mean) / sd))
    assert "log" in result.method


def test_zero_spread_and_error_floor():
    result = single_usability_metric([1, 0], [30, 30], 60, [7, 7], errors=[10, 10],
                                     error_opportunities=2)
    assert result.time == 1.0
    assert result.satisfaction == 1.0
    assert result.errors == 0.0


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"successes": [1, 2]}, "only 0 and 1"),
    ({"times": [10]}, "at least 2"),
    ({"times": [10, -1]}, "positive"),
    ({"spec_time": 0}, "spec_time"),
    ({"satisfaction": [5, float("nan")]}, "missing"),
    ({"errors": [1, 0]}, "together"),
    ({"errors": [1, 0], "error_opportunities": 0}, "error_opportunities"),
    ({"errors": [1, -1], "error_opportunities": 3}, "non-negative"),
])
def test_bad_arguments_are_rejected(kwargs, message):
    arguments = {"successes": [1, 0], "times": [10, 20], "spec_time": 15,
                 "satisfaction": [5, 6]}
    arguments.update(kwargs)
    with pytest.raises(ValueError, match=message):
        single_usability_metric(**arguments)


def test_times_all_at_the_spec_count_half():
    # Review follow-up: the mean of three 30.1 s times is not exactly 30.1, so the time component
    # was Φ(rounding / rounding) instead of the documented 0.5 for times exactly at the spec.
    result = single_usability_metric([1, 1, 1], [30.1, 30.1, 30.1], 30.1, [6, 5, 7])
    assert result.time == 0.5
    assert single_usability_metric([1, 1, 1], [30.1] * 3, 31, [6, 5, 7]).time == 1.0

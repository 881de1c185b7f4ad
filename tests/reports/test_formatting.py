"""How numbers read in reports."""

from __future__ import annotations

import pytest

from uxlab.reports import formatting as fmt


@pytest.mark.parametrize("value, text", [
    (0.853, "85%"), (0.996, "99.6%"), (0.004, "0.4%"), (1.0, "100%"), (0.0, "0%"),
    (-0.0004, "0.0%"), (-0.25, "−25%"), (None, "–"),  # 0.0%: not exactly zero
])
def test_percent(value, text):
    assert fmt.percent(value) == text


@pytest.mark.parametrize("value, text", [
    (53.186, "53.2 s"), (60, "60 s"), (114.7, "115 s"), (None, "–"),
])
def test_seconds(value, text):
    assert fmt.seconds(value) == text


@pytest.mark.parametrize("value, text", [
    (180, "3 minutes"), (180.0, "3 minutes"), (60, "1 minute"), (90, "1 minute 30 seconds"),
    (45, "45 seconds"), (1, "1 second"), (3600, "1 hour"), (5430, "1 hour 30 minutes 30 seconds"),
    (0, "0 seconds"), (None, "–"),
])
def test_duration(value, text):
    assert fmt.duration(value) == text


@pytest.mark.parametrize("arguments, text", [
    ((0.85, 0.62, 0.96, fmt.percent), "85% (62–96%)"),
    ((43.8, 34.4, 55.8, fmt.seconds), "43.8 s (34.4–55.8 s)"),
    ((0.07, 0.02, 0.12, fmt.points_difference), "+7 pts (+2 to +12 pts)"),
    ((-0.2, -7.3, 7.1, fmt.whole), "0 (−7 to 7)"),
    ((5.0, None, None, fmt.decimal), "5.00 (no interval)"),
    ((2.44, -5.07, None, fmt.decimal), "2.44 (−5.07 to …)"),
    ((None, 1.0, 2.0, fmt.decimal), "–"),
])
def test_interval(arguments, text):
    assert fmt.interval(*arguments) == text


def test_p_values_statistics_and_degrees_of_freedom():
    assert [fmt.p_value(p) for p in (0.0213, 0.0004, 1.0, None)] == ["0.021", "< 0.001",
                                                                     "1.000", "–"]
    assert fmt.number(-0.0402) == "−0.0402" and fmt.number(122758.0) == "122758"
    assert fmt.degrees_of_freedom(2.0) == "2" and fmt.degrees_of_freedom(30.54) == "30.5"

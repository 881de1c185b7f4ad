"""How the results pages write an effect: in the unit of its metric, with its interval."""

import pytest

from uxlab.results.formatting import effect, one_decimal


@pytest.mark.parametrize("comparison, text", [
    ({"metric": "completion", "effect": "difference in proportions (b - a)",
      "difference": 0.5, "low": -0.04, "high": 0.79}, "+50 pts (−4 to +79 pts)"),
    ({"metric": "time", "effect": "ratio of geometric means (b / a)",
      "difference": 0.571, "low": 0.402, "high": 0.815}, "×0.57 (0.40–0.81)"),
    ({"metric": "nps", "effect": "difference in NPS points (b - a)",
      "difference": 60.0, "low": -38.88, "high": 113.88}, "60 (−39 to 114) NPS points"),
    ({"metric": "sus", "effect": "difference in means (b - a)",
      "difference": 50.0, "low": 14.16, "high": 85.84}, "50.0 (14.2–85.8)"),
    ({"metric": "errors", "effect": "difference in means (b - a)",
      "difference": -0.5, "low": -1.25, "high": 0.25}, "−0.50 (−1.25 to 0.25)"),
    ({"metric": "seq", "effect": None, "difference": None, "low": None, "high": None}, "–"),
])
def test_effects_read_in_their_metric_s_unit(comparison, text):
    assert effect(comparison) == text


def test_one_decimal():
    assert one_decimal(71.26) == "71.3"
    assert one_decimal(None) == "–"

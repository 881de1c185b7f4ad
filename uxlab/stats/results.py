"""Result types shared by every statistical family.

Field names follow ``scipy.stats`` (``statistic``, ``pvalue``, ``df``, ``alternative``) so a reader
who knows scipy knows these. Intervals are plain ``(low, high)`` pairs; an estimate carries the
interval it was reported with and the method that produced it, so a report can say which one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Interval:
    """A confidence (or credible) interval at ``confidence`` for some quantity."""

    low: float
    high: float
    confidence: float

    def __iter__(self):
        # Lets callers write ``low, high = interval`` like scipy's confidence_interval().
        yield self.low
        yield self.high

    def contains(self, value: float) -> bool:
        """Return whether ``value`` lies inside the interval (bounds included)."""
        return self.low <= value <= self.high


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its interval and the name of the method behind both."""

    estimate: float
    interval: Interval
    method: str
    n: int

    @property
    def low(self) -> float:
        return self.interval.low

    @property
    def high(self) -> float:
        return self.interval.high

    def confidence_interval(self) -> tuple[float, float]:
        """Return ``(low, high)``, as scipy's result objects do."""
        return (self.interval.low, self.interval.high)


@dataclass(frozen=True)
class TestResult:
    """A hypothesis test: statistic, p-value and what was tested.

    ``difference`` with ``interval`` is the effect the test is about (e.g. B − A in completion rate),
    so every comparison reports an effect size beside its p-value.
    """

    __test__ = False  # not a pytest test class despite the name

    test: str
    statistic: float
    pvalue: float
    alternative: str = "two-sided"
    df: float | None = None
    difference: float | None = None
    interval: Interval | None = None
    extra: dict = field(default_factory=dict)

    @property
    def significant(self) -> bool:
        """Whether the p-value is below 1 − confidence of the reported interval (or 0.05)."""
        alpha = 1 - self.interval.confidence if self.interval else 0.05
        return self.pvalue < alpha


def check_confidence(confidence: float) -> float:
    """Return ``confidence`` if it is strictly between 0 and 1, else raise ``ValueError``."""
    if not (isinstance(confidence, (int, float)) and 0 < confidence < 1) or math.isnan(confidence):
        raise ValueError(f"confidence must be between 0 and 1 (exclusive), got {confidence!r}")
    return float(confidence)

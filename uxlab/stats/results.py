"""Result types and argument checks shared by every statistical family.

Field names follow ``scipy.stats`` (``statistic``, ``pvalue``, ``df``, ``alternative``) so a reader
who knows scipy knows these. Intervals are plain ``(low, high)`` pairs; an estimate carries the
interval it was reported with and the method that produced it, so a report can say which one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np


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


# Values computed from equal inputs (logs of a constant ratio, differences of equally shifted
# ratings) differ by about one unit in the last place of the numbers they came from; 64 such
# units is far below any real variation (times to the millisecond, ratings to a hundredth).
_ROUNDING_ULPS = 64


def varies(values, scale: float = 0.0) -> bool:
    """Return whether ``values`` differ by more than floating-point rounding.

    A t-test, an effect size or a standard deviation is undefined when nothing varies, but
    values derived from equal numbers rarely come out exactly equal: ``log(1.1 · t) − log(t)``
    differs in the last bits from one t to the next, and a mean of equal values can miss them by
    one unit. Those leftovers must not count as variation, or a test divides by rounding noise
    and reports an enormous statistic.

    Parameters
    ----------
    values : array_like of float
    scale : float
        Magnitude of the numbers ``values`` were computed from, when larger than the values
        themselves (e.g. the largest absolute log time behind differences of log times).

    Notes
    -----
    Varies ⇔ max − min > 64 · ε · max(scale, max |value|), ε the double-precision machine epsilon
    (2.2 × 10⁻¹⁶). Equal values always have max − min = 0 (``np.ptp``), so they never vary.
    """
    array = np.asarray(values, dtype=float)
    if array.size == 0:
        return False
    magnitude = max(float(scale), float(np.max(np.abs(array))))
    return float(np.ptp(array)) > _ROUNDING_ULPS * np.finfo(float).eps * magnitude

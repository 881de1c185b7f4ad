"""The scales measures live on, and what an interval may say about them.

An interval of a mean, a rate or a score is computed as if the measure could take any value; on
a bounded scale (SEQ 1–7, SUS 0–100, a rate 0–1) its bounds can then fall outside values the
quantity can have. This module decides, by one rule for every measure, what is reported:

- **Truncation.** The parameter itself always lies on its scale, so the part of an interval
  beyond the scale contains no possible value: intersecting the interval with the scale keeps
  every value the interval held that the parameter can take, and the truncated interval covers
  the parameter whenever the computed one did (its coverage is unchanged). The computed bounds
  are kept beside the truncated ones (``Bounded.computed_low`` / ``computed_high``).
- **Too few values for a meaningful interval.** An interval is *withheld* (reported in words,
  not bounds) when it says nothing the scale does not already say: on a scale bounded at both
  ends, when the computed interval reaches past **both** ends (truncated, it would be the whole
  scale); on a scale open at the top (times, counts), when a bound lies more than
  :data:`OPEN_SCALE_FACTOR` (10) times beyond every value observed — above ten times the
  largest value, or, for times (a ratio scale), below a tenth of the smallest. An infinite or
  undefined bound (an overflow of exp on the log scale) is withheld the same way.

Differences between variants follow the same rules on their own scales (:func:`difference_scale`):
±(high − low) for a bounded measure, ratios above 0 for times, and for open scales a plausible
range set by the most extreme differences the two groups' values allow
(:func:`possible_differences`).

Why these rules: a t-interval from two values uses t*(0.975, 1) = 12.71 (636.6 at 99.9%), so its
half-width is the two values' spread times nine (or 450). Such bounds reflect the t quantile of a
tiny sample, not the data. On a bounded scale the whole scale is the least informative honest
answer; past both ends nothing is learnt. On an open scale the interval of a typical value
(mean, geometric mean) has no natural end, so the data set one: the estimate always lies within
the observed values, and a bound an order of magnitude beyond all of them is not an estimate any
reader could use (the reported case: a time interval of 0.0 to 28 trillion seconds from two
times). The computed bounds stay in the analysis document for whoever wants them.

References
----------
Sauro, J., & Lewis, J. R. (2016). *Quantifying the User Experience* (2nd ed.), ch. 3 (intervals
of rates, times and ratings; adjusted-Wald bounds clipped to 0–1).
Mandelkern, M. (2002). Setting confidence intervals for bounded parameters. *Statistical
Science*, 17(2), 149–172 (intersecting a confidence set with the parameter space).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: How far beyond every observed value a bound of an open scale may lie and still be reported.
OPEN_SCALE_FACTOR = 10.0


@dataclass(frozen=True)
class Scale:
    """The values a measure can take: ``low`` … ``high`` (``None`` = no bound on that side).

    ``ratio`` marks a ratio scale (times): its lower plausible bound is a fraction of the
    smallest value observed rather than the scale's own end.
    """

    name: str
    low: float | None
    high: float | None
    ratio: bool = False

    @property
    def bounded(self) -> bool:
        return self.low is not None and self.high is not None

    def describe(self) -> str:
        """"1–7", "0–100", "−6 to 6", "≥ 0"."""
        if self.bounded:
            joint = " to " if self.low < 0 else "–"
            return f"{_text(self.low)}{joint}{_text(self.high)}"
        return "any value" if self.low is None else f"≥ {_text(self.low)}"


def _text(value: float) -> str:
    return f"−{-value:g}" if value < 0 else f"{value:g}"


SEQ = Scale("SEQ", 1.0, 7.0)
CES = Scale("CES", 1.0, 7.0)
SUS = Scale("SUS", 0.0, 100.0)
UMUX_LITE = Scale("UMUX-Lite", 0.0, 100.0)
NPS = Scale("NPS", -100.0, 100.0)
RATE = Scale("rate", 0.0, 1.0)
COUNT = Scale("count", 0.0, None)
TIME = Scale("time", 0.0, None, ratio=True)
#: Smith's (1996) lostness: √((N/S − 1)² + (R/N − 1)²), both terms in (−1, 0], so below √2.
LOSTNESS = Scale("lostness", 0.0, math.sqrt(2))

#: The scale of each measure of the analysis document, by its key.
SCALES = {"completion": RATE, "csat": RATE, "time": TIME, "errors": COUNT, "clicks": COUNT,
          "seq": SEQ, "ces": CES, "sus": SUS, "umux_lite": UMUX_LITE, "nps": NPS,
          "direct": RATE, "first_click": RATE, "lostness": LOSTNESS}


_FEW = "too few or too spread values for a meaningful interval"


@dataclass(frozen=True)
class Bounded:
    """What may be reported of one interval on its scale.

    ``low`` / ``high`` are the reportable bounds (truncated to the scale), both ``None`` when the
    interval is withheld; ``computed_low`` / ``computed_high`` are the bounds as computed
    (``None`` where not finite). ``reason`` says why an interval is withheld.
    """

    low: float | None
    high: float | None
    computed_low: float | None
    computed_high: float | None
    truncated: bool
    withheld: bool
    reason: str | None = None


def bound_interval(low: float | None, high: float | None, scale: Scale,
                   observed: Sequence[float] | np.ndarray | None = None) -> Bounded:
    """Truncate an interval to ``scale``, or withhold it when it says nothing (module docstring).

    Parameters
    ----------
    low, high : float or None
        A two-sided interval as computed (NaN or ±inf for a bound that could not be computed).
    scale : Scale
    observed : sequence of float, optional
        The values the interval was computed from; needed for open scales (times, counts), whose
        plausible range the data set.

    Returns
    -------
    Bounded
    """
    computed_low, computed_high = _finite(low), _finite(high)
    if low is None and high is None:
        return Bounded(None, None, None, None, False, False)
    undefined = any(v is not None and math.isnan(v) for v in (low, high))
    infinite = any(v is not None and math.isinf(v) for v in (low, high))
    if undefined or infinite:
        return Bounded(None, None, computed_low, computed_high, False, True,
                       f"{_FEW}: its bounds are beyond any number")
    reason = _implausible(low, high, scale, observed)
    if reason:
        return Bounded(None, None, computed_low, computed_high, False, True, reason)
    new_low = low if low is None or scale.low is None else max(low, scale.low)
    new_high = high if high is None or scale.high is None else min(high, scale.high)
    truncated = new_low != low or new_high != high
    return Bounded(new_low, new_high, computed_low, computed_high, truncated, False)


def _finite(value) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _implausible(low, high, scale: Scale, observed) -> str | None:
    few = _FEW
    if scale.bounded:
        if low is not None and high is not None and low <= scale.low and high >= scale.high:
            return f"{few}: it would span the whole {scale.describe()} scale"
        return None
    if observed is None:
        return None
    values = np.asarray(observed, dtype=float)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return None
    largest = float(np.max(np.abs(values)))
    if scale.ratio:
        smallest = float(np.min(values))
        if high is not None and high > OPEN_SCALE_FACTOR * largest:
            return f"{few}: its upper bound is over ten times the largest value"
        if low is not None and smallest > 0 and low < smallest / OPEN_SCALE_FACTOR:
            return f"{few}: its lower bound is under a tenth of the smallest value"
        return None
    if largest > 0 and max(abs(v) for v in (low, high) if v is not None) \
            > OPEN_SCALE_FACTOR * largest:
        return f"{few}: a bound lies over ten times beyond the values observed"
    return None


def difference_scale(scale: Scale) -> Scale:
    """The scale of B − A (B / A on a ratio scale) of a measure on ``scale``.

    A bounded scale gives ±(high − low) (SEQ ±6, SUS ±100, NPS ±200, rates ±1); a ratio scale
    gives ratios above 0; differences of counts are open on both sides.
    """
    if scale.bounded:
        width = scale.high - scale.low
        return Scale(f"{scale.name} difference", -width, width)
    if scale.ratio:
        return Scale(f"{scale.name} ratio", 0.0, None, ratio=True)
    return Scale(f"{scale.name} difference", None, None)


def possible_differences(a, b, ratio: bool = False) -> tuple[float, float]:
    """The most extreme B − A (or B / A) that two groups' observed values allow.

    The plausible range of an open scale's difference: ``(min b − max a, max b − min a)``, or
    for ratios ``(min b / max a, max b / min a)``.
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if ratio:
        return float(b.min() / a.max()), float(b.max() / a.min())
    return float(b.min() - a.max()), float(b.max() - a.min())


def safe_exp(value: float) -> float:
    """``exp(value)``, but ``inf`` instead of ``OverflowError`` (a bound beyond every double)."""
    try:
        return math.exp(value)
    except OverflowError:
        return math.inf

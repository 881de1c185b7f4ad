"""From SUS to likelihood to recommend: a study's own regression beside Sauro's published one.

Sauro (2012) regressed likelihood-to-recommend (LTR, 0–10) on SUS over 146 users:
LTR = 0.52 + 0.09 × SUS (r = .61). A study whose participants answered both gives its own line,
with the interval of the slope and a prediction interval for one person at a given SUS — always a
range, because a single respondent's LTR scatters widely around the line.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from uxlab.stats.results import Interval, check_confidence, varies

#: Sauro (2012): LTR = 0.52 + 0.09 × SUS, r = .61, n = 146.
PUBLISHED_INTERCEPT = 0.52
PUBLISHED_SLOPE = 0.09
PUBLISHED_R = 0.61
PUBLISHED_N = 146
MIN_PAIRS = 5


@dataclass(frozen=True)
class LtrPrediction:
    sus: float
    estimate: float
    interval: Interval  # prediction interval for one respondent, clipped to 0–10
    published: float  # Sauro's equation at this SUS


@dataclass(frozen=True)
class LtrRegression:
    n: int
    intercept: float
    slope: float
    slope_interval: Interval
    r: float
    pvalue: float
    residual_sd: float
    sus_mean: float
    sus_ss: float  # Σ (SUS − mean)²
    confidence: float

    def predict(self, sus: float) -> LtrPrediction:
        """LTR expected for one respondent at ``sus``, with its prediction interval.

        Notes
        -----
        ŷ ± t_{1−α/2, n−2} · s · √(1 + 1/n + (x₀ − x̄)² / Σ(x − x̄)²), s the residual standard
        deviation (e.g. Montgomery, Peck & Vining, *Introduction to Linear Regression Analysis*,
        §2.5); bounds clipped to the 0–10 scale.
        """
        if not (isinstance(sus, int | float) and 0 <= sus <= 100):
            raise ValueError(f"SUS must be a number from 0 to 100, got {sus!r}")
        estimate = self.intercept + self.slope * sus
        t = float(stats.t.ppf(0.5 + self.confidence / 2, self.n - 2))
        margin = t * self.residual_sd * math.sqrt(1 + 1 / self.n
                                                  + (sus - self.sus_mean) ** 2 / self.sus_ss)
        return LtrPrediction(sus, estimate,
                             Interval(max(0.0, estimate - margin), min(10.0, estimate + margin),
                                      self.confidence),
                             PUBLISHED_INTERCEPT + PUBLISHED_SLOPE * sus)


def ltr_on_sus(sus: np.ndarray, ltr: np.ndarray, confidence: float = 0.95) -> LtrRegression:
    """Least-squares regression of LTR (0–10) on SUS (0–100) of the same respondents.

    Raises
    ------
    ValueError
        With fewer than 5 pairs, values off their scales, or SUS or LTR that does not vary.

    References
    ----------
    Sauro, J. (2012). Predicting Net Promoter Scores from System Usability Scale scores.
    MeasuringU, https://measuringu.com/nps-sus/.
    Sauro, J., & Lewis, J. R. (2016). *Quantifying the User Experience* (2nd ed.), ch. 10.
    """
    confidence = check_confidence(confidence)
    x, y = np.asarray(sus, dtype=float), np.asarray(ltr, dtype=float)
    if x.size != y.size:
        raise ValueError("SUS and LTR need one value each per respondent")
    if x.size < MIN_PAIRS:
        raise ValueError(f"{x.size} respondents answered both SUS and LTR; a regression needs "
                         f"at least {MIN_PAIRS}")
    if not (np.isfinite(x).all() and (x >= 0).all() and (x <= 100).all()):
        raise ValueError("SUS scores must be from 0 to 100")
    if not (np.isfinite(y).all() and (y >= 0).all() and (y <= 10).all()):
        raise ValueError("LTR ratings must be from 0 to 10")
    if not varies(x) or not varies(y):
        raise ValueError("SUS or LTR does not vary: no regression line")
    fit = stats.linregress(x, y)
    t = float(stats.t.ppf(0.5 + confidence / 2, x.size - 2))
    residual = y - (fit.intercept + fit.slope * x)
    return LtrRegression(
        n=int(x.size), intercept=float(fit.intercept), slope=float(fit.slope),
        slope_interval=Interval(float(fit.slope - t * fit.stderr),
                                float(fit.slope + t * fit.stderr), confidence),
        r=float(fit.rvalue), pvalue=float(fit.pvalue),
        residual_sd=float(math.sqrt((residual ** 2).sum() / (x.size - 2))),
        sus_mean=float(x.mean()), sus_ss=float(((x - x.mean()) ** 2).sum()),
        confidence=confidence)

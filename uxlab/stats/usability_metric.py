"""Single Usability Metric (SUM): completion, time, satisfaction and errors in one score.

Each task-level metric is standardized to a proportion of "meeting the specification" and the
proportions are averaged with equal weight, so one number summarizes effectiveness, efficiency
and satisfaction (ISO 9241-11) while the components stay visible beside it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from uxlab.stats.results import check_confidence, varies


@dataclass(frozen=True)
class UsabilityMetric:
    """A SUM score (0–1) with its standardized components (each 0–1).

    ``errors`` is ``None`` for the three-metric version (no error counts collected).
    """

    score: float
    completion: float
    time: float
    satisfaction: float
    errors: float | None
    n: int
    method: str = "sum (sauro-kindlund 2005)"

    @property
    def components(self) -> dict[str, float]:
        """The standardized components that were averaged, by name."""
        parts = {"completion": self.completion, "time": self.time,
                 "satisfaction": self.satisfaction}
        if self.errors is not None:
            parts["errors"] = self.errors
        return parts


def _values(values: Sequence[float], name: str, minimum: int = 2) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    if array.ndim != 1 or array.size < minimum:
        raise ValueError(f"{name} needs at least {minimum} values, got {array.size}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains a missing or infinite value")
    return array


def _share_meeting_spec(values: np.ndarray, spec: float, higher_is_better: bool) -> float:
    """Φ(z) with z the distance from the mean to the spec in SD units, signed so that + is good."""
    if not varies(values):
        # Every value is the same: it meets the spec or not (exactly at the spec counts half).
        # Compared directly, since a mean of equal values can miss them by a unit in the last place.
        gap = values[0] - spec if higher_is_better else spec - values[0]
        return 0.5 if gap == 0 else float(gap > 0)
    gap = values.mean() - spec if higher_is_better else spec - values.mean()
    return float(stats.norm.cdf(gap / values.std(ddof=1)))


def single_usability_metric(successes: Sequence[int], times: Sequence[float], spec_time: float,
                            satisfaction: Sequence[float], satisfaction_spec: float = 5.5,
                            errors: Sequence[int] | None = None,
                            error_opportunities: int | None = None,
                            log_times: bool = False) -> UsabilityMetric:
    """Single Usability Metric of one task: the average of its standardized metrics.

    Parameters
    ----------
    successes : sequence of 0/1
        Task completion per participant.
    times : sequence of float
        Task times in seconds (at least two).
    spec_time : float
        Specification (target) time in seconds, e.g. from expert times or a benchmark.
    satisfaction : sequence of float
        Post-task satisfaction per participant (e.g. SEQ 1–7, or the mean of 5-point items).
    satisfaction_spec : float
        Satisfaction specification: 5.5 on the 7-point SEQ (the default), 4 on a 5-point scale
        as in Sauro & Kindlund (2005).
    errors : sequence of int, optional
        Errors per participant; give ``error_opportunities`` with it. Omit both for the
        three-metric SUM.
    error_opportunities : int, optional
        Number of opportunities for an error in the task, per participant.
    log_times : bool
        Standardize ln(time) against ln(spec_time) instead of raw times. The published method
        uses raw times (the default); the log option suits strongly right-skewed times and is
        uxlab's extension, labelled as such in ``method``.

    Returns
    -------
    UsabilityMetric
        ``score`` and the components, all proportions 0–1.

    Notes
    -----
    - completion = successes / n (already a proportion, used as is);
    - time = Φ((spec_time − mean time) / sd) — the share of a normal with the sample's mean and
      SD that is at or under the spec;
    - satisfaction = Φ((mean − spec) / sd);
    - errors = 1 − Σ errors / (n · opportunities), floored at 0 (error-free opportunities,
      the Six Sigma "1 − DPO");
    - SUM = the unweighted mean of the available components.

    SDs use ddof = 1. When the values do not vary (all the same, up to rounding) the component
    is 1 or 0 (0.5 when the value equals the spec).

    References
    ----------
    Sauro, J., & Kindlund, E. (2005). A method to standardize usability metrics into a single
    score. *Proceedings of CHI 2005*, 401–409.
    Sauro, J., & Lewis, J. R. (2016). *Quantifying the User Experience* (2nd ed.), ch. 9.
    """
    completed = _values(successes, "successes", minimum=1)
    if not np.isin(completed, (0.0, 1.0)).all():
        raise ValueError("successes must contain only 0 and 1")
    task_times = _values(times, "times")
    if np.any(task_times <= 0):
        raise ValueError("times must be positive numbers of seconds")
    if not isinstance(spec_time, (int, float)) or not spec_time > 0 or math.isinf(spec_time):
        raise ValueError(f"spec_time must be a positive number of seconds, got {spec_time!r}")
    ratings = _values(satisfaction, "satisfaction")
    if not isinstance(satisfaction_spec, (int, float)) or not math.isfinite(satisfaction_spec):
        raise ValueError(f"satisfaction_spec must be a finite number, got {satisfaction_spec!r}")

    if log_times:
        time = _share_meeting_spec(np.log(task_times), math.log(spec_time),
                                   higher_is_better=False)
    else:
        time = _share_meeting_spec(task_times, spec_time, higher_is_better=False)
    satisfied = _share_meeting_spec(ratings, satisfaction_spec, higher_is_better=True)
    completion = float(completed.mean())

    error_free = None
    if (errors is None) != (error_opportunities is None):
        raise ValueError("give errors and error_opportunities together, or neither")
    if errors is not None:
        counts = _values(errors, "errors", minimum=1)
        if np.any(counts < 0) or np.any(counts != np.round(counts)):
            raise ValueError("errors must be non-negative whole numbers")
        if not isinstance(error_opportunities, int) or error_opportunities < 1:
            raise ValueError(f"error_opportunities must be a positive integer, "
                             f"got {error_opportunities!r}")
        error_free = max(0.0, 1 - float(counts.sum()) / (counts.size * error_opportunities))

    parts = [completion, time, satisfied] + ([error_free] if error_free is not None else [])
    return UsabilityMetric(
        score=sum(parts) / len(parts),
        completion=completion,
        time=time,
        satisfaction=satisfied,
        errors=error_free,
        n=int(completed.size),
        method="sum (sauro-kindlund 2005, log times)" if log_times else UsabilityMetric.method,
    )


def standardized_shares(values: Sequence[float], spec: float,
                        higher_is_better: bool) -> np.ndarray:
    """Each value's standardized score against ``spec``: Φ(z) with z in the sample's SD units.

    Sauro & Kindlund (2005) standardize every observation of a continuous metric (a task time, a
    satisfaction rating) by its distance from the specification limit in standard deviations,
    z_i = (spec − x_i) / s for times (lower is better) and (x_i − spec) / s for satisfaction,
    and turn z into a proportion with the normal CDF, so that each participant gets a score
    from 0 to 1 that can be averaged with completion (0 or 1). Without spread (fewer than two
    values, or all equal) a value meets the spec (1), misses it (0) or equals it (0.5).
    """
    array = np.asarray(values, dtype=float)
    gap = array - spec if higher_is_better else spec - array
    if array.size < 2 or not varies(array):
        return np.where(gap == 0, 0.5, (gap > 0).astype(float))
    return stats.norm.cdf(gap / array.std(ddof=1))


@dataclass(frozen=True)
class UsabilityMetricEstimate:
    """A SUM (0–1) averaged over participants, with its interval truncated to 0–1."""

    estimate: float
    low: float | None
    high: float | None
    n: int
    method: str = "mean of participants' SUM scores (t-interval, truncated to 0–1)"


def usability_metric_interval(scores: Sequence[float],
                              confidence: float = 0.95) -> UsabilityMetricEstimate:
    """Mean of participants' SUM scores with its t confidence interval, truncated to 0–1.

    Parameters
    ----------
    scores : sequence of float
        One SUM score (0–1) per participant: the mean of the participant's standardized task
        scores (see :func:`standardized_shares`).
    confidence : float
        Two-sided confidence level.

    Notes
    -----
    mean ± t_{1−α/2, n−1} · s / √n, with the bounds truncated to [0, 1] (a SUM is a proportion).
    With fewer than two scores the interval is ``None``; when the scores do not vary it is the
    single point.

    References
    ----------
    Sauro, J., & Kindlund, E. (2005). A method to standardize usability metrics into a single
    score. *Proceedings of CHI 2005*, 401–409 (SUM per user, averaged, with a confidence
    interval).
    Sauro, J., & Lewis, J. R. (2016). *Quantifying the User Experience* (2nd ed.), ch. 3
    (t-interval of a mean).
    """
    confidence = check_confidence(confidence)
    array = _values(scores, "SUM scores", minimum=1)
    if np.any((array < 0) | (array > 1)):
        raise ValueError("SUM scores must be proportions from 0 to 1")
    mean = float(array.mean())
    if array.size < 2:
        return UsabilityMetricEstimate(mean, None, None, 1)
    if not varies(array):
        return UsabilityMetricEstimate(mean, mean, mean, int(array.size))
    low, high = stats.t.interval(confidence, array.size - 1, loc=mean, scale=stats.sem(array))
    return UsabilityMetricEstimate(mean, max(0.0, float(low)), min(1.0, float(high)),
                                   int(array.size))

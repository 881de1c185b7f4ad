"""Problem discovery: how many participants it takes to see the problems a design has.

The model is the cumulative binomial 1 − (1 − p)^n: a problem that affects a proportion p of users
is seen at least once among n participants with that probability. p is estimated from a
participants × problems matrix, with Lewis's (2001) small-sample adjustment because raw estimates
from a handful of participants are strongly inflated.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# Guards ceil() against log-ratio round-off such as 2.0000000000000004 for an exact integer.
_CEIL_TOLERANCE = 1e-9


def _check_probability(p: float, name: str = "p") -> float:
    if not (isinstance(p, (int, float)) and 0 < p < 1) or math.isnan(p):
        raise ValueError(f"{name} must be between 0 and 1 (exclusive), got {p!r}")
    return float(p)


def discovery_probability(p: float, n: int) -> float:
    """Probability of seeing a problem at least once among ``n`` participants.

    Parameters
    ----------
    p : float
        Proportion of users who experience the problem, 0 < p < 1.
    n : int
        Number of participants, n ≥ 0.

    Returns
    -------
    float
        P(x ≥ 1) = 1 − (1 − p)^n. Read also as the expected proportion of problems of
        probability p that a study of n participants discovers.

    References
    ----------
    Sauro, J., & Lewis, J. R. (2016). *Quantifying the User Experience* (2nd ed.), ch. 7.
    Virzi, R. A. (1992). Refining the test phase of usability evaluation: How many subjects is
    enough? *Human Factors*, 34(4), 457–468.
    Nielsen, J., & Landauer, T. K. (1993). A mathematical model of the finding of usability
    problems. *Proceedings of INTERCHI '93*, 206–213.
    """
    p = _check_probability(p)
    if not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"n must be a non-negative integer, got {n!r}")
    return 1.0 - (1.0 - p) ** int(n)


def participants_needed(p: float, goal: float) -> int:
    """Smallest number of participants whose discovery probability reaches ``goal``.

    Parameters
    ----------
    p : float
        Problem occurrence probability, 0 < p < 1 (use the Lewis-adjusted estimate from
        :func:`estimate_p` when p comes from a small pilot).
    goal : float
        Target discovery probability, e.g. 0.80, 0.85, 0.90 or 0.95.

    Returns
    -------
    int
        n = ⌈ln(1 − goal) / ln(1 − p)⌉.

    References
    ----------
    Sauro, J., & Lewis, J. R. (2016). *Quantifying the User Experience* (2nd ed.), ch. 7.
    """
    p = _check_probability(p)
    goal = _check_probability(goal, "goal")
    exact = math.log(1.0 - goal) / math.log(1.0 - p)
    return max(1, math.ceil(exact - _CEIL_TOLERANCE))


def discovery_curve(p: float, max_n: int) -> tuple[tuple[int, float], ...]:
    """The discovery probability 1 − (1 − p)^n for n = 1 … ``max_n``, as ``(n, probability)``.

    References
    ----------
    Sauro, J., & Lewis, J. R. (2016). *Quantifying the User Experience* (2nd ed.), ch. 7.
    """
    p = _check_probability(p)
    if not isinstance(max_n, (int, np.integer)) or max_n < 1:
        raise ValueError(f"max_n must be a positive integer, got {max_n!r}")
    return tuple((n, 1.0 - (1.0 - p) ** n) for n in range(1, int(max_n) + 1))


@dataclass(frozen=True)
class DiscoveryEstimate:
    """Problem-occurrence probability estimated from a participants × problems matrix.

    ``p_adjusted`` is the value to plan with; ``p_observed`` is the raw (inflated) average.
    """

    p_observed: float
    p_adjusted: float
    participants: int
    problems: int
    problems_seen_once: int
    method: str = "lewis-2001 (normalization + Good-Turing)"


def estimate_p(matrix: Sequence[Sequence[int]]) -> DiscoveryEstimate:
    """Estimate the problem-discovery rate p with Lewis's small-sample adjustment.

    Parameters
    ----------
    matrix : sequence of sequences of 0/1
        One row per participant, one column per problem; 1 where the participant experienced
        the problem. Columns that no participant experienced are ignored (a problem nobody
        saw has not been discovered by this study).

    Returns
    -------
    DiscoveryEstimate
        Observed and adjusted p with the counts behind them.

    Notes
    -----
    With n participants, N discovered problems and N₁ problems seen by exactly one participant,
    p_est is the mean of the matrix over discovered problems, and

        p_adj = ½ · (p_est − 1/n)(1 − 1/n) + ½ · p_est / (1 + N₁/N)

    — the average of the normalization (deflation) estimate and the Good–Turing discounted
    estimate. p_est ≥ 1/n always (every discovered problem was seen at least once), so the
    normalization term is never negative.

    References
    ----------
    Lewis, J. R. (2001). Evaluation of procedures for adjusting problem-discovery rates estimated
    from small samples. *International Journal of Human-Computer Interaction*, 13(4), 445–479.
    Sauro, J., & Lewis, J. R. (2016). *Quantifying the User Experience* (2nd ed.), ch. 7.
    """
    try:
        grid = np.asarray(matrix, dtype=float)
    except (TypeError, ValueError) as error:
        raise ValueError(f"matrix must be a rectangular table of 0/1 values: {error}") from None
    if grid.ndim != 2 or grid.shape[0] == 0 or grid.shape[1] == 0:
        raise ValueError(f"matrix must be participants × problems with at least one of each, "
                         f"got shape {grid.shape}")
    if not np.isin(grid, (0.0, 1.0)).all():
        bad = grid[~np.isin(grid, (0.0, 1.0))][0]
        raise ValueError(f"matrix must contain only 0 and 1, found {bad!r}")
    seen = grid[:, grid.sum(axis=0) > 0]
    if seen.shape[1] == 0:
        raise ValueError("matrix records no problem at all: p cannot be estimated")
    participants, problems = seen.shape
    seen_once = int((seen.sum(axis=0) == 1).sum())
    p_est = float(seen.mean())
    normalized = (p_est - 1 / participants) * (1 - 1 / participants)
    good_turing = p_est / (1 + seen_once / problems)
    return DiscoveryEstimate(
        p_observed=p_est,
        p_adjusted=0.5 * normalized + 0.5 * good_turing,
        participants=participants,
        problems=problems,
        problems_seen_once=seen_once,
    )

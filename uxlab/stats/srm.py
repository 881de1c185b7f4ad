"""Sample-ratio mismatch: are participants split across variants as the assignment intended?

A split far from the assignment weights (say 60/40 under a 50/50 assignment) is a symptom of a
broken assignment, tracking or exclusion step, and it can bias every comparison of the study.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping

import numpy as np
from scipy import stats

from uxlab.stats.results import TestResult

# Conventional SRM threshold: strict because the check runs on every study, and a false alarm
# would make researchers distrust it.
SRM_THRESHOLD = 0.001


def sample_ratio_test(counts: Mapping[str, int], weights: Mapping[str, float],
                      threshold: float = SRM_THRESHOLD) -> TestResult:
    """Chi-square goodness-of-fit test of participants per variant against assignment weights.

    Parameters
    ----------
    counts : mapping of str to int
        Participants per variant.
    weights : mapping of str to float
        Assignment weight of each variant (any positive scale; normalised to sum to 1). Must
        name the same variants as ``counts``.
    threshold : float
        Flag a mismatch when p is below this (default 0.001).

    Returns
    -------
    TestResult
        ``test`` = ``"sample ratio mismatch (chi-square goodness of fit)"``; ``statistic`` = χ²,
        ``df`` = k − 1; ``extra`` holds ``flag`` (p < threshold), ``threshold`` and the
        ``expected`` count of each variant. With a single variant there is nothing to compare:
        χ² = 0, p = 1.

    Notes
    -----
    Eᵢ = N wᵢ / Σ w, χ² = Σ (Oᵢ − Eᵢ)² / Eᵢ on k − 1 df (``scipy.stats.chisquare``).

    References
    ----------
    Fabijan, A., et al. (2019). Diagnosing sample ratio mismatch in online controlled
    experiments: A taxonomy and rules of thumb for practitioners. *Proceedings of KDD '19*.
    Kohavi, R., Tang, D., & Xu, Y. (2020). *Trustworthy Online Controlled Experiments*.
    Cambridge University Press.
    """
    if set(counts) != set(weights):
        raise ValueError(f"counts and weights must name the same variants, got "
                         f"{sorted(counts)} and {sorted(weights)}")
    if not counts:
        raise ValueError("sample_ratio_test needs at least one variant")
    if not (isinstance(threshold, (int, float)) and 0 < threshold < 1):
        raise ValueError(f"threshold must be between 0 and 1, got {threshold!r}")
    names = sorted(counts)
    observed = []
    for name in names:
        value = counts[name]
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
            raise ValueError(f"count of variant {name!r} must be a non-negative whole number, "
                             f"got {value!r}")
        observed.append(int(value))
    shares = []
    for name in names:
        value = weights[name]
        if isinstance(value, bool) or not isinstance(value, numbers.Real) \
                or not (value > 0 and math.isfinite(value)):
            raise ValueError(f"weight of variant {name!r} must be a positive number, got "
                             f"{value!r}")
        shares.append(float(value))
    total = sum(observed)
    if total == 0:
        raise ValueError("sample_ratio_test needs at least one participant, got all counts 0")
    expected = np.array(shares) / sum(shares) * total
    extra = {"threshold": float(threshold),
             "expected": {name: float(e) for name, e in zip(names, expected, strict=True)}}
    if len(names) == 1:
        return TestResult("sample ratio mismatch (chi-square goodness of fit)", 0.0, 1.0, df=0.0,
                          extra={**extra, "flag": False})
    result = stats.chisquare(observed, expected)
    pvalue = float(result.pvalue)
    return TestResult("sample ratio mismatch (chi-square goodness of fit)",
                      float(result.statistic), pvalue, df=float(len(names) - 1),
                      extra={**extra, "flag": pvalue < threshold})

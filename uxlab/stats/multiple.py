"""Adjusting p-values when several comparisons are made at once.

With three or more variants (or many tasks) a study makes many pairwise comparisons; some come out
"significant" by chance alone. uxlab reports every raw p-value beside its adjusted one: Holm's
step-down method by default (controls the family-wise error rate), Benjamini–Hochberg on request
(controls the false discovery rate).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy import stats

ADJUSTMENTS = ("holm", "bh")


def adjust_pvalues(pvalues: Sequence[float], method: str = "holm") -> list[float]:
    """Adjust p-values for multiple comparisons; the result is aligned with the input.

    Parameters
    ----------
    pvalues : sequence of float
        Raw p-values, each in [0, 1]. An empty sequence gives an empty list.
    method : {"holm", "bh"}
        Holm step-down (family-wise error) or Benjamini–Hochberg (false discovery rate).

    Returns
    -------
    list of float
        Adjusted p-values in the order given; compare each with α.

    Notes
    -----
    Holm: with p₍₁₎ ≤ … ≤ p₍ₘ₎, p̃₍ᵢ₎ = min(1, maxⱼ≤ᵢ (m − j + 1) p₍ⱼ₎).
    Benjamini–Hochberg: p̃₍ᵢ₎ = min(1, minⱼ≥ᵢ m p₍ⱼ₎ / j), computed by
    ``scipy.stats.false_discovery_control(pvalues, method="bh")``.

    References
    ----------
    Holm, S. (1979). A simple sequentially rejective multiple test procedure. *Scandinavian
    Journal of Statistics*, 6(2), 65–70.
    Benjamini, Y., & Hochberg, Y. (1995). Controlling the false discovery rate: A practical and
    powerful approach to multiple testing. *JRSS B*, 57(1), 289–300.
    """
    if method not in ADJUSTMENTS:
        raise ValueError(f"method must be one of {ADJUSTMENTS}, got {method!r}")
    values = []
    for i, p in enumerate(pvalues):
        if isinstance(p, bool) or not isinstance(p, (int, float, np.floating, np.integer)) \
                or math.isnan(p) or not 0 <= p <= 1:
            raise ValueError(f"p-values must be numbers between 0 and 1, got {p!r} at "
                             f"position {i}")
        values.append(float(p))
    if not values:
        return []
    array = np.array(values)
    if method == "bh":
        return [float(p) for p in stats.false_discovery_control(array, method="bh")]
    order = np.argsort(array, kind="stable")
    m = array.size
    stepped = np.maximum.accumulate((m - np.arange(m)) * array[order])
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(stepped, 1.0)
    return [float(p) for p in adjusted]

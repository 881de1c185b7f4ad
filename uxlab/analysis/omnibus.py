"""Omnibus tests that ``uxlab.stats`` does not offer yet, as thin wrappers of scipy.

Stopgap: these belong in ``uxlab.stats`` (``counts`` and ``questionnaires``) beside the pairwise
tests they precede; the analysis service imports them from here until they move.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import stats

from uxlab.stats.results import TestResult


def ranks_omnibus(groups: Sequence[Sequence[float]]) -> TestResult:
    """Kruskal–Wallis H test of three or more groups of counts (errors, clicks).

    The rank-based counterpart of the pairwise Mann–Whitney tests.

    Notes
    -----
    H = (12 / (N(N + 1))) Σ Rᵢ² / nᵢ − 3(N + 1), corrected for ties, on k − 1 df
    (``scipy.stats.kruskal``). When every value is the same the groups cannot differ: p = 1.

    References
    ----------
    Kruskal, W. H., & Wallis, W. A. (1952). Use of ranks in one-criterion variance analysis.
    *JASA*, 47(260), 583–621.
    """
    arrays = [np.asarray(g, dtype=float) for g in groups]
    if np.ptp(np.concatenate(arrays)) == 0:
        return TestResult("kruskal-wallis", 0.0, 1.0, df=float(len(arrays) - 1))
    result = stats.kruskal(*arrays)
    return TestResult("kruskal-wallis", float(result.statistic), float(result.pvalue),
                      df=float(len(arrays) - 1))


def means_omnibus(groups: Sequence[Sequence[float]]) -> TestResult:
    """Welch's ANOVA of three or more groups of ratings (SEQ, SUS, UMUX-Lite, CES).

    The counterpart of the pairwise Welch t-tests: no equal-variance assumption.

    Notes
    -----
    Welch's F on k − 1 and (k² − 1) / (3Λ) df (``scipy.stats.f_oneway(equal_var=False)``);
    ``df`` is the denominator df, ``extra["df_num"]`` = k − 1.

    References
    ----------
    Welch, B. L. (1951). On the comparison of several mean values: An alternative approach.
    *Biometrika*, 38(3/4), 330–336.
    """
    arrays = [np.asarray(g, dtype=float) for g in groups]
    if any(np.ptp(a) == 0 for a in arrays):
        raise ValueError("a variant's ratings are all equal, so Welch's ANOVA is undefined")
    result = stats.f_oneway(*arrays, equal_var=False)
    k = len(arrays)
    sizes = np.array([a.size for a in arrays], dtype=float)
    weights = sizes / np.array([a.var(ddof=1) for a in arrays])
    lam = ((1 - weights / weights.sum()) ** 2 / (sizes - 1)).sum()
    return TestResult("welch anova", float(result.statistic), float(result.pvalue),
                      df=float((k * k - 1) / (3 * lam)), extra={"df_num": float(k - 1)})

"""Completion rates of three or more variants: tests on the k × 2 table of successes and failures.

The omnibus test that precedes pairwise completion comparisons when a study has more than two
variants (Sauro & Lewis, *Quantifying the User Experience*, 2nd ed., 2016, ch. 5): Pearson's
chi-square where Cochran's rule allows it, the exact Fisher–Freeman–Halton test otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy import special, stats

from uxlab.stats.proportions import _rate
from uxlab.stats.results import TestResult

# Cochran's (1954) rule for a chi-square test on an r × c table: no expected count below 1 and no
# more than a fifth of them below 5. Outside it completion_omnibus uses the exact test.
_COCHRAN_MIN_EXPECTED = 1.0
_COCHRAN_SMALL = 5.0
_COCHRAN_SMALL_SHARE = 0.2
# Exact enumeration of r × 2 tables is merged by probability; past this many distinct partial
# tables the table is too large for it and a seeded Monte Carlo estimate is used instead.
_EXACT_STATE_LIMIT = 200_000
_MONTE_CARLO_RESAMPLES = 100_000
_MONTE_CARLO_SEED = 20160101


def completion_omnibus(successes: Sequence[int], ns: Sequence[int]) -> TestResult:
    """Test whether three or more variants share one completion rate.

    Use it before pairwise comparisons (adjusted with :func:`uxlab.stats.multiple.adjust_pvalues`)
    when a study has more than two variants.

    Parameters
    ----------
    successes, ns : sequence of int
        Successes and attempts of each variant, in the same order (at least two variants).

    Returns
    -------
    TestResult
        ``test`` is ``"chi-square"`` (Pearson, no continuity correction; ``statistic`` = χ²,
        ``df`` = k − 1) or ``"fisher-freeman-halton"`` (``statistic`` = probability of the observed
        table under the null; ``df`` = None, an exact test has none). ``extra`` holds the rates, the smallest expected count and, for the
        exact test, ``"exact"``: True for full enumeration, False for the Monte Carlo fallback.

    Notes
    -----
    Chi-square test of homogeneity on the k × 2 table of successes and failures
    (``scipy.stats.chi2_contingency(table, correction=False)``), used when Cochran's rule holds:
    every expected count ≥ 1 and at most 20% of them < 5. Otherwise the Fisher–Freeman–Halton
    exact test: the p-value is the total null probability, with all margins fixed, of the tables
    no more probable than the observed one, P(table) = Π C(nᵢ, xᵢ) / C(N, S). The tables are
    enumerated exactly, group by group, merging partial tables of equal probability (the
    network idea of Mehta & Patel, 1983). Tables too large for that (which Cochran's rule rarely
    sends here) get a Monte Carlo estimate from ``scipy.stats.fisher_exact`` with 100,000
    resamples and a fixed seed, so results are reproducible.

    References
    ----------
    Sauro, J., & Lewis, J. R. (2016). *Quantifying the User Experience* (2nd ed.), ch. 5.
    Cochran, W. G. (1954). Some methods for strengthening the common χ² tests. *Biometrics*,
    10(4), 417–451.
    Freeman, G. H., & Halton, J. H. (1951). Note on an exact treatment of contingency, goodness of
    fit and other problems of significance. *Biometrika*, 38(1/2), 141–149.
    Mehta, C. R., & Patel, N. R. (1983). A network algorithm for performing Fisher's exact test in
    r × c contingency tables. *JASA*, 78(382), 427–434.
    """
    if len(successes) != len(ns):
        raise ValueError(f"successes and ns must have the same length, got {len(successes)} "
                         f"and {len(ns)}")
    if len(ns) < 2:
        raise ValueError(f"completion_omnibus needs at least two variants, got {len(ns)}")
    pairs = [_rate(x, n, (f"successes[{i}]", f"ns[{i}]"))
             for i, (x, n) in enumerate(zip(successes, ns, strict=True))]
    table = np.array([[x, n - x] for x, n in pairs])
    total = int(table.sum())
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / total
    extra = {"rates": [x / n for x, n in pairs], "min_expected": float(expected.min())}
    cochran = (expected.min() >= _COCHRAN_MIN_EXPECTED
               and np.mean(expected < _COCHRAN_SMALL) <= _COCHRAN_SMALL_SHARE)
    if cochran:
        result = stats.chi2_contingency(table, correction=False)
        return TestResult("chi-square", float(result.statistic), float(result.pvalue),
                          df=float(result.dof), extra=extra)
    exact = _freeman_halton_r_by_2(table)
    if exact is None:
        method = stats.MonteCarloMethod(n_resamples=_MONTE_CARLO_RESAMPLES,
                                        rng=np.random.default_rng(_MONTE_CARLO_SEED))
        result = stats.fisher_exact(table, method=method)
        statistic, pvalue = float(result.statistic), float(result.pvalue)
        extra["exact"] = False
    else:
        statistic, pvalue = exact
        extra["exact"] = True
    # An exact test has no degrees of freedom (df stays None, as the contract says).
    return TestResult("fisher-freeman-halton", statistic, pvalue, extra=extra)


def _freeman_halton_r_by_2(table: np.ndarray) -> tuple[float, float] | None:
    """Exact (observed-table probability, p-value) of an r × 2 table, or None if too large."""
    sizes = table.sum(axis=1)
    successes = int(table[:, 0].sum())
    total = int(sizes.sum())
    observed = table[:, 0]
    if successes > total - successes:
        # P(table) is symmetric in the two columns; enumerate the smaller one.
        successes, observed = total - successes, table[:, 1]

    def log_weight(n, x):
        return special.gammaln(n + 1) - special.gammaln(x + 1) - special.gammaln(n - x + 1)

    # state: (column total so far, rounded log weight) -> [log weight, number of partial tables]
    states: dict[tuple[int, float], list] = {(0, 0.0): [0.0, 1]}
    for n in (int(v) for v in sizes):
        step: dict[tuple[int, float], list] = {}
        for (s, _), (lw, count) in states.items():
            for x in range(min(n, successes - s) + 1):
                w = lw + float(log_weight(n, x))
                key = (s + x, round(w, 9))
                if key in step:
                    step[key][1] += count
                else:
                    step[key] = [w, count]
        states = step
        if len(states) > _EXACT_STATE_LIMIT:
            return None
    log_total = float(log_weight(total, successes))
    log_observed = float(sum(log_weight(int(n), int(x)) for n, x in zip(sizes, observed,
                                                                         strict=True)))
    # Tables as probable as the observed one, up to rounding, count as "no more probable".
    cutoff = log_observed + 1e-7
    pvalue = sum(count * math.exp(lw - log_total)
                 for (s, _), (lw, count) in states.items() if s == successes and lw <= cutoff)
    return math.exp(log_observed - log_total), min(1.0, pvalue)

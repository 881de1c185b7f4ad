"""A problem per variant: x/n with intervals and the comparisons used for completion rates.

Between subjects a participant met a problem in their variant (the grid's cells); within subjects
everyone used every variant, so a problem counts for a variant when a note linked to it was
written during an attempt in that variant (cells set by hand in the grid say no variant).
"""

from __future__ import annotations

from dataclasses import dataclass

from uxlab.analysis.comparisons import comparison_family, from_test
from uxlab.models import Study
from uxlab.observations.grid import Grid
from uxlab.stats.contingency import completion_omnibus
from uxlab.stats.proportions import completion_interval, mcnemar_test, two_proportion_test


@dataclass(frozen=True)
class VariantShare:
    variant: str
    met: int
    observed: int
    low: float | None
    high: float | None


def between_variants(grid: Grid, met: set[int], study: Study, confidence: float
                     ) -> tuple[tuple[VariantShare, ...], tuple[dict, ...]]:
    """Between subjects: per variant, the participants assigned to it who met the problem (the
    grid's cells), with intervals; N−1 two-proportion / Fisher tests, Holm-adjusted pairs and
    an omnibus test for three or more variants."""
    counts: dict[str, list[int]] = {}
    for person in grid.participants:
        if person.variant is None:
            continue
        tally = counts.setdefault(person.variant, [0, 0])
        tally[0] += person.id in met
        tally[1] += 1
    order = [v.key for v in study.variants if v.key in counts]
    shares = []
    for key in order:
        x, n = counts[key]
        interval = completion_interval(x, n, confidence)
        shares.append(VariantShare(key, x, n, interval.low, interval.high))
    if len(order) < 2:
        return tuple(shares), ()

    def compare(a: str, b: str) -> dict:
        (x_a, n_a), (x_b, n_b) = counts[a], counts[b]
        return from_test(two_proportion_test(x_a, n_a, x_b, n_b, confidence),
                         effect="difference in proportions (b - a)", a_estimate=x_a / n_a,
                         b_estimate=x_b / n_b, n_a=n_a, n_b=n_b)

    def omnibus() -> dict:
        return from_test(completion_omnibus([counts[v][0] for v in order],
                                            [counts[v][1] for v in order]))

    comparisons = comparison_family("problem", order, compare, omnibus, confidence=confidence,
                                    design="between", adjust="holm")
    return tuple(shares), tuple(comparisons)


def within_variants(grid: Grid, met_in: dict[str, set[int]], study: Study, confidence: float
                    ) -> tuple[tuple[VariantShare, ...], tuple[dict, ...]]:
    """Within subjects: per variant, the observed participants with a linked note from an
    attempt in it; McNemar exact mid-p tests on the pairs (Holm-adjusted), no omnibus test."""
    people = {p.id for p in grid.participants}
    if not people:
        return (), ()
    order = [v.key for v in study.variants]
    shares = []
    for key in order:
        x = len(met_in.get(key, set()) & people)
        interval = completion_interval(x, len(people), confidence)
        shares.append(VariantShare(key, x, len(people), interval.low, interval.high))

    def compare(a: str, b: str) -> dict:
        in_a, in_b = met_in.get(a, set()) & people, met_in.get(b, set()) & people
        only_a, only_b = len(in_a - in_b), len(in_b - in_a)
        both = len(in_a & in_b)
        result = mcnemar_test(both, only_a, only_b, len(people) - both - only_a - only_b,
                              confidence)
        return from_test(result, effect="difference in proportions (b - a), matched pairs",
                         a_estimate=len(in_a) / len(people), b_estimate=len(in_b) / len(people),
                         n_a=len(people), n_b=len(people))

    if len(order) < 2:
        return tuple(shares), ()
    comparisons = comparison_family(
        "problem", order, compare, None, confidence=confidence, design="within", adjust="holm",
        omnibus_note="no omnibus test for within-subjects designs; the pairwise comparisons are "
                     "adjusted for multiplicity")
    return tuple(shares), tuple(comparisons)

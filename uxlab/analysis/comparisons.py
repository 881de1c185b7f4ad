"""Families of comparisons between variants: omnibus test, pairwise tests, p-value adjustment.

Every comparison entry has the same keys whatever the metric (docs/analysis-json.md), so a reader
of the JSON never has to guess: values that do not apply or cannot be computed are ``None`` and
the entry's ``note`` says why.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import combinations

from uxlab.analysis.document import add_note, number, unavailable
from uxlab.analysis.interpretation import (
    interpret_comparison,
    interpret_omnibus,
    interpret_untestable_benchmark,
)
from uxlab.stats.multiple import adjust_pvalues
from uxlab.stats.planning import sample_size_compare_means
from uxlab.stats.results import TestResult

PAIRWISE_KEYS = ("metric", "kind", "a", "b", "n_a", "n_b", "test", "statistic", "df", "p",
                 "p_adjusted", "difference", "low", "high", "effect", "a_estimate", "b_estimate",
                 "effect_size", "probability_b_better", "credible_low", "credible_high",
                 "sample_size_to_detect", "interpretation")
OMNIBUS_KEYS = (*PAIRWISE_KEYS, "variants")


#: Key under which a comparison function leaves why no sample size was planned; the family adds
#: it to the note only for a difference that is not significant (after adjustment).
PLANNING_NOTE = "_planning_note"


class NotComparable(Exception):
    """Raised by a comparison function when the data cannot support the comparison."""


def from_test(result: TestResult, **fields) -> dict:
    """The common fields of an entry from a :class:`TestResult` (difference is B − A)."""
    entry = {"test": result.test, "statistic": number(result.statistic),
             "df": number(result.df), "p": number(result.pvalue),
             "difference": number(result.difference)}
    if result.interval is not None:
        entry["low"], entry["high"] = number(result.interval.low), number(result.interval.high)
    entry.update(fields)
    return entry


BENCHMARK_KEYS = ("test", "statistic", "df", "p", "difference", "low", "high")


def untestable_benchmark(error: ValueError, *, variant: str, metric: str, target,
                         alternative: str, shown: str, target_text: str) -> dict:
    """A benchmark object whose test cannot be made: nulls, the reason as note and sentence."""
    entry = unavailable(str(error), *BENCHMARK_KEYS, target=target, alternative=alternative)
    entry["interpretation"] = interpret_untestable_benchmark(variant, metric, shown=shown,
                                                             target=target_text,
                                                             reason=str(error))
    return entry


def planned(plan, *args, **kwargs) -> int | None:
    """``plan(*args, **kwargs)``, or ``None`` when the planning method rejects the inputs.

    Sample sizes are computed for every pair and dropped afterwards for significant ones, so a
    planning method's refusal (e.g. an observed difference it cannot detect) must not cost the
    comparison itself.
    """
    try:
        return plan(*args, **kwargs)
    except (ValueError, OverflowError, ZeroDivisionError):
        return None


def means_sample_size(sd: float, difference: float, confidence: float, power: float,
                      paired: bool) -> int | None:
    """Participants per variant to detect ``difference`` (None when there is nothing to detect).

    Used for non-significant comparisons; a zero or negligible difference, or no spread, has
    no meaningful sample size, so the document's ``sample_size_to_detect`` stays null.
    """
    if not sd > 0:
        return None
    try:
        return sample_size_compare_means(sd, difference, confidence, power, paired=paired)
    except ValueError:
        return None


def comparison_family(metric: str, variants: Sequence[str],
                      compare: Callable[[str, str], dict],
                      omnibus: Callable[[], dict] | None, *, confidence: float, design: str,
                      adjust: str, omnibus_note: str | None = None) -> list[dict]:
    """Compare every pair of ``variants`` on ``metric`` (plus an omnibus test for three or more).

    ``compare(a, b)`` returns the fields of one pairwise entry; it raises :class:`NotComparable`
    or ``ValueError`` (from ``uxlab.stats``) when the comparison cannot be made, and the message
    becomes the entry's note. With more than one pair the p-values are adjusted together
    (``adjust``: "holm" or "bh"); with one pair ``p_adjusted`` equals ``p``.
    """
    entries = []
    if len(variants) >= 3:
        entries.append(_omnibus_entry(metric, variants, omnibus, confidence, omnibus_note))
    pairs = []
    for a, b in combinations(variants, 2):
        entry = dict.fromkeys(PAIRWISE_KEYS)
        entry.update(metric=metric, kind="pairwise", a=a, b=b)
        try:
            entry.update(compare(a, b))
        except (NotComparable, ValueError) as error:
            add_note(entry, str(error))
        if entry["p"] is None and not entry.get("note"):
            add_note(entry, "the test gave no p-value (the values do not vary)")
        pairs.append(entry)
    tested = [entry for entry in pairs if entry["p"] is not None]
    if len(pairs) > 1 and tested:
        adjusted = adjust_pvalues([entry["p"] for entry in tested], method=adjust)
        for entry, value in zip(tested, adjusted, strict=True):
            entry["p_adjusted"] = number(value)
    else:
        for entry in tested:
            entry["p_adjusted"] = entry["p"]
    for entry in pairs:
        _keep_plan_if_not_significant(entry, 1 - confidence)
        entry["interpretation"] = interpret_comparison(
            entry, confidence=confidence, design=design,
            adjusted=adjust if len(pairs) > 1 else None)
    return entries + pairs


def _keep_plan_if_not_significant(entry: dict, alpha: float) -> None:
    """Keep ``sample_size_to_detect`` (or why there is none) only where it answers a question.

    Significance is decided on the adjusted p (docs/statistics.md): a difference significant
    before adjustment but not after still needs the sample that would detect it.
    """
    reason = entry.pop(PLANNING_NOTE, None)
    significant = entry["p_adjusted"] is not None and entry["p_adjusted"] < alpha
    if significant or entry["p"] is None:
        entry["sample_size_to_detect"] = None
    elif reason:
        add_note(entry, reason)


def _omnibus_entry(metric, variants, omnibus, confidence, omnibus_note) -> dict:
    entry = dict.fromkeys(OMNIBUS_KEYS)
    entry.update(metric=metric, kind="omnibus", variants=list(variants))
    if omnibus is None:
        add_note(entry, omnibus_note or "no omnibus test for this metric and design")
    else:
        try:
            entry.update(omnibus())
        except (NotComparable, ValueError) as error:
            add_note(entry, str(error))
    entry["p_adjusted"] = entry["p"]
    entry["interpretation"] = interpret_omnibus(entry, confidence=confidence)
    add_note(entry, "an omnibus test has no single difference; see the pairwise comparisons")
    return entry


def require(condition: bool, reason: str) -> None:
    """Raise :class:`NotComparable` with ``reason`` unless ``condition`` holds."""
    if not condition:
        raise NotComparable(reason)

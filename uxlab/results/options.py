"""The analysis options a study's own settings imply: assignment weights and benchmarks."""

from __future__ import annotations

from collections.abc import Iterable

from uxlab.models import Study

#: Study benchmark keys the analysis uses (every key a study file's [benchmarks] may hold).
ANALYSIS_BENCHMARKS = ("completion", "sus", "seq", "umux_lite", "nps")


def analysis_options(study: Study, variants: Iterable[str]) -> dict:
    """Return ``analyze`` keyword arguments for ``study`` when the data holds ``variants``.

    ``weights`` are the variants' assignment weights (for the sample-ratio check), limited to the
    variants present, since ``analyze`` wants exactly those. ``benchmarks`` take the study's
    completion, SUS, SEQ, UMUX-Lite and NPS targets where set (``analyze``'s defaults
    otherwise) and each task's completion and time targets. Estimates and comparisons do not depend on either, so the numbers equal those
    of ``uxlab analyze`` on the exported CSV files.
    """
    variants = list(variants)
    weight_of = {v.key: float(v.weight) for v in study.variants}
    options: dict = {}
    if variants and all(v in weight_of for v in variants):
        options["weights"] = {v: weight_of[v] for v in variants}
    benchmarks = {key: float(study.benchmarks[key]) for key in ANALYSIS_BENCHMARKS
                  if isinstance(study.benchmarks.get(key), int | float)
                  and not isinstance(study.benchmarks.get(key), bool)}
    times = {t.key: float(t.target_time_s) for t in study.tasks if t.target_time_s}
    if times:
        benchmarks["time"] = times
    rates = {t.key: float(t.target_completion) for t in study.tasks if t.target_completion}
    if rates:
        benchmarks["task_completion"] = rates
    if benchmarks:
        options["benchmarks"] = benchmarks
    return options

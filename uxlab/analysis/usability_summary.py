"""The ``usability_metric`` part of an analysis: one Single Usability Metric per variant.

Sauro & Kindlund (2005) standardize every observation: completion is 1 or 0; a task time is
Φ((spec − time) / s) and a satisfaction rating Φ((rating − spec) / s), s being the standard
deviation of that task's values in the variant. An attempt's SUM is the mean of its standardized
metrics, a participant's SUM the mean over their attempts, and the variant's SUM the mean over
its participants, with a t-interval (truncated to 0–1) across participants.

Which metrics enter: completion always; time for tasks with a time target (only the times the
analysis uses, so failed attempts have no time under ``times="successful"``); satisfaction where
SEQ was answered, against the SEQ benchmark (5.5 unless set). Errors are left out: they need the
number of error opportunities, which the tidy table does not hold.
"""

from __future__ import annotations

import numpy as np

from uxlab.analysis.document import unavailable
from uxlab.analysis.grouping import Cell, Grouped
from uxlab.stats.usability_metric import standardized_shares, usability_metric_interval

COMPONENTS = ("completion", "time", "satisfaction")
DEFAULT_SATISFACTION_SPEC = 5.5


def usability_metric_results(grouped: Grouped, *, confidence: float, times: str,
                             benchmarks: dict) -> dict:
    """``{"variants": {variant: SUM entry}, "time_targets", "satisfaction_spec", "method"}``."""
    targets = _time_targets(grouped.tasks, benchmarks.get("time"))
    spec = benchmarks.get("seq")
    spec = DEFAULT_SATISFACTION_SPEC if spec is None else float(spec)
    result = {"variants": {}, "time_targets": targets, "satisfaction_spec": spec,
              "method": "sum (sauro-kindlund 2005), standardized per attempt"}
    for variant in grouped.variants:
        scores = [_attempt_components(grouped.cell(task, variant), targets.get(task), spec,
                                      times) for task in grouped.tasks]
        result["variants"][variant] = _variant_entry(scores, confidence)
    if not targets:
        result["note"] = "no task has a time target: the SUM averages completion and satisfaction"
    return result


def _time_targets(tasks: tuple[str, ...], time) -> dict[str, float]:
    if isinstance(time, dict):
        return {task: float(time[task]) for task in tasks if time.get(task) is not None}
    return {} if time is None else dict.fromkeys(tasks, float(time))


def _attempt_components(cell: Cell, target: float | None, spec: float, times: str) -> dict:
    """Per attempt of ``cell``: each standardized component (nan where it does not apply)."""
    known = ~np.isnan(cell.success)
    components = {"participant": cell.participant[known],
                  "completion": cell.success[known]}
    time = np.full(int(known.sum()), np.nan)
    if target is not None:
        used = known & ~np.isnan(cell.time_s)
        if times == "successful":
            used &= cell.success == 1
        if used.any():
            time_all = np.full(len(cell), np.nan)
            time_all[used] = standardized_shares(cell.time_s[used], target,
                                                 higher_is_better=False)
            time = time_all[known]
    components["time"] = time
    rated = known & ~np.isnan(cell.seq)
    satisfaction_all = np.full(len(cell), np.nan)
    if rated.any():
        satisfaction_all[rated] = standardized_shares(cell.seq[rated], spec,
                                                      higher_is_better=True)
    components["satisfaction"] = satisfaction_all[known]
    return components


def _variant_entry(scores: list[dict], confidence: float) -> dict:
    """The variant's SUM from its attempts' standardized components (one dict per task)."""
    if not any(len(s["participant"]) for s in scores):
        return unavailable("no attempts with a known outcome", "score", "low", "high",
                           n=0, attempts=0, components={})
    people = np.concatenate([s["participant"] for s in scores])
    matrix = np.column_stack([np.concatenate([s[name] for s in scores])
                              for name in COMPONENTS])
    attempt_sum = np.nanmean(matrix, axis=1)  # completion is never nan, so no empty row
    _, inverse = np.unique(people, return_inverse=True)
    participant_sum = np.bincount(inverse, weights=attempt_sum) / np.bincount(inverse)
    estimate = usability_metric_interval(participant_sum, confidence)
    component_means = {}
    for index, name in enumerate(COMPONENTS):
        column = matrix[:, index]
        component_means[name] = (float(np.nanmean(column)) if np.any(~np.isnan(column))
                                  else None)
    entry = {"score": estimate.estimate, "low": estimate.low, "high": estimate.high,
             "n": estimate.n, "attempts": int(len(people)), "components": component_means,
             "method": estimate.method}
    if estimate.low is None:
        entry["note"] = "fewer than 2 participants: no interval"
    return entry

"""The executive summary: the key findings of an analysis, ranked, each one plain sentence.

Ranking, most important first:

1. significant differences between variants (multiplicity-adjusted p below 1 − confidence), by the
   size of the effect in standard units;
2. benchmarks missed, then benchmarks passed (completion, time, SEQ per task; SUS, UMUX-Lite,
   NPS);
3. a sample-ratio mismatch, which puts every comparison in doubt;
4. the lowest SUS score and the hardest-rated task (lowest SEQ).

The sentences reuse the analysis document's ``interpretation`` strings where one exists and are
built from its numbers otherwise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats

from uxlab.analysis.interpretation import WORDINGS, format_p, test_name
from uxlab.participants.instruments import instrument_label
from uxlab.reports import formatting as fmt
from uxlab.reports.context import ReportContext

KINDS = ("difference", "no-difference", "benchmark-missed", "benchmark-passed", "sample-ratio",
         "lowest-sus", "lowest-seq")
KIND_LABELS = {"difference": "Difference", "no-difference": "No difference",
               "benchmark-missed": "Benchmark missed", "benchmark-passed": "Benchmark passed",
               "sample-ratio": "Sample ratio", "lowest-sus": "Lowest SUS",
               "lowest-seq": "Hardest task"}
_TASK_METRICS = ("completion", "time", "seq")
_SHOWN_PER_GROUP = 4  # tasks named in one benchmark sentence before "and N more"


@dataclass(frozen=True)
class Finding:
    """One key finding: its kind (see ``KINDS``), the sentence, and what it is about."""

    kind: str
    text: str
    task: str | None = None
    metric: str | None = None
    weight: float = 0.0

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]


def key_findings(analysis: dict, context: ReportContext | None = None,
                 limit: int | None = None) -> list[Finding]:
    """The key findings of an analysis document, most important first.

    Parameters
    ----------
    analysis : dict
        The analysis document (docs/analysis-json.md).
    context : ReportContext, optional
        Names of tasks and variants.
    limit : int, optional
        Keep at most this many findings.

    Returns
    -------
    list of Finding
        Ranked as the module docstring says; differences by decreasing standardized effect.

    Notes
    -----
    Effects are put on one scale to rank them: Hedges' g or d_z where the document gives one;
    Cohen's h = |2 asin √p_B − 2 asin √p_A| for completion rates and CSAT shares; for NPS the
    difference over the pooled standard deviation of the −1/0/1 respondent scores,
    √(p_pro + p_det − NPS²); for errors and clicks the difference of means over the pooled
    standard deviation recovered from each variant's t-interval, sd = half-width · √n / t.

    References
    ----------
    Cohen, J. (1988). *Statistical Power Analysis for the Behavioral Sciences* (2nd ed.), ch. 6.
    Sauro, J., & Lewis, J. R. (2016). *Quantifying the User Experience* (2nd ed.), ch. 5, 6, 8.
    """
    if limit is not None and limit < 0:
        raise ValueError(f"limit must be ≥ 0, got {limit!r}")
    context = context or ReportContext()
    findings = (_differences(analysis, context) + _benchmarks(analysis, context)
                + _sample_ratio(analysis, context) + _lowest(analysis, context))
    order = {kind: i for i, kind in enumerate(KINDS)}
    findings.sort(key=lambda f: (order[f.kind], -f.weight))
    return findings[:limit] if limit is not None else findings


def executive_summary(findings: list[Finding], per_kind: dict[str, int] | None = None
                      ) -> tuple[list[Finding], dict[str, int]]:
    """The ranked findings an executive summary shows, and how many of each kind it leaves out.

    ``per_kind`` caps each kind (default: 6 differences, 4 missed and 3 passed benchmarks); the
    sample-ratio warning and the lowest scores are always kept.
    """
    caps = {"difference": 6, "benchmark-missed": 4, "benchmark-passed": 3}
    caps.update(per_kind or {})
    shown, left_out, seen = [], {}, {}
    for finding in findings:
        seen[finding.kind] = seen.get(finding.kind, 0) + 1
        if seen[finding.kind] <= caps.get(finding.kind, len(findings)):
            shown.append(finding)
        else:
            left_out[finding.kind] = left_out.get(finding.kind, 0) + 1
    return shown, left_out


# --- differences ---------------------------------------------------------------------------------


def _differences(analysis: dict, context: ReportContext) -> list[Finding]:
    alpha = 1 - analysis["confidence"]
    found, compared = [], 0
    for task in analysis.get("tasks", []):
        for entry in task["comparisons"]:
            compared += entry["kind"] == "pairwise" and entry.get("p") is not None
            if _significant(entry, alpha):
                found.append(Finding(
                    "difference", f"{_task_prefix(context, task['task'])}{entry['interpretation']}",
                    task=task["task"], metric=entry["metric"],
                    weight=standardized_effect(entry, task["variants"])))
    for name, instrument in analysis.get("questionnaires", {}).items():
        for entry in instrument.get("comparisons", []):
            compared += entry["kind"] == "pairwise" and entry.get("p") is not None
            if _significant(entry, alpha):
                found.append(Finding(
                    "difference", f"{instrument_label(name)}: {entry['interpretation']}",
                    metric=name, weight=standardized_effect(entry, instrument["variants"])))
    if not found and compared:
        level = fmt.confidence_label(analysis["confidence"])
        found.append(Finding(
            "no-difference", f"None of the {compared} comparisons between variants shows a "
            f"statistically significant difference at {level} confidence (after "
            f"{_adjustment(analysis)} adjustment where several variants are compared). A "
            f"difference may still exist: see each comparison's interval and the sample size "
            f"that would detect it."))
    return found


def _adjustment(analysis: dict) -> str:
    return {"holm": "Holm", "bh": "Benjamini–Hochberg"}.get(analysis.get("adjust"), "Holm")


def _significant(entry: dict, alpha: float) -> bool:
    p = entry.get("p_adjusted", entry.get("p"))
    return entry["kind"] == "pairwise" and p is not None and p < alpha


def standardized_effect(entry: dict, summaries: dict) -> float:
    """The absolute effect of a comparison in standard units (see :func:`key_findings`)."""
    effect_size = entry.get("effect_size")
    if effect_size and effect_size.get("value") is not None:
        return abs(effect_size["value"])
    a, b = entry.get("a_estimate"), entry.get("b_estimate")
    metric = entry["metric"]
    if metric in ("completion", "csat") and a is not None and b is not None:
        return abs(2 * math.asin(math.sqrt(_unit(b))) - 2 * math.asin(math.sqrt(_unit(a))))
    if metric == "nps" and entry.get("difference") is not None:
        sd = _pooled([_nps_sd(summaries.get(entry[k], {})) for k in ("a", "b")])
        return abs(entry["difference"] / 100) / sd if sd else 0.0
    if metric in ("errors", "clicks") and entry.get("difference") is not None:
        sd = _pooled([_sd_from_interval(summaries.get(entry[k], {}).get(metric, {}))
                      for k in ("a", "b")])
        return abs(entry["difference"]) / sd if sd else 0.0
    return 0.0


def _unit(value: float) -> float:
    return min(1.0, max(0.0, value))


def _pooled(sds: list[float | None]) -> float | None:
    known = [sd for sd in sds if sd]
    return math.sqrt(sum(sd * sd for sd in known) / len(known)) if known else None


def _nps_sd(summary: dict) -> float | None:
    n = summary.get("n")
    if not n or summary.get("promoters") is None or summary.get("detractors") is None:
        return None
    promoters, detractors = summary["promoters"] / n, summary["detractors"] / n
    return math.sqrt(max(0.0, promoters + detractors - (promoters - detractors) ** 2))


def _sd_from_interval(summary: dict) -> float | None:
    n = summary.get("n")
    # The t-interval as computed: a bound truncated at 0 would understate the spread.
    low = summary.get("low_untruncated", summary.get("low"))
    high = summary.get("high_untruncated", summary.get("high"))
    if not n or n < 2 or low is None or high is None:
        return None
    # The document's confidence is not at hand here; 95% is the default and only ranks effects.
    t = stats.t.ppf(0.975, n - 1)
    return (high - low) / 2 * math.sqrt(n) / t


# --- benchmarks ----------------------------------------------------------------------------------


def _benchmarks(analysis: dict, context: ReportContext) -> list[Finding]:
    alpha = 1 - analysis["confidence"]
    groups: dict[tuple[str, str, str], list[tuple[str, dict, dict]]] = {}
    for task in analysis.get("tasks", []):
        for variant, summary in task["variants"].items():
            for metric in _TASK_METRICS:
                result = summary.get(metric, {}).get("benchmark")
                outcome = _benchmark_outcome(result, alpha) if result else None
                if outcome:
                    groups.setdefault((outcome, metric, variant), []).append(
                        (task["task"], summary[metric], result))
    findings = []
    for (outcome, metric, variant), results in groups.items():
        findings.append(_benchmark_finding(outcome, metric, variant, results, analysis,
                                           context))
    for name in ("sus", "umux_lite", "nps"):
        answers = analysis.get("questionnaires", {}).get(name, {}).get("variants", {})
        for summary in answers.values():
            result = summary.get("benchmark")
            outcome = _benchmark_outcome(result, alpha) if result else None
            if outcome:
                findings.append(Finding(outcome, f"{instrument_label(name)}: "
                                                 f"{result['interpretation']}", metric=name,
                                        weight=_benchmark_weight(outcome, [result])))
    return findings


def _benchmark_outcome(result: dict, alpha: float) -> str | None:
    """passed: significantly better than the target; missed: the estimate is on the wrong side."""
    if result.get("p") is None:
        return None
    if result["p"] < alpha:
        return "benchmark-passed"
    difference = result.get("difference")
    if difference is None:
        return None
    worse = difference > 1 if result.get("alternative") == "less" else difference < 0
    return "benchmark-missed" if worse else None


def _benchmark_weight(outcome: str, results: list[dict]) -> float:
    # Missed: the more tasks and the more clearly missed, the higher; passed: the more tasks.
    if outcome == "benchmark-missed":
        return len(results) + sum(r["p"] for r in results) / (len(results) + 1)
    return len(results) + sum(1 - r["p"] for r in results) / (len(results) + 1)


def _benchmark_finding(outcome, metric, variant, results, analysis, context) -> Finding:
    weight = _benchmark_weight(outcome, [r for _, _, r in results])
    if len(results) == 1:
        task, _, result = results[0]
        return Finding(outcome, f"{_task_prefix(context, task)}{result['interpretation']}",
                       task=task, metric=metric, weight=weight)
    target = results[0][2]["target"]
    text_of = {"completion": fmt.percent, "time": fmt.seconds, "seq": fmt.decimal}[metric]
    value_key = {"completion": "estimate", "time": "geometric_mean", "seq": "mean"}[metric]
    named = [f"{_task_name(context, task)} ({text_of(summary.get(value_key))})"
             for task, summary, _ in results]
    if len(named) > _SHOWN_PER_GROUP:
        named = named[:_SHOWN_PER_GROUP] + [f"{len(named) - _SHOWN_PER_GROUP} more"]
    tasks_total = len(analysis.get("tasks", []))
    noun = WORDINGS[metric].noun
    same_target = len({r["target"] for _, _, r in results}) == 1
    target_value = f"{target:g}" if metric == "seq" else text_of(target)
    target_text = f"the {target_value} benchmark" if same_target else "each task's target"
    if outcome == "benchmark-passed":
        direction = "significantly below" if metric == "time" else "significantly above"
        test = test_name(results[0][2]["test"])
        largest = max(r["p"] for _, _, r in results)
        bound = format_p(largest).replace("p =", "p ≤")
        evidence = f" (each by {_article(test)} {test}, one-sided {bound})"
    else:
        direction = "above" if metric == "time" else "below"
        evidence = ""
    subject = _variant(context, variant)
    text = (f"{subject[0].upper()}{subject[1:]}'s {noun} is {direction} {target_text} "
            f"on {len(results)} of {tasks_total} tasks: {_join(named)}{evidence}.")
    return Finding(outcome, text, metric=metric, weight=weight)


# --- sample ratio, lowest scores -----------------------------------------------------------------


def _sample_ratio(analysis: dict, context: ReportContext) -> list[Finding]:
    srm = analysis.get("srm", {})
    if not srm.get("flag"):
        return []
    counts = ", ".join(f"{context.variant_name(v)} {n}" for v, n in srm["counts"].items())
    expected = srm.get("expected") or {}
    planned = ", ".join(f"{context.variant_name(v)} {e:.0f}" for v, e in expected.items())
    return [Finding("sample-ratio",
                    f"The participants are not split between variants as planned ({counts}; "
                    f"expected {planned}; chi-square = {fmt.number(srm['statistic'])}, "
                    f"{format_p(srm['p'])}). Check the assignment before trusting the "
                    f"comparisons: a broken split can bias every difference above.")]


def _lowest(analysis: dict, context: ReportContext) -> list[Finding]:
    findings = []
    level = fmt.confidence_label(analysis["confidence"])
    sus = {v: s for v, s in analysis.get("questionnaires", {}).get("sus", {})
           .get("variants", {}).items() if s.get("mean") is not None}
    if sus:
        variant, summary = min(sus.items(), key=lambda item: item[1]["mean"])
        grade = f", grade {summary['grade']}" if summary.get("grade") else ""
        percentile = (f", better than {summary['percentile']:.0f}% of products"
                      if summary.get("percentile") is not None else "")
        which = "The lowest SUS score is" if len(sus) > 1 else "The SUS score is"
        findings.append(Finding(
            "lowest-sus", f"{which} {_variant(context, variant)}'s {_one(summary['mean'])} "
            f"({_ci(level, summary, _one)}){grade}{percentile}.", metric="sus"))
    seq = [(task["task"], variant, summary["seq"]) for task in analysis.get("tasks", [])
           for variant, summary in task["variants"].items()
           if summary.get("seq", {}).get("mean") is not None]
    if seq:
        task, variant, summary = min(seq, key=lambda item: item[2]["mean"])
        benchmark = analysis.get("benchmarks", {}).get("seq")
        against = f", against a benchmark of {benchmark:g}" if benchmark is not None else ""
        lead = "The hardest-rated task is" if len(seq) > 1 else "The rated task is"
        findings.append(Finding(
            "lowest-seq", f"{lead} {_task_name(context, task)} in {_variant(context, variant)}: "
            f"SEQ {fmt.decimal(summary['mean'])} ({_ci(level, summary, fmt.decimal)}) on the "
            f"1–7 scale{against}.", task=task, metric="seq"))
    return findings


def _article(noun: str) -> str:
    # "a one-sample t-test", "an exact binomial test": the sound decides, not the letter.
    return "an" if noun[:1].lower() in "aeio" and not noun.lower().startswith("one") else "a"


def _ci(level: str, summary: dict, text) -> str:
    if summary.get("low") is None or summary.get("high") is None:
        return "no interval"
    return f"{level} CI {text(summary['low'])}–{text(summary['high'])}"


def _variant(context: ReportContext, variant: str) -> str:
    name = context.variant_names.get(variant)
    return f"variant {variant} ({name})" if name and name != variant else f"variant {variant}"


def _task_name(context: ReportContext, task: str) -> str:
    title = context.task_titles.get(task)
    return f"“{title}”" if title and title != task else task


def _one(value):
    return fmt.decimal(value, 1)


def _task_prefix(context: ReportContext, task: str) -> str:
    title = context.task_titles.get(task)
    return f"Task “{title}”: " if title and title != task else f"Task {task}: "


def _join(items: list[str]) -> str:
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]

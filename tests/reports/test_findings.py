"""Key findings: ranked differences, benchmarks, sample-ratio warnings, lowest scores."""

from __future__ import annotations

import math

import pytest

from uxlab.reports.context import ReportContext
from uxlab.reports.findings import KINDS, executive_summary, key_findings, standardized_effect


def _comparison(metric, p, interpretation, *, a_estimate=None, b_estimate=None,
                effect_size=None, difference=None):
    return {"metric": metric, "kind": "pairwise", "a": "A", "b": "B", "test": "welch t",
            "p": p, "p_adjusted": p, "difference": difference, "a_estimate": a_estimate,
            "b_estimate": b_estimate, "effect_size": effect_size,
            "interpretation": interpretation}


def _variant(completion, seq_mean, completion_benchmark=None):
    return {"n": 10, "completion": {"estimate": completion, "low": 0.1, "high": 0.9,
                                    "benchmark": completion_benchmark},
            "time": {"geometric_mean": 30.0, "low": 20.0, "high": 40.0},
            "seq": {"mean": seq_mean, "low": seq_mean - 0.5, "high": seq_mean + 0.5, "n": 10}}


def _missed(interpretation):
    return {"test": "exact binomial mid-p", "p": 0.9, "difference": -0.2, "target": 0.78,
            "alternative": "greater", "interpretation": interpretation}


@pytest.fixture
def document() -> dict:
    return {
        "design": "between", "confidence": 0.95, "adjust": "holm",
        "benchmarks": {"completion": 0.78, "sus": 68.0, "seq": 5.5, "time": None},
        "variants": {"A": {"participants": 30}, "B": {"participants": 10}},
        "srm": {"test": "sample ratio mismatch (chi-square goodness of fit)", "statistic": 10.0,
                "p": 0.0002, "flag": True, "threshold": 0.001, "counts": {"A": 30, "B": 10},
                "expected": {"A": 20.0, "B": 20.0}},
        "tasks": [
            {"task": "T1",
             "variants": {"A": _variant(0.5, 4.1, _missed("A misses the benchmark on T1.")),
                          "B": _variant(0.8, 5.9)},
             "comparisons": [
                 _comparison("completion", 0.01, "B completes T1 more often.", a_estimate=0.5,
                             b_estimate=0.8, difference=0.3),
                 _comparison("seq", 0.30, "SEQ not distinguishable.",
                             effect_size={"name": "hedges g", "value": 0.4})]},
            {"task": "T2",
             "variants": {"A": _variant(0.6, 5.0), "B": _variant(0.7, 5.6)},
             "comparisons": [
                 _comparison("time", 0.001, "B is faster on T2.",
                             effect_size={"name": "hedges g of log times", "value": -0.9},
                             difference=0.6)]}],
        "questionnaires": {
            "sus": {"variants": {"A": {"n": 30, "mean": 61.0, "low": 55.0, "high": 67.0,
                                       "grade": "D", "percentile": 22.0},
                                 "B": {"n": 10, "mean": 75.0, "low": 70.0, "high": 80.0,
                                       "grade": "B", "percentile": 73.0}},
                    "comparisons": []},
            "umux_lite": {"variants": {}, "comparisons": [], "note": "no survey data"},
            "nps": {"variants": {}, "comparisons": [], "note": "no survey data"}},
    }


def test_findings_are_ranked_by_kind_then_effect(document):
    findings = key_findings(document, ReportContext(variant_names={"A": "Old"}))
    kinds = [f.kind for f in findings]
    assert kinds == ["difference", "difference", "benchmark-missed", "sample-ratio",
                     "lowest-sus", "lowest-seq"]
    assert kinds == sorted(kinds, key=KINDS.index)
    # |g| = 0.9 outranks Cohen's h = 0.644 for 50% → 80%.
    assert findings[0].text == "Task T2: B is faster on T2."
    assert findings[1].text == "Task T1: B completes T1 more often."
    assert "SEQ not distinguishable" not in " ".join(f.text for f in findings)
    assert findings[2].text == "Task T1: A misses the benchmark on T1."
    assert "A 30, B 10" not in findings[3].text and "Old 30, B 10" in findings[3].text
    assert "expected Old 20, B 20" in findings[3].text
    assert findings[4].text.startswith("The lowest SUS score is variant A (Old)'s 61.0 "
                                       "(95% CI 55.0–67.0), grade D")
    assert findings[5].text.startswith("The hardest-rated task is T1 in variant A (Old): "
                                       "SEQ 4.10 (95% CI 3.60–4.60)")


def test_cohens_h_ranks_completion_differences():
    # Cohen (1988), Table 6.2.1: φ = 2·arcsin √P is 1.5708 at P = .50 and 2.2143 at P = .80,
    # so h = 0.6435; computed here from the table's values, not from the implementation.
    entry = _comparison("completion", 0.01, "", a_estimate=0.5, b_estimate=0.8)
    assert math.isclose(standardized_effect(entry, {}), 2.2143 - 1.5708, abs_tol=1e-4)


def test_count_effects_are_standardized_by_the_pooled_sd():
    # sd from a t-interval: half-width · √n / t(0.975, n − 1); n = 10, t = 2.262157.
    half, n, t = 1.0, 10, 2.262157
    sd = half * math.sqrt(n) / t
    summaries = {v: {"errors": {"n": n, "mean": 2.0, "low": 1.0, "high": 3.0}} for v in "AB"}
    entry = _comparison("errors", 0.01, "", difference=1.0)
    assert math.isclose(standardized_effect(entry, summaries), 1.0 / sd, rel_tol=1e-6)


def test_no_significant_difference_is_a_finding(document):
    for task in document["tasks"]:
        for entry in task["comparisons"]:
            entry["p"] = entry["p_adjusted"] = 0.5
    findings = key_findings(document)
    assert findings[0].kind == "no-difference"
    assert findings[0].text.startswith("None of the 3 comparisons between variants shows")


def test_a_benchmark_missed_on_several_tasks_is_one_sentence(document):
    document["tasks"][1]["variants"]["A"]["completion"]["benchmark"] = _missed("T2 too.")
    findings = [f for f in key_findings(document, ReportContext(task_titles={"T1": "Search"}))
                if f.kind == "benchmark-missed"]
    assert [f.text for f in findings] == [
        "Variant A's completion rate is below the 78% benchmark on 2 of 2 tasks: “Search” (50%) "
        "and T2 (60%)."]


def test_passed_benchmarks_follow_missed_ones(document):
    document["tasks"][1]["variants"]["B"]["completion"]["benchmark"] = {
        "test": "exact binomial mid-p", "p": 0.01, "difference": 0.1, "target": 0.78,
        "alternative": "greater", "interpretation": "B passes on T2."}
    kinds = [f.kind for f in key_findings(document)]
    assert kinds.index("benchmark-passed") == kinds.index("benchmark-missed") + 1


def test_limit_and_executive_summary_caps(document):
    findings = key_findings(document)
    assert key_findings(document, limit=2) == findings[:2]
    shown, left_out = executive_summary(findings, {"difference": 1})
    assert [f.kind for f in shown].count("difference") == 1
    assert left_out == {"difference": 1}
    assert shown[-1].kind == "lowest-seq"  # the lowest scores are always kept
    with pytest.raises(ValueError, match="-1"):
        key_findings(document, limit=-1)


def test_difference_findings_quote_the_documents_sentences(three_variants):
    analysis, context = three_variants
    alpha = 1 - analysis["confidence"]
    significant = [entry["interpretation"] for task in analysis["tasks"]
                   for entry in task["comparisons"]
                   if entry["kind"] == "pairwise" and entry["p_adjusted"] is not None
                   and entry["p_adjusted"] < alpha]
    texts = [f.text for f in key_findings(analysis, context) if f.kind == "difference"]
    for sentence in significant:
        assert any(text.endswith(sentence) for text in texts)


def test_a_document_without_comparisons_still_has_findings(single_variant_nulls):
    analysis, context = single_variant_nulls
    findings = key_findings(analysis, context)
    # T2's SEQ answers are all 6: without spread the benchmark cannot be tested (issue 9; it
    # was "passed" with p = 0), so no benchmark finding comes of them.
    assert [f.kind for f in findings] == ["benchmark-missed", "lowest-seq"]
    assert findings[-1].text.startswith("The rated task is T2 in variant A: SEQ 6.00")

"""The analysis service: the document's shape, its numbers, and its null + note rule.

The statistics themselves are tested against published examples in tests/stats; here the numbers
are checked against independent computations (scipy, or the formula by hand, as each comment
says) to show that the service feeds the right data to the right method.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import stats

from uxlab.analysis.service import analyze
from uxlab.analysis.simulate import simulate_study
from uxlab.analysis.tidy import TidyDataError

# --- the documented shape (docs/analysis-json.md) as a structural spec --------------------------
# "number?" = number or null; {"key": spec} = required keys (more are allowed);
# ("list", spec) = list of spec; ("map", spec) = object of variant name -> spec.

ESTIMATE = {"estimate": "number?", "low": "number?", "high": "number?", "method": "str?"}
MEAN = {"mean": "number?", "low": "number?", "high": "number?", "n": "int"}
TIME = {"geometric_mean": "number?", "low": "number?", "high": "number?", "n": "int",
        "method": "str?"}
TASK_VARIANT = {"n": "int", "successes": "int", "attempts": "int", "completion": ESTIMATE,
                "time": TIME, "errors": MEAN, "clicks": MEAN, "seq": MEAN}
COMPARISON = {"metric": "str", "kind": "str", "a": "str?", "b": "str?", "n_a": "int?",
              "n_b": "int?", "test": "str?",
              "statistic": "number?", "p": "number?", "p_adjusted": "number?",
              "difference": "number?", "low": "number?", "high": "number?",
              "probability_b_better": "number?", "interpretation": "str"}
INSTRUMENT = {"variants": ("map", {"n": "int"}), "comparisons": ("list", COMPARISON)}
DOCUMENT = {
    "design": "str", "confidence": "number", "times": "str", "adjust": "str",
    "variants": ("map", {"participants": "int"}),
    "srm": {"p": "number?", "flag": "bool?"},
    "tasks": ("list", {"task": "str", "variants": ("map", TASK_VARIANT),
                       "comparisons": ("list", COMPARISON)}),
    "questionnaires": {
        "sus": {**INSTRUMENT, "variants": ("map", {**MEAN, "grade": "str?",
                                                   "percentile": "number?"})},
        "umux_lite": {**INSTRUMENT, "variants": ("map", MEAN)},
        "nps": {**INSTRUMENT, "variants": ("map", {"n": "int", "score": "number?",
                                                   "low": "number?", "high": "number?"})},
    },
}
# Keys whose null value must come with a "note" in the same object.
NOTED_KEYS = {"estimate", "geometric_mean", "mean", "score", "low", "high", "p", "statistic",
              "difference", "p_adjusted"}


def shape_errors(value, spec, path="$") -> list[str]:
    errors = []
    if isinstance(spec, str):
        nullable = spec.endswith("?")
        kind = spec.rstrip("?")
        if value is None:
            return [] if nullable else [f"{path}: null where {kind} is required"]
        ok = {"number": isinstance(value, int | float) and not isinstance(value, bool)
                        and math.isfinite(value),
              "int": isinstance(value, int) and not isinstance(value, bool),
              "str": isinstance(value, str), "bool": isinstance(value, bool)}[kind]
        return [] if ok else [f"{path}: {value!r} is not a {kind}"]
    if isinstance(spec, tuple):
        container, inner = spec
        if container == "list":
            if not isinstance(value, list):
                return [f"{path}: not a list"]
            for i, item in enumerate(value):
                errors += shape_errors(item, inner, f"{path}[{i}]")
        else:
            if not isinstance(value, dict):
                return [f"{path}: not an object"]
            for key, item in value.items():
                errors += shape_errors(item, inner, f"{path}.{key}")
        return errors
    if not isinstance(value, dict):
        return [f"{path}: not an object"]
    for key, inner in spec.items():
        if key not in value:
            errors.append(f"{path}: missing key {key!r}")
        else:
            errors += shape_errors(value[key], inner, f"{path}.{key}")
    return errors


def note_errors(value, path="$") -> list[str]:
    errors = []
    if isinstance(value, dict):
        nulls = [k for k in NOTED_KEYS if k in value and value[k] is None]
        if nulls and not (isinstance(value.get("note"), str) and value["note"]):
            errors.append(f"{path}: {sorted(nulls)} null without a note")
        for key, item in value.items():
            errors += note_errors(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            errors += note_errors(item, f"{path}[{i}]")
    return errors


def assert_valid(document):
    assert shape_errors(document, DOCUMENT) == []
    assert note_errors(document) == []
    json.dumps(document, allow_nan=False)  # strict JSON: no NaN or infinity anywhere


def attempt(participant, variant, task, success, time_s=None, errors=None, clicks=None,
            seq=None):
    return {"participant": participant, "variant": variant, "task": task, "outcome": None,
            "success": success, "time_s": time_s, "errors": errors, "clicks": clicks,
            "seq": seq}


def comparison(entries, metric, a=None, b=None, kind="pairwise"):
    (found,) = [e for e in entries if e["metric"] == metric and e["kind"] == kind
                and (kind == "omnibus" or (e["a"], e["b"]) == (a, b))]
    return found


@pytest.fixture(scope="module")
def two_variants():
    study = simulate_study(40, 3, ("A", "B"), seed=21, completion=(0.6, 0.85))
    return study, analyze(study.attempts, study.survey)


@pytest.fixture(scope="module")
def three_variants():
    study = simulate_study(90, 2, ("A", "B", "C"), seed=8, extra_questions=True)
    return study, analyze(study.attempts, study.survey)


# --- shape ----------------------------------------------------------------------------------


def test_two_variant_document_has_the_documented_shape(two_variants):
    study, document = two_variants
    assert_valid(document)
    assert document["design"] == "between" and document["confidence"] == 0.95
    assert document["variants"] == {"A": {"participants": 20}, "B": {"participants": 20}}
    assert [t["task"] for t in document["tasks"]] == ["T1", "T2", "T3"]
    for task in document["tasks"]:
        assert [(c["metric"], c["a"], c["b"]) for c in task["comparisons"]] == [
            (m, "A", "B") for m in ("completion", "time", "errors", "clicks", "seq")]
        for entry in task["comparisons"]:
            assert entry["p_adjusted"] == entry["p"]  # one pair: nothing to adjust
        completion = comparison(task["comparisons"], "completion", "A", "B")
        assert 0 <= completion["probability_b_better"] <= 1
        assert completion["test"] in ("n-1 two-proportion", "fisher exact")
    for name in ("sus", "umux_lite", "nps"):
        assert [(c["a"], c["b"]) for c in document["questionnaires"][name]["comparisons"]] == [
            ("A", "B")]


def test_three_variant_document_has_omnibus_and_all_pairs(three_variants):
    _, document = three_variants
    assert_valid(document)
    pairs = [("A", "B"), ("A", "C"), ("B", "C")]
    for task in document["tasks"]:
        for metric in ("completion", "time", "errors", "clicks", "seq"):
            entries = [e for e in task["comparisons"] if e["metric"] == metric]
            assert [e["kind"] for e in entries] == ["omnibus", "pairwise", "pairwise", "pairwise"]
            assert entries[0]["variants"] == ["A", "B", "C"]
            assert entries[0]["p"] is not None and entries[0]["difference"] is None
            assert [(e["a"], e["b"]) for e in entries[1:]] == pairs
            # Holm by hand: sort the p-values, multiply the i-th smallest by (m − i), running max.
            raw = np.array([e["p"] for e in entries[1:]])
            order = np.argsort(raw)
            holm = np.empty(3)
            holm[order] = np.minimum(1, np.maximum.accumulate(raw[order] * [3, 2, 1]))
            np.testing.assert_allclose([e["p_adjusted"] for e in entries[1:]], holm)
            for e in entries[1:]:
                assert "Holm-adjusted p" in e["interpretation"]
    assert set(document["questionnaires"]) >= {"sus", "umux_lite", "nps", "csat", "ces"}


def test_benjamini_hochberg_is_selectable(three_variants):
    study, _ = three_variants
    document = analyze(study.attempts, study.survey, adjust="bh")
    assert document["adjust"] == "bh"
    entries = [e for e in document["tasks"][0]["comparisons"]
               if e["metric"] == "time" and e["kind"] == "pairwise"]
    # Independent check: scipy's Benjamini–Hochberg.
    expected = stats.false_discovery_control([e["p"] for e in entries], method="bh")
    np.testing.assert_allclose([e["p_adjusted"] for e in entries], expected)
    assert "Benjamini–Hochberg-adjusted p" in entries[0]["interpretation"]


def test_rows_and_tables_give_the_same_document(two_variants):
    from uxlab.analysis.tidy import attempts_from_rows, survey_from_rows

    study, document = two_variants
    again = analyze(attempts_from_rows(study.attempts), survey_from_rows(study.survey))
    assert json.dumps(again, sort_keys=True) == json.dumps(document, sort_keys=True)


# --- numbers against independent computations -----------------------------------------------


def small_between_rows():
    rows = []
    # Task T1: A 6 of 10 succeed, B 9 of 10. Times only for successes.
    a_times = [40.0, 55.0, 61.0, 48.0, 72.0, 39.0]
    b_times = [31.0, 35.0, 44.0, 29.0, 38.0, 41.0, 33.0, 50.0, 36.0]
    for i in range(10):
        success = int(i < 6)
        rows.append(attempt(f"A{i}", "A", "T1", success, a_times[i] if success else 90.0,
                            errors=i % 3, clicks=8 + i, seq=3 + i % 5))
    for i in range(10):
        success = int(i < 9)
        rows.append(attempt(f"B{i}", "B", "T1", success, b_times[i] if success else 85.0,
                            errors=i % 2, clicks=6 + i % 4, seq=4 + i % 4))
    return rows, a_times, b_times


def test_completion_and_time_match_hand_computations():
    rows, a_times, b_times = small_between_rows()
    document = analyze(rows)
    task = document["tasks"][0]
    assert task["variants"]["A"]["n"] == 10 and task["variants"]["A"]["successes"] == 6
    assert task["variants"]["B"]["completion"]["estimate"] == pytest.approx(0.9)
    entry = comparison(task["comparisons"], "completion", "A", "B")
    # N−1 two-proportion test by hand (Campbell 2007; Sauro & Lewis 2016, ch. 5).
    p1, p2, n = 0.6, 0.9, 20
    pooled = 15 / 20
    z = (p2 - p1) / math.sqrt(pooled * (1 - pooled) * (1 / 10 + 1 / 10)) * math.sqrt((n - 1) / n)
    assert entry["test"] == "n-1 two-proportion"
    assert entry["statistic"] == pytest.approx(z)
    assert entry["p"] == pytest.approx(2 * stats.norm.sf(z))
    assert entry["difference"] == pytest.approx(0.3)
    # Geometric means and Welch's t on log times, checked with scipy.
    assert task["variants"]["A"]["time"]["geometric_mean"] == pytest.approx(
        stats.gmean(a_times))
    assert task["variants"]["A"]["time"]["n"] == 6
    time = comparison(task["comparisons"], "time", "A", "B")
    welch = stats.ttest_ind(np.log(b_times), np.log(a_times), equal_var=False)
    assert time["p"] == pytest.approx(welch.pvalue)
    assert time["difference"] == pytest.approx(stats.gmean(b_times) / stats.gmean(a_times))
    assert time["a_estimate"] == pytest.approx(stats.gmean(a_times))


def test_all_times_mode_uses_failed_attempts_too():
    rows, a_times, _ = small_between_rows()
    document = analyze(rows, times="all")
    time = document["tasks"][0]["variants"]["A"]["time"]
    assert document["times"] == "all"
    assert time["n"] == 10
    assert time["geometric_mean"] == pytest.approx(stats.gmean(a_times + [90.0] * 4))


def test_counts_and_seq_match_scipy():
    rows, _, _ = small_between_rows()
    task = analyze(rows)["tasks"][0]
    errors_a = [i % 3 for i in range(10)]
    errors_b = [i % 2 for i in range(10)]
    assert task["variants"]["A"]["errors"]["mean"] == pytest.approx(np.mean(errors_a))
    entry = comparison(task["comparisons"], "errors", "A", "B")
    assert entry["difference"] == pytest.approx(np.mean(errors_b) - np.mean(errors_a))
    assert entry["p"] == pytest.approx(stats.mannwhitneyu(errors_b, errors_a).pvalue)
    seq_a = [3 + i % 5 for i in range(10)]
    seq_b = [4 + i % 4 for i in range(10)]
    seq = comparison(task["comparisons"], "seq", "A", "B")
    assert seq["p"] == pytest.approx(stats.ttest_ind(seq_b, seq_a, equal_var=False).pvalue)


def test_within_design_uses_paired_tests():
    rows = []
    # 8 participants try both variants: 3 succeed on both, 1 only on A, 4 only on B.
    outcomes = [(1, 1)] * 3 + [(1, 0)] + [(0, 1)] * 4
    times_a = [50.0, 62.0, 47.0, 58.0, 70.0, 66.0, 73.0, 55.0]
    times_b = [41.0, 50.0, 45.0, 60.0, 52.0, 49.0, 58.0, 47.0]
    for i, (success_a, success_b) in enumerate(outcomes):
        rows.append(attempt(f"P{i}", "A", "T1", success_a, times_a[i], errors=i % 3, seq=4))
        rows.append(attempt(f"P{i}", "B", "T1", success_b, times_b[i], errors=(i + 1) % 2,
                            seq=5 + i % 2))
    document = analyze(rows, design="within", times="all")
    assert_valid(document)
    assert document["srm"]["p"] is None and "within" in document["srm"]["note"]
    task = document["tasks"][0]
    completion = comparison(task["comparisons"], "completion", "A", "B")
    # McNemar exact mid-p by hand: 5 discordant pairs, k = 1, P(X ≤ 1) = 6/32, P(X = 1) = 5/32.
    assert completion["test"] == "mcnemar exact mid-p"
    assert completion["p"] == pytest.approx(2 * (6 / 32 - 0.5 * 5 / 32))
    assert completion["difference"] == pytest.approx((4 - 1) / 8)
    assert completion["probability_b_better"] is None and completion["note"]
    assert completion["n_a"] == completion["n_b"] == 8
    assert completion["interpretation"].count("(8 participants paired;") == 1
    time = comparison(task["comparisons"], "time", "A", "B")
    assert time["p"] == pytest.approx(stats.ttest_rel(np.log(times_b), np.log(times_a)).pvalue)
    errors = comparison(task["comparisons"], "errors", "A", "B")
    assert errors["test"] == "wilcoxon signed-rank"


def test_sample_ratio_mismatch_is_flagged():
    rows = [attempt(f"A{i}", "A", "T1", 1, 30.0 + i) for i in range(60)]
    rows += [attempt(f"B{i}", "B", "T1", 1, 30.0 + i) for i in range(20)]
    srm = analyze(rows)["srm"]
    # Independent check: scipy's chi-square goodness of fit against a 50/50 split.
    assert srm["p"] == pytest.approx(stats.chisquare([60, 20]).pvalue)
    assert srm["flag"] is True
    srm = analyze(rows, weights={"A": 3, "B": 1})["srm"]
    assert srm["p"] == pytest.approx(1.0) and srm["flag"] is False


# --- symmetry ---------------------------------------------------------------------------------


def swapped(rows, first="A", second="B"):
    names = {first: second, second: first}
    return [{**row, "variant": names.get(row["variant"], row["variant"])} for row in rows]


def without_sentences(value):
    if isinstance(value, dict):
        return {k: without_sentences(v) for k, v in value.items() if k != "interpretation"}
    return value


def test_swapping_the_variants_mirrors_every_comparison(two_variants):
    study, document = two_variants
    mirror = analyze(swapped(study.attempts), swapped(study.survey))
    assert_valid(mirror)
    for task, other in zip(document["tasks"], mirror["tasks"], strict=True):
        assert without_sentences(task["variants"]["A"]) == without_sentences(
            other["variants"]["B"])
        for entry in task["comparisons"]:
            twin = comparison(other["comparisons"], entry["metric"], "A", "B")
            assert twin["p"] == pytest.approx(entry["p"])
            if entry["metric"] == "time":
                assert twin["difference"] == pytest.approx(1 / entry["difference"])
                assert twin["low"] == pytest.approx(1 / entry["high"])
            else:
                assert twin["difference"] == pytest.approx(-entry["difference"])
                assert twin["low"] == pytest.approx(-entry["high"])
            if entry["metric"] == "completion":
                assert twin["probability_b_better"] == pytest.approx(
                    1 - entry["probability_b_better"], abs=1e-9)
    for name in ("sus", "umux_lite", "nps"):
        entry = document["questionnaires"][name]["comparisons"][0]
        twin = mirror["questionnaires"][name]["comparisons"][0]
        assert twin["p"] == pytest.approx(entry["p"])
        assert twin["difference"] == pytest.approx(-entry["difference"])


# --- null + note --------------------------------------------------------------------------------


def test_values_that_cannot_be_computed_are_null_with_a_note():
    rows = [attempt(f"A{i}", "A", "T1", 1, 30.0 + i, errors=0, seq=5 + i % 2) for i in range(5)]
    rows += [attempt(f"B{i}", "B", "T1", 0, 60.0, errors=1) for i in range(4)]
    rows += [attempt("B9", "B", "T1", 0, 50.0, errors=2, seq=4)]
    # T2 was only given to variant A.
    rows += [attempt(f"A{i}", "A", "T2", 1, 20.0 + i) for i in range(5)]
    document = analyze(rows)
    assert_valid(document)
    t1, t2 = document["tasks"]
    time_b = t1["variants"]["B"]["time"]
    assert time_b["geometric_mean"] is None and time_b["note"] == "no successful attempts"
    seq_b = t1["variants"]["B"]["seq"]
    assert seq_b["mean"] is None and seq_b["n"] == 1 and "fewer than 2 values" in seq_b["note"]
    time = comparison(t1["comparisons"], "time", "A", "B")
    assert time["p"] is None and "fewer than 2 successful times" in time["note"]
    assert time["interpretation"].startswith("The task time of variants A and B could not be "
                                             "compared")
    completion_b = t2["variants"]["B"]["completion"]
    assert completion_b["estimate"] is None and completion_b["note"]
    assert t2["variants"]["B"]["n"] == 0
    assert document["questionnaires"]["sus"] == {"variants": {}, "comparisons": [],
                                                 "note": "no survey data"}


def test_identical_times_are_not_compared():
    rows = [attempt(f"A{i}", "A", "T1", 1, 30.0) for i in range(6)]
    rows += [attempt(f"B{i}", "B", "T1", 1, 30.0) for i in range(3)]
    time = comparison(analyze(rows)["tasks"][0]["comparisons"], "time", "A", "B")
    assert time["p"] is None and "do not vary" in time["note"]


# --- interpretation ---------------------------------------------------------------------------


def test_interpretations_say_what_the_numbers_mean():
    rows, _, _ = small_between_rows()
    task = analyze(rows)["tasks"][0]
    completion = comparison(task["comparisons"], "completion", "A", "B")
    text = completion["interpretation"]
    assert text.startswith("Variant B's completion rate is 30 points higher than A's")
    assert "95% CI" in text and "N−1 two-proportion test" in text
    assert "a probability, not a p-value" in text
    errors = comparison(task["comparisons"], "errors", "A", "B")
    if errors["p"] >= 0.05:
        assert "not statistically distinguishable" in errors["interpretation"]
        assert f"about {errors['sample_size_to_detect']:,} participants per variant" in \
            errors["interpretation"]


def test_non_significant_completion_gives_the_sample_size_to_detect_it():
    from uxlab.stats.planning import sample_size_compare_proportions

    rows = [attempt(f"A{i}", "A", "T1", int(i < 7)) for i in range(10)]
    rows += [attempt(f"B{i}", "B", "T1", int(i < 8)) for i in range(10)]
    entry = comparison(analyze(rows)["tasks"][0]["comparisons"], "completion", "A", "B")
    assert entry["p"] > 0.05
    assert entry["sample_size_to_detect"] == sample_size_compare_proportions(0.7, 0.8, 0.95, 0.8)
    assert "not statistically distinguishable" in entry["interpretation"]
    assert "participants per variant" in entry["interpretation"]


# --- arguments --------------------------------------------------------------------------------


def test_benchmarks_are_reported_per_variant():
    rows, _, _ = small_between_rows()
    document = analyze(rows, benchmarks={"time": {"T1": 45}, "completion": 0.5})
    variant = document["tasks"][0]["variants"]["B"]
    assert variant["completion"]["benchmark"]["target"] == 0.5
    assert variant["time"]["benchmark"]["target"] == 45
    assert "benchmark of 45 s" in variant["time"]["benchmark"]["interpretation"]
    assert "benchmark" in variant["seq"]
    # With a time target the Single Usability Metric is reported: the mean of its components.
    metric = variant["usability_metric"]
    parts = [metric["completion"], metric["time"], metric["satisfaction"]]
    assert metric["completion"] == pytest.approx(0.9)
    assert metric["score"] == pytest.approx(sum(parts) / 3)
    assert "usability_metric" not in analyze(rows)["tasks"][0]["variants"]["B"]
    document = analyze(rows, benchmarks={"completion": None, "seq": None})
    assert "benchmark" not in document["tasks"][0]["variants"]["B"]["completion"]


@pytest.mark.parametrize("arguments, message", [
    ({"design": "crossover"}, "design"),
    ({"times": "fastest"}, "times"),
    ({"adjust": "bonferroni"}, "adjust"),
    ({"confidence": 1.5}, "confidence"),
    ({"benchmarks": {"speed": 3}}, "speed"),
    ({"benchmarks": {"completion": 78}}, "completion"),
    ({"weights": {"Z": 1}}, "Z"),
])
def test_bad_arguments_raise_value_errors(arguments, message):
    rows, _, _ = small_between_rows()
    with pytest.raises(ValueError, match=message):
        analyze(rows, **arguments)


def test_design_mismatch_is_a_tidy_data_error():
    rows = [attempt("P1", "A", "T1", 1), attempt("P1", "B", "T1", 0),
            attempt("P2", "A", "T1", 1)]
    with pytest.raises(TidyDataError, match="appears in variants A and B"):
        analyze(rows)

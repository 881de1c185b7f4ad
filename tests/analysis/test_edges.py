"""What an independent check of ``uxlab analyze`` found (issue 9, point 7), and scale-true
intervals (point 3) on the smallest groups: two and three participants per variant.

Each test of point 7 failed before its fix: a crash, a p = 0 "significant" benchmark, a sample
size judged on the raw p, a df for an exact test, an NPS interval clipped without a trace, a
header taken from a blank line, a semicolon file called "missing columns".
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from tests.analysis.test_service import assert_valid
from tests.support.scales import assert_intervals_on_scale
from uxlab.analysis.interpretation import interpret_comparison
from uxlab.analysis.service import analyze
from uxlab.analysis.simulate import simulate_study
from uxlab.cli.analyze import analyze_command
from uxlab.stats.times import compare_times_between, geometric_mean_interval

HEADER = "participant,variant,task,outcome,success,time_s,errors,clicks,seq\n"


def rows(*cells):
    """Attempt rows from (participant, variant, time_s, clicks, seq) tuples, all successful."""
    return [{"participant": p, "variant": v, "task": "T1", "outcome": "success", "success": 1,
             "time_s": t, "errors": 0, "clicks": c, "seq": s} for p, v, t, c, s in cells]


def run(tmp_path, text: str, *options: str):
    path = tmp_path / "attempts.csv"
    path.write_text(text, encoding="utf-8")
    return CliRunner().invoke(analyze_command, [str(path), *options])


# --- crashes on valid input ----------------------------------------------------------------------

def test_two_times_at_999_confidence_give_no_interval_not_an_overflow(tmp_path):
    result = run(tmp_path, HEADER + "P1,A,T1,success,1,10,0,4,6\nP2,A,T1,success,1,100,0,5,6\n"
                 "P3,B,T1,success,1,12,0,4,5\nP4,B,T1,success,1,30,0,6,4\n",
                 "--confidence", "0.999", "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert_valid(document)
    time = document["tasks"][0]["variants"]["A"]["time"]
    assert time["geometric_mean"] == pytest.approx(31.623, abs=1e-3)
    assert time["low"] is None and time["high"] is None and time["interval_withheld"] is True
    assert "too few or too spread values" in time["note"]
    # The bound as computed overflows a double: kept as null, the lower one as a number.
    assert time["high_untruncated"] is None and 0 < time["low_untruncated"] < 1e-100
    text = run(tmp_path, HEADER + "P1,A,T1,success,1,10,0,4,6\nP2,A,T1,success,1,100,0,5,6\n",
               "--confidence", "0.999")
    assert text.exit_code == 0 and "31.6 (too few values for an interval)" in text.stdout


def test_the_stats_overflow_to_infinite_bounds_instead_of_raising():
    assert geometric_mean_interval([10, 100], 0.999).high == float("inf")
    assert compare_times_between([1e-300, 13], [12, 30]).interval.high == float("inf")


def test_a_time_of_1e_300_is_refused_with_its_row_and_column(tmp_path):
    result = run(tmp_path, HEADER + "P1,A,T1,success,1,1e-300,0,4,6\nP2,A,T1,success,1,13,0,5,6\n"
                 "P3,B,T1,success,1,12,0,4,5\nP4,B,T1,success,1,30,0,6,4\n")
    assert result.exit_code == 2
    assert "row 2, column time_s: '1e-300' must be at least 0.001 seconds" in result.stderr
    assert "Traceback" not in result.output


def test_clicks_of_1e200_are_refused_with_their_row_and_column(tmp_path):
    result = run(tmp_path, HEADER + "P1,A,T1,success,1,10,0,1e200,6\nP2,A,T1,success,1,13,0,0,6\n"
                 "P3,B,T1,success,1,12,0,4,5\nP4,B,T1,success,1,30,0,5,4\n")
    assert result.exit_code == 2
    assert ("row 2, column clicks: '1e200' is implausibly large (at most 1,000,000 can be "
            "analysed)") in result.stderr


def test_a_comparison_without_bounds_is_worded_not_a_type_error():
    entry = {"metric": "clicks", "a": "A", "b": "B", "p": 1.0, "p_adjusted": 1.0,
             "difference": -5e5, "low": None, "high": None, "a_estimate": 5e5, "b_estimate": 4.5,
             "test": "mann-whitney u", "n_a": 2, "n_b": 2}
    sentence = interpret_comparison(entry, confidence=0.95, design="between")
    assert "no meaningful 95% CI of the difference from so few values" in sentence


# --- benchmarks on ratings that do not vary -----------------------------------------------------

def test_a_seq_benchmark_of_identical_answers_cannot_be_tested():
    document = analyze(rows(("P1", "A", 10, 4, 6), ("P2", "A", 12, 5, 6)))
    benchmark = document["tasks"][0]["variants"]["A"]["seq"]["benchmark"]
    assert benchmark["p"] is None and benchmark["statistic"] is None
    assert "do not vary" in benchmark["note"]
    assert benchmark["interpretation"].startswith(
        "Variant A's SEQ score (6.00) cannot be tested against the benchmark of 5.5")
    assert "significantly" not in benchmark["interpretation"]


def test_a_sus_benchmark_of_identical_scores_is_not_in_the_summary():
    from uxlab.reports.context import ReportContext
    from uxlab.reports.findings import key_findings

    attempts = rows(*((f"P{i}", "A", 10 + i, 4, 5) for i in range(3)))
    # Odd items 4 and even items 2 contribute 3 each: SUS = 2.5 × 30 = 75 for everyone.
    answers = {**{f"sus_{i}": 4 for i in (1, 3, 5, 7, 9)}, **{f"sus_{i}": 2 for i in (2, 4, 6, 8, 10)}}
    survey = [{"participant": f"P{i}", "variant": "A", **answers} for i in range(3)]
    document = analyze(attempts, survey)
    sus = document["questionnaires"]["sus"]["variants"]["A"]
    assert sus["mean"] == 75 and sus["benchmark"]["p"] is None
    assert "cannot be tested" in sus["benchmark"]["interpretation"]
    texts = [finding.text for finding in key_findings(document, ReportContext())]
    assert not any("SUS" in text and "significantly above" in text for text in texts)


# --- sample size on the adjusted p, df of exact tests, NPS clipping ------------------------------

def test_the_sample_size_follows_the_adjusted_p_value():
    seq = {"A": [3, 4, 4, 5, 3, 4, 5, 4], "B": [4, 5, 5, 6, 4, 5, 6, 5],
           "C": [3, 4, 5, 4, 4, 5, 3, 4]}
    document = analyze(rows(*((f"{v}{i}", v, 20 + i, 4, s) for v, ratings in seq.items()
                              for i, s in enumerate(ratings))))
    (a_b,) = [c for c in document["tasks"][0]["comparisons"]
              if c["metric"] == "seq" and c["kind"] == "pairwise" and c["b"] == "B"
              and c["a"] == "A"]
    assert a_b["p"] < 0.05 <= a_b["p_adjusted"]  # raw 0.019, Holm 0.058
    assert isinstance(a_b["sample_size_to_detect"], int) and a_b["sample_size_to_detect"] > 8
    assert "would take about" in a_b["interpretation"]


def test_the_fisher_freeman_halton_test_reports_no_degrees_of_freedom():
    outcomes = {"A": [1, 1, 1], "B": [1, 0, 0], "C": [0, 0, 0]}
    attempts = [{"participant": f"{v}{i}", "variant": v, "task": "T1", "success": s,
                 "outcome": None, "time_s": None, "errors": None, "clicks": None, "seq": None}
                for v, values in outcomes.items() for i, s in enumerate(values)]
    (omnibus,) = [c for c in analyze(attempts)["tasks"][0]["comparisons"]
                  if c["metric"] == "completion" and c["kind"] == "omnibus"]
    assert omnibus["test"] == "fisher-freeman-halton"
    assert omnibus["df"] is None


def test_a_clipped_nps_interval_keeps_its_computed_bound():
    attempts = rows(("P1", "A", 10, 4, 5), ("P2", "A", 11, 4, 5))
    survey = [{"participant": p, "variant": "A", "nps": 0} for p in ("P1", "P2")]
    nps = analyze(attempts, survey)["questionnaires"]["nps"]["variants"]["A"]
    assert nps["low"] == -100.0
    assert nps["low_untruncated"] == pytest.approx(-104.4, abs=0.1)
    assert nps["high"] == nps["high_untruncated"] == pytest.approx(24.4, abs=0.1)


# --- CSV files -----------------------------------------------------------------------------------

def test_a_leading_blank_line_is_skipped_not_taken_as_the_header(tmp_path):
    result = run(tmp_path, "\n" + HEADER + "P1,A,T1,success,1,10,0,4,6\n", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["tasks"][0]["variants"]["A"]["successes"] == 1


def test_a_semicolon_separated_file_is_named_as_such(tmp_path):
    result = run(tmp_path, HEADER.replace(",", ";") + "P1;A;T1;success;1;10;0;4;6\n")
    assert result.exit_code == 2
    assert "row 1: the file is semicolon-separated" in result.stderr
    assert "missing required columns" not in result.stderr


# --- scale-true intervals with two and three participants per variant ---------------------------

@pytest.mark.parametrize("per_variant", [2, 3])
@pytest.mark.parametrize("confidence", [0.95, 0.999])
def test_no_interval_leaves_its_scale_in_small_groups(per_variant, confidence):
    checked = 0
    for seed in range(4):
        study = simulate_study(2 * per_variant, 3, ("A", "B"), seed=seed, missing=0.0,
                               extra_questions=True)
        document = analyze(study.attempts, study.survey, confidence=confidence)
        assert_valid(document)
        checked += assert_intervals_on_scale(document)
        for task in document["tasks"]:
            for variant, summary in task["variants"].items():
                times = _times(study.attempts, task["task"], variant)
                high = summary["time"]["high"]
                if high is not None:  # shown bounds stay within ten times the data
                    assert high <= 10 * times.max() and summary["time"]["low"] >= times.min() / 10
    assert checked > 100


def test_an_interval_spanning_the_whole_scale_is_withheld_in_words():
    document = analyze(rows(("P1", "A", 10, 4, 5), ("P2", "A", 11, 4, 6)))
    seq = document["tasks"][0]["variants"]["A"]["seq"]
    # t-interval 5.5 ± 12.71 · 0.5: −0.85 to 11.85, beyond both ends of 1–7.
    assert (seq["low"], seq["high"], seq["interval_withheld"]) == (None, None, True)
    assert seq["low_untruncated"] == pytest.approx(-0.853, abs=1e-3)
    assert "it would span the whole 1–7 scale" in seq["note"]


def test_a_truncated_interval_says_where_it_was_computed():
    document = analyze(rows(("P1", "A", 10, 4, 6), ("P2", "A", 11, 4, 7), ("P3", "A", 12, 4, 7)))
    seq = document["tasks"][0]["variants"]["A"]["seq"]
    assert seq["high"] == 7.0 and seq["high_untruncated"] > 7
    assert seq["low"] == seq["low_untruncated"] and "interval_withheld" not in seq


def _times(attempts, task, variant) -> np.ndarray:
    return np.array([row["time_s"] for row in attempts if row["task"] == task
                     and row["variant"] == variant and row["success"] == 1
                     and row["time_s"] is not None])

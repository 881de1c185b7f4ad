"""``uxlab analyze`` and ``uxlab plan`` through click's test runner."""

from __future__ import annotations

import json
import math

import pytest
from click.testing import CliRunner

from tests.analysis.test_service import assert_valid
from uxlab.analysis.simulate import simulate_study, write_csvs
from uxlab.cli import main
from uxlab.cli.analyze import analyze_command
from uxlab.cli.plan import plan_group
from uxlab.stats.planning import (
    sample_size_compare_means,
    sample_size_compare_proportions,
    sample_size_completion_margin,
)

HEADER = "participant,variant,task,outcome,success,time_s,errors,clicks,seq\n"


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def two_variant_files(tmp_path):
    study = simulate_study(30, 3, ("A", "B"), seed=1)
    write_csvs(study, tmp_path / "attempts.csv", tmp_path / "survey.csv")
    return tmp_path / "attempts.csv", tmp_path / "survey.csv"


@pytest.fixture
def three_variant_files(tmp_path):
    study = simulate_study(45, 2, ("A", "B", "C"), seed=2)
    write_csvs(study, tmp_path / "attempts3.csv", tmp_path / "survey3.csv")
    return tmp_path / "attempts3.csv", tmp_path / "survey3.csv"


def test_text_report_of_two_variants(runner, two_variant_files):
    attempts, survey = two_variant_files
    result = runner.invoke(analyze_command, [str(attempts), "--survey", str(survey)])
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith("uxlab analysis: between-subjects design, 95% confidence")
    for task in ("Task T1", "Task T2", "Task T3"):
        assert task in text
    assert "completion (95% CI)" in text and "geometric mean time" in text
    assert "completion, A vs B: Variant B's completion rate is" in text
    assert "SUS (System Usability Scale, 0–100)" in text and "NPS (Net Promoter Score)" in text


def test_json_of_two_variants_validates(runner, two_variant_files):
    attempts, survey = two_variant_files
    result = runner.invoke(analyze_command, [str(attempts), "--survey", str(survey), "--json",
                                             "--confidence", "0.9"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert_valid(document)
    assert document["confidence"] == 0.9
    assert "90% CI" in document["tasks"][0]["comparisons"][0]["interpretation"]


def test_three_variants_in_both_formats(runner, three_variant_files):
    attempts, survey = three_variant_files
    result = runner.invoke(analyze_command, [str(attempts), "--survey", str(survey), "--json",
                                             "--adjust", "bh"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert_valid(document)
    kinds = [(c["metric"], c["kind"]) for c in document["tasks"][0]["comparisons"]]
    assert kinds.count(("completion", "omnibus")) == 1
    assert kinds.count(("completion", "pairwise")) == 3
    result = runner.invoke(analyze_command, [str(attempts), "--survey", str(survey)])
    assert result.exit_code == 0, result.output
    assert "completion, all variants: Variants A, B and C" in result.stdout
    assert "Holm-adjusted p" in result.stdout


def test_within_design_and_all_times(runner, tmp_path):
    study = simulate_study(16, 2, ("A", "B"), design="within", seed=3)
    write_csvs(study, tmp_path / "a.csv", tmp_path / "s.csv")
    result = runner.invoke(analyze_command, [str(tmp_path / "a.csv"), "--survey",
                                             str(tmp_path / "s.csv"), "--design", "within",
                                             "--times", "all", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert_valid(document)
    assert document["design"] == "within" and document["times"] == "all"
    tests = {c["metric"]: c["test"] for c in document["tasks"][0]["comparisons"]}
    assert tests["completion"] == "mcnemar exact mid-p"
    assert tests["errors"] == "wilcoxon signed-rank"
    # The same file read as between subjects is a design error.
    result = runner.invoke(analyze_command, [str(tmp_path / "a.csv")])
    assert result.exit_code == 2
    assert "appears in variants A and B" in result.stderr


def test_bad_attempts_csv_names_file_row_and_column(runner, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "P1,A,T1,success,1,30,0,5,6\n"
                             "P2,B,T1,success,1,abc,0,5,6\n"
                             "P3,B,T1,failure,0,20,0,5,12\n", encoding="utf-8")
    result = runner.invoke(analyze_command, [str(path)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert f"{path}, row 3, column time_s: 'abc' is not a number" in result.stderr
    assert f"{path}, row 4, column seq: '12' is outside 1–7" in result.stderr


def test_bad_survey_csv_and_missing_columns(runner, two_variant_files, tmp_path):
    attempts, _ = two_variant_files
    survey = tmp_path / "survey.csv"
    survey.write_text("participant,variant,nps\nP01,A,12\n", encoding="utf-8")
    result = runner.invoke(analyze_command, [str(attempts), "--survey", str(survey)])
    assert result.exit_code == 2
    assert f"{survey}, row 2, column nps: '12' is outside 0–10" in result.stderr
    partial = tmp_path / "partial.csv"
    partial.write_text("participant,variant,task,success\nP1,A,T1,1\n", encoding="utf-8")
    result = runner.invoke(analyze_command, [str(partial)])
    assert result.exit_code == 2
    assert "missing required columns outcome, time_s, errors, clicks and seq" in result.stderr


def test_missing_file_and_bad_options_exit_with_2(runner, tmp_path, two_variant_files):
    result = runner.invoke(analyze_command, [str(tmp_path / "nowhere.csv")])
    assert result.exit_code == 2 and "cannot open the file" in result.stderr
    attempts, _ = two_variant_files
    for options in (["--confidence", "1.2"], ["--design", "crossover"], ["--times", "some"],
                    ["--adjust", "bonferroni"]):
        result = runner.invoke(analyze_command, [str(attempts), *options])
        assert result.exit_code == 2, options


def test_commands_are_registered_on_the_root_group(runner):
    assert runner.invoke(main, ["analyze", "--help"]).exit_code == 0
    assert runner.invoke(main, ["plan", "compare", "--help"]).exit_code == 0


# --- uxlab plan -------------------------------------------------------------------------------


def test_plan_completion(runner):
    result = runner.invoke(plan_group, ["completion", "--margin", "0.1", "--confidence", "0.9",
                                        "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["participants"] == sample_size_completion_margin(0.1, 0.9)
    text = runner.invoke(plan_group, ["completion", "--margin", "0.1", "--confidence", "0.9"])
    assert f"test {document['participants']} participants" in text.stdout
    assert "±10 points at 90% confidence" in text.stdout


def test_plan_compare(runner):
    result = runner.invoke(plan_group, ["compare", "--p1", "0.7", "--p2", "0.9", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    expected = sample_size_compare_proportions(0.7, 0.9, 0.95, 0.8)
    assert document["participants_per_variant"] == expected
    assert document["participants"] == 2 * expected
    text = runner.invoke(plan_group, ["compare", "--p1", "0.7", "--p2", "0.9", "--power", "0.9"])
    assert f"{sample_size_compare_proportions(0.7, 0.9, 0.95, 0.9)} participants per variant" \
        in text.stdout


def test_plan_times(runner):
    result = runner.invoke(plan_group, ["times", "--sd", "0.5", "--difference", "0.2",
                                        "--design", "within", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["participants"] == sample_size_compare_means(
        0.5, 0.2, 0.95, 0.8, paired=True)


def test_plan_discovery_from_p(runner):
    result = runner.invoke(plan_group, ["discovery", "--p", "0.31", "--goal", "0.85", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    # By hand: n = ceil(ln(1 − 0.85) / ln(1 − 0.31)) = ceil(5.11) = 6.
    assert document["participants"] == math.ceil(math.log(0.15) / math.log(0.69)) == 6
    assert document["by_goal"] == {"0.8": 5, "0.85": 6, "0.9": 7, "0.95": 9}
    text = runner.invoke(plan_group, ["discovery", "--p", "0.31"])
    assert "test 6 participants" in text.stdout


def test_plan_discovery_from_a_matrix(runner, tmp_path):
    path = tmp_path / "problems.csv"
    path.write_text("participant,p1,p2,p3,p4\nA,1,0,1,0\nB,1,1,0,0\nC,0,0,1,0\nD,1,0,0,1\n",
                    encoding="utf-8")
    result = runner.invoke(plan_group, ["discovery", "--matrix", str(path), "--json"])
    assert result.exit_code == 0, result.output
    estimate = json.loads(result.stdout)["estimate"]
    # Lewis (2001) adjustment by hand: n = 4, p_est = 7/16, 4 problems of which 2 seen once.
    p_est, n = 7 / 16, 4
    expected = 0.5 * (p_est - 1 / n) * (1 - 1 / n) + 0.5 * p_est / (1 + 2 / 4)
    assert estimate["p_observed"] == pytest.approx(p_est)
    assert estimate["p_adjusted"] == pytest.approx(expected)


def test_plan_errors_exit_with_2(runner, tmp_path):
    assert runner.invoke(plan_group, ["completion", "--margin", "1.5"]).exit_code == 2
    assert runner.invoke(plan_group, ["compare", "--p1", "0.5", "--p2", "0.5"]).exit_code == 2
    assert runner.invoke(plan_group, ["discovery"]).exit_code == 2
    bad = tmp_path / "bad.csv"
    bad.write_text("1,0,x\n0,1,1\n", encoding="utf-8")  # no header, no labels
    result = runner.invoke(plan_group, ["discovery", "--matrix", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}, row 1, column 3: 'x' is not 0 or 1" in result.stderr
    labelled = tmp_path / "labelled.csv"
    labelled.write_text("participant,p1,p2\nA,1,yes\nB,0,1\n", encoding="utf-8")
    result = runner.invoke(plan_group, ["discovery", "--matrix", str(labelled)])
    assert result.exit_code == 2
    assert f"{labelled}, row 2, column 3: 'yes' is not 0 or 1" in result.stderr

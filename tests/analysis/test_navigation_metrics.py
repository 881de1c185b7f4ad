"""Direct and first-click success, lostness, the new benchmarks and the SUM per variant.

Every expected number is computed here independently from its published formula with scipy
(or by hand, with the working in a comment), never copied from uxlab's output.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from click.testing import CliRunner
from scipy import stats

from uxlab.analysis.service import analyze
from uxlab.analysis.tidy import TidyDataError, attempts_from_rows
from uxlab.cli.analyze import analyze_command

Z95 = stats.norm.ppf(0.975)


def adjusted_wald(x: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Sauro & Lewis ch. 3: p_adj = (x + z²/2)/(n + z²), p_adj ± z·√(p_adj(1 − p_adj)/(n + z²))."""
    p_adj = (x + z * z / 2) / (n + z * z)
    margin = z * math.sqrt(p_adj * (1 - p_adj) / (n + z * z))
    return max(0.0, p_adj - margin), min(1.0, p_adj + margin)


def row(participant, variant, task, success, time_s=30, seq=5, **navigation):
    return {"participant": participant, "variant": variant, "task": task,
            "outcome": "success" if success else "failure", "success": success,
            "time_s": time_s, "errors": 0, "clicks": 4, "seq": seq, **navigation}


# Task T1: A has direct 2 of 5, first click 4 of 5; B direct 5 of 6, first click 6 of 6.
A_DIRECT, A_FIRST = [1, 1, 0, 0, 0], [1, 1, 1, 1, 0]
B_DIRECT, B_FIRST = [1, 1, 1, 1, 1, 0], [1] * 6
A_LOST = [0.0, 0.0, 0.25, 0.6, 0.9]
B_LOST = [0.0, 0.0, 0.0, 0.1, 0.0, 0.3]


def navigation_rows() -> list[dict]:
    rows = []
    for i, (direct, first, lost) in enumerate(zip(A_DIRECT, A_FIRST, A_LOST, strict=True)):
        rows.append(row(f"a{i}", "A", "T1", 1, direct=direct, first_click=first, lostness=lost))
    for i, (direct, first, lost) in enumerate(zip(B_DIRECT, B_FIRST, B_LOST, strict=True)):
        rows.append(row(f"b{i}", "B", "T1", 1, direct=direct, first_click=first, lostness=lost))
    # T2 has no optimal path: empty navigation cells.
    rows += [row(f"a{i}", "A", "T2", 1, direct=None, first_click=None, lostness=None)
             for i in range(5)]
    rows += [row(f"b{i}", "B", "T2", 0, direct=None, first_click=None, lostness=None)
             for i in range(6)]
    return rows


@pytest.fixture(scope="module")
def document():
    return analyze(navigation_rows())


def test_direct_and_first_click_rates_have_adjusted_wald_intervals(document):
    a = document["tasks"][0]["variants"]["A"]
    assert (a["direct"]["successes"], a["direct"]["n"]) == (2, 5)
    assert a["direct"]["estimate"] == pytest.approx(0.4)
    assert (a["direct"]["low"], a["direct"]["high"]) == pytest.approx(adjusted_wald(2, 5))
    assert a["direct"]["method"] == "adjusted-wald"
    b = document["tasks"][0]["variants"]["B"]
    assert b["first_click"]["estimate"] == 1.0
    # x = n: the upper bound is 1 and the lower one uses the one-sided z (S&L ch. 3).
    assert b["first_click"]["low"] == pytest.approx(adjusted_wald(6, 6, stats.norm.ppf(0.95))[0])
    assert b["first_click"]["high"] == 1.0


def test_mean_lostness_has_a_t_interval_truncated_at_zero(document):
    a = document["tasks"][0]["variants"]["A"]["lostness"]
    low, high = stats.t.interval(0.95, 4, loc=np.mean(A_LOST), scale=stats.sem(A_LOST))
    assert a["mean"] == pytest.approx(0.35)  # (0 + 0 + 0.25 + 0.6 + 0.9) / 5
    assert (a["low"], a["high"]) == pytest.approx((max(0.0, low), high))
    b = document["tasks"][0]["variants"]["B"]["lostness"]
    b_low, b_high = stats.t.interval(0.95, 5, loc=np.mean(B_LOST), scale=stats.sem(B_LOST))
    assert b_low < 0  # the t-interval leaves the scale, so the entry truncates it and says so
    assert (b["low"], b["high"]) == pytest.approx((0.0, b_high))
    assert b["low_untruncated"] == pytest.approx(b_low)
    assert "truncated" in b["note"]


def test_a_task_without_navigation_values_has_no_navigation_entries(document):
    t2 = document["tasks"][1]
    for summary in t2["variants"].values():
        assert not {"direct", "first_click", "lostness"} & set(summary)
    assert {c["metric"] for c in t2["comparisons"]} == {"completion", "time", "errors",
                                                        "clicks", "seq"}


def test_without_the_columns_the_document_is_unchanged():
    rows = navigation_rows()
    bare = [{k: v for k, v in r.items() if k not in ("direct", "first_click", "lostness")}
            for r in rows]
    with_columns, without = analyze(rows), analyze(bare)
    for task in without["tasks"]:
        for summary in task["variants"].values():
            assert not {"direct", "first_click", "lostness"} & set(summary)
    assert without["tasks"][1] == with_columns["tasks"][1]


def test_direct_success_is_compared_with_the_n_minus_1_test(document):
    entry = next(c for c in document["tasks"][0]["comparisons"] if c["metric"] == "direct")
    # N−1 two-proportion test (S&L ch. 5): z = (p̂b − p̂a)/√(P(1−P)(1/na + 1/nb)) · √((N−1)/N).
    # Expected counts here are ≥ 1 (smallest 11·4/11… = 2.7), so it is not Fisher.
    pa, pb, na, nb = 2 / 5, 5 / 6, 5, 6
    pooled = (2 + 5) / 11
    z = (pb - pa) / math.sqrt(pooled * (1 - pooled) * (1 / na + 1 / nb)) * math.sqrt(10 / 11)
    assert entry["test"] == "n-1 two-proportion"
    assert entry["p"] == pytest.approx(2 * stats.norm.sf(abs(z)))
    assert entry["difference"] == pytest.approx(pb - pa)
    assert "direct success rate" in entry["interpretation"]


def test_first_click_within_subjects_uses_mcnemar_mid_p():
    rows = []
    # 8 participants in both variants: first click right in A only for 1, in B only for 5.
    pattern = [(1, 1), (1, 0), (0, 1), (0, 1), (0, 1), (0, 1), (0, 1), (1, 1)]
    for i, (first_a, first_b) in enumerate(pattern):
        rows.append(row(f"p{i}", "A", "T1", 1, first_click=first_a))
        rows.append(row(f"p{i}", "B", "T1", 1, first_click=first_b))
    entry = next(c for c in analyze(rows, design="within")["tasks"][0]["comparisons"]
                 if c["metric"] == "first_click")
    # McNemar exact mid-p (S&L ch. 5): discordant b = 1, c = 5, under H0 X ~ Bin(6, ½):
    # mid-p = 2 (P(X < 1) + ½ P(X = 1)) = 2 (1/64 + 3/64) = 0.125.
    assert entry["test"] == "mcnemar exact mid-p"
    assert entry["p"] == pytest.approx(2 * (stats.binom.cdf(0, 6, 0.5)
                                            + 0.5 * stats.binom.pmf(1, 6, 0.5)))
    assert entry["p"] == pytest.approx(0.125)


@pytest.mark.parametrize(("cell", "column", "message"), [
    ({"direct": 2}, "direct", "must be 0 or 1"),
    ({"first_click": "yes"}, "first_click", "is not a number"),
    ({"lostness": -0.1}, "lostness", "must not be negative"),
    ({"lostness": 1.5}, "lostness", "above √2"),
    ({"direct": 1, "success": 0, "outcome": "failure"}, "direct", "contradicts success 0"),
])
def test_bad_navigation_cells_are_named_by_row_and_column(cell, column, message):
    rows = [row("p1", "A", "T1", 1, direct=1, first_click=1, lostness=0.1),
            {**row("p2", "A", "T1", 1, direct=1, first_click=1, lostness=0.1), **cell}]
    with pytest.raises(TidyDataError) as caught:
        attempts_from_rows(rows)
    problems = caught.value.problems
    assert [(p.row, p.column) for p in problems] == [(3, column)]
    assert message in problems[0].message


def test_nps_umux_lite_and_per_task_completion_benchmarks():
    attempts = [row(f"p{i}", "A", task, int(i < 7)) for task in ("T1", "T2") for i in range(8)]
    nps_scores = [10, 10, 9, 8, 7, 6, 3, 10]
    umux = [(6, 7), (5, 6), (7, 7), (4, 5), (6, 6), (5, 5), (7, 6), (6, 5)]
    survey = [{"participant": f"p{i}", "variant": "A", "nps": nps_scores[i],
               "umux_1": umux[i][0], "umux_2": umux[i][1]} for i in range(8)]
    document = analyze(attempts, survey, benchmarks={
        "nps": 10, "umux_lite": 65, "task_completion": {"T2": 0.5}})

    # NPS: 4 promoters, 2 passives, 2 detractors of 8. Adjusted-Wald: n_adj = 11,
    # p_pro = 4.75/11, p_det = 2.75/11, NPS_adj = 2/11, Var = p_pro + p_det − NPS_adj²;
    # z = (NPS_adj − 0.10)/√(Var/n_adj), one-sided p = 1 − Φ(z).
    p_pro, p_det = 4.75 / 11, 2.75 / 11
    adjusted = p_pro - p_det
    z = (adjusted - 0.10) / math.sqrt((p_pro + p_det - adjusted ** 2) / 11)
    nps_benchmark = document["questionnaires"]["nps"]["variants"]["A"]["benchmark"]
    assert nps_benchmark["p"] == pytest.approx(stats.norm.sf(z))
    assert nps_benchmark["difference"] == pytest.approx(25 - 10)  # observed NPS 25 − 10
    assert nps_benchmark["alternative"] == "greater"
    assert "NPS (25) is not shown to be above the benchmark of 10" in \
        nps_benchmark["interpretation"]

    scores = [((a - 1) + (b - 1)) / 12 * 100 for a, b in umux]
    umux_benchmark = document["questionnaires"]["umux_lite"]["variants"]["A"]["benchmark"]
    expected = stats.ttest_1samp(scores, 65, alternative="greater")
    assert umux_benchmark["p"] == pytest.approx(expected.pvalue)
    assert umux_benchmark["statistic"] == pytest.approx(expected.statistic)
    assert "UMUX-Lite score" in umux_benchmark["interpretation"]

    # T1 keeps the study-wide 0.78, T2 takes its own 0.5: exact binomial mid-p, 7 of 8.
    for task, target in (("T1", 0.78), ("T2", 0.5)):
        summary = next(t for t in document["tasks"] if t["task"] == task)["variants"]["A"]
        benchmark = summary["completion"]["benchmark"]
        assert benchmark["target"] == target
        assert benchmark["p"] == pytest.approx(stats.binom.sf(7, 8, target)
                                               + 0.5 * stats.binom.pmf(7, 8, target))
    assert document["benchmarks"]["task_completion"] == {"T2": 0.5}


def test_usability_metric_per_variant_against_an_independent_computation():
    # Variant A: three participants, one task with a 60 s target; SEQ against 5.5.
    times, seq, success = [40.0, 55.0, 90.0], [7, 6, 3], [1, 1, 1]
    rows = [row(f"p{i}", "A", "T1", success[i], time_s=times[i], seq=seq[i]) for i in range(3)]
    document = analyze(rows, benchmarks={"time": {"T1": 60}})
    entry = document["usability_metric"]["variants"]["A"]

    # Sauro & Kindlund: time_i = Φ((60 − t_i)/s_t), satisfaction_i = Φ((seq_i − 5.5)/s_seq),
    # attempt SUM = mean(completion, time, satisfaction); one attempt each, so the participant
    # SUMs are the attempt SUMs, and the variant's interval is their t-interval.
    time_share = stats.norm.cdf((60 - np.array(times)) / np.std(times, ddof=1))
    seq_share = stats.norm.cdf((np.array(seq) - 5.5) / np.std(seq, ddof=1))
    per_person = (np.array(success) + time_share + seq_share) / 3
    low, high = stats.t.interval(0.95, 2, loc=per_person.mean(), scale=stats.sem(per_person))
    assert entry["score"] == pytest.approx(per_person.mean())
    assert (entry["low"], entry["high"]) == pytest.approx((max(0.0, low), min(1.0, high)))
    assert entry["components"]["time"] == pytest.approx(time_share.mean())
    assert entry["n"] == 3 and entry["attempts"] == 3
    assert 0 <= entry["low"] <= entry["score"] <= entry["high"] <= 1


def test_usability_metric_without_time_targets_averages_completion_and_satisfaction():
    rows = [row("p1", "A", "T1", 1, seq=6), row("p2", "A", "T1", 0, seq=4)]
    result = analyze(rows)["usability_metric"]
    entry = result["variants"]["A"]
    # SEQ 6 and 4 (s = √2) against 5.5; completion 1 and 0; no time component.
    shares = stats.norm.cdf((np.array([6, 4]) - 5.5) / np.std([6, 4], ddof=1))
    assert entry["score"] == pytest.approx(np.mean([(1 + shares[0]) / 2, (0 + shares[1]) / 2]))
    assert entry["components"]["time"] is None
    assert "no task has a time target" in result["note"]


def test_cli_benchmarks_reach_the_document_and_bad_ones_exit_with_a_message(tmp_path):
    attempts = tmp_path / "attempts.csv"
    attempts.write_text(
        "participant,variant,task,outcome,success,time_s,errors,clicks,seq,direct,first_click,"
        "lostness\n"
        "p1,A,T1,success,1,30,0,4,6,1,1,0\np2,A,T1,success,1,50,1,6,5,0,1,0.4\n"
        "p3,B,T1,failure,0,80,2,9,3,0,0,0.7\np4,B,T1,success,1,35,0,5,6,1,1,0.1\n")
    runner = CliRunner()
    result = runner.invoke(analyze_command, [str(attempts), "--json", "--benchmark", "sus=70",
                                             "--benchmark", "time:T1=45",
                                             "--benchmark", "completion:T1=0.6"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["benchmarks"]["sus"] == 70
    assert document["benchmarks"]["time"] == {"T1": 45}
    assert document["tasks"][0]["variants"]["A"]["completion"]["benchmark"]["target"] == 0.6
    assert document["usability_metric"]["time_targets"] == {"T1": 45}
    assert document["tasks"][0]["variants"]["A"]["direct"]["estimate"] == 0.5
    text = runner.invoke(analyze_command, [str(attempts)]).output
    assert "direct success (95% CI)" in text and "Single Usability Metric" in text
    for bad, says in (("nps=300", "from -100 to 100"), ("speed=3", "expected NAME=VALUE"),
                      ("sus=high", "'high' is not a number"), ("seq:T1=5", "NAME=VALUE")):
        result = runner.invoke(analyze_command, [str(attempts), "--benchmark", bad])
        assert result.exit_code == 2
        assert says in result.output and "--benchmark" in result.output

